#include "neurolens/core/dsa.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "neurolens/core/errors.h"

namespace neurolens {

namespace {

constexpr double kPi = 3.14159265358979323846;

// trace(A^T M) for same-shaped matrices.
double frobeniusInner(const Eigen::MatrixXd& a, const Eigen::MatrixXd& m) { return (a.array() * m.array()).sum(); }

// cos(angle) between A and C B C^T, both of unit norm: trace(A^T C B C^T).
double cosine(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, const Eigen::MatrixXd& c) {
  return frobeniusInner(a, c * b * c.transpose());
}

// Riemannian ascent of trace(A^T C B C^T) over orthogonal C (one component of O(n): the start's).
// Step along C Cayley(t Omega), Omega = skew(C^T grad): a Barzilai-Borwein step, Armijo backtracking from it.
double ascend(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, Eigen::MatrixXd* c) {
  const Eigen::Index n = a.rows();
  const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(n, n);
  double value = cosine(a, b, *c);
  double step = 1.0;
  Eigen::MatrixXd previousOmega;
  double previousStep = 0.0;
  constexpr int kIterations = 3000;
  for (int iteration = 0; iteration < kIterations; ++iteration) {
    const Eigen::MatrixXd gradient = a * (*c) * b.transpose() + a.transpose() * (*c) * b;
    const Eigen::MatrixXd m = c->transpose() * gradient;
    const Eigen::MatrixXd omega = 0.5 * (m - m.transpose());
    const double slope = omega.squaredNorm();
    if (slope < 1e-26) break;
    // Barzilai-Borwein step from the last one (ascent: s = t Omega_prev, y = Omega_prev - Omega), else doubled.
    step = std::min(step * 2.0, 1e3);
    if (previousOmega.size() > 0) {
      const Eigen::MatrixXd y = previousOmega - omega;
      const double sy = previousStep * (previousOmega.array() * y.array()).sum();
      if (sy > 0.0) step = std::min(previousStep * previousStep * previousOmega.squaredNorm() / sy, 1e3);
    }
    bool accepted = false;
    double gained = 0.0;
    while (step > 1e-14) {
      const Eigen::MatrixXd half = 0.5 * step * omega;
      const Eigen::MatrixXd rotation = (identity - half).partialPivLu().solve(identity + half);
      const Eigen::MatrixXd candidate = (*c) * rotation;
      const double candidateValue = cosine(a, b, candidate);
      if (candidateValue >= value + 1e-4 * step * slope) {
        gained = candidateValue - value;
        *c = candidate;
        value = candidateValue;
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted || gained < 1e-12) break;
    previousOmega = omega;
    previousStep = step;
  }
  return value;
}

// Box-Muller from the raw 64-bit generator: the same starts on every platform and standard library.
double standardNormal(std::mt19937_64& generator) {
  constexpr double kScale = 1.0 / 9007199254740992.0;  // 2^-53
  const double u1 = (static_cast<double>(generator() >> 11) + 1.0) * kScale;
  const double u2 = static_cast<double>(generator() >> 11) * kScale;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
}

Eigen::MatrixXd randomOrthogonal(Eigen::Index n, std::mt19937_64& generator) {
  Eigen::MatrixXd gaussian(n, n);
  for (Eigen::Index i = 0; i < gaussian.size(); ++i) gaussian.data()[i] = standardNormal(generator);
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(gaussian);
  return qr.householderQ() * Eigen::MatrixXd::Identity(n, n);
}

// Minimum-cost perfect matching of a square cost matrix (Hungarian algorithm with potentials).
double assignmentCost(const Eigen::MatrixXd& cost) {
  const auto n = static_cast<std::size_t>(cost.rows());
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0.0);
  std::vector<double> v(n + 1, 0.0);
  std::vector<std::size_t> assigned(n + 1, 0);  // column j -> row (1-based), 0 = free
  std::vector<std::size_t> way(n + 1, 0);
  for (std::size_t i = 1; i <= n; ++i) {
    assigned[0] = i;
    std::size_t column = 0;
    std::vector<double> least(n + 1, kInfinity);
    std::vector<bool> used(n + 1, false);
    do {
      used[column] = true;
      const std::size_t row = assigned[column];
      double delta = kInfinity;
      std::size_t next = 0;
      for (std::size_t j = 1; j <= n; ++j) {
        if (used[j]) continue;
        const double reduced =
            cost(static_cast<Eigen::Index>(row - 1), static_cast<Eigen::Index>(j - 1)) - u[row] - v[j];
        if (reduced < least[j]) {
          least[j] = reduced;
          way[j] = column;
        }
        if (least[j] < delta) {
          delta = least[j];
          next = j;
        }
      }
      for (std::size_t j = 0; j <= n; ++j) {
        if (used[j]) {
          u[assigned[j]] += delta;
          v[j] -= delta;
        } else {
          least[j] -= delta;
        }
      }
      column = next;
    } while (assigned[column] != 0);
    do {
      const std::size_t previous = way[column];
      assigned[column] = assigned[previous];
      column = previous;
    } while (column != 0);
  }
  double total = 0.0;
  for (std::size_t j = 1; j <= n; ++j)
    total += cost(static_cast<Eigen::Index>(assigned[j] - 1), static_cast<Eigen::Index>(j - 1));
  return total;
}

}  // namespace

std::string dsaScoreName(DsaScore score) { return score == DsaScore::Angular ? "angular" : "wasserstein"; }

DmdFit fitDmd(const Eigen::MatrixXd& rows, std::size_t trajectoryRows, const DsaOptions& options) {
  const auto total = static_cast<std::size_t>(rows.rows());
  const auto features = static_cast<std::size_t>(rows.cols());
  if (total == 0 || features == 0) throw InputError("DSA: no rows to fit the dynamics on");
  if (options.delays == 0 || options.delayInterval == 0)
    throw InputError("DSA: --dsa-delays and the delay interval must be at least 1");
  const std::size_t length = trajectoryRows == 0 ? total : trajectoryRows;
  if (total % length != 0) throw InputError("DSA: the rows are not whole trajectories");
  const std::size_t trajectories = total / length;
  const std::size_t span = (options.delays - 1) * options.delayInterval;
  if (length < span + 2)
    throw InputError("DSA: trajectories of " + std::to_string(length) + " bins are too short for " +
                     std::to_string(options.delays) + " delays (at least " + std::to_string(span + 2) +
                     " bins are needed for one step; use fewer --dsa-delays)");
  const std::size_t embedded = length - span;  // Hankel rows per trajectory
  const std::size_t width = options.delays * features;
  const std::size_t hankelRows = trajectories * embedded;
  if (hankelRows < width)
    throw InputError("DSA: the delay embedding has " + std::to_string(hankelRows) + " rows, fewer than its " +
                     std::to_string(width) + " columns (" + std::to_string(options.delays) + " delays x " +
                     std::to_string(features) + " dimensions; use fewer --dsa-delays or --dims)");
  if (options.rank > width)
    throw InputError("--dsa-rank " + std::to_string(options.rank) + " is more than the " + std::to_string(width) +
                     " columns of the delay embedding (" + std::to_string(options.delays) + " delays x " +
                     std::to_string(features) + " dimensions)");
  if (!rows.allFinite()) throw InputError("DSA: the trajectories hold values that are not finite numbers");
  // Row i of a trajectory's embedding: block j holds x[i + (delays - 1 - j) * interval], as dsa-metric's
  // embed_signal_torch (the newest sample first).
  Eigen::MatrixXd hankel(static_cast<Eigen::Index>(hankelRows), static_cast<Eigen::Index>(width));
  for (std::size_t t = 0; t < trajectories; ++t)
    for (std::size_t i = 0; i < embedded; ++i)
      for (std::size_t j = 0; j < options.delays; ++j)
        hankel.block(static_cast<Eigen::Index>(t * embedded + i), static_cast<Eigen::Index>(j * features), 1,
                     static_cast<Eigen::Index>(features)) =
            rows.row(static_cast<Eigen::Index>(t * length + i + (options.delays - 1 - j) * options.delayInterval));
  const Eigen::BDCSVD<Eigen::MatrixXd> svd(hankel, Eigen::ComputeThinU);
  DmdFit fit;
  fit.embeddedRows = hankelRows;
  fit.singularValues = svd.singularValues();
  const auto rank = static_cast<Eigen::Index>(options.rank == 0 ? width : options.rank);
  const Eigen::MatrixXd v = svd.matrixU().leftCols(rank);
  // One-step pairs within each trajectory.
  const auto pairs = static_cast<Eigen::Index>(trajectories * (embedded - 1));
  Eigen::MatrixXd before(pairs, rank);
  Eigen::MatrixXd after(pairs, rank);
  for (std::size_t t = 0; t < trajectories; ++t) {
    const auto from = static_cast<Eigen::Index>(t * embedded);
    const auto to = static_cast<Eigen::Index>(t * (embedded - 1));
    const auto steps = static_cast<Eigen::Index>(embedded - 1);
    before.middleRows(to, steps) = v.middleRows(from, steps);
    after.middleRows(to, steps) = v.middleRows(from + 1, steps);
  }
  const Eigen::MatrixXd gram = before.transpose() * before + options.lambda * Eigen::MatrixXd::Identity(rank, rank);
  fit.operatorV = gram.ldlt().solve(before.transpose() * after).transpose();
  if (!fit.operatorV.allFinite()) throw ComputeError("DSA: the DMD regression produced values that are not finite");
  fit.eigenvalues = Eigen::EigenSolver<Eigen::MatrixXd>(fit.operatorV, false).eigenvalues();
  return fit;
}

double angularDistance(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, Eigen::MatrixXd* map) {
  if (a.rows() != a.cols() || b.rows() != b.cols() || a.rows() != b.rows())
    throw InputError("DSA angular score: the two dynamics matrices must be square and of the same size (" +
                     std::to_string(a.rows()) + " x " + std::to_string(a.cols()) + " vs " + std::to_string(b.rows()) +
                     " x " + std::to_string(b.cols()) + ")");
  const double normA = a.norm();
  const double normB = b.norm();
  if (!(normA > 0.0) || !(normB > 0.0)) throw InputError("DSA angular score: a side's dynamics matrix is zero");
  const Eigen::MatrixXd unitA = a / normA;
  const Eigen::MatrixXd unitB = b / normB;
  const Eigen::Index n = a.rows();
  // Starts: the identity and a reflection (the two components of O(n), as dsa-metric's two runs),
  // then random orthogonal matrices (half of each determinant sign, from a fixed seed).
  std::vector<Eigen::MatrixXd> starts;
  starts.emplace_back(Eigen::MatrixXd::Identity(n, n));
  if (n > 1) {
    Eigen::MatrixXd swap = Eigen::MatrixXd::Identity(n, n);
    swap.row(0).swap(swap.row(1));
    starts.push_back(swap);
    std::mt19937_64 generator(20231031);
    constexpr int kRandomStarts = 6;
    for (int s = 0; s < kRandomStarts; ++s) starts.push_back(randomOrthogonal(n, generator));
  }
  double best = -std::numeric_limits<double>::infinity();
  Eigen::MatrixXd bestMap;
  for (auto& start : starts) {
    const double value = ascend(unitA, unitB, &start);
    if (value > best) {
      best = value;
      bestMap = start;
    }
  }
  if (map != nullptr) *map = bestMap;
  return std::acos(std::clamp(best, -1.0, 1.0));
}

double wassersteinDistance(const Eigen::VectorXcd& a, const Eigen::VectorXcd& b) {
  const Eigen::Index n = std::max(a.size(), b.size());
  if (n == 0) return 0.0;
  Eigen::VectorXcd paddedA = Eigen::VectorXcd::Zero(n);
  Eigen::VectorXcd paddedB = Eigen::VectorXcd::Zero(n);
  paddedA.head(a.size()) = a;
  paddedB.head(b.size()) = b;
  Eigen::MatrixXd cost(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) cost(i, j) = std::norm(paddedA(i) - paddedB(j));
  // Uniform weights 1/n on both sides: an optimal plan is a permutation, each pair carrying 1/n.
  return assignmentCost(cost) / static_cast<double>(n);
}

double dsaDistance(const DmdFit& a, const DmdFit& b, DsaScore score) {
  if (score == DsaScore::Wasserstein) return wassersteinDistance(a.eigenvalues, b.eigenvalues);
  return angularDistance(a.operatorV, b.operatorV);
}

}  // namespace neurolens
