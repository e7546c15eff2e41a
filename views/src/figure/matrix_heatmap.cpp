#include "neurolens/views/figure/matrix_heatmap.h"

#include <algorithm>
#include <memory>

#include "neurolens/core/errors.h"

namespace neurolens::views::figure {

HeatmapData matrixHeatmapData(const MatrixHeatmapInput& input) {
  const std::size_t n = input.labels.size();
  if (input.values.size() != n * n || input.pValues.size() != n * n || input.order.size() != n)
    throw InputError("alignment matrix figure: " + std::to_string(n) + " sides but the matrix does not match");
  HeatmapData data;
  data.values = FloatArray({n, n});
  data.pValues = FloatArray({n, n});
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t c = 0; c < n; ++c) {
      const std::size_t from = input.order[r] * n + input.order[c];
      data.values.values()[r * n + c] = static_cast<float>(input.values[from]);
      data.pValues.values()[r * n + c] = static_cast<float>(input.pValues[from]);
    }
  // Rows carry "k  name", columns only k: long names side by side under the columns would be thinned out.
  for (std::size_t k = 0; k < n; ++k) {
    data.rowLabels.push_back(std::to_string(k + 1) + "  " + input.labels.at(input.order[k]));
    data.columnLabels.push_back(std::to_string(k + 1));
  }
  data.title = "Similarity of " + std::to_string(n) + " sides (clustered order; ** p < 0.01)";
  data.xTitle = "side B";
  data.yTitle = "side A";
  data.colourBarTitle =
      input.statistic + (input.largerIsMoreSimilar ? " (higher = more alike)" : " (lower = more alike)");
  data.alpha = 0.01;  // only p < 0.01 is marked (** and ***)
  return data;
}

ExportOptions matrixExportOptions(std::size_t sides) {
  // Cells stay legible up to about 20 sides; the labels need room on the left and below.
  const int side = static_cast<int>(std::clamp<std::size_t>(sides * 140 + 700, 1200, 4000));
  return {side + 300, side, 300.0, false};
}

void writeMatrixHeatmap(const MatrixHeatmapInput& input, const std::string& path, const FigureStyle& style) {
  (void)formatForPath(path);  // an unknown extension is refused before any work
  Figure figure(1);
  figure.add(std::make_unique<HeatmapPlot>(matrixHeatmapData(input)));
  exportFigure(figure, path, matrixExportOptions(input.labels.size()), style);
}

}  // namespace neurolens::views::figure
