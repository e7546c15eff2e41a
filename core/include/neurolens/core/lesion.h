#pragma once
// In-silico lesions: silence every unit of one type in the input counts, run the
// model again, and measure what changes: the latent trajectories, each latent's
// variance, the model's bits per spike (against the real, unlesioned counts) and,
// when a target is given, the probe R2 from the latents.
#include <optional>
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
};
// "zero" | "mean"; throws InputError otherwise.
[[nodiscard]] LesionMode parseLesionMode(const std::string& text);

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

}  // namespace neurolens
