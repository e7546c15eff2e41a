// `figure --view align` (issue 29 step 2): two sides in one common space after `align`'s transforms, side A
// solid and side B dashed, one colour per condition, the legend naming both sides; on the shared PMd recordings
// (pmd_reach_yu2009 against pmd_reach_ex2) and on two planted animals simulated with different neurons but one
// rotational dynamics. Checked in the SVG: one solid and one dashed polyline per condition, each in its
// condition's colour; in --json: the lines, the labels and the numbers, equal to `align --json`'s.
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <map>

#include "cli_runner.h"
#include "neurolens/core/simulator.h"
#include "neurolens/io/nwb_writer.h"

namespace {

using neurolens::test::runCli;
QJsonObject json(const QString& text) { return neurolens::test::parseJson(text); }

// Polylines of the SVG per stroke colour: (solid, dashed) counts.
std::map<QString, std::pair<int, int>> polylinesByColour(const QString& svgPath) {
  QFile file(svgPath);
  if (!file.open(QIODevice::ReadOnly)) return {};
  const QString svg = QString::fromUtf8(file.readAll());
  std::map<QString, std::pair<int, int>> counts;
  // QSvgGenerator writes each pen as a <g stroke=...> group holding the polylines drawn with it.
  const QRegularExpression group(R"(<g ([^>]*)>\s*<polyline)");
  auto it = group.globalMatch(svg);
  while (it.hasNext()) {
    const auto match = it.next();
    const QString attributes = match.captured(1);
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

class TestCliFigureAlign : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString out(const QString& name) const { return dir_.path() + "/" + name; }

  // figure --view align and align on the same sides and options: the figure's lines, legend and numbers.
  void checkOverlay(const QStringList& sides, const QStringList& options, int expectedConditions) {
    const QString svg = out("overlay.svg");
    const auto figure = runCli(QStringList{"figure", "--view", "align"} + sides + options +
                               QStringList{"--out", svg, "--json", "--quiet", "--size", "1200x900"});
    QVERIFY2(figure.exitCode == 0, qPrintable(figure.err));
    const QJsonObject f = json(figure.out);
    QCOMPARE(f["view"].toString(), QString("align"));
    const QJsonArray conditions = f["conditions"].toArray();
    QCOMPARE(conditions.size(), expectedConditions);
    QCOMPARE(f["trajectories_a"].toInt(), expectedConditions);
    QCOMPARE(f["trajectories_b"].toInt(), expectedConditions);
    QCOMPARE(f["trajectories"].toInt(), 2 * expectedConditions);

    // Every condition: one solid polyline (A) and one dashed (B) in its colour.
    const auto lines = polylinesByColour(svg);
    for (const auto& value : conditions) {
      const QJsonObject c = value.toObject();
      const QString colour = c["color"].toString().toLower();
      const auto found = lines.find(colour);
      QVERIFY2(found != lines.end(), qPrintable("no line in " + colour + " for " + c["label"].toString()));
      QVERIFY2(found->second.first >= 1 && found->second.second >= 1,
               qPrintable(c["label"].toString() + ": " + QString::number(found->second.first) + " solid, " +
                          QString::number(found->second.second) + " dashed"));
    }
    // The legend says which side is which, and names every condition.
    QStringList legend;
    for (const auto& value : f["labels"].toArray())
      if (value.toObject()["kind"].toString() == "legend") legend << value.toObject()["text"].toString();
    const QString sideA = QFileInfo(sides[0]).fileName();
    QVERIFY2(legend.contains("A: " + sideA + " (solid)"), qPrintable(legend.join(" | ")));
    QVERIFY2(std::any_of(legend.begin(), legend.end(), [](const QString& t) { return t.endsWith("(dashed)"); }),
             qPrintable(legend.join(" | ")));
    for (const auto& value : conditions) QVERIFY(legend.contains(value.toObject()["label"].toString()));

    // The numbers are align's for the same sides and options.
    const auto align = runCli(QStringList{"align"} + sides + options + QStringList{"--json", "--quiet"});
    QVERIFY2(align.exitCode == 0, qPrintable(align.err));
    const QJsonObject a = json(align.out);
    const QJsonObject n = f["align"].toObject();
    for (const char* key : {"cca_heldout_mean", "cca_mean", "procrustes_disparity", "rows", "dims"})
      QCOMPARE(n[key].toDouble(), a[key].toDouble());
    QCOMPARE(n["p_values"].toObject(), a["p_values"].toObject());
    QCOMPARE(n["null_95"].toObject(), a["null_95"].toObject());
    qInfo("%s: held-out CCA %.4f (p %.4f, null 95%% %.4f), Procrustes %.4f, %d conditions",
          qPrintable(sides.join(" vs ")), n["cca_heldout_mean"].toDouble(),
          n["p_values"].toObject()["cca_heldout_mean"].toDouble(),
          n["null_95"].toObject()["cca_heldout_mean"].toDouble(), n["procrustes_disparity"].toDouble(),
          expectedConditions);
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(qEnvironmentVariable("NEUROLENS_CLI")).isExecutable(), "NEUROLENS_CLI is not set");
  }

  void sharedPmdRecordings() {
    const QString a = neurolens::test::sharedData("pmd_reach_yu2009.nwb");
    const QString b = neurolens::test::sharedData("pmd_reach_ex2.nwb");
    if (!QFile::exists(a) || !QFile::exists(b)) QSKIP("shared PMd recordings not found");
    checkOverlay({a, b}, {"--seed", "3"}, 2);  // the two recordings share the conditions reach1 and reach2
  }

  // Two simulated animals, different neurons (counts, loadings, spikes), one rotational dynamics whose phase is
  // the condition's reach angle: all eight conditions drawn, the held-out alignment significant.
  void plantedTwoAnimals() {
    QStringList files;
    for (const auto& [name, seed, units] : {std::tuple<const char*, std::uint64_t, int>{"animal_a", 41, 48},
                                            std::tuple<const char*, std::uint64_t, int>{"animal_b", 42, 36}}) {
      neurolens::DemoOptions options;
      options.seed = seed;
      options.trialsPerCondition = 20;
      options.rotationalUnits = units;
      options.rampingUnits = 0;
      options.tunedUnits = 0;
      options.untunedUnits = 12;
      const QString file = out(QString(name) + ".nwb");
      neurolens::io::writeNwb(neurolens::simulateDemo(options).recording, file.toStdString());
      files << file;
    }
    checkOverlay(files, {"--window", "0:1000", "--dims", "3", "--seed", "1"}, 8);
    const auto align = runCli(QStringList{"align"} + files +
                              QStringList{"--window", "0:1000", "--dims", "3", "--seed", "1", "--json", "--quiet"});
    const QJsonObject a = json(align.out);
    QVERIFY2(a["cca_heldout_mean"].toDouble() > 0.5, qPrintable(align.out));
    QVERIFY2(a["p_values"].toObject()["cca_heldout_mean"].toDouble() < 0.05, qPrintable(align.out));
  }

  void needsTwoSides() {
    const QString a = neurolens::test::sharedData("pmd_reach_yu2009.nwb");
    if (!QFile::exists(a)) QSKIP("shared PMd recording not found");
    const auto r = runCli({"figure", "--view", "align", a, "--out", out("one.png"), "--quiet"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("two sides"), qPrintable(r.err));
    const auto two = runCli({"figure", "--view", "raster", a, a, "--out", out("two.png"), "--quiet"});
    QCOMPARE(two.exitCode, 3);
    QVERIFY2(two.err.contains("--view align"), qPrintable(two.err));
  }
};

QTEST_GUILESS_MAIN(TestCliFigureAlign)
#include "test_cli_figure_align.moc"
