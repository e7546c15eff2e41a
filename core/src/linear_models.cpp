#include "neurolens/core/linear_models.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <string>

#include "neurolens/core/errors.h"

namespace neurolens {

std::size_t rowCount(const RowSet& rows) {
  std::size_t total = 0;
  for (const auto& range : rows) total += range.size();
  return total;
}

std::vector<std::size_t> rowIndices(const RowSet& rows) {
  std::vector<std::size_t> indices;
  indices.reserve(rowCount(rows));
  for (const auto& range : rows)
    for (std::size_t row = range.begin; row < range.end; ++row) indices.push_back(row);
  return indices;
}

std::vector<IndexRange> contiguousFolds(std::size_t n, std::size_t k) {
  if (k < 2) throw InputError("cross-validation needs at least 2 folds (got " + std::to_string(k) + ")");
  if (n < k)
    throw InputError("cannot split " + std::to_string(n) + " trials (or bins) into " + std::to_string(k) +
                     " folds: use fewer --folds or more data");
  std::vector<IndexRange> folds;
  std::size_t begin = 0;
  for (std::size_t fold = 0; fold < k; ++fold) {
    const std::size_t size = n / k + (fold < n % k ? 1 : 0);
    folds.push_back({begin, begin + size});
    begin += size;
  }
  return folds;
}

std::vector<std::size_t> stratifiedKFold(const std::vector<int>& labels, std::size_t k) {
  if (k < 2) throw InputError("cross-validation needs at least 2 folds (got " + std::to_string(k) + ")");
  // Classes encoded by order of first appearance (0 = the first label seen).
  std::map<int, std::size_t> code;
  std::vector<std::size_t> encoded(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i)
    encoded[i] = code.emplace(labels[i], code.size()).first->second;
  const std::size_t classes = code.size();
  std::vector<std::size_t> counts(classes, 0);
  for (const std::size_t c : encoded) ++counts[c];
  if (std::all_of(counts.begin(), counts.end(), [k](std::size_t n) { return n < k; }))
    throw InputError("cannot split into " + std::to_string(k) +
                     " stratified folds: every class has fewer members than folds");
  // allocation[f][c]: members of class c in test fold f, dealt round robin over the sorted labels.
  std::vector<std::vector<std::size_t>> allocation(k, std::vector<std::size_t>(classes, 0));
  std::size_t position = 0;
  for (std::size_t c = 0; c < classes; ++c)
    for (std::size_t n = 0; n < counts[c]; ++n, ++position) ++allocation[position % k][c];
  // Each class's members, in their original order, go to folds 0, 0, .., 1, 1, ..
  std::vector<std::size_t> fold(labels.size(), 0);
  std::vector<std::size_t> nextFold(classes, 0);
  std::vector<std::size_t> usedInFold(classes, 0);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::size_t c = encoded[i];
    while (usedInFold[c] == allocation[nextFold[c]][c]) {
      ++nextFold[c];
      usedInFold[c] = 0;
    }
    fold[i] = nextFold[c];
    ++usedInFold[c];
  }
  return fold;
}

std::vector<std::size_t> stratifiedFoldAssignment(const std::vector<int>& labels, std::size_t k, std::uint64_t seed) {
  if (k < 2) throw InputError("cross-validation needs at least 2 folds (got " + std::to_string(k) + ")");
  if (labels.size() < k)
    throw InputError("cannot split " + std::to_string(labels.size()) + " samples into " + std::to_string(k) +
                     " folds: use fewer --folds");
  std::map<int, std::vector<std::size_t>> members;
  for (std::size_t i = 0; i < labels.size(); ++i) members[labels[i]].push_back(i);
  std::mt19937_64 generator(seed);
  std::vector<std::size_t> assignment(labels.size(), 0);
  // Continue dealing where the previous class stopped so fold sizes stay balanced.
  std::size_t next = 0;
  for (auto& [label, indices] : members) {
    std::shuffle(indices.begin(), indices.end(), generator);
    for (const std::size_t index : indices) assignment[index] = next++ % k;
  }
  return assignment;
}

