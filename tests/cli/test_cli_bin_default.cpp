// The default of --bin-ms (issue 18, "sensible defaults"): without --bin-ms every command that takes a model bins
// at the bin size its metadata declares (bin_ms), else at 20 ms; an explicit --bin-ms that disagrees stays the
// model-contract error (exit 3); two models that declare different bin sizes (align --model / --model-b, figure
// --reference-model) are exit 3 naming both; commands without a model bin at 20 ms. On the committed POYO
// (tests/data/models/poyo_m1.pt, 50 ms) over the real m1_stevenson2011, and on small any-unit models that declare
// 40 ms, 100 ms or nothing (tests/cli/python/make_bin_default_models.py) over the real pmd_reach_yu2009 (link: over
// the bundled demo, whose units table has cell types).
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <cstring>

#include "cli_runner.h"
#include "neurolens/core/ndarray.h"
#include "neurolens/io/results_store.h"

namespace {

using neurolens::test::runCli;
QJsonObject json(const QString& text) { return neurolens::test::parseJson(text); }
QString shared(const char* name) { return neurolens::test::sharedData(name); }
QString poyo() { return QString(NEUROLENS_SOURCE_DIR) + "/tests/data/models/poyo_m1.pt"; }
QString m1() { return shared("m1_stevenson2011.nwb"); }
QString pmd() { return shared("pmd_reach_yu2009.nwb"); }

// Every byte of two float arrays (shape and values) equal.
bool bitEqual(const neurolens::FloatArray& a, const neurolens::FloatArray& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.values().data(), b.values().data(), a.values().size() * sizeof(float)) == 0;
}

}  // namespace

