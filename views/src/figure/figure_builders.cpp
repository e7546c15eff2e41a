#include "neurolens/views/figure/figure_builders.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <utility>

#include "neurolens/core/errors.h"
#include "neurolens/views/figure/colormap.h"

namespace neurolens::views::figure {

scene::Palette paletteOf(const FigureStyle& style) {
  scene::Palette palette;
  palette.categorical = style.categorical;
  palette.sequentialColormap = style.sequentialColormap;
  palette.background = style.background;
  return palette;
}

ConditionColours conditionColours(const std::vector<std::string>& labels, const std::string& column,
                                  const FigureStyle& style) {
  return scene::conditionColours(labels, column, paletteOf(style));
}

VertexValues behaviorValues(const FloatArray& behavior, const std::string& name, const std::string& part,
                            const FigureStyle& style) {
  return scene::behaviorValues(behavior, name, part, paletteOf(style));
}

TrajectoryParts buildTrajectories(const TrajectoryInput& input, const FigureStyle& style) {
  return scene::colourTrajectories(input, paletteOf(style));
}

std::unique_ptr<HeatmapPlot> firingRateHeatmap(const FloatArray& counts, const std::vector<std::size_t>& trials,
                                               const std::vector<std::string>& unitGroups, double binMs,
                                               double windowStartMs, const std::string& title) {
  if (counts.rank() != 3 || counts.size() == 0) throw InputError("raster figure: no binned counts to draw");
  if (!(binMs > 0.0)) throw InputError("raster figure: the bin size must be positive");
  const std::size_t bins = counts.dim(1);
  const std::size_t units = counts.dim(2);
  std::vector<std::size_t> selected = trials;
  if (selected.empty()) {
    selected.resize(counts.dim(0));
    std::iota(selected.begin(), selected.end(), 0);
  }
  FloatArray rates({units, bins});
  const double scale = 1000.0 / binMs / static_cast<double>(selected.size());
  for (const std::size_t t : selected) {
    if (t >= counts.dim(0)) throw InputError("raster figure: trial index " + std::to_string(t) + " is out of range");
    for (std::size_t b = 0; b < bins; ++b)
      for (std::size_t u = 0; u < units; ++u) rates.values()[u * bins + b] += counts(t, b, u);
  }
  for (float& v : rates.values()) v = static_cast<float>(v * scale);
  HeatmapData data;
  data.values = std::move(rates);
  data.title = title;
  data.xTitle = "time (ms)";
  data.yTitle = "unit";
  data.colourBarTitle = "firing rate (Hz)";
  data.xStart = windowStartMs;
  data.xStep = binMs;
  data.rowGroups = unitGroups;
  return std::make_unique<HeatmapPlot>(std::move(data));
}

namespace {

std::vector<std::string> latentLabels(std::size_t latents) {
  std::vector<std::string> labels;
  for (std::size_t d = 0; d < latents; ++d) labels.push_back(std::to_string(d + 1));
  return labels;
}

}  // namespace

std::unique_ptr<HeatmapPlot> attributionHeatmap(const FloatArray& profiles, const std::vector<std::string>& unitTypes,
                                                const std::vector<std::string>& typeNames, const FloatArray& pValues,
                                                const std::string& title) {
  if (profiles.rank() != 2) throw InputError("attribution figure: profiles must be [units, latents]");
  HeatmapData data;
  data.values = profiles;
  data.title = title;
  data.xTitle = "latent";
  data.yTitle = "unit";
  data.colourBarTitle = "attribution (unit-norm profile)";
  data.columnLabels = latentLabels(profiles.dim(1));
  data.rowGroups = unitTypes;
  data.scale = ColourScale::Diverging;
  if (!pValues.empty()) {
    data.pValues = pValues;
    data.pValueGroups = typeNames;
  }
  return std::make_unique<HeatmapPlot>(std::move(data));
}

std::unique_ptr<HeatmapPlot> associationHeatmap(const FloatArray& association,
                                                const std::vector<std::string>& typeNames, const FloatArray& pValues,
                                                const std::string& title) {
  if (association.rank() != 2) throw InputError("association figure: the matrix must be [types, latents]");
  HeatmapData data;
  data.values = association;
  data.title = title;
  data.xTitle = "latent";
  data.yTitle = "unit type";
  data.colourBarTitle = "share of profile";
  data.rowLabels = typeNames;
  data.columnLabels = latentLabels(association.dim(1));
  data.pValues = pValues;
  return std::make_unique<HeatmapPlot>(std::move(data));
}

std::unique_ptr<BarPlot> probeR2Bars(const std::vector<double>& r2PerDim, const std::vector<std::string>& dimNames,
                                     const std::string& title) {
  BarData data;
  data.values = r2PerDim;
  data.barLabels = dimNames;
  data.title = title;
  data.xTitle = "target dimension";
  data.yTitle = "cross-validated R\u00b2";
  return std::make_unique<BarPlot>(std::move(data));
}

std::unique_ptr<LinePlot> probeSeries(const FloatArray& actual, const FloatArray& predicted,
                                      const std::vector<std::string>& dimNames, double binMs, double windowStartMs,
                                      const std::string& yTitle, const std::string& title) {
  if (actual.rank() != 2 || predicted.shape() != actual.shape())
    throw InputError("probe figure: actual and predicted series must both be [bins, dims]");
  LineData data;
  data.xStart = windowStartMs;
  data.xStep = binMs;
  data.title = title;
  data.yTitle = yTitle;
  const std::size_t bins = actual.dim(0);
  const std::size_t dims = actual.dim(1);
  for (std::size_t d = 0; d < dims; ++d) {
    const std::string name = d < dimNames.size() ? dimNames[d] : "dim " + std::to_string(d + 1);
    Series truth{name + " actual", {}, d, false, std::nullopt};
    Series guess{name + " predicted", {}, d, true, std::nullopt};
    for (std::size_t b = 0; b < bins; ++b) {
      truth.values.push_back(actual.values()[b * dims + d]);
      guess.values.push_back(predicted.values()[b * dims + d]);
    }
    data.series.push_back(std::move(truth));
    data.series.push_back(std::move(guess));
  }
  return std::make_unique<LinePlot>(std::move(data));
}

}  // namespace neurolens::views::figure
