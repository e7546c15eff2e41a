#pragma once
// Help > Show Demo Trajectories: synthetic rotational trajectories in the 3-D view.
#include "actions/reaction.h"

namespace neurolens::gui {

class ShowDemoAction : public Reaction {
  Q_OBJECT

 public:
  ShowDemoAction(QAction* action, Workbench& workbench);

 protected:
  void onTriggered() override;
};

}  // namespace neurolens::gui
