// The lesion study shared by `lesion`, `figure --view lesion` and the Lesion panel (lesion_study.h).
#include "neurolens/app/lesion_study.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "neurolens/app/recording_source.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/model.h"
#include "neurolens/core/probe.h"
#include "neurolens/core/projection.h"

namespace neurolens::app {
namespace {

std::string columnList(const Table& table) {
  std::string known;
  for (const auto& name : table.columnNames()) known += (known.empty() ? "" : ", ") + name;
  return known.empty() ? "none" : known;
}

const Column& unitColumn(const BinnedRecording& binned, const std::string& name, const std::string& option,
                         const std::string& file) {
  const Column* column = binned.units.find(name);
  if (column == nullptr)
    throw InputError(file + ": " + option + ": the units table has no column '" + name +
                     "' (columns: " + columnList(binned.units) + ")");
  if (column->isRagged())
    throw InputError(file + ": " + option + ": unit column '" + name + "' holds several values per unit");
  if (column->rows() != binned.unitCount())
    throw InputError(file + ": " + option + ": unit column '" + name + "' has " + std::to_string(column->rows()) +
                     " rows for " + std::to_string(binned.unitCount()) + " units");
  return *column;
}

// The column's distinct values, numbers in numeric order, texts in text order.
std::vector<std::string> distinctValues(const Column& column) {
  std::vector<std::string> out;
  if (column.isNumeric()) {
    const std::set<double> values(column.numbers().begin(), column.numbers().end());
    for (const double value : values) {
      for (std::size_t row = 0; row < column.rows(); ++row)
        if (column.numbers()[row] == value) {
          out.push_back(column.cellText(row));
          break;
        }
    }
  } else {
    const std::set<std::string> values(column.texts().begin(), column.texts().end());
    out.assign(values.begin(), values.end());
  }
  return out;
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& value : values) out += (out.empty() ? "" : ", ") + value;
  return out;
}

// Units (indices into the kept units) whose column equals the value.
std::vector<std::size_t> unitsWithValue(const Column& column, const std::string& value, const std::string& option,
                                        const std::string& file) {
  std::vector<std::size_t> units;
  if (column.isNumeric()) {
    double number = 0.0;
    try {
      std::size_t used = 0;
      number = std::stod(value, &used);
      if (used != value.size()) throw std::invalid_argument(value);
    } catch (const std::logic_error&) {
      throw InputError(file + ": " + option + ": column '" + column.name + "' holds numbers and '" + value +
                       "' is not one (values: " + joined(distinctValues(column)) + ")");
    }
    for (std::size_t row = 0; row < column.rows(); ++row)
      if (column.numbers()[row] == number) units.push_back(row);
  } else {
    for (std::size_t row = 0; row < column.rows(); ++row)
      if (column.texts()[row] == value) units.push_back(row);
  }
  if (units.empty())
    throw InputError(file + ": " + option + ": no unit has " + column.name + " = " + value +
                     " (values: " + joined(distinctValues(column)) + ")");
  return units;
}

std::vector<LesionRequest> lesionRequests(const LesionStudySpec& spec, const BinnedRecording& binned) {
  std::vector<LesionRequest> requests;
  if (!spec.perType.empty()) {
    const Column& column = unitColumn(binned, spec.perType, "--per-type", spec.file);
    if (column.isNumeric()) {  // grouped by the numbers themselves (their text may round)
      std::map<double, std::vector<std::size_t>> groups;
      for (std::size_t row = 0; row < column.rows(); ++row) groups[column.numbers()[row]].push_back(row);
      for (auto& [value, units] : groups) requests.push_back({column.cellText(units.front()), std::move(units)});
    } else {
      for (const auto& value : distinctValues(column))
        requests.push_back({value, unitsWithValue(column, value, "--per-type " + spec.perType, spec.file)});
    }
    return requests;
  }
  const std::string option = "--lesion " + spec.lesion;
  const auto equals = spec.lesion.find('=');
  if (equals != std::string::npos) {
    const Column& column = unitColumn(binned, spec.lesion.substr(0, equals), option, spec.file);
    requests.push_back({spec.lesion, unitsWithValue(column, spec.lesion.substr(equals + 1), option, spec.file)});
    return requests;
  }
  std::set<std::size_t> units;
  std::stringstream list(spec.lesion);
  std::string item;
  while (std::getline(list, item, ',')) {
    if (item.empty()) continue;
    std::int64_t id = 0;
    try {
      std::size_t used = 0;
      id = std::stoll(item, &used);
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::logic_error&) {
      throw InputError(option + ": '" + item + "' is not a unit id (give ids like 3,7,12 or COLUMN=VALUE)");
    }
    const auto found = std::find(binned.unitIds.begin(), binned.unitIds.end(), id);
    if (found == binned.unitIds.end())
      throw InputError(spec.file + ": " + option + ": no unit with id " + item + " among the " +
                       std::to_string(binned.unitCount()) + " units read");
    units.insert(static_cast<std::size_t>(found - binned.unitIds.begin()));
  }
  if (units.empty()) throw InputError(option + ": the selection names no unit");
  requests.push_back({spec.lesion, {units.begin(), units.end()}});
  return requests;
}

std::vector<std::string> conditionLabels(const LesionStudySpec& spec, const BinnedRecording& binned,
                                         const LesionWarn& warn) {
  if (binned.continuous) {
    if (spec.conditionGiven)
      throw InputError("--condition " + spec.condition + ": '" + spec.file +
                       "' is a continuous recording (no trials table), so it has no conditions; leave --condition out "
                       "to measure condition_shift on the trajectory as one group");
    return {};
  }
  const Column* found = binned.trials.find(spec.condition);
  if (found == nullptr || binned.trials.rows() != binned.trialCount()) {
    if (spec.conditionGiven)
      throw InputError("--condition " + spec.condition + ": the trials table of '" + spec.file +
                       "' has no such column (columns: " + columnList(binned.trials) + ")");
    if (warn)
      warn("the trials table has no column '" + spec.condition +
           "': condition_shift treats all trials as one condition (the time points of the mean trajectory)");
    return {};
  }
  std::vector<std::string> labels;
  for (std::size_t t = 0; t < binned.trialCount(); ++t) labels.push_back(found->cellText(t));
  return labels;
}

nlohmann::json comparisonJson(const NullComparison& comparison) {
  return {{"percentile", comparison.percentile}, {"p", comparison.p}};
}

}  // namespace

