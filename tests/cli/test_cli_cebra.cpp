// A model from the field's own library (issue 18 step 5): a small CEBRA-Behavior model (cebra from PyPI,
// over Debian's torch 1.13) trained on m1_stevenson2011 at 50 ms for well under a minute, exported with
// tools/python/neurolens_export.py from_cebra, then run by the program as a user would: `infer` equals
// CEBRA.transform on the whole recording, `probe` of hand velocity from its latents equals a scikit-learn
// ridge on CEBRA.transform's output with the same folds, `attribute` reports completeness, `infer --stream-ms`
// reads the export's receptive_field_bins (= CEBRA's get_offset()) and equals one pass. Skips when
// the test Python has no cebra (packaging/install-deps.sh --test installs it).
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>
#include <vector>

#include "cli_runner.h"
#include "neurolens/core/ndarray.h"
#include "neurolens/io/results_store.h"

using neurolens::FloatArray;

namespace {

using neurolens::test::runCli;
QJsonObject json(const QString& text) { return neurolens::test::parseJson(text); }
QString shared(const char* name) { return neurolens::test::sharedData(name); }
neurolens::test::ProcessResult runPython(const QString& script, const QStringList& arguments) {
  return neurolens::test::runPython(QStringList{QString(NEUROLENS_SOURCE_DIR) + "/" + script} + arguments, 300000);
}

}  // namespace

