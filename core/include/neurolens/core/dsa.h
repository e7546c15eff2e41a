#pragma once
// Dynamical Similarity Analysis (Ostrow et al. 2023), as the `dsa-metric` package
// (2.0.2) computes it, in plain Eigen (double precision, no LibTorch):
//   1. delay embedding of each trajectory (n_delays, delay_interval; never across a trajectory's boundary),
//   2. HAVOK DMD: thin SVD of the stacked Hankel rows H = V S U^T, then the least-squares (ridge lambda)
//      one-step map A_v of the first `rank` columns of V within each trajectory,
//   3. a score between two A_v: "angular" (the angle between A and C B C^T for the best orthogonal C,
//      dsa-metric's score_method='angular') or "wasserstein" (the optimal-transport cost between the two
//      eigenvalue sets in the complex plane, squared Euclidean ground cost, uniform weights, as POT's emd2).
// docs/alignment.md explains it; tests/core/test_dsa.cpp checks it against dsa-metric itself.
#include <Eigen/Dense>
#include <cstddef>
#include <string>
#include <vector>

namespace neurolens {

enum class DsaScore { Angular, Wasserstein };

struct DsaOptions {
  std::size_t delays = 1;         // n_delays (dsa-metric's DMD default 1: no delay embedding)
  std::size_t delayInterval = 1;  // delay_interval (default 1)
  std::size_t rank = 0;           // columns of V used; 0 = all of them (DMD's rank=None)
  double lambda = 1e-8;           // ridge term of the regression (DMD's lamb)
  DsaScore score = DsaScore::Angular;
};

// "angular" or "wasserstein".
[[nodiscard]] std::string dsaScoreName(DsaScore score);

struct DmdFit {
  Eigen::MatrixXd operatorV;       // A_v [rank, rank]: v_{t+1} = A_v v_t in the right singular vectors of H
  Eigen::VectorXcd eigenvalues;    // of A_v
  Eigen::VectorXd singularValues;  // of the Hankel matrix, all of them, descending
  std::size_t embeddedRows = 0;    // rows of H (all trajectories)
};

// DMD of trajectories stored as consecutive blocks of `trajectoryRows` rows of `rows`
// ([trajectories * trajectoryRows, features]; trajectoryRows 0 = one trajectory). Throws
// InputError when a trajectory is too short for the delays, the Hankel matrix has fewer rows
// than columns, or the rank asked for exceeds its columns.
[[nodiscard]] DmdFit fitDmd(const Eigen::MatrixXd& rows, std::size_t trajectoryRows, const DsaOptions& options);

// The angle (radians, in [0, pi]) between A and C B C^T, C orthogonal, maximising the cosine
// trace(A^T C B C^T) / (|A| |B|): Riemannian ascent over O(n) from several starts (both
// components of O(n)). `map` receives C when not null. A and B square, of the same size.
[[nodiscard]] double angularDistance(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                                     Eigen::MatrixXd* map = nullptr);

// Optimal transport between two sets of complex numbers as points of the plane, uniform weights,
// squared Euclidean cost; the smaller set is padded with zeros (as dsa-metric pads). Exact
// (an optimal assignment), equal to POT's emd2.
[[nodiscard]] double wassersteinDistance(const Eigen::VectorXcd& a, const Eigen::VectorXcd& b);

// The score between two fitted DMDs.
[[nodiscard]] double dsaDistance(const DmdFit& a, const DmdFit& b, DsaScore score);

}  // namespace neurolens