std::vector<double> r2PerColumn(const Eigen::Ref<const Eigen::MatrixXd>& truth,
                                const Eigen::Ref<const Eigen::MatrixXd>& predicted) {
  std::vector<double> scores(static_cast<std::size_t>(truth.cols()), 0.0);
  for (Eigen::Index c = 0; c < truth.cols(); ++c) {
    const double mean = truth.col(c).mean();
    const double residual = (truth.col(c) - predicted.col(c)).squaredNorm();
    const double total = (truth.col(c).array() - mean).square().sum();
    double score = 0.0;
    if (total != 0.0)
      score = 1.0 - residual / total;
    else
      score = residual == 0.0 ? 1.0 : 0.0;
    scores[static_cast<std::size_t>(c)] = score;
  }
  return scores;
}

double meanOf(const std::vector<double>& values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

std::vector<double> defaultAlphas() {
  std::vector<double> alphas;
  for (int i = 0; i <= 16; ++i) alphas.push_back(std::pow(10.0, -4.0 + 0.5 * i));
  return alphas;
}

RidgeMoments RidgeMoments::of(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::Ref<const Eigen::MatrixXd>& y,
                              const RowSet& rows) {
  RidgeMoments moments;
  const Eigen::Index features = x.cols();
  const Eigen::Index targets = y.cols();
  moments.sumX = Eigen::VectorXd::Zero(features);
  moments.sumY = Eigen::VectorXd::Zero(targets);
  moments.sumYY = Eigen::VectorXd::Zero(targets);
  moments.xx = Eigen::MatrixXd::Zero(features, features);
  moments.xy = Eigen::MatrixXd::Zero(features, targets);
  for (const auto& range : rows) {
    if (range.size() == 0) continue;
    const auto begin = static_cast<Eigen::Index>(range.begin);
    const auto length = static_cast<Eigen::Index>(range.size());
    const auto xBlock = x.middleRows(begin, length);
    const auto yBlock = y.middleRows(begin, length);
    moments.count += static_cast<double>(length);
    moments.sumX += xBlock.colwise().sum().transpose();
    moments.sumY += yBlock.colwise().sum().transpose();
    moments.sumYY += yBlock.colwise().squaredNorm().transpose();
    // Half the work of X^T X: only the lower triangle, mirrored below.
    moments.xx.selfadjointView<Eigen::Lower>().rankUpdate(xBlock.transpose());
    moments.xy.noalias() += xBlock.transpose() * yBlock;
  }
  moments.xx.triangularView<Eigen::StrictlyUpper>() = moments.xx.transpose();
  return moments;
}

RidgeMoments& RidgeMoments::operator+=(const RidgeMoments& other) {
  count += other.count;
  sumX += other.sumX;
  sumY += other.sumY;
  sumYY += other.sumYY;
  xx += other.xx;
  xy += other.xy;
  return *this;
}

RidgeMoments& RidgeMoments::operator-=(const RidgeMoments& other) {
  count -= other.count;
  sumX -= other.sumX;
  sumY -= other.sumY;
  sumYY -= other.sumYY;
  xx -= other.xx;
  xy -= other.xy;
  return *this;
}

RidgePath::RidgePath(const RidgeMoments& moments) {
  if (moments.count < 1.0) throw InputError("ridge regression needs at least one training row");
  meanX_ = moments.sumX / moments.count;
  meanY_ = (moments.sumY / moments.count).transpose();
  const Eigen::MatrixXd gram = moments.xx - moments.count * meanX_ * meanX_.transpose();
  const Eigen::MatrixXd cross = moments.xy - moments.count * meanX_ * meanY_;
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(gram);
  if (solver.info() != Eigen::Success) throw ComputeError("ridge regression: eigendecomposition did not converge");
  // Rounding can leave tiny negative eigenvalues of a positive semi-definite matrix.
  eigenvalues_ = solver.eigenvalues().cwiseMax(0.0);
  eigenvectors_ = solver.eigenvectors();
  rotatedXy_ = eigenvectors_.transpose() * cross;
}

Eigen::MatrixXd RidgePath::coefficients(double alpha) const {
  const Eigen::VectorXd shrink = (eigenvalues_.array() + alpha).inverse();
  return eigenvectors_ * (shrink.asDiagonal() * rotatedXy_);
}

Eigen::RowVectorXd RidgePath::intercept(double alpha) const {
  return meanY_ - meanX_.transpose() * coefficients(alpha);
}

std::vector<double> RidgePath::r2PerColumn(const RidgeMoments& rows, double alpha) const {
  const Eigen::MatrixXd weights = coefficients(alpha);
  const Eigen::RowVectorXd offset = meanY_ - meanX_.transpose() * weights;
  const Eigen::MatrixXd xxW = rows.xx * weights;
  const double n = rows.count;
  std::vector<double> scores(static_cast<std::size_t>(weights.cols()), 0.0);
  for (Eigen::Index d = 0; d < weights.cols(); ++d) {
    const double b = offset(d);
    // sum (y - x.w - b)^2 expanded term by term.
    const double residual = rows.sumYY(d) - 2.0 * weights.col(d).dot(rows.xy.col(d)) - 2.0 * b * rows.sumY(d) +
                            weights.col(d).dot(xxW.col(d)) + 2.0 * b * weights.col(d).dot(rows.sumX) + n * b * b;
    const double total = rows.sumYY(d) - rows.sumY(d) * rows.sumY(d) / n;
    // Rounding can leave tiny non-zero sums where sklearn sees exact zeros.
    const double scale = std::max(rows.sumYY(d), 1e-300);
    const bool noResidual = residual <= 1e-13 * scale;
    const bool noVariance = total <= 1e-13 * scale;
    double score = 0.0;
    if (!noVariance)
      score = 1.0 - std::max(residual, 0.0) / total;
    else
      score = noResidual ? 1.0 : 0.0;
    scores[static_cast<std::size_t>(d)] = score;
  }
  return scores;
}

RidgePath::Evaluator RidgePath::evaluator(const Eigen::Ref<const Eigen::MatrixXd>& x) const {
  Evaluator evaluator;
  evaluator.path_ = this;
  evaluator.projected_ = (x.rowwise() - meanX_.transpose()) * eigenvectors_;
  return evaluator;
}

Eigen::MatrixXd RidgePath::Evaluator::predict(double alpha) const {
  const Eigen::VectorXd shrink = (path_->eigenvalues_.array() + alpha).inverse();
  Eigen::MatrixXd predicted = projected_ * (shrink.asDiagonal() * path_->rotatedXy_);
  predicted.rowwise() += path_->meanY_;
  return predicted;
}

Eigen::MatrixXd LogisticModel::decision(const Eigen::Ref<const Eigen::MatrixXd>& x) const {
  Eigen::MatrixXd scores = x * weights;
  scores.rowwise() += intercept;
  return scores;
}

std::vector<int> LogisticModel::predict(const Eigen::Ref<const Eigen::MatrixXd>& x) const {
  const Eigen::MatrixXd scores = decision(x);
  std::vector<int> predicted(static_cast<std::size_t>(scores.rows()), 0);
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    Eigen::Index best = 0;
    scores.row(i).maxCoeff(&best);
    predicted[static_cast<std::size_t>(i)] = static_cast<int>(best);
  }
  return predicted;
}

