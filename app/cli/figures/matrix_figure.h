#pragma once
// `align --matrix --figure OUT`: the similarity matrix as a heatmap in the clustered
// order, labelled with the sides' file stems, p < 0.01 marked (../shared/spec/cli.md,
// "align, many sides"). Plain types in, so command_align.cpp needs no Qt.
#include <cstddef>
#include <string>
#include <vector>

namespace neurolens::cli {

struct MatrixFigureInput {
  std::vector<std::string> labels;  // one per side, in the order given
  std::vector<double> values;       // n x n, row-major: side i (row) against side j (column)
  std::vector<double> pValues;      // n x n, row-major; NaN where there is no null (the diagonal)
  std::vector<std::size_t> order;   // the clustered order of the sides
  std::string statistic;            // cca_heldout_mean, dsa_distance, ...
  bool largerIsMoreSimilar = true;  // colour scale direction is reported in the colour-bar title
};

// Writes PNG, SVG or PDF by the extension; InputError naming the file when it cannot.
void writeMatrixFigure(const MatrixFigureInput& input, const std::string& path);

}  // namespace neurolens::cli
