#pragma once
// File > Recent Files: the menu is rebuilt from the recent-files list each time it
// opens; choosing an entry reopens that file by kind; "Clear Menu" empties it.
#include <QMenu>
#include <QObject>

#include "workbench.h"

namespace neurolens::gui {

class RecentFilesAction : public QObject {
  Q_OBJECT

 public:
  RecentFilesAction(QMenu* menu, Workbench& workbench);

  // Rebuilds the menu entries (also called on aboutToShow).
  void rebuild();

 private:
  QMenu* menu_;
  Workbench& workbench_;
};

}  // namespace neurolens::gui
