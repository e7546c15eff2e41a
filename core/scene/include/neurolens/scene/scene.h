#pragma once
// What a trajectory view draws, as plain data (issue 28 step 4): polylines, their groups
// and colours, per-vertex colour values with their colour map, the legend and the axis
// titles. The GUI's 3-D views and `figure` render the same Scene, so the window and the
// exported figure cannot disagree. No Qt, no VTK, no LibTorch; the projection that
// makes the points is in scene_builder.h.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "neurolens/core/ndarray.h"
#include "neurolens/scene/colour.h"

namespace neurolens::scene {

// Polylines in groups: one group per condition (or per condition's single trials and per
// condition's mean when both are drawn); each group one colour.
struct TrajectoryData {
  FloatArray points;                        // [trials, bins, 3]: projected latent state
  std::vector<int> condition;               // group per trial, 0 .. groups-1
  std::vector<std::string> conditionNames;  // optional, one per group (legend, tooltips)
  std::vector<Rgb> colours;                 // optional, one per group; Okabe-Ito otherwise
  std::array<std::string, 3> axisTitles = {"PC 1", "PC 2", "PC 3"};
  // Optional, one per group: a factor on the scene's line width (thin single
  // trials beneath thick condition means), and whether the group draws start / end
  // markers and time cursors. Empty: every group at the line width, with markers.
  std::vector<double> lineWidthScale;
  std::vector<bool> groupMarkers;
};

// A value per trial and bin coloured through a colour map (colour.h names).
struct ScalarColouring {
  FloatArray values;  // [trials, bins] of the scene's data; NaN is drawn grey
  std::string title;  // colour bar title, e.g. "time (ms)"
  std::string colormap = "viridis";
  std::optional<std::pair<double, double>> range;  // colour range; the finite data range otherwise
};

struct LegendItem {
  std::string text;
  Rgb colour;
  bool dashed = false;
};

// The colours a style gives (figure styles and the GUI's defaults alike).
struct Palette {
  std::vector<Rgb> categorical;  // conditions and types; Okabe-Ito when empty
  std::string sequentialColormap = "viridis";
  Rgb background{1.0, 1.0, 1.0};
  // Colour of category `index` (cycles through `categorical`).
  [[nodiscard]] Rgb categoryColour(std::size_t index) const;
};

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
// regular grid once around 360: reach_000 .. reach_315), else the palette's sequential map.
// Other labels are sorted as text and take the palette's categorical colours, or, when they
// are more than it has, a 20-colour palette (Tableau 20).
struct ConditionColours {
  std::vector<std::string> names;  // drawing / legend order
  std::vector<Rgb> colours;        // one per name
  std::string scheme;              // "categorical", "sequential" or "cyclic"
};
[[nodiscard]] ConditionColours conditionColours(const std::vector<std::string>& labels, const std::string& column,
                                                const Palette& palette);

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
                                          const Palette& palette);

// Projected rows and what colours them.
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

// The colours, groups and legend of projected trajectories.
struct TrajectoryParts {
  TrajectoryData data;
  std::vector<LegendItem> legend;
  std::string legendTitle;
  std::optional<ScalarColouring> scalars;  // colour per vertex (time, behaviour)
  ConditionColours conditions;             // the condition labels and colours drawn
  std::size_t lines = 0;                   // trajectories drawn (means and single trials)
};

// Conditions: one colour per condition (conditionColours); with rowIsMean, the single
// trials of a condition drawn thin and light beneath its thick mean (groups 0..C-1 the
// trials, C..2C-1 the means), the legend naming the conditions. Time and behaviour: one
// colour per vertex through a colour map (time in ms on the sequential map; a behaviour as
// behaviorValues says), with a colour bar. Type colours units, not trajectories: InputError.
[[nodiscard]] TrajectoryParts colourTrajectories(const TrajectoryInput& input, const Palette& palette);

}  // namespace neurolens::scene
