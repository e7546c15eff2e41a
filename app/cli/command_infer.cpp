// `infer --model M FILE`: the model's latents (and rates when it gives them) for
// every trial of a recording, written to --out through the results store.
// --stream-ms S: over windows of S ms widened by the model's receptive field (stream_cli.h); on a continuous
// NWB recording the counts are binned window by window from the file and the outputs written window by window.
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <new>
#include <optional>
#include <sstream>

#include "cli_common.h"
#include "command_summaries.h"
#include "commands.h"
#include "model_cli.h"
#include "neurolens/app/crash_report.h"
#include "neurolens/app/recording_source.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/model.h"
#include "neurolens/core/streaming.h"
#include "neurolens/io/recording_reader.h"
#include "neurolens/io/results_store.h"
#include "neurolens/plugins/plugin_manager.h"
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

// --stream-ms on a continuous NWB recording: the counts binned window by window from the file and the outputs
// written window by window into chunked datasets, so neither sits in memory whole (issue 20 step 5). nullptr
// where the recording is read whole (a plugin's format, trials, spike times out of order).
std::unique_ptr<io::WindowedCounts> openWindowed(const InferCliOptions& options, const BinningOptions& binning,
                                                 const Progress& progress) {
  if (!options.stream.streamMs) return nullptr;
  {
    const app::RecordingSource source;
    if (source.plugins().readerFor(options.file) != nullptr) return nullptr;
  }
  const app::ReadingFile reading(options.file);  // bounded as every read of a recording (recording_source.cpp)
  try {
    return io::WindowedCounts::open(options.file, binning, progress);
  } catch (const std::bad_alloc&) {
    if (!reading.limited()) throw;
    throw InputError(reading.outOfMemory());
  }
}

// The rows of one window's own outputs [own bins, width] as a block [1, own bins, width] of a dataset.
FloatArray asBlock(const FloatArray& own) { return FloatArray({1, own.dim(0), own.dim(1)}, own.values()); }

int runInfer(const InferCliOptions& options) {
  Reporter reporter(options.common);
  const DeviceChoice device = parseDeviceChoice(options.common.device);
  // Opened first so a bad --out is reported before any work; it appears only on success.
  std::unique_ptr<io::ResultsWriter> writer;
  if (!options.out.empty()) writer = std::make_unique<io::ResultsWriter>(options.out);

  Model model = Model::load(options.model);
  const BinningOptions binning = toBinningOptions(options.binning, {declaredBinMs(model)});
  Progress progress = reporter.progress();
  const std::unique_ptr<io::WindowedCounts> windowed = openWindowed(options, binning, progress.sub(0.0, 0.2));
  const BinnedRecording binned =
      windowed ? BinnedRecording{} : readBinnedRecording(options.file, binning, progress.sub(0.0, 0.2));
  const BinnedRecording& recording = windowed ? windowed->binned() : binned;
  const CountsShape shape = windowed ? CountsShape{windowed->trials(), windowed->bins(), windowed->units()}
                                     : CountsShape{binned.trialCount(), binned.binCount(), binned.unitCount()};
  model = bindModel(model, recording, options.session);

  RunReport run;
  std::optional<StreamSetup> stream;
  ModelOutputs outputs;
  std::size_t latents = 0;
  bool rates = false;
  const auto started = std::chrono::steady_clock::now();
  if (options.stream.streamMs) {
    if (shape.trials == 0 || shape.bins == 0 || shape.units == 0)
      throw InputError("recording '" + options.file + "' gives no counts to run the model on");
    StreamInferOptions streamOptions;
    streamOptions.infer.device = device;
    if (windowed) {
      const CountsReader read = [&](std::size_t trial, std::size_t begin, std::size_t end) {
        return windowed->read(trial, begin, end);
      };
      stream = planStream(options.stream, model, recording, shape, read, device, progress.sub(0.2, 0.3), reporter);
      reporter.finishProgress();
      std::optional<io::ResultsWriter::Stream> latentStream;
      std::optional<io::ResultsWriter::Stream> rateStream;
      constexpr std::size_t kChunkBins = 8192;
      const StreamOutputSink sink = [&](const StreamWindow& window, const ModelOutputs& own) {
        latents = own.latents.dim(1);
        rates = own.rates.has_value();
        if (!writer) return;
        if (!latentStream)
          latentStream =
              writer->createStream("/latents", {shape.trials, shape.bins, latents}, {1, kChunkBins, latents});
        latentStream->writeBlock({window.trial, window.ownBegin, 0}, asBlock(own.latents));
        if (own.rates) {
          if (!rateStream)
            rateStream = writer->createStream("/rates", {shape.trials, shape.bins, own.rates->dim(1)},
                                              {1, kChunkBins, std::min<std::size_t>(own.rates->dim(1), 32)});
          rateStream->writeBlock({window.trial, window.ownBegin, 0}, asBlock(*own.rates));
        }
      };
      inferStreamed(model, shape, read, stream->windows, streamOptions, sink, progress.sub(0.3, 1.0), &run);
    } else {
      stream = planStream(options.stream, model, binned, device, progress.sub(0.2, 0.3), reporter);
      reporter.finishProgress();
      outputs = inferStreamed(model, binned.counts, stream->windows, streamOptions, progress.sub(0.3, 1.0), &run);
    }
  } else {
    model.checkAgainst(binned);
    outputs = model.infer(binned.counts, device, progress.sub(0.2, 1.0), &run);
  }
  if (!windowed) {
    latents = outputs.latents.dim(2);
    rates = outputs.rates.has_value();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  reporter.finishProgress();
  for (const auto& note : run.notes) reporter.warn(note);

  if (writer) {
    if (!windowed) {
      writer->writeArray("/latents", outputs.latents);
      if (outputs.rates) writer->writeArray("/rates", *outputs.rates);
    }
    writer->writeAttribute("/latents", "axes", "trials, bins, latents");
    if (rates) {
      writer->writeAttribute("/rates", "axes", "trials, bins, units");
      writer->writeAttribute("/rates", "meaning", "expected spike count per bin");
    }
    writer->writeInt64s("/unit_ids", recording.unitIds);
    writer->writeInt64s("/trial_ids", recording.trialIds);
    writer->writeDoubles("/bin_start_s", recording.binStartS);
    writer->writeAttribute("/", "command", "infer");
    writer->writeAttribute("/", "source", options.file);
    writer->writeAttribute("/", "model", options.model);
    writer->writeAttribute("/", "bin_ms", recording.binMs);
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

  std::ostringstream line;
  line << options.model << " on " << options.file << ": " << shape.trials << " trials x " << shape.bins << " bins -> "
       << latents << " latents" << (rates ? " + rates" : "") << " in " << seconds << " s on " << deviceName(run.device);
  if (stream) line << ", streamed in " << stream->windows.size() << " windows" << (windowed ? " from the file" : "");
  nlohmann::json json{{"latents", latents},
                      {"seconds", seconds},
                      {"trials", shape.trials},
                      {"bins", shape.bins},
                      {"units", shape.units},
                      {"bin_ms", recording.binMs},
                      {"rates", rates},
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
