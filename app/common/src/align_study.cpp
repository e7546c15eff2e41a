// The two-sided align study shared by `align`, `figure --view align` and Compare > Align (align_study.h).
#include "neurolens/app/align_study.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "neurolens/app/crash_report.h"
#include "neurolens/app/recording_source.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/model.h"
#include "neurolens/core/projection.h"
#include "neurolens/io/results_store.h"

namespace neurolens::app {
namespace {

bool isHdf5(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  char signature[8] = {};
  in.read(signature, sizeof(signature));
  return in.gcount() == 8 && std::string(signature, 8) == std::string("\x89HDF\r\n\x1a\n", 8);
}

AlignSide readResultsSide(const std::string& label, const std::string& file, const std::string& behaviorName) {
  AlignSide side;
  side.label = label;
  side.name = label + " (" + file + ")";
  side.file = file;
  side.features = "latents";
  if (!behaviorName.empty())
    throw InputError(file + " is a results file (/latents) without behaviour: --match behavior needs recordings");
  const ReadingFile guard(file);
  const io::ResultsReader reader(file);
  side.data = reader.readArray("/latents");
  if (side.data.rank() != 3 || side.data.size() == 0)
    throw InputError(file + ": /latents is not a [trials, bins, latents] array");
  side.conditionProblem = file + " is a results file (/latents) without a trials table: use --match time";
  return side;
}

std::vector<std::string> trialLabels(const BinnedRecording& binned, const std::string& column,
                                     const std::string& file) {
  const Column* found = binned.trials.find(column);
  if (found == nullptr || binned.trials.rows() != binned.trialCount()) {
    std::string known;
    for (const auto& name : binned.trials.columnNames()) known += (known.empty() ? "" : ", ") + name;
    throw InputError(file + ": the trials table has no column '" + column +
                     "' (columns: " + (known.empty() ? "none" : known) + "; choose one with --condition-column)");
  }
  if (found->isRagged()) throw InputError(file + ": trial column '" + column + "' holds several values per trial");
  std::vector<std::string> labels;
  for (std::size_t t = 0; t < binned.trialCount(); ++t) labels.push_back(found->cellText(t));
  return labels;
}

std::string sessionText(const Model& model) {
  const auto index = model.session();
  return index ? model.metadata().sessions.at(*index).id : std::string();
}

AlignSide readRecordingSide(const std::string& label, const AlignSideSpec& spec, const AlignStudyOptions& options,
                            const std::string& behaviorName, const Progress& progress, const AlignWarn& warn,
                            AlignBinnedCache& cache) {
  AlignSide side;
  side.label = label;
  side.name = label + " (" + spec.file + ")";
  side.file = spec.file;
  side.model = spec.model;
  BinningOptions binning = options.binning;
  if (!behaviorName.empty()) {
    if (std::find(binning.behavior.begin(), binning.behavior.end(), behaviorName) == binning.behavior.end())
      binning.behavior.push_back(behaviorName);
  }
  std::optional<Model> model;
  if (!spec.model.empty()) model = Model::load(spec.model);
  if (!cache.binned || cache.file != spec.file) {
    const RecordingSource source;
    cache.binned = source.readBinned(spec.file, binning, progress.sub(0.0, 0.5));
    cache.file = spec.file;
  }
  const BinnedRecording& binned = *cache.binned;
  if (binned.trialCount() == 0 || binned.binCount() == 0 || binned.unitCount() == 0)
    throw InputError(spec.file + ": the recording gives no counts to align");
  side.binMs = binned.binMs;
  side.hasTrials = !binned.continuous;
  if (model) {
    model = model->forRecording(binned, spec.session);
    model->checkAgainst(binned);
    RunReport run;
    const auto started = std::chrono::steady_clock::now();
    ModelOutputs outputs = model->infer(binned.counts, options.device, progress.sub(0.5, 1.0), &run);
    side.modelSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (warn)
      for (const auto& note : run.notes) warn(note);
    side.data = std::move(outputs.latents);
    side.features = "latents of " + spec.model;
    if (model->session()) side.features += " (session " + sessionText(*model) + ")";
  } else {
    side.data = smoothAlongBins(binned.counts, options.smoothMs / binned.binMs);
    std::ostringstream features;
    features << "counts smoothed with a Gaussian of sd " << options.smoothMs << " ms";
    side.features = features.str();
  }
  if (binned.continuous) {
    side.conditionProblem =
        spec.file + " has no trials table (a continuous recording): use --match time or behavior:NAME";
  } else {
    try {
      side.conditions = trialLabels(binned, options.conditionColumn, spec.file);
    } catch (const InputError& error) {
      side.conditionProblem = error.what();
    }
  }
  if (!behaviorName.empty()) {
    const auto found = binned.behavior.find(behaviorName);
    if (found == binned.behavior.end())
      throw InputError(spec.file + ": no behavioural series '" + behaviorName + "' under /processing/behavior");
    side.behavior = found->second;
  }
  return side;
}

std::vector<double> finiteValues(const std::vector<double>& values) {
  std::vector<double> out;
  std::copy_if(values.begin(), values.end(), std::back_inserter(out), [](double v) { return std::isfinite(v); });
  return out;
}

}  // namespace

AlignBinnedCache::AlignBinnedCache() = default;
AlignBinnedCache::~AlignBinnedCache() = default;
void AlignBinnedCache::clear() {
  binned.reset();
  file.clear();
}

std::string alignMatchName(const std::string& match) { return match.rfind("behavior:", 0) == 0 ? "behavior" : match; }

std::string alignBehaviorName(const std::string& match) {
  return match.rfind("behavior:", 0) == 0 ? match.substr(std::string("behavior:").size()) : std::string();
}

AlignSide readAlignSide(const std::string& label, const AlignSideSpec& spec, const AlignStudyOptions& options,
                        const Progress& progress, const AlignWarn& warn, AlignBinnedCache& cache,
                        bool modelForRecordingsOnly) {
  const std::string& file = spec.file;
  const std::string behaviorName = alignBehaviorName(options.match);
  std::error_code error;
  if (!std::filesystem::exists(file, error)) throw InputError(label + ": " + file + ": no such file");
  if (isHdf5(file)) {
    bool results = false;
    std::string writtenBy;  // the command that wrote a NeuroLens results file without /latents
    {
      const ReadingFile guard(file);
      const io::ResultsReader reader(file);
      results = reader.has("/latents");
      if (!results) {
        try {
          if (reader.readStringAttribute("/", "format") == "neurolens-results") {
            writtenBy = "a NeuroLens command";
            try {
              writtenBy = "`" + reader.readStringAttribute("/", "command") + "`";
            } catch (const InputError&) {
              // no command attribute: written through the API
            }
          }
        } catch (const InputError&) {
          // not a results file: read it as a recording below
        }
      }
    }
    if (!writtenBy.empty())
      throw InputError(label + ": " + file + " is a results file written by " + writtenBy +
                       " without /latents: align reads recordings and `infer` results");
    if (results) {
      if (!spec.model.empty() && !modelForRecordingsOnly)
        throw InputError(label + ": " + file + " already holds latents (/latents): a model applies to a recording");
      return readResultsSide(label, file, behaviorName);
    }
  }
  return readRecordingSide(label, spec, options, behaviorName, progress, warn, cache);
}

std::string defaultAlignMatch(const AlignSide& a, const AlignSide& b) {
  return a.hasTrials && b.hasTrials ? "conditions" : "time";
}

MatchedRows matchAlignSides(const AlignSide& a, const AlignSide& b, const std::string& match,
                            const AlignStudyOptions& options) {
  if (match == "conditions")
    for (const AlignSide* side : {&a, &b})
      if (!side->conditionProblem.empty()) throw InputError(side->label + ": " + side->conditionProblem);
  MatchedRows matched;
  if (match == "time") {
    try {
      matched = matchByTime(a.data, b.data);
    } catch (const InputError& error) {
      throw InputError(a.name + " vs " + b.name + ": " + error.what());
    }
  } else if (match == "conditions") {
    std::set<std::string> labelsA(a.conditions.begin(), a.conditions.end());
    std::set<std::string> labelsB(b.conditions.begin(), b.conditions.end());
    std::vector<std::string> common;
    std::set_intersection(labelsA.begin(), labelsA.end(), labelsB.begin(), labelsB.end(), std::back_inserter(common));
    if (common.empty()) {
      const auto shown = [](const std::set<std::string>& labels) {
        std::string text;
        std::size_t n = 0;
        for (const auto& label : labels) {
          if (n++ == 8) {
            text += ", ...";
            break;
          }
          text += (text.empty() ? "" : ", ") + label;
        }
        return text.empty() ? std::string("none") : text;
      };
      throw InputError("no condition label (trial column '" + options.conditionColumn + "') is common to both sides: " +
                       a.name + " has " + shown(labelsA) + "; " + b.name + " has " + shown(labelsB));
    }
    matched = matchByConditions(a.data, a.conditions, b.data, b.conditions);
  } else {
    const std::string name = alignBehaviorName(match);
    if (a.behavior.rank() != 3 || a.behavior.dim(2) != 2 || b.behavior.rank() != 3 || b.behavior.dim(2) != 2) {
      const AlignSide& wrong = (a.behavior.rank() != 3 || a.behavior.dim(2) != 2) ? a : b;
      throw InputError(wrong.file + ": behaviour '" + name + "' has " +
                       std::to_string(wrong.behavior.rank() == 3 ? wrong.behavior.dim(2) : 0) +
                       " dimensions; --match behavior needs a 2-D series (x, y)");
    }
    matched = matchByBehavior(a.data, a.behavior, b.data, b.behavior, options.sectors);
  }
  const std::size_t dims = options.statistics.dims;
  if (dims > 0) {
    const auto dimsA = static_cast<std::size_t>(matched.a.cols());
    const auto dimsB = static_cast<std::size_t>(matched.b.cols());
    if (dims > dimsA || dims > dimsB) {
      const AlignSide& small = dimsB < dimsA ? b : a;  // the side with fewer dimensions is the one exceeded
      throw InputError("--dims " + std::to_string(dims) + " is more than the " +
                       std::to_string(std::min(dimsA, dimsB)) + " dimensions of " + small.name + " (" + small.features +
                       ")");
    }
  }
  return matched;
}

double nullPercentile(std::vector<double> values, double q) {
  values = finiteValues(values);
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const double position = q / 100.0 * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] + fraction * (values[above] - values[below]);
}

