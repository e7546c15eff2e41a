// Where a figure's texts go (core/scene/label_layout.h, issue 30 step 1), without Qt or VTK
// in the code under test: boxes against polylines, free corners for legends, and the 3-D
// axes laid out for cameras all around a box, whose labels must never overlap each other
// nor any point inside the box (the projected trajectories), at any camera.
#include <QtTest/QtTest>
#include <algorithm>
#include <array>
#include <cmath>
#include <random>

#include "neurolens/scene/label_layout.h"

using neurolens::scene::AxesLayout;
using neurolens::scene::AxesRequest;
using neurolens::scene::Box;
using neurolens::scene::LabelKind;
using neurolens::scene::Obstacles;
using neurolens::scene::Point2;
using neurolens::scene::Polyline;
using neurolens::scene::ScreenProjection;
using neurolens::scene::TextSize;

namespace {

// A text `height` pixels high, each character 0.6 of it wide (a monospace stand-in for a font).
neurolens::scene::MeasureText monospace(double height) {
  return [height](const std::string& text) {
    return TextSize{0.6 * height * static_cast<double>(text.size()), height};
  };
}

// Row-major 4x4 products.
using Matrix = std::array<double, 16>;
Matrix multiply(const Matrix& a, const Matrix& b) {
  Matrix out{};
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      for (int k = 0; k < 4; ++k) out[4 * r + c] += a[4 * r + k] * b[4 * k + c];
  return out;
}

// A perspective camera looking at `centre` from `distance` away, turned by azimuth (about z) and elevation,
// z up; a 30 degree view angle, a width x height image.
ScreenProjection camera(std::array<double, 3> centre, double distance, double azimuthDeg, double elevationDeg,
                        double width, double height) {
  const double az = azimuthDeg * M_PI / 180.0;
  const double el = elevationDeg * M_PI / 180.0;
  const std::array<double, 3> eye = {centre[0] + distance * std::cos(el) * std::sin(az),
                                     centre[1] - distance * std::cos(el) * std::cos(az),
                                     centre[2] + distance * std::sin(el)};
  std::array<double, 3> forward = {centre[0] - eye[0], centre[1] - eye[1], centre[2] - eye[2]};
  const auto normalise = [](std::array<double, 3> v) {
    const double n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    return std::array<double, 3>{v[0] / n, v[1] / n, v[2] / n};
  };
  const auto crossed = [](std::array<double, 3> a, std::array<double, 3> b) {
    return std::array<double, 3>{a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
  };
  forward = normalise(forward);
  const std::array<double, 3> right = normalise(crossed(forward, {0, 0, 1}));
  const std::array<double, 3> up = crossed(right, forward);
  const Matrix view = {
      right[0],    right[1],    right[2],    -(right[0] * eye[0] + right[1] * eye[1] + right[2] * eye[2]),
      up[0],       up[1],       up[2],       -(up[0] * eye[0] + up[1] * eye[1] + up[2] * eye[2]),
      -forward[0], -forward[1], -forward[2], forward[0] * eye[0] + forward[1] * eye[1] + forward[2] * eye[2],
      0,           0,           0,           1};
  const double f = 1.0 / std::tan(15.0 * M_PI / 180.0);
  const double aspect = width / height;
  const double near = 0.1;
  const double far = 100.0;
  const Matrix perspective = {
      f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) / (near - far), 2 * far * near / (near - far), 0, 0, -1, 0};
  ScreenProjection projection;
  projection.matrix = multiply(perspective, view);
  projection.width = width;
  projection.height = height;
  return projection;
}

// Random walks inside the box: stand-ins for trajectories.
std::vector<std::array<double, 3>> pointsInside(const std::array<double, 6>& bounds, std::size_t count, unsigned seed) {
  std::mt19937 random(seed);
  std::vector<std::array<double, 3>> points;
  for (std::size_t i = 0; i < count; ++i) {
    std::array<double, 3> p{};
    for (std::size_t axis = 0; axis < 3; ++axis) {
      std::uniform_real_distribution<double> along(bounds[2 * axis], bounds[2 * axis + 1]);
      p[axis] = along(random);
    }
    points.push_back(p);
  }
  // The corners too: the data reach the box's faces.
  for (int c = 0; c < 8; ++c)
    points.push_back({bounds[(c & 1) ? 1 : 0], bounds[(c & 2) ? 3 : 2], bounds[(c & 4) ? 5 : 4]});
  return points;
}

}  // namespace

