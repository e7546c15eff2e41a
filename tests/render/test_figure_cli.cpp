// `neurolens-cli figure` end to end on real recordings (../shared/data) and on the
// bundled demo: every view writes the file its extension names with the labels it
// promises, --json reports the size and what was drawn (mode, conditions, lines,
// panels), 3-D views work without DISPLAY (a private Xvfb), and bad input exits 3
// (or 2 for usage) with one error line and no file left behind.
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "../views/test_plot_support.h"
#include "cli_runner.h"
#include "neurolens/views/figure/colormap.h"
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

  // --style nature-1col: 89 mm wide at 600 dpi (2102 x 1583 pixels), its 5-7 pt text; --size and --dpi given on
  // the command line win over the style's page; a style file with width_mm sets the page too.
  void publicationStyles() {
    if (!QFileInfo::exists(kReach)) QSKIP("shared data missing: pmd_reach_yu2009.nwb");
    const auto summaryOf = [&](const QStringList& extra, const QString& name) {
      const QString out = dir_.filePath(name);
      const Run run = runCli(
          QStringList{"figure", "--view", "raster", "--out", out, "--json", "--quiet", "--window", "0:400", kReach} +
          extra);
      if (run.exitCode != 0) qWarning("%s", qPrintable(describe(run)));
      return QJsonDocument::fromJson(run.out.trimmed().toUtf8()).object();
    };
    QJsonObject one = summaryOf({"--style", "nature-1col"}, "one.png");
    QCOMPARE(one["width"].toInt(), 2102);
    QCOMPARE(one["height"].toInt(), 1583);
    QCOMPARE(QImage(dir_.filePath("one.png")).width(), 2102);
    QCOMPARE(summaryOf({"--style", "nature-2col", "--dpi", "300"}, "two.png")["width"].toInt(), 2161);
    QCOMPARE(summaryOf({"--style", "slides"}, "slides.png")["height"].toInt(), 1080);
    QCOMPARE(summaryOf({"--style", "nature-1col", "--size", "800x600"}, "sized.png")["width"].toInt(), 800);
    const QString file = dir_.filePath("mine.json");
    QFile style(file);
    QVERIFY(style.open(QIODevice::WriteOnly));
    style.write(R"({"width_mm": 50.8, "height_mm": 25.4, "dpi": 100, "tick_pt": 6})");
    style.close();
    const QJsonObject mine = summaryOf({"--style", file}, "mine.png");
    QCOMPARE(mine["width"].toInt(), 200);
    QCOMPARE(mine["height"].toInt(), 100);
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

  // pmd_reach_yu2009 without a model (PCA of the counts smoothed 40 ms): every one of the 7 reach
  // conditions is drawn as its mean over its 30 single trials; --json says so, and each condition's
  // colour (a sequential map: reach1 .. reach7 are ordered) is on the PNG, in the mean's full colour.
  void trajectoryMeansOverTrialsPng() {
    if (!QFileInfo::exists(kReach)) QSKIP("shared data missing: pmd_reach_yu2009.nwb");
    const QString out = dir_.filePath("means.png");
    const Run run = runCli({"figure", "--view", "trajectories", "--size", "900x700", "--dpi", "150", "--out", out,
                            "--json", "--window", "0:400", kReach});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject summary = QJsonDocument::fromJson(run.out.trimmed().toUtf8()).object();
    for (const char* key : {"width", "height", "seconds", "view", "projection", "mode", "single_trials", "color_by",
                            "conditions", "trajectories"})
      QVERIFY2(summary.contains(key), key);
    QCOMPARE(summary["view"].toString(), QString("trajectories"));
    QCOMPARE(summary["projection"].toString(), QString("pca"));
    QCOMPARE(summary["mode"].toString(), QString("means"));
    QCOMPARE(summary["single_trials"].toBool(), true);
    QCOMPARE(summary["color_by"].toString(), QString("condition"));
    QCOMPARE(summary["trajectories"].toInt(), 210 + 7);
    const QJsonArray conditions = summary["conditions"].toArray();
    QCOMPARE(conditions.size(), 7);
    QSet<QString> colours;
    for (int c = 0; c < 7; ++c) {
      const QJsonObject condition = conditions[c].toObject();
      QCOMPARE(condition["label"].toString(), QString("reach%1").arg(c + 1));  // in their order, not as text
      QCOMPARE(condition["trials"].toInt(), 30);
      const QString colour = condition["color"].toString();
      QVERIFY2(QRegularExpression("^#[0-9a-f]{6}$").match(colour).hasMatch(), qPrintable(colour));
      colours.insert(colour);
    }
    QCOMPARE(colours.size(), 7);
    const QImage image(out);
    QCOMPARE(image.size(), QSize(900, 700));
    for (const QString& colour : colours)
      QVERIFY2(neurolens::testing::countColour(image, QColor(colour), 12) > 40,
               qPrintable(QString("condition colour %1 missing").arg(colour)));

    // --means: the 7 means alone.
    const Run means = runCli({"figure", "--view", "trajectories", "--means", "--size", "320x240", "--dpi", "72",
                              "--out", dir_.filePath("means_only.png"), "--json", "--window", "0:400", kReach});
    QVERIFY2(means.exitCode == 0, qPrintable(describe(means)));
    const QJsonObject only = QJsonDocument::fromJson(means.out.trimmed().toUtf8()).object();
    QCOMPARE(only["mode"].toString(), QString("means"));
    QCOMPARE(only["single_trials"].toBool(), false);
    QCOMPARE(only["trajectories"].toInt(), 7);
    QCOMPARE(only["conditions"].toArray().size(), 7);
    // --trials: those single trials only, no means.
    const Run trials = runCli({"figure", "--view", "trajectories", "--trials", "0,1,2,3", "--size", "320x240", "--dpi",
                               "72", "--out", dir_.filePath("trials.png"), "--json", "--window", "0:400", kReach});
    QVERIFY2(trials.exitCode == 0, qPrintable(describe(trials)));
    const QJsonObject single = QJsonDocument::fromJson(trials.out.trimmed().toUtf8()).object();
    QCOMPARE(single["mode"].toString(), QString("trials"));
    QCOMPARE(single["single_trials"].toBool(), true);
    QCOMPARE(single["trajectories"].toInt(), 4);
  }

  // SVG keeps text as text: the legend names every condition.
  void trajectorySvgNamesTheConditions() {
    if (!QFileInfo::exists(kReach)) QSKIP("shared data missing: pmd_reach_yu2009.nwb");
    const QString out = dir_.filePath("means.svg");
    const Run run = runCli({"figure", "--view", "trajectories", "--size", "800x600", "--dpi", "100", "--out", out,
                            "--window", "0:400", kReach});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY(QSvgRenderer(out).isValid());
    const QString svg = neurolens::testing::readAll(out);
    for (int c = 1; c <= 7; ++c) QVERIFY2(svg.contains(QString(">reach%1<").arg(c)), qPrintable(QString::number(c)));
    QVERIFY(svg.contains(">condition<"));
  }

  // The sheet of pmd_reach_yu2009: panels chosen from the data (no model, no target), each titled,
  // none empty; its trajectory panel draws all 7 conditions.
  void reachSheetPanels() {
    if (!QFileInfo::exists(kReach)) QSKIP("shared data missing: pmd_reach_yu2009.nwb");
    const QString out = dir_.filePath("reach_sheet.png");
    const Run run = runCli({"figure", "--view", "sheet", "--size", "1200x900", "--dpi", "150", "--out", out, "--json",
                            "--window", "0:400", kReach});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject summary = QJsonDocument::fromJson(run.out.trimmed().toUtf8()).object();
    QCOMPARE(summary["mode"].toString(), QString("means"));
    QCOMPARE(summary["conditions"].toArray().size(), 7);
    const QJsonArray panels = summary["panels"].toArray();
    QStringList kinds;
    for (const auto& panel : panels) {
      kinds << panel.toObject()["kind"].toString();
      QVERIFY2(!panel.toObject()["title"].toString().isEmpty(), qPrintable(kinds.last()));
    }
    QCOMPARE(kinds, (QStringList{"trajectories", "timecourse", "rates", "variance"}));
    QCOMPARE(panels[0].toObject()["title"].toString(), QString("7 condition means, 210 trials"));
    // Two columns, two rows: every quarter of the page holds a drawing (more than a title's worth of ink).
    const QImage image = QImage(out).convertToFormat(QImage::Format_RGB32);
    for (int row = 0; row < 2; ++row)
      for (int column = 0; column < 2; ++column) {
        const QRect quarter(column * image.width() / 2, row * image.height() / 2, image.width() / 2,
                            image.height() / 2);
        const QImage part = image.copy(quarter.adjusted(0, image.height() / 10, 0, 0));  // below the title
        const int white = neurolens::testing::countColour(part, Qt::white, 8);
        QVERIFY2(part.width() * part.height() - white > part.width() * part.height() / 50,
                 qPrintable(QString("panel %1 is empty").arg(row * 2 + column)));
      }
  }

  // M1 (continuous, no trials table): one line, coloured per time point by the direction of the hand
  // velocity on the cyclic map, with a colour bar (vector text in the SVG); colours from all around the
  // circle are on that one line, so the colour changes along it (a mean per chunk would give one colour).
  void continuousColourPerTimePoint() {
    const QString m1 = QString(NEUROLENS_SHARED_DATA) + "/m1_stevenson2011.nwb";
    if (!QFileInfo::exists(m1)) QSKIP("shared data missing: m1_stevenson2011.nwb");
    const QString out = dir_.filePath("m1.png");
    const Run run = runCli({"figure", "--view", "trajectories", "--color-by", "behavior:hand_vel", "--size", "1000x750",
                            "--dpi", "120", "--out", out, "--json", m1});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject summary = QJsonDocument::fromJson(run.out.trimmed().toUtf8()).object();
    QCOMPARE(summary["mode"].toString(), QString("continuous"));
    QCOMPARE(summary["color_by"].toString(), QString("behavior:hand_vel"));
    QCOMPARE(summary["single_trials"].toBool(), false);
    QCOMPARE(summary["trajectories"].toInt(), 1);
    const QImage image(out);
    QCOMPARE(image.size(), QSize(1000, 750));
    // Only the 3-D view (left of the colour bar, which shows every colour of the map itself).
    const QImage view = image.copy(0, 0, image.width() * 3 / 4, image.height());
    const neurolens::views::figure::Colormap cyclic = neurolens::views::figure::colormapByName("cyclic");
    for (const double t : {0.125, 0.375, 0.625, 0.875}) {
      const QColor colour = neurolens::testing::toQColor(cyclic.at(t));
      QVERIFY2(neurolens::testing::countColour(view, colour, 10) > 30,
               qPrintable(QString("direction colour at %1 of the circle (%2) missing").arg(t).arg(colour.name())));
    }
    const QString svgPath = dir_.filePath("m1.svg");
    const Run svgRun = runCli({"figure", "--view", "trajectories", "--color-by", "behavior:hand_vel:speed", "--size",
                               "800x600", "--dpi", "100", "--out", svgPath, "--json", m1});
    QVERIFY2(svgRun.exitCode == 0, qPrintable(describe(svgRun)));
    const QString svg = neurolens::testing::readAll(svgPath);
    QVERIFY2(svg.contains(">|hand_vel|<"), "colour bar title as text");
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
    QTest::newRow("unknown named style") << QStringList{"--view", "raster", "--style", "nature", "--out", "@/fig.png"}
                                         << 3 << "nature-1col";
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

  // Without DISPLAY (a cluster node), the command starts a private Xvfb for the 3-D view and stops
  // it after: the PNG is the one drawn under this test's X server, pixel for pixel. Without Xvfb on
  // PATH it exits 4 naming xvfb-run; 2-D views need no display at all.
  void threeDimensionalViewsWithoutADisplay() {
    if (!QFileInfo::exists(kReach)) QSKIP("shared data missing: pmd_reach_yu2009.nwb");
    if (QStandardPaths::findExecutable("Xvfb").isEmpty()) QSKIP("Xvfb is not installed");
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove("DISPLAY");
    environment.insert("QT_QPA_PLATFORM", "offscreen");
    const QStringList arguments = {"figure", "--view", "trajectories", "--size", "640x480",
                                   "--dpi",  "100",    "--window",     "0:400"};
    const QString headless = dir_.filePath("nodisplay.png");
    const Run run = runCli(arguments + QStringList{"--out", headless, kReach}, environment);
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY(QFileInfo(headless).size() > 1000);
    const QString withDisplay = dir_.filePath("withdisplay.png");
    const Run shown = runCli(arguments + QStringList{"--out", withDisplay, kReach});
    QVERIFY2(shown.exitCode == 0, qPrintable(describe(shown)));
    const QImage a = QImage(headless).convertToFormat(QImage::Format_RGB32);
    const QImage b = QImage(withDisplay).convertToFormat(QImage::Format_RGB32);
    QCOMPARE(a.size(), QSize(640, 480));
    QCOMPARE(a.size(), b.size());
    QVERIFY2(neurolens::testing::meanAbsoluteDifference(a, b) < 0.5,
             qPrintable(QString("mean difference %1").arg(neurolens::testing::meanAbsoluteDifference(a, b))));
    QVERIFY(neurolens::testing::countColour(a, Qt::white, 0) < a.width() * a.height());  // not blank

    // No Xvfb to be found: exit 4, saying what to do, no file.
    QTemporaryDir emptyPath;
    environment.insert("PATH", emptyPath.path());
    const QString missing = dir_.filePath("noxvfb.png");
    const Run failed = runCli(arguments + QStringList{"--out", missing, kReach}, environment);
    QCOMPARE(failed.exitCode, 4);
    QVERIFY2(failed.err.contains("xvfb-run") && failed.err.contains("Xvfb"), qPrintable(failed.err));
    QVERIFY(!QFileInfo::exists(missing));
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

    // A whole continuous recording (M1: one 13-minute "trial"): 10 s from where the behaviour begins (about
    // 12.6 s in), not all of it squeezed into the panel as "trial 0".
    const QString m1 = QString(NEUROLENS_SHARED_DATA) + "/m1_stevenson2011.nwb";
    if (!QFileInfo::exists(m1)) return;
    const QString m1Probe = dir_.filePath("probe_m1.svg");
    const Run m1Probed =
        runCli({"figure", "--view", "probe", "--bin-ms", "50", "--target", "behavior:hand_vel", "--out", m1Probe, m1});
    QVERIFY2(m1Probed.exitCode == 0, qPrintable(describe(m1Probed)));
    const QString m1Svg = neurolens::testing::readAll(m1Probe);
    QVERIFY(m1Svg.contains("10 s: predicted vs actual"));
    QVERIFY(!m1Svg.contains("trial 0"));
    QVERIFY2(m1Svg.contains(">14000<") && !m1Svg.contains(">600000<"), "the time axis spans 10 s from ~12.6 s");
  }
};

NEUROLENS_DISPLAY_TEST_MAIN(TestFigureCli)
#include "test_figure_cli.moc"
