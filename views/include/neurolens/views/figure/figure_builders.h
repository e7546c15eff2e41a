#pragma once
// The figure model: from plain analysis results (arrays, labels, p-values) to the
// plots the CLI's `figure` command and the GUI's export draw. No I/O, no LibTorch:
// whoever computed the data (core, a results file) hands it over as plain types,
// and both front ends get the same figure from the same inputs.
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "neurolens/core/ndarray.h"
#include "neurolens/views/figure/figure_style.h"
#include "neurolens/views/figure/plots.h"
#include "neurolens/views/figure/trajectory_figure.h"

namespace neurolens::views::figure {

enum class ColourBy { Condition, Time, Behavior, Type };
// "condition" | "time" | "behavior:NAME" | "type"; the behaviour name goes to `behaviorName`.
// Throws InputError for other words.
[[nodiscard]] ColourBy parseColourBy(const std::string& text, std::string* behaviorName = nullptr);

struct TrajectoryInput {
  FloatArray points;                        // [trials, bins, 3] projected state
  std::vector<std::string> trialCondition;  // one per trial (condition colouring and legend)
  std::array<std::string, 3> axisTitles = {"PC 1", "PC 2", "PC 3"};
  double binMs = 20.0;
  double windowStartMs = 0.0;
  ColourBy colourBy = ColourBy::Condition;
  std::vector<double> trialBehavior;  // one per trial (behaviour colouring): e.g. mean speed
  std::string behaviorName;
  int timeSegments = 8;    // colour steps along time
  int behaviorGroups = 4;  // quantile groups of the behaviour
};

struct TrajectoryParts {
  TrajectoryData data;
  std::vector<LegendEntry> legend;
  std::string legendTitle;
};

// Conditions: one colour per condition (sorted names, the style's palette).
// Time: each trajectory cut into `timeSegments` pieces coloured along the
// sequential map (legend: time ranges in ms). Behaviour: trials split into
// quantile groups of `trialBehavior` (legend: value ranges). Type colours units,
// not trajectories: InputError.
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
