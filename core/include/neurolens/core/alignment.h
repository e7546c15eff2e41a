#pragma once
// Aligning two "sides" (two animals, two models, a model and a recording): the
// matched rows of both, and how similar they are, each statistic with its
// permutation null, exactly as ../shared/spec/cli.md ("align") defines them and
// docs/alignment.md explains:
//   CCA           canonical correlations = singular values of Qa^T Qb (thin QR of both centred sides)
//   held-out CCA  PCA, means and canonical weights fitted on one half, scored on the other, and swapped
//   Procrustes    disparity exactly as scipy.spatial.procrustes
//   consistency   cross-validated ridge R2 from A to B and from B to A (contiguous folds, alpha as in probe)
//   DSA           Dynamical Similarity Analysis of the matched trajectories (core/dsa.h), with its own null
// Each side is first projected onto its top K principal components. Plain Eigen,
// no LibTorch: testable against numpy / scipy / scikit-learn.
#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "neurolens/core/dsa.h"
#include "neurolens/core/linear_models.h"
#include "neurolens/core/ndarray.h"
#include "neurolens/core/progress.h"

namespace neurolens {

enum class AlignMatch { Time, Conditions, Behavior };

// Rows of side A matched one to one with rows of side B. For conditions and
// behaviour the rows are groups (a condition's or a sector's mean trajectory) of
// `groupRows` rows each, in the sorted order of `labels`; the null permutes
// whole groups of B. For time the rows are (trial, bin) pairs and the null
// shifts B circularly (never by a multiple of `trialRows`).
struct MatchedRows {
  AlignMatch match = AlignMatch::Time;
  Eigen::MatrixXd a;                // [rows, features of A]
  Eigen::MatrixXd b;                // [rows, features of B]
  std::vector<std::string> labels;  // groups, sorted (conditions, behaviour)
  std::size_t groupRows = 0;        // rows per group (conditions, behaviour)
  std::size_t trialRows = 0;        // rows per trial (time)
  // Behaviour: entries into each sector that were averaged, per side.
  std::vector<std::size_t> entriesA;
  std::vector<std::size_t> entriesB;
};

// Time: row r of A with row r of B. Both [trials, bins, features] with the same
// trials and bins; throws InputError (naming both shapes) otherwise.
[[nodiscard]] MatchedRows matchByTime(const FloatArray& a, const FloatArray& b);

// Conditions: the mean trajectory of every label present on both sides, bin by
// bin over the common number of bins. Throws InputError when no label is common.
[[nodiscard]] MatchedRows matchByConditions(const FloatArray& a, const std::vector<std::string>& conditionsA,
                                            const FloatArray& b, const std::vector<std::string>& conditionsB);

struct SectorOptions {
  std::size_t sectors = 8;
  std::size_t windowBins = 10;
};
// The sector of a 2-D direction (x, y): floor(angle / (360 / sectors)), angle in
// [0, 360) counter-clockwise from +x; -1 when either value is not finite or both are 0.
[[nodiscard]] int directionSector(double x, double y, std::size_t sectors);
// Mean trajectory [sectors, windowBins, features] over the windowBins bins that
// start at each entry into a sector (a bin whose sector differs from the previous
// bin's, both defined, the whole window inside the trial with finite features);
// `entries` receives the number of entries per sector (a sector without entries is all zero).
[[nodiscard]] FloatArray sectorTrajectories(const FloatArray& features, const FloatArray& behavior,
                                            const SectorOptions& options, std::vector<std::size_t>* entries);
// Behaviour: the sectors entered on both sides, labelled "sector_<index>" (zero-padded
// so that sorted order is index order). behavior: [trials, bins, 2] per side.
[[nodiscard]] MatchedRows matchByBehavior(const FloatArray& a, const FloatArray& behaviorA, const FloatArray& b,
                                          const FloatArray& behaviorB, const SectorOptions& options);

// Canonical correlations of two sets of rows (same row count): both centred,
// thin QR of each, singular values of Qa^T Qb in descending order, min(cols) values.
struct CanonicalFit {
  std::vector<double> correlations;
  Eigen::RowVectorXd meanA;
  Eigen::RowVectorXd meanB;
  Eigen::MatrixXd weightsA;  // [cols A, k]: (A - meanA) weightsA = canonical variates, unit sample variance
  Eigen::MatrixXd weightsB;  // [cols B, k]
};
// Throws InputError when the rows differ, there are fewer rows than columns + 1,
// or a side's columns are linearly dependent (no canonical weights exist).
[[nodiscard]] CanonicalFit fitCanonical(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);

// scipy.spatial.procrustes(a, b): both centred and scaled to unit Frobenius norm,
// b rotated and scaled onto a; disparity = sum of squared differences.
struct ProcrustesFit {
  double disparity = 0.0;
  Eigen::MatrixXd rotation;  // applied as b_std * rotation^T * scale, as scipy does
  double scale = 0.0;
};
// Throws InputError on different shapes or a side without variance.
[[nodiscard]] ProcrustesFit procrustesDisparity(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);

struct AlignOptions {
  std::size_t dims = 0;  // K; 0 = min(10, features of A, features of B)
  bool cca = true;       // canonical and held-out canonical correlations
  bool procrustes = true;
  bool consistency = true;
  // DSA between the matched trajectories (groups for conditions and behaviour, trials for time) of the K
  // principal components; its null permutes side B's bins in time within each trajectory.
  bool dsa = false;
  DsaOptions dsaOptions;
  std::size_t permutations = 200;
  std::size_t folds = 5;  // consistency: contiguous folds over the matched rows (outer and inner)
  std::vector<double> alphas = defaultAlphas();
  std::uint64_t seed = 0;
};

struct AlignStatistics {
  std::size_t rows = 0;
  std::size_t dims = 0;
  std::vector<double> canonicalCorrelations;  // K
  double ccaMean = 0.0;
  std::vector<double> ccaHeldout;  // K, mean of both directions
  double ccaHeldoutMean = 0.0;
  double procrustesDisparity = 0.0;
  double consistencyAToB = 0.0;
  double consistencyBToA = 0.0;
  double dsaDistance = 0.0;
  // Statistic name (cca_mean, cca_heldout_mean, procrustes_disparity, consistency_r2_a_to_b,
  // consistency_r2_b_to_a, dsa_distance) -> p from the null; empty without permutations.
  std::map<std::string, double> pValues;
  std::map<std::string, std::vector<double>> nullValues;
  std::size_t permutationsRun = 0;  // null draws (all distinct ones when fewer than asked exist)
  bool exhaustive = false;          // every distinct permutation / shift was used
  double pMin = 1.0;                // the smallest p these data and permutations allow
  // DSA's null (side B's bins permuted in time within each trajectory): its draws and smallest p.
  std::size_t dsaPermutationsRun = 0;
  double dsaPMin = 1.0;
  // Full-data CCA on the K principal components, expressed on the sides' own features.
  Eigen::RowVectorXd meanA;
  Eigen::RowVectorXd meanB;
  Eigen::MatrixXd transformA;  // [features A, K]: (A - meanA) transformA = canonical variates of A
  Eigen::MatrixXd transformB;  // [features B, K]
  Eigen::MatrixXd alignedA;    // [rows, K] canonical variates of the matched rows
  Eigen::MatrixXd alignedB;
};

class AlignSideCache;

// Throws InputError when K does not fit the data (K > either side's features,
// fewer matched rows than 2 K, fewer than two groups to split and permute).
// cacheA / cacheB (optional): where side A's and side B's own work is kept and found again (AlignSideCache).
[[nodiscard]] AlignStatistics alignSides(const MatchedRows& rows, const AlignOptions& options,
                                         const Progress& progress = {}, AlignSideCache* cacheA = nullptr,
                                         AlignSideCache* cacheB = nullptr);

// The work on one side of an alignment that does not depend on its partner, kept across alignments
// (`align --matrix`: one cache per side, passed as cacheA or cacheB to every alignSides of that side):
// the PCA of its matched rows, its held-out PCAs, its DMD fit and, when it is side B, the held-out PCAs
// and DMD fits of each of the nulls' rearrangements of its rows. An alignment finds them by the side's
// matched rows (compared exactly), K, the halves, the trajectories and the DSA options, and each
// rearrangement by its row order; so they are shared exactly where a side's matched rows do not depend on
// its partner: always under time, under conditions or behaviour when every partner has the same common
// labels (sectors) and bins. Each value is computed by the same code from the same numbers as without a
// cache, so the statistics are bit-identical. Thread-safe. What it keeps (a copy of the rows, the fits)
// counts against `keepBytes`; what would exceed it is computed per pair, as without a cache.
class AlignSideCache {
 public:
  explicit AlignSideCache(std::size_t keepBytes = std::size_t{256} << 20U);
  ~AlignSideCache();
  AlignSideCache(const AlignSideCache&) = delete;
  AlignSideCache& operator=(const AlignSideCache&) = delete;
  AlignSideCache(AlignSideCache&&) = delete;
  AlignSideCache& operator=(AlignSideCache&&) = delete;

  struct Counts {
    std::size_t computed = 0;  // fits computed (a PCA, a held-out pair, a DMD; a rearrangement's each)
    std::size_t reused = 0;    // fits found again
  };
  [[nodiscard]] Counts counts() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  friend AlignStatistics alignSides(const MatchedRows&, const AlignOptions&, const Progress&, AlignSideCache*,
                                    AlignSideCache*);
};

// The leaf order of an average-linkage (UPGMA) clustering of a symmetric distance matrix, as
// scipy.cluster.hierarchy.leaves_list(linkage(squareform(d), 'average')): at each step the two
// closest clusters merge (ties: the first pair in index order), the merged cluster's distance to
// another is the mean of the pairwise distances between their members, and the order lists the
// leaves of the tree depth-first, the child with the smaller cluster id first (ids: leaves 0..N-1,
// the k-th merge N + k). Only the upper triangle of `distance` is read.
[[nodiscard]] std::vector<std::size_t> averageLinkageOrder(const Eigen::MatrixXd& distance);

}  // namespace neurolens
