#pragma once
// Core-internal access to a loaded TorchScript model (LibTorch types allowed
// here: this header is not public and only core's .cpp files include it).
#include <torch/script.h>

#include <optional>
#include <string>

#include "neurolens/core/model.h"

namespace neurolens {

struct Model::Impl {
  std::filesystem::path file;
  ModelMetadata metadata;
  mutable torch::jit::Module module;  // forward() is not const in LibTorch
  std::int64_t latents = 0;
  bool hasRates = false;
  bool ratesAreLog = false;           // "log_rates" key of a Dict output
  std::string latentsKey = "latents";  // Dict output keys (from metadata "outputs")
  std::string ratesKey = "rates";
};

namespace detail {

struct ForwardResult {
  torch::Tensor latents;               // [batch, bins, latents]
  std::optional<torch::Tensor> rates;  // [batch, bins, units], expected counts (exp of log_rates applied)
};

// One forward pass on x [batch, bins, units] (on the module's current device),
// unpacking whichever output form the model returns. Differentiable: autograd
// flows from the outputs to x. Throws InputError when the output breaks the contract.
ForwardResult forward(const Model::Impl& model, const torch::Tensor& x);

}  // namespace detail
}  // namespace neurolens
