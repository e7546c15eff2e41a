#include "actions/show_demo_action.h"

namespace neurolens::gui {

ShowDemoAction::ShowDemoAction(QAction* action, Workbench& workbench) : Reaction(action, workbench) {
  action->setStatusTip(tr("Show synthetic rotational trajectories (8 conditions) to try the 3-D view"));
}

void ShowDemoAction::onTriggered() { workbench().showDemoTrajectories(); }

}  // namespace neurolens::gui
