// Attribution engine: saliency, input x gradient, integrated gradients (Captum's
// integration rules node for node) and SmoothGrad, for every latent target at once.
//
// Why it is fast (see docs/attribution.md):
// - one forward pass per chunk of (steps x trials) rows serves every target: the
//   targets' gradients are taken from the same graph, one backward each
//   (retain_graph), where Captum runs a forward + backward per target;
// - the model runs on a private deep copy whose parameters do not require grad,
//   so backward computes input gradients only (no weight gradients);
// - steps x trials are batched into few large passes sized from free memory
//   (CUDA) or a budget (CPU); out-of-memory halves the pass and retries;
// - on the CPU at fp32 (AttributionOptions::cpuLinearAsConvolution) the copy's linear layers and its
//   aten::gru/aten::lstm calls run their matrix products as 1x1 convolutions (oneDNN) rather than on the
//   system BLAS (detail/recurrent_as_convolution.h for the recurrent layers);
// - the weighted sum over integration steps is one matrix-vector product, and
//   nothing synchronises with the host until a chunk's results are copied out.
#include "neurolens/core/attribution.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/csrc/jit/passes/subgraph_rewrite.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "detail/model_internal.h"
#include "detail/recurrent_as_convolution.h"
#include "neurolens/core/errors.h"

namespace neurolens {

namespace {

constexpr double kPi = 3.14159265358979323846;

std::string quoted(const std::filesystem::path& file) { return "'" + file.string() + "'"; }

// Noise for SmoothGrad comes from one generator per trial, seeded from (seed, trial),
// so results do not depend on chunking and Python can draw the very same noise
// (tests/core/python/captum_reference.py repeats this formula).
std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}
std::uint64_t trialSeed(std::uint64_t seed, std::size_t trial) {
  return splitmix64(seed + static_cast<std::uint64_t>(trial)) & 0x7FFFFFFFFFFFFFFFULL;
}

// Gauss-Legendre nodes and weights on [-1, 1] by Newton's method on P_n (what
// numpy.polynomial.legendre.leggauss returns, to rounding), ascending nodes.
void gaussLegendre(int n, std::vector<double>& nodes, std::vector<double>& weights) {
  nodes.assign(static_cast<std::size_t>(n), 0.0);
  weights.assign(static_cast<std::size_t>(n), 0.0);
  const int half = (n + 1) / 2;
  for (int i = 0; i < half; ++i) {
    double x = std::cos(kPi * (i + 0.75) / (n + 0.5));
    double derivative = 1.0;
    for (int iteration = 0; iteration < 100; ++iteration) {
      double p0 = 1.0;
      double p1 = x;
      for (int k = 2; k <= n; ++k) {
        const double p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      derivative = n * (x * p1 - p0) / (x * x - 1.0);
      const double step = p1 / derivative;
      x -= step;
      if (std::abs(step) < 1e-16) break;
    }
    const double w = 2.0 / ((1.0 - x * x) * derivative * derivative);
    // Symmetric pairs: node i from the top, its mirror from the bottom.
    nodes[static_cast<std::size_t>(n - 1 - i)] = x;
    nodes[static_cast<std::size_t>(i)] = -x;
    weights[static_cast<std::size_t>(n - 1 - i)] = w;
    weights[static_cast<std::size_t>(i)] = w;
  }
}

// torch.linspace(start, end, n) in float32, as Captum builds its Riemann alphas.
std::vector<double> floatLinspace(double start, double end, int n) {
  const torch::Tensor values = torch::linspace(start, end, n, torch::kFloat).to(torch::kDouble).contiguous();
  const double* data = values.data_ptr<double>();
  return {data, data + n};
}

torch::Tensor fromArray(const FloatArray& array) {
  std::vector<std::int64_t> sizes(array.shape().begin(), array.shape().end());
  return torch::from_blob(const_cast<float*>(array.data()), sizes, torch::kFloat);  // NOLINT: read only
}

FloatArray toArray(const torch::Tensor& tensor) {
  const torch::Tensor cpu = tensor.detach().to(torch::kCPU, torch::kFloat).contiguous();
  std::vector<std::size_t> shape(cpu.sizes().begin(), cpu.sizes().end());
  FloatArray out(shape);
  std::memcpy(out.data(), cpu.data_ptr<float>(), out.size() * sizeof(float));
  return out;
}

bool isOutOfMemoryFailure(const std::exception& e) {
  if (dynamic_cast<const detail::DeviceOutOfMemory*>(&e)) return true;
  if (dynamic_cast<const InputError*>(&e) || dynamic_cast<const ComputeError*>(&e)) return false;
  return detail::isOutOfMemory(e);
}

// TF32 for cuBLAS/cuDNN during the run only (restored afterwards: the switch is process-wide).
class Tf32Scope {
 public:
  explicit Tf32Scope(bool enable)
      : enabled_(enable),
        cublas_(torch::globalContext().allowTF32CuBLAS()),
        cudnn_(torch::globalContext().allowTF32CuDNN()) {
    if (!enabled_) return;
    torch::globalContext().setAllowTF32CuBLAS(true);
    torch::globalContext().setAllowTF32CuDNN(true);
  }
  ~Tf32Scope() {
    if (!enabled_) return;
    torch::globalContext().setAllowTF32CuBLAS(cublas_);
    torch::globalContext().setAllowTF32CuDNN(cudnn_);
  }
  Tf32Scope(const Tf32Scope&) = delete;
  Tf32Scope& operator=(const Tf32Scope&) = delete;

 private:
  bool enabled_;
  bool cublas_;
  bool cudnn_;
};

// LibTorch's intra-op thread count for the run only (the setting is process-wide): restored afterwards.
class ThreadScope {
 public:
  explicit ThreadScope(int threads) : previous_(at::get_num_threads()) {
    if (threads != previous_) at::set_num_threads(threads);
  }
  ~ThreadScope() {
    if (at::get_num_threads() != previous_) at::set_num_threads(previous_);
  }
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;

 private:
  int previous_;
};

// aten::linear(x, W, b) as a 1x1 convolution of x viewed [rows, in, 1, 1]: the same products and sums in
// fp32, but LibTorch runs fp32 convolutions on its bundled oneDNN kernels, forward and input-gradient
// alike, while fp32 linear layers go to the system BLAS, which on Debian's LibTorch is the netlib reference
// BLAS (about 5 GFLOP/s on one core here, 6-7x slower than oneDNN). Only on the CPU at fp32, only on our
// private copy; results differ from the plain linear by summation order (~1e-7 relative).
constexpr const char* kLinearPattern = R"IR(
graph(%input, %weight, %bias):
  %r = aten::linear(%input, %weight, %bias)
  return (%r))IR";
constexpr const char* kLinearAsConvolution = R"IR(
graph(%input, %weight, %bias):
  %minus1 : int = prim::Constant[value=-1]()
  %zero : int = prim::Constant[value=0]()
  %one : int = prim::Constant[value=1]()
  %in_features : int = aten::size(%weight, %one)
  %out_features : int = aten::size(%weight, %zero)
  %input_shape : int[] = prim::ListConstruct(%minus1, %in_features, %one, %one)
  %input4 = aten::reshape(%input, %input_shape)
  %weight_shape : int[] = prim::ListConstruct(%out_features, %in_features, %one, %one)
  %weight4 = aten::reshape(%weight, %weight_shape)
  %ones : int[] = prim::ListConstruct(%one, %one)
  %zeros : int[] = prim::ListConstruct(%zero, %zero)
  %output4 = aten::conv2d(%input4, %weight4, %bias, %ones, %zeros, %ones, %one)
  %sizes : int[] = aten::size(%input)
  %leading : int[] = aten::slice(%sizes, %zero, %minus1, %one)
  %last : int[] = prim::ListConstruct(%out_features)
  %output_sizes : int[] = aten::add(%leading, %last)
  %r = aten::reshape(%output4, %output_sizes)
  return (%r))IR";

