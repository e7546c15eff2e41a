// Plugins end to end through neurolens-cli: a MATLAB DataHigh file read by the
// reader plugin in `info`, `bin` and `figure`, and `attribute --method occlusion` from the
// analysis plugin, checked against the closed form of a linear model.
#include <QtTest/QtTest>

#include "cli_runner.h"
#include "neurolens/io/results_store.h"

namespace {

using Run = neurolens::test::ProcessResult;

Run runCli(const QStringList& arguments) { return neurolens::test::runCli(arguments, 300000); }

const QString kMat = QString(NEUROLENS_SHARED_DATA) + "/matlab/datahigh_ex1_spikecounts.mat";
const QString kNwb = QString(NEUROLENS_SHARED_DATA) + "/pmd_reach_yu2009.nwb";
const QString kLinear = QString(NEUROLENS_SOURCE_DIR) + "/tests/data/models/attr_linear.pt";

}  // namespace

class TestPluginCli : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void infoReadsMatThroughThePlugin() {
    const Run run = runCli({"info", kMat, "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject json = neurolens::test::parseJson(run.out);
    QCOMPARE(json["units"].toInt(), 61);
    QCOMPARE(json["trials"].toInt(), 210);
    QVERIFY(json["trial_columns"].toArray().contains("condition"));
  }

  void binOfMatEqualsBinOfTheNwbConversion() {
    // pmd_reach_yu2009.nwb was converted from this MAT-file: same counts at 20 ms.
    QTemporaryDir dir;
    const Run mat = runCli({"bin", kMat, "--json", "--out", dir.filePath("mat.h5")});
    const Run nwb = runCli({"bin", kNwb, "--json", "--out", dir.filePath("nwb.h5")});
    QVERIFY2(mat.exitCode == 0, qPrintable(mat.err));
    QVERIFY2(nwb.exitCode == 0, qPrintable(nwb.err));
    QCOMPARE(neurolens::test::parseJson(mat.out)["spikes"].toInt(), 50353);
    const auto a = neurolens::io::ResultsReader(dir.filePath("mat.h5").toStdString()).readArray("/counts");
    const auto b = neurolens::io::ResultsReader(dir.filePath("nwb.h5").toStdString()).readArray("/counts");
    QCOMPARE(a.shape(), (std::vector<std::size_t>{210, 20, 61}));
    QVERIFY(a.values() == b.values());
  }

  // `figure` reads recordings like every other command: the raster of the MAT-file holds the same spikes
  // as that of its NWB conversion.
  void figureOfMatEqualsFigureOfTheNwbConversion() {
    static const QRegularExpression figureCommand("\\n\\s+figure\\s");
    if (!runCli({"--help"}).out.contains(figureCommand)) QSKIP("this neurolens-cli has no figure command (GUI off)");
    QTemporaryDir dir;
    QStringList titles;
    for (const QString& file : {kMat, kNwb}) {
      const QString out = dir.filePath(QFileInfo(file).completeBaseName() + ".svg");
      const Run run = runCli({"figure", "--view", "raster", "--quiet", "--out", out, file});
      QVERIFY2(run.exitCode == 0, qPrintable(run.err));
      QFile svg(out);
      QVERIFY(svg.open(QIODevice::ReadOnly));
      const auto title = QRegularExpression(">(20 trials [^<]*)<").match(QString::fromUtf8(svg.readAll()));
      QVERIFY(title.hasMatch());
      titles << title.captured(1);
    }
    QCOMPARE(titles[0], QString("20 trials (0 .. 19): 61 units, 5408 spikes"));
    QCOMPARE(titles[1], titles[0]);
  }

  void occlusionOfALinearModelIsItsClosedForm() {
    // For latents = x W + c, occluding one (bin, unit) input drops F_d by
    // (x - b) W[u, d] summed over the target bins that contain it: with 1x1 windows
    // that equals integrated gradients exactly.
    QTemporaryDir dir;
    const QStringList common{kNwb,    "--model",   kLinear, "--units",  "0,1,2,3,4,5", "--window",
                             "0:200", "--targets", "2,0",   "--device", "cpu",         "--quiet"};
    const Run occlusion = runCli(QStringList{"attribute", "--method", "occlusion", "--method-param", "window_bins=1",
                                             "--json", "--out", dir.filePath("occ.h5")} +
                                 common);
    QVERIFY2(occlusion.exitCode == 0, qPrintable(occlusion.err));
    QCOMPARE(neurolens::test::parseJson(occlusion.out)["method"].toString(), QString("occlusion"));
    const Run ig = runCli(QStringList{"attribute", "--steps", "4", "--out", dir.filePath("ig.h5")} + common);
    QVERIFY2(ig.exitCode == 0, qPrintable(ig.err));
    const auto a = neurolens::io::ResultsReader(dir.filePath("occ.h5").toStdString()).readArray("/attributions");
    const auto b = neurolens::io::ResultsReader(dir.filePath("ig.h5").toStdString()).readArray("/attributions");
    QCOMPARE(a.shape(), b.shape());
    double worst = 0.0, scale = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      worst = std::max(worst, double(std::abs(a.data()[i] - b.data()[i])));
      scale = std::max(scale, double(std::abs(b.data()[i])));
    }
    QVERIFY(scale > 0.0);
    QVERIFY2(worst <= 1e-4 * scale, qPrintable(QString("worst %1 of scale %2").arg(worst).arg(scale)));
  }

  void unknownMethodIsAUsageError() {
    const Run run = runCli({"attribute", kNwb, "--model", kLinear, "--method", "lrp"});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.startsWith("error: ") && run.err.contains("occlusion"), qPrintable(run.err));
    const Run params = runCli({"attribute", kNwb, "--model", kLinear, "--method-param", "a=1"});
    QCOMPARE(params.exitCode, 2);
    const Run badParam = runCli({"attribute", kNwb, "--model", kLinear, "--units", "0,1,2,3,4,5", "--method",
                                 "occlusion", "--method-param", "window_bins=zero"});
    QCOMPARE(badParam.exitCode, 3);
    QVERIFY2(badParam.err.contains("window_bins"), qPrintable(badParam.err));
  }
};

QTEST_GUILESS_MAIN(TestPluginCli)
#include "test_plugin_cli.moc"
