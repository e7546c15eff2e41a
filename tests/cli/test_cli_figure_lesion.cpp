// `figure --view lesion` (issue 29 step 3): the intact condition means solid and the lesioned ones dashed, one
// colour per condition, a legend naming both, the numbers those of `lesion --json` for the same inputs and
// options. On the bundled demo (cell_type=tuned, whose lesion must stand out from random lesions) and on the
// shared PMd recording with a GRU made at test time (tests/app/python/make_gui_model.py) and a lesion by unit ids.
// Checked in the SVG: one solid and one dashed polyline per condition, each in its condition's colour.
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <map>

#include "cli_runner.h"

namespace {

using neurolens::test::runCli;
QJsonObject json(const QString& text) { return neurolens::test::parseJson(text); }

// Polylines of the SVG per stroke colour: (solid, dashed) counts.
std::map<QString, std::pair<int, int>> polylinesByColour(const QString& svgPath) {
  QFile file(svgPath);
  if (!file.open(QIODevice::ReadOnly)) return {};
  const QString svg = QString::fromUtf8(file.readAll());
  std::map<QString, std::pair<int, int>> counts;
  const QRegularExpression group(R"(<g ([^>]*)>\s*<polyline)");
  auto it = group.globalMatch(svg);
  while (it.hasNext()) {
    const QString attributes = it.next().captured(1);
    const auto colour = QRegularExpression(R"re(stroke="(#[0-9a-f]{6})")re").match(attributes);
    if (!colour.hasMatch()) continue;
    auto& entry = counts[colour.captured(1)];
    if (attributes.contains("stroke-dasharray"))
      ++entry.second;
    else
      ++entry.first;
  }
  return counts;
}

}  // namespace

class TestCliFigureLesion : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString out(const QString& name) const { return dir_.path() + "/" + name; }

  // figure --view lesion and lesion on the same inputs: the figure's lines, legend and numbers. Returns the entry.
  QJsonObject checkOverlay(const QString& recording, const QString& model, const QString& lesion,
                           const QStringList& options, int expectedConditions) {
    const QString svg = out("lesion.svg");
    const auto figure =
        runCli(QStringList{"figure", "--view", "lesion", "--model", model, "--lesion", lesion} + options +
               QStringList{recording, "--out", svg, "--json", "--quiet", "--size", "1200x900"});
    if (figure.exitCode != 0) {
      QTest::qFail(qPrintable(figure.err), __FILE__, __LINE__);
      return {};
    }
    const QJsonObject f = json(figure.out);
    [&] {
      QCOMPARE(f["view"].toString(), QString("lesion"));
      const QJsonArray conditions = f["conditions"].toArray();
      QCOMPARE(conditions.size(), expectedConditions);
      QCOMPARE(f["trajectories_intact"].toInt(), expectedConditions);
      QCOMPARE(f["trajectories_lesioned"].toInt(), expectedConditions);
      QCOMPARE(f["trajectories"].toInt(), 2 * expectedConditions);
      const auto lines = polylinesByColour(svg);
      for (const auto& value : conditions) {
        const QJsonObject c = value.toObject();
        const auto found = lines.find(c["color"].toString().toLower());
        QVERIFY2(found != lines.end(), qPrintable("no line for " + c["label"].toString()));
        QVERIFY2(found->second.first >= 1 && found->second.second >= 1,
                 qPrintable(c["label"].toString() + ": " + QString::number(found->second.first) + " solid, " +
                            QString::number(found->second.second) + " dashed"));
      }
      QStringList legend;
      QStringList titles;
      for (const auto& value : f["labels"].toArray()) {
        const QJsonObject label = value.toObject();
        if (label["kind"].toString() == "legend") legend << label["text"].toString();
        if (label["kind"].toString() == "title") titles << label["text"].toString();
      }
      QVERIFY2(legend.contains("intact (solid)"), qPrintable(legend.join(" | ")));
      const QString mode = options.contains("--mode") ? options[options.indexOf("--mode") + 1] : QString("mean");
      // A long list of unit ids is named by its size.
      const int units = lesion.contains('=') ? 0 : static_cast<int>(lesion.count(',')) + 1;
      const QString name = lesion.size() <= 24 ? lesion : QString("%1 units by id").arg(units);
      QVERIFY2(legend.contains("lesioned " + name + " (" + mode + ") (dashed)"), qPrintable(legend.join(" | ")));
      for (const auto& value : conditions) QVERIFY(legend.contains(value.toObject()["label"].toString()));
      QVERIFY2(!titles.isEmpty() && titles.front().startsWith(name), qPrintable(titles.join(" | ")));
    }();
    // The numbers are lesion's for the same inputs and options (its JSON less `seconds`).
    const auto cli = runCli(QStringList{"lesion", "--model", model, "--lesion", lesion} + options +
                            QStringList{recording, "--json", "--quiet"});
    if (cli.exitCode != 0) {
      QTest::qFail(qPrintable(cli.err), __FILE__, __LINE__);
      return {};
    }
    QJsonObject expected = json(cli.out);
    expected.remove("seconds");
    const QJsonObject drawn = f["lesion"].toObject();
    if (drawn != expected) QTest::qFail("figure's lesion numbers differ from lesion --json", __FILE__, __LINE__);
    return drawn["lesions"].toArray().at(0).toObject();
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(qEnvironmentVariable("NEUROLENS_CLI")).isExecutable(), "NEUROLENS_CLI is not set");
  }