LesionStudySpec defaultLesionSpec(const std::string& file, const std::string& model, const std::string& lesion) {
  LesionStudySpec spec;
  spec.file = file;
  spec.model = model;
  spec.lesion = lesion;
  return spec;
}

LesionStudyResult runLesionStudyFor(const LesionStudySpec& given, const Progress& progress, const LesionWarn& warn) {
  LesionStudyResult result;
  result.spec = given;
  LesionStudySpec& spec = result.spec;
  if (spec.lesion.empty() == spec.perType.empty())
    throw InputError(spec.lesion.empty() ? "lesion: give --lesion LIST|COLUMN=VALUE or --per-type COLUMN"
                                         : "lesion: --lesion and --per-type exclude each other");
  LesionStudyOptions& options = result.options;
  options.manipulation = parseLesionManipulation(spec.mode);
  options.device = spec.device;
  options.randomRepeats = spec.randomRepeats;
  options.matchRate = spec.matchRate;
  options.seed = spec.seed;
  const std::string behaviorPrefix = "behavior:";
  if (spec.target.rfind(behaviorPrefix, 0) == 0) {
    const std::string name = spec.target.substr(behaviorPrefix.size());
    if (std::find(spec.binning.behavior.begin(), spec.binning.behavior.end(), name) == spec.binning.behavior.end())
      spec.binning.behavior.push_back(name);
  }

  Model model = Model::load(spec.model);
  const RecordingSource source;
  result.binned = source.readBinned(spec.file, spec.binning, progress.sub(0.0, 0.05));
  const BinnedRecording& binned = result.binned;
  if (binned.trialCount() == 0 || binned.binCount() == 0 || binned.unitCount() == 0)
    throw InputError("recording '" + spec.file + "' gives no counts to lesion");
  model = model.forRecording(binned, spec.session);
  model.checkAgainst(binned);
  // Everything that can be wrong with the selection is checked before the model runs.
  const std::vector<LesionRequest> requests = lesionRequests(spec, binned);
  for (const auto& request : requests)
    if (request.units.size() == binned.unitCount())
      throw InputError(spec.file + ": " +
                       (spec.perType.empty() ? "--lesion " + spec.lesion : "--per-type " + spec.perType) +
                       " selects all " + std::to_string(binned.unitCount()) +
                       " units: nothing would be left unlesioned to compare with");
  options.conditionOfTrial = conditionLabels(spec, binned, warn);
  options.layout.continuous = binned.continuous;
  options.layout.binMs = binned.binMs;
  if (!spec.target.empty()) {
    options.target = probeTargetFromSpec(binned, spec.target);
    options.probe.folds = spec.folds;
    options.probe.rows = parseProbeRowsKind(spec.rows);
    if (!spec.alphas.empty()) options.probe.alphas = spec.alphas;
    options.probe.binMs = binned.binMs;
    options.probe.lagMs = spec.lagMs;
    options.probe.seed = options.seed;
    (void)lagInBins(spec.lagMs, binned.binMs);  // a lag of no whole bins is exit 3 before any model run
  }

  const auto computing = std::chrono::steady_clock::now();
  result.study = runLesionStudy(model, binned.counts, requests, options, progress.sub(0.05, 1.0));
  if (warn)
    for (const auto& note : result.study.notes) warn(note);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - computing).count();
  return result;
}

