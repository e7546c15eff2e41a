#include "occlusion.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "neurolens/core/errors.h"

namespace neurolens::occlusion {
namespace {

std::size_t positive(const std::map<std::string, std::string>& parameters, const std::string& key,
                     std::size_t fallback) {
  const auto found = parameters.find(key);
  if (found == parameters.end()) return fallback;
  try {
    std::size_t used = 0;
    const long value = std::stol(found->second, &used);
    if (used == found->second.size() && value > 0) return static_cast<std::size_t>(value);
  } catch (const std::logic_error&) {
  }
  throw InputError("occlusion: " + key + " must be a positive whole number, not '" + found->second + "'");
}

// Window start positions along one axis, Captum-style: 0, s, 2s, ... while the
// window fits, so inputs past the last full window are never occluded.
std::vector<std::size_t> starts(std::size_t length, std::size_t window, std::size_t stride) {
  std::vector<std::size_t> out;
  if (window > length) return out;
  for (std::size_t s = 0; s + window <= length; s += stride) out.push_back(s);
  return out;
}

}  // namespace

Window parseWindow(const std::map<std::string, std::string>& parameters) {
  for (const auto& [key, value] : parameters)
    if (key != "window_bins" && key != "window_units" && key != "stride_bins" && key != "stride_units")
      throw InputError("occlusion: unknown parameter '" + key +
                       "' (use window_bins, window_units, stride_bins, stride_units)");
  Window w;
  w.bins = positive(parameters, "window_bins", w.bins);
  w.units = positive(parameters, "window_units", w.units);
  w.strideBins = positive(parameters, "stride_bins", w.bins);
  w.strideUnits = positive(parameters, "stride_units", w.units);
  return w;
}

FloatArray occlusionAttribution(const plugins::LatentFunction& latents, const plugins::AttributionRequest& request,
                                const Window& window, const Progress& progress, std::size_t batch) {
  const FloatArray& counts = *request.counts;
  const std::size_t trials = counts.dim(0), bins = counts.dim(1), units = counts.dim(2);
  const std::size_t targets = request.targets.size();
  if (window.bins > bins || window.units > units)
    throw InputError("occlusion: the window (" + std::to_string(window.bins) + " bins x " +
                     std::to_string(window.units) + " units) is larger than the data (" + std::to_string(bins) +
                     " bins x " + std::to_string(units) + " units)");
  const auto binStarts = starts(bins, window.bins, window.strideBins);
  const auto unitStarts = starts(units, window.units, window.strideUnits);
  const std::size_t positions = binStarts.size() * unitStarts.size();
  const std::size_t slice = bins * units;

  // F_d for a batch of inputs: sum of latent d over the target bins.
  auto targetValues = [&](const FloatArray& inputs) {
    const FloatArray out = latents(inputs);
    if (out.rank() != 3 || out.dim(0) != inputs.dim(0) || out.dim(1) != bins)
      throw ComputeError("occlusion: the model returned latents of an unexpected shape");
    std::vector<double> f(inputs.dim(0) * targets, 0.0);
    for (std::size_t n = 0; n < inputs.dim(0); ++n)
      for (std::size_t t = 0; t < targets; ++t) {
        double sum = 0.0;
        for (std::size_t b = request.targetBinBegin; b < request.targetBinEnd; ++b)
          sum += out(n, b, static_cast<std::size_t>(request.targets[t]));
        if (!std::isfinite(sum)) throw ComputeError("occlusion: the model produced NaN or Inf");
        f[n * targets + t] = sum;
      }
    return f;
  };

  FloatArray result({trials, targets, bins, units});
  std::vector<float> covered(slice, 0.0F);  // how many windows cover each input (same for every trial)
  for (std::size_t bs : binStarts)
    for (std::size_t us : unitStarts)
      for (std::size_t b = bs; b < bs + window.bins; ++b)
        for (std::size_t u = us; u < us + window.units; ++u) covered[b * units + u] += 1.0F;

  for (std::size_t trial = 0; trial < trials; ++trial) {
    const float* x = counts.data() + trial * slice;
    const std::vector<double> reference = targetValues(FloatArray({1, bins, units}, std::vector<float>(x, x + slice)));
    float* attribution = result.data() + trial * targets * slice;
    for (std::size_t first = 0; first < positions; first += batch) {
      const std::size_t n = std::min(batch, positions - first);
      FloatArray perturbed({n, bins, units});
      for (std::size_t k = 0; k < n; ++k) {
        float* p = perturbed.data() + k * slice;
        std::copy(x, x + slice, p);
        const std::size_t bs = binStarts[(first + k) / unitStarts.size()];
        const std::size_t us = unitStarts[(first + k) % unitStarts.size()];
        for (std::size_t b = bs; b < bs + window.bins; ++b)
          for (std::size_t u = us; u < us + window.units; ++u)
            p[b * units + u] = request.baseline->data()[b * units + u];
      }
      const std::vector<double> f = targetValues(perturbed);
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t bs = binStarts[(first + k) / unitStarts.size()];
        const std::size_t us = unitStarts[(first + k) % unitStarts.size()];
        for (std::size_t t = 0; t < targets; ++t) {
          const auto drop = static_cast<float>(reference[t] - f[k * targets + t]);
          for (std::size_t b = bs; b < bs + window.bins; ++b)
            for (std::size_t u = us; u < us + window.units; ++u) attribution[t * slice + b * units + u] += drop;
        }
      }
      progress.report((static_cast<double>(trial) + static_cast<double>(first + n) / static_cast<double>(positions)) /
                          static_cast<double>(trials),
                      "occlusion");
    }
    for (std::size_t t = 0; t < targets; ++t)
      for (std::size_t i = 0; i < slice; ++i)
        if (covered[i] > 0.0F) attribution[t * slice + i] /= covered[i];
  }
  return result;
}

}  // namespace neurolens::occlusion