class TestCliCebra : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString cebra_;  // cebra_reference.py train's folder: cebra.pt, transform.f64, x/y.f64, meta.json
  QString path(const QString& name) const { return dir_.path() + "/" + name; }
  QString model() const { return cebra_ + "/cebra.pt"; }
  QStringList onM1(const char* command) const {
    return {command, shared("m1_stevenson2011.nwb"), "--model", model(), "--bin-ms", "50", "--device", "cpu"};
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(neurolens::test::cliProgram()).isExecutable(), "NEUROLENS_CLI is not set");
    if (!QFile::exists(shared("m1_stevenson2011.nwb"))) QSKIP("m1_stevenson2011.nwb missing");
    const QString binned = path("m1_50ms.h5");
    const auto bin = runCli({"bin", shared("m1_stevenson2011.nwb"), "--bin-ms", "50", "--behavior", "hand_vel", "--out",
                             binned, "--quiet"});
    QVERIFY2(bin.exitCode == 0, qPrintable(bin.err));
    cebra_ = path("cebra");
    const auto trained = runPython("tests/cli/python/cebra_reference.py", {"train", binned, cebra_, "150"});
    if (trained.exitCode == 77)
      QSKIP(
          qPrintable("cebra is not importable in NEUROLENS_TEST_PYTHON (packaging/install-deps.sh --test "
                     "installs it): " +
                     trained.err.trimmed()));
    QVERIFY2(trained.exitCode == 0, qPrintable(trained.err));
    const QJsonObject summary = json(trained.out);
    qInfo("CEBRA offset10, 8 latents, %d iterations: trained in %.1f s, exported in %.1f s",
          summary["iterations"].toInt(), summary["train_seconds"].toDouble(), summary["export_seconds"].toDouble());
    const QJsonObject metadata = summary["metadata"].toObject();
    QCOMPARE(metadata["units"].toInt(), 171);
    QCOMPARE(metadata["latents"].toInt(), 8);
    QCOMPARE(metadata["bin_ms"].toDouble(), 50.0);
    QCOMPARE(metadata["cebra"].toObject()["receptive_field"].toArray(), (QJsonArray{-5, 4}));
    // receptive_field_bins = CEBRA's get_offset() (left, right - 1): what --stream-ms reads without probing.
    const QJsonArray offset = summary["offset"].toArray();
    QCOMPARE(offset, (QJsonArray{5, 5}));  // offset10-model
    QCOMPARE(metadata["receptive_field_bins"].toArray(), (QJsonArray{offset[0].toInt(), offset[1].toInt() - 1}));
  }

  void inferEqualsCebraTransform() {
    const QString out = path("infer.h5");
    const auto infer = runCli(onM1("infer") + QStringList{"--out", out, "--json", "--quiet"});
    QVERIFY2(infer.exitCode == 0, qPrintable(infer.err));
    const QJsonObject summary = json(infer.out);
    QCOMPARE(summary["latents"].toInt(), 8);
    QCOMPARE(summary["trials"].toInt(), 1);  // the whole recording, one continuous pass
    const auto compared = runPython("tests/cli/python/cebra_reference.py", {"compare", out, cebra_});
    QVERIFY2(compared.exitCode == 0, qPrintable(compared.err));
    const QJsonObject c = json(compared.out);
    QVERIFY2(!c.contains("error"), qPrintable(compared.out));
    qInfo("infer vs CEBRA.transform over %d bins: max difference %g (latents up to %g)", c["bins"].toInt(),
          c["latents_max_diff"].toDouble(), c["latents_max_abs"].toDouble());
    QVERIFY2(c["latents_max_diff"].toDouble() < 1e-5, qPrintable(compared.out));
  }

  // --stream-ms on the CEBRA export: the field comes from its receptive_field_bins (no probe) and the streamed
  // latents equal the one pass (400-bin windows over the 15,788 bins, each widened by 5 before and 4 after).
  void streamUsesTheExportedFieldAndEqualsOnePass() {
    const auto one = runCli(onM1("infer") + QStringList{"--out", path("one_pass.h5"), "--quiet"});
    QVERIFY2(one.exitCode == 0, qPrintable(one.err));
    const auto streamed =
        runCli(onM1("infer") + QStringList{"--stream-ms", "20000", "--out", path("streamed.h5"), "--json", "--quiet"});
    QVERIFY2(streamed.exitCode == 0, qPrintable(streamed.err));
    const QJsonObject stream = json(streamed.out)["stream"].toObject();
    QCOMPARE(stream["receptive_field_source"].toString(), QString("metadata"));
    QCOMPARE(stream["context_bins"].toArray(), (QJsonArray{5, 4}));
    QCOMPARE(stream["window_bins"].toInt(), 400);
    QCOMPARE(stream["windows"].toInt(), 40);  // ceil(15788 / 400)
    QVERIFY2(!stream.contains("probe_seconds"), qPrintable(streamed.out));
    const FloatArray a = neurolens::io::ResultsReader(path("one_pass.h5").toStdString()).readArray("/latents");
    const FloatArray b = neurolens::io::ResultsReader(path("streamed.h5").toStdString()).readArray("/latents");
    QCOMPARE(a.shape(), (std::vector<std::size_t>{1, 15788, 8}));
    QCOMPARE(b.shape(), a.shape());
    double diff = 0.0;
    double largest = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      diff = std::max(diff, std::abs(static_cast<double>(a.data()[i]) - static_cast<double>(b.data()[i])));
      largest = std::max(largest, std::abs(static_cast<double>(a.data()[i])));
    }
    qInfo(
        "CEBRA streamed in 40 windows of 400 bins (field [5, 4] from metadata) vs one pass: max difference %g "
        "(latents up to %g)",
        diff, largest);
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
    QVERIFY(largest > 0.1);  // real latents, not zeros
  }

  void probeMatchesRidgeOnCebraTransform() {
    const auto probe = runCli(
        onM1("probe") + QStringList{"--features", "latents", "--target", "behavior:hand_vel", "--json", "--quiet"});
    QVERIFY2(probe.exitCode == 0, qPrintable(probe.err));
    const QJsonObject ours = json(probe.out);
    const auto reference = runPython("tests/core/python/probe_reference.py", {"ridge", cebra_});
    if (reference.exitCode == 77) QSKIP("scikit-learn is not installed in NEUROLENS_TEST_PYTHON");
    QVERIFY2(reference.exitCode == 0, qPrintable(reference.err));
    QFile file(cebra_ + "/out.json");
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject ref = json(QString::fromUtf8(file.readAll()));
    QFile metaFile(cebra_ + "/meta.json");
    QVERIFY(metaFile.open(QIODevice::ReadOnly));
    const QJsonObject meta = json(QString::fromUtf8(metaFile.readAll()));
    const double r2 = ours["r2"].toDouble();
    const double expected = ref["r2"].toDouble();
    qInfo(
        "hand_vel from the CEBRA latents: NeuroLens probe R2 %.4f over %d rows, ridge on CEBRA.transform %.4f "
        "over %d rows",
        r2, ours["rows"].toInt(), expected, meta["rows"].toInt());
    QCOMPARE(ours["rows"].toInt(), meta["rows"].toInt());
    QVERIFY2(std::abs(r2 - expected) < 0.05, qPrintable(probe.out + " vs " + QJsonDocument(ref).toJson()));
    QVERIFY2(r2 > 0.1, qPrintable(probe.out));  // the latents carry hand velocity
  }

  void attributeReportsCompleteness() {
    // 10 s pseudo-trials, two latents, 16 steps: about 20 s on two cores.
    const auto attribute =
        runCli(onM1("attribute") + QStringList{"--chunk-ms", "10000", "--targets", "0,1", "--steps", "16", "--out",
                                               path("attribute.h5"), "--json", "--quiet"},
               300000);
    QVERIFY2(attribute.exitCode == 0, qPrintable(attribute.err));
    const QJsonObject summary = json(attribute.out);
    QVERIFY2(summary.contains("max_rel_completeness"), qPrintable(attribute.out));
    const double completeness = summary["max_rel_completeness"].toDouble();
    qInfo("integrated gradients, 16 steps: max relative completeness error %g", completeness);
    QVERIFY2(std::isfinite(completeness) && completeness < 0.05, qPrintable(attribute.out));
  }
};

QTEST_GUILESS_MAIN(TestCliCebra)
#include "test_cli_cebra.moc"
