#pragma once
// A model's own bin size (issue 18 step 3): when a model that declares bin_ms opens and the window's bin size or
// an open recording's is another, the bin size follows the model (the Recording pane's spin box shows it) and
// the recordings are binned again; the status bar then says "binned at N ms, the model's bin size". When the
// open models disagree nothing is automatic (logic/bin_size_choice.h decides); the Workspace dock's
// "Re-bin at N ms" (WorkspaceController::rebinRequested) bins that pair's recording at its model's size.
#include <QObject>
#include <optional>
#include <set>

#include "neurolens/workspace/workspace.h"

namespace neurolens::gui {

class PipelineController;
class RecordingPane;
class WorkspaceController;
class Workbench;

class ModelBinSizeAction : public QObject {
  Q_OBJECT

 public:
  ModelBinSizeAction(WorkspaceController& workspace, PipelineController& controller, RecordingPane& pane,
                     Workbench& workbench, QObject* parent = nullptr);

 private:
  void onChanged(workspace::Kind kind, workspace::Id id);
  void follow(workspace::Id model);
  void rebin(double ms, const QStringList& recordings);

  WorkspaceController& workspace_;
  PipelineController& controller_;
  RecordingPane& pane_;
  Workbench& workbench_;
  std::set<workspace::Id> followed_;  // models whose bin size was considered once (when they opened)
  std::optional<double> announce_;    // the bin size to report once a recording is binned at it
};

}  // namespace neurolens::gui
