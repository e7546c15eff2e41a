#pragma once
// How well a model's predicted rates explain the spikes, computed exactly as the
// Neural Latents Benchmark does (nlb_tools.evaluation), so numbers compare one to
// one with published co-bps and PSTH R2 values.
#include <string>
#include <vector>

#include "neurolens/core/ndarray.h"

namespace neurolens {

// nlb_tools.evaluation.neg_log_likelihood: sum over every (trial, bin, unit) of
// r - n log r + lgamma(n + 1); rates of exactly zero count as 1e-9; NaN counts
// are left out. Throws InputError for mismatched shapes, NaN or negative rates.
[[nodiscard]] double poissonNegLogLikelihood(const FloatArray& rates, const FloatArray& counts);

// nlb_tools.evaluation.bits_per_spike: (NLL of the null model - NLL of the rates)
// / total spikes / ln 2, the null model predicting each unit's mean count per bin
// over all trials and bins. rates and counts are [trials, bins, units]
// (expected counts per bin). Throws InputError when there are no spikes.
[[nodiscard]] double bitsPerSpike(const FloatArray& rates, const FloatArray& counts);

struct PsthR2 {
  double mean = 0.0;                    // R2 averaged uniformly over units (nlb_tools' number)
  std::vector<double> perUnit;          // sklearn r2_score per unit
  std::vector<std::string> conditions;  // condition labels in the order used (sorted)
};

// nlb_tools.evaluation.eval_psth with the true PSTH = each condition's mean
// observed counts and the predicted PSTH = each condition's mean predicted rates;
// the condition x bin rows of all conditions are stacked and sklearn's r2_score
// (per unit: 1 - SS_res / SS_tot; 1 when both are 0, 0 when only SS_tot is)
// is averaged over units. conditionOfTrial has one label per trial.
[[nodiscard]] PsthR2 psthR2(const FloatArray& rates, const FloatArray& counts,
                            const std::vector<std::string>& conditionOfTrial);

}  // namespace neurolens
