#include "actions/menus.h"

#include <QCoreApplication>
#include <QDockWidget>
#include <QMenuBar>

#include "actions/about_action.h"
#include "actions/compare_action.h"
#include "actions/export_view_action.h"
#include "actions/link_views_action.h"
#include "actions/open_batch_action.h"
#include "actions/open_demo_action.h"
#include "actions/open_model_action.h"
#include "actions/open_recording_action.h"
#include "actions/open_session_action.h"
#include "actions/quit_action.h"
#include "actions/recent_files_action.h"
#include "actions/reset_camera_action.h"
#include "actions/run_analysis_action.h"
#include "actions/save_session_action.h"
#include "actions/show_demo_action.h"
#include "actions/standard_view_action.h"
#include "workbench.h"

namespace neurolens::gui {

namespace {
QString tr(const char* text) { return QCoreApplication::translate("neurolens::gui::MainWindow", text); }
}  // namespace

MenuActions createMenus(QMainWindow& window, Workbench& workbench) {
  MenuActions actions;
  QMenuBar* bar = window.menuBar();
  QMenu* file = bar->addMenu(tr("&File"));
  file->setObjectName("menuFile");
  QAction* open = file->addAction(QIcon::fromTheme("document-open"), tr("&Open Recording..."));
  open->setObjectName("actionOpenRecording");
  new OpenRecordingAction(open, workbench);
  QAction* openModelAction = file->addAction(tr("Open &Model..."));
  openModelAction->setObjectName("actionOpenModel");
  new OpenModelAction(openModelAction, workbench);
  QAction* demoAction = file->addAction(tr("Open &Demo"));
  demoAction->setObjectName("actionOpenDemo");
  new OpenDemoAction(demoAction, workbench);
  QAction* batchAction = file->addAction(tr("Open &Batch Folder..."));
  batchAction->setObjectName("actionOpenBatchFolder");
  new OpenBatchAction(batchAction, window, workbench);
  QMenu* recent = file->addMenu(tr("Recent &Files"));
  recent->setObjectName("menuRecentFiles");
  new RecentFilesAction(recent, workbench);
  file->addSeparator();
  QAction* openSessionAction = file->addAction(tr("Open Sess&ion..."));
  openSessionAction->setObjectName("actionOpenSession");
  new OpenSessionAction(openSessionAction, workbench);
  QAction* saveSessionAction = file->addAction(tr("&Save Session..."));
  saveSessionAction->setObjectName("actionSaveSession");
  new SaveSessionAction(saveSessionAction, workbench);
  file->addSeparator();
  actions.exportView = file->addAction(tr("&Export View as PNG..."));
  actions.exportView->setObjectName("actionExportView");
  actions.exportView->setEnabled(false);  // nothing to export until the view shows a scene
  new ExportViewAction(actions.exportView, workbench);
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"));
  quit->setObjectName("actionQuit");
  new QuitAction(quit, workbench);

  QMenu* viewMenu = bar->addMenu(tr("&View"));
  viewMenu->setObjectName("menuView");
  QAction* reset = viewMenu->addAction(tr("&Reset Camera"));
  reset->setObjectName("actionResetCamera");
  new ResetCameraAction(reset, workbench);
  QMenu* standard = viewMenu->addMenu(tr("&Standard Views"));
  standard->setObjectName("menuStandardViews");
  for (views::StandardView direction :
       {views::StandardView::PlusX, views::StandardView::MinusX, views::StandardView::PlusY,
        views::StandardView::MinusY, views::StandardView::PlusZ, views::StandardView::MinusZ,
        views::StandardView::Isometric}) {
    new StandardViewAction(standard->addAction(QString()), workbench, direction);
  }
  actions.compare = viewMenu->addAction(tr("&Compare Side by Side"));
  actions.compare->setObjectName("actionCompare");
  new CompareAction(actions.compare, workbench);
  QAction* link = viewMenu->addAction(tr("&Link Views"));
  link->setObjectName("actionLinkViews");
  new LinkViewsAction(link, workbench);
  viewMenu->addSeparator();
  for (QDockWidget* dock : window.findChildren<QDockWidget*>()) viewMenu->addAction(dock->toggleViewAction());

  QMenu* compareMenu = bar->addMenu(tr("&Compare"));
  compareMenu->setObjectName("menuCompare");
  actions.align = compareMenu->addAction(tr("&Align Two Pairs"));
  actions.align->setObjectName("actionAlign");
  actions.lesion = compareMenu->addAction(tr("&Lesion Units..."));
  actions.lesion->setObjectName("actionLesion");
  actions.matrix = compareMenu->addAction(tr("Similarity &Matrix of All Pairs"));
  actions.matrix->setObjectName("actionMatrix");

  QMenu* analysisMenu = bar->addMenu(tr("&Analysis"));
  analysisMenu->setObjectName("menuAnalysis");
  QAction* attribute = analysisMenu->addAction(tr("Run &Attribution"));
  attribute->setObjectName("actionRunAttribution");
  new RunAttributionAction(attribute, workbench);
  QAction* probe = analysisMenu->addAction(tr("Run &Probe"));
  probe->setObjectName("actionRunProbe");
  new RunProbeAction(probe, workbench);

  QMenu* help = bar->addMenu(tr("&Help"));
  help->setObjectName("menuHelp");
  QAction* demo = help->addAction(tr("Show &Demo Trajectories"));
  demo->setObjectName("actionShowDemo");
  new ShowDemoAction(demo, workbench);
  help->addSeparator();
  QAction* about = help->addAction(tr("&About NeuroLens"));
  about->setObjectName("actionAbout");
  new AboutAction(about, workbench);
  return actions;
}

}  // namespace neurolens::gui
