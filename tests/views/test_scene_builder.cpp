// The scene builder alone (issue 28 step 4): a pair's data and display options in, what is
// drawn out (polylines, groups, colours, legend, axis titles), with no Qt widget, VTK or
// display. The GUI's views and `figure` both draw what this returns.
#include <QtTest/QtTest>
#include <cmath>
#include <random>

#include "neurolens/core/errors.h"
#include "neurolens/core/projection.h"
#include "neurolens/scene/scene_builder.h"

using namespace neurolens;
using namespace neurolens::scene;

namespace {

// Poisson-ish counts [trials, bins, units] with a condition-dependent rate, labels per trial.
PairData countsPair(const std::vector<std::string>& names, std::size_t trialsPer, std::size_t bins, std::size_t units) {
  PairData pair;
  pair.features = FloatArray({names.size() * trialsPer, bins, units});
  std::mt19937 random(7);
  for (std::size_t c = 0; c < names.size(); ++c)
    for (std::size_t k = 0; k < trialsPer; ++k) {
      const std::size_t t = c * trialsPer + k;
      pair.trialConditions.push_back(names[c]);
      for (std::size_t b = 0; b < bins; ++b)
        for (std::size_t u = 0; u < units; ++u) {
          const double rate = 1.0 + std::sin(0.3 * static_cast<double>(b) + static_cast<double>(c + u));
          std::poisson_distribution<int> spikes(std::max(0.1, rate));
          pair.features(t, b, u) = static_cast<float>(spikes(random));
        }
    }
  pair.labelled = true;
  pair.binMs = 20.0;
  return pair;
}

bool sameColour(const Rgb& a, const Rgb& b) {
  return std::abs(a.r - b.r) < 1e-12 && std::abs(a.g - b.g) < 1e-12 && std::abs(a.b - b.b) < 1e-12;
}

}  // namespace

class TestSceneBuilder : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // A recording without a model: condition means drawn thick over their thin single trials,
  // PCA of the Gaussian-smoothed rates fitted on the means (the default sd 40 ms).
  void recordingAloneDrawsMeansOverTrials() {
    const PairData pair = countsPair({"left", "right", "up"}, 4, 30, 6);
    const Scene scene = buildScene(pair, DisplayOptions{});
    QVERIFY(scene.mode == DrawMode::Means);
    QCOMPARE(scene.lines(), std::size_t{12 + 3});
    QCOMPARE(scene.parts.data.points.dim(0), std::size_t{15});
    QCOMPARE(scene.parts.data.points.dim(2), std::size_t{3});
    QCOMPARE(scene.rowIsMean.size(), std::size_t{15});
    QVERIFY(!scene.rowIsMean[11] && scene.rowIsMean[12]);
    QCOMPARE(scene.fittedOn, std::string("condition means"));
    QCOMPARE(scene.parts.data.axisTitles[0], std::string("rate PC 1"));
    // Groups: trials of condition c in c, its mean in 3 + c; the means in full colour, the trials lighter.
    QCOMPARE(scene.parts.data.colours.size(), std::size_t{6});
    QCOMPARE(scene.parts.data.condition[0], 0);
    QCOMPARE(scene.parts.data.condition[12], 3);
    QCOMPARE(scene.parts.conditions.scheme, std::string("categorical"));
    for (std::size_t c = 0; c < 3; ++c) {
      QVERIFY(sameColour(scene.parts.data.colours[3 + c], okabeItoPalette()[c]));
      QVERIFY(sameColour(scene.parts.legend[c].colour, okabeItoPalette()[c]));
      QVERIFY(!sameColour(scene.parts.data.colours[c], okabeItoPalette()[c]));
    }
    QVERIFY(scene.showLegend);
    QVERIFY(scene.showMarkers);

    // Exactly the core's maths: smoothing (sd 40 ms = 2 bins), means, PCA fitted on them.
    DisplayOptions meansOnly;
    meansOnly.meansOnly = true;
    const Scene means = buildScene(pair, meansOnly);
    QCOMPARE(means.lines(), std::size_t{3});
    const FloatArray smoothed = smoothAlongBins(pair.features, 2.0);
    const FloatArray averaged = conditionAverage(smoothed, pair.trialConditions);
    const PcaResult fitted = pca(averaged, 3);
    QCOMPARE(means.parts.data.points.shape(), fitted.projected.shape());
    for (std::size_t i = 0; i < fitted.projected.size(); ++i)
      QVERIFY(std::abs(means.parts.data.points.values()[i] - fitted.projected.values()[i]) < 1e-4F);
    QCOMPARE(means.axisShare, fitted.explainedVarianceRatio);
  }

  // Reach directions on a circle take the cyclic map, wherever they are drawn (the demo's
  // reach angles were a categorical palette in the window and this map in `figure`).
  void reachAnglesTakeTheCyclicMap() {
    const PairData pair = countsPair({"0", "45", "90", "135", "180", "225", "270", "315"}, 2, 12, 4);
    const Scene scene = buildScene(pair, DisplayOptions{});
    QCOMPARE(scene.parts.conditions.scheme, std::string("cyclic"));
    QCOMPARE(scene.parts.conditions.names.front(), std::string("0"));
    QCOMPARE(scene.parts.conditions.names.back(), std::string("315"));
    const Colormap cyclic = colormapByName("cyclic");
    QVERIFY(sameColour(scene.parts.conditions.colours[2], cyclic.at(2.0 / 8.0)));
  }

  // Single trials only (or trials without labels), a continuous recording, latents.
  void otherModes() {
    PairData pair = countsPair({"a", "b"}, 3, 10, 4);
    DisplayOptions trials;
    trials.singleTrialsOnly = true;
    const Scene single = buildScene(pair, trials);
    QVERIFY(single.mode == DrawMode::Trials);
    QCOMPARE(single.lines(), std::size_t{6});
    QVERIFY(single.rowIsMean.empty());
    QCOMPARE(single.fittedOn, std::string("single trials"));

    PairData continuous = countsPair({"x"}, 1, 200, 5);
    continuous.trialConditions.clear();
    continuous.labelled = false;
    continuous.continuous = true;
    const Scene recording = buildScene(continuous, DisplayOptions{});
    QVERIFY(recording.mode == DrawMode::Continuous);
    QCOMPARE(recording.lines(), std::size_t{1});
    QCOMPARE(recording.fittedOn, std::string("recording"));
    QVERIFY(!recording.showLegend);
    QVERIFY(recording.showMarkers);

    DisplayOptions latents;
    latents.projection = Projection::Latents;
    QVERIFY_THROWS_EXCEPTION(InputError, (void)buildScene(pair, latents));
    pair.fromModel = true;
    const Scene drawn = buildScene(pair, latents);
    QCOMPARE(drawn.parts.data.axisTitles[0], std::string("latent 1"));

    DisplayOptions byTime;
    byTime.colourBy = "time";
    const Scene timed = buildScene(pair, byTime);
    QVERIFY(timed.parts.scalars.has_value());
    QVERIFY(!timed.showLegend);
    DisplayOptions unknown;
    unknown.colourBy = "mood";
    QVERIFY_THROWS_EXCEPTION(InputError, (void)buildScene(pair, unknown));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)buildScene(PairData{}, DisplayOptions{}));
  }
};

QTEST_GUILESS_MAIN(TestSceneBuilder)
#include "test_scene_builder.moc"
