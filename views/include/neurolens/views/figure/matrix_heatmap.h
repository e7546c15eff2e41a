#pragma once
// The similarity matrix of `align --matrix` as a heatmap in the clustered order, labelled with the sides' names,
// p < 0.01 marked (../shared/spec/cli.md, "align, many sides"). `align --matrix --figure OUT` writes it and the
// GUI's Compare > Matrix paints it (issue 29 step 4): one builder, plain types in.
#include <cstddef>
#include <string>
#include <vector>

#include "neurolens/views/figure/figure.h"
#include "neurolens/views/figure/plots.h"

namespace neurolens::views::figure {

struct MatrixHeatmapInput {
  std::vector<std::string> labels;  // one per side, in the order given
  std::vector<double> values;       // n x n, row-major: side i (row) against side j (column)
  std::vector<double> pValues;      // n x n, row-major; NaN where there is no null (the diagonal)
  std::vector<std::size_t> order;   // the clustered order of the sides
  std::string statistic;            // cca_heldout_mean, dsa_distance, ...
  bool largerIsMoreSimilar = true;  // colour scale direction is reported in the colour-bar title
};

// The heatmap's data: row r, column c = side order[r] against side order[c]; rows labelled "k  name", columns k.
// Throws InputError when the matrix, p-values or order do not have n x n (n) entries.
[[nodiscard]] HeatmapData matrixHeatmapData(const MatrixHeatmapInput& input);

// Export size that keeps cells legible up to about 20 sides (width, height in pixels at 300 dpi).
[[nodiscard]] ExportOptions matrixExportOptions(std::size_t sides);

// Writes PNG, SVG or PDF by the extension; InputError naming the file when it cannot.
void writeMatrixHeatmap(const MatrixHeatmapInput& input, const std::string& path, const FigureStyle& style);

}  // namespace neurolens::views::figure
