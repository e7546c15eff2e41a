#include "neurolens/core/projection.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "neurolens/core/errors.h"
#include "neurolens/core/linear_models.h"

namespace neurolens {

namespace {

void requireRank3(const FloatArray& data, const char* what) {
  if (data.rank() != 3) throw InputError(std::string(what) + " must be [trials, bins, features]");
}

// A readable sign for a direction: its largest-magnitude entry positive.
void fixSign(Eigen::Ref<Eigen::VectorXd> direction) {
  Eigen::Index largest = 0;
  for (Eigen::Index i = 1; i < direction.size(); ++i)
    if (std::abs(direction(i)) > std::abs(direction(largest))) largest = i;
  if (direction(largest) < 0.0) direction = -direction;
}

}  // namespace

Eigen::MatrixXd flattenRows(const FloatArray& data) {
  requireRank3(data, "data");
  const auto rows = static_cast<Eigen::Index>(data.dim(0) * data.dim(1));
  const auto cols = static_cast<Eigen::Index>(data.dim(2));
  using RowMajorFloat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<const RowMajorFloat>(data.data(), rows, cols).cast<double>();
}

FloatArray unflattenRows(const Eigen::MatrixXd& rows, std::size_t trials, std::size_t bins) {
  FloatArray data({trials, bins, static_cast<std::size_t>(rows.cols())});
  using RowMajorFloat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<RowMajorFloat>(data.data(), rows.rows(), rows.cols()) = rows.cast<float>();
  return data;
}

FloatArray conditionAverage(const FloatArray& data, const std::vector<std::string>& trialConditions,
                            std::vector<std::string>* names) {
  requireRank3(data, "data");
  if (trialConditions.size() != data.dim(0))
    throw InputError("condition averaging: " + std::to_string(trialConditions.size()) + " condition labels for " +
                     std::to_string(data.dim(0)) + " trials");
  const std::set<std::string> unique(trialConditions.begin(), trialConditions.end());
  const std::vector<std::string> sorted(unique.begin(), unique.end());
  const std::size_t bins = data.dim(1);
  const std::size_t features = data.dim(2);
  std::vector<double> sums(sorted.size() * bins * features, 0.0);
  std::vector<double> counts(sorted.size(), 0.0);
  for (std::size_t t = 0; t < data.dim(0); ++t) {
    const auto c =
        static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), trialConditions[t]) - sorted.begin());
    counts[c] += 1.0;
    for (std::size_t b = 0; b < bins; ++b)
      for (std::size_t f = 0; f < features; ++f) sums[(c * bins + b) * features + f] += data(t, b, f);
  }
  FloatArray means({sorted.size(), bins, features});
  for (std::size_t c = 0; c < sorted.size(); ++c)
    for (std::size_t i = 0; i < bins * features; ++i)
      means.values()[c * bins * features + i] = static_cast<float>(sums[c * bins * features + i] / counts[c]);
  if (names != nullptr) *names = sorted;
  return means;
}

FloatArray smoothAlongBins(const FloatArray& data, double sigmaBins) {
  requireRank3(data, "data");
  if (!(sigmaBins > 0.0)) return data;
  const auto half = static_cast<long>(std::ceil(4.0 * sigmaBins));
  std::vector<double> kernel(static_cast<std::size_t>(2 * half + 1));
  for (long i = -half; i <= half; ++i)
    kernel[static_cast<std::size_t>(i + half)] =
        std::exp(-0.5 * (static_cast<double>(i) / sigmaBins) * (static_cast<double>(i) / sigmaBins));
  FloatArray smoothed(data.shape());
  const auto bins = static_cast<long>(data.dim(1));
  for (std::size_t t = 0; t < data.dim(0); ++t)
    for (long b = 0; b < bins; ++b)
      for (std::size_t f = 0; f < data.dim(2); ++f) {
        double sum = 0.0;
        double weight = 0.0;
        for (long i = std::max(-half, -b); i <= std::min(half, bins - 1 - b); ++i) {
          const double w = kernel[static_cast<std::size_t>(i + half)];
          sum += w * data(t, static_cast<std::size_t>(b + i), f);
          weight += w;
        }
        smoothed(t, static_cast<std::size_t>(b), f) = static_cast<float>(sum / weight);
      }
  return smoothed;
}

