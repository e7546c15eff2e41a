#pragma once
// File > Open Recording... (Ctrl+O): choose an NWB / MAT recording and open it.
#include "actions/reaction.h"

namespace neurolens::gui {

class OpenRecordingAction : public Reaction {
  Q_OBJECT

 public:
  OpenRecordingAction(QAction* action, Workbench& workbench);

 protected:
  void onTriggered() override;
};

}  // namespace neurolens::gui
