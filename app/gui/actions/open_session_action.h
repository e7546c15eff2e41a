#pragma once
// File > Open Session: reopens a saved session and says which inputs changed since.
#include "actions/reaction.h"

namespace neurolens::gui {

class OpenSessionAction : public Reaction {
  Q_OBJECT

 public:
  OpenSessionAction(QAction* action, Workbench& workbench);

 protected:
  void onTriggered() override;
};

}  // namespace neurolens::gui
