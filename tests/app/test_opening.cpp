// Opening never drops or stalls (issue 28 step 1): a real recording (pmd_reach_yu2009: 61 units, 210
// trials) and a GRU fitted to its shape (made at test time by python/make_gui_model.py), opened in both
// orders and while a job runs (drag and drop), each file waiting its turn; the test waits for the 3-D view
// to draw the trajectories and checks the view's real pixels, not only the window's state.
#include <QDropEvent>
#include <QFileInfo>
#include <QLabel>
#include <QMimeData>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest/QtTest>
#include <memory>

#include "main_window.h"
#include "neurolens/views/trajectory_scene.h"
#include "neurolens/views/vtk_view_widget.h"
#include "support/display_test_support.h"

using namespace neurolens;
using neurolens::gui::MainWindow;

namespace {

constexpr int kOpenTimeoutMs = 90000;

QString recordingPath() { return QString(NEUROLENS_SHARED_DATA) + "/pmd_reach_yu2009.nwb"; }

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

void dropFiles(QWidget* target, const QStringList& paths) {
  auto mime = std::make_unique<QMimeData>();
  QList<QUrl> urls;
  for (const QString& path : paths) urls << QUrl::fromLocalFile(path);
  mime->setUrls(urls);
  const QPointF at(target->width() / 2.0, target->height() / 2.0);
  QDragEnterEvent enter(at.toPoint(), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(target, &enter);
  QVERIFY(enter.isAccepted());
  QDropEvent drop(at, Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(target, &drop);
}

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
};

NEUROLENS_DISPLAY_TEST_MAIN(TestOpening)
#include "test_opening.moc"
