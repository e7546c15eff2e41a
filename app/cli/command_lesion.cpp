// `lesion --model M FILE`: in-silico lesions. The selected units' counts are
// manipulated (zero, mean, shuffle, boost:F), the model runs again, and every
// effect on its latents (variance lost, condition shift, probe R2, bits per spike)
// is set against random lesions of the same size drawn from the other units
// (../shared/spec/cli.md "lesion", docs/lesion.md).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "cli_common.h"
#include "command_summaries.h"
#include "commands.h"
#include "model_cli.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/lesion.h"
#include "neurolens/core/model.h"
#include "neurolens/core/probe.h"
#include "neurolens/io/recording_reader.h"
#include "neurolens/io/results_store.h"

namespace neurolens::cli {
namespace {

struct LesionCliOptions {
  CommonOptions common;
  BinningCliOptions binning;
  std::string file;
  std::string out;
  std::string model;
  std::string session;
  std::string lesion;
  std::string perType;
  std::string mode = "mean";
  std::string target;
  double lagMs = 0.0;
  std::size_t folds = 5;
  std::string rows = "bins";
  std::vector<double> alphas;
  std::size_t randomRepeats = 100;
  bool matchRate = false;
  std::string condition = "condition";
  bool conditionGiven = false;
};

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

std::vector<LesionRequest> lesionRequests(const LesionCliOptions& cli, const BinnedRecording& binned) {
  std::vector<LesionRequest> requests;
  if (!cli.perType.empty()) {
    const Column& column = unitColumn(binned, cli.perType, "--per-type", cli.file);
    if (column.isNumeric()) {  // grouped by the numbers themselves (their text may round)
      std::map<double, std::vector<std::size_t>> groups;
      for (std::size_t row = 0; row < column.rows(); ++row) groups[column.numbers()[row]].push_back(row);
      for (auto& [value, units] : groups) requests.push_back({column.cellText(units.front()), std::move(units)});
    } else {
      for (const auto& value : distinctValues(column))
        requests.push_back({value, unitsWithValue(column, value, "--per-type " + cli.perType, cli.file)});
    }
    return requests;
  }
  const std::string option = "--lesion " + cli.lesion;
  const auto equals = cli.lesion.find('=');
  if (equals != std::string::npos) {
    const Column& column = unitColumn(binned, cli.lesion.substr(0, equals), option, cli.file);
    requests.push_back({cli.lesion, unitsWithValue(column, cli.lesion.substr(equals + 1), option, cli.file)});
    return requests;
  }
  std::set<std::size_t> units;
  std::stringstream list(cli.lesion);
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
      throw InputError(cli.file + ": " + option + ": no unit with id " + item + " among the " +
                       std::to_string(binned.unitCount()) + " units read");
    units.insert(static_cast<std::size_t>(found - binned.unitIds.begin()));
  }
  if (units.empty()) throw InputError(option + ": the selection names no unit");
  requests.push_back({cli.lesion, {units.begin(), units.end()}});
  return requests;
}

std::vector<std::string> conditionLabels(const LesionCliOptions& cli, const BinnedRecording& binned,
                                         const Reporter& reporter) {
  if (binned.continuous) {
    if (cli.conditionGiven)
      throw InputError("--condition " + cli.condition + ": '" + cli.file +
                       "' is a continuous recording (no trials table), so it has no conditions; leave --condition out "
                       "to measure condition_shift on the trajectory as one group");
    return {};
  }
  const Column* found = binned.trials.find(cli.condition);
  if (found == nullptr || binned.trials.rows() != binned.trialCount()) {
    if (cli.conditionGiven)
      throw InputError("--condition " + cli.condition + ": the trials table of '" + cli.file +
                       "' has no such column (columns: " + columnList(binned.trials) + ")");
    reporter.warn("the trials table has no column '" + cli.condition +
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

FloatArray rowsToArray(const std::vector<std::vector<double>>& rows, std::size_t width) {
  FloatArray array({rows.size(), width});
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < width && c < rows[r].size(); ++c)
      array.values()[r * width + c] = static_cast<float>(rows[r][c]);
  return array;
}

void writeResults(io::ResultsWriter& writer, const LesionCliOptions& cli, const BinnedRecording& binned,
                  const LesionStudy& study, bool boost, const std::string& probeKey) {
  const FloatArray& intact = study.intactLatents;
  writer.writeArray("/intact_latents", intact);
  writer.writeAttribute("/intact_latents", "axes", "trials, bins, latents");
  const std::size_t lesions = study.lesions.size();
  auto stream = writer.createStream("/lesioned_latents", {lesions, intact.dim(0), intact.dim(1), intact.dim(2)});
  for (std::size_t l = 0; l < lesions; ++l) {
    FloatArray slab({1, intact.dim(0), intact.dim(1), intact.dim(2)});
    std::copy(study.lesions[l].lesionedLatents.values().begin(), study.lesions[l].lesionedLatents.values().end(),
              slab.values().begin());
    stream.write(l, slab);
  }
  writer.writeAttribute("/lesioned_latents", "axes", "lesions (rows of /effects), trials, bins, latents");

  std::vector<std::string> labels;
  std::vector<std::int64_t> sizes;
  std::vector<std::int64_t> unitIds;
  std::vector<std::vector<double>> varianceLost;
  std::vector<std::vector<double>> steering;
  std::vector<double> meanVarianceLost;
  std::vector<double> shift;
  std::vector<double> probeIntact;
  std::vector<double> probeLesioned;
  std::vector<double> bitsIntact;
  std::vector<double> bitsLesioned;
  std::map<std::string, std::vector<double>> random;
  std::map<std::string, std::vector<std::vector<double>>> nulls;
  const auto addComparison = [&](const std::string& key, const std::optional<NullComparison>& comparison) {
    if (!comparison) return;
    random["random_" + key + "_percentile"].push_back(comparison->percentile);
    random["random_" + key + "_p"].push_back(comparison->p);
  };
  for (const auto& effect : study.lesions) {
    labels.push_back(effect.label);
    sizes.push_back(static_cast<std::int64_t>(effect.units.size()));
    for (const std::size_t unit : effect.units) unitIds.push_back(binned.unitIds[unit]);
    varianceLost.push_back(effect.shift.varianceLost);
    steering.push_back(effect.shift.steering);
    meanVarianceLost.push_back(effect.shift.meanVarianceLost);
    shift.push_back(effect.shift.conditionShift);
    if (effect.probeIntact) probeIntact.push_back(*effect.probeIntact);
    if (effect.probeLesioned) probeLesioned.push_back(*effect.probeLesioned);
    if (effect.bitsPerSpikeIntact) bitsIntact.push_back(*effect.bitsPerSpikeIntact);
    if (effect.bitsPerSpikeLesioned) bitsLesioned.push_back(*effect.bitsPerSpikeLesioned);
    addComparison("latent_variance_lost", effect.random.latentVarianceLost);
    addComparison("condition_shift", effect.random.conditionShift);
    addComparison(probeKey + "_lesioned", effect.random.probe);
    addComparison("bits_per_spike_lesioned", effect.random.bitsPerSpike);
    nulls["latent_variance_lost"].push_back(effect.randomVarianceLost);
    nulls["condition_shift"].push_back(effect.randomConditionShift);
    if (!effect.randomProbe.empty()) nulls[probeKey + "_lesioned"].push_back(effect.randomProbe);
    if (!effect.randomBitsChange.empty()) nulls["bits_per_spike_change"].push_back(effect.randomBitsChange);
  }
  // The effects table: one dataset per column, one row per lesion (like an NWB DynamicTable).
  writer.writeStrings("/effects/label", labels);
  writer.writeInt64s("/effects/units", sizes);
  writer.writeArray("/effects/latent_variance_lost", rowsToArray(varianceLost, intact.dim(2)));
  writer.writeAttribute("/effects/latent_variance_lost", "axes", "lesions, latents");
  writer.writeDoubles("/effects/mean_latent_variance_lost", meanVarianceLost);
  writer.writeDoubles("/effects/condition_shift", shift);
  if (boost && !steering.empty()) {
    writer.writeArray("/effects/steering", rowsToArray(steering, steering.front().size()));
    writer.writeAttribute("/effects/steering", "axes", "lesions, principal components of /intact_latents");
  }
  if (!probeIntact.empty()) writer.writeDoubles("/effects/" + probeKey + "_intact", probeIntact);
  if (!probeLesioned.empty()) writer.writeDoubles("/effects/" + probeKey + "_lesioned", probeLesioned);
  if (!bitsIntact.empty()) writer.writeDoubles("/effects/bits_per_spike_intact", bitsIntact);
  if (!bitsLesioned.empty()) writer.writeDoubles("/effects/bits_per_spike_lesioned", bitsLesioned);
  for (const auto& [name, values] : random) writer.writeDoubles("/effects/" + name, values);
  std::string columns;
  for (const auto& name : {"label", "units", "latent_variance_lost", "mean_latent_variance_lost", "condition_shift"})
    columns += std::string(columns.empty() ? "" : ",") + name;
  if (boost) columns += ",steering";
  if (!probeIntact.empty()) columns += "," + probeKey + "_intact," + probeKey + "_lesioned";
  if (!bitsIntact.empty()) columns += ",bits_per_spike_intact,bits_per_spike_lesioned";
  for (const auto& entry : random) columns += "," + entry.first;
  writer.writeAttribute("/effects/label", "table_columns", columns);
  // Ragged unit lists: /effects/units rows of /lesion_unit_ids, in order.
  writer.writeInt64s("/lesion_unit_ids", unitIds);
  writer.writeAttribute("/lesion_unit_ids", "meaning",
                        "each lesion's unit ids, concatenated (split by /effects/units)");
  for (const auto& [name, rows] : nulls) {
    writer.writeArray("/random/" + name, rowsToArray(rows, cli.randomRepeats));
    writer.writeAttribute("/random/" + name, "axes", "lesions, random lesions (each random lesion's effect)");
  }
  writer.writeInt64s("/unit_ids", binned.unitIds);
  writer.writeInt64s("/trial_ids", binned.trialIds);
  writer.writeAttribute("/", "command", "lesion");
  writer.writeAttribute("/", "source", cli.file);
  writer.writeAttribute("/", "model", cli.model);
  writer.writeAttribute("/", "mode", cli.mode);
  writer.writeAttribute("/", "random_repeats", static_cast<double>(cli.randomRepeats));
  writer.writeAttribute("/", "match_rate", cli.matchRate ? 1.0 : 0.0);
  writer.writeAttribute("/", "seed", static_cast<double>(cli.common.seed.value_or(0)));
  writer.writeAttribute("/", "bin_ms", binned.binMs);
  if (!cli.target.empty()) writer.writeAttribute("/", "target", cli.target);
}

int runLesionCommand(LesionCliOptions cli) {
  Reporter reporter(cli.common);
  if (cli.lesion.empty() == cli.perType.empty())
    throw UsageError(cli.lesion.empty() ? "lesion: give --lesion LIST|COLUMN=VALUE or --per-type COLUMN"
                                        : "lesion: --lesion and --per-type exclude each other");
  LesionStudyOptions options;
  options.manipulation = parseLesionManipulation(cli.mode);
  options.device = parseDeviceChoice(cli.common.device);
  options.randomRepeats = cli.randomRepeats;
  options.matchRate = cli.matchRate;
  options.seed = cli.common.seed.value_or(0);
  const std::string behaviorPrefix = "behavior:";
  if (cli.target.rfind(behaviorPrefix, 0) == 0) {
    const std::string name = cli.target.substr(behaviorPrefix.size());
    if (std::find(cli.binning.behavior.begin(), cli.binning.behavior.end(), name) == cli.binning.behavior.end())
      cli.binning.behavior.push_back(name);
  }
  std::unique_ptr<io::ResultsWriter> writer;
  if (!cli.out.empty()) writer = std::make_unique<io::ResultsWriter>(cli.out);

  const Progress progress = reporter.progress();
  Model model = Model::load(cli.model);
  const BinnedRecording binned = readBinnedRecording(cli.file, toBinningOptions(cli.binning), progress.sub(0.0, 0.05));
  if (binned.trialCount() == 0 || binned.binCount() == 0 || binned.unitCount() == 0)
    throw InputError("recording '" + cli.file + "' gives no counts to lesion");
  model = bindModel(model, binned, cli.session);
  model.checkAgainst(binned);
  // Everything that can be wrong with the command line is checked before the model runs.
  const std::vector<LesionRequest> requests = lesionRequests(cli, binned);
  for (const auto& request : requests)
    if (request.units.size() == binned.unitCount())
      throw InputError(cli.file + ": " +
                       (cli.perType.empty() ? "--lesion " + cli.lesion : "--per-type " + cli.perType) +
                       " selects all " + std::to_string(binned.unitCount()) +
                       " units: nothing would be left unlesioned to compare with");
  options.conditionOfTrial = conditionLabels(cli, binned, reporter);
  options.layout.continuous = binned.continuous;
  options.layout.binMs = binned.binMs;
  if (!cli.target.empty()) {
    options.target = probeTargetFromSpec(binned, cli.target);
    options.probe.folds = cli.folds;
    options.probe.rows = parseProbeRowsKind(cli.rows);
    if (!cli.alphas.empty()) options.probe.alphas = cli.alphas;
    options.probe.binMs = binned.binMs;
    options.probe.lagMs = cli.lagMs;
    options.probe.seed = options.seed;
    (void)lagInBins(cli.lagMs, binned.binMs);  // a lag of no whole bins is exit 3 before any model run
  }

  const auto computing = std::chrono::steady_clock::now();
  const LesionStudy study = runLesionStudy(model, binned.counts, requests, options, progress.sub(0.05, 1.0));
  reporter.finishProgress();
  for (const auto& note : study.notes) reporter.warn(note);
  // As every command's `seconds`: the computation itself, after loading and binning, before writing.
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - computing).count();
  const bool boost = options.manipulation.mode == LesionMode::Boost;
  const std::string probeKey = study.categoricalProbe ? "probe_accuracy" : "probe_r2";

  if (writer) {
    writeResults(*writer, cli, binned, study, boost, probeKey);
    writer->commit();
  }

  nlohmann::json lesions = nlohmann::json::array();
  std::ostringstream lines;
  lines << std::setprecision(4);
  lines << cli.file << ": " << study.lesions.size() << " lesion(s), mode "
        << lesionManipulationName(options.manipulation) << ", against " << cli.randomRepeats << " random lesions each";
  for (const auto& effect : study.lesions) {
    nlohmann::json entry{{"label", effect.label},
                         {"units", effect.units.size()},
                         {"latent_variance_lost", effect.shift.varianceLost},
                         {"condition_shift", effect.shift.conditionShift}};
    nlohmann::json random{{"latent_variance_lost", comparisonJson(effect.random.latentVarianceLost)},
                          {"condition_shift", comparisonJson(effect.random.conditionShift)}};
    if (boost) entry["steering"] = effect.shift.steering;
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
    lesions.push_back(entry);
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
  nlohmann::json json{{"lesions", lesions},
                      {"mode", lesionManipulationName(options.manipulation)},
                      {"random_repeats", cli.randomRepeats},
                      {"match_rate", cli.matchRate},
                      {"conditions", study.conditions},
                      {"trials", binned.trialCount()},
                      {"units", binned.unitCount()},
                      {"latents", study.intactLatents.dim(2)},
                      {"seconds", seconds}};
  if (!cli.target.empty()) {
    json["target"] = cli.target;
    json["probe_folds_kind"] =
        foldsKindName(options.target->categorical() ? FoldsKind::Stratified : FoldsKind::Contiguous);
    json["probe_rows_kind"] = probeRowsKindName(options.probe.rows);
    lines << "\n  probe: " << json["probe_folds_kind"].get<std::string>() << " folds, one row per "
          << (options.probe.rows == ProbeRowsKind::Trials ? "trial" : "bin");
  }
  if (options.target && !options.target->categorical()) {
    // behavior_rows_dropped as the binning conventions define it: rows of NaN behaviour.
    if (cli.target.rfind(behaviorPrefix, 0) == 0)
      json["behavior_rows_dropped"] = behaviorRowsMissing(options.target->numeric);
  }
  reporter.result(json, lines.str(), cli.out);
  return kSuccess;
}

}  // namespace

void addLesionCommand(CLI::App& root, CommandList& commands) {
  auto options = std::make_shared<LesionCliOptions>();
  auto* command = root.add_subcommand(kLesionSummary.name, kLesionSummary.help);
  addCommonOptions(*command, options->common);
  addBinningOptions(*command, options->binning);
  command->add_option("FILE", options->file, "NWB recording")->required();
  command->add_option("--model", options->model, "TorchScript model file")->required();
  addSessionOption(*command, options->session);
  auto* lesion = command->add_option("--lesion", options->lesion,
                                     "One lesion: unit ids (comma-separated) or COLUMN=VALUE of the units table "
                                     "(label: this text)");
  auto* perType = command->add_option("--per-type", options->perType,
                                      "One lesion per value of this units-table column (label: the value)");
  lesion->excludes(perType);
  command
      ->add_option("--mode", options->mode,
                   "zero, mean (each unit's mean count per bin), shuffle (permuted across trials within each bin; "
                   "continuous: circular shift >= 10 s per unit) or boost:F (counts x F, adds steering) (default mean)")
      ->check([](const std::string& text) {
        try {
          (void)parseLesionManipulation(text);
        } catch (const InputError& e) {
          return std::string(e.what());
        }
        return std::string();
      });
  command->add_option("--target", options->target,
                      "behavior:NAME or trials:COLUMN: adds the probe R2 from the latents before and after "
                      "(accuracy for a text column)");
  command->add_option("--lag-ms", options->lagMs, "Probe: take the target this many ms after the latents");
  command
      ->add_option("--folds", options->folds,
                   "Probe: folds, outer and inner (default 5): contiguous for a numeric target, stratified over "
                   "whole trials for a text one")
      ->check(CLI::Range(2, 1000));
  command
      ->add_option("--rows", options->rows,
                   "Probe: bins (one row per trial and bin, default) or trials (one row per trial, latents averaged "
                   "over the window)")
      ->check(CLI::IsMember({"bins", "trials"}));
  command
      ->add_option("--alphas", options->alphas,
                   "Probe: penalties to choose from, comma-separated (default logspace(-4, 4, 17)); one value skips "
                   "the inner search (a text target's logistic probe is slow)")
      ->delimiter(',');
  command
      ->add_option("--random-repeats", options->randomRepeats,
                   "Random lesions of the same size, from the other units, per lesion (default 100)")
      ->check(CLI::Range(1, 1000000));
  command->add_flag("--match-rate", options->matchRate,
                    "Match each randomly drawn unit to a selected one by firing rate (among the 5 closest)");
  auto* condition = command->add_option(
      "--condition", options->condition,
      "Trials column of the conditions for condition_shift (default condition; without it, or for a continuous "
      "recording, all trials form one group and the shift is measured against the spread of the mean trajectory "
      "over time)");
  command->add_option("--out", options->out,
                      "HDF5 results file (/intact_latents, /lesioned_latents, /effects table, /random nulls)");
  commands.push_back({command, [options, condition] {
                        options->conditionGiven = condition->count() > 0;
                        return runLesionCommand(*options);
                      }});
}

}  // namespace neurolens::cli
