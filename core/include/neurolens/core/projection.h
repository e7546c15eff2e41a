#pragma once
// Low-dimensional views of latents (or smoothed rates/counts when there is no
// model): PCA, projection onto probe axes, and the alignment of one latent set
// onto another (CCA, orthogonal Procrustes) with measures of how well they agree.
// Arrays are [trials, bins, features]; rows for fitting are (trial, bin) pairs.
#include <Eigen/Dense>
#include <string>
#include <vector>

#include "neurolens/core/ndarray.h"

namespace neurolens {

// [trials, bins, features] <-> [trials * bins, features] (row = trial * bins + bin).
[[nodiscard]] Eigen::MatrixXd flattenRows(const FloatArray& data);
[[nodiscard]] FloatArray unflattenRows(const Eigen::MatrixXd& rows, std::size_t trials, std::size_t bins);

// Mean over the trials of each condition: [conditions, bins, features], conditions
// in sorted order (written to `names`). Throws InputError when the sizes disagree.
[[nodiscard]] FloatArray conditionAverage(const FloatArray& data, const std::vector<std::string>& trialConditions,
                                          std::vector<std::string>* names = nullptr);

// Gaussian smoothing along bins within each trial (sigma in bins, kernel cut at
// 4 sigma and renormalised at the trial's edges); sigma <= 0 returns the data.
[[nodiscard]] FloatArray smoothAlongBins(const FloatArray& data, double sigmaBins);

struct PcaResult {
  FloatArray projected;                        // [trials, bins, k]
  Eigen::MatrixXd components;                  // [k, features], unit rows; sign: largest loading positive
  Eigen::RowVectorXd mean;                     // [features]
  std::vector<double> explainedVariance;       // [k], s^2 / (rows - 1) as sklearn's PCA
  std::vector<double> explainedVarianceRatio;  // [k], share of the total variance
};
// PCA of plain rows [rows, features] in double precision: the top k components
// (unit rows, sign: largest loading positive), the mean and the variance of every
// component (s^2 / (rows - 1)). Throws InputError for k = 0, k > features or < 2 rows.
struct RowPca {
  Eigen::MatrixXd components;  // [k, features]
  Eigen::RowVectorXd mean;     // [features]
  Eigen::VectorXd variance;    // [min(rows, features)], all components, descending
};
[[nodiscard]] RowPca pcaOfRows(const Eigen::MatrixXd& rows, std::size_t k);

// PCA fitted on every (trial, bin) row of `data`; k <= features. Pass
// conditionAverage(...) to fit and show condition means.
[[nodiscard]] PcaResult pca(const FloatArray& data, std::size_t k);
// Projects other data (e.g. single trials) with a fitted PCA.
[[nodiscard]] FloatArray applyPca(const PcaResult& fitted, const FloatArray& data);

// Projection onto the plane spanned by probe weights (columns of `axes`,
// [features, k], e.g. ProbeResult::weights): the columns are orthonormalised
// (QR, order kept), the data centred on `mean`. Returns [trials, bins, k].
[[nodiscard]] FloatArray projectOntoAxes(const FloatArray& data, const Eigen::MatrixXd& axes,
                                         const Eigen::RowVectorXd& mean);

struct CcaResult {
  std::vector<double> correlations;  // canonical correlations, descending
  Eigen::MatrixXd weightsA;          // [featuresA, k]: canonical variates of A are (A - meanA) weightsA
  Eigen::MatrixXd weightsB;          // [featuresB, k]
  Eigen::RowVectorXd meanA;
  Eigen::RowVectorXd meanB;
};
// Classical CCA by SVD of the whitened cross-covariance (directions of
// near-zero variance, below 1e-10 of the largest, are dropped). k = 0: all.
[[nodiscard]] CcaResult cca(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, std::size_t k = 0);

// The orthogonal R minimising ||a R - b||_F (no centring, no scaling), as
// scipy.linalg.orthogonal_procrustes; scale = sum of singular values of a^T b.
struct ProcrustesResult {
  Eigen::MatrixXd rotation;
  double scale = 0.0;
};
[[nodiscard]] ProcrustesResult orthogonalProcrustes(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);

// CEBRA-style consistency: R2 (uniform average over `to`'s columns) of the
// least-squares linear map with intercept from `from` to `to`, fitted and scored
// on the same rows (as cebra.sklearn.metrics.consistency_score).
[[nodiscard]] double linearConsistencyR2(const Eigen::MatrixXd& from, const Eigen::MatrixXd& to);

enum class AlignMethod { Procrustes, Cca };

struct Alignment {
  FloatArray aligned;  // source expressed in the reference's space [trials, bins, dims]
  std::vector<double> canonicalCorrelations;
  double consistencyR2 = 0.0;         // linear map source -> reference
  double reverseConsistencyR2 = 0.0;  // reference -> source
  double residual = 0.0;              // Procrustes: ||aligned - reference||_F / ||reference - mean||_F
};
// Aligns source [trials, bins, ds] onto reference [trials, bins, dr] (same trials
// and bins). Procrustes centres both and rotates the source (zero-padding the
// smaller one); CCA maps both onto their canonical variates (aligned = source's
// variates). Throws InputError when the shapes do not match.
[[nodiscard]] Alignment alignLatents(const FloatArray& source, const FloatArray& reference, AlignMethod method);

}  // namespace neurolens
