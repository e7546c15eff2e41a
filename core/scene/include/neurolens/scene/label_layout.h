#pragma once
// Where a view's texts go (issue 30 step 1), as plain geometry: no Qt, no VTK. Tick
// labels, axis titles and legends are boxes in image pixels (origin top left, y down);
// what they must not cover is given as projected polylines (the drawn data) and boxes.
// The 3-D axes are a bounding box whose tick labels sit outside its projected outline,
// on one outer edge per axis chosen for the camera, so that no label can cover a
// projected trajectory (every point of the box projects inside that outline); ticks are
// thinned until no two labels overlap. The interactive view and the offscreen figure
// both lay out their axes with layoutAxes; legends pick a free corner (firstFreeBox).
#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace neurolens::scene {

struct Point2 {
  double x = 0.0;
  double y = 0.0;
};

// An axis-aligned box [x0, x1] x [y0, y1] in image pixels.
struct Box {
  double x0 = 0.0;
  double y0 = 0.0;
  double x1 = 0.0;
  double y1 = 0.0;
  [[nodiscard]] double width() const { return x1 - x0; }
  [[nodiscard]] double height() const { return y1 - y0; }
  [[nodiscard]] bool empty() const { return !(x1 > x0) || !(y1 > y0); }
  [[nodiscard]] Point2 centre() const { return {(x0 + x1) / 2.0, (y0 + y1) / 2.0}; }
  // Grown by `by` on every side (shrunk when negative).
  [[nodiscard]] Box grown(double by) const { return {x0 - by, y0 - by, x1 + by, y1 + by}; }
  // Whether the two boxes share interior points.
  [[nodiscard]] bool overlaps(const Box& other) const {
    return x0 < other.x1 && other.x0 < x1 && y0 < other.y1 && other.y0 < y1;
  }
  [[nodiscard]] bool inside(const Box& outer) const {
    return x0 >= outer.x0 && y0 >= outer.y0 && x1 <= outer.x1 && y1 <= outer.y1;
  }
  // A w x h box centred on `centre`.
  [[nodiscard]] static Box around(Point2 centre, double width, double height) {
    return {centre.x - width / 2.0, centre.y - height / 2.0, centre.x + width / 2.0, centre.y + height / 2.0};
  }
};

// The smallest box holding both (an empty `a` is ignored).
[[nodiscard]] Box unite(const Box& a, const Box& b);

using Polyline = std::vector<Point2>;

// Whether the segment a-b has a point inside `box` (its boundary included).
[[nodiscard]] bool segmentHitsBox(Point2 a, Point2 b, const Box& box);
// Whether any vertex or segment of the polyline comes within `margin` of the box (a drawn
// line of width w needs margin w / 2). A single point counts as a polyline of one vertex.
[[nodiscard]] bool polylineHitsBox(const Polyline& line, const Box& box, double margin);

// What a label or legend must leave free.
struct Obstacles {
  std::vector<Polyline> lines;  // drawn data (projected trajectories, series)
  double lineMargin = 0.0;      // half the widest line (and marker) drawn
  std::vector<Box> boxes;       // other labels, colour bars
  std::optional<Box> frame;     // a placed box must lie inside it
  [[nodiscard]] bool blocks(const Box& box) const;
};

// The first candidate no obstacle blocks, or none.
[[nodiscard]] std::optional<std::size_t> firstFreeBox(const std::vector<Box>& candidates, const Obstacles& obstacles);

// Candidate places for a width x height box inside `area`, `inset` from its edges: top right,
// top left, bottom right, bottom left, then the middles of the right, left, top and bottom edges.
[[nodiscard]] std::vector<Box> cornerCandidates(const Box& area, double width, double height, double inset);

// Evenly spaced "nice" tick values (steps of 1, 2, 2.5 or 5 x 10^k) inside [low, high], about `target` of them.
[[nodiscard]] std::vector<double> niceTicks(double low, double high, int target = 5);
// Tick text with as many decimals as the step needs ("0.25", "100", "-1.5"; never "-0").
[[nodiscard]] std::string tickText(double value, double step);

