#include "actions/save_session_action.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>

namespace neurolens::gui {

SaveSessionAction::SaveSessionAction(QAction* action, Workbench& workbench) : Reaction(action, workbench) {
  action->setShortcut(QKeySequence::Save);
  action->setStatusTip(tr("Save the open files, parameters and view as a session (*.nlsession)"));
}

void SaveSessionAction::onTriggered() {
  QSettings settings;
  const QString folder = settings.value("dialogs/sessionFolder").toString();
  QString path = QFileDialog::getSaveFileName(workbench().dialogParent(), tr("Save Session"), folder,
                                              tr("NeuroLens sessions (*.nlsession)"));
  if (path.isEmpty()) return;
  if (!path.endsWith(".nlsession")) path += ".nlsession";
  settings.setValue("dialogs/sessionFolder", QFileInfo(path).absolutePath());
  workbench().saveSession(path);
}

}  // namespace neurolens::gui
