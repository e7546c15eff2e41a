#include "actions/session_choice_action.h"

#include <QFileInfo>
#include <QMetaObject>
#include <QWidget>

#include "pipeline_controller.h"
#include "widgets/session_dialog.h"
#include "workspace_controller.h"

namespace neurolens::gui {

SessionChoiceAction::SessionChoiceAction(WorkspaceController& workspace, PipelineController& controller,
                                         QWidget& dialogParent, std::function<bool()> mayAsk)
    : QObject(&dialogParent), workspace_(workspace), parent_(dialogParent), mayAsk_(std::move(mayAsk)) {
  setObjectName("sessionChoice");
  connect(&workspace_, &WorkspaceController::itemAdded, this, &SessionChoiceAction::askLater);
  connect(&workspace_, &WorkspaceController::itemChanged, this, &SessionChoiceAction::askLater);
  // The controller's own check finds no session first: the question below replaces its problem box.
  controller.addFitMender([this](const QString& model, const QString& recording) {
    const workspace::Workspace& space = workspace_.workspace();
    const auto* modelItem = space.findModel(QFileInfo(model).absoluteFilePath().toStdString());
    const auto* recordingItem = space.findRecording(QFileInfo(recording).absoluteFilePath().toStdString());
    if (modelItem == nullptr || recordingItem == nullptr) return false;
    const workspace::PairItem* pair = space.findPair(recordingItem->id, modelItem->id);
    // No session matched (the question comes), or one was chosen that the controller's own check did not know.
    return pair != nullptr && ((mayAsk_() && needsSession(space, pair->id)) || !pair->requestedSession.empty());
  });
}

SessionDialog* SessionChoiceAction::dialog() const { return dialog_.data(); }

void SessionChoiceAction::askLater() {
  if (pending_) return;
  pending_ = true;
  QMetaObject::invokeMethod(
      this,
      [this] {
        pending_ = false;
        ask();
      },
      Qt::QueuedConnection);
}

void SessionChoiceAction::ask() {
  if (!mayAsk_()) return;  // headless: the error stays, as cli.md asks (no modal dialogs)
  for (const workspace::Id pair : asker_.toAsk(workspace_.workspace())) {
    auto* dialog = new SessionDialog(pair, QString::fromStdString(sessionQuestion(workspace_.workspace(), pair)),
                                     sessionOffers(workspace_.workspace(), pair), &parent_);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SessionDialog::chosen, this,
            [this](workspace::Id id, const std::string& session) { workspace_.chooseSession(id, session); });
    // The pair closed meanwhile: its question goes too.
    connect(&workspace_, &WorkspaceController::itemRemoved, dialog, [dialog](workspace::Kind kind, workspace::Id id) {
      if (kind == workspace::Kind::Pair && id == dialog->pair()) dialog->reject();
    });
    dialog_ = dialog;
    dialog->open();
  }
}

}  // namespace neurolens::gui