// What a text is, as `figure --json` names it (cli.md: labels).
enum class LabelKind { Tick, Axis, Legend, Title, Colorbar };
[[nodiscard]] const char* labelKindName(LabelKind kind);

struct PlacedLabel {
  std::string text;
  LabelKind kind = LabelKind::Tick;
  Box box;
  int axis = -1;  // 0, 1, 2 for the 3-D axes' ticks and titles
  // Degrees the text is turned by (0: horizontal; -90: reading upwards, beside a near-vertical axis); `box` holds
  // the turned text.
  double angle = 0.0;
};

// Whether any two of the boxes overlap (their interiors intersect), and which (first pair found).
[[nodiscard]] std::optional<std::pair<std::size_t, std::size_t>> firstOverlap(const std::vector<Box>& boxes);

// World -> image pixels: `matrix` (row-major 4x4) maps world coordinates to clip coordinates (VTK's
// composite projection transform of the camera for the image's aspect), then to a width x height image.
struct ScreenProjection {
  std::array<double, 16> matrix = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  double width = 1.0;
  double height = 1.0;
  [[nodiscard]] Point2 operator()(const std::array<double, 3>& world) const;
  [[nodiscard]] Point2 operator()(double x, double y, double z) const { return (*this)({x, y, z}); }
  // Clip-space w (grows with the distance from the eye under perspective) of a world point.
  [[nodiscard]] double depth(const std::array<double, 3>& world) const;
};

struct TextSize {
  double width = 0.0;
  double height = 0.0;
};
using MeasureText = std::function<TextSize(const std::string&)>;

struct AxesRequest {
  std::array<double, 6> bounds = {0, 1, 0, 1, 0, 1};  // the box: xmin, xmax, ymin, ymax, zmin, zmax
  std::array<std::string, 3> titles = {"PC 1", "PC 2", "PC 3"};
  MeasureText tickSize;     // size of a tick label's text
  MeasureText titleSize;    // size of an axis title's text
  double tickLength = 6.0;  // tick marks, outwards from the edge
  double labelGap = 3.0;    // between a tick mark's end and its label
  double titleGap = 4.0;    // between the tick labels and the axis title
  double dataMargin = 0.0;  // half the widest line or marker: labels stay this far beyond the outline too
  double minimumGap = 2.0;  // between two labels
  int targetTicks = 5;
  std::optional<Box> frame;  // labels should stay inside it (the view)
  std::vector<Box> keepOut;  // and off these (legend, colour bar)
  // Outer edges scored by where their labels go: below and left of the box read best.
};

struct AxisEdge {
  int axis = 0;
  std::array<double, 3> from{};  // world end points (from: the axis' minimum)
  std::array<double, 3> to{};
  Point2 a;  // projected end points
  Point2 b;
  Point2 outward;  // unit normal in the image, away from the box
};

struct TickMark {
  Point2 from;  // on the edge
  Point2 to;    // outwards, tickLength long
  int axis = 0;
};

struct AxesLayout {
  Polyline outline;  // the box's projected outline: a closed convex polygon (first vertex not repeated)
  // The three box edges meeting at the corner furthest from the eye (world coordinates): drawn behind the data.
  std::vector<std::array<std::array<double, 3>, 2>> backEdges;
  std::array<std::optional<AxisEdge>, 3> edges;  // the labelled outer edge of each axis (none: it faces the eye)
  std::vector<TickMark> ticks;                   // one per tick label kept
  std::vector<PlacedLabel> labels;               // tick labels and axis titles, none overlapping
  std::size_t dropped = 0;                       // labels left out because they would overlap another or a keep-out
  double outsideFrame = 0.0;                     // how far (pixels, summed) labels reach outside the frame
  Box extent;                                    // outline and labels
};

// Lays out the axes for one camera: for each axis one of the box's outer edges parallel to it (of every
// combination, the one whose labels overlap nothing, stay inside the frame and sit lowest and leftmost), its
// ticks thinned until their labels do not overlap, each label beyond the outline by the tick, the gap and the
// data margin, the title beyond the labels. Labels that would still overlap are dropped (`dropped`).
[[nodiscard]] AxesLayout layoutAxes(const ScreenProjection& projection, const AxesRequest& request);

}  // namespace neurolens::scene
