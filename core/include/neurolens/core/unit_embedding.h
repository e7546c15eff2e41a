#pragma once
// A model's unit embeddings [units, d] (Model::unitEmbeddings) made drawable (issue 18 step 4): their principal
// components, and the colour of each unit from a unit column. `figure --view embedding` and the GUI's "Unit
// embeddings" tab both use these, so the window and the exported figure show the same numbers.
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "neurolens/core/binning.h"
#include "neurolens/core/ndarray.h"

namespace neurolens {

// The embeddings centred (mean unit removed) and projected on their first three principal components.
struct EmbeddingPca {
  std::size_t units = 0;
  std::size_t dims = 0;
  std::vector<std::array<double, 3>> scores;  // per unit: PC 1..3 (0 for a component beyond min(units, d))
  std::vector<double> varianceShare;          // per component (min(units, d) of them): share of the total variance
};

// Throws InputError unless `embeddings` is [units, d] with units and d >= 1.
[[nodiscard]] EmbeddingPca embeddingPca(const FloatArray& embeddings);
// "PC 2 (18 %)": component counted from 0, its share rounded to whole percent (0 beyond the components).
[[nodiscard]] std::string pcAxisTitle(const EmbeddingPca& pca, std::size_t component);

// Mean spikes per second of each unit over every bin of the binned counts [trials, bins, units].
[[nodiscard]] std::vector<double> unitFiringRates(const BinnedRecording& binned);

// The name that colours units by their firing rate when the units table has no column of that name.
inline constexpr const char* kFiringRateColumn = "firing_rate";

// How units are coloured by one unit column: a text column, or a numeric one with at most 12 distinct values, as
// categories (one label per unit, a legend); other numeric columns, and firing_rate computed from the counts, as
// values (a colour bar).
struct UnitColouring {
  std::string column;                   // as asked
  std::string title;                    // legend or colour-bar title: the column, "firing rate (spikes/s)"
  std::vector<std::string> categories;  // categorical: one per unit (else empty)
  std::vector<double> values;           // numeric: one per unit (else empty); NaN where unknown
  [[nodiscard]] bool categorical() const { return !categories.empty(); }
};

// Throws InputError naming the recording and its columns when the units table has no such column with one
// non-ragged value per unit (firing_rate is always known).
[[nodiscard]] UnitColouring unitColouring(const BinnedRecording& binned, const std::string& column);
// "unit embeddings (171 units, d = 32) by firing rate (spikes/s)": the scatter's title.
[[nodiscard]] std::string embeddingTitle(const EmbeddingPca& pca, const UnitColouring& colouring);
// The columns unitColouring accepts, in table order, then firing_rate unless the table has a column of that name.
[[nodiscard]] std::vector<std::string> unitColouringColumns(const BinnedRecording& binned);

}  // namespace neurolens
