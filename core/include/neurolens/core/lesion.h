#pragma once
// In-silico lesions: silence every unit of one type in the input counts, run the
// model again, and measure what changes: the latent trajectories, each latent's
// variance, the model's bits per spike (against the real, unlesioned counts) and,
// when a target is given, the probe R2 from the latents.
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "neurolens/core/device.h"
#include "neurolens/core/model.h"
#include "neurolens/core/ndarray.h"
#include "neurolens/core/probe.h"
#include "neurolens/core/progress.h"

namespace neurolens {

enum class LesionMode {
  Zero,      // the units' counts set to 0
  MeanRate,  // the units' counts set to their mean count per bin over the recording (removes their modulation only)
  Shuffle,   // each unit's counts permuted across trials within each bin (continuous: circularly shifted)
  Boost,     // the units' counts multiplied by a factor (in-silico stimulation)
};
// "zero" | "mean" (Shuffle and Boost need parseLesionManipulation); throws InputError otherwise.
[[nodiscard]] LesionMode parseLesionMode(const std::string& text);

// A mode with its parameter (the factor of Boost).
struct LesionManipulation {
  LesionMode mode = LesionMode::MeanRate;
  double factor = 1.0;  // Boost only
};
// "zero" | "mean" | "shuffle" | "boost:F" (F finite and > 0); throws InputError naming --mode otherwise.
[[nodiscard]] LesionManipulation parseLesionManipulation(const std::string& text);
[[nodiscard]] std::string lesionManipulationName(const LesionManipulation& manipulation);

// How the counts' rows lie in time, for Shuffle.
struct LesionLayout {
  bool continuous = false;  // true: the trials are consecutive pieces of one recording
  double binMs = 20.0;
  double minShiftS = 10.0;  // continuous Shuffle: each unit's circular shift is at least this long
};

// counts [trials, bins, units] with the units listed in `units` (indices into the
// last axis) manipulated. Shuffle draws from `generator`: with trials, for each unit
// and each bin an independent permutation of the trials (so each unit's counts per
// bin summed over trials, its PSTH, stay the same, while its trial-to-trial
// co-variation with the others is destroyed); for a continuous recording, the
// unit's whole series (all rows in order) is shifted circularly by an independent
// offset of at least layout.minShiftS and at most its length minus that.
// Throws InputError for an index out of range or a recording too short to shift.
[[nodiscard]] FloatArray lesionCounts(const FloatArray& counts, const std::vector<std::size_t>& units,
                                      const LesionManipulation& manipulation, const LesionLayout& layout,
                                      std::mt19937_64& generator);

// counts [trials, bins, units] with the units where silenced[u] is true replaced.
[[nodiscard]] FloatArray lesionCounts(const FloatArray& counts, const std::vector<bool>& silenced, LesionMode mode);

struct LesionOptions {
  LesionMode mode = LesionMode::Zero;
  DeviceChoice device = DeviceChoice::Auto;
  std::optional<ProbeTarget> target;  // probe R2 from latents before and after, when set
  ProbeOptions probe;
};

struct LesionEffect {
  std::string type;
  std::size_t units = 0;  // units silenced
  // RMS over (trial, bin) of |z_lesioned - z_intact|, relative to the RMS spread
  // of the intact latents around their mean (0: no change; 1: as large as the trajectories).
  double trajectoryDistance = 0.0;
  std::vector<double> varianceLost;          // per latent: 1 - var(lesioned) / var(intact) (negative: variance gained)
  std::optional<double> bitsPerSpikeIntact;  // models with rates only
  std::optional<double> bitsPerSpikeLesioned;  // rates from lesioned input, scored on the real counts
  std::optional<double> probeR2Intact;
  std::optional<double> probeR2Lesioned;
};

// Pure measurement of two latent sets [trials, bins, latents] (testable without a model).
void compareLatents(const FloatArray& intact, const FloatArray& lesioned, LesionEffect& effect);

// Lesions each type in `types` (all types when empty). unitTypes: one label per unit.
// Throws InputError for unknown types or sizes that disagree.
[[nodiscard]] std::vector<LesionEffect> lesionTypes(const Model& model, const FloatArray& counts,
                                                    const std::vector<std::string>& unitTypes,
                                                    const std::vector<std::string>& types, const LesionOptions& options,
                                                    const Progress& progress = {});

// --- Lesion studies with a null (neurolens-cli lesion, ../shared/spec/cli.md "lesion") ---

// A lesion effect against R random lesions. percentile (0-100) = share of random
// lesions whose effect is smaller than the real one's; p = (1 + random lesions
// whose effect is at least as large) / (1 + R). largerIsStronger: true when a
// larger value is a larger effect (variance lost, shift), false when a smaller one
// is (R2, bits per spike). Throws InputError without random values.
struct NullComparison {
  double percentile = 0.0;
  double p = 1.0;
};
[[nodiscard]] NullComparison compareWithNull(double observed, const std::vector<double>& random, bool largerIsStronger);

// `repeats` random lesions of selected.size() units each, drawn without
// replacement from the units (0..units-1) outside `selected`. With
// `matchRates` (one rate per unit), each drawn unit is matched to one selected
// unit: the selected units are taken in a random order and each is paired with a
// unit drawn at random among the (up to) `matchPool` remaining outside units
// closest to it in rate. Throws InputError when fewer units lie outside the
// selection than it holds.
[[nodiscard]] std::vector<std::vector<std::size_t>> drawRandomLesions(const std::vector<std::size_t>& selected,
                                                                      std::size_t units, std::size_t repeats,
                                                                      std::uint64_t seed,
                                                                      const std::vector<double>* matchRates = nullptr,
                                                                      std::size_t matchPool = 5);

// What a lesion does to the latents, measured against the intact latents.
struct LatentShift {
  std::vector<double> varianceLost;  // per latent: sum of squared changes / intact sum of squares about the mean
  double meanVarianceLost = 0.0;
  double conditionShift = 0.0;
  std::vector<double> steering;  // mean displacement of the condition means in the intact latents' first PCs
};

// The intact latents [trials, bins, latents] and how trials group into conditions.
// With at least two conditions, condition_shift = mean over conditions of the
// distance (Frobenius, over bins and latents) between the lesioned and intact
// condition-mean trajectories / mean distance between two intact condition-mean
// trajectories. With one group (no labels given, one label only, or a continuous
// recording) the "conditions" are the time points of the mean trajectory:
// RMS over bins of the displacement / RMS distance between two time points of the
// intact trajectory (sqrt(2 x its total variance over bins)).
class LatentReference {
 public:
  // conditionOfTrial: one label per trial, or empty for one group.
  LatentReference(const FloatArray& intact, const std::vector<std::string>& conditionOfTrial);
  [[nodiscard]] LatentShift measure(const FloatArray& lesioned) const;
  [[nodiscard]] std::size_t conditions() const { return groups_.size() > 1 ? groups_.size() : 1; }
  [[nodiscard]] std::size_t principalComponents() const { return components_.size(); }

