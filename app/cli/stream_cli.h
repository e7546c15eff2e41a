#pragma once
// --stream-ms for the commands that run a model (infer, attribute): the window in bins, the receptive
// field (the model's metadata, else measured on the recording), the windows, and their --json keys.
// Compute-module side only (includes the model).
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_common.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/model.h"
#include "neurolens/core/streaming.h"

namespace neurolens::cli {

struct StreamSetup {
  double windowMs = 0.0;
  std::size_t windowBins = 0;
  ReceptiveField field;
  std::vector<StreamWindow> windows;
  [[nodiscard]] std::size_t frameBins() const { return field.before + windowBins + field.after; }
};

inline std::string msText(double value) {
  std::ostringstream text;
  text.precision(10);
  text << value;
  return text.str();
}

// The window in whole bins (rounded down, with a warning); fewer than one bin does not fit the data (exit 3).
inline std::size_t streamWindowBins(const StreamCliOptions& cli, double binMs, const Reporter& reporter) {
  const double exact = *cli.streamMs / binMs;
  const auto bins = static_cast<std::size_t>(std::floor(exact + 1e-9));
  if (bins == 0)
    throw InputError("--stream-ms " + msText(*cli.streamMs) + " is shorter than one " + msText(binMs) +
                     " ms bin: give at least " + msText(binMs));
  if (std::abs(exact - static_cast<double>(bins)) > 1e-9)
    reporter.warn("--stream-ms " + msText(*cli.streamMs) + " is not a whole number of " + msText(binMs) +
                  " ms bins: windows of " + std::to_string(bins) + " bins (" +
                  msText(static_cast<double>(bins) * binMs) + " ms)");
  return bins;
}

// The model checked against the recording's units, bin size and unit ids, probed on a window's length
// rather than the whole recording's (a model without metadata learns its shapes from one forward pass).
inline void checkAgainstWindow(const Model& model, const BinnedRecording& binned, const CountsShape& shape,
                               std::size_t bins) {
  BinnedRecording light;
  light.source = binned.source;
  light.binMs = binned.binMs;
  light.unitIds = binned.unitIds;
  light.counts = FloatArray({1, std::max<std::size_t>(std::min(bins, shape.bins), 1), shape.units});
  model.checkAgainst(light);
}

// `binned` gives the binning (its counts may be empty: `shape` says theirs); `measure` probes the receptive
// field on the counts, wherever they are.
template <typename Measure>
StreamSetup planStreamOver(const StreamCliOptions& cli, const Model& model, const BinnedRecording& binned,
                           const CountsShape& shape, DeviceChoice device, const Reporter& reporter,
                           const Measure& measure) {
  StreamSetup setup;
  setup.windowBins = streamWindowBins(cli, binned.binMs, reporter);
  setup.windowMs = static_cast<double>(setup.windowBins) * binned.binMs;
  constexpr std::size_t kDefaultMaxContextBins = 256;
  const std::size_t maxContext =
      cli.maxContextMs
          ? std::max<std::size_t>(static_cast<std::size_t>(std::floor(*cli.maxContextMs / binned.binMs)), 1)
          : kDefaultMaxContextBins;
  checkAgainstWindow(model, binned, shape, setup.windowBins + 2 * maxContext);
  if (auto field = receptiveFieldFromMetadata(model)) {
    setup.field = *field;
  } else if (setup.windowBins >= shape.bins) {
    setup.field.source = "none needed";  // one window per trial: the window is the whole trial
  } else {
    ReceptiveFieldProbe probe;
    probe.tolerance = cli.tolerance;
    probe.maxContextBins = maxContext;
    probe.device = device;
    setup.field = measure(probe);
    if (setup.field.capped)
      reporter.warn("the model's influence was still " + msText(setup.field.measuredError) +
                    " (relative) at the cap of " + std::to_string(maxContext) +
                    " bins of context: streamed results may differ from one pass by about that much; raise "
                    "--stream-max-context-ms, or state receptive_field_bins in the model's metadata");
  }
  setup.windows = planStreamWindows(shape.trials, shape.bins, setup.windowBins, setup.field.before, setup.field.after);
  reporter.info(
      "streaming: " + std::to_string(setup.windows.size()) + " windows of " + std::to_string(setup.windowBins) +
      " bins (" + msText(setup.windowMs) + " ms), context " + std::to_string(setup.field.before) + " bins before and " +
      std::to_string(setup.field.after) + " after (" + setup.field.source +
      (setup.field.source == "probe"
           ? ", tolerance " + msText(setup.field.tolerance) + ", measured error " + msText(setup.field.measuredError)
           : std::string()) +
      ")");
  return setup;
}

inline StreamSetup planStream(const StreamCliOptions& cli, const Model& model, const BinnedRecording& binned,
                              DeviceChoice device, const Progress& progress, const Reporter& reporter) {
  const CountsShape shape{binned.trialCount(), binned.binCount(), binned.unitCount()};
  return planStreamOver(cli, model, binned, shape, device, reporter, [&](const ReceptiveFieldProbe& probe) {
    return measureReceptiveField(model, binned.counts, probe, progress);
  });
}

// The same with the counts read window by window (a recording larger than memory, issue 20 step 5).
inline StreamSetup planStream(const StreamCliOptions& cli, const Model& model, const BinnedRecording& binned,
                              const CountsShape& shape, const CountsReader& read, DeviceChoice device,
                              const Progress& progress, const Reporter& reporter) {
  return planStreamOver(cli, model, binned, shape, device, reporter, [&](const ReceptiveFieldProbe& probe) {
    return measureReceptiveField(model, shape, read, probe, progress);
  });
}

inline nlohmann::json streamJson(const StreamSetup& setup) {
  nlohmann::json json{{"window_bins", setup.windowBins},
                      {"window_ms", setup.windowMs},
                      {"context_bins", {setup.field.before, setup.field.after}},
                      {"windows", setup.windows.size()},
                      {"receptive_field_source", setup.field.source}};
  if (setup.field.source == "probe") {
    json["tolerance"] = setup.field.tolerance;
    json["context_error"] = setup.field.measuredError;
    json["capped"] = setup.field.capped;
    json["probe_seconds"] = setup.field.probeSeconds;
  }
  return json;
}

}  // namespace neurolens::cli
