#pragma once
// File > Quit (Ctrl+Q): closes the main window, which saves its layout.
#include "actions/reaction.h"

namespace neurolens::gui {

class QuitAction : public Reaction {
  Q_OBJECT

 public:
  QuitAction(QAction* action, Workbench& workbench);

 protected:
  void onTriggered() override;
};

}  // namespace neurolens::gui
