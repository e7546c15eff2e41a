#include "actions/run_analysis_action.h"

namespace neurolens::gui {

RunAttributionAction::RunAttributionAction(QAction* action, Workbench& workbench) : Reaction(action, workbench) {
  action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
  action->setStatusTip(tr("Attribute the model's latents to units and link unit types to latents"));
}

void RunAttributionAction::onTriggered() { workbench().runAttribution(); }

RunProbeAction::RunProbeAction(QAction* action, Workbench& workbench) : Reaction(action, workbench) {
  action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
  action->setStatusTip(tr("Decode the chosen target from latents or counts (cross-validated)"));
}

void RunProbeAction::onTriggered() { workbench().runProbe(); }

}  // namespace neurolens::gui
