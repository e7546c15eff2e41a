#pragma once
// View > Compare Side by Side: two linked trajectory views (checkable).
#include "actions/reaction.h"

namespace neurolens::gui {

class CompareAction : public Reaction {
  Q_OBJECT

 public:
  CompareAction(QAction* action, Workbench& workbench);

 protected:
  void onTriggered() override;
};

}  // namespace neurolens::gui
