#include "neurolens/core/lesion.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "neurolens/core/errors.h"
#include "neurolens/core/metrics.h"

namespace neurolens {

LesionMode parseLesionMode(const std::string& text) {
  if (text == "zero") return LesionMode::Zero;
  if (text == "mean") return LesionMode::MeanRate;
  throw InputError("lesion mode '" + text + "': expected zero or mean");
}

FloatArray lesionCounts(const FloatArray& counts, const std::vector<bool>& silenced, LesionMode mode) {
  if (counts.rank() != 3) throw InputError("lesion: counts must be [trials, bins, units]");
  const std::size_t rows = counts.dim(0) * counts.dim(1);
  const std::size_t units = counts.dim(2);
  if (silenced.size() != units)
    throw InputError("lesion: " + std::to_string(silenced.size()) + " unit flags for " + std::to_string(units) +
                     " units");
  std::vector<double> fill(units, 0.0);
  if (mode == LesionMode::MeanRate && rows > 0) {
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t u = 0; u < units; ++u) fill[u] += counts.values()[r * units + u];
    for (double& value : fill) value /= static_cast<double>(rows);
  }
  FloatArray lesioned = counts;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t u = 0; u < units; ++u)
      if (silenced[u]) lesioned.values()[r * units + u] = static_cast<float>(fill[u]);
  return lesioned;
}

void compareLatents(const FloatArray& intact, const FloatArray& lesioned, LesionEffect& effect) {
  if (intact.shape() != lesioned.shape() || intact.rank() != 3) throw InputError("lesion: latent sets differ in shape");
  const std::size_t rows = intact.dim(0) * intact.dim(1);
  const std::size_t latents = intact.dim(2);
  if (rows == 0 || latents == 0) throw InputError("lesion: no latents to compare");
  std::vector<double> meanIntact(latents, 0.0);
  std::vector<double> meanLesioned(latents, 0.0);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t d = 0; d < latents; ++d) {
      meanIntact[d] += intact.values()[r * latents + d];
      meanLesioned[d] += lesioned.values()[r * latents + d];
    }
  for (std::size_t d = 0; d < latents; ++d) {
    meanIntact[d] /= static_cast<double>(rows);
    meanLesioned[d] /= static_cast<double>(rows);
  }
  std::vector<double> varIntact(latents, 0.0);
  std::vector<double> varLesioned(latents, 0.0);
  double distance = 0.0;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t d = 0; d < latents; ++d) {
      const double a = intact.values()[r * latents + d];
      const double b = lesioned.values()[r * latents + d];
      varIntact[d] += (a - meanIntact[d]) * (a - meanIntact[d]);
      varLesioned[d] += (b - meanLesioned[d]) * (b - meanLesioned[d]);
      distance += (a - b) * (a - b);
    }
  double spread = 0.0;
  for (const double v : varIntact) spread += v;
  effect.trajectoryDistance =
      spread > 0.0 ? std::sqrt(distance / spread) : (distance > 0.0 ? std::numeric_limits<double>::infinity() : 0.0);
  effect.varianceLost.clear();
  for (std::size_t d = 0; d < latents; ++d)
    effect.varianceLost.push_back(varIntact[d] > 0.0 ? 1.0 - varLesioned[d] / varIntact[d] : 0.0);
}

std::vector<LesionEffect> lesionTypes(const Model& model, const FloatArray& counts,
                                      const std::vector<std::string>& unitTypes, const std::vector<std::string>& types,
                                      const LesionOptions& options, const Progress& progress) {
  if (counts.rank() != 3 || unitTypes.size() != counts.dim(2))
    throw InputError("lesion: one type label per unit is needed");
  const std::set<std::string> known(unitTypes.begin(), unitTypes.end());
  std::vector<std::string> chosen = types;
  if (chosen.empty()) chosen.assign(known.begin(), known.end());
  for (const auto& type : chosen)
    if (known.count(type) == 0) throw InputError("lesion: no unit has type '" + type + "'");

  const double steps = static_cast<double>(chosen.size() + 1);
  const ModelOutputs intact = model.infer(counts, options.device, progress.sub(0.0, 1.0 / steps));
  std::optional<double> intactBits;
  if (intact.rates) intactBits = bitsPerSpike(*intact.rates, counts);
  std::optional<double> intactR2;
  if (options.target) intactR2 = runProbe(intact.latents, *options.target, options.probe).r2;

  std::vector<LesionEffect> effects;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    LesionEffect effect;
    effect.type = chosen[i];
    std::vector<bool> silenced(unitTypes.size(), false);
    for (std::size_t u = 0; u < unitTypes.size(); ++u) silenced[u] = unitTypes[u] == chosen[i];
    effect.units = static_cast<std::size_t>(std::count(silenced.begin(), silenced.end(), true));
    const ModelOutputs lesioned =
        model.infer(lesionCounts(counts, silenced, options.mode), options.device,
                    progress.sub(static_cast<double>(i + 1) / steps, static_cast<double>(i + 2) / steps));
    compareLatents(intact.latents, lesioned.latents, effect);
    effect.bitsPerSpikeIntact = intactBits;
    if (lesioned.rates) effect.bitsPerSpikeLesioned = bitsPerSpike(*lesioned.rates, counts);
    effect.probeR2Intact = intactR2;
    if (options.target) effect.probeR2Lesioned = runProbe(lesioned.latents, *options.target, options.probe).r2;
    effects.push_back(std::move(effect));
  }
  return effects;
}

}  // namespace neurolens
