#pragma once
// Qt-free: attribution of the time window under the time cursor (issue 21 step 4). Which window to attribute
// (one trial, or a chunk of a continuous recording centred on the cursor), the key a result is cached under
// (pair + model + options + window), an LRU cache of results per pair (emptied when the pair's model or the
// options change), and the computation itself (core attribute() on the window's counts, all latents).
//
// A window has target bins (the latents summed into the target) and input bins: the target bins widened by the
// model's receptive field on both sides and clipped at the trial's ends, as core/streaming.h widens its windows,
// so the result equals attribute() on the whole trial with those target bins (exactly when the context covers
// the receptive field).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/core/attribution.h"
#include "neurolens/core/model.h"
#include "neurolens/core/ndarray.h"
#include "neurolens/core/progress.h"
#include "neurolens/core/streaming.h"

namespace neurolens::gui {

struct AttributionWindow {
  std::size_t trial = 0;
  std::size_t targetBegin = 0;  // [targetBegin, targetEnd): the bins whose latents are summed into the target
  std::size_t targetEnd = 0;
  std::size_t inputBegin = 0;  // [inputBegin, inputEnd): the bins the model sees (target widened, clipped)
  std::size_t inputEnd = 0;
  friend bool operator==(const AttributionWindow& a, const AttributionWindow& b) {
    return a.trial == b.trial && a.targetBegin == b.targetBegin && a.targetEnd == b.targetEnd &&
           a.inputBegin == b.inputBegin && a.inputEnd == b.inputEnd;
  }
};

// How long a window is and how it follows the cursor.
struct WindowPolicy {
  std::size_t windowBins = 50;  // target bins (a trial shorter than this is attributed whole)
  // The window's start moves in steps of this many bins, so that a cursor moved by a bin or two reuses the
  // cached window; 1 centres it on the cursor exactly.
  std::size_t strideBins = 5;
};
// The policy for a default window of `windowMs` (e.g. 1000) at `binMs`, stepping by a tenth of it.
[[nodiscard]] WindowPolicy windowPolicyFor(double windowMs, double binMs);

// The window under the cursor: trial `trial` (the selected one, or the one under the cursor; 0 for a continuous
// recording), its target bins `policy.windowBins` long centred on `cursorBin` (its start on the stride's grid),
// shifted inside the trial at its ends, the whole trial when it is shorter; the input widened by `before` and
// `after` bins and clipped. Throws InputError for an empty recording or a trial out of range; the cursor is
// clamped into the trial.
[[nodiscard]] AttributionWindow chooseWindow(std::size_t trials, std::size_t bins, std::size_t trial,
                                             std::size_t cursorBin, const WindowPolicy& policy, std::size_t before,
                                             std::size_t after);

// What changes the result besides the window: method, steps, baseline, targets, tolerance.
[[nodiscard]] std::string optionsKey(const AttributionOptions& options);

// The cache key of one window's attribution: pair (recording + binning), model, options, window (the target
// bins and the trial: the input follows from them and the model's receptive field).
struct WindowKey {
  std::string pair;
  std::string model;
  std::string options;
  std::size_t trial = 0;
  std::size_t targetBegin = 0;
  std::size_t targetEnd = 0;
  [[nodiscard]] std::string text() const;
  friend bool operator==(const WindowKey& a, const WindowKey& b) { return a.text() == b.text(); }
};

// One window's attribution (one trial, all requested latents).
struct WindowAttribution {
  AttributionWindow window;
  std::string method;  // methodName() of the method used
  std::vector<std::int64_t> targets;
  FloatArray attributions;  // [targets, input bins, units]: the window's input bins, inputBegin first
  FloatArray profile;       // [units, targets]: attributions summed over the input bins
  FloatArray deltaF;        // [targets]
  double maxRelCompleteness = 0.0;
  int stepsUsed = 0;
  double tolerance = 0.01;
  double computeSeconds = 0.0;  // the attribution alone
  ReceptiveField field;         // the context the input was widened by
};

// Attributes `window` of `counts` [trials, bins, units]: attribute() on the input bins of the one trial with the
// target bins as targetBins (options.targetBins must be unset). A mean baseline uses `unitMeans` (the whole
// recording's, as the CLI does) when the options give none.
[[nodiscard]] WindowAttribution attributeWindow(const Model& model, const FloatArray& counts,
                                                const AttributionWindow& window, AttributionOptions options,
                                                const std::vector<float>& unitMeans, const Progress& progress = {});
// Each unit's mean count per bin over the whole counts [trials, bins, units].
[[nodiscard]] std::vector<float> unitMeans(const FloatArray& counts);

// The context a window is widened by: the model's metadata; else, when a trial is longer than `windowBins`, the
// recording itself measured by a probe (core/streaming.h); else none is needed (a window is a whole trial).
[[nodiscard]] ReceptiveField windowContext(const Model& model, const FloatArray& counts, std::size_t windowBins,
                                           const Progress& progress = {});

// Results per pair, least recently used dropped first (`capacity` per pair). A pair's results are dropped when
// its model or the options change (setContext), and all of them with clear().
class WindowAttributionCache {
 public:
  explicit WindowAttributionCache(std::size_t capacityPerPair = 32) : capacity_(capacityPerPair) {}

  // The model and options now used for `pair`; a change drops the pair's results. Returns true when it dropped.
  bool setContext(const std::string& pair, const std::string& model, const std::string& options);
  // The result under `key` (and marks it used), or null; counts a hit or a miss.
  [[nodiscard]] std::shared_ptr<const WindowAttribution> find(const WindowKey& key);
  // Stores a result; ignored when the key's model or options are no longer the pair's (a stale job's result).
  bool insert(const WindowKey& key, std::shared_ptr<const WindowAttribution> result);
  void clear();
  [[nodiscard]] std::size_t size(const std::string& pair) const;
  [[nodiscard]] std::size_t hits() const { return hits_; }
  [[nodiscard]] std::size_t misses() const { return misses_; }

 private:
  struct PairCache {
    std::string model;
    std::string options;
    std::list<std::pair<std::string, std::shared_ptr<const WindowAttribution>>> entries;  // most recent first
  };
  std::size_t capacity_;
  std::map<std::string, PairCache> pairs_;
  std::size_t hits_ = 0;
  std::size_t misses_ = 0;
};

}  // namespace neurolens::gui
