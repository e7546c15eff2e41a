#pragma once
// Core-internal access to a loaded TorchScript model (LibTorch types allowed
// here: this header is not public and only core's .cpp files include it).
#include <torch/script.h>

#include <exception>
#include <mutex>
#include <optional>
#include <string>

#include "neurolens/core/errors.h"
#include "neurolens/core/model.h"

namespace neurolens {

struct Model::Impl {
  std::filesystem::path file;
  ModelMetadata metadata;
  mutable torch::jit::Module module;  // forward() is not const in LibTorch; lives on the CPU
  // Learned from the metadata and one small probe forward. A model without a
  // unit count in its metadata is probed lazily with the first recording's shape
  // (detail::ensureProbed), hence `mutable`.
  mutable std::int64_t latents = 0;
  mutable bool hasRates = false;
  mutable bool ratesAreLog = false;    // "log_rates" key of a Dict output
  std::string latentsKey = "latents";  // Dict output keys (from metadata "outputs")
  mutable std::string ratesKey = "rates";
  bool ratesKeyFromMetadata = false;  // metadata named the rates key: do not guess
  mutable bool probed = false;
  mutable std::mutex mutex;                              // guards the probe and the CUDA copy
  mutable std::optional<torch::jit::Module> cudaModule;  // deep copy moved to the GPU on first use
  mutable torch::Device cudaModuleDevice{torch::kCPU};
  // Multi-session models: the session forward() runs (forward_session(x, session)); a model without a plain
  // forward method runs session 0 until it is bound to a recording.
  std::optional<std::int64_t> session;
  bool hasPlainForward = true;
};

namespace detail {

struct ForwardResult {
  torch::Tensor latents;               // [batch, bins, latents]
  std::optional<torch::Tensor> rates;  // [batch, bins, units], expected counts (exp of log_rates applied)
};

// One forward pass on x [batch, bins, units] (the module copy on x's device is
// used: CPU or CUDA), unpacking whichever output form the model returns.
// Differentiable: autograd flows from the outputs to x. Throws InputError when
// the forward throws or its output breaks the contract, DeviceOutOfMemory when
// the device ran out of memory (callers may retry with fewer trials).
ForwardResult forward(const Model::Impl& model, const torch::Tensor& x);

// Thrown by forward() on out-of-memory (CUDA or CPU allocator), so callers can
// shrink their chunk; a ComputeError when nobody retries.
class DeviceOutOfMemory : public ComputeError {
 public:
  using ComputeError::ComputeError;
};

// True when a LibTorch exception reports an allocation failure. LibTorch 1.13
// throws c10::Error with "out of memory"; 2.x throws c10::OutOfMemoryError
// (a c10::Error subclass with the same words), so the text test covers both.
bool isOutOfMemory(const std::exception& error);

// The module on a device: the CPU module itself, or a deep copy on the GPU made once.
torch::jit::Module moduleOn(const Model::Impl& model, const torch::Device& device);

// Learns latents / rates / output form by one forward pass of zeros
// [1, bins, units] if not done yet. Throws InputError when the output breaks the contract.
void ensureProbed(const Model::Impl& model, std::int64_t units, std::int64_t bins);

// Free GPU memory from the CUDA runtime LibTorch already loaded (looked up at run
// time: builds against CPU-only and CUDA LibTorch, 1.13 and 2.x); nullopt without one.
std::optional<std::size_t> freeCudaMemory();

}  // namespace detail
}  // namespace neurolens
