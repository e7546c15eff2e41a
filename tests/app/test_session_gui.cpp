// A multi-session model's session and a model's own bin size in the main window (issue 18 step 3), on the shared
// recordings. A two-session model (../cli/python/make_session_models.py: pmd_reach_yu2009, pmd_reach_ex2) opened
// with a copy of pmd_reach_ex2 whose NWB identifier is neither: the pair lands in error and the window asks
// (a non-modal dialog naming the recording, its identifier and the sessions; once); Run with pmd_reach_ex2 makes
// it ready with that session, with the latents of `neurolens-cli infer --session pmd_reach_ex2`; the Workspace
// dock's Session... menu has it checked and runs another. poyo_m1.pt (bin_ms 50) with m1_stevenson2011: the bin
// size follows the model (spin box, status bar) and the pair is ready, in the window and in `neurolens
// --screenshot --state-json` (exit 0); with a second model of 20 ms nothing is automatic and "Re-bin at 20 ms"
// bins the recording for it. Saves screenshots (NEUROLENS_BINARY_DIR/test_session_gui_*.png). Needs an X server.
#include <QComboBox>
#include <QDialog>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QJsonArray>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>
#include <memory>

#include "actions/session_choice_action.h"
#include "cli_runner.h"
#include "main_window.h"
#include "neurolens/io/results_store.h"
#include "support/display_test_support.h"
#include "widgets/session_dialog.h"
#include "widgets/workspace_panel.h"

using namespace neurolens;
using namespace neurolens::gui;

namespace {

constexpr int kOpenTimeoutMs = 180000;

QString absolute(const QString& path) { return QFileInfo(path).absoluteFilePath(); }

}  // namespace

