#include "neurolens/core/lesion.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include "neurolens/core/errors.h"
#include "neurolens/core/metrics.h"

namespace neurolens {

LesionMode parseLesionMode(const std::string& text) {
  if (text == "zero") return LesionMode::Zero;
  if (text == "mean") return LesionMode::MeanRate;
  throw InputError("lesion mode '" + text + "': expected zero or mean");
}

LesionManipulation parseLesionManipulation(const std::string& text) {
  LesionManipulation out;
  if (text == "zero" || text == "mean") {
    out.mode = parseLesionMode(text);
    return out;
  }
  if (text == "shuffle") {
    out.mode = LesionMode::Shuffle;
    return out;
  }
  const std::string prefix = "boost:";
  if (text.rfind(prefix, 0) == 0) {
    const std::string number = text.substr(prefix.size());
    double factor = std::numeric_limits<double>::quiet_NaN();
    try {
      std::size_t used = 0;
      factor = std::stod(number, &used);
      if (used != number.size()) factor = std::numeric_limits<double>::quiet_NaN();
    } catch (const std::logic_error&) {
      factor = std::numeric_limits<double>::quiet_NaN();
    }
    if (!std::isfinite(factor) || factor <= 0.0)
      throw InputError("--mode " + text + ": the boost factor must be a finite number above 0 (e.g. boost:2)");
    out.mode = LesionMode::Boost;
    out.factor = factor;
    return out;
  }
  throw InputError("--mode '" + text + "': expected zero, mean, shuffle or boost:F (e.g. boost:2)");
}

std::string lesionManipulationName(const LesionManipulation& manipulation) {
  switch (manipulation.mode) {
    case LesionMode::Zero:
      return "zero";
    case LesionMode::MeanRate:
      return "mean";
    case LesionMode::Shuffle:
      return "shuffle";
    case LesionMode::Boost: {
      std::ostringstream text;
      text << "boost:" << manipulation.factor;
      return text.str();
    }
  }
  return "mean";
}

namespace {

// Uniform in [0, n) from the engine alone (std's distributions differ between
// standard libraries; the engine's output does not), by rejection.
std::uint64_t uniformBelow(std::mt19937_64& generator, std::uint64_t n) {
  const std::uint64_t span = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t limit = span - span % n;
  std::uint64_t value = generator();
  while (value >= limit) value = generator();
  return value % n;
}

template <typename T>
void shuffleInPlace(std::vector<T>& values, std::mt19937_64& generator) {
  for (std::size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[uniformBelow(generator, i)]);
}

std::uint64_t splitMix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27U)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31U);
}

std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t salt) { return splitMix(seed ^ splitMix(salt)); }

