#pragma once
// Help > About NeuroLens.
#include "actions/reaction.h"

namespace neurolens::gui {

class AboutAction : public Reaction {
  Q_OBJECT

 public:
  AboutAction(QAction* action, Workbench& workbench);

 protected:
  void onTriggered() override;
};

}  // namespace neurolens::gui