 private:
  // Condition-mean trajectories [bins x latents] of `latents`, one per group.
  [[nodiscard]] std::vector<std::vector<double>> conditionMeans(const FloatArray& latents) const;
  FloatArray intact_;
  std::vector<std::vector<std::size_t>> groups_;  // trials of each condition
  std::vector<double> sumSquares_;                // per latent, about the mean
  std::vector<std::vector<double>> intactMeans_;
  double scale_ = 0.0;                           // the denominator of condition_shift
  std::vector<std::vector<double>> components_;  // up to 3 principal axes of the intact latents (unit vectors)
};

struct LesionRequest {
  std::string label;
  std::vector<std::size_t> units;  // indices into the counts' unit axis, ascending
};

struct LesionStudyOptions {
  LesionManipulation manipulation;
  LesionLayout layout;
  DeviceChoice device = DeviceChoice::Auto;
  std::optional<ProbeTarget> target;
  ProbeOptions probe;
  std::vector<std::string> conditionOfTrial;  // empty: one group
  std::size_t randomRepeats = 100;
  bool matchRate = false;
  std::uint64_t seed = 0;
};

struct LesionNull {
  NullComparison latentVarianceLost;  // of meanVarianceLost
  NullComparison conditionShift;
  std::optional<NullComparison> probe;  // probe score lesioned
  // bits per spike: each lesion is compared by its change from intact, both on
  // the units it leaves in (each random lesion leaves out other units).
  std::optional<NullComparison> bitsPerSpike;
};

struct LesionStudyEffect {
  std::string label;
  std::vector<std::size_t> units;
  LatentShift shift;
  std::optional<double> probeIntact;  // R2 (numeric target) or accuracy (categorical)
  std::optional<double> probeLesioned;
  std::optional<double> bitsPerSpikeIntact;  // the lesioned units left out of both
  std::optional<double> bitsPerSpikeLesioned;
  LesionNull random;
  FloatArray lesionedLatents;  // [trials, bins, latents]
  // The random lesions' effects (one entry per repeat), for the results file.
  std::vector<double> randomVarianceLost;
  std::vector<double> randomConditionShift;
  std::vector<double> randomProbe;
  std::vector<double> randomBitsChange;
};

struct LesionStudy {
  FloatArray intactLatents;
  bool categoricalProbe = false;
  std::size_t conditions = 1;
  std::vector<LesionStudyEffect> lesions;
  std::vector<std::string> notes;  // from the model runs (device fallbacks ...)
};

// Runs the model once intact, once per lesion and randomRepeats times per lesion
// on random lesions of the same size. Each lesion's random draws are seeded from
// options.seed and its own unit set, so a lesion gives the same numbers whether it
// is run alone or among others. Throws InputError for an empty selection, one
// holding every unit, or one too large for random lesions of its size.
[[nodiscard]] LesionStudy runLesionStudy(const Model& model, const FloatArray& counts,
                                         const std::vector<LesionRequest>& lesions, const LesionStudyOptions& options,
                                         const Progress& progress = {});

}  // namespace neurolens
