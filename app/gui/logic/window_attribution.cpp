#include "logic/window_attribution.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <utility>

#include "neurolens/core/errors.h"

namespace neurolens::gui {

WindowPolicy windowPolicyFor(double windowMs, double binMs) {
  if (!(binMs > 0.0) || !(windowMs > 0.0)) throw InputError("a window needs a positive length and bin width");
  WindowPolicy policy;
  policy.windowBins = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(windowMs / binMs)));
  policy.strideBins = std::max<std::size_t>(1, policy.windowBins / 10);
  return policy;
}

AttributionWindow chooseWindow(std::size_t trials, std::size_t bins, std::size_t trial, std::size_t cursorBin,
                               const WindowPolicy& policy, std::size_t before, std::size_t after) {
  if (trials == 0 || bins == 0) throw InputError("there is no recording to attribute (no trials or no bins)");
  if (trial >= trials)
    throw InputError("trial " + std::to_string(trial) + " is out of range (the recording has " +
                     std::to_string(trials) + " trials)");
  if (policy.windowBins == 0) throw InputError("the attribution window needs at least one bin");
  AttributionWindow window;
  window.trial = trial;
  const std::size_t length = std::min(policy.windowBins, bins);
  const std::size_t cursor = std::min(cursorBin, bins - 1);
  const std::size_t stride = std::max<std::size_t>(1, policy.strideBins);
  // Centre on the cursor: the start is cursor - length / 2, rounded to the stride's grid, kept inside the trial.
  const auto wanted = static_cast<double>(cursor) - static_cast<double>(length / 2);
  const double snapped = std::round(wanted / static_cast<double>(stride)) * static_cast<double>(stride);
  const auto lastStart = static_cast<double>(bins - length);
  const double start = std::clamp(snapped, 0.0, lastStart);
  window.targetBegin = static_cast<std::size_t>(start);
  window.targetEnd = window.targetBegin + length;
  window.inputBegin = window.targetBegin > before ? window.targetBegin - before : 0;
  window.inputEnd = std::min(bins, window.targetEnd + after);
  return window;
}

std::string optionsKey(const AttributionOptions& options) {
  std::ostringstream key;
  key << methodName(options.method)
      << ";steps=" << (options.autoSteps ? std::string("auto") : std::to_string(options.steps))
      << ";tol=" << options.tolerance << ";max=" << options.maxSteps
      << ";rule=" << static_cast<int>(options.integration) << ";baseline=" << static_cast<int>(options.baseline)
      << ";precision=" << static_cast<int>(options.precision) << ";device=" << static_cast<int>(options.device)
      << ";seed=" << options.seed << ";targets=";
  for (std::int64_t target : options.targets) key << target << ',';
  if (options.method == AttributionMethod::SmoothGrad)
    key << ";samples=" << options.smoothGradSamples << ";noise=" << options.smoothGradNoise;
  return key.str();
}

std::string WindowKey::text() const {
  return pair + '\n' + model + '\n' + options + '\n' + std::to_string(trial) + ':' + std::to_string(targetBegin) + '-' +
         std::to_string(targetEnd);
}

std::vector<float> unitMeans(const FloatArray& counts) {
  if (counts.rank() != 3) throw InputError("counts must be [trials, bins, units]");
  const std::size_t rows = counts.dim(0) * counts.dim(1), units = counts.dim(2);
  std::vector<double> sums(units, 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = counts.data() + r * units;
    for (std::size_t u = 0; u < units; ++u) sums[u] += row[u];
  }
  std::vector<float> means(units, 0.0F);
  for (std::size_t u = 0; u < units; ++u)
    means[u] = rows == 0 ? 0.0F : static_cast<float>(sums[u] / static_cast<double>(rows));
  return means;
}

ReceptiveField windowContext(const Model& model, const FloatArray& counts, std::size_t windowBins,
                             const Progress& progress) {
  if (std::optional<ReceptiveField> field = receptiveFieldFromMetadata(model)) return *field;
  if (counts.rank() != 3 || counts.dim(1) <= windowBins) {
    ReceptiveField whole;
    whole.source = "whole trial";
    return whole;
  }
  ReceptiveFieldProbe probe;
  probe.device = DeviceChoice::Cpu;
  return measureReceptiveField(model, counts, probe, progress);
}