void rewriteLinearAsConvolution(torch::jit::Module& module, std::vector<std::string>& notes) {
  if (!at::hasMKLDNN() || !at::globalContext().userEnabledMkldnn()) return;
  try {
    torch::jit::SubgraphRewriter rewriter;
    rewriter.RegisterRewritePattern(kLinearPattern, kLinearAsConvolution);
    for (const torch::jit::Module& sub : module.modules())
      for (const torch::jit::Method& method : sub.get_methods()) {
        std::shared_ptr<torch::jit::Graph> graph = torch::jit::toGraphFunction(method.function()).graph();
        rewriter.runOnGraph(graph);
      }
  } catch (const std::exception& e) {
    notes.push_back(std::string("linear layers kept on the system BLAS (rewrite failed: ") + e.what() + ")");
  }
}

// aten::gru / aten::lstm as scripted loops of 1x1 convolutions, for the reason above: the linear rewrite does
// not reach the matrix products inside them (detail/recurrent_as_convolution.h). Calls it does not recognise
// stay as they were; with NEUROLENS_DEBUG_ATTRIBUTION set, debug notes say what was rewritten and what kept.
void rewriteRecurrentAsConvolution(torch::jit::Module& module, bool debugNotes, std::vector<std::string>& notes) {
  if (!at::hasMKLDNN() || !at::globalContext().userEnabledMkldnn()) {
    if (debugNotes) notes.emplace_back("debug: recurrent layers not rewritten (LibTorch without oneDNN)");
    return;
  }
  try {
    const detail::RecurrentRewrite rewrite = detail::rewriteRecurrentAsConvolution(module);
    if (debugNotes)
      for (const std::string& note : rewrite.notes) notes.push_back("debug: " + note);
  } catch (const std::exception& e) {
    notes.push_back(std::string("recurrent layers kept on the system BLAS (rewrite failed: ") + e.what() + ")");
  }
}

// The recurrent rewrite's scripted loop costs more per time step than it saves once sequences are long (its
// backward through thousands of unbound steps grows faster than linearly): measured on the 2-core VM, a
// bidirectional GRU (12 units, 8 steps) took 1.3 s vs 1.6 s at 400 bins x 2 trials, but 11.3 s vs 2.9 s at
// 1,000 bins x 1 trial and 27.9 s vs 7.5 s at 2,000. Up to this many bins per trial it is used.
constexpr std::size_t kRecurrentRewriteMaxBins = 400;

