// `neurolens-cli attribute` end to end on a real recording (pmd_reach_yu2009.nwb):
// - /attributions of a linear model equal (x - b) W on the target bins, with x
//   binned independently by h5py + numpy (tests/cli/python/bin_counts_reference.py);
// - a GRU's integrated gradients agree with Captum on those counts;
// - the JSON summary's keys, exit codes 2 / 3 with one `error:` line, and no
//   half-written --out after a failure.
#include <QtTest/QtTest>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "neurolens/core/ndarray.h"
#include "neurolens/io/results_store.h"

namespace fs = std::filesystem;
using neurolens::FloatArray;

namespace {

const QString kRecording = QString(NEUROLENS_SHARED_DATA) + "/pmd_reach_yu2009.nwb";
const QString kUnits = "0,1,2,3,4,5";  // the test models take 6 units

using Run = neurolens::test::ProcessResult;
using neurolens::test::runCli;
using neurolens::test::runPython;

QString modelPath(const char* name) { return QString(NEUROLENS_SOURCE_DIR) + "/tests/data/models/" + name; }

std::vector<float> readFloats(const QString& file, std::size_t count) {
  std::vector<float> values(count);
  std::ifstream in(file.toStdString(), std::ios::binary);
  in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(count * sizeof(float)));
  if (!in) values.clear();
  return values;
}

double linearW(std::size_t u, std::size_t l) {
  return static_cast<double>(
      static_cast<float>(0.5 * std::sin(0.7 * static_cast<double>(u + 1) + 1.3 * static_cast<double>(l + 1))));
}

bool oneErrorLine(const QString& err) {
  const QStringList lines = err.trimmed().split('\n');
  return !lines.isEmpty() && lines.last().startsWith("error: ");
}

}  // namespace

