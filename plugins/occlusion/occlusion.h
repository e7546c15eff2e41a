#pragma once
// Occlusion attribution (Zeiler & Fergus 2014; Captum's Occlusion): slide a
// window over (bins, units), replace it by the baseline, and credit every input
// in the window with the drop of the target; each input's attribution is the mean
// drop over the windows that covered it. Needs only forward passes, so it works
// through the SDK's LatentFunction. A plain library, tested on its own.
#include <cstddef>

#include "neurolens/plugins/attribution_method_plugin.h"

namespace neurolens::occlusion {

struct Window {
  std::size_t bins = 5;
  std::size_t units = 1;
  std::size_t strideBins = 5;
  std::size_t strideUnits = 1;
};

// Parses window_bins, window_units, stride_bins, stride_units (strides default to
// the window); throws InputError on unknown keys or non-positive values.
[[nodiscard]] Window parseWindow(const std::map<std::string, std::string>& parameters);

// [trials, targets, bins, units]; evaluates the model in batches of `batch` perturbations.
[[nodiscard]] FloatArray occlusionAttribution(const plugins::LatentFunction& latents,
                                              const plugins::AttributionRequest& request, const Window& window,
                                              const Progress& progress, std::size_t batch = 256);

}  // namespace neurolens::occlusion
