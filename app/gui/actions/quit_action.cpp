#include "actions/quit_action.h"

#include <QWidget>

namespace neurolens::gui {

QuitAction::QuitAction(QAction* action, Workbench& workbench) : Reaction(action, workbench) {
  action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
  action->setMenuRole(QAction::QuitRole);
}

void QuitAction::onTriggered() { workbench().dialogParent()->window()->close(); }

}  // namespace neurolens::gui
