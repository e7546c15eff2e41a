#pragma once
// File > Open Demo: the bundled demo recording and model through the real pipeline.
#include "actions/reaction.h"

namespace neurolens::gui {

class OpenDemoAction : public Reaction {
  Q_OBJECT

 public:
  OpenDemoAction(QAction* action, Workbench& workbench);

 protected:
  void onTriggered() override;
};

}  // namespace neurolens::gui