RowPca pcaOfRows(const Eigen::MatrixXd& rows, std::size_t k) {
  if (k == 0 || k > static_cast<std::size_t>(rows.cols()))
    throw InputError("PCA: cannot keep " + std::to_string(k) + " components of " + std::to_string(rows.cols()) +
                     " features");
  if (rows.rows() < 2) throw InputError("PCA needs at least two (trial, bin) rows");
  RowPca result;
  result.mean = rows.colwise().mean();
  const Eigen::MatrixXd centred = rows.rowwise() - result.mean;
  const Eigen::BDCSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinV);
  result.variance = svd.singularValues().array().square() / static_cast<double>(rows.rows() - 1);
  const auto keep = static_cast<Eigen::Index>(k);
  result.components = Eigen::MatrixXd::Zero(keep, rows.cols());
  const Eigen::Index available = std::min(keep, static_cast<Eigen::Index>(svd.matrixV().cols()));
  result.components.topRows(available) = svd.matrixV().leftCols(available).transpose();
  for (Eigen::Index c = 0; c < available; ++c) {
    Eigen::VectorXd component = result.components.row(c).transpose();
    fixSign(component);
    result.components.row(c) = component.transpose();
  }
  return result;
}

PcaResult pca(const FloatArray& data, std::size_t k) {
  const Eigen::MatrixXd rows = flattenRows(data);
  const RowPca fitted = pcaOfRows(rows, k);
  PcaResult result;
  result.mean = fitted.mean;
  result.components = fitted.components;
  const double total = fitted.variance.sum();
  for (Eigen::Index c = 0; c < static_cast<Eigen::Index>(k); ++c) {
    const double value = c < fitted.variance.size() ? fitted.variance(c) : 0.0;
    result.explainedVariance.push_back(value);
    result.explainedVarianceRatio.push_back(total > 0.0 ? value / total : 0.0);
  }
  result.projected =
      unflattenRows((rows.rowwise() - result.mean) * result.components.transpose(), data.dim(0), data.dim(1));
  return result;
}

FloatArray applyPca(const PcaResult& fitted, const FloatArray& data) {
  const Eigen::MatrixXd rows = flattenRows(data);
  if (rows.cols() != fitted.mean.size()) throw InputError("PCA: the data have a different number of features");
  return unflattenRows((rows.rowwise() - fitted.mean) * fitted.components.transpose(), data.dim(0), data.dim(1));
}

FloatArray projectOntoAxes(const FloatArray& data, const Eigen::MatrixXd& axes, const Eigen::RowVectorXd& mean) {
  const Eigen::MatrixXd rows = flattenRows(data);
  if (axes.rows() != rows.cols() || mean.size() != rows.cols())
    throw InputError("probe axes have " + std::to_string(axes.rows()) + " features, the data " +
                     std::to_string(rows.cols()));
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(axes);
  Eigen::MatrixXd basis = qr.householderQ() * Eigen::MatrixXd::Identity(axes.rows(), axes.cols());
  // Keep each basis vector pointing the way of the axis it came from.
  for (Eigen::Index c = 0; c < basis.cols(); ++c)
    if (basis.col(c).dot(axes.col(c)) < 0.0) basis.col(c) = -basis.col(c);
  return unflattenRows((rows.rowwise() - mean) * basis, data.dim(0), data.dim(1));
}

namespace {

// Orthonormal basis of the centred column space and the map back: centred = U S V^T,
// whitened = U; weights = V S^-1 turn centred data into whitened coordinates.
struct Whitening {
  Eigen::MatrixXd basis;
  Eigen::MatrixXd weights;
};

Whitening whiten(const Eigen::MatrixXd& centred) {
  const Eigen::BDCSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd& s = svd.singularValues();
  Eigen::Index rank = 0;
  while (rank < s.size() && s(rank) > 1e-10 * std::max(s(0), 1e-300)) ++rank;
  Whitening result;
  result.basis = svd.matrixU().leftCols(rank);
  result.weights = svd.matrixV().leftCols(rank) * s.head(rank).cwiseInverse().asDiagonal();
  return result;
}

}  // namespace