namespace {

// Mean penalised multinomial loss and its gradient; parameters packed as
// [W column-major (features x classes), b (classes)].
class LogisticObjective {
 public:
  // penalty: per-feature weight of the L2 penalty (alpha * penalty_f * w_fc^2 / 2).
  LogisticObjective(const Eigen::MatrixXd& x, const std::vector<int>& labels, int classes, double alpha,
                    Eigen::VectorXd penalty)
      : x_(x), classes_(classes), alpha_(alpha), penalty_(std::move(penalty)),
        oneHot_(Eigen::MatrixXd::Zero(x.rows(), classes)) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) oneHot_(i, labels[static_cast<std::size_t>(i)]) = 1.0;
  }

  [[nodiscard]] Eigen::Index parameterCount() const { return (x_.cols() + 1) * classes_; }

  double evaluate(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient) const {
    const Eigen::Index features = x_.cols();
    const Eigen::Map<const Eigen::MatrixXd> weights(theta.data(), features, classes_);
    const Eigen::Map<const Eigen::RowVectorXd> intercept(theta.data() + features * classes_, classes_);
    Eigen::MatrixXd scores = x_ * weights;
    scores.rowwise() += intercept;
    // Whole-array (vectorised) softmax: shift each row by its maximum, exponentiate, normalise.
    const Eigen::VectorXd top = scores.rowwise().maxCoeff();
    scores.colwise() -= top;
    // loss_i = log(sum_c exp(s_ic - top_i)) - (s_i,label - top_i)
    const double labelScores = scores.cwiseProduct(oneHot_).sum();
    scores = scores.array().exp().matrix();
    const Eigen::VectorXd total = scores.rowwise().sum();
    const double loss = total.array().log().sum() - labelScores;
    scores.array().colwise() /= total.array();  // now the class probabilities
    scores -= oneHot_;                          // now d loss / d score
    const double rows = static_cast<double>(x_.rows());
    gradient.resize(theta.size());
    Eigen::Map<Eigen::MatrixXd> gradWeights(gradient.data(), features, classes_);
    Eigen::Map<Eigen::RowVectorXd> gradIntercept(gradient.data() + features * classes_, classes_);
    gradWeights.noalias() = x_.transpose() * scores;
    gradWeights += alpha_ * (penalty_.asDiagonal() * weights);
    gradIntercept = scores.colwise().sum();
    gradient /= rows;
    return (loss + 0.5 * alpha_ * (penalty_.asDiagonal() * weights.cwiseAbs2()).sum()) / rows;
  }

 private:
  const Eigen::MatrixXd& x_;
  int classes_;
  double alpha_;
  Eigen::VectorXd penalty_;
  Eigen::MatrixXd oneHot_;  // [rows, classes]: 1 at each row's label
};