// A private copy of the model for attribution: on the run's device and dtype,
// parameters frozen (no weight gradients), wrapped in its own Model::Impl so
// detail::forward unpacks the output form exactly as inference does.
std::unique_ptr<Model::Impl> attributionCopy(const Model::Impl& source, const torch::Device& device,
                                             torch::ScalarType dtype, bool linearAsConvolution,
                                             bool recurrentAsConvolution, bool debugNotes,
                                             std::vector<std::string>& notes) {
  auto copy = std::make_unique<Model::Impl>();
  copy->file = source.file;
  copy->metadata = source.metadata;
  {
    std::lock_guard<std::mutex> lock(source.mutex);
    copy->latents = source.latents;
    copy->hasRates = source.hasRates;
    copy->ratesAreLog = source.ratesAreLog;
    copy->ratesKey = source.ratesKey;
    copy->probed = source.probed;
  }
  copy->latentsKey = source.latentsKey;
  copy->ratesKeyFromMetadata = source.ratesKeyFromMetadata;
  copy->session = source.session;  // a multi-session model bound to a recording runs that session
  copy->hasPlainForward = source.hasPlainForward;
  // deepcopy() gives private parameters but shares the methods (and their graph executors) with the user's
  // model; clone(inplace) gives the copy its own types and methods, so its graphs can be rewritten below
  // without touching the user's model, and its executor profiles gradient passes, not inference.
  torch::jit::Module module = source.module.deepcopy().clone(/*inplace=*/true);
  // Module::to(device, dtype) casts every parameter and buffer, integer ones included (a POYO-style vocabulary
  // of unit ids would then be float, and its embedding lookup fails): move all, cast only floating-point state.
  module.to(device);
  for (torch::Tensor parameter : module.parameters())
    if (parameter.is_floating_point() && parameter.scalar_type() != dtype) parameter.set_data(parameter.to(dtype));
  for (torch::Tensor buffer : module.buffers())
    if (buffer.is_floating_point() && buffer.scalar_type() != dtype) buffer.set_data(buffer.to(dtype));
  module.eval();
  for (torch::Tensor parameter : module.parameters()) parameter.set_requires_grad(false);
  if (linearAsConvolution) {
    if (recurrentAsConvolution)
      rewriteRecurrentAsConvolution(module, debugNotes, notes);
    else if (debugNotes)
      notes.emplace_back("debug: recurrent layers not rewritten (sequences longer than " +
                         std::to_string(kRecurrentRewriteMaxBins) + " bins run faster in aten::gru/aten::lstm)");
    rewriteLinearAsConvolution(module, notes);
  }
  copy->module = module;
  if (!device.is_cpu()) {
    // detail::forward takes the module for x's device from this slot.
    copy->cudaModule = module;
    copy->cudaModuleDevice = torch::zeros({1}, torch::TensorOptions().device(device)).device();
  }
  return copy;
}

struct Plan {
  AttributionMethod method;
  std::size_t trials, bins, units;
  std::int64_t targetBegin, targetEnd;
  torch::Tensor targetIndex;  // [targets] int64 on device
  std::size_t targetCount;
  int passSteps;  // steps (IG) or samples (SmoothGrad) per pass: rows = trials x passSteps
  std::vector<double> alphas, weights;
  double noiseSd = 0.0;
  int samples = 0;
  std::uint64_t seed = 0;
};

class Engine {
 public:
  Engine(const Model& model, const torch::Device& device, Precision precision, bool linearAsConvolution,
         std::size_t bins, bool debugNotes, std::vector<std::string>& notes)
      : device_(device),
        dtype_(precision == Precision::BF16 ? torch::kBFloat16 : torch::kFloat),
        model_(attributionCopy(model.impl(), device, dtype_,
                               linearAsConvolution && device.is_cpu() && dtype_ == torch::kFloat,
                               bins <= kRecurrentRewriteMaxBins, debugNotes, notes)) {}

  [[nodiscard]] const torch::Device& device() const { return device_; }

  // F [rows, targets] (float32): each target latent summed over the target bins.
  torch::Tensor targetValues(const torch::Tensor& input, const Plan& plan) const {
    const torch::Tensor latents = detail::forward(*model_, input).latents;
    return latents.slice(1, plan.targetBegin, plan.targetEnd)
        .to(torch::kFloat)
        .sum(1)
        .index_select(1, plan.targetIndex);
  }

  // Gradient of each target w.r.t. rows x [rows, bins, units] (float32): ONE
  // forward, one backward per target on the shared graph. `consume(j, grad)`
  // receives target j's gradient (so callers reduce it before the next one).
  template <typename Consume>
  void gradients(const torch::Tensor& rowsFloat, const Plan& plan, Consume&& consume) const {
    const torch::Tensor input = rowsFloat.to(dtype_).detach().requires_grad_(true);
    const torch::Tensor values = targetValues(input, plan);
    for (std::size_t j = 0; j < plan.targetCount; ++j) {
      const bool last = j + 1 == plan.targetCount;
      const torch::Tensor objective = values.select(1, static_cast<std::int64_t>(j)).sum();
      auto grads = torch::autograd::grad({objective}, {input}, {}, /*retain_graph=*/!last, /*create_graph=*/false,
                                         /*allow_unused=*/true);
      torch::Tensor grad = grads[0].defined() ? grads[0].to(torch::kFloat) : torch::zeros_like(rowsFloat);
      consume(j, grad);
    }
  }

