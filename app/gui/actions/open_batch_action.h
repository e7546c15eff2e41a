#pragma once
// File > Open Batch Folder... (issue 20 step 4): choose a folder `neurolens-cli batch run --out` wrote; its table
// (the merged results, one row per task) opens in the Batch dock, made on first use beside Analysis Results. A
// batch folder given on the command line, dropped on the window or picked from Recent Files opens the same way
// (the window's openFiles hands them here). A row's Open Pair (double-click) opens its recording and model
// through Workbench::openFiles, as File > Open does. The last batch folder is remembered for the dialog.
#include <QMainWindow>
#include <QStringList>
#include <cstddef>

#include "actions/reaction.h"
#include "logic/file_kind.h"  // isBatchFolder: the window's drop test

namespace neurolens::gui {

class BatchPanel;

class OpenBatchAction : public Reaction {
  Q_OBJECT

 public:
  OpenBatchAction(QAction* action, QMainWindow& window, Workbench& workbench);

 protected:
  void onTriggered() override;

 private:
  QMainWindow& window_;
};

// Reads `folder` into the window's Batch dock and shows it (a folder that holds no batch, or a damaged one, is
// said there and in the status bar). Returns the dock's panel.
BatchPanel* openBatchFolder(QMainWindow& window, Workbench& workbench, const QString& folder);
// Opens the batch folders among `paths` (logic/file_kind.h: isBatchFolder) and returns the other paths, in order.
[[nodiscard]] QStringList openBatchFolders(QMainWindow& window, Workbench& workbench, const QStringList& paths);
// The reaction to a row's Open Pair: its recording and model open in the workspace (a file that is gone is said
// in the status bar instead).
void openBatchPair(Workbench& workbench, const BatchPanel& panel, std::size_t row);

}  // namespace neurolens::gui
