#pragma once
// The figure model: from plain analysis results (arrays, labels, p-values) to the
// plots the CLI's `figure` command and the GUI's export draw. No I/O, no LibTorch:
// whoever computed the data (core, a results file) hands it over as plain types,
// and both front ends get the same figure from the same inputs.
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "neurolens/core/ndarray.h"
#include "neurolens/scene/scene.h"
#include "neurolens/views/figure/figure_style.h"
#include "neurolens/views/figure/plots.h"
#include "neurolens/views/figure/trajectory_figure.h"

namespace neurolens::views::figure {

// The trajectory colouring is the scene's (neurolens/scene/scene.h), under the names the
// figure model has always used; the style's colours go in as a scene::Palette.
using scene::ColourBy;
using scene::ConditionColours;
using scene::parseColourBy;
using scene::TrajectoryInput;
using scene::TrajectoryParts;
using scene::VertexValues;

[[nodiscard]] scene::Palette paletteOf(const FigureStyle& style);
[[nodiscard]] ConditionColours conditionColours(const std::vector<std::string>& labels, const std::string& column,
                                                const FigureStyle& style);
[[nodiscard]] VertexValues behaviorValues(const FloatArray& behavior, const std::string& name, const std::string& part,
                                          const FigureStyle& style);
[[nodiscard]] TrajectoryParts buildTrajectories(const TrajectoryInput& input, const FigureStyle& style);

// Mean firing rate (Hz) per unit and bin over the selected trials of counts
// [trials, bins, units], units grouped by `unitGroups` (may be empty).
[[nodiscard]] std::unique_ptr<HeatmapPlot> firingRateHeatmap(const FloatArray& counts,
                                                             const std::vector<std::size_t>& trials,
                                                             const std::vector<std::string>& unitGroups, double binMs,
                                                             double windowStartMs, const std::string& title);

// Attribution profiles [units, latents] (signed, diverging map, symmetric range),
// units grouped by type, the link's permutation p-values [types, latents] marked.
[[nodiscard]] std::unique_ptr<HeatmapPlot> attributionHeatmap(const FloatArray& profiles,
                                                              const std::vector<std::string>& unitTypes,
                                                              const std::vector<std::string>& typeNames,
                                                              const FloatArray& pValues, const std::string& title);

// Type x latent association [types, latents] with p-values [types, latents].
[[nodiscard]] std::unique_ptr<HeatmapPlot> associationHeatmap(const FloatArray& association,
                                                              const std::vector<std::string>& typeNames,
                                                              const FloatArray& pValues, const std::string& title);

// Cross-validated R2 per target dimension.
[[nodiscard]] std::unique_ptr<BarPlot> probeR2Bars(const std::vector<double>& r2PerDim,
                                                   const std::vector<std::string>& dimNames, const std::string& title);

// Actual (solid) and predicted (dashed) target of one trial, [bins, dims] each.
[[nodiscard]] std::unique_ptr<LinePlot> probeSeries(const FloatArray& actual, const FloatArray& predicted,
                                                    const std::vector<std::string>& dimNames, double binMs,
                                                    double windowStartMs, const std::string& yTitle,
                                                    const std::string& title);

}  // namespace neurolens::views::figure
