#include "neurolens/scene/label_layout.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace neurolens::scene {

Box unite(const Box& a, const Box& b) {
  if (a.x1 < a.x0 || a.y1 < a.y0) return b;
  return {std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1), std::max(a.y1, b.y1)};
}

namespace {

bool pointInBox(Point2 p, const Box& box) { return p.x >= box.x0 && p.x <= box.x1 && p.y >= box.y0 && p.y <= box.y1; }

double cross(Point2 o, Point2 a, Point2 b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); }

// Liang-Barsky: whether some t in [0, 1] puts a + t (b - a) inside the box.
bool clipSegment(Point2 a, Point2 b, const Box& box) {
  double t0 = 0.0;
  double t1 = 1.0;
  const double dx = b.x - a.x;
  const double dy = b.y - a.y;
  const std::array<double, 4> p = {-dx, dx, -dy, dy};
  const std::array<double, 4> q = {a.x - box.x0, box.x1 - a.x, a.y - box.y0, box.y1 - a.y};
  for (std::size_t i = 0; i < 4; ++i) {
    if (p[i] == 0.0) {
      if (q[i] < 0.0) return false;
      continue;
    }
    const double t = q[i] / p[i];
    if (p[i] < 0.0) {
      t0 = std::max(t0, t);
    } else {
      t1 = std::min(t1, t);
    }
    if (t0 > t1) return false;
  }
  return true;
}

}  // namespace

bool segmentHitsBox(Point2 a, Point2 b, const Box& box) {
  if (pointInBox(a, box) || pointInBox(b, box)) return true;
  return clipSegment(a, b, box);
}

bool polylineHitsBox(const Polyline& line, const Box& box, double margin) {
  const Box grown = box.grown(std::max(0.0, margin));
  if (line.size() == 1) return pointInBox(line.front(), grown);
  for (std::size_t i = 1; i < line.size(); ++i)
    if (segmentHitsBox(line[i - 1], line[i], grown)) return true;
  return false;
}

bool Obstacles::blocks(const Box& box) const {
  if (frame && !box.inside(*frame)) return true;
  for (const Box& other : boxes)
    if (box.overlaps(other)) return true;
  for (const Polyline& line : lines)
    if (polylineHitsBox(line, box, lineMargin)) return true;
  return false;
}

std::optional<std::size_t> firstFreeBox(const std::vector<Box>& candidates, const Obstacles& obstacles) {
  for (std::size_t i = 0; i < candidates.size(); ++i)
    if (!obstacles.blocks(candidates[i])) return i;
  return std::nullopt;
}

std::vector<Box> cornerCandidates(const Box& area, double width, double height, double inset) {
  const double left = area.x0 + inset;
  const double right = area.x1 - inset - width;
  const double top = area.y0 + inset;
  const double bottom = area.y1 - inset - height;
  const double middleX = (area.x0 + area.x1 - width) / 2.0;
  const double middleY = (area.y0 + area.y1 - height) / 2.0;
  std::vector<Box> boxes;
  for (const auto& [x, y] : std::vector<std::pair<double, double>>{{right, top},
                                                                   {left, top},
                                                                   {right, bottom},
                                                                   {left, bottom},
                                                                   {right, middleY},
                                                                   {left, middleY},
                                                                   {middleX, top},
                                                                   {middleX, bottom}})
    boxes.push_back({x, y, x + width, y + height});
  return boxes;
}

std::vector<double> niceTicks(double low, double high, int target) {
  std::vector<double> ticks;
  if (!std::isfinite(low) || !std::isfinite(high) || target < 1) return ticks;
  if (high < low) std::swap(low, high);
  if (high == low) return {low};
  const double rough = (high - low) / target;
  const int exponent = static_cast<int>(std::floor(std::log10(rough)));
  const double magnitude = std::pow(10.0, std::abs(exponent));
  // Values are k * factor scaled by an exact power of ten, so 3 x 0.2 prints and
  // compares as 0.6, not 0.6000000000000001.
  const auto scaled = [&](double units) { return exponent < 0 ? units / magnitude : units * magnitude; };
  double factor = 10.0;
  for (const double candidate : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    factor = candidate;
    if (scaled(candidate) >= rough) break;
  }
  const double step = scaled(factor);
  const double tolerance = step * 1e-9;
  for (double k = std::ceil((low - tolerance) / step); scaled(k * factor) <= high + tolerance; k += 1.0) {
    const double value = scaled(k * factor);
    ticks.push_back(std::abs(value) < tolerance ? 0.0 : value);
  }
  return ticks;
}