// Limited-memory BFGS with a backtracking (Armijo) line search: the problem is
// smooth and strictly convex in W, so this reaches the unique optimum.
Eigen::VectorXd minimiseLbfgs(const LogisticObjective& objective, Eigen::VectorXd theta, int maxIterations,
                              double tolerance) {
  constexpr std::size_t kMemory = 12;
  std::deque<Eigen::VectorXd> steps;
  std::deque<Eigen::VectorXd> gradientChanges;
  std::deque<double> curvatures;
  Eigen::VectorXd gradient;
  double value = objective.evaluate(theta, gradient);
  for (int iteration = 0; iteration < maxIterations; ++iteration) {
    if (gradient.lpNorm<Eigen::Infinity>() <= tolerance) break;
    // Two-loop recursion: direction = -H * gradient.
    Eigen::VectorXd direction = -gradient;
    std::vector<double> coefficients(steps.size());
    for (std::size_t j = steps.size(); j-- > 0;) {
      coefficients[j] = curvatures[j] * steps[j].dot(direction);
      direction -= coefficients[j] * gradientChanges[j];
    }
    if (!steps.empty())
      direction *= steps.back().dot(gradientChanges.back()) / gradientChanges.back().squaredNorm();
    else
      direction /= std::max(1.0, gradient.norm());
    for (std::size_t j = 0; j < steps.size(); ++j) {
      const double beta = curvatures[j] * gradientChanges[j].dot(direction);
      direction += (coefficients[j] - beta) * steps[j];
    }
    double slope = gradient.dot(direction);
    if (slope >= 0.0) {  // lost descent (rounding): restart from steepest descent
      steps.clear();
      gradientChanges.clear();
      curvatures.clear();
      direction = -gradient / std::max(1.0, gradient.norm());
      slope = gradient.dot(direction);
    }
    double stepSize = 1.0;
    Eigen::VectorXd candidate;
    Eigen::VectorXd candidateGradient;
    double candidateValue = 0.0;
    bool accepted = false;
    for (int halving = 0; halving < 60; ++halving) {
      candidate = theta + stepSize * direction;
      candidateValue = objective.evaluate(candidate, candidateGradient);
      if (std::isfinite(candidateValue) && candidateValue <= value + 1e-4 * stepSize * slope) {
        accepted = true;
        break;
      }
      stepSize *= 0.5;
    }
    if (!accepted) break;  // no further decrease is representable: at the optimum to rounding
    Eigen::VectorXd step = candidate - theta;
    Eigen::VectorXd change = candidateGradient - gradient;
    const double curvature = step.dot(change);
    const double improvement = value - candidateValue;
    theta = std::move(candidate);
    gradient = std::move(candidateGradient);
    value = candidateValue;
    if (curvature > 1e-12 * step.squaredNorm()) {
      steps.push_back(std::move(step));
      gradientChanges.push_back(std::move(change));
      curvatures.push_back(1.0 / curvature);
      if (steps.size() > kMemory) {
        steps.pop_front();
        gradientChanges.pop_front();
        curvatures.pop_front();
      }
    }
    if (improvement <= 1e-16 * std::max(1.0, std::abs(value))) break;
  }
  return theta;
}

}  // namespace

