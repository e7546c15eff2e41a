// Bits per spike and PSTH R2 against nlb_tools' own functions
// (tests/core/python/metrics_reference.py) on random data and on the real PMd
// counts, plus hand-solved cases.
#include <QtTest/QtTest>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "neurolens/core/errors.h"
#include "neurolens/core/metrics.h"

using namespace neurolens;
namespace fs = std::filesystem;

class TestMetrics : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  nlohmann::json reference_;

  FloatArray read(const std::string& file, const std::vector<std::size_t>& shape) const {
    FloatArray out(shape);
    std::ifstream in(fs::path(dir_.path().toStdString()) / file, std::ios::binary);
    in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size() * sizeof(float)));
    return out;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const QString nwb = QString(NEUROLENS_SHARED_DATA) + "/pmd_reach_yu2009.nwb";
    QProcess python;
    python.setProcessChannelMode(QProcess::ForwardedChannels);
    QStringList args{QString(NEUROLENS_SOURCE_DIR) + "/tests/core/python/metrics_reference.py", dir_.path()};
    if (QFileInfo::exists(nwb)) args << nwb;
    python.start(NEUROLENS_TEST_PYTHON, args);
    QVERIFY(python.waitForFinished(120000));
    if (python.exitCode() == 77) QSKIP("nlb_tools is not installed in NEUROLENS_TEST_PYTHON (pip install nlb-tools)");
    QCOMPARE(python.exitCode(), 0);
    std::ifstream in(fs::path(dir_.path().toStdString()) / "reference.json");
    reference_ = nlohmann::json::parse(in);
  }

  void matchesNlbTools_data() {
    QTest::addColumn<QString>("name");
    QTest::newRow("random, silent unit, zero rates") << "random";
    QTest::newRow("real PMd counts") << "real";
  }
  void matchesNlbTools() {
    QFETCH(QString, name);
    const std::string key = name.toStdString();
    if (!reference_.contains(key)) QSKIP("shared data pmd_reach_yu2009.nwb not found");
    const auto& ref = reference_[key];
    const auto shape = ref["shape"].get<std::vector<std::size_t>>();
    const FloatArray counts = read(key + ".counts.f32", shape);
    const FloatArray rates = read(key + ".rates.f32", shape);
    const auto conditions = ref["conditions"].get<std::vector<std::string>>();

    const double nll = poissonNegLogLikelihood(rates, counts);
    QVERIFY2(std::abs(nll - ref["nll"].get<double>()) <= 1e-9 * std::abs(nll), qPrintable(QString::number(nll)));
    const double bps = bitsPerSpike(rates, counts);
    QVERIFY2(std::abs(bps - ref["bits_per_spike"].get<double>()) < 1e-9,
             qPrintable(QString("%1 vs %2").arg(bps, 0, 'g', 15).arg(ref["bits_per_spike"].get<double>(), 0, 'g', 15)));
    const PsthR2 psth = psthR2(rates, counts, conditions);
    QVERIFY(std::abs(psth.mean - ref["psth_r2"].get<double>()) < 1e-9);
    const auto perUnit = ref["psth_r2_per_unit"].get<std::vector<double>>();
    QCOMPARE(psth.perUnit.size(), perUnit.size());
    for (std::size_t u = 0; u < perUnit.size(); ++u) QVERIFY(std::abs(psth.perUnit[u] - perUnit[u]) < 1e-9);
    if (key == "real") {  // the shared data's known fact: 50,353 spikes in [210, 20, 61]
      double total = 0.0;
      for (float v : counts.values()) total += v;
      QCOMPARE(total, 50353.0);
      QCOMPARE(psth.conditions.size(), std::size_t{7});
    }
  }

  void handSolved() {
    // One unit, two bins with counts 0 and 2: null rate 1 per bin.
    const FloatArray counts({1, 2, 1}, std::vector<float>{0.0F, 2.0F});
    // The null model itself scores exactly 0 bits per spike.
    QCOMPARE(bitsPerSpike(FloatArray({1, 2, 1}, std::vector<float>{1.0F, 1.0F}), counts), 0.0);
    // Rates (0.5, 2): NLL = 0.5 + (2 - 2 ln 2 + ln 2) = 2.5 - ln 2; null NLL = 1 + (1 - 0 + ln 2) = 2 + ln 2.
    const FloatArray rates({1, 2, 1}, std::vector<float>{0.5F, 2.0F});
    QVERIFY(std::abs(poissonNegLogLikelihood(rates, counts) - (2.5 - std::log(2.0))) < 1e-12);
    const double expected = ((2.0 + std::log(2.0)) - (2.5 - std::log(2.0))) / 2.0 / std::log(2.0);
    QVERIFY(std::abs(bitsPerSpike(rates, counts) - expected) < 1e-12);
    // PSTH: predicting the condition means exactly gives R2 = 1.
    const FloatArray twoTrials({2, 2, 1}, std::vector<float>{1.0F, 3.0F, 3.0F, 5.0F});
    const FloatArray means({2, 2, 1}, std::vector<float>{2.0F, 4.0F, 2.0F, 4.0F});
    QCOMPARE(psthR2(means, twoTrials, {"a", "a"}).mean, 1.0);
    // A constant true PSTH predicted wrongly: sklearn's convention gives 0.
    const FloatArray flat({1, 2, 1}, std::vector<float>{1.0F, 1.0F});
    QCOMPARE(psthR2(FloatArray({1, 2, 1}, std::vector<float>{0.0F, 2.0F}), flat, {"a"}).mean, 0.0);
  }

  void badInputs() {
    const FloatArray counts({1, 2, 1}, std::vector<float>{0.0F, 2.0F});
    QVERIFY_THROWS_EXCEPTION(InputError, (void)bitsPerSpike(FloatArray({1, 2, 2}), counts));
    QVERIFY_THROWS_EXCEPTION(InputError,
                             (void)bitsPerSpike(FloatArray({1, 2, 1}, std::vector<float>{-1.0F, 1.0F}), counts));
    QVERIFY_THROWS_EXCEPTION(InputError,
                             (void)bitsPerSpike(FloatArray({1, 2, 1}, std::vector<float>{NAN, 1.0F}), counts));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)bitsPerSpike(counts, FloatArray({1, 2, 1})));  // no spikes
    QVERIFY_THROWS_EXCEPTION(InputError, (void)psthR2(counts, counts, {"a", "b"}));           // 2 labels, 1 trial
  }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "test_metrics.moc"
