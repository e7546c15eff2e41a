// `figure --json` reports every text it draws (`labels`: text, kind, box in output pixels;
// cli.md), and on the shared recordings those boxes never overlap one another and never
// cover drawn data (issue 30 step 1). The trajectory view and the sheet of pmd_reach_yu2009
// and m1_stevenson2011, each without a model and with one (a 61-unit GRU for PMd, a 171-unit
// linear model for M1), at the default size and DPI and at a small one. "Drawn data" is
// measured on the PNG: inside a label's box there must be no coloured pixel (trajectories,
// series, bars, heatmap cells and colour bars are coloured; text, axes and the box outline
// are grey), the test the outside check makes.
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRectF>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "cli_runner.h"

namespace {

using Run = neurolens::test::ProcessResult;

QString describe(const Run& run) {
  return QString("exit %1\nstdout: %2\nstderr: %3").arg(run.exitCode).arg(run.out.left(2000), run.err);
}

QString shared(const char* name) { return QString(NEUROLENS_SHARED_DATA) + "/" + name; }

struct Label {
  QString text;
  QString kind;
  QRectF box;
};

// Saturation as the largest channel difference: coloured data against grey text and axes.
int chroma(QRgb pixel) {
  const int r = qRed(pixel);
  const int g = qGreen(pixel);
  const int b = qBlue(pixel);
  return std::max({r, g, b}) - std::min({r, g, b});
}

// Single trials are drawn at 35 % of their colour on white: the palest (viridis' dark end) still has a chroma of
// about 29; anti-aliased grey text has none.
constexpr int kDataChroma = 24;

int colouredPixels(const QImage& image, const QRectF& box) {
  const QRect inside = box.adjusted(1.0, 1.0, -1.0, -1.0).toAlignedRect().intersected(image.rect());
  int count = 0;
  for (int y = inside.top(); y <= inside.bottom(); ++y)
    for (int x = inside.left(); x <= inside.right(); ++x)
      if (chroma(image.pixel(x, y)) >= kDataChroma) ++count;
  return count;
}

}  // namespace

