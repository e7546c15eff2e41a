#include "actions/compare_action.h"

namespace neurolens::gui {

CompareAction::CompareAction(QAction* action, Workbench& workbench) : Reaction(action, workbench) {
  action->setCheckable(true);
  action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
  action->setStatusTip(tr("Two trajectory views side by side with linked cameras and time cursor"));
}

void CompareAction::onTriggered() { workbench().setCompareMode(action()->isChecked()); }

}  // namespace neurolens::gui