class TestSessionGui : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir folder_;
  QString multi_;
  QString other_;  // pmd_reach_ex2 with the identifier "pmd_reach_other"
  std::unique_ptr<MainWindow> window_;

  const workspace::Workspace& space() { return window_->workspace().workspace(); }
  const workspace::PairItem* pairOf(const QString& recording, const QString& model) {
    const auto* r = space().findRecording(absolute(recording).toStdString());
    const auto* m = space().findModel(absolute(model).toStdString());
    return r != nullptr && m != nullptr ? space().findPair(r->id, m->id) : nullptr;
  }
  SessionChoiceAction& chooser() { return *window_->findChild<SessionChoiceAction*>("sessionChoice"); }
  bool settled() { return window_->opener().isIdle() && !window_->workspace().busy() && space().settled(); }

  void freshWindow() {
    window_ = std::make_unique<MainWindow>();
    window_->resize(1500, 950);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  }

  void showWorkspaceDock() {
    auto* dock = window_->findChild<QDockWidget*>("workspaceDock");
    QVERIFY(dock != nullptr);
    dock->raise();
    QTest::qWait(200);
  }

  void save(QWidget& widget, const QString& name) {
    QTest::qWait(200);
    const QString path = QString(NEUROLENS_BINARY_DIR) + "/test_session_gui_" + name + ".png";
    QVERIFY(widget.grab().save(path));
    qInfo("screenshot: %s", qPrintable(path));
  }

  // The latents of `neurolens-cli infer --model M REC --session S` ([trials, bins, latents]).
  FloatArray cliLatents(const QString& recording, const QString& session) {
    const QString out = folder_.filePath("cli_" + session + ".h5");
    const auto infer = test::runCli(
        {"infer", "--model", multi_, recording, "--session", session, "--out", out, "--quiet", "--device", "cpu"});
    if (infer.exitCode != 0) qWarning("%s", qPrintable(infer.err));
    return io::ResultsReader(out.toStdString()).readArray("/latents");
  }

  static double maxDifference(const FloatArray& a, const FloatArray& b) {
    if (a.shape() != b.shape()) return 1e9;
    double diff = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
      diff = std::max(diff, static_cast<double>(std::abs(a.data()[i] - b.data()[i])));
    return diff;
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("NeuroLensTest");
    QCoreApplication::setApplicationName("NeuroLensTestSessionGui");
    QSettings().clear();
    QVERIFY(folder_.isValid());
    if (!QFile::exists(test::sharedData("pmd_reach_ex2.nwb"))) QSKIP("the shared PMd recordings are missing");
    const auto made = test::runPython(
        {QString(NEUROLENS_SOURCE_DIR) + "/tests/cli/python/make_session_models.py", folder_.filePath("models")});
    if (made.exitCode != 0) QSKIP(qPrintable("torch could not make the session models: " + made.err));
    multi_ = folder_.filePath("models/multi.pt");
    other_ = folder_.filePath("pmd_other.nwb");
    QVERIFY(QFile::copy(test::sharedData("pmd_reach_ex2.nwb"), other_));
    QFile::setPermissions(other_, QFile::ReadOwner | QFile::WriteOwner);
    const auto renamed =
        test::runPython({"-c",
                         "import h5py, sys\nf = h5py.File(sys.argv[1], 'r+')\ndel f['identifier']\nf['identifier'] = "
                         "'pmd_reach_other'\nf.close()",
                         other_});
    QVERIFY2(renamed.exitCode == 0, qPrintable(renamed.err));
  }
  void cleanupTestCase() { window_.reset(); }

  void aRecordingOfNoSessionAsksAndRunsTheChosenOne() {
    freshWindow();
    window_->openFiles({other_, multi_});
    QTRY_VERIFY_WITH_TIMEOUT(chooser().dialog() != nullptr, kOpenTimeoutMs);
    SessionDialog& dialog = *chooser().dialog();
    QVERIFY(!dialog.isModal() || dialog.windowModality() != Qt::ApplicationModal);  // open(), not exec()
    QVERIFY(dialog.isVisible());
    const workspace::PairItem* pair = pairOf(other_, multi_);
    QVERIFY(pair != nullptr);
    const workspace::Id id = pair->id;
    QCOMPARE(pair->state, workspace::State::Error);
    QCOMPARE(dialog.pair(), id);
    const QString question = dialog.findChild<QLabel*>("sessionQuestion")->text();
    for (const char* part : {"pmd_other.nwb", "\"pmd_reach_other\"", "multi.pt", "pmd_reach_yu2009", "pmd_reach_ex2"})
      QVERIFY2(question.contains(part), qPrintable(question + " lacks " + part));
    QComboBox& combo = *dialog.combo();
    QCOMPARE(combo.count(), 2);  // no "recording's own": none matches
    QCOMPARE(combo.itemData(1).toString(), QString("pmd_reach_ex2"));
    QCOMPARE(combo.itemText(1), QString("pmd_reach_ex2 (61 units)"));
    save(dialog, "dialog");
    // The whole screen: the question over the window, the pair in error in the Workspace dock.
    showWorkspaceDock();
    QVERIFY(window_->screen()->grabWindow(0).save(QString(NEUROLENS_BINARY_DIR) + "/test_session_gui_asked.png"));
    // No problem box besides the question (the controller's own check found no session first).
    QVERIFY(window_->findChild<QWidget*>("problemBox") == nullptr);

    combo.setCurrentIndex(1);
    dialog.findChild<QPushButton*>("sessionRun")->click();
    QTRY_VERIFY_WITH_TIMEOUT(settled() && pairOf(other_, multi_)->state == workspace::State::Ready, kOpenTimeoutMs);
    pair = pairOf(other_, multi_);
    QCOMPARE(pair->session, std::string("pmd_reach_ex2"));
    QVERIFY(pair->latents != nullptr);
    const FloatArray expected = cliLatents(other_, "pmd_reach_ex2");
    const double diff = maxDifference(*pair->latents, expected);
    qInfo("GUI latents with pmd_reach_ex2 vs neurolens-cli infer --session pmd_reach_ex2: max |diff| %g", diff);
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
    // The docks show it, with the model bound to that session.
    QTRY_VERIFY_WITH_TIMEOUT(window_->controller().latentsData() == pair->latents, 20000);
    QVERIFY(window_->controller().model()->session().has_value());

    // The dock's Session... has it checked; choosing the other session runs that one (other latents).
    showWorkspaceDock();
    auto* button = window_->findChild<QToolButton*>(QString("sessionItem_%1").arg(id));
    QVERIFY(button != nullptr);
    QCOMPARE(button->text(), QString("Session..."));
    auto* panel = window_->findChild<WorkspacePanel*>();
    QVERIFY(panel != nullptr);
    save(*window_, "dock");
    QMenu* menu = button->menu();
    QVERIFY(menu != nullptr);
    QCOMPARE(menu->actions().size(), 2);
    QVERIFY(!menu->actions()[0]->isChecked());
    QVERIFY(menu->actions()[1]->isChecked());
    QCOMPARE(menu->actions()[1]->text(), QString("pmd_reach_ex2 (61 units)"));
    const std::shared_ptr<const FloatArray> before = pair->latents;
    menu->actions()[0]->trigger();  // pmd_reach_yu2009
    QTRY_VERIFY_WITH_TIMEOUT(settled() && pairOf(other_, multi_)->state == workspace::State::Ready &&
                                 pairOf(other_, multi_)->session == "pmd_reach_yu2009",
                             kOpenTimeoutMs);
    QVERIFY(maxDifference(*pairOf(other_, multi_)->latents, *before) > 1e-3);  // the sessions differ
    // The docks follow: they show the new session's latents, not the previous ones.
    QTRY_VERIFY_WITH_TIMEOUT(window_->controller().latentsData() == pairOf(other_, multi_)->latents, 20000);
    QCOMPARE(window_->controller().model()->session(), std::optional<std::size_t>(0));
    QVERIFY(maxDifference(*pairOf(other_, multi_)->latents, cliLatents(other_, "pmd_reach_yu2009")) < 1e-5);

    // Back to "none": in error again, and not asked a second time.
    SessionDialog* first = chooser().dialog();
    QVERIFY(window_->workspace().chooseSession(id, ""));
    QTRY_VERIFY_WITH_TIMEOUT(settled() && pairOf(other_, multi_)->state == workspace::State::Error, 20000);
    QTest::qWait(300);
    QCOMPARE(chooser().dialog(), first);
    QVERIFY(first == nullptr || !first->isVisible());
    QVERIFY(QString::fromStdString(pairOf(other_, multi_)->error).contains("Session..."));

    // A saved session keeps the session chosen for the pair; reopened, the pair runs with it and nothing asks.
    QVERIFY(window_->workspace().chooseSession(id, "pmd_reach_ex2"));
    QTRY_VERIFY_WITH_TIMEOUT(settled() && pairOf(other_, multi_)->state == workspace::State::Ready, kOpenTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(window_->controller().latentsData() == pairOf(other_, multi_)->latents, 20000);
    const QString saved = folder_.filePath("chosen.nlsession");
    window_->saveSession(saved);
    const QJsonArray pairSessions = test::readJsonFile(saved)["pair_sessions"].toArray();
    QCOMPARE(pairSessions.size(), 1);
    QCOMPARE(pairSessions[0].toObject()["session"].toString(), QString("pmd_reach_ex2"));
    QCOMPARE(pairSessions[0].toObject()["recording"].toString(), absolute(other_));
    window_.reset();
    freshWindow();
    window_->openSession(saved);
    QTRY_VERIFY_WITH_TIMEOUT(
        settled() && pairOf(other_, multi_) != nullptr && pairOf(other_, multi_)->state == workspace::State::Ready,
        kOpenTimeoutMs);
    QCOMPARE(pairOf(other_, multi_)->session, std::string("pmd_reach_ex2"));
    QVERIFY(maxDifference(*pairOf(other_, multi_)->latents, expected) < 1e-5);
    QTest::qWait(300);
    QVERIFY(chooser().dialog() == nullptr);
    QVERIFY(window_->findChild<QWidget*>("problemBox") == nullptr);

    // The Recording pane's Re-bin runs the docks' model again: with the session chosen, not the recording's own.
    QTRY_VERIFY_WITH_TIMEOUT(window_->controller().latentsData() != nullptr, 20000);
    const std::shared_ptr<const FloatArray> shown = window_->controller().latentsData();
    auto* rebin = window_->findChild<QPushButton*>("rebinButton");
    QVERIFY(rebin != nullptr);
    rebin->click();
    QTRY_VERIFY_WITH_TIMEOUT(
        window_->controller().latentsData() != nullptr && window_->controller().latentsData() != shown && settled(),
        kOpenTimeoutMs);
    QCOMPARE(window_->controller().model()->session(), std::optional<std::size_t>(1));
    QVERIFY(maxDifference(*window_->controller().latentsData(), expected) < 1e-5);
    QCOMPARE(pairOf(other_, multi_)->state, workspace::State::Ready);
    QVERIFY(window_->findChild<QWidget*>("problemBox") == nullptr);
    window_.reset();
  }

  void aRecordingOfASessionIsNotAsked() {
    freshWindow();
    const QString ex2 = test::sharedData("pmd_reach_ex2.nwb");
    window_->openFiles({ex2, multi_});
    QTRY_VERIFY_WITH_TIMEOUT(
        settled() && pairOf(ex2, multi_) != nullptr && pairOf(ex2, multi_)->state == workspace::State::Ready,
        kOpenTimeoutMs);
    QCOMPARE(pairOf(ex2, multi_)->session, std::string("pmd_reach_ex2"));
    QVERIFY(chooser().dialog() == nullptr);
    QTRY_VERIFY(window_->findChild<QToolButton*>(QString("sessionItem_%1").arg(pairOf(ex2, multi_)->id)) != nullptr);
    QMenu* menu = window_->findChild<QToolButton*>(QString("sessionItem_%1").arg(pairOf(ex2, multi_)->id))->menu();
    QCOMPARE(menu->actions().size(), 3);
    QVERIFY(menu->actions()[0]->isChecked());
    QVERIFY(menu->actions()[0]->text().startsWith("the recording's own (pmd_reach_ex2"));
    window_.reset();
  }

  void theBinSizeFollowsTheModel() {
    const QString m1 = test::sharedData("m1_stevenson2011.nwb");
    const QString poyo = QString(NEUROLENS_SOURCE_DIR) + "/tests/data/models/poyo_m1.pt";
    if (!QFile::exists(m1)) QSKIP("the shared M1 recording is missing");
    QSettings().clear();
    freshWindow();
    auto* spin = window_->findChild<QDoubleSpinBox*>("binSize");
    QVERIFY(spin != nullptr);
    QCOMPARE(spin->value(), 20.0);
    window_->openFiles({m1, poyo});
    QTRY_VERIFY_WITH_TIMEOUT(
        settled() && pairOf(m1, poyo) != nullptr && pairOf(m1, poyo)->state == workspace::State::Ready, kOpenTimeoutMs);
    QCOMPARE(spin->value(), 50.0);
    QCOMPARE(window_->controller().binning().binMs, 50.0);
    QCOMPARE(space().findRecording(absolute(m1).toStdString())->data->binMs, 50.0);
    QTRY_VERIFY_WITH_TIMEOUT(window_->statusBar()->currentMessage().contains("binned at 50 ms, the model's bin size"),
                             10000);
    QVERIFY(window_->findChild<QWidget*>("problemBox") == nullptr);  // nothing to report: it was mended
    QCOMPARE(AppSettings().binMs(), 20.0);  // the model's bin size, followed, is not remembered as the user's

    // A second model of 20 ms: the models disagree, nothing is automatic; its pair offers "Re-bin at 20 ms".
    const auto made = test::runPython({QString(NEUROLENS_SOURCE_DIR) + "/tests/cli/python/make_stream_models.py",
                                       folder_.filePath("stream"), "171", "--bin-ms", "20"});
    QVERIFY2(made.exitCode == 0, qPrintable(made.err));
    const QString conv = folder_.filePath("stream/conv_meta.pt");
    window_->openFiles({conv});
    QTRY_VERIFY_WITH_TIMEOUT(
        settled() && pairOf(m1, conv) != nullptr && pairOf(m1, conv)->state == workspace::State::Error, kOpenTimeoutMs);
    QTest::qWait(300);
    QCOMPARE(spin->value(), 50.0);
    QVERIFY2(QString::fromStdString(pairOf(m1, conv)->error).contains("re-bin it at 20 ms"),
             pairOf(m1, conv)->error.c_str());
    showWorkspaceDock();
    QToolButton* rebin = nullptr;
    QTRY_VERIFY((rebin = window_->findChild<QToolButton*>(QString("rebinItem_%1").arg(pairOf(m1, conv)->id))) !=
                nullptr);
    QCOMPARE(rebin->text(), QString("Re-bin at 20 ms"));
    save(*window_, "rebin");
    rebin->click();
    QTRY_VERIFY_WITH_TIMEOUT(settled() && pairOf(m1, conv)->state == workspace::State::Ready, kOpenTimeoutMs);
    QCOMPARE(spin->value(), 20.0);
    QCOMPARE(pairOf(m1, poyo)->state, workspace::State::Error);  // one bin size at a time
    QTRY_VERIFY(window_->findChild<QToolButton*>(QString("rebinItem_%1").arg(pairOf(m1, poyo)->id)) != nullptr);
    window_.reset();
  }

  // The real program in --screenshot/--state-json mode: poyo_m1.pt on m1 ends ready (exit 0) at 50 ms; the
  // no-match recording stays in error (exit 3) and nothing waits for an answer.
  void headlessRuns() {
    const QString m1 = test::sharedData("m1_stevenson2011.nwb");
    if (!QFile::exists(m1)) QSKIP("the shared M1 recording is missing");
    const QString home = folder_.filePath("home");
    const QString state = folder_.filePath("poyo.json");
    const auto run =
        test::runIsolated(QString(NEUROLENS_BINARY_DIR) + "/bin/neurolens",
                          {m1, QString(NEUROLENS_SOURCE_DIR) + "/tests/data/models/poyo_m1.pt", "--screenshot",
                           folder_.filePath("poyo.png"), "--state-json", state, "--size", "1600x1000"},
                          home);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject json = test::readJsonFile(state);
    QCOMPARE(json["pairs"].toArray().size(), 1);
    QCOMPARE(json["pairs"].toArray()[0].toObject()["state"].toString(), QString("ready"));
    QVERIFY(json["pairs"].toArray()[0].toObject()["trajectories"].toInt() > 0);

    const QString stateOther = folder_.filePath("other.json");
    const auto other = test::runIsolated(
        QString(NEUROLENS_BINARY_DIR) + "/bin/neurolens",
        {other_, multi_, "--state-json", stateOther, "--size", "1600x1000", "--timeout", "120"}, home);
    QCOMPARE(other.exitCode, 3);
    const QJsonObject pair = test::readJsonFile(stateOther)["pairs"].toArray()[0].toObject();
    QCOMPARE(pair["state"].toString(), QString("error"));
    QVERIFY2(pair["error"].toString().contains("pmd_reach_yu2009, pmd_reach_ex2"),
             qPrintable(pair["error"].toString()));
  }
};

NEUROLENS_DISPLAY_TEST_MAIN(TestSessionGui)
#include "test_session_gui.moc"
