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
  const QString path = QFileDialog::getOpenFileName(workbench().dialogParent(),
                                                    tr("Open Model (TorchScript runs code: open only files you trust)"),
                                                    folder, QString::fromLatin1(modelFileFilter()));
  if (path.isEmpty()) return;
  settings.setValue("dialogs/modelFolder", QFileInfo(path).absolutePath());
  workbench().openModel(path);
}

}  // namespace neurolens::gui
