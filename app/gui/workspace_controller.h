#pragma once
// The Qt side of the workspace (issue 28 step 3): owns the Qt-free workspace::Workspace and turns its plain
// callbacks into signals (Slicer's scene + logic), runs each pair's model on its recording as a BackgroundJob
// (one per pair, with progress and Cancel; closing a file cancels them), and learns every file's outcome from
// the PipelineController that opens it (so nothing is read twice). The PipelineController holds the pair the
// docks show (the focus); when its own pair cannot be drawn and another can, the focus moves there.
#include <QObject>
#include <QString>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jobs/background_job.h"
#include "neurolens/workspace/workspace.h"
#include "session/session.h"

namespace neurolens::gui {

class PipelineController;

class WorkspaceController : public QObject {
  Q_OBJECT

 public:
  explicit WorkspaceController(PipelineController& controller, QObject* parent = nullptr);
  ~WorkspaceController() override;
  WorkspaceController(const WorkspaceController&) = delete;
  WorkspaceController& operator=(const WorkspaceController&) = delete;

  [[nodiscard]] const workspace::Workspace& workspace() const { return workspace_; }
  // A file about to be opened (shown as loading until the PipelineController reports it).
  void asked(const QString& path, bool recording);
  // Closes a recording or a model: its jobs are cancelled, its pairs removed.
  void close(workspace::Id id);
  // Cancels a pair's run, or a file's opening.
  void cancel(workspace::Id id);
  // Runs a pair again whose run failed or was cancelled, or asks for a file to be opened again (openAgain) that
  // could not be opened or whose opening was cancelled; workspace::Workspace::retryFor says which.
  void retry(workspace::Id id);
  // The pair's running job, or the job opening a file; null when none runs.
  [[nodiscard]] BackgroundJob* jobFor(workspace::Id id) const;
  // The paths of the recordings (or models) open and ready, in the order opened (a session's lists).
  [[nodiscard]] std::vector<std::string> readyPaths(bool recordings) const;
  // Jobs run, or pairs wait for one (the opening queue waits for them too).
  [[nodiscard]] bool busy() const;
  // The pair the PipelineController (the docks and the main view) holds; none when it holds no recording.
  [[nodiscard]] std::optional<workspace::Id> focusedPair() const;
  void setTrajectories(workspace::Id pair, std::size_t count) { workspace_.setTrajectories(pair, count); }
  // A multi-session model's pair runs with `session` (empty: the recording's own): checked again, then run.
  bool chooseSession(workspace::Id pair, const std::string& session);
  // The sessions chosen for pairs (a saved session keeps them), and the ones to choose again when those pairs
  // open (a reopened session): each is chosen once its pair's files are in, then forgotten.
  [[nodiscard]] std::vector<PairSessionChoice> chosenSessions() const;
  void chooseWhenOpen(const std::vector<PairSessionChoice>& choices);
  // Asks for the pair's recording to be binned again at its model's bin size (rebinRequested).
  void rebin(workspace::Id pair);

 Q_SIGNALS:
  void itemAdded(neurolens::workspace::Kind kind, neurolens::workspace::Id id);
  void itemChanged(neurolens::workspace::Kind kind, neurolens::workspace::Id id);
  void itemRemoved(neurolens::workspace::Kind kind, neurolens::workspace::Id id);
  void jobStarted(neurolens::gui::BackgroundJob* job);
  // The PipelineController's pair (the focus) may be another now, or drawn anew.
  void focusChanged();
  // A file to open again (retry): the window opens it through its opening queue, as any other.
  void openAgain(const QString& path);
  // A pair in error for its bin size asked to bin its recording again at `ms` (its model's bin size).
  void rebinRequested(double ms, const QString& recording);

 private:
  void onRecordingChanged(bool ok);
  void onModelChanged(bool ok);
  void startPairsLater();
  void startPairs();
  void startPair(workspace::Id id);
  void refocus();
  void chooseWaitingSessions();
  [[nodiscard]] std::optional<workspace::Id> pairOf(const QString& recording, const QString& model) const;

  PipelineController& controller_;
  workspace::Workspace workspace_;
  std::map<workspace::Id, std::unique_ptr<BackgroundJob>> jobs_;  // running pair jobs
  bool startPending_ = false;
  std::map<std::pair<std::string, std::string>, std::string> waitingSessions_;  // (recording, model) -> session
};

}  // namespace neurolens::gui