  // Integrated gradients for trials x [T, bins, units] against baseline b.
  // `blockDone(fraction of the chunk)` runs between passes: progress and cancellation
  // for a chunk too large for one pass (e.g. one long continuous recording).
  void integratedGradients(const torch::Tensor& x, const torch::Tensor& b, const Plan& plan,
                           torch::Tensor& attributions, torch::Tensor& deltaF,
                           const std::function<void(double)>& blockDone) const {
    const std::int64_t trials = x.size(0);
    const torch::Tensor difference = x - b;
    const auto steps = static_cast<int>(plan.alphas.size());
    const std::int64_t perTrial = x.size(1) * x.size(2);
    // accumulated [targets, trials * bins * units] of sum_k w_k grad_k, in float64: the gradients are fp32,
    // but summing 50+ of them (and then 10^4 attributions for the completeness) in fp32 would add rounding
    // of its own (Captum's pairwise sums stay near 1e-7; a sequential fp32 sum here reached 4x that).
    torch::Tensor accumulated = torch::zeros({static_cast<std::int64_t>(plan.targetCount), trials * perTrial},
                                             torch::TensorOptions().device(device_).dtype(torch::kDouble));
    const auto doubleOptions = torch::TensorOptions().dtype(torch::kDouble);
    for (int first = 0; first < steps; first += plan.passSteps) {
      const int count = std::min(plan.passSteps, steps - first);
      const auto from = static_cast<std::size_t>(first);
      const auto to = static_cast<std::size_t>(first + count);
      // Captum computes baseline + alpha * (input - baseline) in float32, alpha given as a double.
      std::vector<double> alphaBlock(plan.alphas.begin() + static_cast<std::ptrdiff_t>(from),
                                     plan.alphas.begin() + static_cast<std::ptrdiff_t>(to));
      std::vector<double> weightBlock(plan.weights.begin() + static_cast<std::ptrdiff_t>(from),
                                      plan.weights.begin() + static_cast<std::ptrdiff_t>(to));
      const torch::Tensor alpha =
          torch::from_blob(alphaBlock.data(), {count}, doubleOptions).to(device_, torch::kFloat).view({count, 1, 1, 1});
      const torch::Tensor weight = torch::from_blob(weightBlock.data(), {count}, doubleOptions).to(device_);
      const torch::Tensor rows = (b.unsqueeze(0) + alpha * difference.unsqueeze(0)).reshape({-1, x.size(1), x.size(2)});
      gradients(rows, plan, [&](std::size_t j, const torch::Tensor& grad) {
        accumulated[static_cast<std::int64_t>(j)] += weight.matmul(grad.reshape({count, -1}).to(torch::kDouble));
      });
      if (first + count < steps) blockDone(static_cast<double>(first + count) / steps);
    }
    attributions =
        accumulated.view({static_cast<std::int64_t>(plan.targetCount), trials, x.size(1), x.size(2)}).transpose(0, 1) *
        difference.unsqueeze(1).to(torch::kDouble);  // float64 here: the caller sums it for the completeness
    torch::NoGradGuard noGrad;
    const torch::Tensor ends = targetValues(torch::cat({x, b}, 0).to(dtype_), plan);
    deltaF = ends.slice(0, 0, trials) - ends.slice(0, trials, 2 * trials);
  }

  // SmoothGrad: mean plain gradient over noisy copies x + N(0, sd^2), noise drawn
  // per trial from trialSeed(seed, trial) in Captum's layout [samples, bins, units].
  torch::Tensor smoothGrad(const torch::Tensor& x, std::size_t firstTrial, const Plan& plan,
                           const std::function<void(double)>& blockDone) const {
    const std::int64_t trials = x.size(0);
    std::vector<torch::Tensor> noise;
    noise.reserve(static_cast<std::size_t>(trials));
    for (std::int64_t t = 0; t < trials; ++t) {
      auto generator =
          at::make_generator<at::CPUGeneratorImpl>(trialSeed(plan.seed, firstTrial + static_cast<std::size_t>(t)));
      torch::Tensor standard = torch::empty({plan.samples, x.size(1), x.size(2)}, torch::kFloat);
      standard.normal_(0.0, 1.0, generator);
      noise.push_back(standard.mul_(plan.noiseSd));
    }
    const torch::Tensor allNoise = torch::stack(noise).to(device_);  // [trials, samples, bins, units]
    torch::Tensor accumulated =
        torch::zeros({static_cast<std::int64_t>(plan.targetCount), trials, x.size(1) * x.size(2)},
                     torch::TensorOptions().device(device_).dtype(torch::kFloat));
    for (int first = 0; first < plan.samples; first += plan.passSteps) {
      const int count = std::min(plan.passSteps, plan.samples - first);
      const torch::Tensor rows =
          (x.unsqueeze(1) + allNoise.slice(1, first, first + count)).reshape({-1, x.size(1), x.size(2)});
      gradients(rows, plan, [&](std::size_t j, const torch::Tensor& grad) {
        accumulated[static_cast<std::int64_t>(j)] += grad.reshape({trials, count, -1}).sum(1);
      });
      if (first + count < plan.samples) blockDone(static_cast<double>(first + count) / plan.samples);
    }
    return (accumulated / static_cast<double>(plan.samples))
        .view({static_cast<std::int64_t>(plan.targetCount), trials, x.size(1), x.size(2)})
        .transpose(0, 1);
  }

