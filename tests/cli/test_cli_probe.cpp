// `neurolens-cli probe`: hand velocity from real M1 counts, reach condition from
// real PMd counts, the --out datasets against the --json summary, and the exit
// codes of the contract for options that do not fit.
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>
#include <filesystem>

#include "cli_runner.h"
#include "neurolens/io/results_store.h"

namespace {

using neurolens::test::runCli;
QString shared(const char* name) { return neurolens::test::sharedData(name); }
QJsonObject json(const QString& text) { return neurolens::test::parseJson(text); }

}  // namespace

class TestCliProbe : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString out(const QString& name) const { return dir_.path() + "/" + name; }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(qEnvironmentVariable("NEUROLENS_CLI")).isExecutable(),
             "NEUROLENS_CLI is not set to the program");
  }

  void handVelocityFromM1() {
    if (!QFile::exists(shared("m1_stevenson2011.nwb"))) QSKIP("m1_stevenson2011.nwb missing");
    const auto r = runCli({"probe", "--json", "--quiet", "--target", "behavior:hand_vel", "--out", out("m1.h5"),
                           shared("m1_stevenson2011.nwb")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(r.out.count('\n'), 1);
    const QJsonObject o = json(r.out);
    for (const char* key : {"r2", "r2_per_dim", "alpha"}) QVERIFY2(o.contains(key), key);
    const double r2 = o["r2"].toDouble();
    qInfo("M1 hand_vel from counts (20 ms, no lag): R2 %.4f (x %.4f, y %.4f), alpha %g, %d rows", r2,
          o["r2_per_dim"].toArray()[0].toDouble(), o["r2_per_dim"].toArray()[1].toDouble(), o["alpha"].toDouble(),
          o["rows"].toInt());
    QVERIFY(r2 > 0.25);
    QCOMPARE(o["r2_per_dim"].toArray().size(), 2);
    QVERIFY(std::abs(r2 - (o["r2_per_dim"].toArray()[0].toDouble() + o["r2_per_dim"].toArray()[1].toDouble()) / 2) <
            1e-12);
    // The written predictions score the same R2 against the binned behaviour (bin --behavior).
    const auto binned =
        runCli({"bin", "--quiet", "--behavior", "hand_vel", "--out", out("m1_bin.h5"), shared("m1_stevenson2011.nwb")});
    QVERIFY2(binned.exitCode == 0, qPrintable(binned.err));
    const neurolens::io::ResultsReader predictionsFile(out("m1.h5").toStdString());
    const neurolens::io::ResultsReader binFile(out("m1_bin.h5").toStdString());
    const neurolens::FloatArray predictions = predictionsFile.readArray("/predictions");
    const neurolens::FloatArray behavior = binFile.readArray("/behavior");
    QCOMPARE(predictions.shape(), behavior.shape());
    for (std::size_t d = 0; d < 2; ++d) {
      double mean = 0.0;
      double count = 0.0;
      for (std::size_t b = 0; b < behavior.dim(1); ++b)
        if (std::isfinite(predictions(0, b, d)) && std::isfinite(behavior(0, b, d))) {
          mean += behavior(0, b, d);
          count += 1.0;
        }
      mean /= count;
      double residual = 0.0;
      double total = 0.0;
      for (std::size_t b = 0; b < behavior.dim(1); ++b)
        if (std::isfinite(predictions(0, b, d)) && std::isfinite(behavior(0, b, d))) {
          residual += std::pow(behavior(0, b, d) - predictions(0, b, d), 2);
          total += std::pow(behavior(0, b, d) - mean, 2);
        }
      QVERIFY(std::abs(1.0 - residual / total - o["r2_per_dim"].toArray()[static_cast<int>(d)].toDouble()) < 1e-3);
    }
    // The arm follows the neurons: decoding velocity 100 ms later is reported too.
    const auto lagged = runCli({"probe", "--json", "--quiet", "--target", "behavior:hand_vel", "--lag-ms", "100",
                                shared("m1_stevenson2011.nwb")});
    QVERIFY2(lagged.exitCode == 0, qPrintable(lagged.err));
    qInfo("M1 hand_vel 100 ms after the counts: R2 %.4f", json(lagged.out)["r2"].toDouble());
    QVERIFY(json(lagged.out)["r2"].toDouble() > 0.25);
  }

  void reachConditionFromPmd() {
    if (!QFile::exists(shared("pmd_reach_yu2009.nwb"))) QSKIP("pmd_reach_yu2009.nwb missing");
    const auto r = runCli({"probe", "--json", "--quiet", "--target", "trials:condition", "--alphas", "1,100,10000",
                           "--window", "0:400", "--bin-ms", "100", shared("pmd_reach_yu2009.nwb")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = json(r.out);
    for (const char* key : {"accuracy", "chance"}) QVERIFY2(o.contains(key), key);
    qInfo("PMd reach condition from 100 ms counts: accuracy %.4f, chance %.4f (majority class)",
          o["accuracy"].toDouble(), o["chance"].toDouble());
    QVERIFY(std::abs(o["chance"].toDouble() - 30.0 / 210.0) < 1e-9);  // 7 conditions x 30 trials
    QVERIFY(o["accuracy"].toDouble() > o["chance"].toDouble() + 0.2);
    QCOMPARE(o["classes"].toArray().size(), 7);
  }

  void optionsThatDoNotFitExitThree() {
    const QString pmd = shared("pmd_reach_yu2009.nwb");
    if (!QFile::exists(pmd)) QSKIP("pmd_reach_yu2009.nwb missing");
    const QList<QStringList> bad{
        {"probe", "--target", "behavior:nothing_here", pmd},
        {"probe", "--target", "trials:no_such_column", pmd},
        {"probe", "--target", "condition", pmd},
        {"probe", "--target", "trials:condition", "--features", "latents", pmd},
        {"probe", "--target", "trials:condition", "--lag-ms", "30", pmd},
        {"probe", "--target", "trials:condition", "--alphas", "-1", pmd},
        {"probe", "--target", "trials:condition", "--folds", "300", pmd},
        {"probe", "--target", "trials:condition", "--out", out("never.h5"), "--alphas", "-1", pmd},
    };
    for (const auto& arguments : bad) {
      const auto r = runCli(arguments);
      QVERIFY2(r.exitCode == 3, qPrintable(arguments.join(' ') + " -> " + QString::number(r.exitCode) + ": " + r.err));
      // Progress lines may come first; the last stderr line is the one error line.
      const QStringList lines = r.err.trimmed().split('\n');
      QVERIFY2(lines.last().startsWith("error: "), qPrintable(r.err));
      QCOMPARE(r.err.count("error: "), 1);
    }
    QVERIFY(!QFile::exists(out("never.h5")));
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path().toStdString()))
      QVERIFY(entry.path().filename().string().find("never") == std::string::npos);
    QCOMPARE(runCli({"probe", "--target", "trials:condition", "--folds", "1", pmd}).exitCode, 2);
    QCOMPARE(runCli({"probe", pmd}).exitCode, 2);  // --target is required
  }
};

QTEST_GUILESS_MAIN(TestCliProbe)
#include "test_cli_probe.moc"
