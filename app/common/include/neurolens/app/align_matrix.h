#pragma once
// `align --matrix` (../shared/spec/cli.md "align, many sides"), Qt-free: every pair of three or more sides aligned
// as the two-sided form does (align_study.h), a statistic per cell with its permutation p-value, and the sides'
// average-linkage order. `neurolens-cli align --matrix` and the GUI's Compare > Matrix (issue 29 step 4) both
// run this, so their numbers are the same for the same sides and options.
#include <Eigen/Dense>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/app/align_study.h"

namespace neurolens::app {

// What a --statistic name needs: whether larger means more alike, and its mirror (the same statistic with
// the sides' roles swapped). nullopt for a name the matrix does not know.
struct AlignMatrixStatistic {
  bool larger = true;
  std::string mirror;
};
[[nodiscard]] std::optional<AlignMatrixStatistic> alignMatrixStatistic(const std::string& name);
// The names alignMatrixStatistic knows, for an error message.
[[nodiscard]] std::string alignMatrixStatisticNames();

struct AlignMatrixOptions {
  AlignStudyOptions study;                     // as the two-sided form (statistics' flags are set by `statistic`)
  std::string statistic = "cca_heldout_mean";  // one alignMatrixStatistic knows
};

struct AlignMatrixResult {
  std::vector<std::string> files;   // the sides' files, in the order given
  std::vector<std::string> labels;  // their stems (with the parent folder where two stems are the same)
  std::string statistic;
  bool largerIsMoreSimilar = true;
  std::string match;        // the match used (time, conditions, behavior:NAME)
  Eigen::MatrixXd matrix;   // n x n: row i column j = side i against side j
  Eigen::MatrixXd pValues;  // n x n; NaN on the diagonal
  std::vector<std::size_t> order;
  double seconds = 0.0;
};

// Throws InputError for fewer than three sides, an unknown statistic or any side or pair the two-sided form
// would refuse (naming it); Cancelled when `progress` asks to stop (the workers are joined first).
[[nodiscard]] AlignMatrixResult runAlignMatrix(const std::vector<AlignSideSpec>& sides,
                                               const AlignMatrixOptions& options, const Progress& progress,
                                               const AlignWarn& warn);

// The sides' file stems; where two stems are the same, their parent folders too (d1/demo, d2/demo).
[[nodiscard]] std::vector<std::string> alignMatrixLabels(const std::vector<std::string>& files);

// A matrix as JSON rows (NaN as null), as `align --matrix --json` writes `matrix` and `p_values`.
[[nodiscard]] nlohmann::json alignMatrixJson(const Eigen::MatrixXd& matrix);

}  // namespace neurolens::app