  // Saliency (|grad|) or input x gradient for x [T, bins, units].
  torch::Tensor gradientMethod(const torch::Tensor& x, const Plan& plan) const {
    std::vector<torch::Tensor> perTarget(plan.targetCount);
    gradients(x, plan, [&](std::size_t j, const torch::Tensor& grad) {
      perTarget[j] = plan.method == AttributionMethod::Saliency ? grad.abs() : grad * x;
    });
    return torch::stack(perTarget, 1);
  }

 private:
  torch::Device device_;
  torch::ScalarType dtype_;
  std::unique_ptr<Model::Impl> model_;
};

// Bytes one row (one trial at one step/sample) needs during forward + backward:
// input, gradient, outputs and a generous factor for intermediate activations
// (unknowable for an arbitrary TorchScript program; OOM retries cover a wrong guess).
std::size_t bytesPerRow(std::size_t bins, std::size_t units, std::int64_t latents) {
  constexpr std::size_t kActivationFactor = 32;
  const std::size_t values = bins * (2 * units + static_cast<std::size_t>(std::max<std::int64_t>(latents, 1)));
  return std::max<std::size_t>(values * sizeof(float) * kActivationFactor, 1);
}

std::size_t rowBudget(bool cuda, std::size_t bins, std::size_t units, std::int64_t latents, RunReport& run) {
  constexpr std::size_t kCpuBudget = std::size_t{1} << 30;           // 1 GiB
  constexpr std::size_t kCudaFallbackBudget = std::size_t{4} << 30;  // when free memory is unknown
  std::size_t budget = kCpuBudget;
  if (cuda) {
    const auto freeBytes = detail::freeCudaMemory();
    budget = freeBytes ? *freeBytes / 2 : kCudaFallbackBudget;
    if (!freeBytes) run.notes.push_back("free GPU memory unknown: assumed 4 GiB");
  }
  return std::max<std::size_t>(budget / bytesPerRow(bins, units, latents), 1);
}

void checkFiniteChunk(const torch::Tensor& tensor, const Model::Impl& model, const AttributionOptions& options,
                      std::size_t first, std::size_t count) {
  if (torch::isfinite(tensor).all().item<bool>()) return;
  std::string hint = "the model's output or gradient is not finite there";
  if (options.method == AttributionMethod::SmoothGrad)
    hint += "; SmoothGrad feeds noisy, possibly negative counts: a model taking log(x) fails on them";
  if (options.precision == Precision::BF16) hint += "; bf16 may overflow: try --precision fp32";
  throw ComputeError("attribution for model " + quoted(model.file) + " produced NaN or infinite values for trials " +
                     std::to_string(first) + "-" + std::to_string(first + count - 1) + " (" + hint + ")");
}

}  // namespace

AttributionMethod parseAttributionMethod(const std::string& text) {
  if (text == "saliency") return AttributionMethod::Saliency;
  if (text == "input_x_gradient") return AttributionMethod::InputXGradient;
  if (text == "integrated_gradients") return AttributionMethod::IntegratedGradients;
  if (text == "smoothgrad") return AttributionMethod::SmoothGrad;
  throw InputError("unknown attribution method '" + text +
                   "' (use saliency, input_x_gradient, integrated_gradients or smoothgrad)");
}

IntegrationRule parseIntegrationRule(const std::string& text) {
  if (text == "gausslegendre") return IntegrationRule::GaussLegendre;
  if (text == "riemann_left") return IntegrationRule::RiemannLeft;
  if (text == "riemann_right") return IntegrationRule::RiemannRight;
  if (text == "riemann_middle") return IntegrationRule::RiemannMiddle;
  if (text == "riemann_trapezoid") return IntegrationRule::RiemannTrapezoid;
  throw InputError("unknown integration rule '" + text +
                   "' (use gausslegendre, riemann_left, riemann_right, riemann_middle or riemann_trapezoid)");
}

AttributionBaseline parseAttributionBaseline(const std::string& text) {
  if (text == "zero") return AttributionBaseline::Zero;
  if (text == "mean") return AttributionBaseline::Mean;
  throw InputError("unknown baseline '" + text + "' (use zero or mean)");
}

Precision parsePrecision(const std::string& text) {
  if (text == "fp32") return Precision::FP32;
  if (text == "tf32") return Precision::TF32;
  if (text == "bf16") return Precision::BF16;
  throw InputError("unknown precision '" + text + "' (use fp32, tf32 or bf16)");
}

