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

  void reachConditionFromPmdMatchesSklearn() {
    // The file lists its 210 trials sorted by condition (30 x reach1, then reach2, ...): contiguous
    // folds would hold out whole classes (ceiling 0.571); stratified folds over trials, as
    // scikit-learn's StratifiedKFold, decode the reach target. 100 ms bins over the default window
    // (840 rows) and 5 penalties: scikit-learn's nested search needs minutes for the 4,200 rows of
    // 20 ms bins and the 17 default penalties on 2 cores.
    const QString pmd = shared("pmd_reach_yu2009.nwb");
    if (!QFile::exists(pmd)) QSKIP("pmd_reach_yu2009.nwb missing");
    const auto binned = runCli({"bin", "--quiet", "--bin-ms", "100", "--out", out("pmd_counts.h5"), pmd});
    QVERIFY2(binned.exitCode == 0, qPrintable(binned.err));
    const QString alphas = "0.01,0.1,1,10,100";
    const auto r = runCli(
        {"probe", "--json", "--quiet", "--target", "trials:condition", "--bin-ms", "100", "--alphas", alphas, pmd});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = json(r.out);
    QCOMPARE(o["folds_kind"].toString(), QString("stratified"));
    const auto reference =
        neurolens::test::runPython({QString(NEUROLENS_SOURCE_DIR) + "/tests/cli/python/probe_trials_reference.py",
                                    out("pmd_counts.h5"), pmd, "condition", "--alphas", alphas},
                                   600000);
    if (reference.exitCode == 77) QSKIP("scikit-learn or h5py missing from NEUROLENS_TEST_PYTHON");
    QVERIFY2(reference.exitCode == 0, qPrintable(reference.err));
    const QJsonObject sklearn = json(reference.out);
    qInfo("PMd reach condition, per-bin rows (100 ms): accuracy %.4f (scikit-learn %.4f), chance %.4f, %d rows",
          o["accuracy"].toDouble(), sklearn["accuracy"].toDouble(), o["chance"].toDouble(), o["rows"].toInt());
    QCOMPARE(o["rows"].toInt(), sklearn["rows"].toInt());
    QVERIFY(std::abs(o["accuracy"].toDouble() - sklearn["accuracy"].toDouble()) < 1e-3);
    QVERIFY(o["accuracy"].toDouble() > 120.0 / 210.0);  // above the contiguous folds' ceiling
    // A class with fewer trials than folds is bad input, named.
    const auto tooFew =
        runCli({"probe", "--quiet", "--target", "trials:condition", "--bin-ms", "100", "--folds", "31", pmd});
    QCOMPARE(tooFew.exitCode, 3);
    QVERIFY2(tooFew.err.contains("'reach1'") && tooFew.err.contains("30 trials"), qPrintable(tooFew.err));
  }

  void reachConditionPerTrialFromPmdMatchesSklearn() {
    // --rows trials: one row per trial, its 20 ms counts averaged over the default window; the
    // contract's 17 penalties. scikit-learn on the same averaged rows, StratifiedKFold over trials.
    const QString pmd = shared("pmd_reach_yu2009.nwb");
    if (!QFile::exists(pmd)) QSKIP("pmd_reach_yu2009.nwb missing");
    const auto binned = runCli({"bin", "--quiet", "--out", out("pmd_counts20.h5"), pmd});
    QVERIFY2(binned.exitCode == 0, qPrintable(binned.err));
    const auto r = runCli({"probe", "--json", "--quiet", "--target", "trials:condition", "--rows", "trials", "--out",
                           out("pmd_trials.h5"), pmd});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = json(r.out);
    QCOMPARE(o["rows"].toInt(), 210);
    QCOMPARE(o["rows_kind"].toString(), QString("trials"));
    QCOMPARE(o["folds_kind"].toString(), QString("stratified"));
    const auto reference =
        neurolens::test::runPython({QString(NEUROLENS_SOURCE_DIR) + "/tests/cli/python/probe_trials_reference.py",
                                    out("pmd_counts20.h5"), pmd, "condition", "--rows", "trials"},
                                   600000);
    if (reference.exitCode == 77) QSKIP("scikit-learn or h5py missing from NEUROLENS_TEST_PYTHON");
    QVERIFY2(reference.exitCode == 0, qPrintable(reference.err));
    const QJsonObject sklearn = json(reference.out);
    qInfo("PMd reach condition, one row per trial: accuracy %.4f (scikit-learn %.4f), chance %.4f",
          o["accuracy"].toDouble(), sklearn["accuracy"].toDouble(), o["chance"].toDouble());
    QVERIFY(std::abs(o["accuracy"].toDouble() - sklearn["accuracy"].toDouble()) < 1e-3);
    QVERIFY(o["accuracy"].toDouble() > 0.9);
    const neurolens::io::ResultsReader results(out("pmd_trials.h5").toStdString());
    QCOMPARE(results.readArray("/predictions").shape(), (std::vector<std::size_t>{210, 1, 1}));
    // A continuous recording has no trials to make rows of.
    if (QFile::exists(shared("m1_stevenson2011.nwb"))) {
      const auto continuous = runCli({"probe", "--quiet", "--target", "behavior:hand_vel", "--rows", "trials",
                                      shared("m1_stevenson2011.nwb")});
      QCOMPARE(continuous.exitCode, 3);
      QVERIFY2(continuous.err.contains("--rows trials"), qPrintable(continuous.err));
    }
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