std::string tickText(double value, double step) {
  int decimals = 0;
  step = std::abs(step);
  if (step > 0.0 && std::isfinite(step)) {
    // Enough decimals that consecutive ticks differ (2.5 steps need one more).
    while (decimals < 6 && std::abs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) >
                               1e-6 * step * std::pow(10.0, decimals))
      ++decimals;
  }
  std::array<char, 64> text{};
  std::snprintf(text.data(), text.size(), "%.*f", decimals, value);
  std::string result = text.data();
  // "-0.00" style results of rounding: drop the sign when the value prints as zero.
  if (!result.empty() && result[0] == '-' && std::stod(result) == 0.0) result.erase(0, 1);
  return result;
}

const char* labelKindName(LabelKind kind) {
  switch (kind) {
    case LabelKind::Tick:
      return "tick";
    case LabelKind::Axis:
      return "axis";
    case LabelKind::Legend:
      return "legend";
    case LabelKind::Title:
      return "title";
    case LabelKind::Colorbar:
      return "colorbar";
  }
  return "tick";
}

std::optional<std::pair<std::size_t, std::size_t>> firstOverlap(const std::vector<Box>& boxes) {
  for (std::size_t i = 0; i < boxes.size(); ++i)
    for (std::size_t j = i + 1; j < boxes.size(); ++j)
      if (boxes[i].overlaps(boxes[j])) return std::make_pair(i, j);
  return std::nullopt;
}

Point2 ScreenProjection::operator()(const std::array<double, 3>& world) const {
  std::array<double, 4> clip{};
  for (std::size_t row = 0; row < 4; ++row)
    clip[row] = matrix[4 * row] * world[0] + matrix[4 * row + 1] * world[1] + matrix[4 * row + 2] * world[2] +
                matrix[4 * row + 3];
  const double w = std::abs(clip[3]) > 1e-300 ? clip[3] : 1e-300;
  const double ndcX = clip[0] / w;
  const double ndcY = clip[1] / w;
  return {(ndcX + 1.0) / 2.0 * width, (1.0 - ndcY) / 2.0 * height};
}

double ScreenProjection::depth(const std::array<double, 3>& world) const {
  return matrix[12] * world[0] + matrix[13] * world[1] + matrix[14] * world[2] + matrix[15];
}

