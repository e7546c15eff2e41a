#include "actions/reaction.h"

namespace neurolens::gui {

Reaction::Reaction(QAction* action, Workbench& workbench) : QObject(action), action_(action), workbench_(workbench) {
  connect(action, &QAction::triggered, this, [this] { onTriggered(); });
}

}  // namespace neurolens::gui
