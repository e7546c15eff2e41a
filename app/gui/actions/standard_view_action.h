#pragma once
// View > Standard Views > +X, -X, +Y, -Y, +Z, -Z, Isometric: one reaction per
// direction, each looking along its axis at the whole scene.
#include "actions/reaction.h"
#include "neurolens/views/vtk_view_widget.h"

namespace neurolens::gui {

class StandardViewAction : public Reaction {
  Q_OBJECT

 public:
  StandardViewAction(QAction* action, Workbench& workbench, views::StandardView view);
  // Menu text for a view, e.g. "Look Along +X".
  [[nodiscard]] static QString label(views::StandardView view);

 protected:
  void onTriggered() override;

 private:
  views::StandardView view_;
};

}  // namespace neurolens::gui