nlohmann::json lesionEntryJson(const LesionStudyResult& result, std::size_t lesion) {
  const LesionStudyEffect& effect = result.study.lesions.at(lesion);
  const std::string probeKey = result.probeKey();
  nlohmann::json entry{{"label", effect.label},
                       {"units", effect.units.size()},
                       {"latent_variance_lost", effect.shift.varianceLost},
                       {"condition_shift", effect.shift.conditionShift}};
  nlohmann::json random{{"latent_variance_lost", comparisonJson(effect.random.latentVarianceLost)},
                        {"condition_shift", comparisonJson(effect.random.conditionShift)}};
  if (result.boost()) entry["steering"] = effect.shift.steering;
  if (effect.probeIntact) {
    entry[probeKey + "_intact"] = *effect.probeIntact;
    entry[probeKey + "_lesioned"] = *effect.probeLesioned;
    random[probeKey + "_lesioned"] = comparisonJson(*effect.random.probe);
  }
  if (effect.bitsPerSpikeIntact) {
    entry["bits_per_spike_intact"] = *effect.bitsPerSpikeIntact;
    entry["bits_per_spike_lesioned"] = *effect.bitsPerSpikeLesioned;
    if (effect.random.bitsPerSpike) random["bits_per_spike_lesioned"] = comparisonJson(*effect.random.bitsPerSpike);
  }
  entry["random"] = random;
  return entry;
}

nlohmann::json lesionStudyJson(const LesionStudyResult& result) {
  nlohmann::json lesions = nlohmann::json::array();
  for (std::size_t l = 0; l < result.study.lesions.size(); ++l) lesions.push_back(lesionEntryJson(result, l));
  const LesionStudySpec& spec = result.spec;
  nlohmann::json json{{"lesions", lesions},
                      {"mode", lesionManipulationName(result.options.manipulation)},
                      {"random_repeats", spec.randomRepeats},
                      {"match_rate", spec.matchRate},
                      {"conditions", result.study.conditions},
                      {"trials", result.binned.trialCount()},
                      {"units", result.binned.unitCount()},
                      {"bin_ms", result.binned.binMs},
                      {"latents", result.study.intactLatents.dim(2)},
                      {"seconds", result.seconds}};
  if (!spec.target.empty()) {
    json["target"] = spec.target;
    json["probe_folds_kind"] =
        foldsKindName(result.options.target->categorical() ? FoldsKind::Stratified : FoldsKind::Contiguous);
    json["probe_rows_kind"] = probeRowsKindName(result.options.probe.rows);
  }
  // behavior_rows_dropped as the binning conventions define it: rows of NaN behaviour.
  if (result.options.target && !result.options.target->categorical() && spec.target.rfind("behavior:", 0) == 0)
    json["behavior_rows_dropped"] = behaviorRowsMissing(result.options.target->numeric);
  return json;
}

