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
#include "neurolens/views/figure/figure_style.h"
#include "neurolens/views/figure/plots.h"
#include "neurolens/views/figure/trajectory_figure.h"

namespace neurolens::views::figure {

enum class ColourBy { Condition, Time, Behavior, Type };
// "condition" | "time" | "behavior:NAME[:direction|speed|DIM]" | "type"; the behaviour
// name goes to `behaviorName`, the part after it ("" when none: see behaviorValues) to
// `behaviorPart`. Throws InputError for other words.
[[nodiscard]] ColourBy parseColourBy(const std::string& text, std::string* behaviorName = nullptr,
                                     std::string* behaviorPart = nullptr);

// Condition labels in drawing order and their colours. Ordered labels (numbers, or one
// shared text around a number: reach1 .. reach7, 45deg, "target 3") are sorted by that
// number and take a colour map: the cyclic one when they are angles (a degree or radian
// unit, a column named like angle / direction / theta / orientation, or whole numbers on a
// regular grid once around 360: reach_000 .. reach_315), else the style's sequential map. Other labels are sorted as text and take the style's categorical
// palette, or, when they are more than it has, a 20-colour palette (Tableau 20).
struct ConditionColours {
  std::vector<std::string> names;  // drawing / legend order
  std::vector<Rgb> colours;        // one per name
  std::string scheme;              // "categorical", "sequential" or "cyclic"
};
[[nodiscard]] ConditionColours conditionColours(const std::vector<std::string>& labels, const std::string& column,
                                                const FigureStyle& style);

// Per-vertex colour values of a binned behaviour [rows, bins, dims]: `part` "direction"
// (atan2(y, x) of the first two dims, in degrees, cyclic map), "speed" (Euclidean norm),
// a dimension index (that column); "" picks direction for a 2-D series, the value itself
// for a 1-D one and the norm otherwise. NaN where the behaviour is missing.
struct VertexValues {
  FloatArray values;  // [rows, bins]
  std::string title;  // colour bar title
  std::string colormap;
  std::optional<std::pair<double, double>> range;
  std::string part;  // what was computed: "direction", "speed", "dim N" or "value"
};
[[nodiscard]] VertexValues behaviorValues(const FloatArray& behavior, const std::string& name, const std::string& part,
                                          const FigureStyle& style);

struct TrajectoryInput {
  FloatArray points;                        // [rows, bins, 3] projected state
  std::vector<std::string> trialCondition;  // one per row (condition colouring and legend)
  // Optional, one per row: the row is a condition mean (thick, full colour, markers) rather
  // than a single trial (thin, light, no markers). Empty: every row a plain line as before.
  std::vector<bool> rowIsMean;
  std::array<std::string, 3> axisTitles = {"PC 1", "PC 2", "PC 3"};
  double binMs = 20.0;
  double windowStartMs = 0.0;
  ColourBy colourBy = ColourBy::Condition;
  std::string conditionColumn = "condition";  // for telling angles from other ordered labels
  std::optional<VertexValues> behavior;       // [rows, bins] values (behaviour colouring)
};

struct TrajectoryParts {
  TrajectoryData data;
  std::vector<LegendEntry> legend;
  std::string legendTitle;
  std::optional<ScalarColouring> scalars;  // colour per vertex (time, behaviour)
  ConditionColours conditions;             // the condition labels and colours drawn
  std::size_t lines = 0;                   // trajectories drawn (means and single trials)
};

// Conditions: one colour per condition (conditionColours); with rowIsMean, the single
// trials of a condition drawn thin and light beneath its thick mean, the legend naming
// the conditions. Time and behaviour: one colour per vertex through a colour map (time
// in ms on the sequential map; a behaviour as behaviorValues says), with a colour bar.
// Type colours units, not trajectories: InputError.
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
