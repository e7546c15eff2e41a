#pragma once
// File > Save Session: inputs (with content hashes), parameters and view state, results beside it.
#include "actions/reaction.h"

namespace neurolens::gui {

class SaveSessionAction : public Reaction {
  Q_OBJECT

 public:
  SaveSessionAction(QAction* action, Workbench& workbench);

 protected:
  void onTriggered() override;
};

}  // namespace neurolens::gui
