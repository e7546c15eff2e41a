// Multi-session models on the command line (issue 18 step 3, ../shared/spec/model-contract.md "Multi-session
// models"): a model with the sessions pmd_reach_yu2009 and pmd_reach_ex2 (tests/cli/python/make_session_models.py)
// opens on each shared PMd recording with the session its NWB identifier names (latents equal to PyTorch's
// forward_session on the same binned counts), --session overrides, a session or recording that matches none is
// exit 3 naming the known sessions, --session on a single-session model is exit 3, `info` lists the sessions, and
// `align` compares the two sessions under one model.
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>

#include "cli_runner.h"
#include "neurolens/io/results_store.h"

namespace {

using neurolens::test::runCli;
QString shared(const char* name) { return neurolens::test::sharedData(name); }
QJsonObject json(const QString& text) { return neurolens::test::parseJson(text); }
const QString kScript = QString(NEUROLENS_SOURCE_DIR) + "/tests/cli/python/make_session_models.py";

// The one `error:` line a failing command must print, naming every text in `mustContain`.
bool oneErrorLine(const QString& err, const QStringList& mustContain) {
  int errors = 0;
  for (const auto& line : err.split('\n', Qt::SkipEmptyParts))
    if (line.startsWith("error: ")) ++errors;
  if (errors != 1) return false;
  for (const auto& text : mustContain)
    if (!err.contains(text)) return false;
  return true;
}

}  // namespace

