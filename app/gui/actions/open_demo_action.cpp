#include "actions/open_demo_action.h"

namespace neurolens::gui {

OpenDemoAction::OpenDemoAction(QAction* action, Workbench& workbench) : Reaction(action, workbench) {
  action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
  action->setStatusTip(
      tr("Open the bundled demo: a simulated reaching session with known structure and the model "
         "trained on it"));
}

void OpenDemoAction::onTriggered() { workbench().openDemo(); }

}  // namespace neurolens::gui
