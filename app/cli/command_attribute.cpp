// `attribute --model M FILE`: attribution of each latent (summed over the target
// bins) to every input (bin, unit), for every trial. Attributions are streamed
// into --out chunk by chunk (/attributions [trials, latents, bins, units]), so a
// whole recording's attributions never sit in memory at once.
// --stream-ms S: per window of S ms, the attribution of each latent summed over the window's own bins to
// the inputs of the window widened by the model's receptive field (stream_cli.h, docs/attribution.md).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "cli_common.h"
#include "command_summaries.h"
#include "commands.h"
#include "model_cli.h"
#include "neurolens/core/attribution.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/model.h"
#include "neurolens/io/recording_reader.h"
#include "neurolens/io/results_store.h"
#include "neurolens/plugins/plugin_manager.h"
#include "stream_cli.h"

namespace neurolens::cli {
namespace {

struct AttributeCliOptions {
  CommonOptions common;
  BinningCliOptions binning;
  StreamCliOptions stream;
  std::string model;
  std::string session;
  std::string file;
  std::string out;
  std::string method = "integrated_gradients";
  std::string steps = "50";  // N, or auto (with tolerance and maxSteps)
  double tolerance = 0.01;
  int maxSteps = 1024;
  std::string integration = "gausslegendre";
  std::string baseline = "zero";
  std::string targets = "all";
  std::string targetWindow;
  std::string precision = "fp32";
  int smoothGradSamples = 25;
  double smoothGradNoise = 0.15;
  std::vector<std::string> methodParams;  // KEY=VALUE for plugin methods
};

std::vector<std::int64_t> parseTargets(const std::string& text) {
  std::vector<std::int64_t> targets;
  if (text == "all") return targets;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    try {
      std::size_t used = 0;
      const long long value = std::stoll(item, &used);
      if (used != item.size() || item.empty()) throw std::invalid_argument(item);
      targets.push_back(value);
    } catch (const std::logic_error&) {
      throw InputError("--targets '" + text +
                       "' is not 'all' or a comma-separated list of latent indices (e.g. 0,2,5)");
    }
    start = comma + 1;
  }
  return targets;
}

// --target-window START:END (ms, relative to the align time like --window): the
// bins lying wholly inside it.
std::pair<std::size_t, std::size_t> targetBins(const std::string& text, const BinningOptions& binning,
                                               std::size_t bins) {
  const auto [start, end] = parseMsRange(text, "--target-window");
  const double origin = binning.windowStartMs.value_or(0.0);
  const double binMs = binning.binMs;
  constexpr double kSlack = 1e-9;  // 0:400 with 20 ms bins is 20 bins, whatever the rounding
  const double first = std::ceil((start - origin) / binMs - kSlack);
  const double last = std::floor((end - origin) / binMs + kSlack);
  const double trialEndMs = origin + binMs * static_cast<double>(bins);
  if (first < 0.0 || last > static_cast<double>(bins))
    throw InputError("--target-window " + text + " ms reaches outside the binned trials, which span " +
                     nlohmann::json(origin).dump() + ":" + nlohmann::json(trialEndMs).dump() +
                     " ms from the align time");
  if (last <= first)
    throw InputError("--target-window " + text + " ms holds no whole " + nlohmann::json(binMs).dump() + " ms bin");
  return {static_cast<std::size_t>(first), static_cast<std::size_t>(last)};
}

const std::vector<std::string> kBuiltinMethods{"saliency", "input_x_gradient", "integrated_gradients", "smoothgrad"};

std::map<std::string, std::string> parseMethodParams(const std::vector<std::string>& items) {
  std::map<std::string, std::string> params;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw InputError("--method-param '" + item + "' is not KEY=VALUE");
    params[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return params;
}

// An attribution method from a plugin (e.g. occlusion): the plugin sees the model
// only as counts -> latents, through the SDK. Results are written like the
// built-in methods'; delta_f and completeness are reported for comparison.
int runPluginAttribute(const AttributeCliOptions& cli, const plugins::AttributionMethodPlugin& method) {
  const auto started = std::chrono::steady_clock::now();
  Reporter reporter(cli.common);
  const DeviceChoice device = parseDeviceChoice(cli.common.device);
  Model model = Model::load(cli.model);
  const BinningOptions binning = toBinningOptions(cli.binning, {declaredBinMs(model)});
  std::unique_ptr<io::ResultsWriter> writer;
  if (!cli.out.empty()) writer = std::make_unique<io::ResultsWriter>(cli.out);
  const Progress progress = reporter.progress();
  const BinnedRecording binned = readBinnedRecording(cli.file, binning, progress.sub(0.0, 0.1));
  model = bindModel(model, binned, cli.session);
  model.checkAgainst(binned);
  const std::size_t trials = binned.trialCount(), bins = binned.binCount(), units = binned.unitCount();

  plugins::AttributionRequest request;
  request.counts = &binned.counts;
  FloatArray baseline({bins, units}, 0.0F);
  if (cli.baseline == "mean") {
    for (std::size_t u = 0; u < units; ++u) {
      double sum = 0.0;
      for (std::size_t t = 0; t < trials; ++t)
        for (std::size_t b = 0; b < bins; ++b) sum += binned.counts(t, b, u);
      const auto mean = static_cast<float>(sum / static_cast<double>(trials * bins));
      for (std::size_t b = 0; b < bins; ++b) baseline.data()[b * units + u] = mean;
    }
  }
  request.baseline = &baseline;
  request.targets = parseTargets(cli.targets);
  if (request.targets.empty())
    for (std::int64_t d = 0; d < model.latentCount(); ++d) request.targets.push_back(d);
  for (auto d : request.targets)
    if (d < 0 || d >= model.latentCount())
      throw InputError("--targets: latent " + std::to_string(d) + " does not exist (the model has " +
                       std::to_string(model.latentCount()) + " latents)");
  const auto window =
      cli.targetWindow.empty() ? std::make_pair(std::size_t{0}, bins) : targetBins(cli.targetWindow, binning, bins);
  request.targetBinBegin = window.first;
  request.targetBinEnd = window.second;
  request.seed = cli.common.seed.value_or(0);
  request.parameters = parseMethodParams(cli.methodParams);

  const plugins::LatentFunction latents = [&model, device](const FloatArray& x) {
    return model.infer(x, device).latents;
  };
  const FloatArray attributions = method.attribute(latents, request, progress.sub(0.1, 0.95));
  const std::size_t targetCount = request.targets.size();
  if (attributions.shape() != std::vector<std::size_t>{trials, targetCount, bins, units})
    throw ComputeError("attribution plugin '" + method.methodName() + "' returned an array of the wrong shape");

  // F(x) - F(baseline) per trial and target, and how far the attributions' sum is from it.
  FloatArray baselineBatch({trials, bins, units});
  for (std::size_t t = 0; t < trials; ++t)
    std::copy(baseline.values().begin(), baseline.values().end(),
              baselineBatch.values().begin() + static_cast<std::ptrdiff_t>(t * bins * units));
  const FloatArray fx = latents(binned.counts);
  const FloatArray fb = latents(baselineBatch);
  FloatArray deltaF({trials, targetCount});
  FloatArray completeness({trials, targetCount});
  for (std::size_t t = 0; t < trials; ++t)
    for (std::size_t k = 0; k < targetCount; ++k) {
      const auto d = static_cast<std::size_t>(request.targets[k]);
      double delta = 0.0;
      for (std::size_t b = window.first; b < window.second; ++b) delta += fx(t, b, d) - fb(t, b, d);
      double sum = 0.0;
      const float* a = attributions.data() + (t * targetCount + k) * bins * units;
      for (std::size_t i = 0; i < bins * units; ++i) sum += a[i];
      deltaF.data()[t * targetCount + k] = static_cast<float>(delta);
      completeness.data()[t * targetCount + k] = static_cast<float>(sum - delta);
    }
  reporter.finishProgress();
  if (writer) {
    writer->writeArray("/attributions", attributions);
    writer->writeArray("/delta_f", deltaF);
    writer->writeArray("/completeness", completeness);
    writer->writeInt64s("/targets", request.targets);
    writer->writeInt64s("/unit_ids", binned.unitIds);
    writer->writeInt64s("/trial_ids", binned.trialIds);
    writer->writeAttribute("/", "command", "attribute");
    writer->writeAttribute("/", "source", cli.file);
    writer->writeAttribute("/", "model", cli.model);
    writer->writeAttribute("/", "method", method.methodName());
    writer->writeAttribute("/", "plugin", method.info().name + " " + method.info().version);
    writer->writeAttribute("/", "baseline", cli.baseline);
    writer->writeAttribute("/", "bin_ms", binned.binMs);
    writer->writeAttribute("/", "target_bins", std::to_string(window.first) + ":" + std::to_string(window.second));
    writer->writeAttribute("/attributions", "axes", "trials, latents (see /targets), bins, units");
    writer->commit();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::ostringstream line;
  line << cli.file << ": " << method.methodName() << " (plugin) for " << targetCount << " latents over " << trials
       << " trials in " << seconds << " s";
  reporter.result({{"method", method.methodName()},
                   {"steps", 1},
                   {"max_rel_completeness", nullptr},
                   {"seconds", seconds},
                   {"plugin", method.info().name},
                   {"session", sessionJson(model)},
                   {"bin_ms", binned.binMs}},
                  line.str(), cli.out);
  return kSuccess;
}

// --stream-ms: windows of the recording as the rows ("trials") of the output, each window's attributions in a
// frame of before + window + after bins (zeros where the frame reaches past a trial's ends).
// Gathers attribute()'s chunks: attributions streamed into /attributions (when writing), per-row delta F,
// completeness and steps kept for the summary. Rows are trials, or windows when streamed.
struct ChunkCollector {
  ChunkCollector(io::ResultsWriter* writer, const std::vector<std::size_t>& shape)
      : deltaF({shape.at(0), shape.at(1)}), completeness({shape.at(0), shape.at(1)}), stepsUsed(shape.at(0), 0) {
    if (writer != nullptr) stream = writer->createStream("/attributions", shape);
  }
  [[nodiscard]] auto sink() {
    return [this](const AttributionChunk& chunk) {
      if (stream) stream->write(chunk.firstTrial, chunk.attributions);
      const std::size_t offset = chunk.firstTrial * deltaF.dim(1);
      std::copy(chunk.deltaF.values().begin(), chunk.deltaF.values().end(),
                deltaF.values().begin() + static_cast<std::ptrdiff_t>(offset));
      std::copy(chunk.completeness.values().begin(), chunk.completeness.values().end(),
                completeness.values().begin() + static_cast<std::ptrdiff_t>(offset));
      for (std::size_t i = 0; i < chunk.stepsUsed.size(); ++i) stepsUsed[chunk.firstTrial + i] = chunk.stepsUsed[i];
    };
  }
  std::optional<io::ResultsWriter::Stream> stream;
  FloatArray deltaF;
  FloatArray completeness;
  std::vector<std::int64_t> stepsUsed;
};

// What every attribution results file records of how it was made (streamed or not).
void writeProvenance(io::ResultsWriter& writer, const AttributeCliOptions& cli, const AttributionOptions& options,
                     int steps, const AttributionSummary& summary, const BinnedRecording& binned, const Model& model) {
  writer.writeInt64s("/unit_ids", binned.unitIds);
  writer.writeInt64s("/trial_ids", binned.trialIds);
  writer.writeAttribute("/", "command", "attribute");
  writer.writeAttribute("/", "source", cli.file);
  writer.writeAttribute("/", "model", cli.model);
  const nlohmann::json session = sessionJson(model);
  if (!session.is_null()) writer.writeAttribute("/", "session", session.get<std::string>());
  writer.writeAttribute("/", "method", methodName(options.method));
  writer.writeAttribute("/", "steps", static_cast<double>(steps));
  writer.writeAttribute("/", "integration", cli.integration);
  writer.writeAttribute("/", "baseline", cli.baseline);
  writer.writeAttribute("/", "precision", cli.precision);
  writer.writeAttribute("/", "device", deviceName(summary.run.device));
  writer.writeAttribute("/", "bin_ms", binned.binMs);
}

int runStreamedAttribute(const AttributeCliOptions& cli, const AttributionOptions& options, const Model& model,
                         const BinnedRecording& binned, io::ResultsWriter* writer, Reporter& reporter,
                         const Progress& progress, std::chrono::steady_clock::time_point started) {
  const StreamSetup setup = planStream(cli.stream, model, binned, options.device, progress.sub(0.1, 0.15), reporter);
  const std::size_t windows = setup.windows.size();
  const std::size_t frameBins = setup.frameBins();
  const std::size_t units = binned.unitCount();
  const std::size_t targetCount =
      options.targets.empty() ? static_cast<std::size_t>(model.latentCount()) : options.targets.size();
  ChunkCollector collected(writer, {windows, targetCount, frameBins, units});
  const auto computing = std::chrono::steady_clock::now();
  const AttributionSummary summary =
      attributeStreamed(model, binned.counts, setup.windows, frameBins, setup.field.before, options, collected.sink(),
                        progress.sub(0.15, 1.0));
  const FloatArray& deltaF = collected.deltaF;
  const FloatArray& completeness = collected.completeness;
  const std::vector<std::int64_t>& stepsUsed = collected.stepsUsed;
  const double computeSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - computing).count();
  reporter.finishProgress();
  for (const auto& note : summary.run.notes) reporter.warn(note);

  const bool integrated = options.method == AttributionMethod::IntegratedGradients;
  const int steps = integrated                                        ? summary.maxStepsUsed
                    : options.method == AttributionMethod::SmoothGrad ? options.smoothGradSamples
                                                                      : 1;
  if (writer) {
    std::vector<std::int64_t> trial, ownBegin, ownEnd, inputBegin, inputEnd, frameBegin;
    for (const auto& w : setup.windows) {
      trial.push_back(static_cast<std::int64_t>(w.trial));
      ownBegin.push_back(static_cast<std::int64_t>(w.ownBegin));
      ownEnd.push_back(static_cast<std::int64_t>(w.ownEnd));
      inputBegin.push_back(static_cast<std::int64_t>(w.inputBegin));
      inputEnd.push_back(static_cast<std::int64_t>(w.inputEnd));
      frameBegin.push_back(static_cast<std::int64_t>(w.ownBegin) - static_cast<std::int64_t>(setup.field.before));
    }
    writer->writeArray("/delta_f", deltaF);
    writer->writeArray("/completeness", completeness);
    writer->writeInt64s("/targets", summary.targets);
    if (options.autoSteps) {
      writer->writeInt64s("/steps_used", stepsUsed);
      writer->writeAttribute("/", "tolerance", options.tolerance);
      writer->writeAttribute("/", "max_steps", static_cast<double>(options.maxSteps));
    }
    writer->writeInt64s("/windows/trial", trial);
    writer->writeInt64s("/windows/own_begin", ownBegin);
    writer->writeInt64s("/windows/own_end", ownEnd);
    writer->writeInt64s("/windows/input_begin", inputBegin);
    writer->writeInt64s("/windows/input_end", inputEnd);
    writer->writeInt64s("/windows/frame_begin", frameBegin);
    writeProvenance(*writer, cli, options, steps, summary, binned, model);
    writer->writeAttribute("/", "stream_window_bins", static_cast<double>(setup.windowBins));
    writer->writeAttribute("/", "stream_context_bins",
                           std::to_string(setup.field.before) + ":" + std::to_string(setup.field.after));
    writer->writeAttribute("/", "stream_receptive_field_source", setup.field.source);
    writer->writeAttribute("/attributions", "axes",
                           "windows, latents (see /targets), frame bins (bin frame_begin + i of the window's trial), "
                           "units");
    writer->writeAttribute("/attributions", "meaning",
                           "attribution of the latent summed over the window's own bins [own_begin, own_end) to "
                           "each input of the widened window [input_begin, input_end); zero elsewhere");
    writer->writeAttribute("/delta_f", "axes", "windows, latents");
    writer->writeAttribute("/completeness", "axes", "windows, latents");
    writer->commit();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  nlohmann::json json{{"method", methodName(options.method)},
                      {"steps", steps},
                      {"seconds", seconds},
                      {"compute_seconds", computeSeconds},
                      {"peak_rss_mb", peakRssMb()},
                      {"stream", streamJson(setup)},
                      {"session", sessionJson(model)},
                      {"bin_ms", binned.binMs}};
  json["max_rel_completeness"] = integrated ? nlohmann::json(summary.maxRelCompleteness) : nlohmann::json(nullptr);
  if (options.autoSteps) {
    json["steps_used"] = {{"min", summary.minStepsUsed}, {"max", summary.maxStepsUsed}};
    json["unconverged"] = summary.unconverged;
    json["tolerance"] = options.tolerance;
  }
  std::ostringstream line;
  line << cli.file << ": " << methodName(options.method) << " for " << targetCount << " latents over " << windows
       << " windows of " << setup.windowBins << " bins (context " << setup.field.before << "+" << setup.field.after
       << ") on " << deviceName(summary.run.device) << " in " << seconds << " s, peak memory " << peakRssMb() << " MiB";
  if (integrated) line << ", max relative completeness " << summary.maxRelCompleteness;
  reporter.result(json, line.str(), cli.out);
  return kSuccess;
}

int runAttribute(const AttributeCliOptions& cli) {
  if (std::find(kBuiltinMethods.begin(), kBuiltinMethods.end(), cli.method) == kBuiltinMethods.end()) {
    const plugins::PluginManager plugins(plugins::PluginManager::defaultFolders());
    const auto* method = plugins.attributionMethod(cli.method);
    if (method == nullptr) {
      std::string known;
      for (const auto& name : kBuiltinMethods) known += name + ", ";
      for (const auto* m : plugins.attributionMethods()) known += m->methodName() + ", ";
      throw UsageError("--method '" + cli.method + "' is unknown (known: " + known.substr(0, known.size() - 2) + ")");
    }
    if (cli.stream.streamMs)
      throw UsageError("--stream-ms works with the built-in methods, not with the plugin method '" + cli.method + "'");
    return runPluginAttribute(cli, *method);
  }
  if (cli.stream.streamMs && !cli.targetWindow.empty())
    throw UsageError(
        "--target-window and --stream-ms together: with --stream-ms each window's own bins are its "
        "target bins");
  if (!cli.methodParams.empty()) throw UsageError("--method-param is only for attribution methods from plugins");
  const auto started = std::chrono::steady_clock::now();
  AttributionOptions options;
  options.method = parseAttributionMethod(cli.method);
  if (cli.steps == "auto") {
    options.autoSteps = true;
    options.tolerance = cli.tolerance;
    options.maxSteps = cli.maxSteps;
  } else {
    try {
      std::size_t used = 0;
      options.steps = std::stoi(cli.steps, &used);
      if (used != cli.steps.size() || options.steps < 1) throw std::invalid_argument(cli.steps);
    } catch (const std::logic_error&) {
      throw UsageError("--steps '" + cli.steps + "' is not a positive integer or auto");
    }
  }
  options.integration = parseIntegrationRule(cli.integration);
  options.baseline = parseAttributionBaseline(cli.baseline);
  options.targets = parseTargets(cli.targets);
  options.precision = parsePrecision(cli.precision);
  options.device = parseDeviceChoice(cli.common.device);
  options.seed = cli.common.seed.value_or(0);
  options.smoothGradSamples = cli.smoothGradSamples;
  options.smoothGradNoise = cli.smoothGradNoise;

  Reporter reporter(cli.common);
  reporter.showEta(true);
  Model model = Model::load(cli.model);
  const BinningOptions binning = toBinningOptions(cli.binning, {declaredBinMs(model)});
  // Opened before the work so a bad --out fails fast; nothing appears under its
  // name unless everything succeeds (the writer removes its temporary file).
  std::unique_ptr<io::ResultsWriter> writer;
  if (!cli.out.empty()) writer = std::make_unique<io::ResultsWriter>(cli.out);
  const Progress progress = reporter.progress();
  const BinnedRecording binned = readBinnedRecording(cli.file, binning, progress.sub(0.0, 0.1));
  if (binned.trialCount() == 0 || binned.binCount() == 0 || binned.unitCount() == 0)
    throw InputError("recording '" + cli.file + "' gives no counts to attribute (" +
                     std::to_string(binned.trialCount()) + " trials x " + std::to_string(binned.binCount()) +
                     " bins x " + std::to_string(binned.unitCount()) + " units)");
  model = bindModel(model, binned, cli.session);
  if (cli.stream.streamMs)
    return runStreamedAttribute(cli, options, model, binned, writer.get(), reporter, progress, started);
  model.checkAgainst(binned);
  if (!cli.targetWindow.empty()) options.targetBins = targetBins(cli.targetWindow, binning, binned.binCount());

  const std::size_t trials = binned.trialCount();
  const std::size_t targetCount =
      options.targets.empty() ? static_cast<std::size_t>(model.latentCount()) : options.targets.size();
  ChunkCollector collected(writer.get(), {trials, targetCount, binned.binCount(), binned.unitCount()});
  const AttributionSummary summary = attribute(model, binned.counts, options, collected.sink(), progress.sub(0.1, 1.0));
  const FloatArray& deltaF = collected.deltaF;
  const FloatArray& completeness = collected.completeness;
  const std::vector<std::int64_t>& stepsUsed = collected.stepsUsed;
  reporter.finishProgress();
  for (const auto& note : summary.run.notes) reporter.warn(note);

  const bool integrated = options.method == AttributionMethod::IntegratedGradients;
  const int steps = integrated                                        ? summary.maxStepsUsed
                    : options.method == AttributionMethod::SmoothGrad ? options.smoothGradSamples
                                                                      : 1;
  if (writer) {
    writer->writeArray("/delta_f", deltaF);
    writer->writeArray("/completeness", completeness);
    writer->writeInt64s("/targets", summary.targets);
    if (options.autoSteps) {
      writer->writeInt64s("/steps_used", stepsUsed);
      writer->writeAttribute("/", "tolerance", options.tolerance);
      writer->writeAttribute("/", "max_steps", static_cast<double>(options.maxSteps));
    }
    writeProvenance(*writer, cli, options, steps, summary, binned, model);
    const auto window = options.targetBins.value_or(std::make_pair(std::size_t{0}, binned.binCount()));
    writer->writeAttribute("/", "target_bins", std::to_string(window.first) + ":" + std::to_string(window.second));
    writer->writeAttribute("/attributions", "axes", "trials, latents (see /targets), bins, units");
    writer->writeAttribute("/delta_f", "axes", "trials, latents");
    writer->writeAttribute("/completeness", "axes", "trials, latents");
    writer->commit();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  nlohmann::json json{{"method", methodName(options.method)},
                      {"steps", steps},
                      {"seconds", seconds},
                      {"peak_rss_mb", peakRssMb()},
                      {"session", sessionJson(model)},
                      {"bin_ms", binned.binMs}};
  // Completeness is defined for integrated gradients only.
  json["max_rel_completeness"] = integrated ? nlohmann::json(summary.maxRelCompleteness) : nlohmann::json(nullptr);
  if (options.autoSteps) {
    json["steps_used"] = {{"min", summary.minStepsUsed}, {"max", summary.maxStepsUsed}};
    json["unconverged"] = summary.unconverged;
    json["tolerance"] = options.tolerance;
  }
  std::ostringstream line;
  line << cli.file << ": " << methodName(options.method) << " for " << targetCount << " latents over " << trials
       << " trials on " << deviceName(summary.run.device) << " in " << seconds << " s";
  if (integrated) line << ", max relative completeness " << summary.maxRelCompleteness;
  if (options.autoSteps)
    line << ", steps used " << summary.minStepsUsed << "-" << summary.maxStepsUsed << ", " << summary.unconverged
         << " trials above tolerance " << options.tolerance << " at " << options.maxSteps << " steps";
  reporter.result(json, line.str(), cli.out);
  return kSuccess;
}

// SIGINT / SIGTERM stop the run between chunks; the writer's temporary file is gone by the time this prints.
int runAttributeInterruptible(const AttributeCliOptions& cli) {
  const InterruptScope interrupts;
  try {
    return runAttribute(cli);
  } catch (const Cancelled&) {
    const int signal = InterruptScope::received();
    if (signal == 0) throw;
    std::cerr << "error: interrupted by " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
              << " before the attribution was complete; nothing was written"
              << (cli.out.empty() ? std::string() : " to " + cli.out) << std::endl;
    return kCancelled;
  }
}

}  // namespace

void addAttributeCommand(CLI::App& root, CommandList& commands) {
  auto options = std::make_shared<AttributeCliOptions>();
  auto* command = root.add_subcommand(kAttributeSummary.name, kAttributeSummary.help);
  addCommonOptions(*command, options->common);
  addBinningOptions(*command, options->binning);
  addStreamOptions(*command, options->stream);
  command->add_option("--model", options->model, "TorchScript model file")->required();
  addSessionOption(*command, options->session);
  command->add_option("--out", options->out, "HDF5 results file (/attributions, /delta_f, /completeness, /targets)");
  command->add_option("--method", options->method,
                      "saliency, input_x_gradient, integrated_gradients, smoothgrad, or a plugin's method such as "
                      "occlusion (default integrated_gradients)");
  command->add_option("--method-param", options->methodParams,
                      "KEY=VALUE for a plugin method, repeatable (occlusion: window_bins, window_units, stride_bins, "
                      "stride_units)");
  command->add_option("--steps", options->steps,
                      "Integration steps for integrated gradients (default 50), or auto: per chunk, double from 16 "
                      "until the relative completeness is within --tolerance");
  command->add_option("--tolerance", options->tolerance, "--steps auto: relative completeness to reach (default 0.01)")
      ->check(CLI::PositiveNumber);
  command->add_option("--max-steps", options->maxSteps, "--steps auto: most steps per chunk (default 1024)")
      ->check(CLI::PositiveNumber);
  command
      ->add_option("--integration", options->integration,
                   "gausslegendre, riemann_left, riemann_right, riemann_middle or riemann_trapezoid (Captum's nodes)")
      ->check(CLI::IsMember({"gausslegendre", "riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid"}));
  command->add_option("--baseline", options->baseline, "zero, or mean: each unit's mean count per bin (default zero)")
      ->check(CLI::IsMember({"zero", "mean"}));
  command->add_option("--targets", options->targets, "all, or latent indices, comma-separated (default all)");
  command->add_option("--target-window", options->targetWindow,
                      "START_MS:END_MS relative to the align time: bins summed into each target (default all)");
  command->add_option("--precision", options->precision, "fp32, tf32 or bf16 (default fp32)")
      ->check(CLI::IsMember({"fp32", "tf32", "bf16"}));
  command->add_option("--smoothgrad-samples", options->smoothGradSamples, "SmoothGrad: noisy copies (default 25)")
      ->check(CLI::PositiveNumber);
  command
      ->add_option("--smoothgrad-noise", options->smoothGradNoise,
                   "SmoothGrad: noise sd as a fraction of the counts' range (default 0.15)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("FILE", options->file, "NWB recording")->required();
  commands.push_back({command, [options] { return runAttributeInterruptible(*options); }});
}

}  // namespace neurolens::cli
