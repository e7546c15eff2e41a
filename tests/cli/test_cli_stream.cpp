// `infer --stream-ms` and `attribute --stream-ms` (issue 21 step 2, issue 20 step 5): the model runs over
// windows widened by its receptive field and keeps each window's own bins, so the result equals one pass.
// Models: tests/cli/python/make_stream_models.py (untrained, 12 units, 50 ms): a CEBRA offset10-style
// convolution (field 5 before, 4 after) with and without `receptive_field_bins` metadata, and a
// bidirectional GRU (influence decays, never ends: measured within a tolerance). Recordings:
// m1_stevenson2011 (continuous, 15,788 bins at 50 ms) and pmd_reach_yu2009 (210 trials, 10 bins here).
#include <signal.h>

#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>

#include "cli_runner.h"
#include "neurolens/core/ndarray.h"
#include "neurolens/io/results_store.h"

using neurolens::FloatArray;

namespace {

using Run = neurolens::test::ProcessResult;
using neurolens::test::runCli;
QJsonObject json(const QString& text) { return neurolens::test::parseJson(text); }
QString shared(const char* name) { return neurolens::test::sharedData(name); }
const QString kUnits = "0,1,2,3,4,5,6,7,8,9,10,11";  // the test models take 12 units

bool oneErrorLine(const QString& err) {
  const QStringList lines = err.trimmed().split('\n');
  return !lines.isEmpty() && lines.last().startsWith("error: ") &&
         std::count_if(lines.begin(), lines.end(), [](const QString& l) { return l.startsWith("error: "); }) == 1;
}

double maxAbs(const FloatArray& a) {
  double m = 0.0;
  for (const float v : a.values()) m = std::max(m, std::abs(static_cast<double>(v)));
  return m;
}

double maxDiff(const FloatArray& a, const FloatArray& b) {
  if (a.shape() != b.shape()) return INFINITY;
  double m = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i)
    m = std::max(m, std::abs(static_cast<double>(a.data()[i]) - static_cast<double>(b.data()[i])));
  return m;
}

FloatArray latents(const QString& file) {
  return neurolens::io::ResultsReader(file.toStdString()).readArray("/latents");
}

// One streamed window's attributions against a one-pass run whose --target-window is that window's own bins:
// inside the widened window they must agree, outside it the one pass must give nothing (finite field).
struct WindowComparison {
  double maxDiff = 0.0;     // over the widened window
  double maxAbs = 0.0;      // of the one pass
  double outside = 0.0;     // one pass, outside the widened window
  double deltaFDiff = 0.0;  // |delta_f streamed - delta_f one pass|
  double deltaFMax = 0.0;
};

WindowComparison compareWindow(const QString& streamed, std::size_t window, std::size_t trial, const QString& onePass) {
  const neurolens::io::ResultsReader s(streamed.toStdString());
  const neurolens::io::ResultsReader o(onePass.toStdString());
  const FloatArray frames = s.readArray("/attributions");  // [windows, targets, frame, units]
  const auto frameBegin = s.readInt64s("/windows/frame_begin");
  const auto inputBegin = s.readInt64s("/windows/input_begin");
  const auto inputEnd = s.readInt64s("/windows/input_end");
  const FloatArray one = o.readArray("/attributions");  // [trials, targets, bins, units]
  const FloatArray sDelta = s.readArray("/delta_f");
  const FloatArray oDelta = o.readArray("/delta_f");
  const std::size_t targets = one.dim(1), bins = one.dim(2), units = one.dim(3), frame = frames.dim(2);
  WindowComparison c;
  for (std::size_t j = 0; j < targets; ++j) {
    for (std::size_t b = 0; b < bins; ++b)
      for (std::size_t u = 0; u < units; ++u) {
        const double a = one.data()[((trial * targets + j) * bins + b) * units + u];
        c.maxAbs = std::max(c.maxAbs, std::abs(a));
        const auto bb = static_cast<std::int64_t>(b);
        if (bb < inputBegin[window] || bb >= inputEnd[window]) {
          c.outside = std::max(c.outside, std::abs(a));
          continue;
        }
        const auto position = static_cast<std::size_t>(bb - frameBegin[window]);
        const double got = frames.data()[((window * targets + j) * frame + position) * units + u];
        c.maxDiff = std::max(c.maxDiff, std::abs(got - a));
      }
    const double ds = sDelta.data()[window * targets + j], dO = oDelta.data()[trial * targets + j];
    c.deltaFDiff = std::max(c.deltaFDiff, std::abs(ds - dO));
    c.deltaFMax = std::max(c.deltaFMax, std::abs(dO));
  }
  return c;
}

}  // namespace

