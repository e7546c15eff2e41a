#include "actions/open_batch_action.h"

#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>
#include <exception>

#include "logic/batch_folder.h"
#include "widgets/batch_panel.h"
#include "widgets/dock_panes.h"

namespace neurolens::gui {

namespace {

constexpr const char* kLastFolder = "dialogs/batchFolder";

// The window's Batch dock, made on first use: at the bottom, tabbed with Analysis Results, and listed in the
// View menu.
BatchPanel* batchPanel(QMainWindow& window, Workbench& workbench) {
  if (auto* panel = window.findChild<BatchPanel*>("batchPanel")) return panel;
  auto* panel = new BatchPanel(&window);
  QDockWidget* dock = addDock(window, QObject::tr("Batch"), "batchDock", panel, Qt::BottomDockWidgetArea, false);
  if (auto* results = window.findChild<QDockWidget*>("resultsDock")) window.tabifyDockWidget(results, dock);
  window.resizeDocks({dock}, {380}, Qt::Vertical);  // room for a dozen rows
  if (auto* view = window.findChild<QMenu*>("menuView")) view->addAction(dock->toggleViewAction());
  QObject::connect(panel, &BatchPanel::pairRequested, panel,
                   [&workbench, panel](std::size_t row) { openBatchPair(workbench, *panel, row); });
  QObject::connect(panel, &BatchPanel::reloadRequested, panel,
                   [&window, &workbench](const QString& folder) { openBatchFolder(window, workbench, folder); });
  return panel;
}

}  // namespace

OpenBatchAction::OpenBatchAction(QAction* action, QMainWindow& window, Workbench& workbench)
    : Reaction(action, workbench), window_(window) {
  action->setStatusTip(tr("Open a folder written by neurolens-cli batch run: its results table, one row per task"));
}

void OpenBatchAction::onTriggered() {
  const QString last = QSettings().value(kLastFolder).toString();
  const QString folder = QFileDialog::getExistingDirectory(workbench().dialogParent(), tr("Open Batch Folder"), last);
  if (folder.isEmpty()) return;
  openBatchFolder(window_, workbench(), folder);
}

BatchPanel* openBatchFolder(QMainWindow& window, Workbench& workbench, const QString& folder) {
  BatchPanel* panel = batchPanel(window, workbench);
  const QString absolute = QFileInfo(folder).absoluteFilePath();
  try {
    BatchTable table = readBatchFolder(absolute.toStdString());
    const std::size_t failed = table.count(BatchTaskState::Failed);
    workbench.showStatus(QObject::tr("Batch %1: %2 tasks, %3 failed")
                             .arg(QFileInfo(absolute).fileName())
                             .arg(table.rows.size())
                             .arg(failed));
    panel->showBatch(std::move(table));
    QSettings().setValue(kLastFolder, absolute);
  } catch (const std::exception& error) {
    panel->showProblem(absolute, QString::fromStdString(error.what()));
    workbench.showStatus(QString::fromStdString(error.what()));
  }
  if (auto* dock = qobject_cast<QDockWidget*>(panel->parentWidget())) {
    dock->show();
    dock->raise();
  }
  return panel;
}

QStringList openBatchFolders(QMainWindow& window, Workbench& workbench, const QStringList& paths) {
  QStringList others;
  for (const QString& path : paths) {
    if (isBatchFolder(path.toStdString())) {
      openBatchFolder(window, workbench, path);
    } else {
      others << path;
    }
  }
  return others;
}

void openBatchPair(Workbench& workbench, const BatchPanel& panel, std::size_t row) {
  if (row >= panel.table().rows.size()) return;
  const BatchPair pair = pairOfRow(panel.table(), row);
  if (!pair.problem.empty()) return workbench.showStatus(QString::fromStdString(pair.problem));
  QStringList files;
  for (const std::string& file : pair.files()) files << QString::fromStdString(file);
  workbench.showStatus(QObject::tr("Opening the pair of task %1").arg(QString::fromStdString(pair.taskId)));
  workbench.openFiles(files);
}

}  // namespace neurolens::gui
