// Opening never drops or stalls (issue 28 step 1): a real recording (pmd_reach_yu2009: 61 units, 210
// trials) and a GRU fitted to its shape (made at test time by python/make_gui_model.py), opened in both
// orders and while a job runs (drag and drop), each file waiting its turn; the test waits for the 3-D view
// to draw the trajectories and checks the view's real pixels, not only the window's state.
#include <QDockWidget>
#include <QDropEvent>
#include <QFileInfo>
#include <QLabel>
#include <QMimeData>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeWidget>
#include <QUrl>
#include <QtTest/QtTest>
#include <functional>
#include <memory>
#include <optional>

#include "drop_files.h"
#include "main_window.h"
#include "neurolens/views/palette.h"
#include "neurolens/views/trajectory_scene.h"
#include "neurolens/views/vtk_view_widget.h"
#include "support/display_test_support.h"
#include "widgets/pair_grid.h"
#include "workspace_controller.h"

using namespace neurolens;
using neurolens::gui::MainWindow;

namespace {

constexpr int kOpenTimeoutMs = 90000;

QString recordingPath() { return QString(NEUROLENS_SHARED_DATA) + "/pmd_reach_yu2009.nwb"; }
QString secondRecordingPath() { return QString(NEUROLENS_SHARED_DATA) + "/pmd_reach_ex2.nwb"; }

// Conditions whose colour covers more than a few pixels of a freshly rendered frame.
int conditionsDrawn(views::VtkViewWidget* view, const views::TrajectoryScene& scene) {
  const long long before = view->framesRendered();
  view->requestRender();
  if (!QTest::qWaitFor([&] { return view->framesRendered() > before; }, 5000)) return -1;
  const QImage frame = view->grabFramebuffer();
  int drawn = 0;
  for (std::size_t condition = 0; condition < scene.conditionCount(); ++condition)
    if (testing::countPixelsNear(frame, testing::toQColor(scene.conditionColour(condition)), 12) > 20) ++drawn;
  return drawn;
}

using neurolens::testing::dropFiles;

}  // namespace