std::string methodName(AttributionMethod method) {
  switch (method) {
    case AttributionMethod::Saliency:
      return "saliency";
    case AttributionMethod::InputXGradient:
      return "input_x_gradient";
    case AttributionMethod::IntegratedGradients:
      return "integrated_gradients";
    case AttributionMethod::SmoothGrad:
      return "smoothgrad";
  }
  return "integrated_gradients";
}

IntegrationNodes integrationNodes(IntegrationRule rule, int steps) {
  IntegrationNodes out;
  if (rule == IntegrationRule::GaussLegendre) {
    if (steps < 1)
      throw InputError("Gauss-Legendre integration needs at least 1 step (got " + std::to_string(steps) + ")");
    std::vector<double> nodes;
    std::vector<double> weights;
    gaussLegendre(steps, nodes, weights);
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      out.alphas.push_back(0.5 * (1.0 + nodes[i]));  // [-1, 1] -> [0, 1]
      out.weights.push_back(0.5 * weights[i]);       // total 2 -> 1
    }
    return out;
  }
  if (steps < 2)
    throw InputError("Riemann integration needs at least 2 steps, as in Captum (got " + std::to_string(steps) + ")");
  const double n = steps;
  out.weights.assign(static_cast<std::size_t>(steps), 1.0 / n);
  switch (rule) {
    case IntegrationRule::RiemannTrapezoid:
      out.weights.front() /= 2.0;
      out.weights.back() /= 2.0;
      out.alphas = floatLinspace(0.0, 1.0, steps);
      break;
    case IntegrationRule::RiemannLeft:
      out.alphas = floatLinspace(0.0, 1.0 - 1.0 / n, steps);
      break;
    case IntegrationRule::RiemannMiddle:
      out.alphas = floatLinspace(1.0 / (2.0 * n), 1.0 - 1.0 / (2.0 * n), steps);
      break;
    case IntegrationRule::RiemannRight:
      out.alphas = floatLinspace(1.0 / n, 1.0, steps);
      break;
    case IntegrationRule::GaussLegendre:
      break;
  }
  return out;
}