class TestLabelLayout : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void boxesAndSegments() {
    const Box box{10, 10, 20, 20};
    QVERIFY(neurolens::scene::segmentHitsBox({0, 15}, {30, 15}, box));   // straight through
    QVERIFY(neurolens::scene::segmentHitsBox({12, 12}, {13, 13}, box));  // inside
    QVERIFY(!neurolens::scene::segmentHitsBox({0, 0}, {30, 5}, box));    // passes above
    QVERIFY(!neurolens::scene::segmentHitsBox({0, 30}, {30, 25}, box));  // passes below
    QVERIFY(neurolens::scene::segmentHitsBox({0, 0}, {30, 30}, box));    // the diagonal
    QVERIFY(!neurolens::scene::segmentHitsBox({0, 20.5}, {9.5, 30}, box));
    // A line 2 px wide passing 0.5 px from the box touches it.
    QVERIFY(!neurolens::scene::polylineHitsBox({{0, 9.5}, {30, 9.5}}, box, 0.0));
    QVERIFY(neurolens::scene::polylineHitsBox({{0, 9.5}, {30, 9.5}}, box, 1.0));
    QVERIFY(neurolens::scene::polylineHitsBox({{15, 15}}, box, 0.0));  // a single point
    QVERIFY(Box({0, 0, 10, 10}).overlaps({9, 9, 12, 12}));
    QVERIFY(!Box({0, 0, 10, 10}).overlaps({10, 0, 12, 10}));  // touching edges do not overlap
    QVERIFY(!neurolens::scene::firstOverlap({{0, 0, 10, 10}, {10, 0, 20, 10}, {0, 10, 10, 20}}));
    const auto pair = neurolens::scene::firstOverlap({{0, 0, 10, 10}, {20, 0, 30, 10}, {25, 5, 35, 15}});
    QVERIFY(pair.has_value());
    QCOMPARE(pair->first, std::size_t{1});
    QCOMPARE(pair->second, std::size_t{2});
  }

  // A legend goes to the first candidate that covers no line: the top right is taken by a line, the top left is free.
  void legendTakesAFreeCorner() {
    const Box area{0, 0, 200, 100};
    const auto candidates = neurolens::scene::cornerCandidates(area, 40, 20, 2);
    QCOMPARE(candidates.size(), std::size_t{8});
    QCOMPARE(candidates[0].x1, 198.0);  // top right first
    QCOMPARE(candidates[0].y0, 2.0);
    QCOMPARE(candidates[1].x0, 2.0);  // then top left
    Obstacles obstacles;
    obstacles.frame = area;
    obstacles.lineMargin = 1.0;
    obstacles.lines.push_back({{100, 50}, {190, 10}, {199, 5}});  // through the top right corner
    const auto free = neurolens::scene::firstFreeBox(candidates, obstacles);
    QVERIFY(free.has_value());
    QCOMPARE(*free, std::size_t{1});
    // A line through every candidate: none is free.
    obstacles.lines.push_back({{0, 10}, {200, 10}});
    obstacles.lines.push_back({{0, 90}, {200, 90}});
    obstacles.lines.push_back({{0, 50}, {200, 50}});
    QVERIFY(!neurolens::scene::firstFreeBox(candidates, obstacles).has_value());
    // A box outside the frame is never free.
    Obstacles empty;
    empty.frame = area;
    QVERIFY(empty.blocks({190, 0, 210, 10}));
    QVERIFY(!empty.blocks({10, 10, 20, 20}));
  }

  void ticks() {
    QCOMPARE(neurolens::scene::niceTicks(-4.1, 0.3, 5), (std::vector<double>{-4, -3, -2, -1, 0}));
    QCOMPARE(neurolens::scene::niceTicks(-4.1, 0.3, 3), (std::vector<double>{-4, -2, 0}));
    QCOMPARE(neurolens::scene::tickText(-0.0001, 0.5), std::string("0.0"));
    QCOMPARE(neurolens::scene::tickText(2.5, 2.5), std::string("2.5"));
    QCOMPARE(std::string(neurolens::scene::labelKindName(LabelKind::Colorbar)), std::string("colorbar"));
  }

  // Cameras all around a box, points filling it: no label overlaps another, none covers a point inside the box
  // (nor comes within the data margin of one), and every axis seen side-on keeps its title and a tick label.
  void axesNeverCoverTheData_data() {
    QTest::addColumn<double>("azimuth");
    QTest::addColumn<double>("elevation");
    QTest::addColumn<double>("textHeight");
    for (const double elevation : {-60.0, -20.0, 10.0, 25.0, 50.0, 80.0})
      for (double azimuth = 0.0; azimuth < 360.0; azimuth += 35.0)
        for (const double text : {14.0, 30.0})
          QTest::newRow(qPrintable(QString("az %1 el %2 text %3").arg(azimuth).arg(elevation).arg(text)))
              << azimuth << elevation << text;
  }
  void axesNeverCoverTheData() {
    QFETCH(double, azimuth);
    QFETCH(double, elevation);
    QFETCH(double, textHeight);
    // Elongated, off-centre: PMd-like extents (-4 .. 0.3, -2 .. 1.5, -1.2 .. 1.3).
    const std::array<double, 6> bounds = {-4.1, 0.3, -2.2, 1.5, -1.2, 1.3};
    const ScreenProjection projection = camera({-1.9, -0.35, 0.05}, 14.0, azimuth, elevation, 800, 600);
    AxesRequest request;
    request.bounds = bounds;
    request.titles = {"rate PC 1", "rate PC 2", "rate PC 3"};
    request.tickSize = monospace(textHeight);
    request.titleSize = monospace(textHeight * 1.15);
    request.dataMargin = 6.0;
    const AxesLayout layout = neurolens::scene::layoutAxes(projection, request);

    QCOMPARE(layout.outline.size() >= 4, true);
    std::vector<Box> boxes;
    for (const auto& label : layout.labels) boxes.push_back(label.box);
    const auto overlap = neurolens::scene::firstOverlap(boxes);
    QVERIFY2(!overlap, overlap ? qPrintable(QString("'%1' overlaps '%2'")
                                                .arg(QString::fromStdString(layout.labels[overlap->first].text),
                                                     QString::fromStdString(layout.labels[overlap->second].text)))
                               : "");
    // Points inside the box, projected, as single-vertex polylines with the data margin.
    for (const auto& point : pointsInside(bounds, 4000, 7)) {
      const Point2 p = projection(point);
      for (const auto& label : layout.labels)
        QVERIFY2(
            !neurolens::scene::polylineHitsBox({p}, label.box, request.dataMargin),
            qPrintable(
                QString("'%1' covers the data at (%2, %3)").arg(QString::fromStdString(label.text)).arg(p.x).arg(p.y)));
    }
    // Every axis seen side-on has its title and at least one tick label; titles are the data's.
    for (int axis = 0; axis < 3; ++axis) {
      if (!layout.edges[static_cast<std::size_t>(axis)]) continue;
      int ticks = 0;
      int titles = 0;
      for (const auto& label : layout.labels) {
        if (label.axis != axis) continue;
        ticks += label.kind == LabelKind::Tick ? 1 : 0;
        titles += label.kind == LabelKind::Axis ? 1 : 0;
      }
      QVERIFY2(ticks >= 1, qPrintable(QString("axis %1 lost all its ticks").arg(axis)));
      QCOMPARE(titles, 1);
    }
    QCOMPARE(layout.ticks.size(),
             static_cast<std::size_t>(std::count_if(layout.labels.begin(), layout.labels.end(),
                                                    [](const auto& label) { return label.kind == LabelKind::Tick; })));
    QCOMPARE(layout.backEdges.size(), std::size_t{3});
  }

  // The PMd sheet's crowding ("-4.0-3.0-2.0-1.0 0.0"): a short edge keeps fewer ticks rather than overlapping labels.
  void shortEdgesThinTheirTicks() {
    const std::array<double, 6> bounds = {-4.1, 0.3, -2.2, 1.5, -1.2, 1.3};
    AxesRequest request;
    request.bounds = bounds;
    request.tickSize = monospace(29.0);  // 7 pt at 300 dpi
    request.titleSize = monospace(33.0);
    const ScreenProjection far = camera({-1.9, -0.35, 0.05}, 25.0, 35.0, 25.0, 800, 600);  // a small box
    const AxesLayout small = neurolens::scene::layoutAxes(far, request);
    const ScreenProjection near = camera({-1.9, -0.35, 0.05}, 12.0, 35.0, 25.0, 800, 600);
    const AxesLayout large = neurolens::scene::layoutAxes(near, request);
    const auto ticksOf = [](const AxesLayout& layout) {
      return std::count_if(layout.labels.begin(), layout.labels.end(),
                           [](const auto& label) { return label.kind == LabelKind::Tick; });
    };
    qInfo("ticks kept: %d far, %d near, dropped %d far", int(ticksOf(small)), int(ticksOf(large)), int(small.dropped));
    QVERIFY2(ticksOf(small) < ticksOf(large), qPrintable(QString("%1 vs %2").arg(ticksOf(small)).arg(ticksOf(large))));
    QVERIFY(ticksOf(small) >= 6);  // two or more per axis
    std::vector<Box> boxes;
    for (const auto& label : small.labels) boxes.push_back(label.box);
    QVERIFY(!neurolens::scene::firstOverlap(boxes));
    // Thinned to a coarser step, not with gaps: each axis' kept ticks are evenly spaced.
    for (const AxesLayout* layout : {&small, &large})
      for (int axis = 0; axis < 3; ++axis) {
        std::vector<double> values;
        for (const auto& label : layout->labels)
          if (label.axis == axis && label.kind == LabelKind::Tick) values.push_back(std::stod(label.text));
        std::sort(values.begin(), values.end());
        for (std::size_t i = 2; i < values.size(); ++i)
          QVERIFY2(std::abs((values[i] - values[i - 1]) - (values[1] - values[0])) < 1e-9,
                   qPrintable(QString("axis %1: uneven ticks").arg(axis)));
      }
  }

  // Keep-out boxes (a legend) are never covered: labels that would are dropped.
  void keepOutIsRespected() {
    const std::array<double, 6> bounds = {0, 1, 0, 1, 0, 1};
    AxesRequest request;
    request.bounds = bounds;
    request.tickSize = monospace(14.0);
    request.titleSize = monospace(16.0);
    const ScreenProjection projection = camera({0.5, 0.5, 0.5}, 5.0, 35.0, 25.0, 800, 600);
    const AxesLayout free = neurolens::scene::layoutAxes(projection, request);
    QVERIFY(!free.labels.empty());
    request.keepOut.push_back(free.labels.front().box.grown(4.0));
    const AxesLayout kept = neurolens::scene::layoutAxes(projection, request);
    for (const auto& label : kept.labels) QVERIFY(!label.box.overlaps(request.keepOut.front()));
  }
};

QTEST_APPLESS_MAIN(TestLabelLayout)
#include "test_label_layout.moc"