namespace {

using Corner = std::array<double, 3>;

Corner corner(const std::array<double, 6>& bounds, int index) {
  return {bounds[(index & 1) != 0 ? 1 : 0], bounds[(index & 2) != 0 ? 3 : 2], bounds[(index & 4) != 0 ? 5 : 4]};
}

// Andrew's monotone chain; counter-clockwise in a y-up frame (clockwise on screen), no repeated vertex.
Polyline convexHull(std::vector<Point2> points) {
  std::sort(points.begin(), points.end(), [](Point2 a, Point2 b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
  if (points.size() < 3) return points;
  Polyline hull(2 * points.size());
  std::size_t k = 0;
  for (const Point2& p : points) {
    while (k >= 2 && cross(hull[k - 2], hull[k - 1], p) <= 0.0) --k;
    hull[k++] = p;
  }
  for (std::size_t i = points.size() - 1, lower = k + 1; i-- > 0;) {
    const Point2& p = points[i];
    while (k >= lower && cross(hull[k - 2], hull[k - 1], p) <= 0.0) --k;
    hull[k++] = p;
  }
  hull.resize(k - 1);
  return hull;
}

// Every outer edge of the projected box parallel to each axis, with its outward normal.
std::array<std::vector<AxisEdge>, 3> outerEdges(const std::array<Point2, 8>& projected,
                                                const std::array<Corner, 8>& corners) {
  std::array<std::vector<AxisEdge>, 3> edges;
  double scale = 0.0;
  for (const Point2& p : projected) scale = std::max({scale, std::abs(p.x), std::abs(p.y)});
  const double tolerance = 1e-7 * std::max(1.0, scale);
  for (int axis = 0; axis < 3; ++axis) {
    for (int c = 0; c < 8; ++c) {
      if ((c & (1 << axis)) != 0) continue;
      const int d = c | (1 << axis);
      const Point2 a = projected[static_cast<std::size_t>(c)];
      const Point2 b = projected[static_cast<std::size_t>(d)];
      const double length = std::hypot(b.x - a.x, b.y - a.y);
      if (length < 1.0) continue;  // the axis points at the eye
      const Point2 normal{-(b.y - a.y) / length, (b.x - a.x) / length};
      bool allBelow = true;
      bool allAbove = true;
      for (const Point2& p : projected) {
        const double side = (p.x - a.x) * normal.x + (p.y - a.y) * normal.y;
        allBelow = allBelow && side <= tolerance;
        allAbove = allAbove && side >= -tolerance;
      }
      if (!allBelow && !allAbove) continue;
      AxisEdge edge;
      edge.axis = axis;
      edge.from = corners[static_cast<std::size_t>(c)];
      edge.to = corners[static_cast<std::size_t>(d)];
      edge.a = a;
      edge.b = b;
      edge.outward = allBelow ? normal : Point2{-normal.x, -normal.y};
      edges[static_cast<std::size_t>(axis)].push_back(edge);
    }
  }
  return edges;
}

// Extent of a w x h box along a unit direction.
double support(Point2 direction, double width, double height) {
  return std::abs(direction.x) * width + std::abs(direction.y) * height;
}

struct AxisLabels {
  std::vector<PlacedLabel> ticks;
  std::vector<TickMark> marks;
  std::optional<PlacedLabel> title;
};

bool anyOverlap(const std::vector<PlacedLabel>& labels, double gap) {
  for (std::size_t i = 1; i < labels.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (labels[i].box.grown(gap / 2.0).overlaps(labels[j].box.grown(gap / 2.0))) return true;
  return false;
}

AxisLabels labelAxis(const ScreenProjection& projection, const AxesRequest& request, const AxisEdge& edge) {
  AxisLabels out;
  const auto axis = static_cast<std::size_t>(edge.axis);
  const double low = request.bounds[2 * axis];
  const double high = request.bounds[2 * axis + 1];
  const Point2 n = edge.outward;
  const double offset = std::max(request.tickLength, request.dataMargin) + request.labelGap;
  for (int target = std::max(1, request.targetTicks); target >= 1; --target) {
    const std::vector<double> values = niceTicks(low, high, target);
    // One tick alone: the decimals of a step of about the range's order of magnitude.
    const double step = values.size() > 1
                            ? values[1] - values[0]
                            : std::pow(10.0, std::floor(std::log10(std::max(std::abs(high - low), 1e-12))));
    AxisLabels candidate;
    for (const double value : values) {
      Corner world = edge.from;
      world[axis] = value;
      const Point2 p = projection(world);
      const std::string text = tickText(value, step);
      const TextSize size = request.tickSize ? request.tickSize(text) : TextSize{};
      const double reach = offset + support(n, size.width, size.height) / 2.0;
      const Point2 centre{p.x + n.x * reach, p.y + n.y * reach};
      candidate.ticks.push_back({text, LabelKind::Tick, Box::around(centre, size.width, size.height), edge.axis});
      candidate.marks.push_back({p, {p.x + n.x * request.tickLength, p.y + n.y * request.tickLength}, edge.axis});
    }
    const bool last = target == 1;
    if (!anyOverlap(candidate.ticks, request.minimumGap) || last) {
      if (last && anyOverlap(candidate.ticks, request.minimumGap)) {
        candidate.ticks.resize(1);
        candidate.marks.resize(1);
      }
      out = std::move(candidate);
      break;
    }
  }
  const std::string& title = request.titles[axis];
  if (!title.empty()) {
    double reach = offset;
    for (const PlacedLabel& label : out.ticks)
      reach = std::max(reach, offset + support(n, label.box.width(), label.box.height()));
    TextSize size = request.titleSize ? request.titleSize(title) : TextSize{};
    // Beside a near-vertical edge the title reads upwards: one line high across the view, not a word wide.
    const double length = std::hypot(edge.b.x - edge.a.x, edge.b.y - edge.a.y);
    const bool upright =
        length > 0.0 && std::abs(edge.b.y - edge.a.y) / length > 0.9063;  // within 25 degrees of vertical
    if (upright) std::swap(size.width, size.height);
    const Point2 middle{(edge.a.x + edge.b.x) / 2.0, (edge.a.y + edge.b.y) / 2.0};
    Point2 centre{middle.x + n.x * (reach + request.titleGap + support(n, size.width, size.height) / 2.0),
                  middle.y + n.y * (reach + request.titleGap + support(n, size.width, size.height) / 2.0)};
    if (!upright && std::abs(n.y) >= std::abs(n.x) && !out.ticks.empty()) {
      // A mostly horizontal edge: the title straight below (above) its tick labels, not out along the normal,
      // so that a slanted edge's title does not reach far sideways.
      const Point2 foot{middle.x + n.x * (offset + (reach - offset) / 2.0),
                        middle.y + n.y * (offset + (reach - offset) / 2.0)};
      double beyond = n.y > 0.0 ? std::numeric_limits<double>::lowest() : std::numeric_limits<double>::max();
      for (const PlacedLabel& label : out.ticks)
        beyond = n.y > 0.0 ? std::max(beyond, label.box.y1) : std::min(beyond, label.box.y0);
      const double y =
          n.y > 0.0 ? beyond + request.titleGap + size.height / 2.0 : beyond - request.titleGap - size.height / 2.0;
      centre = {foot.x, y};
    }
    Box box = Box::around(centre, size.width, size.height);
    // Wherever it went, the title stays beyond the edge by the tick labels' offset (outside the box's outline).
    double nearest = std::numeric_limits<double>::max();
    for (const Point2& c :
         {Point2{box.x0, box.y0}, Point2{box.x1, box.y0}, Point2{box.x0, box.y1}, Point2{box.x1, box.y1}})
      nearest = std::min(nearest, (c.x - edge.a.x) * n.x + (c.y - edge.a.y) * n.y);
    if (nearest < offset) {
      const double push = offset - nearest;
      box = {box.x0 + n.x * push, box.y0 + n.y * push, box.x1 + n.x * push, box.y1 + n.y * push};
    }
    out.title = PlacedLabel{title, LabelKind::Axis, box, edge.axis, upright ? -90.0 : 0.0};
  }
  return out;
}

double outsideBy(const Box& box, const std::optional<Box>& frame) {
  if (!frame) return 0.0;
  return std::max(0.0, frame->x0 - box.x0) + std::max(0.0, box.x1 - frame->x1) + std::max(0.0, frame->y0 - box.y0) +
         std::max(0.0, box.y1 - frame->y1);
}

}  // namespace

AxesLayout layoutAxes(const ScreenProjection& projection, const AxesRequest& request) {
  AxesLayout layout;
  std::array<Corner, 8> corners{};
  std::array<Point2, 8> projected{};
  for (int c = 0; c < 8; ++c) {
    corners[static_cast<std::size_t>(c)] = corner(request.bounds, c);
    projected[static_cast<std::size_t>(c)] = projection(corners[static_cast<std::size_t>(c)]);
  }
  layout.outline = convexHull(std::vector<Point2>(projected.begin(), projected.end()));
  Box hullBox{std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
              std::numeric_limits<double>::lowest(), std::numeric_limits<double>::lowest()};
  for (const Point2& p : layout.outline)
    hullBox = {std::min(hullBox.x0, p.x), std::min(hullBox.y0, p.y), std::max(hullBox.x1, p.x),
               std::max(hullBox.y1, p.y)};
  layout.extent = hullBox;

  // The corner furthest from the eye and its three edges.
  std::size_t furthest = 0;
  for (std::size_t c = 1; c < 8; ++c)
    if (projection.depth(corners[c]) > projection.depth(corners[furthest])) furthest = c;
  for (std::size_t axis = 0; axis < 3; ++axis)
    layout.backEdges.push_back({corners[furthest], corners[furthest ^ (std::size_t{1} << axis)]});

  const std::array<std::vector<AxisEdge>, 3> edges = outerEdges(projected, corners);
  std::array<std::vector<AxisLabels>, 3> labelled;
  for (std::size_t axis = 0; axis < 3; ++axis)
    for (const AxisEdge& edge : edges[axis]) labelled[axis].push_back(labelAxis(projection, request, edge));

  // Every combination of one edge per axis (an axis without an outer edge has none).
  std::array<std::size_t, 3> counts{};
  for (std::size_t axis = 0; axis < 3; ++axis) counts[axis] = std::max<std::size_t>(1, edges[axis].size());
  double bestScore = std::numeric_limits<double>::max();
  std::array<std::size_t, 3> best{};
  const double lineHeight = [&] {
    const TextSize size = request.tickSize ? request.tickSize("0") : TextSize{};
    return std::max(1.0, size.height);
  }();
  for (std::size_t i = 0; i < counts[0]; ++i)
    for (std::size_t j = 0; j < counts[1]; ++j)
      for (std::size_t k = 0; k < counts[2]; ++k) {
        const std::array<std::size_t, 3> choice = {i, j, k};
        std::vector<std::pair<std::size_t, Box>> boxes;  // axis, box
        double preference = 0.0;
        double outside = 0.0;
        for (std::size_t axis = 0; axis < 3; ++axis) {
          if (edges[axis].empty()) continue;
          const AxisLabels& labels = labelled[axis][choice[axis]];
          const Point2 n = edges[axis][choice[axis]].outward;
          // Below (y down is positive) and left of the box read best; more ticks kept is better.
          preference += 0.5 * n.x - n.y - 0.3 * static_cast<double>(labels.ticks.size());
          for (const PlacedLabel& label : labels.ticks) boxes.emplace_back(axis, label.box);
          if (labels.title) boxes.emplace_back(axis, labels.title->box);
        }
        double collisions = 0.0;
        for (std::size_t a = 0; a < boxes.size(); ++a) {
          outside += outsideBy(boxes[a].second, request.frame);
          for (const Box& keep : request.keepOut)
            if (boxes[a].second.overlaps(keep)) collisions += 1.0;
          for (std::size_t b = 0; b < a; ++b)
            if (boxes[a].first != boxes[b].first && boxes[a]
                                                        .second.grown(request.minimumGap / 2.0)
                                                        .overlaps(boxes[b].second.grown(request.minimumGap / 2.0)))
              collisions += 1.0;
        }
        const double score = 1000.0 * collisions + 50.0 * outside / lineHeight + preference;
        if (score < bestScore) {
          bestScore = score;
          best = choice;
        }
      }

  // The chosen edges; titles first, then each axis' tick labels from the middle outwards, each kept only when it
  // overlaps nothing kept before it and no keep-out box.
  std::vector<std::pair<PlacedLabel, std::optional<TickMark>>> ordered;
  for (std::size_t axis = 0; axis < 3; ++axis) {
    if (edges[axis].empty()) continue;
    layout.edges[axis] = edges[axis][best[axis]];
    const AxisLabels& labels = labelled[axis][best[axis]];
    if (labels.title) ordered.emplace_back(*labels.title, std::nullopt);
  }
  for (std::size_t axis = 0; axis < 3; ++axis) {
    if (edges[axis].empty()) continue;
    const AxisLabels& labels = labelled[axis][best[axis]];
    std::vector<std::size_t> order(labels.ticks.size());
    for (std::size_t t = 0; t < order.size(); ++t) order[t] = t;
    const double middle = (static_cast<double>(order.size()) - 1.0) / 2.0;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::abs(static_cast<double>(a) - middle) < std::abs(static_cast<double>(b) - middle);
    });
    for (const std::size_t t : order) ordered.emplace_back(labels.ticks[t], labels.marks[t]);
  }
  for (const auto& [label, mark] : ordered) {
    const Box padded = label.box.grown(request.minimumGap / 2.0);
    bool free = true;
    for (const PlacedLabel& kept : layout.labels)
      if (padded.overlaps(kept.box.grown(request.minimumGap / 2.0))) free = false;
    for (const Box& keep : request.keepOut)
      if (label.box.overlaps(keep)) free = false;
    if (!free) {
      ++layout.dropped;
      continue;
    }
    layout.labels.push_back(label);
    if (mark) layout.ticks.push_back(*mark);
    layout.outsideFrame += outsideBy(label.box, request.frame);
    layout.extent = unite(layout.extent, label.box);
  }
  return layout;
}

}  // namespace neurolens::scene