class TestCliSessions : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString multi_, single_;
  const QStringList sessions_{"pmd_reach_yu2009", "pmd_reach_ex2"};

  QString path(const QString& name) const { return dir_.path() + "/" + name; }
  static QString recording(const QString& session) { return shared(qPrintable(session + ".nwb")); }

  // infer on RECORDING (with ARGS) against forward_session(counts, SESSION) in PyTorch: the max abs difference.
  double inferAgainstPyTorch(const QString& session, int pythonSession, const QStringList& args, QString* usedSession) {
    const QString counts = path(session + "_counts.h5");
    if (!QFile::exists(counts)) {
      const auto bin = runCli({"bin", recording(session), "--out", counts, "--quiet"});
      if (bin.exitCode != 0) return -1.0;
    }
    const QString latents = path(session + "_" + QString::number(pythonSession) + "_latents.h5");
    QFile::remove(latents);
    const auto infer = runCli(QStringList{"infer", "--model", multi_, recording(session), "--out", latents, "--json",
                                          "--quiet", "--device", "cpu"} +
                              args);
    if (infer.exitCode != 0) {
      qWarning("%s", qPrintable(infer.err));
      return -1.0;
    }
    const QJsonValue used = json(infer.out)["session"];
    *usedSession = used.isNull() ? QString("null") : used.toString();
    const auto compared =
        neurolens::test::runPython({kScript, "compare", multi_, counts, QString::number(pythonSession), latents});
    if (compared.exitCode != 0) {
      qWarning("%s%s", qPrintable(compared.out), qPrintable(compared.err));
      return -1.0;
    }
    return json(compared.out)["max_abs_diff"].toDouble(-1.0);
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(qEnvironmentVariable("NEUROLENS_CLI")).isExecutable(), "NEUROLENS_CLI is not set");
    for (const auto& session : sessions_)
      if (!QFile::exists(recording(session))) QSKIP("the shared PMd recordings are missing");
    const auto made = neurolens::test::runPython({kScript, path("models")});
    if (made.exitCode != 0) QSKIP("the test Python has no torch (make_session_models.py failed)");
    multi_ = path("models/multi.pt");
    single_ = path("models/single.pt");
  }

  void infoListsTheSessions() {
    const auto multi = runCli({"info", multi_, "--json"});
    QVERIFY2(multi.exitCode == 0, qPrintable(multi.err));
    const QJsonObject summary = json(multi.out);
    QCOMPARE(summary["sessions"].toArray(), QJsonArray({"pmd_reach_yu2009", "pmd_reach_ex2"}));
    QCOMPARE(summary["name"].toString(), QString("multi_pmd"));
    QCOMPARE(summary["latents"].toInt(), 4);
    QCOMPARE(summary["bin_ms"].toDouble(), 20.0);
    QCOMPARE(summary["outputs"].toArray(), QJsonArray({"latents"}));
    const auto single = runCli({"info", single_, "--json"});
    QVERIFY2(single.exitCode == 0, qPrintable(single.err));
    QVERIFY(json(single.out)["sessions"].isArray());
    QCOMPARE(json(single.out)["sessions"].toArray().size(), 0);
    QCOMPARE(json(single.out)["units"].toInt(), 61);
    const auto text = runCli({"info", multi_});
    QVERIFY2(text.exitCode == 0 && text.out.contains("pmd_reach_ex2"), qPrintable(text.out + text.err));
    // A recording is still a recording.
    const auto recordingInfo = runCli({"info", recording("pmd_reach_ex2"), "--json"});
    QVERIFY2(recordingInfo.exitCode == 0, qPrintable(recordingInfo.err));
    QCOMPARE(json(recordingInfo.out)["units"].toInt(), 61);
  }

  // Each recording opens with the session its identifier names; the latents are PyTorch's for that session
  // and not the other's.
  void theRecordingPicksItsSession() {
    for (int k = 0; k < 2; ++k) {
      QString used;
      const double own = inferAgainstPyTorch(sessions_[k], k, {}, &used);
      QCOMPARE(used, sessions_[k]);
      QVERIFY2(own >= 0.0 && own < 1e-5, qPrintable(QString::number(own)));
      const double other = inferAgainstPyTorch(sessions_[k], 1 - k, {}, &used);
      QVERIFY2(other > 1e-3, qPrintable(QString::number(other)));  // the sessions differ: the check can fail
    }
  }

  void sessionOverridesTheIdentifier() {
    QString used;
    const double diff = inferAgainstPyTorch("pmd_reach_yu2009", 1, {"--session", "pmd_reach_ex2"}, &used);
    QCOMPARE(used, QString("pmd_reach_ex2"));
    QVERIFY2(diff >= 0.0 && diff < 1e-5, qPrintable(QString::number(diff)));
  }

  void attributeReportsTheSession() {
    const auto plain = runCli({"attribute", "--model", multi_, recording("pmd_reach_ex2"), "--method", "saliency",
                               "--targets", "0", "--json", "--quiet", "--device", "cpu"});
    QVERIFY2(plain.exitCode == 0, qPrintable(plain.err));
    QCOMPARE(json(plain.out)["session"].toString(), QString("pmd_reach_ex2"));
    const auto streamed =
        runCli({"attribute", "--model", multi_, recording("pmd_reach_yu2009"), "--method", "saliency", "--targets", "0",
                "--stream-ms", "400", "--session", "pmd_reach_ex2", "--json", "--quiet", "--device", "cpu"});
    QVERIFY2(streamed.exitCode == 0, qPrintable(streamed.err));
    QCOMPARE(json(streamed.out)["session"].toString(), QString("pmd_reach_ex2"));
    // The attribution runs the bound session's forward_session, not session 0: the two sessions' input maps
    // differ, so their gradients on the same counts do too.
    std::vector<neurolens::FloatArray> perSession;
    for (const char* session : {"pmd_reach_yu2009", "pmd_reach_ex2"}) {
      const QString out = path(QString("attr_%1.h5").arg(session));
      const auto run = runCli({"attribute", "--model", multi_, recording("pmd_reach_yu2009"), "--method", "saliency",
                               "--targets", "0", "--session", session, "--out", out, "--quiet", "--device", "cpu"});
      QVERIFY2(run.exitCode == 0, qPrintable(run.err));
      perSession.push_back(neurolens::io::ResultsReader(out.toStdString()).readArray("/attributions"));
    }
    double largest = 0.0;
    double different = 0.0;
    for (std::size_t i = 0; i < perSession[0].size(); ++i) {
      largest = std::max(largest, static_cast<double>(std::abs(perSession[0].values()[i])));
      different =
          std::max(different, static_cast<double>(std::abs(perSession[0].values()[i] - perSession[1].values()[i])));
    }
    QVERIFY2(largest > 0.0 && different > 1e-3 * largest, qPrintable(QString("%1 of %2").arg(different).arg(largest)));
    const auto single = runCli({"infer", "--model", single_, recording("pmd_reach_ex2"), "--json", "--quiet"});
    QVERIFY2(single.exitCode == 0, qPrintable(single.err));
    QVERIFY(json(single.out).contains("session") && json(single.out)["session"].isNull());
  }

  void noMatchingSessionIsBadInput() {
    const auto unknown = runCli({"infer", "--model", multi_, recording("pmd_reach_ex2"), "--session", "m1_nope"});
    QCOMPARE(unknown.exitCode, 3);
    QVERIFY2(oneErrorLine(unknown.err, {"m1_nope", "pmd_reach_yu2009", "pmd_reach_ex2"}), qPrintable(unknown.err));
    // A recording whose identifier is no session of the model (the demo).
    const auto demo = runCli({"demo", "--out", path("demo"), "--recording-only", "--quiet"});
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
    const QList<QStringList> commands{
        {"infer"}, {"evaluate"}, {"link", "--unit-column", "cell_type"}, {"lesion", "--lesion", "0"}};
    for (const auto& command : commands) {
      const auto none = runCli(command + QStringList{"--model", multi_, path("demo/demo.nwb")});
      QCOMPARE(none.exitCode, 3);
      QVERIFY2(oneErrorLine(none.err, {"pmd_reach_yu2009", "pmd_reach_ex2", "--session"}),
               qPrintable(command[0] + ": " + none.err));
    }
    const auto single = runCli({"infer", "--model", single_, recording("pmd_reach_ex2"), "--session", "pmd_reach_ex2"});
    QCOMPARE(single.exitCode, 3);
    QVERIFY2(oneErrorLine(single.err, {"single-session"}), qPrintable(single.err));
  }

  // Every command that takes --model takes --session.
  void everyModelCommandTakesSession() {
    const QString ex2 = recording("pmd_reach_ex2");
    const QList<QStringList> commands{
        {"probe", "--model", multi_, ex2, "--features", "latents", "--target", "trials:condition"},
        {"lesion", "--model", multi_, ex2, "--lesion", "0"},
        {"link", "--model", multi_, ex2, "--unit-column", "cell_type"},
        {"evaluate", "--model", multi_, ex2},
        {"figure", "--model", multi_, ex2, "--view", "trajectories", "--out", path("figure.png")},
    };
    for (const auto& command : commands) {
      const auto wrong = runCli(command + QStringList{"--session", "m1_nope"});
      QCOMPARE(wrong.exitCode, 3);
      QVERIFY2(oneErrorLine(wrong.err, {"m1_nope", "pmd_reach_yu2009"}), qPrintable(command[0] + ": " + wrong.err));
    }
  }

  // Two recordings, one model: each side with its own session.
  void alignComparesTheTwoSessions() {
    const auto r = runCli({"align", recording("pmd_reach_yu2009"), recording("pmd_reach_ex2"), "--model", multi_,
                           "--json", "--quiet", "--device", "cpu"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject summary = json(r.out);
    QVERIFY(summary["canonical_correlations"].toArray().size() > 0);
    QCOMPARE(summary["dims"].toInt(), 4);
    const auto wrong = runCli({"align", recording("pmd_reach_yu2009"), recording("pmd_reach_ex2"), "--model", multi_,
                               "--session-b", "m1_nope", "--quiet"});
    QCOMPARE(wrong.exitCode, 3);
    QVERIFY2(oneErrorLine(wrong.err, {"m1_nope"}), qPrintable(wrong.err));
    const auto matrix = runCli({"align", "--matrix", recording("pmd_reach_yu2009"), recording("pmd_reach_ex2"),
                                recording("pmd_reach_yu2009"), "--model", multi_, "--session", "m1_nope", "--quiet"});
    QCOMPARE(matrix.exitCode, 3);
    QVERIFY2(oneErrorLine(matrix.err, {"m1_nope"}), qPrintable(matrix.err));
  }
};

QTEST_GUILESS_MAIN(TestCliSessions)
#include "test_cli_sessions.moc"