std::uint64_t hashUnits(const std::vector<std::size_t>& units) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a over the indices
  for (const std::size_t unit : units) {
    hash ^= static_cast<std::uint64_t>(unit);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace

FloatArray lesionCounts(const FloatArray& counts, const std::vector<std::size_t>& units,
                        const LesionManipulation& manipulation, const LesionLayout& layout,
                        std::mt19937_64& generator) {
  if (counts.rank() != 3) throw InputError("lesion: counts must be [trials, bins, units]");
  const std::size_t trials = counts.dim(0);
  const std::size_t bins = counts.dim(1);
  const std::size_t unitCount = counts.dim(2);
  const std::size_t rows = trials * bins;
  for (const std::size_t unit : units)
    if (unit >= unitCount)
      throw InputError("lesion: unit index " + std::to_string(unit) + " for " + std::to_string(unitCount) + " units");
  FloatArray lesioned = counts;
  float* out = lesioned.values().data();
  const float* in = counts.values().data();
  switch (manipulation.mode) {
    case LesionMode::Zero:
    case LesionMode::MeanRate: {
      std::vector<bool> silenced(unitCount, false);
      for (const std::size_t unit : units) silenced[unit] = true;
      return lesionCounts(counts, silenced, manipulation.mode);
    }
    case LesionMode::Boost:
      for (std::size_t r = 0; r < rows; ++r)
        for (const std::size_t unit : units)
          out[r * unitCount + unit] = static_cast<float>(in[r * unitCount + unit] * manipulation.factor);
      return lesioned;
    case LesionMode::Shuffle:
      break;
  }
  if (layout.continuous) {
    const double binS = layout.binMs / 1000.0;
    const auto minShift = static_cast<std::size_t>(std::ceil(layout.minShiftS / binS - 1e-9));
    if (rows < 2 * minShift || rows < 2) {
      std::ostringstream message;
      message << "--mode shuffle: the continuous recording is " << static_cast<double>(rows) * binS
              << " s long; circular shifts of at least " << layout.minShiftS
              << " s each way need a recording at least twice as long";
      throw InputError(message.str());
    }
    const std::size_t choices = rows - 2 * minShift + 1;  // offsets minShift .. rows - minShift
    for (const std::size_t unit : units) {
      const std::size_t offset = minShift + static_cast<std::size_t>(uniformBelow(generator, choices));
      for (std::size_t r = 0; r < rows; ++r) out[((r + offset) % rows) * unitCount + unit] = in[r * unitCount + unit];
    }
    return lesioned;
  }
  if (trials < 2) throw InputError("--mode shuffle permutes trials within each bin and needs at least 2 trials");
  std::vector<std::size_t> order(trials);
  for (const std::size_t unit : units)
    for (std::size_t b = 0; b < bins; ++b) {
      std::iota(order.begin(), order.end(), std::size_t{0});
      shuffleInPlace(order, generator);
      for (std::size_t t = 0; t < trials; ++t)
        out[(t * bins + b) * unitCount + unit] = in[(order[t] * bins + b) * unitCount + unit];
    }
  return lesioned;
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

NullComparison compareWithNull(double observed, const std::vector<double>& random, bool largerIsStronger) {
  if (random.empty()) throw InputError("lesion: no random lesions to compare with");
  std::size_t weaker = 0;
  std::size_t asStrong = 0;
  for (const double value : random) {
    const bool smallerEffect = largerIsStronger ? value < observed : value > observed;
    if (smallerEffect)
      ++weaker;
    else
      ++asStrong;  // at least as large an effect (NaN counts against the real lesion)
  }
  NullComparison out;
  out.percentile = 100.0 * static_cast<double>(weaker) / static_cast<double>(random.size());
  out.p = static_cast<double>(1 + asStrong) / static_cast<double>(1 + random.size());
  return out;
}

std::vector<std::vector<std::size_t>> drawRandomLesions(const std::vector<std::size_t>& selected, std::size_t units,
                                                        std::size_t repeats, std::uint64_t seed,
                                                        const std::vector<double>* matchRates, std::size_t matchPool) {
  std::vector<bool> inSelection(units, false);
  for (const std::size_t unit : selected) {
    if (unit >= units) throw InputError("lesion: unit index " + std::to_string(unit) + " out of range");
    inSelection[unit] = true;
  }
  std::vector<std::size_t> outside;
  for (std::size_t u = 0; u < units; ++u)
    if (!inSelection[u]) outside.push_back(u);
  const std::size_t size = selected.size();
  if (outside.size() < size)
    throw InputError("the lesion holds " + std::to_string(size) + " of " + std::to_string(units) +
                     " units; random lesions of the same size need at least as many units outside it (there are " +
                     std::to_string(outside.size()) + ")");
  if (matchRates != nullptr && matchRates->size() != units)
    throw InputError("lesion: one firing rate per unit is needed to match rates");
  std::mt19937_64 generator(seed);
  std::vector<std::vector<std::size_t>> draws;
  draws.reserve(repeats);
  for (std::size_t r = 0; r < repeats; ++r) {
    std::vector<std::size_t> draw;
    if (matchRates == nullptr) {
      std::vector<std::size_t> pool = outside;
      for (std::size_t i = 0; i < size; ++i)  // partial Fisher-Yates
        std::swap(pool[i], pool[i + uniformBelow(generator, pool.size() - i)]);
      draw.assign(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(size));
    } else {
      std::vector<std::size_t> order = selected;
      shuffleInPlace(order, generator);
      std::vector<std::size_t> remaining = outside;
      for (const std::size_t target : order) {
        const double rate = (*matchRates)[target];
        const std::size_t pool = std::max<std::size_t>(1, std::min(matchPool, remaining.size()));
        std::partial_sort(remaining.begin(), remaining.begin() + static_cast<std::ptrdiff_t>(pool), remaining.end(),
                          [&](std::size_t a, std::size_t b) {
                            const double da = std::abs((*matchRates)[a] - rate);
                            const double db = std::abs((*matchRates)[b] - rate);
                            return da != db ? da < db : a < b;
                          });
        const std::size_t pick = uniformBelow(generator, pool);
        draw.push_back(remaining[pick]);
        remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(pick));
      }
    }
    std::sort(draw.begin(), draw.end());
    draws.push_back(std::move(draw));
  }
  return draws;
}

LatentReference::LatentReference(const FloatArray& intact, const std::vector<std::string>& conditionOfTrial)
    : intact_(intact) {
  if (intact.rank() != 3 || intact.size() == 0) throw InputError("lesion: no intact latents");
  const std::size_t trials = intact.dim(0);
  const std::size_t bins = intact.dim(1);
  const std::size_t latents = intact.dim(2);
  if (!conditionOfTrial.empty() && conditionOfTrial.size() != trials)
    throw InputError("lesion: " + std::to_string(conditionOfTrial.size()) + " condition labels for " +
                     std::to_string(trials) + " trials");
  std::map<std::string, std::vector<std::size_t>> byLabel;
  for (std::size_t t = 0; t < conditionOfTrial.size(); ++t) byLabel[conditionOfTrial[t]].push_back(t);
  if (byLabel.size() >= 2) {
    for (auto& entry : byLabel) groups_.push_back(std::move(entry.second));
  } else {
    groups_.emplace_back(trials);
    std::iota(groups_.front().begin(), groups_.front().end(), std::size_t{0});
  }

  const std::size_t rows = trials * bins;
  const float* z = intact.values().data();
  Eigen::VectorXd mean = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(latents));
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t d = 0; d < latents; ++d) mean(static_cast<Eigen::Index>(d)) += z[r * latents + d];
  mean /= static_cast<double>(rows);
  Eigen::MatrixXd scatter =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(latents), static_cast<Eigen::Index>(latents));
  Eigen::VectorXd row(static_cast<Eigen::Index>(latents));
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t d = 0; d < latents; ++d)
      row(static_cast<Eigen::Index>(d)) = z[r * latents + d] - mean(static_cast<Eigen::Index>(d));
    scatter.selfadjointView<Eigen::Lower>().rankUpdate(row);
  }
  scatter = scatter.selfadjointView<Eigen::Lower>();
  sumSquares_.resize(latents);
  for (std::size_t d = 0; d < latents; ++d)
    sumSquares_[d] = scatter(static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(d));
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(scatter);
  const std::size_t keep = std::min<std::size_t>(3, latents);
  for (std::size_t k = 0; k < keep; ++k) {
    Eigen::VectorXd axis = solver.eigenvectors().col(static_cast<Eigen::Index>(latents - 1 - k));  // descending
    Eigen::Index largest = 0;
    axis.cwiseAbs().maxCoeff(&largest);
    if (axis(largest) < 0.0) axis = -axis;  // a fixed sign, so steering vectors compare between runs
    components_.emplace_back(axis.data(), axis.data() + axis.size());
  }

  intactMeans_ = conditionMeans(intact);
  if (groups_.size() >= 2) {
    double total = 0.0;
    std::size_t pairs = 0;
    for (std::size_t a = 0; a < intactMeans_.size(); ++a)
      for (std::size_t b = a + 1; b < intactMeans_.size(); ++b) {
        double sum = 0.0;
        for (std::size_t i = 0; i < intactMeans_[a].size(); ++i)
          sum += (intactMeans_[a][i] - intactMeans_[b][i]) * (intactMeans_[a][i] - intactMeans_[b][i]);
        total += std::sqrt(sum);
        ++pairs;
      }
    scale_ = total / static_cast<double>(pairs);
  } else {
    // RMS distance between two time points of the mean trajectory: sqrt(2 x total variance over bins).
    const std::vector<double>& m = intactMeans_.front();
    double variance = 0.0;
    for (std::size_t d = 0; d < latents; ++d) {
      double mu = 0.0;
      for (std::size_t b = 0; b < bins; ++b) mu += m[b * latents + d];
      mu /= static_cast<double>(bins);
      for (std::size_t b = 0; b < bins; ++b) variance += (m[b * latents + d] - mu) * (m[b * latents + d] - mu);
    }
    scale_ = std::sqrt(2.0 * variance / static_cast<double>(bins));
  }
}

