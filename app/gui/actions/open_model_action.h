#pragma once
// File > Open Model...: choose a TorchScript model (see the model contract).
#include "actions/reaction.h"

namespace neurolens::gui {

class OpenModelAction : public Reaction {
  Q_OBJECT

 public:
  OpenModelAction(QAction* action, Workbench& workbench);

 protected:
  void onTriggered() override;
};

}  // namespace neurolens::gui
