// `evaluate --model M FILE`: how well the model's rates explain the recording's
// spikes, as the Neural Latents Benchmark scores it (bits per spike; PSTH R2
// per condition with --condition COLUMN).
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "command_summaries.h"
#include "commands.h"
#include "model_cli.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/metrics.h"
#include "neurolens/core/model.h"
#include "neurolens/io/recording_reader.h"

namespace neurolens::cli {
namespace {

struct EvaluateCliOptions {
  CommonOptions common;
  BinningCliOptions binning;
  std::string model;
  std::string session;
  std::string file;
  std::string condition;
};

std::vector<std::string> conditionLabels(const BinnedRecording& binned, const std::string& column,
                                         const std::string& file) {
  const Column* found = binned.trials.find(column);
  if (!found || binned.trials.rows() != binned.trialCount()) {
    std::string known;
    for (const auto& name : binned.trials.columnNames()) known += (known.empty() ? "" : ", ") + name;
    throw InputError("--condition " + column + ": the trials table of '" + file + "' has no such column" +
                     (known.empty() ? std::string(" (it has no trials table)") : " (columns: " + known + ")"));
  }
  std::vector<std::string> labels;
  for (std::size_t t = 0; t < binned.trialCount(); ++t) labels.push_back(found->cellText(t));
  return labels;
}

int runEvaluate(const EvaluateCliOptions& options) {
  Reporter reporter(options.common);
  const DeviceChoice device = parseDeviceChoice(options.common.device);
  Model model = Model::load(options.model);
  Progress progress = reporter.progress();
  const BinnedRecording binned = readBinnedRecording(
      options.file, toBinningOptions(options.binning, {declaredBinMs(model)}), progress.sub(0.0, 0.2));
  model = bindModel(model, binned, options.session);
  model.checkAgainst(binned);
  if (!model.hasRates())
    throw InputError("model '" + options.model +
                     "' gives latents only; bits per spike and PSTH R2 need its predicted rates (return (latents, "
                     "rates) or a dict with \"rates\" or \"log_rates\")");
  // Checked before the model runs so a typo costs nothing.
  std::vector<std::string> labels;
  if (!options.condition.empty()) labels = conditionLabels(binned, options.condition, options.file);

  RunReport run;
  const ModelOutputs outputs = model.infer(binned.counts, device, progress.sub(0.2, 1.0), &run);
  reporter.finishProgress();
  for (const auto& note : run.notes) reporter.warn(note);

  const double bits = bitsPerSpike(*outputs.rates, binned.counts);
  nlohmann::json summary{{"bits_per_spike", bits},           {"trials", binned.trialCount()},
                         {"units", binned.unitCount()},      {"spikes", binned.spikesCounted},
                         {"device", deviceName(run.device)}, {"bin_ms", binned.binMs}};
  std::optional<PsthR2> psth;
  if (!labels.empty()) {
    psth = psthR2(*outputs.rates, binned.counts, labels);
    summary["psth_r2"] = psth->mean;
    summary["conditions"] = psth->conditions.size();
  }
  if (options.common.json) {
    reporter.summary(summary);
  } else {
    std::cout << options.model << " on " << options.file << " (" << binned.trialCount() << " trials, "
              << binned.unitCount() << " units):\n  bits per spike  " << bits << '\n';
    if (psth)
      std::cout << "  PSTH R2         " << psth->mean << "  (" << psth->conditions.size() << " conditions of "
                << options.condition << ")\n";
  }
  return kSuccess;
}

}  // namespace

void addEvaluateCommand(CLI::App& root, CommandList& commands) {
  auto options = std::make_shared<EvaluateCliOptions>();
  auto* command = root.add_subcommand(kEvaluateSummary.name, kEvaluateSummary.help);
  addCommonOptions(*command, options->common);
  addBinningOptions(*command, options->binning);
  command->add_option("--model", options->model, "TorchScript model file that gives rates")->required();
  addSessionOption(*command, options->session);
  command->add_option("--condition", options->condition,
                      "Trials column that labels conditions: adds psth_r2 (condition-averaged rates vs counts)");
  command->add_option("FILE", options->file, "NWB recording")->required();
  commands.push_back({command, [options] { return runEvaluate(*options); }});
}

}  // namespace neurolens::cli
