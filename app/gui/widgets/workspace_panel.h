#pragma once
// The Workspace dock (issue 28 step 3): every recording, model and pair with its state (loading, ready, error
// and why), a progress bar with Cancel for each running job, Run again (a pair whose run failed or was cancelled)
// or Open again (a file that could not be opened) for each item in error, and Close for each file (which
// cancels its jobs). A pair of a multi-session model has "Session..." (issue 18 step 3: a menu of the sessions
// logic/session_choice.h offers, the current one checked); a pair whose recording is binned otherwise than its
// model wants has "Re-bin at N ms" (logic/bin_size_choice.h).
#include <QWidget>
#include <vector>

#include "logic/session_choice.h"
#include "neurolens/workspace/workspace.h"

class QToolButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace neurolens::gui {

class WorkspaceController;

class WorkspacePanel : public QWidget {
  Q_OBJECT

 public:
  explicit WorkspacePanel(WorkspaceController& workspace, QWidget* parent = nullptr);
  // Lists the workspace again (its signals call it from the event loop).
  void refresh();
  [[nodiscard]] QTreeWidget* tree() const { return tree_; }

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void refreshLater();
  void addRow(QTreeWidgetItem* group, workspace::Id id, const QString& name, workspace::State state,
              const std::string& error, const QString& detail, bool closable);
  QToolButton* sessionButton(workspace::Id id, const std::vector<SessionOffer>& offers);

  WorkspaceController& workspace_;
  QTreeWidget* tree_ = nullptr;
  bool refreshPending_ = false;
};

}  // namespace neurolens::gui
