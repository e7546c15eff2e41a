// `lesion --model M FILE`: in-silico lesions. The selected units' counts are
// manipulated (zero, mean, shuffle, boost:F), the model runs again, and every
// effect on its latents (variance lost, condition shift, probe R2, bits per spike)
// is set against random lesions of the same size drawn from the other units
// (../shared/spec/cli.md "lesion", docs/lesion.md).
// The study itself (reading, selection, conditions, runLesionStudy, JSON) is neurolens/app/lesion_study.h,
// shared with `figure --view lesion` and the GUI's Lesion panel; this file adds the options and /out.
#include <algorithm>
#include <map>
#include <memory>

#include "cli_common.h"
#include "command_summaries.h"
#include "commands.h"
#include "model_cli.h"
#include "neurolens/app/lesion_study.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/lesion.h"
#include "neurolens/io/results_store.h"

namespace neurolens::cli {
namespace {

struct LesionCliOptions {
  CommonOptions common;
  BinningCliOptions binning;
  std::string out;
  app::LesionStudySpec spec;
};

FloatArray rowsToArray(const std::vector<std::vector<double>>& rows, std::size_t width) {
  FloatArray array({rows.size(), width});
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < width && c < rows[r].size(); ++c)
      array.values()[r * width + c] = static_cast<float>(rows[r][c]);
  return array;
}

void writeResults(io::ResultsWriter& writer, const app::LesionStudyResult& result) {
  const app::LesionStudySpec& cli = result.spec;
  const BinnedRecording& binned = result.binned;
  const LesionStudy& study = result.study;
  const bool boost = result.boost();
  const std::string probeKey = result.probeKey();
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
  writer.writeAttribute("/", "seed", static_cast<double>(cli.seed));
  writer.writeAttribute("/", "bin_ms", binned.binMs);
  if (!cli.target.empty()) writer.writeAttribute("/", "target", cli.target);
}

int runLesionCommand(LesionCliOptions cli) {
  Reporter reporter(cli.common);
  if (cli.spec.lesion.empty() == cli.spec.perType.empty())
    throw UsageError(cli.spec.lesion.empty() ? "lesion: give --lesion LIST|COLUMN=VALUE or --per-type COLUMN"
                                             : "lesion: --lesion and --per-type exclude each other");
  // The model's bin size from its metadata alone: the study loads the model once (lesion_study.h).
  cli.spec.binning = toBinningOptions(cli.binning, declaredBinMsOfFile(cli.spec.model, "--model"));
  cli.spec.device = parseDeviceChoice(cli.common.device);
  cli.spec.seed = cli.common.seed.value_or(0);
  std::unique_ptr<io::ResultsWriter> writer;
  if (!cli.out.empty()) writer = std::make_unique<io::ResultsWriter>(cli.out);

  const app::LesionStudyResult result = app::runLesionStudyFor(
      cli.spec, reporter.progress(), [&reporter](const std::string& note) { reporter.warn(note); });
  reporter.finishProgress();
  if (writer) {
    writeResults(*writer, result);
    writer->commit();
  }
  reporter.result(app::lesionStudyJson(result), app::lesionStudyText(result), cli.out);
  return kSuccess;
}

}  // namespace

void addLesionCommand(CLI::App& root, CommandList& commands) {
  auto options = std::make_shared<LesionCliOptions>();
  auto* command = root.add_subcommand(kLesionSummary.name, kLesionSummary.help);
  addCommonOptions(*command, options->common);
  addBinningOptions(*command, options->binning);
  command->add_option("FILE", options->spec.file, "NWB recording")->required();
  command->add_option("--model", options->spec.model, "TorchScript model file")->required();
  addSessionOption(*command, options->spec.session);
  auto* lesion = command->add_option("--lesion", options->spec.lesion,
                                     "One lesion: unit ids (comma-separated) or COLUMN=VALUE of the units table "
                                     "(label: this text)");
  auto* perType = command->add_option("--per-type", options->spec.perType,
                                      "One lesion per value of this units-table column (label: the value)");
  lesion->excludes(perType);
  command
      ->add_option("--mode", options->spec.mode,
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
  command->add_option("--target", options->spec.target,
                      "behavior:NAME or trials:COLUMN: adds the probe R2 from the latents before and after "
                      "(accuracy for a text column)");
  command->add_option("--lag-ms", options->spec.lagMs, "Probe: take the target this many ms after the latents");
  command
      ->add_option("--folds", options->spec.folds,
                   "Probe: folds, outer and inner (default 5): contiguous for a numeric target, stratified over "
                   "whole trials for a text one")
      ->check(CLI::Range(2, 1000));
  command
      ->add_option("--rows", options->spec.rows,
                   "Probe: bins (one row per trial and bin, default) or trials (one row per trial, latents averaged "
                   "over the window)")
      ->check(CLI::IsMember({"bins", "trials"}));
  command
      ->add_option("--alphas", options->spec.alphas,
                   "Probe: penalties to choose from, comma-separated (default logspace(-4, 4, 17)); one value skips "
                   "the inner search (a text target's logistic probe is slow)")
      ->delimiter(',');
  command
      ->add_option("--random-repeats", options->spec.randomRepeats,
                   "Random lesions of the same size, from the other units, per lesion (default 100)")
      ->check(CLI::Range(1, 1000000));
  command->add_flag("--match-rate", options->spec.matchRate,
                    "Match each randomly drawn unit to a selected one by firing rate (among the 5 closest)");
  auto* condition = command->add_option(
      "--condition", options->spec.condition,
      "Trials column of the conditions for condition_shift (default condition; without it, or for a continuous "
      "recording, all trials form one group and the shift is measured against the spread of the mean trajectory "
      "over time)");
  command->add_option("--out", options->out,
                      "HDF5 results file (/intact_latents, /lesioned_latents, /effects table, /random nulls)");
  commands.push_back({command, [options, condition] {
                        options->spec.conditionGiven = condition->count() > 0;
                        return runLesionCommand(*options);
                      }});
}

}  // namespace neurolens::cli
