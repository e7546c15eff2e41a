#pragma once
// Linear models shared by probes, projections and the type-latent link:
// contiguous and stratified folds, R2 as scikit-learn computes it, ridge
// regression for every penalty from one eigendecomposition, and multinomial
// logistic regression with an L2 penalty. Plain Eigen (double precision), no
// LibTorch: testable on its own against scikit-learn.
#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace neurolens {

// Rows [begin, end).
struct IndexRange {
  std::size_t begin = 0;
  std::size_t end = 0;
  [[nodiscard]] std::size_t size() const { return end - begin; }
};
// A set of rows as ascending, non-overlapping ranges (folds over trials are
// contiguous runs of rows, training sets one or two runs).
using RowSet = std::vector<IndexRange>;

[[nodiscard]] std::size_t rowCount(const RowSet& rows);
// Row indices of a row set, in order.
[[nodiscard]] std::vector<std::size_t> rowIndices(const RowSet& rows);

// k contiguous parts of [0, n), sized as scikit-learn's KFold(shuffle=False):
// the first n % k parts hold one element more. Throws InputError when n < k or k < 2.
[[nodiscard]] std::vector<IndexRange> contiguousFolds(std::size_t n, std::size_t k);

// Fold index per sample exactly as scikit-learn's StratifiedKFold(k, shuffle=False)
// assigns them: classes encoded by first appearance, each fold's share of a class
// dealt round robin over the sorted labels, each class's members given to the
// folds in blocks in their original order. Throws InputError when k < 2 or every
// class has fewer than k members (scikit-learn's own error); callers that need
// every class in every fold check the class sizes themselves.
[[nodiscard]] std::vector<std::size_t> stratifiedKFold(const std::vector<int>& labels, std::size_t k);

// Stratified k-fold assignment (fold index per sample): each class's members are
// shuffled with `seed` and dealt to the folds in turn, so every fold holds each
// class in proportion. Throws InputError when k < 2 or there are fewer samples than folds.
[[nodiscard]] std::vector<std::size_t> stratifiedFoldAssignment(const std::vector<int>& labels, std::size_t k,
                                                                std::uint64_t seed);

// Coefficient of determination per column, exactly as sklearn.metrics.r2_score
// (a constant column scores 1 when predicted perfectly, else 0).
[[nodiscard]] std::vector<double> r2PerColumn(const Eigen::Ref<const Eigen::MatrixXd>& truth,
                                              const Eigen::Ref<const Eigen::MatrixXd>& predicted);
[[nodiscard]] double meanOf(const std::vector<double>& values);

// The 17 default penalties, logspace(-4, 4, 17).
[[nodiscard]] std::vector<double> defaultAlphas();

// Sufficient statistics of a set of rows for ridge regression with intercept.
// Sums over disjoint row sets add, so the statistics of a training set are the
// total minus the held-out part (one pass over the data for every inner fold).
struct RidgeMoments {
  double count = 0.0;
  Eigen::VectorXd sumX;   // [features]
  Eigen::VectorXd sumY;   // [targets]
  Eigen::VectorXd sumYY;  // [targets] sum of squares
  Eigen::MatrixXd xx;     // [features, features] sum of x x^T
  Eigen::MatrixXd xy;     // [features, targets]  sum of x y^T

  [[nodiscard]] static RidgeMoments of(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                       const Eigen::Ref<const Eigen::MatrixXd>& y, const RowSet& rows);
  RidgeMoments& operator+=(const RidgeMoments& other);
  RidgeMoments& operator-=(const RidgeMoments& other);
};

// Ridge regression with an unpenalised intercept (sklearn's Ridge(fit_intercept=True)):
// one eigendecomposition of the centred Gram matrix gives the solution for every
// penalty: w(alpha) = V diag(1 / (lambda + alpha)) V^T Xc^T yc.
class RidgePath {
 public:
  explicit RidgePath(const RidgeMoments& moments);

  // R2 per target of this path's predictions on the rows summarised by `rows`,
  // from their moments alone (no pass over the rows): the residual sum of squares
  // expands into sums the moments hold.
  [[nodiscard]] std::vector<double> r2PerColumn(const RidgeMoments& rows, double alpha) const;

  [[nodiscard]] Eigen::MatrixXd coefficients(double alpha) const;  // [features, targets]
  [[nodiscard]] Eigen::RowVectorXd intercept(double alpha) const;  // [targets]

  // Predictions of the same rows for many penalties: projects the rows onto the
  // eigenbasis once, then each penalty costs rows x features x targets.
  class Evaluator {
   public:
    [[nodiscard]] Eigen::MatrixXd predict(double alpha) const;

   private:
    friend class RidgePath;
    const RidgePath* path_ = nullptr;  // not owning: lives within the path's scope
    Eigen::MatrixXd projected_;        // (X - mean) V
  };
  [[nodiscard]] Evaluator evaluator(const Eigen::Ref<const Eigen::MatrixXd>& x) const;

 private:
  Eigen::VectorXd meanX_;
  Eigen::RowVectorXd meanY_;
  Eigen::VectorXd eigenvalues_;  // of Xc^T Xc, clamped at 0
  Eigen::MatrixXd eigenvectors_;
  Eigen::MatrixXd rotatedXy_;  // V^T Xc^T yc
};

// Multinomial logistic regression, L2 penalty on the weights only (not the
// intercepts): minimises sum_i -log softmax(x_i W + b)[y_i] + alpha/2 ||W||^2,
// the problem sklearn's LogisticRegression(multi_class="multinomial", C=1/alpha)
// solves, also for two classes.
struct LogisticModel {
  Eigen::MatrixXd weights;       // [features, classes]
  Eigen::RowVectorXd intercept;  // [classes]

  [[nodiscard]] Eigen::MatrixXd decision(const Eigen::Ref<const Eigen::MatrixXd>& x) const;
  [[nodiscard]] std::vector<int> predict(const Eigen::Ref<const Eigen::MatrixXd>& x) const;
};

struct LogisticFitOptions {
  double alpha = 1.0;
  int maxIterations = 2000;
  double gradientTolerance = 1e-5;  // max |gradient| of the mean loss, in standardised features (scikit-learn: 1e-4)
  const LogisticModel* warmStart = nullptr;  // not owning; same shape, used as the start point
};

// labels in [0, classes). Throws InputError on mismatched sizes or labels out of range.
[[nodiscard]] LogisticModel fitMultinomialLogistic(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                                   const std::vector<int>& labels, int classes,
                                                   const LogisticFitOptions& options);

[[nodiscard]] double accuracyOf(const std::vector<int>& truth, const std::vector<int>& predicted);
// Rate of the most frequent label (what always guessing the majority class scores).
[[nodiscard]] double majorityRate(const std::vector<int>& labels);

}  // namespace neurolens
