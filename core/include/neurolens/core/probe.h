#pragma once
// Probes: how much of a behavioural or task variable can be read out linearly
// from counts, rates or a model's latents. Cross-validated ridge regression for
// numeric targets, multinomial logistic regression for categorical ones, exactly
// as ../shared/spec/cli.md ("probe") defines them and docs/probes.md explains.
//
// Rows are (trial, bin) pairs. A numeric target's outer folds are contiguous runs
// of trials (of bins for a single-trial continuous recording), never shuffled; a
// categorical target's folds are stratified over whole trials, exactly as
// scikit-learn's StratifiedKFold(K) (no shuffling) assigns them given one label per
// trial, so every class is in every training fold (recordings often list their
// trials sorted by condition). The penalty is chosen inside each training set by
// an inner K-fold of the same kind over the training trials (or bins), as
// scikit-learn's GridSearchCV does; scores are computed once on the out-of-fold
// predictions of all rows.
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "neurolens/core/binning.h"
#include "neurolens/core/linear_models.h"
#include "neurolens/core/ndarray.h"
#include "neurolens/core/progress.h"

namespace neurolens {

// What to predict. Numeric targets are [trials, bins, dims] (a per-trial number
// is repeated over the trial's bins); categorical targets are one label per trial.
struct ProbeTarget {
  std::string name;                 // e.g. "behavior:hand_vel", "trials:condition"
  FloatArray numeric;               // [trials, bins, dims]; empty for a categorical target
  std::vector<std::string> labels;  // one per trial; empty for a numeric target

  [[nodiscard]] bool categorical() const { return !labels.empty(); }
};

// "behavior:NAME" (the binned series, which must have been binned with --behavior NAME)
// or "trials:COLUMN" (numeric column -> ridge, text column -> logistic).
// Throws InputError naming what is missing.
[[nodiscard]] ProbeTarget probeTargetFromSpec(const BinnedRecording& recording, const std::string& spec);

// One row per (trial, bin) pair, or one per trial with its features (and a numeric
// target) averaged over the window's bins (--rows trials: decoding a trial's label
// from, say, its delay period). A continuous recording has no trials for the latter.
enum class ProbeRowsKind { Bins, Trials };
// "bins" / "trials"; parseProbeRowsKind throws InputError on anything else.
[[nodiscard]] const char* probeRowsKindName(ProbeRowsKind kind);
[[nodiscard]] ProbeRowsKind parseProbeRowsKind(const std::string& text);

struct ProbeOptions {
  std::size_t folds = 5;
  ProbeRowsKind rows = ProbeRowsKind::Bins;
  std::vector<double> alphas = defaultAlphas();
  double binMs = 20.0;
  double lagMs = 0.0;  // the target is taken this many ms after the features (a multiple of binMs)
  std::size_t permutations = 0;
  std::uint64_t seed = 0;
};

// The rows a probe sees, after the lag shift dropped rows without a partner.
struct ProbeRows {
  Eigen::MatrixXd features;  // [rows, features]
  Eigen::MatrixXd targets;   // [rows, dims] (numeric)
  std::vector<int> labels;   // [rows] class index (categorical)
  std::vector<std::string> classes;
  std::vector<std::size_t> trial;  // trial of each row
  std::vector<std::size_t> bin;    // feature bin of each row
  // Fold groups: each group is a contiguous run of rows (a trial, or a bin of a
  // single-trial recording); groupEnd[g] is one past its last row.
  std::vector<std::size_t> groupEnd;
};

// Throws InputError when shapes disagree or the lag leaves no rows.
[[nodiscard]] ProbeRows buildProbeRows(const FloatArray& features, const ProbeTarget& target, int lagBins);
// One row per trial: the mean of each trial's rows (features and numeric targets);
// groupEnd then counts trials and `bin` is 0. Throws InputError for a single trial.
[[nodiscard]] ProbeRows averageRowsPerTrial(const ProbeRows& rows);
// lagMs / binMs as a whole number of bins; throws InputError otherwise.
[[nodiscard]] int lagInBins(double lagMs, double binMs);

enum class FoldsKind { Contiguous, Stratified };
// "contiguous" or "stratified", as --json's folds_kind says it.
[[nodiscard]] const char* foldsKindName(FoldsKind kind);

struct ProbeResult {
  bool categorical = false;
  FoldsKind foldsKind = FoldsKind::Contiguous;
  std::size_t rows = 0;
  // Numeric targets.
  std::vector<double> r2PerDim;
  double r2 = 0.0;
  std::vector<double> alphaPerFold;  // the penalty chosen inside each outer training set
  double alpha = 0.0;                // the most often chosen (ties: the smaller)
  Eigen::MatrixXd weights;           // [features, dims] ridge weights refit on all rows with `alpha`
  Eigen::RowVectorXd intercept;
  // Categorical targets.
  double accuracy = 0.0;
  double chance = 0.0;  // rate of the majority class over all rows
  std::vector<std::string> classes;
  ProbeRowsKind rowsKind = ProbeRowsKind::Bins;
  // Out-of-fold predictions [trials, bins, dims] (categorical: the predicted class
  // index); NaN where the lag left a bin without a partner. --rows trials: [trials, 1, dims].
  FloatArray predictions;
  // Permutation null (targets shuffled in blocks of trials, or of bins for one trial;
  // a categorical target's labels move between whole trials and the stratified
  // folds are drawn again from the shuffled labels).
  std::vector<double> nullScores;
  double pValue = 1.0;  // (1 + #{null >= observed}) / (1 + permutations); 1 without permutations
};

// Scores of out-of-fold predictions only (used for permutations and tests).
struct CrossValidatedRidge {
  Eigen::MatrixXd predictions;  // [rows, dims]
  std::vector<double> alphaPerFold;
};
[[nodiscard]] CrossValidatedRidge crossValidateRidge(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                                                     const std::vector<std::size_t>& groupEnd, std::size_t folds,
                                                     const std::vector<double>& alphas, const Progress& progress = {});
struct CrossValidatedLogistic {
  std::vector<int> predictions;
  std::vector<double> alphaPerFold;
};
[[nodiscard]] CrossValidatedLogistic crossValidateLogistic(const Eigen::MatrixXd& x, const std::vector<int>& labels,
                                                           int classes, const std::vector<std::size_t>& groupEnd,
                                                           std::size_t folds, const std::vector<double>& alphas,
                                                           const Progress& progress = {});

// features [trials, bins, features]; throws InputError when the options do not fit the data.
[[nodiscard]] ProbeResult runProbe(const FloatArray& features, const ProbeTarget& target, const ProbeOptions& options,
                                   const Progress& progress = {});

}  // namespace neurolens
