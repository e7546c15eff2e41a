#pragma once
// Compare > Matrix's decisions (issue 29 step 4), Qt-free: which pairs of the workspace are the sides of
// `align --matrix` (every pair that is ready; three or more needed), what each side is (as Compare > Align's:
// the recording through the pair's model, or its smoothed counts without one), align's defaults (as
// `neurolens-cli align --matrix` with no options), the numbers the view and `--state-json` report under
// `align --matrix --json`'s keys, and which cell of the drawn heatmap a point falls in.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "logic/align_choice.h"
#include "neurolens/app/align_matrix.h"

namespace neurolens::gui {

struct MatrixChoice {
  std::vector<std::size_t> pairs;         // indices into the pairs given, in their order: side k = pairs[k]
  std::vector<app::AlignSideSpec> sides;  // one per side
  std::vector<std::string> labels;        // one per side: the recording's stem (+ " \u00b7 " model stem)
  std::string error;                      // why there is no matrix (then the rest is empty)
  [[nodiscard]] bool ok() const { return error.empty(); }
};

// Every ready pair; an error when fewer than three are ready (naming how many are).
[[nodiscard]] MatrixChoice chooseMatrixPairs(const std::vector<AlignPairInput>& pairs);

// Whether Compare > Matrix can run: three or more ready pairs.
[[nodiscard]] bool matrixAvailable(const std::vector<AlignPairInput>& pairs);

// `align --matrix`'s defaults: align's (defaultAlignOptions) and the statistic cca_heldout_mean.
[[nodiscard]] app::AlignMatrixOptions defaultMatrixOptions();

// align --matrix --json's keys for a result (`seconds` left out): sides, statistic, match, matrix, p_values, order.
[[nodiscard]] nlohmann::json matrixNumbers(const app::AlignMatrixResult& result);

// One axis of the drawn heatmap: the centres of some of its `count` slots (display index, coordinate), as the
// painted tick labels give them. The slot whose extent (half way to its neighbours) holds `position`, if any.
[[nodiscard]] std::optional<std::size_t> matrixSlotAt(const std::vector<std::pair<std::size_t, double>>& centres,
                                                      std::size_t count, double position);

// The sides of a clicked cell: display row / column -> sides (order[row], order[column]); nullopt on the diagonal.
[[nodiscard]] std::optional<std::pair<std::size_t, std::size_t>> matrixCellSides(const std::vector<std::size_t>& order,
                                                                                 std::size_t row, std::size_t column);

}  // namespace neurolens::gui
