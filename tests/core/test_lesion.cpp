// In-silico lesions on the simulated demo (planted structure): a linear
// TorchScript model whose latents read the simulator's own loadings
// (tests/core/python/link_reference_model.py --weights). Silencing the tuned
// units must destroy the velocity read-out of the latents; silencing the
// untuned units (which load on nothing) must change nothing. The same must hold
// for the bundled demo model (resources/demo/demo_model.pt), which learnt the
// demo's structure from spikes alone.
#include <QtTest/QtTest>
#include <algorithm>
#include <filesystem>
#include <random>
#include <set>

#include "neurolens/core/binning.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/lesion.h"
#include "neurolens/core/model.h"
#include "neurolens/core/simulator.h"
#include "test_probe_support.h"

using namespace neurolens;
using namespace neurolens::testing;

class TestLesion : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void countsAreSilencedOrFlattened() {
    FloatArray counts({2, 2, 3});
    for (std::size_t i = 0; i < counts.size(); ++i) counts.values()[i] = static_cast<float>(i);
    const FloatArray zero = lesionCounts(counts, {false, true, false}, LesionMode::Zero);
    const FloatArray mean = lesionCounts(counts, {false, true, false}, LesionMode::MeanRate);
    for (std::size_t t = 0; t < 2; ++t)
      for (std::size_t b = 0; b < 2; ++b) {
        QCOMPARE(zero(t, b, 1), 0.0F);
        QCOMPARE(zero(t, b, 0), counts(t, b, 0));
        QCOMPARE(mean(t, b, 1), 5.5F);  // mean of 1, 4, 7, 10
      }
    QVERIFY_THROWS_EXCEPTION(InputError, (void)lesionCounts(counts, {true}, LesionMode::Zero));
    QCOMPARE(parseLesionMode("mean"), LesionMode::MeanRate);
    // Hand-checked comparison: a latent scaled by 0.5 loses 3/4 of its variance.
    FloatArray intact({1, 4, 2});
    FloatArray halved({1, 4, 2});
    for (std::size_t b = 0; b < 4; ++b) {
      intact(0, b, 0) = static_cast<float>(b);
      intact(0, b, 1) = static_cast<float>(b % 2);
      halved(0, b, 0) = 0.5F * static_cast<float>(b);
      halved(0, b, 1) = static_cast<float>(b % 2);
    }
    LesionEffect effect;
    compareLatents(intact, halved, effect);
    QVERIFY(std::abs(effect.varianceLost[0] - 0.75) < 1e-9);
    QVERIFY(std::abs(effect.varianceLost[1]) < 1e-12);
  }

  // Shuffle permutes each lesioned unit across trials within each bin: the unit's
  // values in a bin (so its per-bin total over trials, its PSTH) stay the same;
  // the other units are untouched; a continuous recording is shifted circularly.
  void shuffleKeepsEachBinsValuesAndBoostMultiplies() {
    FloatArray counts({12, 5, 4});
    std::mt19937_64 fill(7);
    for (float& value : counts.values()) value = static_cast<float>(fill() % 9);
    std::mt19937_64 generator(11);
    const FloatArray shuffled =
        lesionCounts(counts, {0, 2}, parseLesionManipulation("shuffle"), LesionLayout{}, generator);
    bool moved = false;
    for (std::size_t u = 0; u < 4; ++u)
      for (std::size_t b = 0; b < 5; ++b) {
        std::vector<float> before;
        std::vector<float> after;
        for (std::size_t t = 0; t < 12; ++t) {
          before.push_back(counts(t, b, u));
          after.push_back(shuffled(t, b, u));
          moved = moved || counts(t, b, u) != shuffled(t, b, u);
          if (u == 1 || u == 3) QCOMPARE(shuffled(t, b, u), counts(t, b, u));
        }
        std::sort(before.begin(), before.end());
        std::sort(after.begin(), after.end());
        QCOMPARE(after, before);
      }
    QVERIFY(moved);
    // The same seed, the same shuffle.
    std::mt19937_64 again(11);
    QCOMPARE(lesionCounts(counts, {0, 2}, parseLesionManipulation("shuffle"), LesionLayout{}, again).values(),
             shuffled.values());

    const LesionManipulation boost = parseLesionManipulation("boost:2.5");
    QCOMPARE(boost.mode, LesionMode::Boost);
    QCOMPARE(boost.factor, 2.5);
    const FloatArray boosted = lesionCounts(counts, {1}, boost, LesionLayout{}, generator);
    for (std::size_t t = 0; t < 12; ++t)
      for (std::size_t b = 0; b < 5; ++b) {
        QCOMPARE(boosted(t, b, 1), 2.5F * counts(t, b, 1));
        QCOMPARE(boosted(t, b, 0), counts(t, b, 0));
      }
    const FloatArray zeroed = lesionCounts(counts, {3}, parseLesionManipulation("zero"), LesionLayout{}, generator);
    QCOMPARE(zeroed(4, 2, 3), 0.0F);
    for (const char* bad : {"boost:0", "boost:-1", "boost:x", "boost:", "boost:inf", "silence"})
      QVERIFY_THROWS_EXCEPTION(InputError, (void)parseLesionManipulation(bad));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)lesionCounts(counts, {4}, boost, LesionLayout{}, generator));

    // Continuous: one series of 30 one-second bins; every shift is a rotation by 10..20 bins.
    FloatArray series({1, 30, 2});
    for (std::size_t b = 0; b < 30; ++b) {
      series(0, b, 0) = static_cast<float>(b);
      series(0, b, 1) = static_cast<float>(100 + b);
    }
    LesionLayout continuous;
    continuous.continuous = true;
    continuous.binMs = 1000.0;
    for (int repeat = 0; repeat < 20; ++repeat) {
      const FloatArray shifted = lesionCounts(series, {0}, parseLesionManipulation("shuffle"), continuous, generator);
      const auto offset = static_cast<std::size_t>((30 - static_cast<int>(shifted(0, 0, 0))) % 30);
      QVERIFY2(offset >= 10 && offset <= 20, qPrintable(QString::number(offset)));
      for (std::size_t b = 0; b < 30; ++b) {
        QCOMPARE(shifted(0, (b + offset) % 30, 0), series(0, b, 0));
        QCOMPARE(shifted(0, b, 1), series(0, b, 1));
      }
    }
    continuous.binMs = 1000.0;
    FloatArray tooShort({1, 19, 1});
    QVERIFY_THROWS_EXCEPTION(
        InputError, (void)lesionCounts(tooShort, {0}, parseLesionManipulation("shuffle"), continuous, generator));
  }

  // percentile = share of random effects smaller than the real one; p = (1 + random at
  // least as large) / (1 + R); for R2 and bits per spike, "larger" means lower.
  void percentileAndPOnAHandMadeNull() {
    const NullComparison variance = compareWithNull(0.5, {0.1, 0.2, 0.5, 0.7}, true);
    QCOMPARE(variance.percentile, 50.0);
    QCOMPARE(variance.p, 3.0 / 5.0);
    const NullComparison r2 = compareWithNull(0.3, {0.2, 0.3, 0.5, 0.9}, false);
    QCOMPARE(r2.percentile, 50.0);
    QCOMPARE(r2.p, 3.0 / 5.0);
    const NullComparison strongest = compareWithNull(0.0, {0.4, 0.5, 0.6}, false);
    QCOMPARE(strongest.percentile, 100.0);
    QCOMPARE(strongest.p, 1.0 / 4.0);
    const NullComparison weakest = compareWithNull(0.0, {0.4, 0.5, 0.6}, true);
    QCOMPARE(weakest.percentile, 0.0);
    QCOMPARE(weakest.p, 1.0);
    QVERIFY_THROWS_EXCEPTION(InputError, (void)compareWithNull(1.0, {}, true));
  }

  void randomLesionsComeFromOutsideTheSelection() {
    const std::vector<std::size_t> selected{1, 4, 5};
    const auto draws = drawRandomLesions(selected, 10, 50, 3);
    QCOMPARE(draws.size(), std::size_t{50});
    std::set<std::vector<std::size_t>> distinct;
    for (const auto& draw : draws) {
      QCOMPARE(draw.size(), std::size_t{3});
      QVERIFY(std::is_sorted(draw.begin(), draw.end()) && std::adjacent_find(draw.begin(), draw.end()) == draw.end());
      for (const std::size_t unit : draw) QVERIFY(unit < 10 && unit != 1 && unit != 4 && unit != 5);
      distinct.insert(draw);
    }
    QVERIFY(distinct.size() > 10);
    QCOMPARE(drawRandomLesions(selected, 10, 50, 3), draws);
    QVERIFY(drawRandomLesions(selected, 10, 50, 4) != draws);
    QVERIFY_THROWS_EXCEPTION(InputError, (void)drawRandomLesions({0, 1, 2, 3, 4, 5}, 10, 1, 0));
    // Rate matching with a pool of one picks each selected unit's nearest outside unit.
    const std::vector<double> rates{1.0, 10.0, 1.1, 9.0, 5.0, 20.0};
    for (const auto& draw : drawRandomLesions({0, 1}, 6, 5, 9, &rates, 1))
      QCOMPARE(draw, (std::vector<std::size_t>{2, 3}));
  }

  // The effect measures on hand-made latents.
  void latentShiftOnHandMadeLatents() {
    // Two trials (conditions a, b), one bin, one latent: a 0 -> 1, b stays 2.
    const FloatArray intact({2, 1, 1}, std::vector<float>{0.0F, 2.0F});
    const FloatArray lesioned({2, 1, 1}, std::vector<float>{1.0F, 2.0F});
    const LatentReference reference(intact, {"a", "b"});
    QCOMPARE(reference.conditions(), std::size_t{2});
    const LatentShift shift = reference.measure(lesioned);
    QCOMPARE(shift.varianceLost.size(), std::size_t{1});
    QVERIFY(std::abs(shift.varianceLost[0] - 0.5) < 1e-12);  // 1 / (1 + 1)
    QVERIFY(std::abs(shift.conditionShift - 0.25) < 1e-12);  // mean(1, 0) / |0 - 2|
    QCOMPARE(shift.steering.size(), std::size_t{1});
    QVERIFY(std::abs(shift.steering[0] - 0.5) < 1e-12);
    // One group: one trial 0, 1, 2 shifted by 1: RMS displacement 1 over sqrt(2 x 2/3).
    const FloatArray line({1, 3, 1}, std::vector<float>{0.0F, 1.0F, 2.0F});
    const FloatArray moved({1, 3, 1}, std::vector<float>{1.0F, 2.0F, 3.0F});
    const LatentReference single(line, {});
    QCOMPARE(single.conditions(), std::size_t{1});
    const LatentShift singleShift = single.measure(moved);
    QVERIFY(std::abs(singleShift.conditionShift - 1.0 / std::sqrt(4.0 / 3.0)) < 1e-9);
    QVERIFY(std::abs(singleShift.varianceLost[0] - 1.5) < 1e-9);  // 3 / 2: may exceed 1
    QVERIFY(std::abs(single.measure(line).conditionShift) < 1e-12);
  }

  void tunedLesionDestroysVelocityReadout() {
    DemoOptions demoOptions;
    demoOptions.trialsPerCondition = 10;
    const DemoData demo = simulateDemo(demoOptions);
    BinningOptions binning;
    binning.windowStartMs = 0.0;
    binning.windowEndMs = 1000.0;
    binning.behavior = {"hand_vel"};
    const BinnedRecording binned = binRecording(demo.recording, binning);
    const Column* typeColumn = binned.units.find("cell_type");
    QVERIFY(typeColumn != nullptr);
    const std::vector<std::string> types = typeColumn->texts();
    const auto units = static_cast<Eigen::Index>(demo.loadings.dim(0));
    Eigen::MatrixXd weights(units, 5);
    for (Eigen::Index u = 0; u < units; ++u)
      for (Eigen::Index d = 0; d < 5; ++d) weights(u, d) = demo.loadings.values()[static_cast<std::size_t>(u * 5 + d)];
    QTemporaryDir dir;
    writeMatrix(dir.filePath("w.f64"), weights);
    QString errors;
    const int code = runPythonReference(
        "link_reference_model.py",
        {"--weights", dir.filePath("w.f64"), QString::number(units), "5", dir.filePath("model.pt")}, &errors);
    if (code == 77) QSKIP(qPrintable("torch missing from NEUROLENS_TEST_PYTHON: " + errors));
    QVERIFY2(code == 0, qPrintable(errors));
    const Model model = Model::load(dir.filePath("model.pt").toStdString());

    LesionOptions options;
    options.device = DeviceChoice::Cpu;
    options.target = probeTargetFromSpec(binned, "behavior:hand_vel");
    options.probe.lagMs = 100.0;  // the arm follows the neurons by behaviorLagMs
    options.probe.binMs = binned.binMs;
    const std::vector<LesionEffect> effects = lesionTypes(model, binned.counts, types, {"tuned", "untuned"}, options);
    QCOMPARE(effects.size(), std::size_t{2});
    const LesionEffect& tuned = effects[0];
    const LesionEffect& untuned = effects[1];
    qInfo(
        "velocity R2 from latents: intact %.3f, tuned lesioned %.3f, untuned lesioned %.3f; trajectory distance "
        "tuned %.3f, untuned %.3f",
        *tuned.probeR2Intact, *tuned.probeR2Lesioned, *untuned.probeR2Lesioned, tuned.trajectoryDistance,
        untuned.trajectoryDistance);
    QVERIFY(*tuned.probeR2Intact > 0.5);
    QVERIFY(*tuned.probeR2Lesioned < 0.5 * *tuned.probeR2Intact);
    QVERIFY(std::abs(*untuned.probeR2Lesioned - *untuned.probeR2Intact) < 0.02);
    QVERIFY(tuned.trajectoryDistance > 0.1);
    QVERIFY(untuned.trajectoryDistance < 1e-6);
    // The direction latents (dir_x, dir_y: indices 3, 4) lose all their variance, the others none.
    QVERIFY(tuned.varianceLost[3] > 0.99 && tuned.varianceLost[4] > 0.99);
    QVERIFY(std::abs(tuned.varianceLost[0]) < 1e-6);
  }

  // The bundled demo model on the recording it was trained on: its latents read out
  // hand velocity, silencing the tuned units destroys that read-out, silencing the
  // untuned units barely moves it.
  void demoModelTunedLesionDestroysVelocityReadout() {
    const DemoData demo = simulateDemo();
    BinningOptions binning;
    binning.windowStartMs = 0.0;
    binning.windowEndMs = 1000.0;
    binning.behavior = {"hand_vel"};
    const BinnedRecording binned = binRecording(demo.recording, binning);
    const std::vector<std::string> types = binned.units.find("cell_type")->texts();
    const Model model =
        Model::load((std::filesystem::path(NEUROLENS_SOURCE_DIR) / "resources" / "demo" / "demo_model.pt").string());
    LesionOptions options;
    options.device = DeviceChoice::Cpu;
    options.target = probeTargetFromSpec(binned, "behavior:hand_vel");
    options.probe.lagMs = 100.0;
    options.probe.binMs = binned.binMs;
    const std::vector<LesionEffect> effects =
        lesionTypes(model, binned.counts, types, {"tuned", "untuned", "rotational"}, options);
    const LesionEffect& tuned = effects[0];
    const LesionEffect& untuned = effects[1];
    const LesionEffect& rotational = effects[2];
    qInfo(
        "demo model, velocity R2 from latents: intact %.3f, tuned lesioned %.3f, untuned lesioned %.3f, rotational "
        "lesioned %.3f; bits/spike intact %.3f, tuned lesioned %.3f, untuned lesioned %.3f; trajectory distance "
        "tuned %.3f, untuned %.3f",
        *tuned.probeR2Intact, *tuned.probeR2Lesioned, *untuned.probeR2Lesioned, *rotational.probeR2Lesioned,
        *tuned.bitsPerSpikeIntact, *tuned.bitsPerSpikeLesioned, *untuned.bitsPerSpikeLesioned, tuned.trajectoryDistance,
        untuned.trajectoryDistance);
    QVERIFY(*tuned.probeR2Intact > 0.5);
    QVERIFY(*tuned.probeR2Lesioned < 0.3 * *tuned.probeR2Intact);
    QVERIFY(std::abs(*untuned.probeR2Lesioned - *untuned.probeR2Intact) < 0.05);
    QVERIFY(untuned.trajectoryDistance < 0.5 * tuned.trajectoryDistance);
    // Silencing a type costs likelihood; the tuned units far more than the untuned ones.
    QVERIFY(*tuned.bitsPerSpikeLesioned < *tuned.bitsPerSpikeIntact);
    QVERIFY(*tuned.bitsPerSpikeIntact - *tuned.bitsPerSpikeLesioned >
            2.0 * (*untuned.bitsPerSpikeIntact - *untuned.bitsPerSpikeLesioned));
  }
};

QTEST_GUILESS_MAIN(TestLesion)
#include "test_lesion.moc"
