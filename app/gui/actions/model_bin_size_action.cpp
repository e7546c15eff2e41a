#include "actions/model_bin_size_action.h"

#include <QFileInfo>
#include <QMetaObject>
#include <QStringList>
#include <cmath>

#include "logic/bin_size_choice.h"
#include "pipeline_controller.h"
#include "widgets/dock_panes.h"
#include "workbench.h"
#include "workspace_controller.h"

namespace neurolens::gui {

ModelBinSizeAction::ModelBinSizeAction(WorkspaceController& workspace, PipelineController& controller,
                                       RecordingPane& pane, Workbench& workbench, QObject* parent)
    : QObject(parent), workspace_(workspace), controller_(controller), pane_(pane), workbench_(workbench) {
  setObjectName("modelBinSize");
  connect(&workspace_, &WorkspaceController::itemChanged, this, &ModelBinSizeAction::onChanged);
  connect(&workspace_, &WorkspaceController::rebinRequested, this,
          [this](double ms, const QString& recording) { rebin(ms, {recording}); });
  // The controller's own check finds the bin size wrong first: no problem box for what follows here.
  controller_.addFitMender([this](const QString& model, const QString& /*recording*/) {
    const workspace::ModelItem* item =
        workspace_.workspace().findModel(QFileInfo(model).absoluteFilePath().toStdString());
    return item != nullptr && binSizeToFollow(workspace_.workspace(), item->id, controller_.binning().binMs);
  });
}

void ModelBinSizeAction::onChanged(workspace::Kind kind, workspace::Id id) {
  const workspace::Workspace& space = workspace_.workspace();
  if (kind == workspace::Kind::Model) {
    const workspace::ModelItem* model = space.model(id);
    if (model == nullptr || model->state != workspace::State::Ready || followed_.count(id) != 0) return;
    followed_.insert(id);
    // From the event loop: the workspace is still telling the others that the model is ready.
    QMetaObject::invokeMethod(
        this, [this, id] { follow(id); }, Qt::QueuedConnection);
  } else if (kind == workspace::Kind::Pair && announce_) {
    // Said once a pair of a recording binned again is drawn (after the controller's own "ran" message).
    const workspace::PairItem* pair = space.pair(id);
    const workspace::RecordingItem* recording = pair != nullptr ? space.recording(pair->recording) : nullptr;
    if (pair == nullptr || pair->state != workspace::State::Ready || !pair->model || recording == nullptr ||
        recording->data == nullptr || std::abs(recording->data->binMs - *announce_) > 1e-6)
      return;
    const QString message = tr("%1 binned at %2 ms, the model's bin size")
                                .arg(QFileInfo(QString::fromStdString(recording->path)).fileName(),
                                     QString::fromStdString(binText(*announce_)));
    QMetaObject::invokeMethod(
        this, [this, message] { workbench_.showStatus(message); }, Qt::QueuedConnection);
    if (recordingsBinnedOtherwise(space, *announce_).empty()) announce_.reset();
  }
}

void ModelBinSizeAction::follow(workspace::Id model) {
  const std::optional<double> ms = binSizeToFollow(workspace_.workspace(), model, controller_.binning().binMs);
  if (!ms) return;
  QStringList recordings;
  for (const std::string& path : recordingsBinnedOtherwise(workspace_.workspace(), *ms))
    recordings << QString::fromStdString(path);
  rebin(*ms, recordings);
  if (recordings.isEmpty())
    workbench_.showStatus(tr("Bins of %1 ms, the model's bin size").arg(QString::fromStdString(binText(*ms))));
}

void ModelBinSizeAction::rebin(double ms, const QStringList& recordings) {
  pane_.setBinMs(ms);  // the spin box tells the controller the new bin size (not the settings: not the user's)
  if (recordings.isEmpty()) return;
  announce_ = ms;
  workbench_.openFiles(recordings);
}

}  // namespace neurolens::gui
