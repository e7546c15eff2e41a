#pragma once
// Inference and attribution over long recordings in windows (`--stream-ms`, ../shared/spec/cli.md):
// the model runs over consecutive windows of own bins, each widened by the model's receptive field
// on both sides (clipped at a trial's ends), and only each window's own bins are kept, so the result
// equals one pass over the whole trial while the model's working memory stays bounded by the window.
//
// The receptive field comes from the model's metadata (`receptive_field_bins: [before, after]` in
// neurolens.json, or a CEBRA export's `cebra.receptive_field`), else it is measured on the recording
// itself by a truncation probe (measureReceptiveField). Qt-free, and free of LibTorch types: it runs
// the model through Model::infer and attribute().
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/core/attribution.h"
#include "neurolens/core/model.h"
#include "neurolens/core/ndarray.h"
#include "neurolens/core/progress.h"

namespace neurolens {

// The context a bin's output needs: inputs [t - before, t + after] determine output t (to the tolerance).
struct ReceptiveField {
  std::size_t before = 0;
  std::size_t after = 0;
  std::string source;          // "metadata", "cebra metadata" or "probe"
  double tolerance = 0.0;      // probe: the relative error allowed (0 for metadata: exact)
  double measuredError = 0.0;  // probe: the error measured at the chosen context (sum of both sides)
  bool capped = false;         // probe: the influence was still above the tolerance at the cap
  std::size_t probePositions = 0;
  double probeSeconds = 0.0;
};

// One window of one trial: the model sees bins [inputBegin, inputEnd), its outputs for
// [ownBegin, ownEnd) are kept. inputBegin = max(0, ownBegin - before), inputEnd = min(bins, ownEnd + after).
struct StreamWindow {
  std::size_t trial = 0;
  std::size_t ownBegin = 0;
  std::size_t ownEnd = 0;
  std::size_t inputBegin = 0;
  std::size_t inputEnd = 0;
};

// Consecutive windows of `windowBins` own bins over every trial (the last of a trial holds the
// remainder), widened by the context and clipped at the trial's ends. Throws InputError for windowBins 0.
[[nodiscard]] std::vector<StreamWindow> planStreamWindows(std::size_t trials, std::size_t bins, std::size_t windowBins,
                                                          std::size_t before, std::size_t after);

// `receptive_field_bins` ([before, after], or one number for both) from the model's neurolens.json, else a
// CEBRA export's `cebra.receptive_field` ([-left, right]); nullopt when neither is there.
// Throws InputError for a malformed value.
[[nodiscard]] std::optional<ReceptiveField> receptiveFieldFromMetadata(const Model& model);

struct ReceptiveFieldProbe {
  double tolerance = 1e-4;           // relative: error / largest |latent| in the probed stretch
  std::size_t maxContextBins = 256;  // cap on each side
  std::size_t positions = 3;         // probe positions spread over the recording
  DeviceChoice device = DeviceChoice::Auto;
};

// Where a stream's counts come from: the counts of bins [begin, end) of one trial, [end - begin, units]. An array
// in memory, or a reader that bins (or reads binned counts) window by window, so that a recording larger than
// memory never sits in it whole.
struct CountsShape {
  std::size_t trials = 0;
  std::size_t bins = 0;
  std::size_t units = 0;
};
using CountsReader = std::function<FloatArray(std::size_t trial, std::size_t begin, std::size_t end)>;

// Measures the context on the recording itself: at a few positions, the model's latents for one bin are
// computed with the input cut k bins before (and, separately, after) it and compared with the latents
// computed with twice the cap of context. Each side's context is the smallest k (on a grid: every k up to
// 32, then steps of about 12 %) from which every larger k stays within tolerance / 2; at the cap it is
// reported as capped. A convolution's influence ends (error exactly 0 past its field); a recurrent
// model's decays but never ends, hence the tolerance.
[[nodiscard]] ReceptiveField measureReceptiveField(const Model& model, const FloatArray& counts,
                                                   const ReceptiveFieldProbe& probe, const Progress& progress = {});
[[nodiscard]] ReceptiveField measureReceptiveField(const Model& model, const CountsShape& shape,
                                                   const CountsReader& read, const ReceptiveFieldProbe& probe,
                                                   const Progress& progress = {});

// Streamed inference: latents (and rates) [trials, bins, ...] equal to Model::infer on the whole counts
// (exactly when the context covers the receptive field). Windows of the same shape run together, in
// groups of at most `maxGroupBytes` of input.
struct StreamInferOptions {
  InferOptions infer;
  std::size_t maxGroupBytes = std::size_t{32} << 20;
};
[[nodiscard]] ModelOutputs inferStreamed(const Model& model, const FloatArray& counts,
                                         const std::vector<StreamWindow>& windows, const StreamInferOptions& options,
                                         const Progress& progress = {}, RunReport* report = nullptr);
// The same from a reader, each window's own outputs handed to `sink` (latents [own bins, latents], rates
// [own bins, units] when the model gives them) as its group finishes: memory holds one group at a time.
using StreamOutputSink = std::function<void(const StreamWindow& window, const ModelOutputs& own)>;
void inferStreamed(const Model& model, const CountsShape& shape, const CountsReader& read,
                   const std::vector<StreamWindow>& windows, const StreamInferOptions& options,
                   const StreamOutputSink& sink, const Progress& progress = {}, RunReport* report = nullptr);

// Streamed attribution: for each window, the attribution of each target latent summed over the window's
// own bins to every input (bin, unit) of the widened window, i.e. what attribute() on the whole trial
// with targetBins = the own bins gives (inputs outside the widened window get nothing). Chunks go to
// `sink` with firstTrial = the first window's index and attributions [windows, targets, frameBins, units],
// frameBins = before + windowBins + after: frame position 0 is bin ownBegin - before of the trial, and
// positions outside [inputBegin, inputEnd) (a trial's ends, a short last window) are zero.
// options.targetBins must be unset; a mean baseline is the mean over the whole counts.
[[nodiscard]] AttributionSummary attributeStreamed(const Model& model, const FloatArray& counts,
                                                   const std::vector<StreamWindow>& windows, std::size_t frameBins,
                                                   std::size_t before, const AttributionOptions& options,
                                                   const std::function<void(const AttributionChunk&)>& sink,
                                                   const Progress& progress = {});

}  // namespace neurolens
