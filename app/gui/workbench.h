#pragma once
// What the action classes may ask of the main window. Keeping it an interface lets
// each action stay a small class that knows nothing of the window's layout.
#include <QString>

class QWidget;

namespace neurolens::views {
class VtkViewWidget;
}

namespace neurolens::gui {

class RecentFiles;
class PairGrid;

class Workbench {
 public:
  virtual ~Workbench() = default;
  [[nodiscard]] virtual QWidget* dialogParent() = 0;
  [[nodiscard]] virtual views::VtkViewWidget* trajectoryView() = 0;
  [[nodiscard]] virtual bool hasScene() const = 0;
  [[nodiscard]] virtual RecentFiles& recentFiles() = 0;
  // The centre's views, one per pair (linking, export of any view).
  [[nodiscard]] virtual PairGrid* pairGrid() const = 0;
  // Each open waits its turn: it starts at once when nothing runs, else when the running job ends.
  virtual void openRecording(const QString& path) = 0;
  virtual void openModel(const QString& path) = 0;
  // Opens each file by kind (recording, model or session), in order; says so for files of neither kind.
  virtual void openFiles(const QStringList& paths) = 0;
  virtual void showDemoTrajectories() = 0;
  // Writes the bundled demo (recording + model) if missing and runs the pipeline on it.
  virtual void openDemo() = 0;
  virtual void saveSession(const QString& path) = 0;
  virtual void openSession(const QString& path) = 0;
  // Starts attribution / a probe with the Analysis dock's settings.
  virtual void runAttribution() = 0;
  virtual void runProbe() = 0;
  virtual void setCompareMode(bool on) = 0;
  virtual void showStatus(const QString& message) = 0;
};

}  // namespace neurolens::gui
