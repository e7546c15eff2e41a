#pragma once
// The menu bar: File, View, Analysis and Help, each entry a QAction with its own reaction class (actions/).
// Dock toggles go into View for every dock the window has when this is called.
#include <QMainWindow>

class QAction;

namespace neurolens::gui {

class Workbench;

struct MenuActions {
  QAction* exportView = nullptr;  // enabled once the view shows a scene
  QAction* compare = nullptr;     // checked while comparing side by side
  QAction* align = nullptr;       // Compare > Align (its reaction, AlignAction, needs the window's centre)
  QAction* lesion = nullptr;      // Compare > Lesion (LesionAction, a page of the centre)
  QAction* matrix = nullptr;      // Compare > Matrix (its reaction, MatrixAction, needs the window's centre)
};

MenuActions createMenus(QMainWindow& window, Workbench& workbench);

}  // namespace neurolens::gui
