// `figure --view embedding` (issue 18 step 4): a model's unit embeddings on their first two principal
// components, coloured by --unit-column. On the demo recording with tests/cli/python/make_embedding_models.py's
// model (embeddings planted by cell_type): a categorical legend with the four types, the dots drawn in four
// colours; `firing_rate` (computed from the counts) on a colour bar; labels in --json; the committed POYO on
// m1_stevenson2011; a model without embeddings is exit 3.
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtGui/QImage>
#include <QtTest/QtTest>
#include <map>

#include "cli_runner.h"

namespace {

using neurolens::test::ProcessResult;

ProcessResult cli(const QStringList& arguments) { return neurolens::test::runCli(arguments, 300000); }

// Text -> kind of every label figure --json reports.
std::multimap<QString, QString> labelsOf(const QString& out) {
  std::multimap<QString, QString> labels;
  for (const auto& value : neurolens::test::parseJson(out)["labels"].toArray()) {
    const QJsonObject label = value.toObject();
    labels.emplace(label["text"].toString(), label["kind"].toString());
  }
  return labels;
}

bool hasLabel(const std::multimap<QString, QString>& labels, const QString& text, const QString& kind) {
  const auto [first, last] = labels.equal_range(text);
  for (auto it = first; it != last; ++it)
    if (it->second == kind) return true;
  return false;
}

}  // namespace

class TestCliFigureEmbedding : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString path(const QString& name) const { return dir_.path() + "/" + name; }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const auto demo = cli({"demo", "--recording-only", "--out", dir_.path()});
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
    const auto made =
        neurolens::test::runProcess(QStringLiteral(NEUROLENS_TEST_PYTHON),
                                    {QStringLiteral(NEUROLENS_SOURCE_DIR "/tests/cli/python/make_embedding_models.py"),
                                     dir_.path(), path("demo.nwb"), "cell_type"},
                                    300000);
    if (made.exitCode == 77) QSKIP(qPrintable("torch/h5py missing from NEUROLENS_TEST_PYTHON: " + made.err));
    QVERIFY2(made.exitCode == 0, qPrintable(made.err));
  }

  void categoricalColumnHasALegend() {
    const auto r =
        cli({"figure", "--json", "--quiet", "--view", "embedding", "--model", path("embed.pt"), "--unit-column",
             "cell_type", "--size", "1200x900", "--out", path("types.png"), path("demo.nwb")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const auto labels = labelsOf(r.out);
    for (const char* type : {"ramping", "rotational", "tuned", "untuned"})
      QVERIFY2(hasLabel(labels, type, "legend"), type);
    bool pc1 = false;
    bool pc2 = false;
    for (const auto& [text, kind] : labels) {
      pc1 |= kind == "axis" && text.startsWith("PC 1 (");
      pc2 |= kind == "axis" && text.startsWith("PC 2 (");
    }
    QVERIFY(pc1 && pc2);
    QCOMPARE(neurolens::test::parseJson(r.out)["view"].toString(), QString("embedding"));
    // The dots: at least four saturated colours, each covering a few hundred pixels.
    const QImage image(path("types.png"));
    QCOMPARE(image.size(), QSize(1200, 900));
    std::map<QRgb, int> colours;
    for (int y = 0; y < image.height(); ++y)
      for (int x = 0; x < image.width(); ++x) {
        const QColor c = image.pixelColor(x, y);
        if (std::max({c.red(), c.green(), c.blue()}) - std::min({c.red(), c.green(), c.blue()}) < 60) continue;
        ++colours[qRgb(c.red() / 32 * 32, c.green() / 32 * 32, c.blue() / 32 * 32)];
      }
    int large = 0;
    for (const auto& [colour, count] : colours) large += count >= 300 ? 1 : 0;
    QVERIFY2(large >= 4, qPrintable(QString("%1 saturated colours over 300 pixels").arg(large)));
  }

  void firingRateHasAColourBar() {
    const auto r = cli({"figure", "--json", "--quiet", "--view", "embedding", "--model", path("embed.pt"),
                        "--unit-column", "firing_rate", "--out", path("rates.svg"), path("demo.nwb")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const auto labels = labelsOf(r.out);
    QVERIFY(hasLabel(labels, "firing rate (spikes/s)", "colorbar"));
    for (const auto& [text, kind] : labels) QVERIFY2(kind != "legend", qPrintable(text));
    QVERIFY(QFileInfo(path("rates.svg")).size() > 0);
  }

  // The committed POYO (torch_brain, tests/data/models/poyo_m1.pt) on its own recording: 32-dimensional unit
  // embeddings of 171 units, coloured by firing rate.
  void committedPoyoOnM1() {
    const QString model = QStringLiteral(NEUROLENS_SOURCE_DIR "/tests/data/models/poyo_m1.pt");
    const QString recording = neurolens::test::sharedData("m1_stevenson2011.nwb");
    if (!QFile::exists(model) || !QFile::exists(recording)) QSKIP("poyo_m1.pt or m1_stevenson2011.nwb missing");
    const auto info = cli({"info", "--json", model});
    QVERIFY2(info.exitCode == 0, qPrintable(info.err));
    QCOMPARE(neurolens::test::parseJson(info.out)["unit_embeddings"].toInt(), 32);
    const auto r = cli({"figure", "--json", "--quiet", "--view", "embedding", "--model", model, "--bin-ms", "50",
                        "--unit-column", "firing_rate", "--out", path("poyo.png"), recording});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const auto labels = labelsOf(r.out);
    QVERIFY(hasLabel(labels, "firing rate (spikes/s)", "colorbar"));
    QVERIFY(hasLabel(labels, "unit embeddings (171 units, d = 32) by firing rate (spikes/s)", "title"));
  }

  void withoutEmbeddingsOrColumnExitsThree() {
    const auto plain = cli({"figure", "--quiet", "--view", "embedding", "--model", path("plain.pt"), "--unit-column",
                            "cell_type", "--out", path("never.png"), path("demo.nwb")});
    QCOMPARE(plain.exitCode, 3);
    QVERIFY2(plain.err.contains("plain.pt") && plain.err.contains("no unit embeddings"), qPrintable(plain.err));
    const auto noColumn = cli({"figure", "--quiet", "--view", "embedding", "--model", path("embed.pt"), "--out",
                               path("never.png"), path("demo.nwb")});
    QCOMPARE(noColumn.exitCode, 3);
    QVERIFY2(noColumn.err.contains("--unit-column"), qPrintable(noColumn.err));
    const auto badColumn = cli({"figure", "--quiet", "--view", "embedding", "--model", path("embed.pt"),
                                "--unit-column", "no_such", "--out", path("never.png"), path("demo.nwb")});
    QCOMPARE(badColumn.exitCode, 3);
    QVERIFY2(badColumn.err.contains("no_such"), qPrintable(badColumn.err));
  }
};

QTEST_GUILESS_MAIN(TestCliFigureEmbedding)
#include "test_cli_figure_embedding.moc"
