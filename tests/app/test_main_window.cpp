// The main window under a real X server: menus and actions, the empty state, the
// docks, the demo scene's real pixels, drag and drop of a real NWB file (checked
// against h5py), a broken file, and the remembered layout and recent files.
#include <QAction>
#include <QDockWidget>
#include <QDropEvent>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMimeData>
#include <QProcess>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest/QtTest>
#include <memory>

#include "main_window.h"
#include "neurolens/views/trajectory_scene.h"
#include "neurolens/views/vtk_view_widget.h"
#include "drop_files.h"
#include "support/display_test_support.h"

using namespace neurolens;
using neurolens::gui::MainWindow;

namespace {

QAction* actionNamed(const QWidget& window, const char* name) { return window.findChild<QAction*>(name); }

using neurolens::testing::dropFiles;

}  // namespace

class TestMainWindow : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<MainWindow> window_;

  void openWindow() {
    window_ = std::make_unique<MainWindow>();
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  }

 private Q_SLOTS:
  void initTestCase() {
    // Never touch the user's settings.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("NeuroLensTest");
    QCoreApplication::setApplicationName("NeuroLensTest");
    QSettings().clear();
  }
  void init() { openWindow(); }
  void cleanup() { window_.reset(); }

  void menusAndActions() {
    const QStringList menus = {"menuFile", "menuView", "menuHelp", "menuRecentFiles", "menuStandardViews"};
    for (const QString& name : menus) QVERIFY2(window_->findChild<QMenu*>(name) != nullptr, qPrintable(name));
    QAction* open = actionNamed(*window_, "actionOpenRecording");
    QVERIFY(open != nullptr);
    QCOMPARE(open->shortcut(), QKeySequence(QKeySequence::Open));
    QCOMPARE(open->text().remove('&'), QString("Open Recording..."));
    QVERIFY(actionNamed(*window_, "actionOpenModel") != nullptr);
    QAction* quit = actionNamed(*window_, "actionQuit");
    QVERIFY(quit != nullptr);
    QCOMPARE(quit->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_Q));
    QVERIFY(actionNamed(*window_, "actionExportView") != nullptr);
    QVERIFY(actionNamed(*window_, "actionResetCamera") != nullptr);
    QVERIFY(actionNamed(*window_, "actionAbout") != nullptr);
    QVERIFY(actionNamed(*window_, "actionShowDemo") != nullptr);
    // The workbench's own actions, with their shortcuts.
    QCOMPARE(actionNamed(*window_, "actionOpenModel")->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_M));
    QCOMPARE(actionNamed(*window_, "actionOpenDemo")->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_D));
    QCOMPARE(actionNamed(*window_, "actionSaveSession")->shortcut(), QKeySequence(QKeySequence::Save));
    QCOMPARE(actionNamed(*window_, "actionOpenSession")->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    QCOMPARE(actionNamed(*window_, "actionRunAttribution")->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    QCOMPARE(actionNamed(*window_, "actionRunProbe")->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_P));
    QVERIFY(actionNamed(*window_, "actionCompare")->isCheckable());
    // No two actions share a shortcut.
    QSet<QString> shortcuts;
    for (const QAction* action : window_->findChildren<QAction*>()) {
      if (action->shortcut().isEmpty()) continue;
      const QString key = action->shortcut().toString();
      QVERIFY2(!shortcuts.contains(key), qPrintable("shortcut used twice: " + key));
      shortcuts.insert(key);
    }
    const QMenu* standard = window_->findChild<QMenu*>("menuStandardViews");
    QStringList labels;
    for (const QAction* action : standard->actions()) labels << action->text();
    QCOMPARE(labels, (QStringList{"Look Along +X", "Look Along -X", "Look Along +Y", "Look Along -Y", "Look Along +Z",
                                  "Look Along -Z", "Isometric View"}));
  }

  void emptyStateExplainsWhatToDo() {
    QVERIFY(window_->emptyStateShown());
    const auto* text = window_->findChild<QLabel*>("emptyStateText");
    QVERIFY(text != nullptr);
    QVERIFY(text->isVisible());
    QVERIFY(text->text().contains("Open Recording"));
    QVERIFY(text->text().contains("drag and drop"));
    QVERIFY(text->text().contains("demo"));
    QVERIFY(!actionNamed(*window_, "actionExportView")->isEnabled());
  }

  void docksSayWhatWillAppear() {
    const std::pair<const char*, const char*> docks[] = {
        {"recordingDock", "recordingPanel"}, {"modelDock", "modelPanel"}, {"analysisDock", "analysisPanel"}};
    for (const auto& [dockName, labelName] : docks) {
      const auto* dock = window_->findChild<QDockWidget*>(dockName);
      QVERIFY2(dock != nullptr && dock->isVisible(), dockName);
      const auto* label = dock->findChild<QLabel*>(labelName);
      QVERIFY2(label != nullptr && label->text().contains("will be"), labelName);
    }
    QVERIFY(window_->findChild<QDockWidget*>("trajectoryDock") != nullptr);
  }

  void demoSceneRendersInTheCentre() {
    actionNamed(*window_, "actionShowDemo")->trigger();
    QVERIFY(!window_->emptyStateShown());
    QVERIFY(actionNamed(*window_, "actionExportView")->isEnabled());
    views::VtkViewWidget* view = window_->trajectoryView();
    QVERIFY(view->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(view->framesRendered() > 0, 5000);
    const QImage frame = view->grabFramebuffer();
    QVERIFY(testing::fractionNear(frame, QColor(255, 255, 255), 4) < 0.98);  // not just background
    QVERIFY(testing::fractionNear(frame, QColor(0, 0, 0), 30) < 0.2);        // not a black frame
    int conditionsSeen = 0;
    for (std::size_t condition = 0; condition < window_->scene()->conditionCount(); ++condition) {
      if (testing::countPixelsNear(frame, testing::toQColor(window_->scene()->conditionColour(condition)), 12) > 20)
        ++conditionsSeen;
    }
    QVERIFY2(conditionsSeen >= 6, qPrintable(QString("only %1 of 8 condition colours drawn").arg(conditionsSeen)));
    // Reset camera and a standard view keep the scene drawn.
    actionNamed(*window_, "actionResetCamera")->trigger();
    window_->findChild<QMenu*>("menuStandardViews")->actions().first()->trigger();
    const long long before = view->framesRendered();
    QTRY_VERIFY_WITH_TIMEOUT(view->framesRendered() > before, 5000);
    QVERIFY(testing::fractionNear(view->grabFramebuffer(), QColor(255, 255, 255), 4) < 0.99);
  }

#if NEUROLENS_GUI_HAS_IO
  void droppedRecordingIsSummarised() {
    const QString file = QString(NEUROLENS_SHARED_DATA) + "/pmd_reach_yu2009.nwb";
    if (!QFile::exists(file)) QSKIP("shared data pmd_reach_yu2009.nwb not found");
    QProcess python;
    python.start(NEUROLENS_TEST_PYTHON,
                 {QString(NEUROLENS_SOURCE_DIR) + "/tests/app/python/recording_counts.py", file});
    QVERIFY(python.waitForFinished(60000));
    if (python.exitCode() != 0) QSKIP(qPrintable("h5py reference failed: " + python.readAllStandardError()));
    const QJsonObject expected = QJsonDocument::fromJson(python.readAllStandardOutput()).object();

    QSignalSpy opened(window_.get(), &MainWindow::recordingOpened);
    dropFiles(window_.get(), {file});
    QVERIFY(opened.wait(20000));
    QCOMPARE(opened.first().at(1).toBool(), true);
    const QString panel = window_->findChild<QLabel*>("recordingPanel")->text();
    QVERIFY2(panel.contains(QString("%1 units").arg(expected["units"].toInt())), qPrintable(panel));
    QVERIFY2(panel.contains(QString("%1 trials").arg(expected["trials"].toInt())), qPrintable(panel));
    QCOMPARE(QString::fromStdString(window_->recentFiles().paths().front()), QFileInfo(file).absoluteFilePath());
    // The centre now says what to do next, and the docks did not swallow the window.
    QVERIFY(window_->findChild<QLabel*>("emptyStateText")->text().contains("Open Model"));
    QVERIFY(window_->centralWidget()->width() > window_->width() / 3);
  }

  void brokenRecordingIsAnErrorNotACrash() {
    QTemporaryDir dir;
    const QString bad = dir.filePath("not_really.nwb");
    {
      QFile out(bad);
      QVERIFY(out.open(QIODevice::WriteOnly));
      out.write("this is a text file, not HDF5\n");
    }
    QSignalSpy opened(window_.get(), &MainWindow::recordingOpened);
    window_->openFiles({bad});
    QVERIFY(opened.wait(20000));
    QCOMPARE(opened.first().at(1).toBool(), false);
    const QString panel = window_->findChild<QLabel*>("recordingPanel")->text();
    QVERIFY2(panel.contains("Could not open") && panel.contains("not_really.nwb"), qPrintable(panel));
    auto* box = window_->findChild<QWidget*>("recordingErrorBox");
    QVERIFY(box != nullptr);
    box->close();
  }
#endif

  void unknownDropIsRefused() {
    auto mime = std::make_unique<QMimeData>();
    mime->setUrls({QUrl::fromLocalFile("/tmp/notes.txt")});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window_.get(), &enter);
    QVERIFY(!enter.isAccepted());
  }

  void layoutAndRecentFilesAreRemembered() {
    window_->resize(1010, 690);
    window_->openModel("/models/some_model.pt");
    window_->close();
    window_.reset();
    openWindow();
    QCOMPARE(window_->size(), QSize(1010, 690));
    QCOMPARE(QString::fromStdString(window_->recentFiles().paths().front()), QString("/models/some_model.pt"));
    auto* recent = window_->findChild<QMenu*>("menuRecentFiles");
    Q_EMIT recent->aboutToShow();
    QVERIFY(recent->actions().first()->text().contains("some_model.pt"));
  }
};

NEUROLENS_DISPLAY_TEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
