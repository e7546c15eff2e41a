#include "actions/reset_camera_action.h"

#include "neurolens/views/vtk_view_widget.h"

namespace neurolens::gui {

ResetCameraAction::ResetCameraAction(QAction* action, Workbench& workbench) : Reaction(action, workbench) {
  action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  action->setStatusTip(tr("Fit the whole scene in the view"));
}

void ResetCameraAction::onTriggered() { workbench().trajectoryView()->resetCamera(); }

}  // namespace neurolens::gui