class TestCliStream : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString path(const QString& name) const { return dir_.path() + "/" + name; }
  QString model(const char* name) const { return path(QString("models/") + name + ".pt"); }
  QStringList onM1(const char* command, const char* modelName) const {
    return {command,    shared("m1_stevenson2011.nwb"),
            "--model",  model(modelName),
            "--bin-ms", "50",
            "--units",  kUnits,
            "--device", "cpu"};
  }
  QStringList onPmd(const char* command, const char* modelName) const {
    return {command,    shared("pmd_reach_yu2009.nwb"),
            "--model",  model(modelName),
            "--bin-ms", "50",
            "--units",  kUnits,
            "--window", "0:500",
            "--device", "cpu"};
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(neurolens::test::cliProgram()).isExecutable(), "NEUROLENS_CLI is not set");
    if (!QFile::exists(shared("m1_stevenson2011.nwb")) || !QFile::exists(shared("pmd_reach_yu2009.nwb")))
      QSKIP("shared recordings missing");
    const auto made = neurolens::test::runPython(
        {QString(NEUROLENS_SOURCE_DIR) + "/tests/cli/python/make_stream_models.py", path("models"), "12"});
    QVERIFY2(made.exitCode == 0, qPrintable(made.err));
    // The convolution's field is what its metadata says: an impulse at bin 20 moves bins 16-25.
    QCOMPARE(json(made.out)["impulse_moves_bins"].toArray(), (QJsonArray{16, 25}));
  }

  // Field from metadata: streamed latents equal the one pass (windows of 40 bins, 395 windows, the last short).
  void inferConvolutionFromMetadataEqualsOnePass() {
    const Run one = runCli(onM1("infer", "conv_meta") + QStringList{"--out", path("conv_one.h5"), "--quiet"});
    QVERIFY2(one.exitCode == 0, qPrintable(one.err));
    const Run streamed = runCli(onM1("infer", "conv_meta") +
                                QStringList{"--stream-ms", "2000", "--out", path("conv_stream.h5"), "--json"});
    QVERIFY2(streamed.exitCode == 0, qPrintable(streamed.err));
    const QJsonObject summary = json(streamed.out);
    const QJsonObject stream = summary["stream"].toObject();
    QCOMPARE(stream["window_bins"].toInt(), 40);
    QCOMPARE(stream["context_bins"].toArray(), (QJsonArray{5, 4}));
    QCOMPARE(stream["windows"].toInt(), 395);  // ceil(15788 / 40)
    QCOMPARE(stream["receptive_field_source"].toString(), QString("metadata"));
    QVERIFY(summary["peak_rss_mb"].toDouble() > 10.0);
    QVERIFY(streamed.err.contains("streaming: 395 windows of 40 bins"));
    const FloatArray a = latents(path("conv_one.h5"));
    const FloatArray b = latents(path("conv_stream.h5"));
    QCOMPARE(a.shape(), (std::vector<std::size_t>{1, 15788, 8}));
    const double diff = maxDiff(a, b);
    qInfo("convolution, field from metadata: streamed vs one pass max difference %g (latents up to %g)", diff,
          maxAbs(a));
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
  }

  // No metadata: the probe finds the field exactly (a convolution's influence ends), and the result is exact.
  void inferConvolutionProbedEqualsOnePass() {
    const Run streamed = runCli(onM1("infer", "conv_probe") +
                                QStringList{"--stream-ms", "3000", "--out", path("probe_stream.h5"), "--json"});
    QVERIFY2(streamed.exitCode == 0, qPrintable(streamed.err));
    const QJsonObject stream = json(streamed.out)["stream"].toObject();
    QCOMPARE(stream["receptive_field_source"].toString(), QString("probe"));
    QCOMPARE(stream["context_bins"].toArray(), (QJsonArray{5, 4}));
    QCOMPARE(stream["capped"].toBool(), false);
    QCOMPARE(stream["context_error"].toDouble(), 0.0);
    const Run one = runCli(onM1("infer", "conv_probe") + QStringList{"--out", path("probe_one.h5"), "--quiet"});
    QVERIFY2(one.exitCode == 0, qPrintable(one.err));
    const double diff = maxDiff(latents(path("probe_one.h5")), latents(path("probe_stream.h5")));
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
  }

  // A GRU: context measured to the tolerance, and the streamed latents are within it of the one pass
  // (relative to the largest latent); a context cut short is caught (the check can fail).
  void inferGruWithinTolerance() {
    const Run one = runCli(onM1("infer", "gru") + QStringList{"--out", path("gru_one.h5"), "--quiet"});
    QVERIFY2(one.exitCode == 0, qPrintable(one.err));
    const FloatArray reference = latents(path("gru_one.h5"));
    const double scale = maxAbs(reference);
    for (const char* tolerance : {"1e-4", "1e-3"}) {
      const QString out = path(QString("gru_stream_%1.h5").arg(tolerance));
      const Run streamed = runCli(onM1("infer", "gru") + QStringList{"--stream-ms", "5000", "--stream-tolerance",
                                                                     tolerance, "--out", out, "--json"});
      QVERIFY2(streamed.exitCode == 0, qPrintable(streamed.err));
      const QJsonObject stream = json(streamed.out)["stream"].toObject();
      QCOMPARE(stream["receptive_field_source"].toString(), QString("probe"));
      QCOMPARE(stream["capped"].toBool(), false);
      const double reported = stream["tolerance"].toDouble();
      QCOMPARE(reported, QString(tolerance).toDouble());
      const double relative = maxDiff(reference, latents(out)) / scale;
      const QJsonArray context = stream["context_bins"].toArray();
      qInfo("GRU, tolerance %s: context %d before, %d after; measured at the probe %g; streamed vs one pass %g",
            tolerance, context[0].toInt(), context[1].toInt(), stream["context_error"].toDouble(), relative);
      QVERIFY(context[0].toInt() > 0 && context[1].toInt() > 0);  // bidirectional: both sides
      QVERIFY2(relative <= reported, qPrintable(QString("%1 > %2").arg(relative).arg(reported)));
    }
    // One bin of context is too little: said on stderr (capped), and the difference shows.
    const Run cut = runCli(onM1("infer", "gru") + QStringList{"--stream-ms", "5000", "--stream-max-context-ms", "50",
                                                              "--out", path("gru_cut.h5"), "--json"});
    QVERIFY2(cut.exitCode == 0, qPrintable(cut.err));
    QCOMPARE(json(cut.out)["stream"].toObject()["capped"].toBool(), true);
    QVERIFY(cut.err.contains("warning: the model's influence was still"));
    QVERIFY(maxDiff(reference, latents(path("gru_cut.h5"))) / scale > 1e-3);
  }

  // attribute --stream-ms: each window (first, middle, last) equals one pass with --target-window = its own bins,
  // mean baseline over the whole recording; nothing outside the widened window.
  void attributeConvolutionEqualsOnePass() {
    const QString streamed = path("attr_stream.h5");
    const QStringList options{"--steps", "8", "--baseline", "mean"};
    const Run run = runCli(onM1("attribute", "conv_meta") + options +
                           QStringList{"--stream-ms", "20000", "--out", streamed, "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject summary = json(run.out);
    QCOMPARE(summary["stream"].toObject()["windows"].toInt(), 40);  // ceil(15788 / 400)
    QCOMPARE(summary["stream"].toObject()["context_bins"].toArray(), (QJsonArray{5, 4}));
    QVERIFY(summary["peak_rss_mb"].toDouble() > 10.0);
    {
      const neurolens::io::ResultsReader reader(streamed.toStdString());
      QCOMPARE(reader.readArray("/attributions").shape(), (std::vector<std::size_t>{40, 8, 409, 12}));
      QCOMPARE(reader.readInt64s("/windows/own_end").back(), std::int64_t{15788});
      QCOMPARE(reader.readInt64s("/windows/input_begin").front(), std::int64_t{0});
    }
    const std::vector<std::pair<std::size_t, QString>> windows{
        {0, "0:20000"}, {20, "400000:420000"}, {39, "780000:789400"}};
    for (const auto& [window, targetWindow] : windows) {
      const QString one = path(QString("attr_one_%1.h5").arg(window));
      const Run single = runCli(onM1("attribute", "conv_meta") + options +
                                QStringList{"--target-window", targetWindow, "--out", one, "--quiet"});
      QVERIFY2(single.exitCode == 0, qPrintable(single.err));
      const WindowComparison c = compareWindow(streamed, window, 0, one);
      qInfo("window %zu (%s ms): max difference %g (attributions up to %g), outside %g, delta_f difference %g", window,
            qPrintable(targetWindow), c.maxDiff, c.maxAbs, c.outside, c.deltaFDiff);
      QVERIFY(c.maxAbs > 0.0);
      QVERIFY2(c.maxDiff <= 1e-5 * std::max(1.0, c.maxAbs), qPrintable(QString::number(c.maxDiff)));
      QCOMPARE(c.outside, 0.0);
      QVERIFY2(c.deltaFDiff <= 1e-5 * std::max(1.0, c.deltaFMax), qPrintable(QString::number(c.deltaFDiff)));
    }
  }

  // A GRU's streamed attribution of a middle window against the one pass: reported, within 10x the tolerance.
  // At 200 ms bins (3,947 bins of M1; the same GRU as gru.pt): the one-pass reference attributes the whole
  // recording, which at 50 ms took over 3 minutes on a loaded 2-core machine.
  void attributeGruNearOnePass() {
    const QString streamed = path("gru_attr_stream.h5");
    QStringList options = onM1("attribute", "gru_200ms");
    options[options.indexOf("--bin-ms") + 1] = "200";
    options << "--steps"
            << "8";
    const Run run = runCli(options + QStringList{"--stream-ms", "80000", "--out", streamed, "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const double tolerance = json(run.out)["stream"].toObject()["tolerance"].toDouble();
    const QString one = path("gru_attr_one.h5");
    const Run single = runCli(options + QStringList{"--target-window", "400000:480000", "--out", one, "--quiet"});
    QVERIFY2(single.exitCode == 0, qPrintable(single.err));
    const WindowComparison c = compareWindow(streamed, 5, 0, one);
    qInfo(
        "GRU window 5: max difference %g of attributions up to %g (relative %g), one pass outside the widened "
        "window up to %g, delta_f difference %g of %g",
        c.maxDiff, c.maxAbs, c.maxDiff / c.maxAbs, c.outside, c.deltaFDiff, c.deltaFMax);
    QVERIFY(c.outside > 0.0);  // a recurrent model's influence never ends
    QVERIFY2(c.maxDiff / c.maxAbs <= 10 * tolerance, qPrintable(QString::number(c.maxDiff / c.maxAbs)));
    QVERIFY2(c.outside / c.maxAbs <= 10 * tolerance, qPrintable(QString::number(c.outside / c.maxAbs)));
  }

  // Trials of 10 bins with windows of 2 bins: the context (5 + 4) is longer than the window and is clipped at
  // every trial's ends; and a window longer than the trial is one window per trial. Both equal one pass.
  void windowsShorterThanContextAndLongerThanTrials() {
    const Run one = runCli(onPmd("infer", "conv_meta") + QStringList{"--out", path("pmd_one.h5"), "--quiet"});
    QVERIFY2(one.exitCode == 0, qPrintable(one.err));
    for (const char* ms : {"100", "150", "100000"}) {
      const QString out = path(QString("pmd_stream_%1.h5").arg(ms));
      const Run streamed = runCli(onPmd("infer", "conv_meta") + QStringList{"--stream-ms", ms, "--out", out, "--json"});
      QVERIFY2(streamed.exitCode == 0, qPrintable(streamed.err));
      const int windowBins = QString(ms).toInt() / 50;
      const int perTrial = windowBins >= 10 ? 1 : (10 + windowBins - 1) / windowBins;
      QCOMPARE(json(streamed.out)["stream"].toObject()["windows"].toInt(), 210 * perTrial);
      const double diff = maxDiff(latents(path("pmd_one.h5")), latents(out));
      QVERIFY2(diff < 1e-5, qPrintable(QString("--stream-ms %1: %2").arg(ms).arg(diff)));
    }
    // A GRU in windows longer than its trials: one window per trial, no context needed, no probe, exact.
    const Run gruOne = runCli(onPmd("infer", "gru") + QStringList{"--out", path("pmd_gru_one.h5"), "--quiet"});
    QVERIFY2(gruOne.exitCode == 0, qPrintable(gruOne.err));
    const Run gruStream = runCli(onPmd("infer", "gru") +
                                 QStringList{"--stream-ms", "1000", "--out", path("pmd_gru_stream.h5"), "--json"});
    QVERIFY2(gruStream.exitCode == 0, qPrintable(gruStream.err));
    const QJsonObject gruSummary = json(gruStream.out)["stream"].toObject();
    QCOMPARE(gruSummary["receptive_field_source"].toString(), QString("none needed"));
    QCOMPARE(gruSummary["windows"].toInt(), 210);
    QCOMPARE(gruSummary["context_bins"].toArray(), (QJsonArray{0, 0}));
    QVERIFY(maxDiff(latents(path("pmd_gru_one.h5")), latents(path("pmd_gru_stream.h5"))) < 1e-5);
    // Attribution with windows of 2 bins: every window of trial 7 against the one pass with its target window.
    const QString streamed = path("pmd_attr_stream.h5");
    const Run run = runCli(onPmd("attribute", "conv_meta") +
                           QStringList{"--steps", "8", "--stream-ms", "100", "--out", streamed, "--quiet"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QCOMPARE(neurolens::io::ResultsReader(streamed.toStdString()).readArray("/attributions").shape(),
             (std::vector<std::size_t>{1050, 8, 11, 12}));
    for (std::size_t w = 0; w < 5; ++w) {
      const QString onePass = path(QString("pmd_attr_one_%1.h5").arg(w));
      const QString target = QString("%1:%2").arg(w * 100).arg(w * 100 + 100);
      const Run single = runCli(onPmd("attribute", "conv_meta") +
                                QStringList{"--steps", "8", "--target-window", target, "--out", onePass, "--quiet"});
      QVERIFY2(single.exitCode == 0, qPrintable(single.err));
      const WindowComparison c = compareWindow(streamed, 7 * 5 + w, 7, onePass);
      QVERIFY2(c.maxDiff <= 1e-5 * std::max(1.0, c.maxAbs), qPrintable(QString("window %1: %2").arg(w).arg(c.maxDiff)));
      QCOMPARE(c.outside, 0.0);
    }
  }

  // Bad values: the contract's usage errors (exit 2) and values that do not fit the data (exit 3), one error
  // line, no --out left behind.
  void badValues() {
    for (const char* command : {"infer", "attribute"}) {
      for (const char* value : {"0", "-5", "abc", "1e", ""}) {
        const QString out = path("bad.h5");
        const Run run = runCli(onPmd(command, "conv_meta") + QStringList{"--stream-ms", value, "--out", out});
        QVERIFY2(
            run.exitCode == 2,
            qPrintable(QString("%1 --stream-ms '%2': exit %3, %4").arg(command, value).arg(run.exitCode).arg(run.err)));
        QVERIFY2(oneErrorLine(run.err), qPrintable(run.err));
        QVERIFY(!QFile::exists(out));
      }
      const Run tolerance =
          runCli(onPmd(command, "gru") + QStringList{"--stream-ms", "100", "--stream-tolerance", "0"});
      QCOMPARE(tolerance.exitCode, 2);
      // Shorter than one 50 ms bin: does not fit the data.
      const Run small = runCli(onPmd(command, "conv_meta") + QStringList{"--stream-ms", "10", "--out", path("bad.h5")});
      QCOMPARE(small.exitCode, 3);
      QVERIFY2(oneErrorLine(small.err) && small.err.contains("shorter than one 50 ms bin"), qPrintable(small.err));
      QVERIFY(!QFile::exists(path("bad.h5")));
    }
    const Run both =
        runCli(onPmd("attribute", "conv_meta") + QStringList{"--stream-ms", "100", "--target-window", "0:100"});
    QCOMPARE(both.exitCode, 2);
    QVERIFY2(oneErrorLine(both.err), qPrintable(both.err));
    // A window that is not a whole number of bins is rounded down, with a warning.
    const Run rounded = runCli(onPmd("infer", "conv_meta") + QStringList{"--stream-ms", "120", "--json"});
    QCOMPARE(rounded.exitCode, 0);
    QCOMPARE(json(rounded.out)["stream"].toObject()["window_bins"].toInt(), 2);
    QVERIFY(rounded.err.contains("warning: --stream-ms 120 is not a whole number of 50 ms bins"));
  }

  // SIGINT and SIGTERM stop a streamed attribution between chunks: exit 130, one error line, no --out and no
  // temporary file left; the progress lines carried a time estimate before.
  void interruptLeavesNothing() {
    for (const int signal : {SIGINT, SIGTERM}) {
      QTemporaryDir dir;
      const QString out = dir.filePath("attr.h5");
      QProcess process;
      process.start(
          neurolens::test::cliProgram(),
          onM1("attribute", "conv_meta") + QStringList{"--steps", "2048", "--stream-ms", "5000", "--out", out});
      QVERIFY(process.waitForStarted());
      QString err;
      QElapsedTimer timer;
      timer.start();
      while (!err.contains("ETA") && timer.elapsed() < 100000 && process.state() == QProcess::Running) {
        process.waitForReadyRead(200);
        err += QString::fromUtf8(process.readAllStandardError());
      }
      QVERIFY2(err.contains("ETA"), qPrintable(err));
      QVERIFY(process.state() == QProcess::Running);
      ::kill(static_cast<pid_t>(process.processId()), signal);
      QVERIFY(process.waitForFinished(60000));
      err += QString::fromUtf8(process.readAllStandardError());
      QCOMPARE(process.exitStatus(), QProcess::NormalExit);
      QCOMPARE(process.exitCode(), 130);
      QVERIFY2(oneErrorLine(err), qPrintable(err));
      QVERIFY2(err.contains(signal == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGTERM"), qPrintable(err));
      QVERIFY(!QFile::exists(out));
      QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot), QStringList());
      qInfo("%s after %.1f s: %s", signal == SIGINT ? "SIGINT" : "SIGTERM", timer.elapsed() / 1000.0,
            qPrintable(err.trimmed().split('\n').last()));
    }
  }
};

QTEST_GUILESS_MAIN(TestCliStream)
#include "test_cli_stream.moc"