AttributionSummary attribute(const Model& model, const FloatArray& counts, const AttributionOptions& options,
                             const std::function<void(const AttributionChunk&)>& sink, const Progress& progress) {
  const Model::Impl& impl = model.impl();
  if (counts.rank() != 3 || counts.dim(0) == 0 || counts.dim(1) == 0 || counts.dim(2) == 0)
    throw InputError("attribution: counts must be a non-empty [trials, bins, units] array");
  const std::size_t trials = counts.dim(0);
  const std::size_t bins = counts.dim(1);
  const std::size_t units = counts.dim(2);
  if (impl.metadata.units && static_cast<std::size_t>(*impl.metadata.units) != units)
    throw InputError("model " + quoted(impl.file) + " expects " + std::to_string(*impl.metadata.units) +
                     " units but the counts have " + std::to_string(units));
  detail::ensureProbed(impl, static_cast<std::int64_t>(units), static_cast<std::int64_t>(bins));
  const std::int64_t latents = model.latentCount();

  Plan plan{};
  plan.method = options.method;
  plan.trials = trials;
  plan.bins = bins;
  plan.units = units;
  AttributionSummary summary;
  summary.trials = trials;
  summary.targets = options.targets;
  if (summary.targets.empty())
    for (std::int64_t d = 0; d < latents; ++d) summary.targets.push_back(d);
  for (const std::int64_t d : summary.targets)
    if (d < 0 || d >= latents)
      throw InputError("target latent " + std::to_string(d) + " does not exist: model " + quoted(impl.file) +
                       " has latents 0-" + std::to_string(latents - 1));
  plan.targetCount = summary.targets.size();
  plan.targetBegin = 0;
  plan.targetEnd = static_cast<std::int64_t>(bins);
  if (options.targetBins) {
    const auto [begin, end] = *options.targetBins;
    if (begin >= end || end > bins)
      throw InputError("target window covers bins " + std::to_string(begin) + "-" + std::to_string(end) +
                       " (end exclusive) but trials have " + std::to_string(bins) +
                       " bins: choose a non-empty window inside the trial");
    plan.targetBegin = static_cast<std::int64_t>(begin);
    plan.targetEnd = static_cast<std::int64_t>(end);
  }
  constexpr int kMaxSteps = 100000;
  constexpr int kAutoFirstSteps = 16;
  if (options.autoSteps) {
    if (options.method != AttributionMethod::IntegratedGradients)
      throw InputError("--steps auto applies to integrated gradients only (method " + methodName(options.method) + ")");
    if (!(options.tolerance > 0.0) || !std::isfinite(options.tolerance))
      throw InputError("--tolerance must be a finite number > 0 (got " + std::to_string(options.tolerance) + ")");
    if (options.maxSteps < 2 || options.maxSteps > kMaxSteps)
      throw InputError("--max-steps must be between 2 and 100000 (got " + std::to_string(options.maxSteps) + ")");
  }
  const int firstSteps = options.autoSteps ? std::min(kAutoFirstSteps, options.maxSteps) : options.steps;
  if (options.method == AttributionMethod::IntegratedGradients) {
    if (firstSteps > kMaxSteps)
      throw InputError("--steps " + std::to_string(firstSteps) + " is too many (at most 100000)");
    const IntegrationNodes nodes = integrationNodes(options.integration, firstSteps);
    plan.alphas = nodes.alphas;
    plan.weights = nodes.weights;
  }
  if (options.method == AttributionMethod::SmoothGrad) {
    if (options.smoothGradSamples < 1 || options.smoothGradSamples > kMaxSteps)
      throw InputError("SmoothGrad needs between 1 and 100000 noisy samples (got " +
                       std::to_string(options.smoothGradSamples) + ")");
    if (!(options.smoothGradNoise >= 0.0) || !std::isfinite(options.smoothGradNoise))
      throw InputError("SmoothGrad noise level must be a finite number >= 0");
    plan.samples = options.smoothGradSamples;
    plan.seed = options.seed;
    const auto [low, high] = std::minmax_element(counts.values().begin(), counts.values().end());
    plan.noiseSd = options.smoothGradNoise * (static_cast<double>(*high) - static_cast<double>(*low));
  }
  for (const float value : counts.values())
    if (!std::isfinite(value)) throw InputError("attribution: the counts contain NaN or infinite values");

  if (options.threads < 0) throw InputError("attribution: threads must be >= 0 (0 = every hardware thread)");
  const int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  const ThreadScope threadScope(threads);

  RunReport& run = summary.run;
  run.device = resolveDevice(options.device);
  if (options.precision == Precision::TF32 && run.device != DeviceChoice::Cuda)
    run.notes.push_back("tf32 only changes GPU matrix products: on the CPU this run is plain fp32");
  const Tf32Scope tf32(options.precision == Precision::TF32 && run.device == DeviceChoice::Cuda);

  const torch::Tensor all = fromArray(counts);
  torch::Tensor unitMean;  // [units], the mean baseline
  if (options.baseline == AttributionBaseline::Mean) {
    if (!options.baselineUnitMeans.empty() && options.baselineUnitMeans.size() != units)
      throw InputError("attribution: the mean baseline has " + std::to_string(options.baselineUnitMeans.size()) +
                       " units but the counts have " + std::to_string(units));
    unitMean = options.baselineUnitMeans.empty() ? all.mean(std::vector<std::int64_t>{0, 1})
                                                 : torch::tensor(options.baselineUnitMeans, torch::kFloat);
  }

  const int stepsPerTrial = options.method == AttributionMethod::IntegratedGradients ? firstSteps
                            : options.method == AttributionMethod::SmoothGrad        ? plan.samples
                                                                                     : 1;
  auto sizePasses = [&](std::size_t& chunkTrials) {
    std::size_t rows = rowBudget(run.device == DeviceChoice::Cuda, bins, units, latents, run);
    if (options.maxRowsPerPass > 0) rows = std::min(rows, options.maxRowsPerPass);
    if (options.maxChunkTrials > 0)
      rows = std::min(rows, options.maxChunkTrials * static_cast<std::size_t>(stepsPerTrial));
    const auto perTrial = static_cast<std::size_t>(stepsPerTrial);
    if (rows >= perTrial) {
      plan.passSteps = stepsPerTrial;
      chunkTrials = std::min(rows / perTrial, trials);
    } else {
      plan.passSteps = static_cast<int>(rows);
      chunkTrials = 1;
    }
  };
  std::size_t chunkTrials = 1;
  sizePasses(chunkTrials);

  // Debug notes (what the CPU rewrites changed in the private copy) only when asked for.
  const char* debugVariable = std::getenv("NEUROLENS_DEBUG_ATTRIBUTION");
  const bool debugNotes = debugVariable != nullptr && *debugVariable != '\0' && std::string(debugVariable) != "0";
  auto makeEngine = [&]() {
    const torch::Device device =
        run.device == DeviceChoice::Cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    plan.targetIndex = torch::tensor(summary.targets, torch::kLong).to(device);
    return std::make_unique<Engine>(model, device, options.precision, options.cpuLinearAsConvolution, bins, debugNotes,
                                    run.notes);
  };
  std::unique_ptr<Engine> engine = makeEngine();

  progress.report(0.0, "attributing");
  std::size_t first = 0;
  while (first < trials) {
    const std::size_t count = std::min(chunkTrials, trials - first);
    AttributionChunk chunk;
    chunk.firstTrial = first;
    double chunkDone = 0.0;  // never backwards: with --steps auto a chunk's later attempts start again from 0
    const auto blockDone = [&](double fraction) {
      chunkDone = std::max(chunkDone, fraction);
      progress.report(
          (static_cast<double>(first) + chunkDone * static_cast<double>(count)) / static_cast<double>(trials),
          "attributing");
    };
    int stepsUsed = firstSteps;
    bool converged = true;
    try {
      const torch::Tensor x =
          all.slice(0, static_cast<std::int64_t>(first), static_cast<std::int64_t>(first + count)).to(engine->device());
      torch::Tensor attributions;
      torch::Tensor deltaF;
      switch (options.method) {
        case AttributionMethod::IntegratedGradients: {
          const torch::Tensor b = options.baseline == AttributionBaseline::Mean
                                      ? unitMean.to(engine->device()).expand_as(x).contiguous()
                                      : torch::zeros_like(x);
          for (int steps = firstSteps;; steps = std::min(2 * steps, options.maxSteps)) {
            if (steps != static_cast<int>(plan.alphas.size())) {
              const IntegrationNodes nodes = integrationNodes(options.integration, steps);
              plan.alphas = nodes.alphas;
              plan.weights = nodes.weights;
            }
            engine->integratedGradients(x, b, plan, attributions, deltaF, blockDone);
            stepsUsed = steps;
            if (!options.autoSteps) break;
            // One host sync per attempt: the chunk's worst relative completeness.
            const double worst = ((attributions.sum(std::vector<std::int64_t>{2, 3}) - deltaF).abs() /
                                  deltaF.abs().to(torch::kDouble).clamp_min(1e-6))
                                     .max()
                                     .item<double>();
            converged = worst <= options.tolerance;
            if (converged || steps >= options.maxSteps || !std::isfinite(worst)) break;
          }
          break;
        }
        case AttributionMethod::SmoothGrad:
          attributions = engine->smoothGrad(x, first, plan, blockDone);
          break;
        case AttributionMethod::Saliency:
        case AttributionMethod::InputXGradient:
          attributions = engine->gradientMethod(x, plan);
          break;
      }
      checkFiniteChunk(attributions, impl, options, first, count);
      chunk.attributions = toArray(attributions);
      if (deltaF.defined()) {
        const torch::Tensor completeness = attributions.sum(std::vector<std::int64_t>{2, 3}) - deltaF;
        checkFiniteChunk(deltaF, impl, options, first, count);
        chunk.deltaF = toArray(deltaF);
        chunk.completeness = toArray(completeness);
      } else {
        chunk.deltaF = FloatArray({count, plan.targetCount});
        chunk.completeness = FloatArray({count, plan.targetCount});
      }
    } catch (const std::exception& e) {
      if (!isOutOfMemoryFailure(e)) throw;
      if (count > 1) {
        chunkTrials = std::max<std::size_t>(count / 2, 1);
        run.notes.push_back("out of memory on " + deviceName(run.device) + " at " + std::to_string(count) +
                            " trials per pass, retried with " + std::to_string(chunkTrials));
        continue;
      }
      if (plan.passSteps > 1) {
        plan.passSteps = std::max(plan.passSteps / 2, 1);
        run.notes.push_back("out of memory on " + deviceName(run.device) + " for one trial: now " +
                            std::to_string(plan.passSteps) + " steps per pass");
        continue;
      }
      if (run.device == DeviceChoice::Cuda) {
        run.notes.push_back("out of memory on the GPU even for one step of one trial: continued on the CPU");
        run.device = DeviceChoice::Cpu;
        engine = makeEngine();
        sizePasses(chunkTrials);
        continue;
      }
      throw ComputeError("out of memory attributing model " + quoted(impl.file) +
                         " one step of one trial at a time on the CPU");
    }
    if (options.method == AttributionMethod::IntegratedGradients) {
      chunk.stepsUsed.assign(count, stepsUsed);
      summary.minStepsUsed = summary.minStepsUsed == 0 ? stepsUsed : std::min(summary.minStepsUsed, stepsUsed);
      summary.maxStepsUsed = std::max(summary.maxStepsUsed, stepsUsed);
      if (!converged) summary.unconverged += count;
      const auto& delta = chunk.deltaF.values();
      const auto& gap = chunk.completeness.values();
      for (std::size_t i = 0; i < delta.size(); ++i)
        summary.maxRelCompleteness =
            std::max(summary.maxRelCompleteness,
                     std::abs(static_cast<double>(gap[i])) / std::max(std::abs(static_cast<double>(delta[i])), 1e-6));
    }
    run.chunkTrials = std::max(run.chunkTrials, count);
    sink(chunk);
    first += count;
    progress.report(static_cast<double>(first) / static_cast<double>(trials), "attributing");
  }
  return summary;
}

