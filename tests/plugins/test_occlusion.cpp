// The occlusion plugin's method against Captum's Occlusion on the same model, and
// its plugin shell loaded statically through the SDK.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest/QtTest>
#include <cmath>
#include <random>

#include "neurolens/core/errors.h"
#include "neurolens/plugins/plugin_manager.h"
#include "occlusion.h"

Q_IMPORT_PLUGIN(OcclusionPlugin)

using namespace neurolens;

namespace {

constexpr std::size_t kTrials = 2, kBins = 7, kUnits = 5, kLatents = 3;

struct TinyModel {
  std::vector<double> w, v;  // [latents, units]
  FloatArray operator()(const FloatArray& x) const {
    const std::size_t n = x.dim(0);
    FloatArray out({n, kBins, kLatents});
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t b = 0; b < kBins; ++b)
        for (std::size_t d = 0; d < kLatents; ++d) {
          double s = 0.0;
          for (std::size_t u = 0; u < kUnits; ++u) {
            s += w[d * kUnits + u] * x(i, b, u);
            if (b > 0) s += v[d * kUnits + u] * x(i, b - 1, u);
          }
          out(i, b, d) = static_cast<float>(std::tanh(s));
        }
    return out;
  }
};

QJsonArray toJson(const std::vector<double>& values, std::size_t rows, std::size_t cols) {
  QJsonArray out;
  for (std::size_t r = 0; r < rows; ++r) {
    QJsonArray row;
    for (std::size_t c = 0; c < cols; ++c) row.append(values[r * cols + c]);
    out.append(row);
  }
  return out;
}

}  // namespace

class TestOcclusion : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void matchesCaptum_data() {
    QTest::addColumn<int>("windowBins");
    QTest::addColumn<int>("windowUnits");
    QTest::addColumn<int>("strideBins");
    QTest::addColumn<int>("strideUnits");
    QTest::newRow("1x1") << 1 << 1 << 1 << 1;
    QTest::newRow("3x2 stride 2x1 (overlapping)") << 3 << 2 << 2 << 1;
    QTest::newRow("2x5 stride 2x5") << 2 << 5 << 2 << 5;
  }

  void matchesCaptum() {
    QFETCH(int, windowBins);
    QFETCH(int, windowUnits);
    QFETCH(int, strideBins);
    QFETCH(int, strideUnits);
    std::mt19937 rng(3);
    std::normal_distribution<double> normal(0.0, 0.5);
    std::poisson_distribution<int> poisson(1.5);
    TinyModel model;
    for (std::size_t i = 0; i < kLatents * kUnits; ++i) {
      model.w.push_back(normal(rng));
      model.v.push_back(normal(rng));
    }
    FloatArray x({kTrials, kBins, kUnits});
    for (auto& value : x.values()) value = static_cast<float>(poisson(rng));
    FloatArray baseline({kBins, kUnits}, 0.5F);

    QJsonObject spec;
    QJsonArray xs;
    for (std::size_t t = 0; t < kTrials; ++t) {
      std::vector<double> slice(x.data() + t * kBins * kUnits, x.data() + (t + 1) * kBins * kUnits);
      xs.append(toJson(slice, kBins, kUnits));
    }
    spec["x"] = xs;
    spec["baseline"] = toJson(std::vector<double>(kBins * kUnits, 0.5), kBins, kUnits);
    spec["W"] = toJson(model.w, kLatents, kUnits);
    spec["V"] = toJson(model.v, kLatents, kUnits);
    spec["window"] = QJsonArray{windowBins, windowUnits};
    spec["strides"] = QJsonArray{strideBins, strideUnits};
    spec["targets"] = QJsonArray{0, 2};
    spec["target_bins"] = QJsonArray{2, 6};
    QTemporaryDir dir;
    QFile in(dir.filePath("in.json"));
    QVERIFY(in.open(QIODevice::WriteOnly));
    in.write(QJsonDocument(spec).toJson());
    in.close();

    QProcess python;
    python.start(NEUROLENS_TEST_PYTHON, {QString(NEUROLENS_SOURCE_DIR) + "/tests/plugins/python/captum_occlusion.py",
                                         dir.filePath("in.json"), dir.filePath("out.json")});
    QVERIFY(python.waitForFinished(120000));
    const QByteArray err = python.readAllStandardError();
    if (python.exitCode() != 0 && err.contains("No module named 'captum'")) QSKIP("captum is not installed");
    QVERIFY2(python.exitCode() == 0, err.constData());
    QFile out(dir.filePath("out.json"));
    QVERIFY(out.open(QIODevice::ReadOnly));
    const QJsonArray expected = QJsonDocument::fromJson(out.readAll()).object()["attributions"].toArray();

    plugins::AttributionRequest request;
    request.counts = &x;
    request.baseline = &baseline;
    request.targets = {0, 2};
    request.targetBinBegin = 2;
    request.targetBinEnd = 6;
    request.parameters = {{"window_bins", std::to_string(windowBins)},
                          {"window_units", std::to_string(windowUnits)},
                          {"stride_bins", std::to_string(strideBins)},
                          {"stride_units", std::to_string(strideUnits)}};
    const FloatArray ours =
        occlusion::occlusionAttribution(model, request, occlusion::parseWindow(request.parameters), Progress{}, 4);
    double worst = 0.0;
    for (std::size_t t = 0; t < kTrials; ++t)
      for (std::size_t d = 0; d < 2; ++d)
        for (std::size_t b = 0; b < kBins; ++b)
          for (std::size_t u = 0; u < kUnits; ++u) {
            const double ref = expected[int(d)][int(t)][int(b)][int(u)].toDouble();
            const double got = ours.data()[((t * 2 + d) * kBins + b) * kUnits + u];
            worst = std::max(worst, std::abs(got - ref) / std::max(1e-3, std::abs(ref)));
          }
    QVERIFY2(worst < 1e-4, qPrintable(QString("worst relative difference %1").arg(worst)));
  }

  void badParametersAreInputErrors() {
    QVERIFY_THROWS_EXCEPTION(InputError, (void)occlusion::parseWindow({{"window_bins", "0"}}));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)occlusion::parseWindow({{"window_bins", "two"}}));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)occlusion::parseWindow({{"size", "2"}}));
  }

  void pluginIsRegisteredThroughTheSdk() {
    const plugins::PluginManager manager({});
    const auto* method = manager.attributionMethod("occlusion");
    QVERIFY(method != nullptr);
    TinyModel model{std::vector<double>(kLatents * kUnits, 0.1), std::vector<double>(kLatents * kUnits, 0.0)};
    FloatArray x({1, kBins, kUnits}, 1.0F);
    FloatArray baseline({kBins, kUnits}, 0.0F);
    plugins::AttributionRequest request{&x, &baseline, {1}, 0, kBins, 0, {{"window_bins", "1"}}};
    const FloatArray a = method->attribute(model, request, Progress{});
    QCOMPARE(a.shape(), (std::vector<std::size_t>{1, 1, kBins, kUnits}));
    for (float value : a.values()) QVERIFY(value > 0.0F);  // every positive input raises tanh(0.1 * sum)
  }
};

QTEST_GUILESS_MAIN(TestOcclusion)
#include "test_occlusion.moc"
