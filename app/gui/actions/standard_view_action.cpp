#include "actions/standard_view_action.h"

namespace neurolens::gui {

StandardViewAction::StandardViewAction(QAction* action, Workbench& workbench, views::StandardView view)
    : Reaction(action, workbench), view_(view) {
  action->setText(label(view));
}

QString StandardViewAction::label(views::StandardView view) {
  switch (view) {
    case views::StandardView::PlusX:
      return tr("Look Along +X");
    case views::StandardView::MinusX:
      return tr("Look Along -X");
    case views::StandardView::PlusY:
      return tr("Look Along +Y");
    case views::StandardView::MinusY:
      return tr("Look Along -Y");
    case views::StandardView::PlusZ:
      return tr("Look Along +Z");
    case views::StandardView::MinusZ:
      return tr("Look Along -Z");
    case views::StandardView::Isometric:
      return tr("Isometric View");
  }
  return {};
}

void StandardViewAction::onTriggered() { workbench().trajectoryView()->setStandardView(view_); }

}  // namespace neurolens::gui
