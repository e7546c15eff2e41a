#pragma once
// Analysis > Run Attribution / Run Probe: start with the Analysis dock's settings.
#include "actions/reaction.h"

namespace neurolens::gui {

class RunAttributionAction : public Reaction {
  Q_OBJECT

 public:
  RunAttributionAction(QAction* action, Workbench& workbench);

 protected:
  void onTriggered() override;
};

class RunProbeAction : public Reaction {
  Q_OBJECT

 public:
  RunProbeAction(QAction* action, Workbench& workbench);

 protected:
  void onTriggered() override;
};

}  // namespace neurolens::gui
