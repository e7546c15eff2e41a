// CPU and CUDA inference agree (skipped without a CUDA GPU): the same model file
// on the same counts, run through the project's runner on each device.
#include <QtTest/QtTest>
#include <cmath>
#include <filesystem>

#include "neurolens/core/device.h"
#include "neurolens/core/model.h"
#include "neurolens/core/simulator.h"

using namespace neurolens;

class TestGpuModel : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private Q_SLOTS:
  void cpuAndCudaAgree() {
    if (!queryDevices().cudaAvailable) QSKIP("no CUDA GPU visible to LibTorch");
    const QString models = dir_.path() + "/models";
    QProcess python;
    python.start(NEUROLENS_TEST_PYTHON,
                 {QString(NEUROLENS_SOURCE_DIR) + "/tests/core/python/make_test_models.py", models});
    QVERIFY(python.waitForFinished(120000));
    if (python.exitCode() != 0) QSKIP("the test Python has no torch");

    // Realistic counts: the demo's first 64 trials, 5 units (the test models' width).
    DemoOptions small;
    small.trialsPerCondition = 8;
    const DemoData demo = simulateDemo(small);
    FloatArray counts({64, 50, 5});
    for (std::size_t t = 0; t < 64; ++t)
      for (std::size_t b = 0; b < 50; ++b)
        for (std::size_t u = 0; u < 5; ++u) counts(t, b, u) = std::round(demo.expectedCounts(t, b, u) * 3.0F);

    for (const char* name : {"dict", "traced", "tuple"}) {
      const Model model = Model::load((models + "/" + name + ".pt").toStdString());
      RunReport cpuRun;
      RunReport cudaRun;
      const ModelOutputs cpu = model.infer(counts, DeviceChoice::Cpu, {}, &cpuRun);
      const ModelOutputs cuda = model.infer(counts, DeviceChoice::Cuda, {}, &cudaRun);
      QCOMPARE(cudaRun.device, DeviceChoice::Cuda);
      float worst = 0.0F;
      for (std::size_t i = 0; i < cpu.latents.size(); ++i)
        worst = std::max(worst, std::abs(cpu.latents.values()[i] - cuda.latents.values()[i]));
      for (std::size_t i = 0; i < cpu.rates->size(); ++i)
        worst = std::max(worst, std::abs(cpu.rates->values()[i] - cuda.rates->values()[i]) /
                                    std::max(1.0F, std::abs(cpu.rates->values()[i])));
      // TF32 may be on for CUDA matmuls: agreement to ~1e-3 relative
      QVERIFY2(worst < 2e-3F, qPrintable(QString("%1: max difference %2").arg(name).arg(worst)));
    }
  }
};

QTEST_GUILESS_MAIN(TestGpuModel)
#include "test_gpu_model.moc"