WindowAttribution attributeWindow(const Model& model, const FloatArray& counts, const AttributionWindow& window,
                                  AttributionOptions options, const std::vector<float>& unitMeans,
                                  const Progress& progress) {
  if (counts.rank() != 3) throw InputError("counts must be [trials, bins, units]");
  if (options.targetBins) throw InputError("the window sets the target bins; the options must leave them unset");
  const std::size_t bins = counts.dim(1), units = counts.dim(2);
  if (window.trial >= counts.dim(0) || window.inputEnd > bins || window.inputBegin >= window.inputEnd ||
      window.targetBegin < window.inputBegin || window.targetEnd > window.inputEnd ||
      window.targetBegin >= window.targetEnd)
    throw InputError("the attribution window does not fit the recording");
  const std::size_t inputBins = window.inputEnd - window.inputBegin;
  FloatArray input({1, inputBins, units});
  std::copy_n(counts.data() + (window.trial * bins + window.inputBegin) * units, inputBins * units, input.data());
  options.targetBins = std::make_pair(window.targetBegin - window.inputBegin, window.targetEnd - window.inputBegin);
  if (options.baseline == AttributionBaseline::Mean && options.baselineUnitMeans.empty())
    options.baselineUnitMeans = unitMeans;

  WindowAttribution result;
  result.window = window;
  result.tolerance = options.tolerance;
  result.method = methodName(options.method);
  const auto start = std::chrono::steady_clock::now();
  AttributionResult all = attributeAll(model, input, options, progress);
  result.computeSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.targets = all.summary.targets;
  result.maxRelCompleteness = all.summary.maxRelCompleteness;
  result.stepsUsed = all.summary.maxStepsUsed;
  const std::size_t targets = result.targets.size();
  // [1, targets, bins, units] -> [targets, bins, units]
  result.attributions = FloatArray({targets, inputBins, units}, std::move(all.all.attributions.values()));
  result.deltaF = FloatArray({targets}, 0.0F);
  if (all.all.deltaF.size() == targets) std::copy_n(all.all.deltaF.data(), targets, result.deltaF.data());
  result.profile = FloatArray({units, targets}, 0.0F);
  for (std::size_t k = 0; k < targets; ++k)
    for (std::size_t b = 0; b < inputBins; ++b) {
      const float* row = result.attributions.data() + (k * inputBins + b) * units;
      for (std::size_t u = 0; u < units; ++u) result.profile.data()[u * targets + k] += row[u];
    }
  return result;
}

bool WindowAttributionCache::setContext(const std::string& pair, const std::string& model, const std::string& options) {
  PairCache& cache = pairs_[pair];
  if (cache.model == model && cache.options == options) return false;
  const bool dropped = !cache.entries.empty();
  cache.model = model;
  cache.options = options;
  cache.entries.clear();
  return dropped;
}

std::shared_ptr<const WindowAttribution> WindowAttributionCache::find(const WindowKey& key) {
  const auto pair = pairs_.find(key.pair);
  if (pair != pairs_.end() && pair->second.model == key.model && pair->second.options == key.options) {
    auto& entries = pair->second.entries;
    const std::string text = key.text();
    const auto hit = std::find_if(entries.begin(), entries.end(), [&text](const auto& e) { return e.first == text; });
    if (hit != entries.end()) {
      entries.splice(entries.begin(), entries, hit);
      ++hits_;
      return entries.front().second;
    }
  }
  ++misses_;
  return nullptr;
}

bool WindowAttributionCache::insert(const WindowKey& key, std::shared_ptr<const WindowAttribution> result) {
  const auto pair = pairs_.find(key.pair);
  if (pair == pairs_.end() || pair->second.model != key.model || pair->second.options != key.options ||
      result == nullptr)
    return false;
  auto& entries = pair->second.entries;
  const std::string text = key.text();
  entries.remove_if([&text](const auto& e) { return e.first == text; });
  entries.emplace_front(text, std::move(result));
  while (entries.size() > capacity_) entries.pop_back();
  return true;
}

void WindowAttributionCache::clear() { pairs_.clear(); }

std::size_t WindowAttributionCache::size(const std::string& pair) const {
  const auto found = pairs_.find(pair);
  return found == pairs_.end() ? 0 : found->second.entries.size();
}

}  // namespace neurolens::gui