class TestCliFigureLabels : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString pmdModel_;  // 61-unit GRU (tests/app/python/make_gui_model.py)
  QString m1Model_;   // 171-unit linear model (tests/render/python/figure_test_model.py)

  // Makes a model with the test Python; empty (and a note) when torch is missing there.
  QString makeModel(const QStringList& arguments) {
    QProcess python;
    python.start(NEUROLENS_TEST_PYTHON, arguments);
    if (!python.waitForFinished(180000) || python.exitCode() != 0) {
      qWarning("no model (%s): %s", qPrintable(arguments.join(' ')), python.readAllStandardError().constData());
      return {};
    }
    return arguments[1];
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const Run help = neurolens::test::runCli({"figure", "--help"});
    if (help.exitCode != 0) QSKIP(qPrintable("this neurolens-cli has no figure command: " + describe(help)));
    const QString source = NEUROLENS_SOURCE_DIR;
    pmdModel_ = makeModel({source + "/tests/app/python/make_gui_model.py", dir_.filePath("pmd_gru.pt")});
    m1Model_ = makeModel({source + "/tests/render/python/figure_test_model.py", dir_.filePath("m1_linear.pt"), "171"});
  }

  void labelsCoverNoDataAndNoOtherLabel_data() {
    QTest::addColumn<QString>("recording");
    QTest::addColumn<QString>("view");
    QTest::addColumn<bool>("withModel");
    QTest::addColumn<QStringList>("extra");
    for (const char* view : {"trajectories", "sheet"})
      for (const bool model : {false, true}) {
        const QString suffix = QString("%1 %2").arg(view, model ? "model" : "alone");
        QTest::newRow(qPrintable("pmd " + suffix))
            << "pmd_reach_yu2009.nwb" << view << model << QStringList{"--window", "0:400"};
        QTest::newRow(qPrintable("m1 " + suffix)) << "m1_stevenson2011.nwb" << view << model << QStringList{};
      }
    // Small and low-DPI, per-vertex colour with a colour bar, single trials only.
    QTest::newRow("pmd sheet 800x600 at 150 dpi")
        << "pmd_reach_yu2009.nwb"
        << "sheet" << false << QStringList{"--window", "0:400", "--size", "800x600", "--dpi", "150"};
    QTest::newRow("pmd trajectories 640x480 at 100 dpi, model")
        << "pmd_reach_yu2009.nwb"
        << "trajectories" << true << QStringList{"--window", "0:400", "--size", "640x480", "--dpi", "100"};
    QTest::newRow("m1 trajectories by hand velocity")
        << "m1_stevenson2011.nwb"
        << "trajectories" << false << QStringList{"--color-by", "behavior:hand_vel"};
    QTest::newRow("m1 sheet by time, model") << "m1_stevenson2011.nwb"
                                             << "sheet" << true << QStringList{"--color-by", "time"};
    QTest::newRow("pmd trajectories, 5 single trials")
        << "pmd_reach_yu2009.nwb"
        << "trajectories" << false << QStringList{"--window", "0:400", "--trials", "0,1,2,3,4"};
  }

  void labelsCoverNoDataAndNoOtherLabel() {
    QFETCH(QString, recording);
    QFETCH(QString, view);
    QFETCH(bool, withModel);
    QFETCH(QStringList, extra);
    const QString file = shared(qPrintable(recording));
    if (!QFileInfo::exists(file)) QSKIP(qPrintable("shared data missing: " + recording));
    const QString model = recording.startsWith("pmd") ? pmdModel_ : m1Model_;
    if (withModel && model.isEmpty()) QSKIP("torch is missing in the test Python: no model");
    const QString out = dir_.filePath(QString(QTest::currentDataTag()).replace(' ', '_').replace(',', "") + ".png");
    QStringList arguments = {"figure", "--view", view, "--out", out, "--json"};
    if (withModel) arguments << "--model" << model;
    const Run run = neurolens::test::runCli(arguments + extra + QStringList{file}, 300000);
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject summary = QJsonDocument::fromJson(run.out.trimmed().toUtf8()).object();
    QVERIFY2(summary.contains("labels"), "no labels key");
    const QImage image = QImage(out).convertToFormat(QImage::Format_RGB32);
    QCOMPARE(image.width(), summary["width"].toInt());
    QCOMPARE(image.height(), summary["height"].toInt());

    std::vector<Label> labels;
    QSet<QString> kinds;
    for (const QJsonValue& value : summary["labels"].toArray()) {
      const QJsonObject object = value.toObject();
      const QJsonArray box = object["box"].toArray();
      QCOMPARE(box.size(), 4);
      Label label{object["text"].toString(), object["kind"].toString(),
                  QRectF(QPointF(box[0].toDouble(), box[1].toDouble()), QPointF(box[2].toDouble(), box[3].toDouble()))};
      QVERIFY2(!label.text.isEmpty(), "a label without text");
      QVERIFY2(QSet<QString>({"tick", "axis", "legend", "title", "colorbar"}).contains(label.kind),
               qPrintable(label.kind));
      QVERIFY2(label.box.width() > 0.0 && label.box.height() > 0.0, qPrintable(label.text));
      // Inside the picture (rounding aside).
      QVERIFY2(QRectF(image.rect()).adjusted(-1, -1, 1, 1).contains(label.box),
               qPrintable(QString("'%1' leaves the picture").arg(label.text)));
      kinds.insert(label.kind);
      labels.push_back(label);
    }
    // The 3-D view's ticks and axis titles are reported with the rest.
    QVERIFY(kinds.contains("tick"));
    QVERIFY(kinds.contains("axis"));
    int axisTitles = 0;
    for (const Label& label : labels) axisTitles += label.kind == "axis" && label.text.contains("PC") ? 1 : 0;
    QVERIFY2(axisTitles >= 3, "the 3-D view's axis titles");
    if (view == "sheet") QVERIFY(kinds.contains("title"));

    // No two labels overlap (their boxes may touch: half a pixel of rounding allowed).
    for (std::size_t i = 0; i < labels.size(); ++i)
      for (std::size_t j = i + 1; j < labels.size(); ++j) {
        const QRectF a = labels[i].box.adjusted(0.5, 0.5, -0.5, -0.5);
        const QRectF b = labels[j].box.adjusted(0.5, 0.5, -0.5, -0.5);
        QVERIFY2(!a.intersects(b),
                 qPrintable(QString("'%1' (%2) overlaps '%3' (%4)")
                                .arg(labels[i].text, labels[i].kind, labels[j].text, labels[j].kind)));
      }
    // No label covers drawn data.
    for (const Label& label : labels) {
      const int coloured = colouredPixels(image, label.box);
      QVERIFY2(coloured == 0, qPrintable(QString("'%1' (%2) covers %3 pixels of data at %4,%5 (%6)")
                                             .arg(label.text, label.kind)
                                             .arg(coloured)
                                             .arg(label.box.left())
                                             .arg(label.box.top())
                                             .arg(out)));
    }
  }

  // The boxes are page pixels whatever the format: the SVG and PDF of a sheet report the PNG's labels, box for box.
  void labelsAreTheSameInEveryFormat() {
    const QString file = shared("pmd_reach_yu2009.nwb");
    if (!QFileInfo::exists(file)) QSKIP("shared data missing");
    QJsonArray reference;
    for (const char* extension : {"png", "svg", "pdf"}) {
      const QString out = dir_.filePath(QString("formats.%1").arg(extension));
      const Run run = neurolens::test::runCli(
          {"figure", "--view", "sheet", "--out", out, "--json", "--window", "0:400", file}, 300000);
      QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
      const QJsonArray labels = QJsonDocument::fromJson(run.out.trimmed().toUtf8()).object()["labels"].toArray();
      QVERIFY(labels.size() > 20);
      if (reference.isEmpty()) {
        reference = labels;
        continue;
      }
      QCOMPARE(labels.size(), reference.size());
      for (int i = 0; i < labels.size(); ++i) {
        QCOMPARE(labels[i].toObject()["text"], reference[i].toObject()["text"]);
        for (int k = 0; k < 4; ++k)
          QVERIFY2(std::abs(labels[i].toObject()["box"].toArray()[k].toDouble() -
                            reference[i].toObject()["box"].toArray()[k].toDouble()) < 0.5,
                   qPrintable(QString("%1: '%2'").arg(extension, labels[i].toObject()["text"].toString())));
      }
    }
  }

  // The check above can fail: the figure's own coloured data inside a box is seen (here a legend entry's box widened
  // over its swatch, and a box laid over the middle of the 3-D view).
  void theDataCheckSeesData() {
    const QString file = shared("pmd_reach_yu2009.nwb");
    if (!QFileInfo::exists(file)) QSKIP("shared data missing");
    const QString out = dir_.filePath("seen.png");
    const Run run = neurolens::test::runCli(
        {"figure", "--view", "trajectories", "--out", out, "--json", "--window", "0:400", file}, 300000);
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QImage image = QImage(out).convertToFormat(QImage::Format_RGB32);
    const QJsonObject summary = QJsonDocument::fromJson(run.out.trimmed().toUtf8()).object();
    bool sawLegend = false;
    for (const QJsonValue& value : summary["labels"].toArray()) {
      const QJsonObject object = value.toObject();
      if (object["kind"].toString() != "legend" || object["text"].toString() != "reach1") continue;
      const QJsonArray box = object["box"].toArray();
      const QRectF text(QPointF(box[0].toDouble(), box[1].toDouble()), QPointF(box[2].toDouble(), box[3].toDouble()));
      QCOMPARE(colouredPixels(image, text), 0);
      // The swatch is left of the text, within two text heights.
      QVERIFY(colouredPixels(image, text.adjusted(-2.0 * text.height(), 0, 0, 0)) > 10);
      sawLegend = true;
    }
    QVERIFY(sawLegend);
    QVERIFY(colouredPixels(image, QRectF(image.width() * 0.3, image.height() * 0.3, image.width() * 0.4,
                                         image.height() * 0.4)) > 100);
  }
};

QTEST_GUILESS_MAIN(TestCliFigureLabels)
#include "test_cli_figure_labels.moc"
