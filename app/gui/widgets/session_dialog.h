#pragma once
// The question asked when a pair of a multi-session model lands in error because no session is the recording's
// identifier (issue 18 step 3): the recording, its identifier and the model's sessions, a combo of the sessions
// (logic/session_choice.h offers them) and Run / Cancel. Non-modal: opened with QDialog::open, it answers
// through chosen().
#include <QDialog>
#include <string>
#include <vector>

#include "logic/session_choice.h"
#include "neurolens/workspace/workspace.h"

class QComboBox;

namespace neurolens::gui {

class SessionDialog : public QDialog {
  Q_OBJECT

 public:
  SessionDialog(workspace::Id pair, const QString& question, const std::vector<SessionOffer>& offers,
                QWidget* parent = nullptr);
  [[nodiscard]] workspace::Id pair() const { return pair_; }
  [[nodiscard]] QComboBox* combo() const { return combo_; }

 Q_SIGNALS:
  // Run: the pair runs with `session` (an id; empty: the recording's own).
  void chosen(neurolens::workspace::Id pair, const std::string& session);

 private:
  workspace::Id pair_;
  QComboBox* combo_ = nullptr;
};

}  // namespace neurolens::gui