class TestCliBinDefault : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString path(const QString& name) const { return dir_.path() + "/" + name; }
  QString model(const char* name) const { return path(QString("models/") + name); }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(neurolens::test::cliProgram()).isExecutable(), "NEUROLENS_CLI is not set");
    if (!QFile::exists(m1()) || !QFile::exists(pmd())) QSKIP("the shared recordings are missing");
    const auto made = neurolens::test::runPython(
        {QString(NEUROLENS_SOURCE_DIR) + "/tests/cli/python/make_bin_default_models.py", path("models")});
    QVERIFY2(made.exitCode == 0, qPrintable(made.err));
    // link needs a units table column of types: the bundled demo's cell_type (the shared recordings have none).
    const auto demo = runCli({"demo", "--out", path("demo"), "--quiet"});
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
  }

  void helpNamesTheDefault() {
    for (const char* command : {"infer", "attribute", "probe", "align", "lesion", "bin"}) {
      const auto help = runCli({command, "--help"});
      QVERIFY2(help.exitCode == 0, qPrintable(help.err));
      QVERIFY2(help.out.contains("default: the model's bin_ms, else 20"), qPrintable(command + (": " + help.out)));
    }
  }

  void poyoWithoutBinMsEqualsBinMs50() {
    // The whole recording at 50 ms is one pass of the POYO (15788 bins); with the default it must be the same run.
    const QString byDefault = path("poyo_default.h5");
    const QString given = path("poyo_50.h5");
    const auto a =
        runCli({"infer", "--model", poyo(), m1(), "--device", "cpu", "--out", byDefault, "--json", "--quiet"}, 300000);
    QVERIFY2(a.exitCode == 0, qPrintable(a.err));
    const QJsonObject summary = json(a.out);
    QCOMPARE(summary["bin_ms"].toDouble(), 50.0);
    QCOMPARE(summary["bins"].toInt(), 15788);
    const auto b = runCli(
        {"infer", "--model", poyo(), m1(), "--bin-ms", "50", "--device", "cpu", "--out", given, "--json", "--quiet"},
        300000);
    QVERIFY2(b.exitCode == 0, qPrintable(b.err));
    QCOMPARE(json(b.out)["bin_ms"].toDouble(), 50.0);
    const neurolens::io::ResultsReader ra(byDefault.toStdString());
    const neurolens::io::ResultsReader rb(given.toStdString());
    const neurolens::FloatArray la = ra.readArray("/latents");
    QCOMPARE(la.shape(), (std::vector<std::size_t>{1, 15788, 32}));
    QVERIFY2(bitEqual(la, rb.readArray("/latents")), "latents differ between the default and --bin-ms 50");
    QCOMPARE(ra.readDoubles("/bin_start_s"), rb.readDoubles("/bin_start_s"));
  }

  void poyoGivenOtherBinMsIsExit3NamingIt() {
    const auto run = runCli({"infer", "--model", poyo(), m1(), "--bin-ms", "20", "--device", "cpu", "--quiet"});
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.err.startsWith("error: "), qPrintable(run.err));
    QVERIFY2(run.err.contains("50 ms") && run.err.contains("--bin-ms 50"), qPrintable(run.err));
    QCOMPARE(run.err.trimmed().count('\n'), 0);  // one line
  }

  void modelWithoutBinMsBinsAt20() {
    const auto run = runCli({"infer", "--model", model("no_bin.pt"), pmd(), "--json", "--quiet", "--device", "cpu"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QCOMPARE(json(run.out)["bin_ms"].toDouble(), 20.0);
    QCOMPARE(json(run.out)["bins"].toInt(), 20);  // 400 ms trials
    const auto given = runCli(
        {"infer", "--model", model("no_bin.pt"), pmd(), "--bin-ms", "25", "--json", "--quiet", "--device", "cpu"});
    QVERIFY2(given.exitCode == 0, qPrintable(given.err));
    QCOMPARE(json(given.out)["bins"].toInt(), 16);
  }

  void everyModelCommandTakesTheModelsBinSize_data() {
    QTest::addColumn<QStringList>("args");
    const QString m = model("bin40.pt");
    QTest::newRow("infer") << QStringList{"infer", "--model", m, pmd()};
    QTest::newRow("attribute") << QStringList{"attribute", "--model", m, pmd(), "--method", "saliency"};
    QTest::newRow("evaluate") << QStringList{"evaluate", "--model", m, pmd()};
    QTest::newRow("probe") << QStringList{"probe",      pmd(),     "--model",  m,
                                          "--features", "latents", "--target", "trials:condition"};
    QTest::newRow("link") << QStringList{"link",      "--model",        m,   path("demo/demo.nwb"), "--unit-column",
                                         "cell_type", "--permutations", "10"};
    QTest::newRow("lesion") << QStringList{"lesion", "--model", m, pmd(), "--lesion", "1,2,3", "--random-repeats", "2"};
  }
  void everyModelCommandTakesTheModelsBinSize() {
    QFETCH(QStringList, args);
    const auto run = runCli(args + QStringList{"--json", "--quiet", "--device", "cpu"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QCOMPARE(json(run.out)["bin_ms"].toDouble(), 40.0);
    // The same command with --bin-ms 20 is the model's own error.
    const auto wrong = runCli(args + QStringList{"--bin-ms", "20", "--json", "--quiet", "--device", "cpu"});
    QCOMPARE(wrong.exitCode, 3);
    QVERIFY2(wrong.err.contains("--bin-ms 40"), qPrintable(wrong.err));
  }

  void figureTakesTheModelsBinSize_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("binMs");
    QTest::newRow("trajectories") << QStringList{"figure", pmd(), "--model", model("bin40.pt")} << "40";
    QTest::newRow("--view lesion") << QStringList{"figure",   pmd(),     "--view",
                                                  "lesion",   "--model", model("bin100.pt"),
                                                  "--lesion", "1,2",     "--random-repeats",
                                                  "2"}
                                   << "100";
  }
  void figureTakesTheModelsBinSize() {
    QFETCH(QStringList, args);
    QFETCH(QString, binMs);
    const QString out = path("figure.png");
    const auto run = runCli(args + QStringList{"--out", out, "--json", "--quiet", "--device", "cpu"});
    if (run.exitCode == 2 && run.err.contains("figure")) QSKIP("this build has no figure command");
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(QFile::remove(out));
    const auto wrong =
        runCli(args + QStringList{"--out", out, "--bin-ms", "20", "--json", "--quiet", "--device", "cpu"});
    QCOMPARE(wrong.exitCode, 3);
    QVERIFY2(wrong.err.contains("--bin-ms " + binMs), qPrintable(wrong.err));
    QVERIFY(!QFile::exists(out));
  }

  void streamedInferBinsAtTheModelsSize() {
    // --stream-ms on a continuous NWB recording bins window by window from the file (io::WindowedCounts).
    QStringList args{"infer", "--model", model("bin40.pt"), m1(),       "--stream-ms",
                     "60000", "--json",  "--quiet",         "--device", "cpu"};
    const auto run = runCli(args + QStringList{"--out", path("stream_default.h5")}, 300000);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject summary = json(run.out);
    QCOMPARE(summary["bin_ms"].toDouble(), 40.0);
    QCOMPARE(summary["bins"].toInt(), 19735);  // `bin m1_stevenson2011.nwb --bin-ms 40`: floor(t_last / 40) + 1
    const auto given = runCli(args + QStringList{"--bin-ms", "40", "--out", path("stream_40.h5")}, 300000);
    QVERIFY2(given.exitCode == 0, qPrintable(given.err));
    const neurolens::io::ResultsReader a(path("stream_default.h5").toStdString());
    const neurolens::io::ResultsReader b(path("stream_40.h5").toStdString());
    QVERIFY(bitEqual(a.readArray("/latents"), b.readArray("/latents")));
  }

  void batchTasksTakeEachModelsBinSize() {
    // One recording x two models: each task bins at its own model's size (the tasks are the program itself).
    QFile manifest(path("manifest.json"));
    QVERIFY(manifest.open(QIODevice::WriteOnly));
    manifest.write(
        QJsonDocument(QJsonObject{{"recordings", QJsonArray{pmd()}},
                                  {"models", QJsonArray{model("bin40.pt"), model("no_bin.pt")}},
                                  {"commands", QJsonArray{QJsonObject{{"name", "infer"},
                                                                      {"args", QJsonArray{"--device", "cpu"}}}}}})
            .toJson());
    manifest.close();
    const auto run = runCli({"batch", "run", path("manifest.json"), "--out", path("batch"), "--jobs", "1", "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QCOMPARE(json(run.out)["done"].toInt(), 2);
    const auto summary = [&](const char* id) {
      QFile file(path("batch/") + id + "/summary.json");
      return file.open(QIODevice::ReadOnly) ? json(QString::fromUtf8(file.readAll())) : QJsonObject{};
    };
    QCOMPARE(summary("0000-pmd_reach_yu2009-bin40-infer")["bin_ms"].toDouble(), 40.0);
    QCOMPARE(summary("0001-pmd_reach_yu2009-no_bin-infer")["bin_ms"].toDouble(), 20.0);
  }

  void alignWithTwoModelsOfOneBinSize() {
    // Conditions matched: 7 reach targets x 10 bins of 40 ms (20 at the old 20 ms default).
    const auto run = runCli({"align", pmd(), "--model", model("bin40.pt"), "--model-b", model("bin40_b.pt"), "--method",
                             "cca", "--permutations", "0", "--json", "--quiet", "--device", "cpu"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QCOMPARE(json(run.out)["rows"].toInt(), 70);
  }

  void twoModelsOfDifferentBinSizesAreExit3NamingBoth_data() {
    QTest::addColumn<QStringList>("args");
    const QString a = model("bin40.pt");
    const QString b = model("bin100.pt");
    QTest::newRow("align") << QStringList{"align", pmd(), pmd(), "--model", a, "--model-b", b};
    QTest::newRow("align, one recording") << QStringList{"align", pmd(), "--model", a, "--model-b", b};
    QTest::newRow("figure --view align") << QStringList{"figure", pmd(),       "--view", "align", "--model",
                                                        a,        "--model-b", b,        "--out", path("f.png")};
    QTest::newRow("figure --reference-model") << QStringList{
        "figure", pmd(), "--model", a, "--reference-model", b, "--projection", "aligned", "--out", path("f.png")};
  }
  void twoModelsOfDifferentBinSizesAreExit3NamingBoth() {
    QFETCH(QStringList, args);
    const auto run = runCli(args + QStringList{"--json", "--quiet", "--device", "cpu"});
    if (run.exitCode == 2 && args.front() == "figure" && run.err.contains("figure"))
      QSKIP("this build has no figure command");
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.err.contains("bin40.pt") && run.err.contains("bin100.pt"), qPrintable(run.err));
    QVERIFY2(run.err.contains("40 ms") && run.err.contains("100 ms"), qPrintable(run.err));
    QVERIFY(run.out.isEmpty());
    QVERIFY(!QFile::exists(path("f.png")));
  }

  void commandsWithoutAModelBinAt20() {
    const auto bin = runCli({"bin", pmd(), "--json", "--quiet"});
    QVERIFY2(bin.exitCode == 0, qPrintable(bin.err));
    QCOMPARE(json(bin.out)["bins"].toInt(), 20);
    const auto probe = runCli({"probe", pmd(), "--target", "trials:condition", "--units", "1,2", "--json", "--quiet"});
    QVERIFY2(probe.exitCode == 0, qPrintable(probe.err));
    QCOMPARE(json(probe.out)["bin_ms"].toDouble(), 20.0);
  }
};

QTEST_GUILESS_MAIN(TestCliBinDefault)
#include "test_cli_bin_default.moc"