AlignStudyResult runAlignStudy(const AlignSideSpec& a, const AlignSideSpec& b, const AlignStudyOptions& options,
                               const Progress& progress, const AlignWarn& warn) {
  AlignStudyResult result;
  {
    AlignBinnedCache cache;
    result.a = readAlignSide("side A", a, options, progress.sub(0.0, 0.3), warn, cache);
    result.b = readAlignSide("side B", b, options, progress.sub(0.3, 0.6), warn, cache);
  }
  result.match = options.match.empty() ? defaultAlignMatch(result.a, result.b) : options.match;
  // `seconds`: the models' inference and the alignment itself (not reading, binning or writing).
  const auto started = std::chrono::steady_clock::now();
  result.matched = matchAlignSides(result.a, result.b, result.match, options);
  result.stats = alignSides(result.matched, options.statistics, progress.sub(0.6, 1.0));
  result.seconds = result.a.modelSeconds + result.b.modelSeconds +
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const auto& [name, values] : result.stats.nullValues) result.null95[name] = nullPercentile(values, 95.0);
  return result;
}

nlohmann::json alignStudyJson(const AlignStudyResult& result, const AlignStudyOptions& options,
                              const std::string& dsaScore) {
  const AlignStatistics& stats = result.stats;
  const AlignOptions& chosen = options.statistics;
  nlohmann::json json{{"match", result.match},
                      {"rows", stats.rows},
                      {"dims", stats.dims},
                      {"permutations", stats.permutationsRun},
                      {"exhaustive", stats.exhaustive},
                      {"p_min", stats.pMin},
                      {"seconds", result.seconds}};
  if (result.match == "conditions") json["conditions"] = result.matched.labels;
  if (alignMatchName(result.match) == "behavior") {
    json["conditions"] = result.matched.labels;
    json["sector_entries"] = {{"a", result.matched.entriesA}, {"b", result.matched.entriesB}};
  }
  if (chosen.cca) {
    json["canonical_correlations"] = stats.canonicalCorrelations;
    json["cca_mean"] = stats.ccaMean;
    json["cca_heldout"] = stats.ccaHeldout;
    json["cca_heldout_mean"] = stats.ccaHeldoutMean;
  }
  if (chosen.procrustes) json["procrustes_disparity"] = stats.procrustesDisparity;
  if (chosen.consistency)
    json["consistency_r2"] = {{"a_to_b", stats.consistencyAToB}, {"b_to_a", stats.consistencyBToA}};
  if (chosen.dsa) {
    json["dsa_distance"] = stats.dsaDistance;
    json["dsa"] = {
        {"score", dsaScore},
        {"delays", chosen.dsaOptions.delays},
        {"rank", chosen.dsaOptions.rank == 0 ? nlohmann::json(nullptr) : nlohmann::json(chosen.dsaOptions.rank)},
        {"permutations", stats.dsaPermutationsRun},
        {"p_min", stats.dsaPMin}};
  }
  json["p_values"] = nlohmann::json::object();
  for (const auto& [name, p] : stats.pValues) json["p_values"][name] = p;
  json["null_95"] = nlohmann::json::object();
  for (const auto& [name, value] : result.null95)
    json["null_95"][name] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
  return json;
}

