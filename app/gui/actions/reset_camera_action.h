#pragma once
// View > Reset Camera: fit the whole scene in the 3-D view.
#include "actions/reaction.h"

namespace neurolens::gui {

class ResetCameraAction : public Reaction {
  Q_OBJECT

 public:
  ResetCameraAction(QAction* action, Workbench& workbench);

 protected:
  void onTriggered() override;
};

}  // namespace neurolens::gui
