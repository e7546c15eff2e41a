#pragma once
// The NeuroLens main window. It only assembles: the centre (an empty state, then the grid of pair views whose
// focus is the window's own FocusView), the docks (Workspace, Recording, Model, Trajectories, Analysis), menus
// whose actions each have their own reaction class (actions/), the status bar's job progress and drag and drop.
// State and long work live in PipelineController and WorkspaceController; what is drawn, how it is coloured,
// what a selection means and what a session restores are decided by the logic classes (logic/, session/), each
// tested alone (tests/app/test_window_logic.cpp); the widgets (widgets/) show what they are given.
#include <QMainWindow>
#include <memory>
#include <optional>

#include "jobs/open_scheduler.h"
#include "logic/colouring.h"
#include "logic/pipeline.h"
#include "logic/recent_files.h"
#include "pipeline_controller.h"
#include "session/app_settings.h"
#include "session/session.h"
#include "session/session_restore.h"
#include "widgets/focus_view.h"
#include "workbench.h"
#include "workspace_controller.h"

class QLabel;
class QStackedWidget;

namespace neurolens::views {
class TrajectoryScene;
}  // namespace neurolens::views

namespace neurolens::gui {

class JobProgressWidget;
class TablePanel;
class TrajectoryControls;
class AnalysisPanel;
class TrialHighlight;
class PairGrid;
class EmptyState;
class RecordingPane;
class ModelPane;
class AnalysisPane;

class MainWindow : public QMainWindow, public Workbench {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;
  MainWindow(const MainWindow&) = delete;
  MainWindow& operator=(const MainWindow&) = delete;

  // Workbench
  QWidget* dialogParent() override { return this; }
  views::VtkViewWidget* trajectoryView() override { return focus_->view(); }
  [[nodiscard]] bool hasScene() const override;
  RecentFiles& recentFiles() override { return recent_; }
  void openRecording(const QString& path) override;
  void openModel(const QString& path) override;
  void openFiles(const QStringList& paths) override;
  void showDemoTrajectories() override;
  void showStatus(const QString& message) override;
  void openDemo() override;
  void saveSession(const QString& path) override;
  void openSession(const QString& path) override;
  void runAttribution() override;
  void runProbe() override;
  void setCompareMode(bool on) override;

  // What main() does after showing the window: the demo on the very first start,
  // the last recording and model on later starts.
  void startUp();
  // Where the demo is written (default: <AppLocalDataLocation>/demo) and how big it is (tests).
  void setDemoFolder(const QString& folder) { demoFolder_ = folder; }
  void setDemoOptions(const DemoOptions& options) { demoOptions_ = options; }

  // For tests and the demo: the scene shown in the view (null before any).
  [[nodiscard]] views::TrajectoryScene* scene() const { return focus_->scene(); }
  [[nodiscard]] views::TrajectoryScene* compareScene() const { return focus_->compareScene(); }
  [[nodiscard]] views::VtkViewWidget* compareView() const { return focus_->compareView(); }
  [[nodiscard]] bool emptyStateShown() const;
  [[nodiscard]] bool openingRecording() const;
  [[nodiscard]] PipelineController& controller() { return controller_; }
  [[nodiscard]] const PipelineController& controller() const { return controller_; }
  // Files asked for and not started yet; idle() once all have been handled and no job runs.
  [[nodiscard]] OpenScheduler& opener() { return opener_; }
  // Every recording and model open, and their pairs; the centre's grid of pair views.
  [[nodiscard]] WorkspaceController& workspace() { return *workspace_; }
  [[nodiscard]] PairGrid* pairGrid() const override { return grid_; }
  // false: problems are reported (problemReported, status bar) but no message box opens (headless runs).
  void setDialogsShown(bool shown) { dialogsShown_ = shown; }
  [[nodiscard]] TablePanel* unitsTable() const;
  [[nodiscard]] TablePanel* trialsTable() const;
  [[nodiscard]] TrajectoryControls* trajectoryControls() const { return controls_; }
  [[nodiscard]] AnalysisPanel* analysisPanel() const { return analysis_; }
  [[nodiscard]] const Trajectories* trajectories() const { return trajectories_ ? &*trajectories_ : nullptr; }
  [[nodiscard]] const TrialHighlight* trialHighlight() const { return focus_->highlight(); }
  [[nodiscard]] SessionState currentSessionState() const;
  void setCamera(const std::array<double, 9>& camera);

 Q_SIGNALS:
  void recordingOpened(const QString& path, bool ok);
  // Every problem shown to the user (message box or, without dialogs, the status bar).
  void problemReported(const QString& title, const QString& message);
  // A file given to open that is neither a recording, a model nor a session.
  void fileRefused(const QString& path, const QString& reason);
  // The 3-D view shows the model's trajectories (after each rebuild).
  void trajectoriesShown();
  // A reopened session's view state has been applied (after its pipeline ran).
  void sessionRestored();

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void createCentre();
  void createDocks();
  void connectController();
  void saveRecentFiles() const;
  // Starts a queued request (OpenScheduler calls it when nothing runs).
  void startRequest(const OpenRequest& request);
  void startFile(const QString& path, bool recording);
  void startSession(const QString& path);
  void onRecordingChanged(bool ok);
  // The centre before anything is drawn: the recording open, and why no open model runs on it.
  void showRecordingOpen();
  void onModelChanged(bool ok);
  void rebuildTrajectories(bool resetCamera);
  void onUnitsSelected(const std::vector<std::size_t>& rows);
  void onTypeSelected(const QString& type);
  void onTrialsSelected(const std::vector<std::size_t>& rows);
  void showProblem(const QString& title, const QString& message, const QString& objectName);
  void applySession();
  // Colours the trajectories as the Trajectories dock asks (logic/colouring.h says what and why not).
  void applyColouring();
  [[nodiscard]] std::vector<std::string> unitTypesShown() const;

  FocusView* focus_ = nullptr;
  PairGrid* grid_ = nullptr;
  QStackedWidget* centre_ = nullptr;
  EmptyState* emptyState_ = nullptr;
  RecordingPane* recordingPane_ = nullptr;
  ModelPane* modelPane_ = nullptr;
  AnalysisPane* analysisPane_ = nullptr;
  TrajectoryControls* controls_ = nullptr;
  AnalysisPanel* analysis_ = nullptr;
  JobProgressWidget* progress_ = nullptr;
  QAction* exportAction_ = nullptr;
  QAction* compareAction_ = nullptr;
  std::optional<Trajectories> trajectories_;
  AppSettings settings_;
  RecentFiles recent_;
  QString demoFolder_;
  DemoOptions demoOptions_;
  SessionRestore sessions_;
  bool dialogsShown_ = true;
  OpenScheduler opener_;
  // Declared last: destroyed first, cancelling and waiting for its jobs while the widgets still exist.
  PipelineController controller_;
  // Destroyed before the controller whose outcomes it follows (its pair jobs are cancelled and waited for).
  std::unique_ptr<WorkspaceController> workspace_;
};

}  // namespace neurolens::gui
