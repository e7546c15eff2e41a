#pragma once
// Asks for a multi-session model's session (issue 18 step 3): when a pair lands in error because no session of
// its model is its recording's NWB identifier, a non-modal SessionDialog (QDialog::open) names the recording, its
// identifier and the sessions; Run chooses one through WorkspaceController::chooseSession. Each pair is asked
// about once (logic/session_choice.h's SessionAsker); without dialogs (--screenshot/--state-json) nothing is
// asked and the error stays. The Workspace dock's "Session..." chooses any time.
#include <QObject>
#include <QPointer>
#include <functional>

#include "logic/session_choice.h"

class QWidget;

namespace neurolens::gui {

class PipelineController;
class SessionDialog;
class WorkspaceController;

class SessionChoiceAction : public QObject {
  Q_OBJECT

 public:
  // `mayAsk`: whether dialogs may open now (false in headless runs).
  SessionChoiceAction(WorkspaceController& workspace, PipelineController& controller, QWidget& dialogParent,
                      std::function<bool()> mayAsk);
  // The question open now (the last one asked), if any.
  [[nodiscard]] SessionDialog* dialog() const;

 private:
  void askLater();
  void ask();

  WorkspaceController& workspace_;
  QWidget& parent_;
  std::function<bool()> mayAsk_;
  SessionAsker asker_;
  QPointer<SessionDialog> dialog_;
  bool pending_ = false;
};

}  // namespace neurolens::gui