class TestCliAttribute : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    if (!QFile::exists(kRecording)) QSKIP("shared data pmd_reach_yu2009.nwb not found");
  }

  // x binned by h5py (window 0:200 ms -> 10 bins of 20 ms); IG of a linear model with a zero baseline is x W
  // on the target bins 40:120 ms (bins 2..5) and zero elsewhere; completeness ~ 0.
  void linearModelOnRealRecording() {
    QTemporaryDir dir;
    const QString out = dir.filePath("attr.h5");
    const Run run = runCli({"attribute", "--model", modelPath("attr_linear.pt"), kRecording, "--units", kUnits,
                            "--window", "0:200", "--target-window", "40:120", "--targets", "2,0", "--steps", "8",
                            "--device", "cpu", "--json", "--out", out});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QStringList stdoutLines = run.out.trimmed().split('\n');
    QCOMPARE(stdoutLines.size(), 1);  // --json: nothing else on stdout
    const auto json = nlohmann::json::parse(stdoutLines.first().toStdString());
    QCOMPARE(json.at("method").get<std::string>(), std::string("integrated_gradients"));
    QCOMPARE(json.at("steps").get<int>(), 8);
    QVERIFY(json.at("seconds").get<double>() > 0.0);
    QVERIFY(json.at("max_rel_completeness").get<double>() < 1e-4);

    const Run binned = runPython({QString(NEUROLENS_SOURCE_DIR) + "/tests/cli/python/bin_counts_reference.py",
                                  kRecording, "--units", kUnits, "--window", "0:200", "--out", dir.filePath("x.f32")});
    QVERIFY2(binned.exitCode == 0, qPrintable(binned.err));
    QCOMPARE(binned.out.trimmed(), QString("210,10,6"));
    const std::vector<float> x = readFloats(dir.filePath("x.f32"), 210 * 10 * 6);
    QCOMPARE(x.size(), std::size_t{210 * 10 * 6});

    const neurolens::io::ResultsReader reader(out.toStdString());
    const FloatArray a = reader.readArray("/attributions");
    QCOMPARE(a.shape(), (std::vector<std::size_t>{210, 2, 10, 6}));
    QCOMPARE(reader.readInt64s("/targets"), (std::vector<std::int64_t>{2, 0}));
    const FloatArray deltaF = reader.readArray("/delta_f");
    const FloatArray completeness = reader.readArray("/completeness");
    QCOMPARE(deltaF.shape(), (std::vector<std::size_t>{210, 2}));
    QCOMPARE(completeness.shape(), (std::vector<std::size_t>{210, 2}));
    double worst = 0.0;
    double worstDelta = 0.0;
    const std::size_t targets[2] = {2, 0};
    for (std::size_t t = 0; t < 210; ++t)
      for (std::size_t j = 0; j < 2; ++j) {
        double expectedDelta = 0.0;
        for (std::size_t k = 0; k < 10; ++k)
          for (std::size_t u = 0; u < 6; ++u) {
            const double xv = x[(t * 10 + k) * 6 + u];
            const double expected = (k >= 2 && k < 6) ? xv * linearW(u, targets[j]) : 0.0;
            worst = std::max(worst, std::abs(a.data()[((t * 2 + j) * 10 + k) * 6 + u] - expected));
            expectedDelta += expected;
          }
        worstDelta = std::max(worstDelta, std::abs(deltaF.data()[t * 2 + j] - expectedDelta));
      }
    QVERIFY2(worst < 1e-5, qPrintable(QString("max error %1").arg(worst)));
    QVERIFY2(worstDelta < 1e-4, qPrintable(QString("max delta_f error %1").arg(worstDelta)));
  }

  // The CLI's integrated gradients of a nonlinear GRU match Captum on the same counts.
  void gruAgreesWithCaptum() {
    QTemporaryDir dir;
    const QString out = dir.filePath("attr.h5");
    const Run run = runCli({"attribute", "--model", modelPath("attr_gru.pt"), kRecording, "--units", kUnits, "--window",
                            "0:200", "--baseline", "mean", "--integration", "riemann_middle", "--steps", "12",
                            "--device", "cpu", "--quiet", "--out", out});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(run.err.isEmpty());  // --quiet
    const Run binned = runPython({QString(NEUROLENS_SOURCE_DIR) + "/tests/cli/python/bin_counts_reference.py",
                                  kRecording, "--units", kUnits, "--window", "0:200", "--out", dir.filePath("x.f32")});
    QVERIFY2(binned.exitCode == 0, qPrintable(binned.err));
    const Run captum = runPython({QString(NEUROLENS_SOURCE_DIR) + "/tests/core/python/captum_reference.py", "--model",
                                  modelPath("attr_gru.pt"), "--input", dir.filePath("x.f32"), "--shape", "210,10,6",
                                  "--method", "integrated_gradients", "--steps", "12", "--integration",
                                  "riemann_middle", "--baseline", "mean", "--out", dir.filePath("ref")});
    if (captum.exitCode == 3) QSKIP("captum is not installed in NEUROLENS_TEST_PYTHON");
    QVERIFY2(captum.exitCode == 0, qPrintable(captum.err));
    const neurolens::io::ResultsReader reader(out.toStdString());
    const FloatArray a = reader.readArray("/attributions");
    const std::vector<float> reference = readFloats(dir.filePath("ref_attr.f32"), a.size());
    QCOMPARE(reference.size(), a.size());
    double worst = 0.0;
    double scale = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      worst = std::max(worst, std::abs(static_cast<double>(a.values()[i]) - reference[i]));
      scale = std::max(scale, std::abs(static_cast<double>(reference[i])));
    }
    qInfo("CLI vs Captum on pmd_reach_yu2009: max error %.3g of %.3g", worst, scale);
    QVERIFY(worst < 1e-4 * scale);
  }

  void gradientMethodsReportNoCompleteness() {
    const Run run =
        runCli({"attribute", "--model", modelPath("attr_gru.pt"), kRecording, "--units", kUnits, "--window", "0:100",
                "--method", "smoothgrad", "--smoothgrad-samples", "3", "--seed", "7", "--device", "cpu", "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const auto json = nlohmann::json::parse(run.out.trimmed().toStdString());
    QCOMPARE(json.at("method").get<std::string>(), std::string("smoothgrad"));
    QVERIFY(json.at("max_rel_completeness").is_null());
    QCOMPARE(json.at("steps").get<int>(), 3);
  }

  // --steps auto on CEBRA-style unit-norm latents (tests/core/python/make_attribution_models.py): the steps
  // double per chunk until the relative completeness is within --tolerance; /steps_used per trial.
  void autoStepsReportStepsUsed() {
    QTemporaryDir dir;
    const QString out = dir.filePath("auto.h5");
    const Run run =
        runCli({"attribute", "--model", modelPath("attr_unit_norm.pt"), kRecording, "--units", kUnits, "--window",
                "0:200", "--steps", "auto", "--tolerance", "0.01", "--device", "cpu", "--json", "--out", out});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const auto json = nlohmann::json::parse(run.out.trimmed().split('\n').first().toStdString());
    const int least = json.at("steps_used").at("min").get<int>();
    const int most = json.at("steps_used").at("max").get<int>();
    QVERIFY2(least >= 16 && least <= most && most <= 1024, qPrintable(run.out));
    QCOMPARE(json.at("steps").get<int>(), most);
    const auto unconverged = json.at("unconverged").get<std::size_t>();
    if (unconverged == 0) QVERIFY(json.at("max_rel_completeness").get<double>() <= 0.01);
    const neurolens::io::ResultsReader reader(out.toStdString());
    const std::vector<std::int64_t> used = reader.readInt64s("/steps_used");
    QCOMPARE(used.size(), std::size_t{210});
    for (const std::int64_t steps : used) QVERIFY(steps >= least && steps <= most);
    QVERIFY(most > 16);  // unit-norm latents need more than the first 16 steps somewhere
  }

  void badInputsExitCleanly_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    const QStringList base{"attribute", kRecording, "--units", kUnits, "--window", "0:200", "--device", "cpu"};
    QTest::newRow("unknown method") << (base + QStringList{"--model", modelPath("attr_linear.pt"), "--method", "lrp"})
                                    << 2;
    QTest::newRow("missing model option") << base << 2;
    QTest::newRow("unknown option") << (base + QStringList{"--model", modelPath("attr_linear.pt"), "--stepz", "3"})
                                    << 2;
    QTest::newRow("latent out of range") << (base +
                                             QStringList{"--model", modelPath("attr_linear.pt"), "--targets", "3"})
                                         << 3;
    QTest::newRow("bad targets text") << (base +
                                          QStringList{"--model", modelPath("attr_linear.pt"), "--targets", "1,x"})
                                      << 3;
    QTest::newRow("target window outside")
        << (base + QStringList{"--model", modelPath("attr_linear.pt"), "--target-window", "100:300"}) << 3;
    QTest::newRow("target window without a bin")
        << (base + QStringList{"--model", modelPath("attr_linear.pt"), "--target-window", "41:59"}) << 3;
    QTest::newRow("riemann with one step")
        << (base + QStringList{"--model", modelPath("attr_linear.pt"), "--integration", "riemann_left", "--steps", "1"})
        << 3;
    QTest::newRow("steps neither a number nor auto")
        << (base + QStringList{"--model", modelPath("attr_linear.pt"), "--steps", "many"}) << 2;
    QTest::newRow("steps auto for saliency")
        << (base + QStringList{"--model", modelPath("attr_linear.pt"), "--steps", "auto", "--method", "saliency"}) << 3;
    QTest::newRow("model file missing") << (base + QStringList{"--model", "/nonexistent/model.pt"}) << 3;
    QTest::newRow("units do not match the model")
        << QStringList{"attribute", kRecording, "--model", modelPath("attr_linear.pt"), "--device", "cpu"} << 3;
  }
  void badInputsExitCleanly() {
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QTemporaryDir dir;
    const QString out = dir.filePath("never.h5");
    const Run run = runCli(arguments + QStringList{"--out", out});
    QVERIFY2(run.exitCode == exitCode, qPrintable(QString("exit %1: %2").arg(run.exitCode).arg(run.err)));
    QVERIFY2(oneErrorLine(run.err), qPrintable(run.err));
    QVERIFY(!QFile::exists(out));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::NoDotAndDotDot).size(), 0);  // no temporary left
  }
};

QTEST_GUILESS_MAIN(TestCliAttribute)
#include "test_cli_attribute.moc"