CcaResult cca(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, std::size_t k) {
  if (a.rows() != b.rows()) throw InputError("CCA: the two sets have different numbers of rows");
  if (a.rows() < 2) throw InputError("CCA needs at least two rows");
  CcaResult result;
  result.meanA = a.colwise().mean();
  result.meanB = b.colwise().mean();
  const Whitening wa = whiten(a.rowwise() - result.meanA);
  const Whitening wb = whiten(b.rowwise() - result.meanB);
  const Eigen::MatrixXd cross = wa.basis.transpose() * wb.basis;
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(cross, Eigen::ComputeThinU | Eigen::ComputeThinV);
  Eigen::Index keep = svd.singularValues().size();
  if (k > 0) keep = std::min(keep, static_cast<Eigen::Index>(k));
  for (Eigen::Index c = 0; c < keep; ++c) result.correlations.push_back(std::min(1.0, svd.singularValues()(c)));
  // Unit-variance canonical variates (sample variance with rows - 1, as sklearn's CCA scores are compared by
  // correlation).
  const double scale = std::sqrt(static_cast<double>(a.rows() - 1));
  result.weightsA = scale * wa.weights * svd.matrixU().leftCols(keep);
  result.weightsB = scale * wb.weights * svd.matrixV().leftCols(keep);
  return result;
}

ProcrustesResult orthogonalProcrustes(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    throw InputError("Procrustes alignment needs two sets of the same shape");
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(a.transpose() * b, Eigen::ComputeFullU | Eigen::ComputeFullV);
  ProcrustesResult result;
  result.rotation = svd.matrixU() * svd.matrixV().transpose();
  result.scale = svd.singularValues().sum();
  return result;
}

double linearConsistencyR2(const Eigen::MatrixXd& from, const Eigen::MatrixXd& to) {
  if (from.rows() != to.rows()) throw InputError("consistency: the two sets have different numbers of rows");
  RidgeMoments moments = RidgeMoments::of(from, to, {{0, static_cast<std::size_t>(from.rows())}});
  // Ordinary least squares is the ridge path at alpha -> 0; a vanishing penalty
  // keeps rank-deficient latents (a constant latent) solvable.
  const RidgePath path(moments);
  const double alpha = 1e-10 * std::max(1.0, moments.xx.trace());
  Eigen::MatrixXd predicted = from * path.coefficients(alpha);
  predicted.rowwise() += path.intercept(alpha);
  return meanOf(r2PerColumn(to, predicted));
}

Alignment alignLatents(const FloatArray& source, const FloatArray& reference, AlignMethod method) {
  requireRank3(source, "source latents");
  requireRank3(reference, "reference latents");
  if (source.dim(0) != reference.dim(0) || source.dim(1) != reference.dim(1))
    throw InputError("alignment needs the same trials and bins in both latent sets");
  const Eigen::MatrixXd a = flattenRows(source);
  const Eigen::MatrixXd b = flattenRows(reference);
  Alignment result;
  const CcaResult canonical = cca(a, b);
  result.canonicalCorrelations = canonical.correlations;
  result.consistencyR2 = linearConsistencyR2(a, b);
  result.reverseConsistencyR2 = linearConsistencyR2(b, a);
  if (method == AlignMethod::Cca) {
    result.aligned = unflattenRows((a.rowwise() - canonical.meanA) * canonical.weightsA, source.dim(0), source.dim(1));
    return result;
  }
  const Eigen::RowVectorXd meanB = b.colwise().mean();
  const Eigen::Index dims = std::max(a.cols(), b.cols());
  Eigen::MatrixXd paddedA = Eigen::MatrixXd::Zero(a.rows(), dims);
  Eigen::MatrixXd paddedB = Eigen::MatrixXd::Zero(b.rows(), dims);
  paddedA.leftCols(a.cols()) = a.rowwise() - a.colwise().mean();
  paddedB.leftCols(b.cols()) = b.rowwise() - meanB;
  const ProcrustesResult fit = orthogonalProcrustes(paddedA, paddedB);
  Eigen::MatrixXd aligned = (paddedA * fit.rotation).leftCols(b.cols());
  const double spread = paddedB.norm();
  result.residual = spread > 0.0 ? (aligned - paddedB.leftCols(b.cols())).norm() / spread : 0.0;
  aligned.rowwise() += meanB;
  result.aligned = unflattenRows(aligned, source.dim(0), source.dim(1));
  return result;
}

}  // namespace neurolens