  // The demo: the tuned units carry the condition structure, so their lesion stands out from random lesions.
  void demoTunedUnits() {
    const auto demo = runCli({"demo", "--quiet", "--out", dir_.path()});
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
    if (!QFileInfo::exists(out("demo_model.pt"))) QSKIP("this build has no bundled demo model");
    const QJsonObject entry =
        checkOverlay(out("demo.nwb"), out("demo_model.pt"), "cell_type=tuned", {"--device", "cpu", "--seed", "2"}, 8);
    QCOMPARE(entry["units"].toInt(), 40);
    const QJsonObject random = entry["random"].toObject();
    QVERIFY2(random["condition_shift"].toObject()["p"].toDouble() < 0.05, "the tuned lesion is not significant");
    qInfo("demo cell_type=tuned: condition shift %.4f (p %.4f), variance lost p %.4f",
          entry["condition_shift"].toDouble(), random["condition_shift"].toObject()["p"].toDouble(),
          random["latent_variance_lost"].toObject()["p"].toDouble());
  }

  // The shared PMd recording (7 reach targets) through a GRU fitted to it, twelve units lesioned by id.
  void sharedPmdRecording() {
    const QString recording = neurolens::test::sharedData("pmd_reach_yu2009.nwb");
    if (!QFile::exists(recording)) QSKIP("shared PMd recording not found");
    const QString model = out("gru.pt");
    QProcess python;
    python.start(NEUROLENS_TEST_PYTHON, {QString(NEUROLENS_SOURCE_DIR) + "/tests/app/python/make_gui_model.py", model});
    QVERIFY(python.waitForFinished(120000));
    if (python.exitCode() != 0)
      QSKIP(qPrintable("torch could not make the test model: " + python.readAllStandardError()));
    const QJsonObject entry = checkOverlay(recording, model, "1,2,3,4,5,6,7,8,9,10,11,12",
                                           {"--device", "cpu", "--random-repeats", "30", "--mode", "zero"}, 7);
    QCOMPARE(entry["units"].toInt(), 12);
    QCOMPARE(entry["latent_variance_lost"].toArray().size(), 8);
    qInfo("pmd 12 units zeroed: condition shift %.4f (p %.4f)", entry["condition_shift"].toDouble(),
          entry["random"].toObject()["condition_shift"].toObject()["p"].toDouble());
  }

  void badOptions() {
    const QString recording = neurolens::test::sharedData("pmd_reach_yu2009.nwb");
    if (!QFile::exists(recording)) QSKIP("shared PMd recording not found");
    const auto noLesion = runCli({"figure", "--view", "lesion", recording, "--out", out("x.png"), "--quiet"});
    QCOMPARE(noLesion.exitCode, 3);
    QVERIFY2(noLesion.err.contains("--view lesion needs --model and --lesion"), qPrintable(noLesion.err));
    const auto elsewhere =
        runCli({"figure", "--view", "raster", "--lesion", "1", recording, "--out", out("x.png"), "--quiet"});
    QCOMPARE(elsewhere.exitCode, 3);
    QVERIFY2(elsewhere.err.contains("apply to --view lesion"), qPrintable(elsewhere.err));
  }
};

QTEST_GUILESS_MAIN(TestCliFigureLesion)
#include "test_cli_figure_lesion.moc"
