// `neurolens-cli figure` end to end on real recordings (../shared/data) and on the
// bundled demo: every view writes the file its extension names with the labels it
// promises, --json reports the size, and bad input exits 3 (or 2 for usage) with
// one error line and no file left behind.
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "../views/test_plot_support.h"
#include "cli_runner.h"
#include "support/display_test_support.h"

namespace {

const QString kReach = QString(NEUROLENS_SHARED_DATA) + "/pmd_reach_yu2009.nwb";

using Run = neurolens::test::ProcessResult;

Run runCli(const QStringList& arguments,
           const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment()) {
  return neurolens::test::runCli(arguments, 240000, environment);
}

QString describe(const Run& run) {
  return QString("exit %1\nstdout: %2\nstderr: %3").arg(run.exitCode).arg(run.out, run.err);
}

}  // namespace

class TestFigureCli : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString demo_;   // demo.nwb written by `neurolens-cli demo`
  QString model_;  // linear TorchScript model for the demo's units

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const Run help = runCli({"figure", "--help"});
    if (help.exitCode != 0) QSKIP(qPrintable("this neurolens-cli has no figure command: " + describe(help)));
  }

  void rasterSvgWithJson() {
    if (!QFileInfo::exists(kReach)) QSKIP("shared data missing: pmd_reach_yu2009.nwb");
    const QString out = dir_.filePath("raster.svg");
    const Run run = runCli({"figure", "--view", "raster", "--out", out, "--json", "--window", "0:400", kReach});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject summary = QJsonDocument::fromJson(run.out.trimmed().toUtf8()).object();
    QCOMPARE(summary["width"].toInt(), 1600);
    QCOMPARE(summary["height"].toInt(), 1200);
    QVERIFY(summary["seconds"].toDouble() > 0.0);
    QVERIFY(QSvgRenderer(out).isValid());
    const QString svg = neurolens::testing::readAll(out);
    // A spike raster of the first 20 of the 210 trials (stacked inside each unit's band), said on stderr.
    for (const char* label : {">time (ms)<", ">unit (trials stacked)<", ">20 trials (0 .. 19): 61 units, ", ">400<"})
      QVERIFY2(svg.contains(label), label);
    QVERIFY2(run.err.contains("first 20 of 210 trials"), qPrintable(run.err));
  }

  // A continuous recording (M1: no trials table, 13 min) is not drawn as one solid block: 10 s from its first spike,
  // said on stderr with how to see another part (pseudo-trials of --chunk-ms, chosen by --trials).
  void rasterOfAContinuousRecordingShowsTenSeconds() {
    const QString m1 = QString(NEUROLENS_SHARED_DATA) + "/m1_stevenson2011.nwb";
    if (!QFileInfo::exists(m1)) QSKIP("shared data missing: m1_stevenson2011.nwb");
    const QString out = dir_.filePath("m1_raster.svg");
    const Run run = runCli({"figure", "--view", "raster", "--out", out, m1});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    // Its first spike is at 12.57 s (h5py): the 10 s from the whole second before it.
    QVERIFY2(run.err.contains("the raster shows 12-22 s of the "), qPrintable(run.err));
    const QString svg = neurolens::testing::readAll(out);
    QVERIFY2(svg.contains(">14000<") && svg.contains(">22000<") && !svg.contains(">10000<"), "time axis 12-22 s");
    QVERIFY2(svg.contains(">recording: 171 units, ") && !svg.contains(": 171 units, 0 spikes<"), "spikes drawn");
    QVERIFY2(run.err.contains("--chunk-ms 10000 --trials 6"), qPrintable(run.err));
    const QString later = dir_.filePath("m1_raster_later.svg");
    const Run chunk =
        runCli({"figure", "--view", "raster", "--chunk-ms", "5000", "--trials", "12", "--out", later, m1});
    QVERIFY2(chunk.exitCode == 0 && !chunk.err.contains("the raster shows"), qPrintable(describe(chunk)));
    const QString laterSvg = neurolens::testing::readAll(later);
    QVERIFY2(laterSvg.contains(">5000<") && laterSvg.contains(">chunk 12: 171 units, "), "the 13th 5 s chunk");
  }

  // `--view raster` draws the spike times themselves: on a pynwb-written file with
  // known spike times, the SVG holds one tick (an "M x,y L x,y" segment) per spike
  // inside the window of each drawn trial, in the colour of the unit's type, with
  // the type labels; the counts come from numpy in make_raster_nwb.py.
  void spikeRasterTicksMatchSpikeTimes() {
    const QString nwb = dir_.filePath("raster_fixture.nwb");
    QProcess python;
    python.start(NEUROLENS_TEST_PYTHON,
                 {QString(NEUROLENS_SOURCE_DIR) + "/tests/render/python/make_raster_nwb.py", nwb, "0", "500", "0,2"});
    QVERIFY(python.waitForFinished(120000));
    if (python.exitCode() == 77) QSKIP("pynwb is not installed in the test Python (NEUROLENS_TEST_PYTHON)");
    QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
    const QJsonObject expected = QJsonDocument::fromJson(python.readAllStandardOutput().trimmed()).object();
    QVERIFY(expected["ticks"].toInt() > 20);

    const QString out = dir_.filePath("raster_fixture.svg");
    // The fixture's trials have ids 0, 1, 2 (pynwb numbers them from 0).
    const Run run = runCli({"figure", "--view", "raster", "--unit-column", "cell_type", "--trials", "0,2", "--window",
                            "0:500", "--out", out, nwb});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY(QSvgRenderer(out).isValid());
    const QString svg = neurolens::testing::readAll(out);
    for (const char* label : {">pyramidal<", ">interneuron<", ">unknown<", ">cell_type (trials stacked)<"})
      QVERIFY2(svg.contains(label), label);
    QVERIFY2(svg.contains(QString(">trials 0, 2: 6 units, %1 spikes<").arg(expected["ticks"].toInt())),
             "title with the spike count");

    // Tick segments per stroke colour: the groups come in first-seen order of the
    // unit types (pyramidal, interneuron, unknown) and take the palette in order.
    QMap<QString, int> segments;
    QString stroke;
    static const QRegularExpression strokeOf("<g [^>]*stroke=\"(#[0-9a-f]{6})\"");
    static const QRegularExpression pathData("<path [^>]*d=\"([^\"]*)\"");
    for (const QString& line : svg.split('\n')) {
      if (const auto g = strokeOf.match(line); g.hasMatch()) stroke = g.captured(1);
      if (const auto p = pathData.match(line); p.hasMatch()) segments[stroke] += p.captured(1).count('M');
    }
    const QJsonObject perType = expected["ticks_per_type"].toObject();
    const QStringList order = {"pyramidal", "interneuron", "unknown"};
    for (int g = 0; g < order.size(); ++g) {
      const QString colour =
          neurolens::testing::toQColor(neurolens::views::categoricalColour(static_cast<std::size_t>(g))).name();
      QCOMPARE(segments.value(colour), perType[order[g]].toInt());
    }
  }

  // 7 reach conditions as condition means, at a chosen size and DPI: the PNG has
  // exactly that size and all seven condition colours.
  void trajectoryMeansPng() {
    if (!QFileInfo::exists(kReach)) QSKIP("shared data missing: pmd_reach_yu2009.nwb");
    const QString out = dir_.filePath("means.png");
    const Run run = runCli({"figure", "--view", "trajectories", "--means", "--size", "900x700", "--dpi", "150", "--out",
                            out, "--window", "0:400", kReach});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QImage image(out);
    QCOMPARE(image.size(), QSize(900, 700));
    for (std::size_t c = 0; c < 7; ++c)
      QVERIFY2(neurolens::testing::countColour(
                   image, neurolens::testing::toQColor(neurolens::views::categoricalColour(c)), 16) > 20,
               qPrintable(QString("condition colour %1 missing").arg(c)));
  }

  void sheetPdfHasPanelLettersAndText() {
    if (!QFileInfo::exists(kReach)) QSKIP("shared data missing: pmd_reach_yu2009.nwb");
    const QString out = dir_.filePath("sheet.pdf");
    const Run run = runCli({"figure", "--view", "sheet", "--means", "--out", out, "--window", "0:400", kReach});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const auto text = neurolens::testing::pdfText(out);
    if (text.tool.isEmpty()) QSKIP("neither pdftotext (poppler-utils) nor gs is installed");
    const QString words = neurolens::testing::collapsed(text.text);
    for (const char* expected : {"A", "B", "C", "condition", "time (ms)", "firing rate (Hz)"})
      QVERIFY2(words.contains(expected), qPrintable(QString("'%1' missing: %2").arg(expected, words.left(300))));
  }

  void badInputsExitThreeWithoutAFile_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown extension") << QStringList{"--view", "raster", "--out", "@/fig.tiff"} << 3 << ".tiff";
    QTest::newRow("malformed size") << QStringList{"--view", "raster", "--size", "big", "--out", "@/fig.png"} << 3
                                    << "--size";
    QTest::newRow("unknown view") << QStringList{"--view", "pie", "--out", "@/fig.png"} << 3 << "pie";
    QTest::newRow("type without column") << QStringList{"--view", "raster", "--color-by", "type", "--out", "@/fig.png"}
                                         << 3 << "--unit-column";
    QTest::newRow("unknown condition") << QStringList{"--view",  "raster", "--conditions",
                                                      "nowhere", "--out",  "@/fig.png"}
                                       << 3 << "nowhere";
    QTest::newRow("probe without target") << QStringList{"--view", "probe", "--out", "@/fig.png"} << 3 << "--target";
    QTest::newRow("association without model")
        << QStringList{"--view", "association", "--out", "@/fig.png"} << 3 << "--model";
    QTest::newRow("bad style") << QStringList{"--view", "raster", "--style", "@/missing.json", "--out", "@/fig.png"}
                               << 3 << "missing.json";
    QTest::newRow("unknown option") << QStringList{"--view", "raster", "--colour", "x", "--out", "@/fig.png"} << 2
                                    << "colour";
  }
  void badInputsExitThreeWithoutAFile() {
    if (!QFileInfo::exists(kReach)) QSKIP("shared data missing: pmd_reach_yu2009.nwb");
    QFETCH(QStringList, arguments);
    QFETCH(int, code);
    QFETCH(QString, message);
    QTemporaryDir scratch;
    for (QString& argument : arguments) argument.replace("@", scratch.path());
    const Run run = runCli(QStringList{"figure"} + arguments + QStringList{"--window", "0:400", kReach});
    QVERIFY2(run.exitCode == code, qPrintable(describe(run)));
    // Progress lines may come first; the error is one line, the last.
    const QString last = run.err.trimmed().split('\n').last();
    QVERIFY2(last.startsWith("error: ") && last.contains(message), qPrintable(run.err));
    QCOMPARE(run.err.count("error: "), 1);
    QCOMPARE(QDir(scratch.path()).entryList(QDir::Files | QDir::NoDotAndDotDot), QStringList{});
  }

  void threeDimensionalViewsSayTheyNeedADisplay() {
    if (!QFileInfo::exists(kReach)) QSKIP("shared data missing: pmd_reach_yu2009.nwb");
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove("DISPLAY");
    environment.insert("QT_QPA_PLATFORM", "offscreen");
    const QString out = dir_.filePath("nodisplay.png");
    const Run run = runCli({"figure", "--view", "trajectories", "--out", out, kReach}, environment);
    QCOMPARE(run.exitCode, 4);
    QVERIFY2(run.err.contains("xvfb-run"), qPrintable(run.err));
    QVERIFY(!QFileInfo::exists(out));
    // 2-D views need no display at all.
    const QString raster = dir_.filePath("nodisplay_raster.png");
    const Run ok = runCli({"figure", "--view", "raster", "--out", raster, "--window", "0:400", kReach}, environment);
    QVERIFY2(ok.exitCode == 0, qPrintable(describe(ok)));
    QCOMPARE(QImage(raster).size(), QSize(1600, 1200));
  }

  void animationFrames() {
    if (!QFileInfo::exists(kReach)) QSKIP("shared data missing: pmd_reach_yu2009.nwb");
    const QString out = dir_.filePath("sweep.mp4");
    const Run run = runCli({"figure", "--view", "trajectories", "--means", "--animate", "sweep", "--frames", "4",
                            "--size", "320x240", "--dpi", "72", "--out", out, "--json", "--window", "0:400", kReach});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject summary = QJsonDocument::fromJson(run.out.trimmed().toUtf8()).object();
    QCOMPARE(summary["frames"].toInt(), 4);
    const QDir frames(summary["frames_dir"].toString());
    QCOMPARE(frames.entryList({"frame_*.png"}, QDir::Files).size(), 4);
    if (QStandardPaths::findExecutable("ffmpeg").isEmpty()) {
      QVERIFY(summary["mp4"].isNull());
      QVERIFY2(run.err.contains("ffmpeg"), qPrintable(run.err));
      qInfo("ffmpeg not installed: the MP4 part is skipped (frames checked)");
    } else {
      QCOMPARE(summary["mp4"].toString(), out);
      QVERIFY(QFileInfo(out).size() > 1000);
    }
  }

  // Demo recording (4 cell types) + a linear model: association and attribution
  // views show the types, latents and p-value marks; the probe view its R2 bars.
  void demoModelViews() {
    const Run demo = runCli({"demo", "--out", dir_.path()});
    demo_ = dir_.filePath("demo.nwb");
    if (demo.exitCode != 0 || !QFileInfo::exists(demo_))
      QSKIP(qPrintable("`neurolens-cli demo` unavailable: " + describe(demo)));
    const Run info = runCli({"info", "--json", demo_});
    QVERIFY2(info.exitCode == 0, qPrintable(describe(info)));
    const int units = QJsonDocument::fromJson(info.out.trimmed().toUtf8()).object()["units"].toInt();
    model_ = dir_.filePath("linear.pt");
    QProcess python;
    python.start(NEUROLENS_TEST_PYTHON, {QString(NEUROLENS_SOURCE_DIR) + "/tests/render/python/figure_test_model.py",
                                         model_, QString::number(units)});
    QVERIFY(python.waitForFinished(120000));
    if (python.exitCode() != 0) {
      const QString error = python.readAllStandardError();
      if (error.contains("No module named")) QSKIP(qPrintable("torch missing in the test Python: " + error));
      QFAIL(qPrintable(error));
    }
    const QString association = dir_.filePath("association.svg");
    const Run run =
        runCli({"figure", "--view", "association", "--model", model_, "--unit-column", "cell_type", "--steps", "8",
                "--permutations", "99", "--seed", "3", "--trials", "0,1,2,3,4,5,6,7", "--out", association, demo_});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QString svg = neurolens::testing::readAll(association);
    for (const char* label : {">rotational<", ">ramping<", ">tuned<", ">untuned<", ">latent<", ">unit type<",
                              ">share of profile<", ">cell_type x latent association<"})
      QVERIFY2(svg.contains(label), label);

    const QString attribution = dir_.filePath("attribution.pdf");
    const Run attr =
        runCli({"figure", "--view", "attribution", "--model", model_, "--unit-column", "cell_type", "--steps", "8",
                "--permutations", "99", "--trials", "0,1,2,3", "--out", attribution, demo_});
    QVERIFY2(attr.exitCode == 0, qPrintable(describe(attr)));
    const auto text = neurolens::testing::pdfText(attribution);
    if (!text.tool.isEmpty()) {
      const QString words = neurolens::testing::collapsed(text.text);
      for (const char* expected : {"rotational", "untuned", "latent", "attribution (unit-norm profile)"})
        QVERIFY2(words.contains(expected), qPrintable(QString("'%1' missing: %2").arg(expected, words.left(300))));
    }

    const QString probe = dir_.filePath("probe.svg");
    const Run probed = runCli(
        {"figure", "--view", "probe", "--model", model_, "--target", "behavior:hand_vel", "--out", probe, demo_});
    QVERIFY2(probed.exitCode == 0, qPrintable(describe(probed)));
    const QString probeSvg = neurolens::testing::readAll(probe);
    for (const char* label : {"cross-validated R", ">dim 1<", ">dim 2<", "predicted vs actual", ">dim 1 predicted<"})
      QVERIFY2(probeSvg.contains(label), label);
  }
};

NEUROLENS_DISPLAY_TEST_MAIN(TestFigureCli)
#include "test_figure_cli.moc"
