#include "actions/open_model_action.h"

#include <QFileDialog>
#include <QSettings>

#include "logic/file_kind.h"

namespace neurolens::gui {

OpenModelAction::OpenModelAction(QAction* action, Workbench& workbench) : Reaction(action, workbench) {
  action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
  action->setStatusTip(
      tr("Open a trained model saved as TorchScript. TorchScript files are programs: open only files you trust."));
}

void OpenModelAction::onTriggered() {
  QSettings settings;
  const QString folder = settings.value("dialogs/modelFolder").toString();
  // The title carries the safety note: loading a TorchScript file runs its code.
  const QStringList paths = QFileDialog::getOpenFileNames(
      workbench().dialogParent(), tr("Open Model (TorchScript runs code: open only files you trust)"), folder,
      QString::fromLatin1(modelFileFilter()));
  if (paths.isEmpty()) return;
  settings.setValue("dialogs/modelFolder", QFileInfo(paths.front()).absolutePath());
  workbench().openFiles(paths);  // several at once: each opens in turn
}

}  // namespace neurolens::gui
