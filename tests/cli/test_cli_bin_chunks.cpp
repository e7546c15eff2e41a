// `neurolens-cli bin --out` on a continuous recording (issue 20 step 5): /counts is written a block of units at a
// time into a chunked dataset, never held whole, and equals the independent h5py + numpy reference element by
// element; a recording with trials keeps its contiguous /counts; a refused run leaves nothing behind.
// `infer --stream-ms` on a continuous recording bins each window from the file and writes each window's outputs
// into chunked datasets; the result equals one pass (models: tests/cli/python/make_stream_models.py).
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "../io/python_runner.h"
#include "cli_runner.h"
#include "neurolens/io/results_store.h"

using neurolens::testing::ioScript;
using neurolens::testing::runPython;

namespace {

using neurolens::test::runCli;
QString shared(const char* name) { return neurolens::test::sharedData(name); }
QJsonObject json(const QString& text) { return neurolens::test::parseJson(text); }

}  // namespace

class TestCliBinChunks : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;

  QString out(const QString& name) const { return dir_.path() + "/" + name; }

  QJsonObject listed(const QString& file) {
    const auto run = runPython(ioScript("check_results.py"), {file});
    if (run.exitCode != 0) qWarning("%s", qPrintable(run.errors));
    return json(run.output)["datasets"].toObject();
  }

  // Runs bin and the reference with the same options and compares every dataset.
  void compareWithReference(const QString& name, const QStringList& options, const QJsonArray& shape) {
    const QString file = out(name + ".h5");
    const auto r = runCli(QStringList{"bin", "--json", "--quiet"} + options +
                          QStringList{"--out", file, shared("m1_stevenson2011.nwb")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = json(r.out);
    QCOMPARE((QJsonArray{o["trials"].toInt(), o["bins"].toInt(), o["units"].toInt()}), shape);
    const QJsonObject datasets = listed(file);
    const QJsonObject counts = datasets["/counts"].toObject();
    QCOMPARE(counts["shape"].toArray(), shape);
    QCOMPARE(counts["dtype"].toString(), QString("float32"));
    // Chunks of [1, 8192 bins, 32 units] (clipped to the shape): blocks of 32 units cover whole chunks.
    const QJsonArray chunks = counts["chunks"].toArray();
    QCOMPARE(chunks.size(), 3);
    QCOMPARE(chunks[0].toInt(), 1);
    QCOMPARE(chunks[1].toInt(), std::min(8192, shape[1].toInt()));
    QCOMPARE(chunks[2].toInt(), std::min(32, shape[2].toInt()));
    QCOMPARE(counts["sum"].toDouble(), o["spikes"].toDouble());

    const QString reference = out(name + "_reference.h5");
    const auto ref =
        runPython(ioScript("bin_reference.py"), QStringList{shared("m1_stevenson2011.nwb"), reference} + options);
    QVERIFY2(ref.exitCode == 0, qPrintable(ref.errors));
    neurolens::io::ResultsReader mine(file.toStdString());
    neurolens::io::ResultsReader theirs(reference.toStdString());
    QVERIFY(mine.readArray("/counts").values() == theirs.readArray("/counts").values());
    QCOMPARE(mine.readInt64s("/unit_ids"), theirs.readInt64s("/unit_ids"));
    QCOMPARE(mine.readInt64s("/trial_ids"), theirs.readInt64s("/trial_ids"));
    QCOMPARE(mine.readDoubles("/bin_start_s"), theirs.readDoubles("/bin_start_s"));
    QCOMPARE(QString::fromStdString(mine.readStringAttribute("/counts", "axes")), QString("trials, bins, units"));
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(qEnvironmentVariable("NEUROLENS_CLI")).isExecutable(),
             "NEUROLENS_CLI is not set to the program");
  }

  void wholeRecordingInChunks() { compareWithReference("m1", {"--bin-ms", "20"}, QJsonArray{1, 39469, 171}); }

  void pseudoTrialsInChunks() {
    compareWithReference("m1_chunks", {"--bin-ms", "7", "--chunk-ms", "10000"}, QJsonArray{78, 1428, 171});
  }

  void unitSubsetInChunks() { compareWithReference("m1_units", {"--units", "3,5,9,170"}, QJsonArray{1, 39469, 4}); }

  void withoutOutTheSummaryIsTheSame() {
    const auto withOut = runCli({"bin", "--json", "--quiet", "--out", out("again.h5"), shared("m1_stevenson2011.nwb")});
    const auto without = runCli({"bin", "--json", "--quiet", shared("m1_stevenson2011.nwb")});
    QVERIFY2(withOut.exitCode == 0 && without.exitCode == 0, qPrintable(withOut.err + without.err));
    QCOMPARE(json(without.out), json(withOut.out));
    QCOMPARE(json(without.out)["spikes"].toInt(), 2352815);
  }

  void trialsKeepContiguousCounts() {
    const QString file = out("pmd.h5");
    const auto r =
        runCli({"bin", "--json", "--quiet", "--window", "0:400", "--out", file, shared("pmd_reach_yu2009.nwb")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject counts = listed(file)["/counts"].toObject();
    QCOMPARE(counts["shape"].toArray(), (QJsonArray{210, 20, 61}));
    QVERIFY(counts["chunks"].isNull());
  }

  void inferStreamsFromTheFile() {
    const auto made = neurolens::test::runPython(
        {QString(NEUROLENS_SOURCE_DIR) + "/tests/cli/python/make_stream_models.py", out("models"), "12"});
    if (made.exitCode == 77) QSKIP("make_stream_models.py: torch missing");
    QVERIFY2(made.exitCode == 0, qPrintable(made.err));
    for (const QStringList& binning : {QStringList{}, QStringList{"--chunk-ms", "100000"}}) {
      const QStringList args = QStringList{"infer",    shared("m1_stevenson2011.nwb"),
                                           "--model",  out("models/conv_meta.pt"),
                                           "--bin-ms", "50",
                                           "--units",  "0,1,2,3,4,5,6,7,8,9,10,11",
                                           "--device", "cpu"} +
                               binning;
      const QString one = out("one.h5");
      const QString streamed = out("streamed.h5");
      const auto a = runCli(args + QStringList{"--out", one, "--quiet"});
      QVERIFY2(a.exitCode == 0, qPrintable(a.err));
      const auto b = runCli(args + QStringList{"--stream-ms", "2000", "--out", streamed});
      QVERIFY2(b.exitCode == 0, qPrintable(b.err));
      QVERIFY2(b.out.contains("windows from the file"), qPrintable(b.out));
      const QJsonObject datasets = listed(streamed);
      QVERIFY(!datasets["/latents"].toObject()["chunks"].isNull());
      neurolens::io::ResultsReader x(one.toStdString());
      neurolens::io::ResultsReader y(streamed.toStdString());
      for (const char* name : {"/latents", "/rates"}) {
        QCOMPARE(x.has(name), y.has(name));
        if (!x.has(name)) continue;
        const auto p = x.readArray(name);
        const auto q = y.readArray(name);
        QCOMPARE(p.shape(), q.shape());
        double diff = 0.0;
        for (std::size_t i = 0; i < p.size(); ++i)
          diff = std::max(diff, static_cast<double>(std::abs(p.values()[i] - q.values()[i])));
        QVERIFY2(diff < 1e-5, qPrintable(QString("%1 %2: %3").arg(name, binning.join(' ')).arg(diff)));
      }
      QCOMPARE(y.readInt64s("/unit_ids"), x.readInt64s("/unit_ids"));
      QCOMPARE(y.readDoubles("/bin_start_s"), x.readDoubles("/bin_start_s"));
      QCOMPARE(QString::fromStdString(y.readStringAttribute("/latents", "axes")), QString("trials, bins, latents"));
    }
  }

  void refusedRunLeavesNothing() {
    const QString file = out("refused.h5");
    const auto r = runCli({"bin", "--behavior", "no_such_series", "--out", file, shared("m1_stevenson2011.nwb")});
    QCOMPARE(r.exitCode, 3);
    QVERIFY(r.err.startsWith("error: "));
    QVERIFY(!QFileInfo::exists(file));
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path().toStdString()))
      QVERIFY2(entry.path().filename().string().find(".partial-") == std::string::npos, "a partial file was left");
  }
};

QTEST_GUILESS_MAIN(TestCliBinChunks)
#include "test_cli_bin_chunks.moc"