class TestOpening : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir folder_;
  QString model_;
  std::unique_ptr<MainWindow> window_;

  // Waits until every file asked for has been handled and no job runs, then checks the drawn pair.
  void expectTrajectoriesDrawn() {
    MainWindow& window = *window_;
    QTRY_VERIFY_WITH_TIMEOUT(window.opener().isIdle() && window.controller().latents() != nullptr, kOpenTimeoutMs);
    QCOMPARE(QFileInfo(window.controller().recordingPath()).fileName(), QString("pmd_reach_yu2009.nwb"));
    QCOMPARE(window.controller().modelPath(), model_);
    QVERIFY(window.controller().fitProblem().isEmpty());
    const FloatArray& latents = *window.controller().latents();
    QCOMPARE(latents.dim(0), std::size_t{210});
    QCOMPARE(latents.dim(2), std::size_t{8});
    QVERIFY(!window.emptyStateShown());
    QVERIFY(window.scene() != nullptr);
    QVERIFY(window.scene()->conditionCount() >= 2);
    // Real pixels: the view's frame shows at least two conditions' colours.
    QTRY_VERIFY_WITH_TIMEOUT(conditionsDrawn(window.trajectoryView(), *window.scene()) >= 2, 10000);
    auto* modelPanel = window.findChild<QLabel*>("modelPanel");
    if (modelPanel != nullptr) QVERIFY(!modelPanel->text().contains("Loading"));
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("NeuroLensTest");
    QCoreApplication::setApplicationName("NeuroLensTestOpening");
    QSettings().clear();
    if (!QFileInfo::exists(recordingPath())) QSKIP("the shared recording pmd_reach_yu2009.nwb is not here");
    QVERIFY(folder_.isValid());
    model_ = folder_.filePath("pmd_gru.pt");
    QProcess python;
    python.start(NEUROLENS_TEST_PYTHON,
                 {QString(NEUROLENS_SOURCE_DIR) + "/tests/app/python/make_gui_model.py", model_});
    QVERIFY(python.waitForFinished(120000));
    if (python.exitCode() != 0)
      QSKIP(qPrintable("torch could not make the test model: " + python.readAllStandardError()));
  }
  void init() {
    window_ = std::make_unique<MainWindow>();
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  }
  void cleanup() { window_.reset(); }

  void recordingThenModel() {
    window_->openFiles({recordingPath(), model_});
    QVERIFY(window_->controller().busy());  // the recording is opening; the model waits its turn
    QCOMPARE(window_->opener().queue().size(), std::size_t{1});
    expectTrajectoriesDrawn();
  }

  void modelThenRecording() {
    window_->openFiles({model_, recordingPath()});
    expectTrajectoriesDrawn();
    QCOMPARE(window_->controller().inferenceRuns(), 1);  // loaded alone, then run once on the recording
  }

  // File > Open, then files dropped while that job runs: all wait their turn, none is refused.
  void filesDroppedWhileAJobRuns() {
    window_->openRecording(recordingPath());
    QVERIFY(window_->controller().busy());
    dropFiles(window_.get(), {model_});
    window_->openModel(model_);  // asked twice: opened twice, in turn
    QCOMPARE(window_->opener().queue().size(), std::size_t{2});
    expectTrajectoriesDrawn();
  }

  // Issue 28 step 3: two recordings with one model are two pairs, each drawn in its own view of the grid, and
  // a session keeps both recordings.
  void twoRecordingsWithOneModelAreTwoPairsInTheGrid() {
    if (!QFileInfo::exists(secondRecordingPath())) QSKIP("pmd_reach_ex2.nwb is not here");
    window_->openFiles({recordingPath(), model_, secondRecordingPath()});
    QTRY_VERIFY_WITH_TIMEOUT(window_->opener().isIdle() && window_->workspace().workspace().settled(), kOpenTimeoutMs);
    const workspace::Workspace& space = window_->workspace().workspace();
    QCOMPARE(space.pairs().size(), std::size_t{2});
    for (const workspace::PairItem& pair : space.pairs()) QCOMPARE(pair.state, workspace::State::Ready);
    gui::PairGrid* grid = window_->pairGrid();
    QTRY_COMPARE(grid->shownPairs().size(), std::size_t{2});
    // The docks hold the last pair run by the controller; the other has a view of its own, drawn.
    const std::optional<workspace::Id> focus = window_->workspace().focusedPair();
    QVERIFY(focus.has_value());
    const workspace::Id other = space.pairs()[0].id == *focus ? space.pairs()[1].id : space.pairs()[0].id;
    QVERIFY(grid->drawn(other) >= 2);
    QCOMPARE(grid->ownViews().size(), std::size_t{1});
    QVERIFY(grid->ownViews()[0]->isVisible());
    // Its own frame shows trajectory colours (its condition means' colours, as the scene builder gives them).
    views::VtkViewWidget* own = grid->ownViews()[0];
    const long long before = own->framesRendered();
    own->requestRender();
    QTRY_VERIFY(own->framesRendered() > before);
    const QImage frame = own->grabFramebuffer();
    int coloured = 0;
    const auto conditions = grid->conditions(other);
    QVERIFY(conditions.size() >= 2);
    for (const auto& condition : conditions)
      coloured += testing::countPixelsNear(frame, testing::toQColor(condition.second), 12);
    QVERIFY2(coloured > 100, qPrintable(QString::number(coloured)));
    // The Workspace dock lists the two recordings, the model and the two pairs, each ready, with Close per file.
    auto* tree = window_->findChild<QTreeWidget*>("workspaceTree");
    QVERIFY(tree != nullptr);
    QTRY_COMPARE(tree->topLevelItemCount(), 3);
    QTRY_COMPARE(tree->topLevelItem(2)->childCount(), 2);
    QCOMPARE(tree->topLevelItem(0)->childCount(), 2);
    QCOMPARE(tree->topLevelItem(1)->childCount(), 1);
    // Every leaf (a file, or a pair under its recording) is ready.
    const std::function<bool(QTreeWidgetItem*)> ready = [&ready](QTreeWidgetItem* item) {
      if (item->childCount() == 0) return item->text(1).startsWith("ready");
      for (int row = 0; row < item->childCount(); ++row)
        if (!ready(item->child(row))) return false;
      return true;
    };
    const auto allReady = [tree, &ready] {
      for (int group = 0; group < tree->topLevelItemCount(); ++group)
        if (!ready(tree->topLevelItem(group))) return false;
      return true;
    };
    QTRY_VERIFY(allReady());
    QCOMPARE(window_->findChildren<QToolButton*>(QRegularExpression("^closeItem_")).size(), 3);
    if (const QString grabs = qEnvironmentVariable("NEUROLENS_TEST_GRABS"); !grabs.isEmpty()) {
      auto* dock = window_->findChild<QDockWidget*>("workspaceDock");
      dock->raise();
      QTest::qWait(100);
      dock->grab().save(grabs + "/workspace_dock.png");
    }

    const QString session = folder_.filePath("two.nlsession");
    const QString focusRecording = window_->controller().recordingPath();
    window_->saveSession(session);
    window_.reset();
    window_ = std::make_unique<MainWindow>();
    window_->show();
    window_->openSession(session);
    QTRY_VERIFY_WITH_TIMEOUT(window_->opener().isIdle() && window_->workspace().workspace().settled() &&
                                 window_->workspace().workspace().pairs().size() == 2,
                             kOpenTimeoutMs);
    QCOMPARE(window_->workspace().workspace().recordings().size(), std::size_t{2});
    // The session's pair opens last: the docks hold it again, with its saved latents (the controller ran no
    // model; the workspace ran it on the other recording).
    QCOMPARE(QFileInfo(window_->controller().recordingPath()).absoluteFilePath(),
             QFileInfo(focusRecording).absoluteFilePath());
    QCOMPARE(window_->controller().inferenceRuns(), 0);
    for (const workspace::PairItem& pair : window_->workspace().workspace().pairs())
      QCOMPARE(pair.state, workspace::State::Ready);
  }

  // A pair whose run was cancelled is not stuck: Run again in the Workspace dock runs it, and its view draws it.
  void cancelledPairRunsAgainFromTheWorkspaceDock() {
    if (!QFileInfo::exists(secondRecordingPath())) QSKIP("pmd_reach_ex2.nwb is not here");
    gui::WorkspaceController& workspace = window_->workspace();
    int cancelled = 0;
    connect(
        &workspace, &gui::WorkspaceController::jobStarted, window_.get(),
        [&] {
          for (const workspace::PairItem& pair : workspace.workspace().pairs()) {
            if (!pair.running || cancelled > 0) continue;
            workspace.cancel(pair.id);
            ++cancelled;
            return;
          }
        },
        Qt::DirectConnection);  // at once: the run takes a fraction of a second
    // The controller runs the model on the last recording; the workspace runs it on the first (cancelled).
    window_->openFiles({recordingPath(), secondRecordingPath(), model_});
    QTRY_VERIFY_WITH_TIMEOUT(cancelled > 0 && window_->opener().isIdle() && !workspace.busy(), kOpenTimeoutMs);
    const workspace::Workspace& space = workspace.workspace();
    std::optional<workspace::Id> stuck;
    for (const workspace::PairItem& pair : space.pairs())
      if (pair.state == workspace::State::Error) stuck = pair.id;
    QVERIFY(stuck);
    QCOMPARE(space.pair(*stuck)->error, std::string("cancelled"));
    QCOMPARE(window_->pairGrid()->drawn(*stuck), std::size_t{0});
    QToolButton* again = nullptr;
    QTRY_VERIFY((again = window_->findChild<QToolButton*>(QString("retryItem_%1").arg(*stuck))) != nullptr);
    QCOMPARE(again->text(), QString("Run again"));
    // The dock says why, on a row of its own under the pair.
    auto* tree = window_->findChild<QTreeWidget*>("workspaceTree");
    QVERIFY(!tree->findItems("cancelled", Qt::MatchExactly | Qt::MatchRecursive).isEmpty());
    again->click();
    QTRY_VERIFY_WITH_TIMEOUT(space.pair(*stuck)->state == workspace::State::Ready && !workspace.busy(), kOpenTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(window_->pairGrid()->drawn(*stuck) > 0, 10000);
    for (const workspace::PairItem& pair : space.pairs()) QCOMPARE(pair.state, workspace::State::Ready);
  }

  // The model's first run cancelled (its loading job, run by the window's controller): the model and its pair
  // are in error; Open again on the pair opens the model again through the queue and the view draws the pair.
  void cancelledModelOpensAgainFromItsPair() {
    gui::PipelineController& controller = window_->controller();
    bool cancelled = false;
    connect(&controller, &gui::PipelineController::jobStarted, window_.get(), [&](gui::BackgroundJob* job) {
      if (job != &controller.modelJob() || cancelled) return;
      job->cancel();
      cancelled = true;
    });
    window_->openFiles({recordingPath(), model_});
    QTRY_VERIFY_WITH_TIMEOUT(cancelled && window_->opener().isIdle() && !window_->workspace().busy(), kOpenTimeoutMs);
    const workspace::Workspace& space = window_->workspace().workspace();
    QCOMPARE(space.pairs().size(), std::size_t{1});
    const workspace::Id pair = space.pairs()[0].id;
    QTRY_COMPARE(space.pair(pair)->state, workspace::State::Error);
    QVERIFY(controller.latents() == nullptr);
    QToolButton* again = nullptr;
    QTRY_VERIFY((again = window_->findChild<QToolButton*>(QString("retryItem_%1").arg(pair))) != nullptr);
    QCOMPARE(again->text(), QString("Open again"));
    again->click();
    expectTrajectoriesDrawn();
    QCOMPARE(space.pair(pair)->state, workspace::State::Ready);
  }

  // Closing a file while its pair's model runs cancels that job: no crash, no hang, the other pair stays.
  void closingAFileWhileItsPairRunsCancelsIt() {
    if (!QFileInfo::exists(secondRecordingPath())) QSKIP("pmd_reach_ex2.nwb is not here");
    gui::WorkspaceController& workspace = window_->workspace();
    int closed = 0;
    connect(
        &workspace, &gui::WorkspaceController::jobStarted, window_.get(),
        [&] {
          for (const workspace::PairItem& pair : workspace.workspace().pairs()) {
            if (!pair.running) continue;
            workspace.close(pair.recording);
            ++closed;
            return;
          }
        },
        Qt::QueuedConnection);
    // The controller runs the model on the last recording; the workspace runs it on the first.
    window_->openFiles({recordingPath(), secondRecordingPath(), model_});
    QTRY_VERIFY_WITH_TIMEOUT(closed > 0 && window_->opener().isIdle() && !workspace.busy(), kOpenTimeoutMs);
    const workspace::Workspace& space = workspace.workspace();
    QCOMPARE(space.recordings().size(), std::size_t{1});
    QCOMPARE(QFileInfo(QString::fromStdString(space.recordings()[0].path)).fileName(), QString("pmd_reach_ex2.nwb"));
    QCOMPARE(space.pairs().size(), std::size_t{1});
    QCOMPARE(space.pairs()[0].state, workspace::State::Ready);
    QVERIFY(window_->controller().latents() != nullptr);
    // Closing the rest lets the controller go: the view shows the empty state again.
    workspace.close(space.models()[0].id);
    workspace.close(space.recordings()[0].id);
    QTRY_VERIFY(window_->emptyStateShown());
    QVERIFY(window_->controller().recording() == nullptr);
  }
};

NEUROLENS_DISPLAY_TEST_MAIN(TestOpening)
#include "test_opening.moc"
