#include "neurolens/views/figure/figure_builders.h"

#include <QString>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "neurolens/core/errors.h"
#include "neurolens/views/figure/colormap.h"

namespace neurolens::views::figure {

ColourBy parseColourBy(const std::string& text, std::string* behaviorName) {
  if (text == "condition") return ColourBy::Condition;
  if (text == "time") return ColourBy::Time;
  if (text == "type") return ColourBy::Type;
  const std::string prefix = "behavior:";
  if (text.rfind(prefix, 0) == 0 && text.size() > prefix.size()) {
    if (behaviorName != nullptr) *behaviorName = text.substr(prefix.size());
    return ColourBy::Behavior;
  }
  throw InputError("--color-by '" + text + "' is not one of condition, time, behavior:NAME, type");
}

namespace {

std::string formatNumber(double value, int decimals) { return QString::number(value, 'f', decimals).toStdString(); }

void checkPoints(const FloatArray& points) {
  if (points.rank() != 3 || points.dim(2) != 3 || points.dim(0) == 0 || points.dim(1) == 0)
    throw InputError("trajectory figure: projected points must be [trials, bins, 3] with at least one trial and bin");
}

}  // namespace

TrajectoryParts buildTrajectories(const TrajectoryInput& input, const FigureStyle& style) {
  checkPoints(input.points);
  const std::size_t trials = input.points.dim(0);
  const std::size_t bins = input.points.dim(1);
  TrajectoryParts parts;
  parts.data.axisTitles = input.axisTitles;
  switch (input.colourBy) {
    case ColourBy::Type:
      throw InputError("--color-by type colours units by their type: use it with --view raster or attribution");
    case ColourBy::Condition: {
      std::vector<std::string> labels = input.trialCondition;
      if (labels.empty()) labels.assign(trials, "all trials");
      if (labels.size() != trials)
        throw InputError("trajectory figure: " + std::to_string(labels.size()) + " condition labels for " +
                         std::to_string(trials) + " trials");
      std::vector<std::string> names = labels;
      std::sort(names.begin(), names.end());
      names.erase(std::unique(names.begin(), names.end()), names.end());
      parts.data.points = input.points;
      for (const auto& label : labels)
        parts.data.condition.push_back(static_cast<int>(std::find(names.begin(), names.end(), label) - names.begin()));
      parts.data.conditionNames = names;
      for (std::size_t c = 0; c < names.size(); ++c) {
        parts.data.colours.push_back(style.categoryColour(c));
        parts.legend.push_back({names[c], style.categoryColour(c)});
      }
      parts.legendTitle = "condition";
      break;
    }
    case ColourBy::Time: {
      // Segments share their end points so each trajectory stays connected.
      const std::size_t segments = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(1, input.timeSegments)), 1,
                                                           std::max<std::size_t>(1, bins - 1));
      const std::size_t length = bins <= 1 ? 1 : (bins - 1 + segments - 1) / segments + 1;
      const Colormap map = colormapByName(style.sequentialColormap);
      std::vector<float> values;
      values.reserve(trials * segments * length * 3);
      for (std::size_t t = 0; t < trials; ++t)
        for (std::size_t s = 0; s < segments; ++s) {
          for (std::size_t k = 0; k < length; ++k) {
            const std::size_t bin = std::min(bins - 1, s * (length - 1) + k);
            for (std::size_t d = 0; d < 3; ++d) values.push_back(input.points(t, bin, d));
          }
          parts.data.condition.push_back(static_cast<int>(s));
        }
      parts.data.points = FloatArray({trials * segments, length, 3}, std::move(values));
      for (std::size_t s = 0; s < segments; ++s) {
        const Rgb colour = map.at(segments == 1 ? 0.5 : static_cast<double>(s) / (segments - 1));
        const double from =
            input.windowStartMs + static_cast<double>(std::min(bins - 1, s * (length - 1))) * input.binMs;
        const double to =
            input.windowStartMs + static_cast<double>(std::min(bins - 1, (s + 1) * (length - 1))) * input.binMs;
        const std::string name = formatNumber(from, 0) + "\u2013" + formatNumber(to, 0) + " ms";
        parts.data.colours.push_back(colour);
        parts.data.conditionNames.push_back(name);
        parts.legend.push_back({name, colour});
      }
      parts.legendTitle = "time";
      break;
    }
    case ColourBy::Behavior: {
      if (input.trialBehavior.size() != trials)
        throw InputError("trajectory figure: behaviour '" + input.behaviorName + "' has " +
                         std::to_string(input.trialBehavior.size()) + " values for " + std::to_string(trials) +
                         " trials");
      const auto groups = static_cast<std::size_t>(std::clamp<int>(input.behaviorGroups, 1, static_cast<int>(trials)));
      std::vector<std::size_t> order(trials);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t a, std::size_t b) { return input.trialBehavior[a] < input.trialBehavior[b]; });
      parts.data.points = input.points;
      parts.data.condition.assign(trials, 0);
      std::vector<double> low(groups, std::numeric_limits<double>::infinity());
      std::vector<double> high(groups, -std::numeric_limits<double>::infinity());
      for (std::size_t rank = 0; rank < trials; ++rank) {
        const std::size_t g = rank * groups / trials;
        const std::size_t trial = order[rank];
        parts.data.condition[trial] = static_cast<int>(g);
        low[g] = std::min(low[g], input.trialBehavior[trial]);
        high[g] = std::max(high[g], input.trialBehavior[trial]);
      }
      const Colormap map = colormapByName(style.sequentialColormap);
      const double span = high.back() - low.front();
      const int decimals = span > 0.0 ? std::clamp(static_cast<int>(std::ceil(-std::log10(span / 20.0))), 0, 4) : 2;
      for (std::size_t g = 0; g < groups; ++g) {
        const Rgb colour = map.at(groups == 1 ? 0.5 : 0.1 + 0.8 * static_cast<double>(g) / (groups - 1));
        const std::string name = formatNumber(low[g], decimals) + " to " + formatNumber(high[g], decimals);
        parts.data.colours.push_back(colour);
        parts.data.conditionNames.push_back(name);
        parts.legend.push_back({name, colour});
      }
      parts.legendTitle = input.behaviorName;
      break;
    }
  }
  return parts;
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
    Series truth{name + " actual", {}, d, false};
    Series guess{name + " predicted", {}, d, true};
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
