// TrajectoryScene as data: grouping into one actor per condition, polyline cells,
// markers, the time cursor, visibility and input checks. No OpenGL needed.
#include <vtkActor.h>
#include <vtkCellArray.h>
#include <vtkDataArray.h>
#include <vtkMapper.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>

#include <QtTest/QtTest>
#include <cmath>

#include "neurolens/core/errors.h"
#include "neurolens/views/demo_trajectories.h"
#include "neurolens/views/figure/colormap.h"
#include "neurolens/views/palette.h"
#include "neurolens/views/trajectory_scene.h"

using namespace neurolens;
using namespace neurolens::views;

namespace {

TrajectoryData demoData(std::size_t conditions, std::size_t trialsPerCondition, std::size_t bins) {
  DemoTrajectories demo = makeRotationalTrajectories(conditions, trialsPerCondition, bins);
  TrajectoryData data;
  data.points = std::move(demo.points);
  data.condition = std::move(demo.condition);
  return data;
}

vtkPolyData* linesOf(const TrajectoryScene& scene, std::size_t condition) {
  return vtkPolyData::SafeDownCast(scene.lineActor(condition)->GetMapper()->GetInputDataObject(0, 0));
}

}  // namespace

class TestTrajectoryScene : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void oneActorPerConditionWithOnePolylinePerTrial() {
    // Interleaved conditions, uneven groups: 7 trials, conditions 0,1,2,0,1,0,2.
    TrajectoryData data;
    data.points = FloatArray({7, 5, 3});
    for (std::size_t t = 0; t < 7; ++t)
      for (std::size_t b = 0; b < 5; ++b)
        for (std::size_t k = 0; k < 3; ++k) data.points(t, b, k) = static_cast<float>(100 * t + 10 * b + k);
    data.condition = {0, 1, 2, 0, 1, 0, 2};
    TrajectoryScene scene;
    scene.setData(data);
    QCOMPARE(scene.conditionCount(), std::size_t{3});
    QCOMPARE(scene.trialCount(), std::size_t{7});
    QCOMPARE(scene.binCount(), std::size_t{5});
    const vtkIdType expectedCells[3] = {3, 2, 2};
    for (std::size_t c = 0; c < 3; ++c) {
      vtkPolyData* lines = linesOf(scene, c);
      QVERIFY(lines != nullptr);
      QCOMPARE(lines->GetNumberOfLines(), expectedCells[c]);
      QCOMPARE(lines->GetNumberOfPoints(), expectedCells[c] * 5);
      QCOMPARE(lines->GetLines()->GetMaxCellSize(), vtkIdType{5});
    }
    // Group 0 holds trials 0, 3, 5 in order; its second polyline is trial 3.
    vtkPolyData* group0 = linesOf(scene, 0);
    double point[3];
    group0->GetPoint(5 + 2, point);  // trial 3, bin 2
    QCOMPARE(point[0], 320.0);
    QCOMPARE(point[1], 321.0);
    QCOMPARE(point[2], 322.0);
    // Line colours are the Okabe-Ito palette, in order.
    for (std::size_t c = 0; c < 3; ++c) {
      double rgb[3];
      scene.lineActor(c)->GetProperty()->GetColor(rgb);
      QCOMPARE(rgb[0], categoricalColour(c).r);
      QCOMPARE(rgb[1], categoricalColour(c).g);
      QCOMPARE(rgb[2], categoricalColour(c).b);
    }
    // 5 actors per condition (lines, lines while moving, start, end, cursor), the axes (outline and ticks, the
    // box edges behind the data, 48 text actors) and the colour bar.
    QCOMPARE(scene.props().size(), std::size_t{3 * 5 + 2 + 48 + 1});
  }

  void bigSceneStaysAFewActors() {
    TrajectoryScene scene;
    scene.setData(demoData(8, 250, 100));  // 2,000 trajectories
    QCOMPARE(scene.props().size(), std::size_t{8 * 5 + 2 + 48 + 1});
    vtkIdType cells = 0;
    for (std::size_t c = 0; c < 8; ++c) cells += linesOf(scene, c)->GetNumberOfLines();
    QCOMPARE(cells, vtkIdType{2000});
  }

  void timeCursorFollowsTheData() {
    TrajectoryData data = demoData(3, 4, 20);
    const FloatArray points = data.points;
    TrajectoryScene scene;
    scene.setData(std::move(data));
    for (std::size_t bin : {std::size_t{0}, std::size_t{7}, std::size_t{19}}) {
      scene.setTime(bin);
      QCOMPARE(scene.time(), bin);
      for (std::size_t trial = 0; trial < 12; ++trial) {
        const auto cursor = scene.cursorPosition(trial);
        for (std::size_t k = 0; k < 3; ++k) QCOMPARE(static_cast<float>(cursor[k]), points(trial, bin, k));
      }
    }
    scene.setTime(500);  // past the end: clamped to the last bin
    QCOMPARE(scene.time(), std::size_t{19});
  }

  void visibilityPerCondition() {
    TrajectoryScene scene;
    scene.setData(demoData(3, 2, 10));
    scene.setConditionVisible(1, false);
    QVERIFY(!scene.conditionVisible(1));
    QVERIFY(scene.conditionVisible(0));
    QCOMPARE(scene.lineActor(1)->GetVisibility(), 0);
    QCOMPARE(scene.lineActor(0)->GetVisibility(), 1);
    scene.setConditionVisible(1, true);
    QCOMPARE(scene.lineActor(1)->GetVisibility(), 1);
    scene.setConditionVisible(99, false);  // unknown condition: ignored, no crash
  }

  void addAndRemoveFromRenderer() {
    vtkNew<vtkRenderer> renderer;
    TrajectoryScene scene;
    scene.setData(demoData(2, 3, 10));
    scene.addTo(renderer);
    QCOMPARE(renderer->GetViewProps()->GetNumberOfItems(), 2 * 5 + 2 + 48 + 1);  // + the axes' parts
    // New data while attached replaces the actors in place.
    scene.setData(demoData(5, 1, 10));
    QCOMPARE(renderer->GetViewProps()->GetNumberOfItems(), 5 * 5 + 2 + 48 + 1);
    scene.removeFrom(renderer);
    QCOMPARE(renderer->GetViewProps()->GetNumberOfItems(), 0);
  }

  void boundsMatchTheData() {
    TrajectoryData data = demoData(2, 2, 30);
    float lo[3] = {1e9F, 1e9F, 1e9F};
    float hi[3] = {-1e9F, -1e9F, -1e9F};
    for (std::size_t i = 0; i < data.points.size(); ++i) {
      lo[i % 3] = std::min(lo[i % 3], data.points.values()[i]);
      hi[i % 3] = std::max(hi[i % 3], data.points.values()[i]);
    }
    TrajectoryScene scene;
    scene.setData(std::move(data));
    const auto bounds = scene.bounds();
    for (int k = 0; k < 3; ++k) {
      QCOMPARE(static_cast<float>(bounds[2 * k]), lo[k]);
      QCOMPARE(static_cast<float>(bounds[2 * k + 1]), hi[k]);
    }
  }

  void rejectsMalformedInput() {
    TrajectoryScene scene;
    TrajectoryData wrongRank;
    wrongRank.points = FloatArray({4, 3});
    QVERIFY_THROWS_EXCEPTION(InputError, scene.setData(wrongRank));
    TrajectoryData twoDims;
    twoDims.points = FloatArray({2, 5, 2});
    twoDims.condition = {0, 0};
    QVERIFY_THROWS_EXCEPTION(InputError, scene.setData(twoDims));
    TrajectoryData missingLabels = demoData(2, 2, 5);
    missingLabels.condition.pop_back();
    QVERIFY_THROWS_EXCEPTION(InputError, scene.setData(missingLabels));
    TrajectoryData negative = demoData(2, 2, 5);
    negative.condition[1] = -1;
    QVERIFY_THROWS_EXCEPTION(InputError, scene.setData(negative));
    TrajectoryData withNan = demoData(2, 2, 5);
    withNan.points(3, 2, 1) = std::nanf("");
    try {
      scene.setData(withNan);
      QFAIL("a NaN point was accepted");
    } catch (const InputError& error) {
      const QString message = error.what();
      QVERIFY2(message.contains("trial 3") && message.contains("bin 2"), qPrintable(message));
    }
    QCOMPARE(scene.trialCount(), std::size_t{0});  // nothing half-built after the errors
  }

  void scalarColouringPutsOneValuePerVertexThroughTheColourMap() {
    // 2 conditions x 3 trials x 6 bins; value = 10 * trial + bin (trial 4 bin 5 is NaN).
    TrajectoryData data = demoData(2, 3, 6);
    TrajectoryScene scene;
    scene.setData(data);
    ScalarColouring colouring;
    colouring.values = FloatArray({6, 6});
    for (std::size_t t = 0; t < 6; ++t)
      for (std::size_t b = 0; b < 6; ++b) colouring.values.values()[t * 6 + b] = static_cast<float>(10 * t + b);
    colouring.values.values()[4 * 6 + 5] = std::nanf("");
    colouring.title = "time (ms)";
    scene.setScalarColouring(colouring);
    QVERIFY(scene.hasScalarColouring());
    QCOMPARE(scene.scalarRange(), std::make_pair(0.0, 55.0));  // NaN left out of the range
    QVERIFY(scene.colourBar()->GetVisibility());
    // Each group's vertices carry its trials' values in polyline order.
    for (std::size_t c = 0; c < 2; ++c) {
      vtkPolyData* lines = linesOf(scene, c);
      vtkDataArray* scalars = lines->GetPointData()->GetScalars();
      QVERIFY(scalars != nullptr);
      QCOMPARE(scalars->GetNumberOfTuples(), lines->GetNumberOfPoints());
      QVERIFY(scene.lineActor(c)->GetMapper()->GetScalarVisibility());
      vtkIdType id = 0;
      for (std::size_t t = 0; t < 6; ++t) {
        if (data.condition[t] != static_cast<int>(c)) continue;
        for (std::size_t b = 0; b < 6; ++b, ++id) {
          const float expected = colouring.values.values()[t * 6 + b];
          const double got = scalars->GetTuple1(id);
          if (std::isnan(expected)) {
            QVERIFY(std::isnan(got));
          } else {
            QCOMPARE(got, static_cast<double>(expected));
          }
        }
      }
    }
    // The lookup table is viridis over the range: both ends and the middle.
    const figure::Colormap viridis = figure::colormapByName("viridis");
    for (double t : {0.0, 0.5, 1.0}) {
      const Rgb want = viridis.at(t);
      const Rgb got = scene.scalarColour(55.0 * t);
      QVERIFY2(std::abs(got.r - want.r) < 0.01 && std::abs(got.g - want.g) < 0.01 && std::abs(got.b - want.b) < 0.01,
               qPrintable(QString("viridis(%1)").arg(t)));
    }
    // A wrong shape or an unknown colour map is refused and keeps the current colouring.
    ScalarColouring wrong;
    wrong.values = FloatArray({6, 5});
    QVERIFY_THROWS_EXCEPTION(InputError, scene.setScalarColouring(wrong));
    ScalarColouring unknownMap = colouring;
    unknownMap.colormap = "rainbow";
    QVERIFY_THROWS_EXCEPTION(InputError, scene.setScalarColouring(unknownMap));
    QVERIFY(scene.hasScalarColouring());
    // Back to group colours.
    scene.clearScalarColouring();
    QVERIFY(!scene.hasScalarColouring());
    QVERIFY(!scene.colourBar()->GetVisibility());
    QVERIFY(!scene.lineActor(0)->GetMapper()->GetScalarVisibility());
    // New data of another shape drops a colouring that no longer fits.
    scene.setScalarColouring(colouring);
    scene.setData(demoData(2, 2, 6));
    QVERIFY(!scene.hasScalarColouring());
  }

  void levelOfDetailWhileTheCameraMoves() {
    TrajectoryData data = demoData(8, 50, 100);  // 400 trajectories x 100 bins
    const FloatArray points = data.points;
    const std::vector<int> condition = data.condition;
    TrajectoryScene scene;
    scene.setData(std::move(data));
    LevelOfDetail detail;
    detail.maxTrajectories = 200;
    detail.maxBins = 25;
    scene.setLevelOfDetail(detail);
    // Every second trial of each group, every fourth bin plus the last: 26 points per line.
    vtkIdType lodLines = 0;
    for (std::size_t c = 0; c < 8; ++c) {
      auto* lod = vtkPolyData::SafeDownCast(scene.interactiveLineActor(c)->GetMapper()->GetInputDataObject(0, 0));
      QVERIFY(lod != nullptr);
      lodLines += lod->GetNumberOfLines();
      QCOMPARE(lod->GetNumberOfPoints(), lod->GetNumberOfLines() * 26);
    }
    QCOMPARE(lodLines, vtkIdType{200});
    // Group 0's second kept line is its third trial; its point 2 is bin 8, the last point bin 99.
    std::vector<std::size_t> group0;
    for (std::size_t t = 0; t < condition.size(); ++t)
      if (condition[t] == 0) group0.push_back(t);
    auto* lod0 = vtkPolyData::SafeDownCast(scene.interactiveLineActor(0)->GetMapper()->GetInputDataObject(0, 0));
    QVERIFY(lod0 != nullptr);
    if (lod0 == nullptr) return;
    double point[3];
    lod0->GetPoint(26 + 2, point);
    for (std::size_t k = 0; k < 3; ++k) QCOMPARE(static_cast<float>(point[k]), points(group0[2], 8, k));
    lod0->GetPoint(26 + 25, point);
    for (std::size_t k = 0; k < 3; ++k) QCOMPARE(static_cast<float>(point[k]), points(group0[2], 99, k));
    // Still: the full lines and markers; moving: the light lines and the cursors only.
    QVERIFY(!scene.interactive());
    QCOMPARE(scene.lineActor(3)->GetVisibility(), 1);
    QCOMPARE(scene.interactiveLineActor(3)->GetVisibility(), 0);
    scene.setInteractive(true);
    QCOMPARE(scene.lineActor(3)->GetVisibility(), 0);
    QCOMPARE(scene.interactiveLineActor(3)->GetVisibility(), 1);
    QCOMPARE(scene.interactiveLineActor(3)->GetProperty()->GetLineWidth(), 1.0F);
    // Hidden groups stay hidden while moving.
    scene.setConditionVisible(5, false);
    QCOMPARE(scene.interactiveLineActor(5)->GetVisibility(), 0);
    scene.setInteractive(false);
    QCOMPARE(scene.lineActor(3)->GetVisibility(), 1);
    QCOMPARE(scene.interactiveLineActor(3)->GetVisibility(), 0);
    QCOMPARE(scene.lineActor(5)->GetVisibility(), 0);
  }

  void paletteIsOkabeIto() {
    QCOMPARE(QString::fromStdString(toHex(categoricalColour(0))), QString("#e69f00"));
    QCOMPARE(QString::fromStdString(toHex(categoricalColour(1))), QString("#56b4e9"));
    QCOMPARE(QString::fromStdString(toHex(categoricalColour(8))), QString("#e69f00"));  // cycles
  }
};

QTEST_GUILESS_MAIN(TestTrajectoryScene)
#include "test_trajectory_scene.moc"
