// `infer --model M FILE`: the model's latents (and rates when it gives them) for
// every trial of a recording, written to --out through the results store.
#include <chrono>
#include <memory>
#include <sstream>

#include "cli_common.h"
#include "command_summaries.h"
#include "commands.h"
#include "neurolens/core/model.h"
#include "neurolens/io/recording_reader.h"
#include "neurolens/io/results_store.h"

namespace neurolens::cli {
namespace {

struct InferCliOptions {
  CommonOptions common;
  BinningCliOptions binning;
  std::string model;
  std::string file;
  std::string out;
};

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += (text.empty() ? "" : "; ") + line;
  return text;
}

int runInfer(const InferCliOptions& options) {
  Reporter reporter(options.common);
  const DeviceChoice device = parseDeviceChoice(options.common.device);
  // Opened first so a bad --out is reported before any work; it appears only on success.
  std::unique_ptr<io::ResultsWriter> writer;
  if (!options.out.empty()) writer = std::make_unique<io::ResultsWriter>(options.out);

  const Model model = Model::load(options.model);
  Progress progress = reporter.progress();
  const BinnedRecording binned =
      readBinnedRecording(options.file, toBinningOptions(options.binning), progress.sub(0.0, 0.2));
  model.checkAgainst(binned);

  RunReport run;
  const auto started = std::chrono::steady_clock::now();
  const ModelOutputs outputs = model.infer(binned.counts, device, progress.sub(0.2, 1.0), &run);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  reporter.finishProgress();
  for (const auto& note : run.notes) reporter.warn(note);

  if (writer) {
    writer->writeArray("/latents", outputs.latents);
    writer->writeAttribute("/latents", "axes", "trials, bins, latents");
    if (outputs.rates) {
      writer->writeArray("/rates", *outputs.rates);
      writer->writeAttribute("/rates", "axes", "trials, bins, units");
      writer->writeAttribute("/rates", "meaning", "expected spike count per bin");
    }
    writer->writeInt64s("/unit_ids", binned.unitIds);
    writer->writeInt64s("/trial_ids", binned.trialIds);
    writer->writeDoubles("/bin_start_s", binned.binStartS);
    writer->writeAttribute("/", "command", "infer");
    writer->writeAttribute("/", "source", options.file);
    writer->writeAttribute("/", "model", options.model);
    writer->writeAttribute("/", "bin_ms", binned.binMs);
    writer->writeAttribute("/", "device", deviceName(run.device));
    if (!run.notes.empty()) writer->writeAttribute("/", "notes", joined(run.notes));
    writer->commit();
  }

  const std::size_t latents = outputs.latents.dim(2);
  std::ostringstream line;
  line << options.model << " on " << options.file << ": " << binned.trialCount() << " trials x " << binned.binCount()
       << " bins -> " << latents << " latents" << (outputs.rates ? " + rates" : "") << " in " << seconds << " s on "
       << deviceName(run.device);
  reporter.result({{"latents", latents},
                   {"seconds", seconds},
                   {"trials", binned.trialCount()},
                   {"bins", binned.binCount()},
                   {"units", binned.unitCount()},
                   {"rates", outputs.rates.has_value()},
                   {"device", deviceName(run.device)},
                   {"chunk_trials", run.chunkTrials}},
                  line.str(), options.out);
  return kSuccess;
}

}  // namespace

void addInferCommand(CLI::App& root, CommandList& commands) {
  auto options = std::make_shared<InferCliOptions>();
  auto* command = root.add_subcommand(kInferSummary.name, kInferSummary.help);
  addCommonOptions(*command, options->common);
  addBinningOptions(*command, options->binning);
  command->add_option("--model", options->model, "TorchScript model file (see docs/models.md)")->required();
  command->add_option("--out", options->out, "HDF5 results file (/latents, /rates, /unit_ids, /trial_ids)");
  command->add_option("FILE", options->file, "NWB recording")->required();
  commands.push_back({command, [options] { return runInfer(*options); }});
}

}  // namespace neurolens::cli