AttributionResult attributeAll(const Model& model, const FloatArray& counts, const AttributionOptions& options,
                               const Progress& progress) {
  AttributionResult result;
  std::vector<float> attributions;
  std::vector<float> deltaF;
  std::vector<float> completeness;
  std::size_t targets = 0;
  result.summary = attribute(
      model, counts, options,
      [&](const AttributionChunk& chunk) {
        targets = chunk.attributions.dim(1);
        attributions.insert(attributions.end(), chunk.attributions.values().begin(), chunk.attributions.values().end());
        deltaF.insert(deltaF.end(), chunk.deltaF.values().begin(), chunk.deltaF.values().end());
        completeness.insert(completeness.end(), chunk.completeness.values().begin(), chunk.completeness.values().end());
        result.all.stepsUsed.insert(result.all.stepsUsed.end(), chunk.stepsUsed.begin(), chunk.stepsUsed.end());
      },
      progress);
  const std::size_t trials = counts.dim(0);
  result.all.firstTrial = 0;
  result.all.attributions = FloatArray({trials, targets, counts.dim(1), counts.dim(2)}, std::move(attributions));
  result.all.deltaF = FloatArray({trials, targets}, std::move(deltaF));
  result.all.completeness = FloatArray({trials, targets}, std::move(completeness));
  return result;
}

}  // namespace neurolens
