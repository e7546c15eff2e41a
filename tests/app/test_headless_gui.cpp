// The real `neurolens` program in scripts' mode (issue 28 step 2; ../shared/spec/cli.md "GUI command line"):
// --screenshot/--state-json on pmd_reach_yu2009 with a model fitted to its shape (exit 0, the state's
// recordings, models and pairs, trajectories in the PNG), the same model with the 171-unit M1 recording
// (exit 3, one error line, the pair in error with the reason), --help and --version without a display; the
// workspace (issue 28 step 3): recording then model, two recordings with one model (two pairs, both drawn), and
// the 61-unit model beside its own recording and the 171-unit M1 recording (that pair in error, the other drawn).
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "neurolens/views/palette.h"
#include "support/display_test_support.h"

using namespace neurolens;

namespace {

QString sharedData(const QString& name) { return QString(NEUROLENS_SHARED_DATA) + "/" + name; }

struct Run {
  int exitCode = -1;
  QString out;
  QString err;
};

Run runGui(const QStringList& arguments, const QString& home, bool withDisplay = true) {
  QProcess process;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("HOME", home);  // never the user's settings
  env.insert("XDG_CONFIG_HOME", home + "/config");
  env.insert("XDG_DATA_HOME", home + "/data");
  env.remove("QT_QPA_PLATFORM");
  if (!withDisplay) env.remove("DISPLAY");
  process.setProcessEnvironment(env);
  process.start(NEUROLENS_GUI_EXE, arguments);
  Run run;
  if (!process.waitForFinished(150000)) {
    process.kill();
    process.waitForFinished();
    return run;
  }
  run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
  run.out = QString::fromLocal8Bit(process.readAllStandardOutput());
  run.err = QString::fromLocal8Bit(process.readAllStandardError());
  return run;
}

QJsonObject readJson(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(file.readAll()).object();
}

// Pixels in the condition colours the state lists for its pairs (the scene builder's, as `figure`
// draws them): the condition means, drawn in full colour; nothing else in the window is drawn so.
int trajectoryPixels(const QImage& image, const QJsonObject& state) {
  QSet<QString> colours;
  for (const QJsonValue& pair : state["pairs"].toArray())
    for (const QJsonValue& condition : pair["conditions"].toArray()) colours.insert(condition["color"].toString());
  int count = 0;
  for (const QString& colour : colours) count += testing::countPixelsNear(image, QColor(colour), 10);
  return count;
}
int trajectoryPixels(const QString& png, const QString& json) { return trajectoryPixels(QImage(png), readJson(json)); }

QStringList errorLines(const QString& err) {
  QStringList lines;
  for (const QString& line : err.split('\n'))
    if (line.startsWith("error:")) lines << line;
  return lines;
}

}  // namespace

