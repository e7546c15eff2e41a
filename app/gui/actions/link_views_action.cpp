#include "actions/link_views_action.h"

#include <QSettings>

#include "widgets/pair_grid.h"

namespace neurolens::gui {

LinkViewsAction::LinkViewsAction(QAction* action, Workbench& workbench) : Reaction(action, workbench) {
  action->setCheckable(true);
  action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
  action->setStatusTip(tr("Sync the cameras and time cursor of every view; one colour per condition, one legend"));
  action->setChecked(QSettings().value(kSettingsKey, false).toBool());
  if (PairGrid* grid = workbench.pairGrid()) grid->setLinked(action->isChecked());
}

void LinkViewsAction::onTriggered() {
  QSettings().setValue(kSettingsKey, action()->isChecked());
  if (PairGrid* grid = workbench().pairGrid()) grid->setLinked(action()->isChecked());
}

}  // namespace neurolens::gui
