#pragma once
// One class per user action (ParaView's "reactions"): a reaction is parented to
// its QAction and does the work when the action triggers. The main window only
// creates actions, places them in menus and attaches reactions.
#include <QAction>
#include <QObject>

#include "workbench.h"

namespace neurolens::gui {

class Reaction : public QObject {
  Q_OBJECT

 public:
  Reaction(QAction* action, Workbench& workbench);

 protected:
  virtual void onTriggered() = 0;
  [[nodiscard]] QAction* action() const { return action_; }
  [[nodiscard]] Workbench& workbench() const { return workbench_; }

 private:
  QAction* action_;
  Workbench& workbench_;
};

}  // namespace neurolens::gui
