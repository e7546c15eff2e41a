#pragma once
// Attribution of each latent (summed over a window of target bins) to every
// input (bin, unit), for every trial: saliency, input x gradient, integrated
// gradients (Captum's integration rules, node for node) and SmoothGrad.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/core/device.h"
#include "neurolens/core/model.h"
#include "neurolens/core/ndarray.h"
#include "neurolens/core/progress.h"

namespace neurolens {

enum class AttributionMethod { Saliency, InputXGradient, IntegratedGradients, SmoothGrad };
enum class IntegrationRule { GaussLegendre, RiemannLeft, RiemannRight, RiemannMiddle, RiemannTrapezoid };
enum class AttributionBaseline { Zero, Mean };
enum class Precision { FP32, TF32, BF16 };

struct AttributionOptions {
  AttributionMethod method = AttributionMethod::IntegratedGradients;
  int steps = 50;
  // Integrated gradients only: per chunk of trials, the steps double from 16 (up to maxSteps) until the
  // chunk's maximum relative completeness is within `tolerance`; `steps` is then ignored. A chunk still
  // above the tolerance at maxSteps is kept and counted in AttributionSummary::unconverged.
  bool autoSteps = false;
  double tolerance = 0.01;
  int maxSteps = 1024;
  IntegrationRule integration = IntegrationRule::GaussLegendre;
  AttributionBaseline baseline = AttributionBaseline::Zero;
  // Mean baseline: each unit's value when given (e.g. the whole recording's means while streaming
  // windows of it); empty = each unit's mean over the counts attributed.
  std::vector<float> baselineUnitMeans;
  std::vector<std::int64_t> targets;                              // latent indices; empty = all
  std::optional<std::pair<std::size_t, std::size_t>> targetBins;  // [begin, end); none = all bins
  Precision precision = Precision::FP32;
  DeviceChoice device = DeviceChoice::Auto;
  std::uint64_t seed = 0;
  int smoothGradSamples = 25;
  double smoothGradNoise = 0.15;  // noise sd as a fraction of the data's range (documented in docs/attribution.md)
  // Upper bound on trials per pass; 0 = sized from free memory (CUDA) or a CPU
  // budget. Results do not depend on it (tests compare chunked with unchunked runs).
  std::size_t maxChunkTrials = 0;
  // Upper bound on rows (trials x steps or samples) per forward pass; 0 = from memory.
  // Below the step count, one trial's steps are split over several passes.
  std::size_t maxRowsPerPass = 0;
  // LibTorch intra-op threads for the run (CPU); 0 = every hardware thread. Set for the run only
  // and restored afterwards (the setting is process-wide).
  int threads = 0;
  // On the CPU at fp32, run the model's linear layers (aten::linear) and recurrent layers (aten::gru,
  // aten::lstm, as scripted loops) with 1x1 convolutions on a private copy, so LibTorch uses its oneDNN
  // kernels rather than the system BLAS (docs/attribution.md).
  bool cpuLinearAsConvolution = true;
};

// One chunk of trials [firstTrial, firstTrial + attributions.dim(0)).
struct AttributionChunk {
  std::size_t firstTrial = 0;
  FloatArray attributions;     // [trials, targets, bins, units]
  FloatArray deltaF;           // [trials, targets] F(x) - F(baseline) (IG; zeros otherwise)
  FloatArray completeness;     // [trials, targets] sum(attr) - deltaF (IG; zeros otherwise)
  std::vector<int> stepsUsed;  // [trials] integration steps used (IG; empty otherwise)
};

struct AttributionSummary {
  std::size_t trials = 0;
  std::vector<std::int64_t> targets;
  double maxRelCompleteness = 0.0;  // max |completeness| / max(|deltaF|, 1e-6), IG only
  int minStepsUsed = 0;             // IG: fewest and most integration steps any chunk used
  int maxStepsUsed = 0;
  std::size_t unconverged = 0;  // autoSteps: trials whose chunk stayed above the tolerance at maxSteps
  RunReport run;
};

// Streams chunks to `sink` (e.g. straight into the results file) so attributions
// larger than memory never sit in RAM whole. Throws InputError for options that do
// not fit the model/data, ComputeError for NaN/Inf, Cancelled via progress.
AttributionSummary attribute(const Model& model, const FloatArray& counts, const AttributionOptions& options,
                             const std::function<void(const AttributionChunk&)>& sink, const Progress& progress = {});

// Convenience: everything in memory, chunks concatenated.
struct AttributionResult {
  AttributionChunk all;
  AttributionSummary summary;
};
AttributionResult attributeAll(const Model& model, const FloatArray& counts, const AttributionOptions& options,
                               const Progress& progress = {});

// Parsing of the CLI's words (throw InputError on unknown words).
AttributionMethod parseAttributionMethod(const std::string& text);
IntegrationRule parseIntegrationRule(const std::string& text);
AttributionBaseline parseAttributionBaseline(const std::string& text);
Precision parsePrecision(const std::string& text);
std::string methodName(AttributionMethod method);

// Captum's nodes (alphas in [0,1]) and weights (step sizes) for `steps` steps.
struct IntegrationNodes {
  std::vector<double> alphas;
  std::vector<double> weights;
};
IntegrationNodes integrationNodes(IntegrationRule rule, int steps);

}  // namespace neurolens