std::vector<std::vector<double>> LatentReference::conditionMeans(const FloatArray& latents) const {
  const std::size_t bins = latents.dim(1);
  const std::size_t width = latents.dim(2);
  std::vector<std::vector<double>> means;
  for (const auto& trials : groups_) {
    std::vector<double> m(bins * width, 0.0);
    for (const std::size_t t : trials)
      for (std::size_t i = 0; i < bins * width; ++i) m[i] += latents.values()[t * bins * width + i];
    for (double& value : m) value /= static_cast<double>(trials.size());
    means.push_back(std::move(m));
  }
  return means;
}

namespace {
double ratio(double value, double scale) {
  if (scale > 0.0) return value / scale;
  return value > 0.0 ? std::numeric_limits<double>::infinity() : 0.0;
}
}  // namespace

LatentShift LatentReference::measure(const FloatArray& lesioned) const {
  if (lesioned.shape() != intact_.shape()) throw InputError("lesion: latent sets differ in shape");
  const std::size_t bins = intact_.dim(1);
  const std::size_t latents = intact_.dim(2);
  const std::size_t rows = intact_.dim(0) * bins;
  LatentShift shift;
  std::vector<double> changed(latents, 0.0);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t d = 0; d < latents; ++d) {
      const double delta = static_cast<double>(lesioned.values()[r * latents + d]) - intact_.values()[r * latents + d];
      changed[d] += delta * delta;
    }
  for (std::size_t d = 0; d < latents; ++d) shift.varianceLost.push_back(ratio(changed[d], sumSquares_[d]));
  shift.meanVarianceLost =
      std::accumulate(shift.varianceLost.begin(), shift.varianceLost.end(), 0.0) / static_cast<double>(latents);

  const std::vector<std::vector<double>> means = conditionMeans(lesioned);
  double distance = 0.0;
  std::vector<double> displacement(latents, 0.0);
  for (std::size_t c = 0; c < means.size(); ++c) {
    double sum = 0.0;
    for (std::size_t i = 0; i < means[c].size(); ++i) {
      const double delta = means[c][i] - intactMeans_[c][i];
      sum += delta * delta;
      displacement[i % latents] += delta;
    }
    distance += groups_.size() >= 2 ? std::sqrt(sum) : std::sqrt(sum / static_cast<double>(bins));
  }
  distance /= static_cast<double>(means.size());
  shift.conditionShift = ratio(distance, scale_);
  for (double& value : displacement) value /= static_cast<double>(means.size() * bins);
  for (const auto& axis : components_) {
    double along = 0.0;
    for (std::size_t d = 0; d < latents; ++d) along += axis[d] * displacement[d];
    shift.steering.push_back(along);
  }
  return shift;
}

