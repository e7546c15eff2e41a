// `infer --model M FILE`: the model's latents (and rates when it gives them) for
// every trial of a recording, written to --out through the results store.
// --stream-ms S: over windows of S ms widened by the model's receptive field (stream_cli.h).
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli_common.h"
#include "command_summaries.h"
#include "commands.h"
#include "model_cli.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/model.h"
#include "neurolens/core/streaming.h"
#include "neurolens/io/recording_reader.h"
#include "neurolens/io/results_store.h"
#include "stream_cli.h"

namespace neurolens::cli {
namespace {

struct InferCliOptions {
  CommonOptions common;
  BinningCliOptions binning;
  StreamCliOptions stream;
  std::string model;
  std::string session;
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

  Model model = Model::load(options.model);
  Progress progress = reporter.progress();
  const BinnedRecording binned =
      readBinnedRecording(options.file, toBinningOptions(options.binning), progress.sub(0.0, 0.2));
  model = bindModel(model, binned, options.session);

  RunReport run;
  std::optional<StreamSetup> stream;
  ModelOutputs outputs;
  const auto started = std::chrono::steady_clock::now();
  if (options.stream.streamMs) {
    if (binned.trialCount() == 0 || binned.binCount() == 0 || binned.unitCount() == 0)
      throw InputError("recording '" + options.file + "' gives no counts to run the model on");
    stream = planStream(options.stream, model, binned, device, progress.sub(0.2, 0.3), reporter);
    reporter.finishProgress();
    StreamInferOptions streamOptions;
    streamOptions.infer.device = device;
    outputs = inferStreamed(model, binned.counts, stream->windows, streamOptions, progress.sub(0.3, 1.0), &run);
  } else {
    model.checkAgainst(binned);
    outputs = model.infer(binned.counts, device, progress.sub(0.2, 1.0), &run);
  }
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
    if (stream) {
      writer->writeAttribute("/", "stream_window_bins", static_cast<double>(stream->windowBins));
      writer->writeAttribute("/", "stream_context_bins",
                             std::to_string(stream->field.before) + ":" + std::to_string(stream->field.after));
      writer->writeAttribute("/", "stream_receptive_field_source", stream->field.source);
    }
    writer->commit();
  }

  const std::size_t latents = outputs.latents.dim(2);
  std::ostringstream line;
  line << options.model << " on " << options.file << ": " << binned.trialCount() << " trials x " << binned.binCount()
       << " bins -> " << latents << " latents" << (outputs.rates ? " + rates" : "") << " in " << seconds << " s on "
       << deviceName(run.device);
  if (stream) line << ", streamed in " << stream->windows.size() << " windows";
  nlohmann::json json{{"latents", latents},
                      {"seconds", seconds},
                      {"trials", binned.trialCount()},
                      {"bins", binned.binCount()},
                      {"units", binned.unitCount()},
                      {"rates", outputs.rates.has_value()},
                      {"device", deviceName(run.device)},
                      {"chunk_trials", run.chunkTrials},
                      {"peak_rss_mb", peakRssMb()},
                      {"session", sessionJson(model)}};
  if (stream) json["stream"] = streamJson(*stream);
  reporter.result(json, line.str(), options.out);
  return kSuccess;
}

// SIGINT / SIGTERM stop the run between chunks; the writer's temporary file is gone by the time this prints.
int runInferInterruptible(const InferCliOptions& options) {
  const InterruptScope interrupts;
  try {
    return runInfer(options);
  } catch (const Cancelled&) {
    const int signal = InterruptScope::received();
    if (signal == 0) throw;
    std::cerr << "error: interrupted by " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
              << " before the model had run over the whole recording; nothing was written"
              << (options.out.empty() ? std::string() : " to " + options.out) << std::endl;
    return kCancelled;
  }
}

}  // namespace

void addInferCommand(CLI::App& root, CommandList& commands) {
  auto options = std::make_shared<InferCliOptions>();
  auto* command = root.add_subcommand(kInferSummary.name, kInferSummary.help);
  addCommonOptions(*command, options->common);
  addBinningOptions(*command, options->binning);
  addStreamOptions(*command, options->stream);
  command->add_option("--model", options->model, "TorchScript model file (see docs/models.md)")->required();
  addSessionOption(*command, options->session);
  command->add_option("--out", options->out, "HDF5 results file (/latents, /rates, /unit_ids, /trial_ids)");
  command->add_option("FILE", options->file, "NWB recording")->required();
  commands.push_back({command, [options] { return runInferInterruptible(*options); }});
}

}  // namespace neurolens::cli