std::string lesionStudyText(const LesionStudyResult& result) {
  const std::string probeKey = result.probeKey();
  std::ostringstream lines;
  lines << std::setprecision(4);
  lines << result.spec.file << ": " << result.study.lesions.size() << " lesion(s), mode "
        << lesionManipulationName(result.options.manipulation) << ", against " << result.spec.randomRepeats
        << " random lesions each";
  for (const auto& effect : result.study.lesions) {
    lines << "\n  " << effect.label << " (" << effect.units.size() << " units): variance lost "
          << effect.shift.meanVarianceLost << " (p " << effect.random.latentVarianceLost.p << "), condition shift "
          << effect.shift.conditionShift << " (p " << effect.random.conditionShift.p << ")";
    if (effect.probeIntact)
      lines << ", " << probeKey << " " << *effect.probeIntact << " -> " << *effect.probeLesioned << " (p "
            << effect.random.probe->p << ")";
    if (effect.bitsPerSpikeIntact) {
      lines << ", bits/spike " << *effect.bitsPerSpikeIntact << " -> " << *effect.bitsPerSpikeLesioned;
      if (effect.random.bitsPerSpike) lines << " (p " << effect.random.bitsPerSpike->p << ")";
    }
  }
  if (!result.spec.target.empty())
    lines << "\n  probe: "
          << foldsKindName(result.options.target->categorical() ? FoldsKind::Stratified : FoldsKind::Contiguous)
          << " folds, one row per " << (result.options.probe.rows == ProbeRowsKind::Trials ? "trial" : "bin");
  return lines.str();
}

LesionTrajectories lesionTrajectories(const LesionStudyResult& result, std::size_t lesion) {
  const FloatArray& intact = result.study.intactLatents;
  const FloatArray& lesioned = result.study.lesions.at(lesion).lesionedLatents;
  std::vector<std::string> groups = result.options.conditionOfTrial;
  if (groups.empty()) groups.assign(intact.dim(0), result.binned.continuous ? "recording" : "all trials");
  LesionTrajectories out;
  const FloatArray intactMeans = conditionAverage(intact, groups, &out.labels);
  const FloatArray lesionedMeans = conditionAverage(lesioned, groups);
  const std::size_t latents = intact.dim(2);
  const std::size_t k = std::min<std::size_t>(2, latents);
  const PcaResult fitted = pca(intactMeans, k);
  const FloatArray a = fitted.projected;
  const FloatArray b = applyPca(fitted, lesionedMeans);
  const auto points = [k](const FloatArray& data, std::size_t c) {
    std::vector<std::array<double, 2>> line;
    const std::size_t bins = data.dim(1);
    for (std::size_t t = 0; t < bins; ++t) {
      const float* row = data.values().data() + (c * bins + t) * k;
      line.push_back({row[0], k > 1 ? row[1] : 0.0});
    }
    return line;
  };
  for (std::size_t c = 0; c < out.labels.size(); ++c) {
    out.intact.push_back(points(a, c));
    out.lesioned.push_back(points(b, c));
  }
  return out;
}

namespace {
// A lesion's label for a drawing: a long list of unit ids is named by its size.
std::string shortLabel(const LesionStudyEffect& effect) {
  return effect.label.size() <= 24 ? effect.label : std::to_string(effect.units.size()) + " units by id";
}
}  // namespace

std::string lesionedName(const LesionStudyResult& result, std::size_t lesion) {
  const LesionStudyEffect& effect = result.study.lesions.at(lesion);
  return "lesioned " + shortLabel(effect) + " (" + lesionManipulationName(result.options.manipulation) + ")";
}

std::string lesionTitle(const LesionStudyResult& result, std::size_t lesion) {
  const LesionStudyEffect& effect = result.study.lesions.at(lesion);
  std::ostringstream title;
  title << std::setprecision(2) << shortLabel(effect);
  if (shortLabel(effect) == effect.label) title << " (" << effect.units.size() << " units)";
  title << ": shift " << effect.shift.conditionShift << ", p " << effect.random.conditionShift.p;
  return title.str();
}

}  // namespace neurolens::app
