#pragma once
// Interface for plugins that add an attribution method. A plugin sees the model
// only as a function from counts to latents (no LibTorch in the SDK), which is
// enough for perturbation methods (occlusion, ablation, Shapley sampling).
#include <QtPlugin>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "neurolens/core/ndarray.h"
#include "neurolens/core/progress.h"
#include "neurolens/plugins/plugin_api.h"

namespace neurolens::plugins {

// counts [batch, bins, units] -> latents [batch, bins, latents]. The host runs the
// model (GPU when present) and may be called with any batch size.
using LatentFunction = std::function<FloatArray(const FloatArray& counts)>;

struct AttributionRequest {
  const FloatArray* counts = nullptr;    // [trials, bins, units]
  const FloatArray* baseline = nullptr;  // [bins, units]: zero or per-unit mean counts
  std::vector<std::int64_t> targets;     // latent indices
  std::size_t targetBinBegin = 0;        // F_d = sum of latent d over [begin, end)
  std::size_t targetBinEnd = 0;
  std::uint64_t seed = 0;
  std::map<std::string, std::string> parameters;  // method-specific, from --method-param KEY=VALUE
};

class AttributionMethodPlugin {
 public:
  virtual ~AttributionMethodPlugin() = default;
  [[nodiscard]] virtual PluginInfo info() const = 0;
  // The word users type after --method.
  [[nodiscard]] virtual std::string methodName() const = 0;
  // Returns [trials, targets, bins, units]. Throws InputError / ComputeError.
  [[nodiscard]] virtual FloatArray attribute(const LatentFunction& latents, const AttributionRequest& request,
                                             const Progress& progress) const = 0;
};

}  // namespace neurolens::plugins

#define NEUROLENS_ATTRIBUTION_METHOD_IID "org.neurolens.AttributionMethod/1"
Q_DECLARE_INTERFACE(neurolens::plugins::AttributionMethodPlugin, NEUROLENS_ATTRIBUTION_METHOD_IID)