class TestHeadlessGui : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir folder_;
  QString model_;

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(folder_.isValid());
    model_ = folder_.filePath("pmd_gru.pt");
    QProcess python;
    python.start(NEUROLENS_TEST_PYTHON,
                 {QString(NEUROLENS_SOURCE_DIR) + "/tests/app/python/make_gui_model.py", model_});
    QVERIFY(python.waitForFinished(120000));
    if (python.exitCode() != 0)
      QSKIP(qPrintable("torch could not make the test model: " + python.readAllStandardError()));
  }

  void helpAndVersionNeedNoDisplay() {
    const Run help = runGui({"--help"}, folder_.path(), false);
    QCOMPARE(help.exitCode, 0);
    QVERIFY2(help.out.contains("--screenshot") && help.out.contains("--state-json"), qPrintable(help.out));
    const Run version = runGui({"--version"}, folder_.path(), false);
    QCOMPARE(version.exitCode, 0);
    QVERIFY2(version.out.contains(QRegularExpression(R"(\d+\.\d+\.\d+)")), qPrintable(version.out));
    const Run usage = runGui({"--size", "huge", "--screenshot", "x.png"}, folder_.path(), false);
    QCOMPARE(usage.exitCode, 2);
    QCOMPARE(errorLines(usage.err).size(), 1);
  }

  void recordingAndItsModelDrawTrajectories() {
    const QString recording = sharedData("pmd_reach_yu2009.nwb");
    if (!QFileInfo::exists(recording)) QSKIP("pmd_reach_yu2009.nwb is not here");
    const QString png = folder_.filePath("pmd.png"), json = folder_.filePath("pmd.json");
    // The model first: it waits for nothing, the recording then reruns it.
    const Run run =
        runGui({model_, recording, "--screenshot", png, "--size", "1400x900", "--state-json", json}, folder_.path());
    QVERIFY2(run.exitCode == 0, qPrintable(QString("exit %1: %2").arg(run.exitCode).arg(run.err)));
    QVERIFY2(errorLines(run.err).isEmpty(), qPrintable(run.err));
    const QJsonObject state = readJson(json);
    const QJsonArray recordings = state["recordings"].toArray();
    QCOMPARE(recordings.size(), 1);
    QCOMPARE(recordings[0]["path"].toString(), QFileInfo(recording).absoluteFilePath());
    QCOMPARE(recordings[0]["units"].toInt(), 61);
    QCOMPARE(recordings[0]["trials"].toInt(), 210);
    QCOMPARE(recordings[0]["state"].toString(), QString("ready"));
    const QJsonArray models = state["models"].toArray();
    QCOMPARE(models.size(), 1);
    QCOMPARE(models[0]["latents"].toInt(), 8);
    QCOMPARE(models[0]["state"].toString(), QString("ready"));
    const QJsonArray pairs = state["pairs"].toArray();
    QCOMPARE(pairs.size(), 1);
    QCOMPARE(pairs[0]["model"].toString(), QFileInfo(model_).absoluteFilePath());
    QCOMPARE(pairs[0]["state"].toString(), QString("ready"));
    QVERIFY(pairs[0]["error"].isNull());
    QVERIFY(pairs[0]["trajectories"].toInt() >= 2);
    const QImage image(png);
    QCOMPARE(image.size(), QSize(1400, 900));
    QVERIFY2(trajectoryPixels(image, state) > 500, qPrintable(QString::number(trajectoryPixels(image, state))));
  }

  void mismatchedPairIsAnErrorNotAHang() {
    const QString recording = sharedData("m1_stevenson2011.nwb");
    if (!QFileInfo::exists(recording)) QSKIP("m1_stevenson2011.nwb is not here");
    const QString png = folder_.filePath("m1.png"), json = folder_.filePath("m1.json");
    const Run run = runGui({recording, model_, "--screenshot", png, "--state-json", json}, folder_.path());
    QVERIFY2(run.exitCode == 3, qPrintable(QString("exit %1: %2").arg(run.exitCode).arg(run.err)));
    const QStringList errors = errorLines(run.err);
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors[0].contains("171") || errors[0].contains("61"), qPrintable(errors[0]));
    const QJsonObject state = readJson(json);
    const QJsonArray recordings = state["recordings"].toArray(), models = state["models"].toArray();
    QCOMPARE(recordings.size(), 1);
    QCOMPARE(recordings.at(0)["units"].toInt(), 171);
    QCOMPARE(recordings.at(0)["state"].toString(), QString("ready"));
    QCOMPARE(models.size(), 1);
    QCOMPARE(models.at(0)["state"].toString(), QString("ready"));
    const QJsonArray pairs = state["pairs"].toArray();
    QCOMPARE(pairs.size(), 1);
    QCOMPARE(pairs[0]["state"].toString(), QString("error"));
    QVERIFY2(pairs[0]["error"].toString().contains("unit"), qPrintable(pairs[0]["error"].toString()));
    QCOMPARE(pairs[0]["trajectories"].toInt(), 0);
    QVERIFY(QFileInfo::exists(png));  // written in both cases
  }

  void recordingThenModel() {
    const QString recording = sharedData("pmd_reach_yu2009.nwb");
    if (!QFileInfo::exists(recording)) QSKIP("pmd_reach_yu2009.nwb is not here");
    const QString png = folder_.filePath("rm.png"), json = folder_.filePath("rm.json");
    const Run run = runGui({recording, model_, "--screenshot", png, "--state-json", json}, folder_.path());
    QVERIFY2(run.exitCode == 0, qPrintable(QString("exit %1: %2").arg(run.exitCode).arg(run.err)));
    const QJsonArray pairs = readJson(json)["pairs"].toArray();
    QCOMPARE(pairs.size(), 1);  // the recording alone gave way to (recording, model)
    QCOMPARE(pairs[0]["state"].toString(), QString("ready"));
    QVERIFY(pairs[0]["trajectories"].toInt() >= 2);
    QVERIFY(trajectoryPixels(png, json) > 500);
  }

  // Issue 28 step 3: a pair for each recording x model, each drawn in its own view of the grid.
  void twoRecordingsWithOneModel() {
    const QString first = sharedData("pmd_reach_yu2009.nwb"), second = sharedData("pmd_reach_ex2.nwb");
    if (!QFileInfo::exists(first) || !QFileInfo::exists(second)) QSKIP("the PMd recordings are not here");
    const QString png = folder_.filePath("two.png"), json = folder_.filePath("two.json");
    const Run run = runGui({first, model_, second, "--screenshot", png, "--state-json", json}, folder_.path());
    QVERIFY2(run.exitCode == 0, qPrintable(QString("exit %1: %2").arg(run.exitCode).arg(run.err)));
    const QJsonObject state = readJson(json);
    QCOMPARE(state["recordings"].toArray().size(), 2);
    QCOMPARE(state["recordings"].toArray().at(1)["trials"].toInt(), 112);
    QCOMPARE(state["models"].toArray().size(), 1);
    const QJsonArray pairs = state["pairs"].toArray();
    QCOMPARE(pairs.size(), 2);
    QCOMPARE(pairs[0]["recording"].toString(), QFileInfo(first).absoluteFilePath());
    QCOMPARE(pairs[1]["recording"].toString(), QFileInfo(second).absoluteFilePath());
    for (const QJsonValue& pair : pairs) {
      QCOMPARE(pair["model"].toString(), QFileInfo(model_).absoluteFilePath());
      QCOMPARE(pair["state"].toString(), QString("ready"));
      QVERIFY(pair["trajectories"].toInt() >= 2);
    }
    // Both views drawn (test_opening reads each view's own frame): trajectory colours in the window.
    QVERIFY(trajectoryPixels(png, json) > 500);
  }

  // The 61-unit model with the 171-unit M1 recording beside its own recording: that pair alone is in error.
  void mismatchBesideAMatchingRecording() {
    const QString pmd = sharedData("pmd_reach_yu2009.nwb"), m1 = sharedData("m1_stevenson2011.nwb");
    if (!QFileInfo::exists(pmd) || !QFileInfo::exists(m1)) QSKIP("the shared recordings are not here");
    const QString png = folder_.filePath("beside.png"), json = folder_.filePath("beside.json");
    const Run run = runGui({model_, pmd, m1, "--screenshot", png, "--state-json", json}, folder_.path());
    QVERIFY2(run.exitCode == 3, qPrintable(QString("exit %1: %2").arg(run.exitCode).arg(run.err)));
    const QStringList errors = errorLines(run.err);
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors[0].contains("171"), qPrintable(errors[0]));
    const QJsonObject state = readJson(json);
    for (const QJsonValue& file : state["recordings"].toArray()) QCOMPARE(file["state"].toString(), QString("ready"));
    const QJsonArray pairs = state["pairs"].toArray();
    QCOMPARE(pairs.size(), 2);
    QCOMPARE(pairs[0]["recording"].toString(), QFileInfo(pmd).absoluteFilePath());
    QCOMPARE(pairs[0]["state"].toString(), QString("ready"));
    QVERIFY(pairs[0]["error"].isNull());
    QVERIFY(pairs[0]["trajectories"].toInt() >= 2);
    QCOMPARE(pairs[1]["recording"].toString(), QFileInfo(m1).absoluteFilePath());
    QCOMPARE(pairs[1]["state"].toString(), QString("error"));
    QVERIFY2(pairs[1]["error"].toString().contains("61 units") && pairs[1]["error"].toString().contains("171"),
             qPrintable(pairs[1]["error"].toString()));
    QCOMPARE(pairs[1]["trajectories"].toInt(), 0);
    QVERIFY(trajectoryPixels(png, json) > 500);  // the matching pair is drawn
  }

  // Issue 28 step 4: a recording alone draws its trajectories (PCA of the smoothed rates, the 7 condition
  // means over the 210 single trials), in the colours `figure` gives the same recording.
  void recordingAloneIsAPairWithoutModel() {
    const QString recording = sharedData("pmd_reach_yu2009.nwb");
    if (!QFileInfo::exists(recording)) QSKIP("pmd_reach_yu2009.nwb is not here");
    const QString png = folder_.filePath("alone.png"), json = folder_.filePath("alone.json");
    const Run run = runGui({recording, "--screenshot", png, "--state-json", json}, folder_.path());
    QVERIFY2(run.exitCode == 0, qPrintable(QString("exit %1: %2").arg(run.exitCode).arg(run.err)));
    const QJsonArray pairs = readJson(json)["pairs"].toArray();
    QCOMPARE(pairs.size(), 1);
    QVERIFY(pairs.at(0)["model"].isNull());
    QCOMPARE(pairs.at(0)["state"].toString(), QString("ready"));
    QCOMPARE(pairs.at(0)["trajectories"].toInt(), 210 + 7);
    const QJsonArray conditions = pairs.at(0)["conditions"].toArray();
    QCOMPARE(conditions.size(), 7);
    QVERIFY2(trajectoryPixels(png, json) > 500, qPrintable(QString::number(trajectoryPixels(png, json))));

    // `figure` on the same recording: the same conditions in the same colours.
    QProcess figure;
    figure.start(NEUROLENS_CLI_EXE, {"figure", recording, "--out", folder_.filePath("alone_figure.png"), "--size",
                                     "400x300", "--json", "--quiet"});
    QVERIFY(figure.waitForFinished(120000));
    QCOMPARE(figure.exitCode(), 0);
    const QJsonObject drawn = QJsonDocument::fromJson(figure.readAllStandardOutput()).object();
    QCOMPARE(drawn["trajectories"].toInt(), 210 + 7);
    const QJsonArray figureConditions = drawn["conditions"].toArray();
    QCOMPARE(figureConditions.size(), conditions.size());
    for (qsizetype c = 0; c < conditions.size(); ++c) {
      QCOMPARE(conditions[c]["label"].toString(), figureConditions[c]["label"].toString());
      QCOMPARE(conditions[c]["color"].toString(), figureConditions[c]["color"].toString());
    }
  }

  // A continuous recording alone (M1, no trials table): its one smoothed trajectory over the session.
  void continuousRecordingAloneDrawsItsTrajectory() {
    const QString recording = sharedData("m1_stevenson2011.nwb");
    if (!QFileInfo::exists(recording)) QSKIP("m1_stevenson2011.nwb is not here");
    const QString png = folder_.filePath("m1_alone.png"), json = folder_.filePath("m1_alone.json");
    const Run run = runGui({recording, "--screenshot", png, "--state-json", json}, folder_.path());
    QVERIFY2(run.exitCode == 0, qPrintable(QString("exit %1: %2").arg(run.exitCode).arg(run.err)));
    const QJsonArray pairs = readJson(json)["pairs"].toArray();
    QCOMPARE(pairs.size(), 1);
    QCOMPARE(pairs.at(0)["state"].toString(), QString("ready"));
    QCOMPARE(pairs.at(0)["trajectories"].toInt(), 1);
    QVERIFY2(trajectoryPixels(png, json) > 200, qPrintable(QString::number(trajectoryPixels(png, json))));
  }

  // A recording that hangs libhdf5 (its read is bounded at 10 s): the watchdog ends the run first.
  void watchdogEndsARunThatDoesNotFinish() {
    const QString hangs = QString(NEUROLENS_SOURCE_DIR) + "/tests/data/damaged/hangs_hdf5.nwb";
    const QString json = folder_.filePath("hangs.json");
    QElapsedTimer clock;
    clock.start();
    const Run run = runGui({hangs, model_, "--state-json", json, "--timeout", "2"}, folder_.path());
    QVERIFY2(run.exitCode == 4, qPrintable(QString("exit %1: %2").arg(run.exitCode).arg(run.err)));
    // Exit 4 naming --timeout (not the reader's exit 3 after its 10 s bound) says the watchdog ended it;
    // the clock only guards against a hang (start-up under a loaded CI machine takes seconds).
    QVERIFY2(clock.elapsed() < 60000, qPrintable(QString::number(clock.elapsed())));
    const QStringList errors = errorLines(run.err);
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors[0].contains("--timeout 2") && errors[0].contains("hangs_hdf5.nwb"), qPrintable(errors[0]));
    const QJsonObject state = readJson(json);
    QCOMPARE(state["recordings"].toArray().at(0)["state"].toString(), QString("loading"));
    QCOMPARE(state["models"].toArray().at(0)["state"].toString(), QString("loading"));
    // The recording's pair (the model waits its turn behind it) is reported as it stood.
    const QJsonArray pairs = state["pairs"].toArray();
    QCOMPARE(pairs.size(), 1);
    QCOMPARE(pairs.at(0)["state"].toString(), QString("loading"));
  }
};

NEUROLENS_DISPLAY_TEST_MAIN(TestHeadlessGui)
#include "test_headless_gui.moc"