AlignedTrajectories alignedTrajectories(const AlignStudyResult& result) {
  const AlignStatistics& stats = result.stats;
  if (stats.alignedA.rows() == 0 || stats.alignedA.cols() == 0)
    throw InputError("the aligned overlay needs the canonical correlations (--method with cca)");
  const MatchedRows& matched = result.matched;
  AlignedTrajectories out;
  std::size_t groupRows = 0;
  std::size_t groups = 0;
  if (matched.match == AlignMatch::Time) {
    groupRows = matched.trialRows;
    groups = groupRows == 0 ? 0 : static_cast<std::size_t>(stats.alignedA.rows()) / groupRows;
    for (std::size_t g = 0; g < groups; ++g)
      out.labels.push_back(g < result.a.conditions.size() ? result.a.conditions[g] : "trial " + std::to_string(g + 1));
  } else {
    groupRows = matched.groupRows;
    groups = matched.labels.size();
    out.labels = matched.labels;
  }
  const bool second = stats.alignedA.cols() > 1;
  const auto points = [&](const Eigen::MatrixXd& aligned, std::size_t g) {
    std::vector<std::array<double, 2>> line;
    for (std::size_t r = 0; r < groupRows; ++r) {
      const auto row = static_cast<Eigen::Index>(g * groupRows + r);
      line.push_back({aligned(row, 0), second ? aligned(row, 1) : 0.0});
    }
    return line;
  };
  for (std::size_t g = 0; g < groups; ++g) {
    out.a.push_back(points(stats.alignedA, g));
    out.b.push_back(points(stats.alignedB, g));
  }
  return out;
}

std::pair<std::string, std::string> alignSideNames(const AlignSideSpec& a, const AlignSideSpec& b) {
  const auto name = [](const AlignSideSpec& side, bool withFolder) {
    const auto part = [withFolder](const std::string& path) {
      const std::filesystem::path file(path);
      const std::string folder = file.parent_path().filename().string();
      return withFolder && !folder.empty() ? folder + "/" + file.filename().string() : file.filename().string();
    };
    std::string text = part(side.file);
    if (!side.model.empty()) text += " + " + part(side.model);
    return text;
  };
  const bool same = name(a, false) == name(b, false);
  return {name(a, same), name(b, same)};
}

}  // namespace neurolens::app