namespace {

double probeScore(const ProbeResult& result) { return result.categorical ? result.accuracy : result.r2; }

// Bits per spike of `rates` on the units not in `leftOut` (ascending).
double bitsWithout(const FloatArray& rates, const FloatArray& counts, const std::vector<std::size_t>& leftOut) {
  const std::size_t rows = counts.dim(0) * counts.dim(1);
  const std::size_t units = counts.dim(2);
  std::vector<std::size_t> kept;
  for (std::size_t u = 0, i = 0; u < units; ++u) {
    if (i < leftOut.size() && leftOut[i] == u) {
      ++i;
      continue;
    }
    kept.push_back(u);
  }
  FloatArray keptRates({counts.dim(0), counts.dim(1), kept.size()});
  FloatArray keptCounts({counts.dim(0), counts.dim(1), kept.size()});
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < kept.size(); ++k) {
      keptRates.values()[r * kept.size() + k] = rates.values()[r * units + kept[k]];
      keptCounts.values()[r * kept.size() + k] = counts.values()[r * units + kept[k]];
    }
  return bitsPerSpike(keptRates, keptCounts);
}

}  // namespace

LesionStudy runLesionStudy(const Model& model, const FloatArray& counts, const std::vector<LesionRequest>& lesions,
                           const LesionStudyOptions& options, const Progress& progress) {
  if (counts.rank() != 3 || counts.size() == 0) throw InputError("lesion: no counts");
  const std::size_t units = counts.dim(2);
  if (lesions.empty()) throw InputError("lesion: no lesion asked for");
  if (options.randomRepeats == 0) throw InputError("--random-repeats must be at least 1");
  for (const auto& lesion : lesions) {
    if (lesion.units.empty()) throw InputError("lesion '" + lesion.label + "' selects no unit");
    if (!std::is_sorted(lesion.units.begin(), lesion.units.end()) ||
        std::adjacent_find(lesion.units.begin(), lesion.units.end()) != lesion.units.end() ||
        lesion.units.back() >= units)
      throw InputError("lesion '" + lesion.label + "': unit indices must be ascending, distinct and in range");
    if (lesion.units.size() == units)
      throw InputError("lesion '" + lesion.label + "' selects every unit (" + std::to_string(units) +
                       "): nothing would be left to compare with");
    if (units - lesion.units.size() < lesion.units.size())
      throw InputError("lesion '" + lesion.label + "' holds " + std::to_string(lesion.units.size()) + " of " +
                       std::to_string(units) +
                       " units; random lesions of the same size need at least as many units outside it (there are " +
                       std::to_string(units - lesion.units.size()) + ")");
  }

  const double steps = 1.0 + static_cast<double>(lesions.size() * (1 + options.randomRepeats));
  double done = 0.0;
  LesionStudy study;
  auto infer = [&](const FloatArray& input) {
    RunReport report;
    ModelOutputs outputs =
        model.infer(input, options.device, progress.sub(done / steps, (done + 1.0) / steps), &report);
    done += 1.0;
    for (const auto& note : report.notes)
      if (std::find(study.notes.begin(), study.notes.end(), note) == study.notes.end()) study.notes.push_back(note);
    return outputs;
  };
  ModelOutputs intact = infer(counts);
  const LatentReference reference(intact.latents, options.conditionOfTrial);
  study.conditions = reference.conditions();
  std::optional<double> intactProbe;
  if (options.target) {
    const ProbeResult result = runProbe(intact.latents, *options.target, options.probe);
    study.categoricalProbe = result.categorical;
    intactProbe = probeScore(result);
  }
  std::vector<double> rates(units, 0.0);
  const std::size_t rows = counts.dim(0) * counts.dim(1);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t u = 0; u < units; ++u) rates[u] += counts.values()[r * units + u];
  for (double& rate : rates) rate /= static_cast<double>(rows);

  for (const auto& lesion : lesions) {
    LesionStudyEffect effect;
    effect.label = lesion.label;
    effect.units = lesion.units;
    const std::uint64_t key = mixSeed(options.seed, hashUnits(lesion.units));
    std::mt19937_64 manipulation(mixSeed(key, 1));
    ModelOutputs lesioned =
        infer(lesionCounts(counts, lesion.units, options.manipulation, options.layout, manipulation));
    effect.shift = reference.measure(lesioned.latents);
    effect.probeIntact = intactProbe;
    if (options.target) effect.probeLesioned = probeScore(runProbe(lesioned.latents, *options.target, options.probe));
    double bitsChange = 0.0;
    if (intact.rates && lesioned.rates) {
      effect.bitsPerSpikeIntact = bitsWithout(*intact.rates, counts, lesion.units);
      effect.bitsPerSpikeLesioned = bitsWithout(*lesioned.rates, counts, lesion.units);
      bitsChange = *effect.bitsPerSpikeLesioned - *effect.bitsPerSpikeIntact;
    }
    effect.lesionedLatents = std::move(lesioned.latents);

    const std::vector<std::vector<std::size_t>> draws = drawRandomLesions(
        lesion.units, units, options.randomRepeats, mixSeed(key, 2), options.matchRate ? &rates : nullptr);
    for (std::size_t r = 0; r < draws.size(); ++r) {
      std::mt19937_64 randomManipulation(mixSeed(key, 3 + r));
      const ModelOutputs outputs =
          infer(lesionCounts(counts, draws[r], options.manipulation, options.layout, randomManipulation));
      const LatentShift shift = reference.measure(outputs.latents);
      effect.randomVarianceLost.push_back(shift.meanVarianceLost);
      effect.randomConditionShift.push_back(shift.conditionShift);
      if (options.target)
        effect.randomProbe.push_back(probeScore(runProbe(outputs.latents, *options.target, options.probe)));
      if (effect.bitsPerSpikeIntact && outputs.rates)
        effect.randomBitsChange.push_back(bitsWithout(*outputs.rates, counts, draws[r]) -
                                          bitsWithout(*intact.rates, counts, draws[r]));
    }
    effect.random.latentVarianceLost = compareWithNull(effect.shift.meanVarianceLost, effect.randomVarianceLost, true);
    effect.random.conditionShift = compareWithNull(effect.shift.conditionShift, effect.randomConditionShift, true);
    if (options.target) effect.random.probe = compareWithNull(*effect.probeLesioned, effect.randomProbe, false);
    if (effect.bitsPerSpikeIntact && effect.randomBitsChange.size() == draws.size())
      effect.random.bitsPerSpike = compareWithNull(bitsChange, effect.randomBitsChange, false);
    study.lesions.push_back(std::move(effect));
  }
  study.intactLatents = std::move(intact.latents);
  return study;
}

}  // namespace neurolens
