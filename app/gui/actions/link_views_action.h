#pragma once
// View > Link Views (issue 29 step 1): a checkable action, remembered in the settings; checked, the grid's views
// share their camera and time cursor, each condition label one colour, and one legend (widgets/pair_grid.h).
#include "actions/reaction.h"

namespace neurolens::gui {

class LinkViewsAction : public Reaction {
  Q_OBJECT

 public:
  static constexpr const char* kSettingsKey = "view/linkViews";
  LinkViewsAction(QAction* action, Workbench& workbench);

 protected:
  void onTriggered() override;
};

}  // namespace neurolens::gui