LogisticModel fitMultinomialLogistic(const Eigen::Ref<const Eigen::MatrixXd>& x, const std::vector<int>& labels,
                                     int classes, const LogisticFitOptions& options) {
  if (static_cast<std::size_t>(x.rows()) != labels.size())
    throw InputError("logistic regression: " + std::to_string(x.rows()) + " rows but " + std::to_string(labels.size()) +
                     " labels");
  if (classes < 2) throw InputError("logistic regression needs at least two classes");
  if (x.rows() == 0) throw InputError("logistic regression needs at least one training row");
  for (const int label : labels)
    if (label < 0 || label >= classes) throw InputError("logistic regression: label out of range");
  if (!(options.alpha > 0.0)) throw InputError("logistic regression: the penalty must be positive");
  // Solved on standardised features z = (x - mean) / scale, the same problem re-parametrised
  // (v = scale * w, the penalty weighted by 1 / scale^2, the intercept absorbing the mean):
  // the same optimum, but far better conditioned, so L-BFGS needs fewer steps.
  const Eigen::Index features = x.cols();
  const Eigen::RowVectorXd mean = x.colwise().mean();
  Eigen::RowVectorXd scale = ((x.rowwise() - mean).cwiseAbs2().colwise().sum() / static_cast<double>(x.rows())).cwiseSqrt();
  for (Eigen::Index f = 0; f < features; ++f)
    if (!(scale(f) > 1e-12 * std::max(1.0, std::abs(mean(f))))) scale(f) = 1.0;
  const Eigen::MatrixXd z = (x.rowwise() - mean).array().rowwise() / scale.array();
  const LogisticObjective objective(z, labels, classes, options.alpha, scale.cwiseAbs2().cwiseInverse().transpose());
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(objective.parameterCount());
  if (options.warmStart != nullptr && options.warmStart->weights.rows() == features &&
      options.warmStart->weights.cols() == classes) {
    Eigen::Map<Eigen::MatrixXd>(theta.data(), features, classes) = scale.transpose().asDiagonal() * options.warmStart->weights;
    theta.tail(classes) = (options.warmStart->intercept + mean * options.warmStart->weights).transpose();
  }
  theta = minimiseLbfgs(objective, std::move(theta), options.maxIterations, options.gradientTolerance);
  if (!theta.allFinite()) throw ComputeError("logistic regression diverged (NaN/Inf weights)");
  LogisticModel model;
  model.weights = scale.transpose().cwiseInverse().asDiagonal() * Eigen::Map<const Eigen::MatrixXd>(theta.data(), features, classes);
  model.intercept = theta.tail(classes).transpose() - mean * model.weights;
  return model;
}

double accuracyOf(const std::vector<int>& truth, const std::vector<int>& predicted) {
  if (truth.empty() || truth.size() != predicted.size()) return std::numeric_limits<double>::quiet_NaN();
  std::size_t correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) correct += truth[i] == predicted[i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(truth.size());
}

double majorityRate(const std::vector<int>& labels) {
  if (labels.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::map<int, std::size_t> counts;
  for (const int label : labels) ++counts[label];
  std::size_t most = 0;
  for (const auto& [label, count] : counts) most = std::max(most, count);
  return static_cast<double>(most) / static_cast<double>(labels.size());
}

}  // namespace neurolens
