#include "neurolens/core/metrics.h"

#include <cmath>
#include <map>

#include "neurolens/core/errors.h"

namespace neurolens {
namespace {

void checkShapes(const FloatArray& rates, const FloatArray& counts) {
  if (counts.rank() != 3 || rates.shape() != counts.shape() || counts.empty())
    throw InputError("rates and spike counts must both be non-empty [trials, bins, units] arrays of the same shape");
}

// Sum of r - n log r + lgamma(n + 1) with the rate for element i taken from rateAt(i).
template <typename RateAt>
double negLogLikelihood(const FloatArray& counts, RateAt rateAt) {
  double total = 0.0;
  const auto& n = counts.values();
  for (std::size_t i = 0; i < n.size(); ++i) {
    const double count = n[i];
    if (std::isnan(count)) continue;
    double rate = rateAt(i);
    if (std::isnan(rate)) throw InputError("the model's predicted rates contain NaN");
    if (rate < 0.0) throw InputError("the model's predicted rates contain negative values");
    if (rate == 0.0) rate = 1e-9;  // as nlb_tools does
    total += rate - count * std::log(rate) + std::lgamma(count + 1.0);
  }
  return total;
}

}  // namespace

double poissonNegLogLikelihood(const FloatArray& rates, const FloatArray& counts) {
  checkShapes(rates, counts);
  return negLogLikelihood(counts, [&](std::size_t i) { return static_cast<double>(rates.values()[i]); });
}

double bitsPerSpike(const FloatArray& rates, const FloatArray& counts) {
  checkShapes(rates, counts);
  const std::size_t units = counts.dim(2);
  // Null model: each unit's mean count per bin over all trials and bins (NaN ignored).
  std::vector<double> sum(units, 0.0);
  std::vector<double> seen(units, 0.0);
  double totalSpikes = 0.0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double count = counts.values()[i];
    if (std::isnan(count)) continue;
    sum[i % units] += count;
    seen[i % units] += 1.0;
    totalSpikes += count;
  }
  if (!(totalSpikes > 0.0))
    throw InputError("the recording has no spikes in the binned window: bits per spike is undefined");
  std::vector<double> nullRate(units);
  for (std::size_t u = 0; u < units; ++u) nullRate[u] = seen[u] > 0.0 ? sum[u] / seen[u] : 0.0;

  const double nllModel = poissonNegLogLikelihood(rates, counts);
  const double nllNull = negLogLikelihood(counts, [&](std::size_t i) { return nullRate[i % units]; });
  return (nllNull - nllModel) / totalSpikes / std::log(2.0);
}

PsthR2 psthR2(const FloatArray& rates, const FloatArray& counts, const std::vector<std::string>& conditionOfTrial) {
  checkShapes(rates, counts);
  const std::size_t trials = counts.dim(0);
  const std::size_t bins = counts.dim(1);
  const std::size_t units = counts.dim(2);
  if (conditionOfTrial.size() != trials)
    throw InputError("PSTH R2 needs one condition per trial: got " + std::to_string(conditionOfTrial.size()) +
                     " labels for " + std::to_string(trials) + " trials");
  std::map<std::string, std::vector<std::size_t>> trialsOf;
  for (std::size_t t = 0; t < trials; ++t) trialsOf[conditionOfTrial[t]].push_back(t);

  // Condition means, stacked: rows (condition, bin), columns units.
  PsthR2 result;
  const std::size_t rows = trialsOf.size() * bins;
  std::vector<double> truePsth(rows * units, 0.0);
  std::vector<double> predPsth(rows * units, 0.0);
  std::size_t c = 0;
  for (const auto& [label, members] : trialsOf) {
    result.conditions.push_back(label);
    const double weight = 1.0 / static_cast<double>(members.size());
    for (std::size_t t : members)
      for (std::size_t b = 0; b < bins; ++b)
        for (std::size_t u = 0; u < units; ++u) {
          const std::size_t row = (c * bins + b) * units + u;
          truePsth[row] += weight * counts(t, b, u);
          predPsth[row] += weight * rates(t, b, u);
        }
    ++c;
  }
  for (double v : predPsth)
    if (std::isnan(v)) throw InputError("the model's predicted rates contain NaN");

  result.perUnit.assign(units, 0.0);
  double total = 0.0;
  for (std::size_t u = 0; u < units; ++u) {
    double mean = 0.0;
    for (std::size_t r = 0; r < rows; ++r) mean += truePsth[r * units + u];
    mean /= static_cast<double>(rows);
    double residual = 0.0;
    double spread = 0.0;
    for (std::size_t r = 0; r < rows; ++r) {
      const double y = truePsth[r * units + u];
      residual += (y - predPsth[r * units + u]) * (y - predPsth[r * units + u]);
      spread += (y - mean) * (y - mean);
    }
    // sklearn's r2_score with force_finite=True
    double r2 = 1.0;
    if (spread != 0.0)
      r2 = 1.0 - residual / spread;
    else if (residual != 0.0)
      r2 = 0.0;
    result.perUnit[u] = r2;
    total += r2;
  }
  result.mean = total / static_cast<double>(units);
  return result;
}

}  // namespace neurolens
