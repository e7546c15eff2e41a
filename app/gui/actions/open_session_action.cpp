#include "actions/open_session_action.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>

namespace neurolens::gui {

OpenSessionAction::OpenSessionAction(QAction* action, Workbench& workbench) : Reaction(action, workbench) {
  action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  action->setStatusTip(tr("Reopen a saved session (*.nlsession)"));
}

void OpenSessionAction::onTriggered() {
  QSettings settings;
  const QString folder = settings.value("dialogs/sessionFolder").toString();
  const QString path = QFileDialog::getOpenFileName(workbench().dialogParent(), tr("Open Session"), folder,
                                                    tr("NeuroLens sessions (*.nlsession)"));
  if (path.isEmpty()) return;
  settings.setValue("dialogs/sessionFolder", QFileInfo(path).absolutePath());
  workbench().openSession(path);
}

}  // namespace neurolens::gui
