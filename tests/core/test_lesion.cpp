// In-silico lesions on the simulated demo (planted structure): a linear
// TorchScript model whose latents read the simulator's own loadings
// (tests/core/python/link_reference_model.py --weights). Silencing the tuned
// units must destroy the velocity read-out of the latents; silencing the
// untuned units (which load on nothing) must change nothing. The same must hold
// for the bundled demo model (resources/demo/demo_model.pt), which learnt the
// demo's structure from spikes alone.
#include <QtTest/QtTest>
#include <filesystem>

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
