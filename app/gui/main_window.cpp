#include "main_window.h"

#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScrollArea>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QVBoxLayout>
#include <exception>

#include "actions/align_action.h"
#include "actions/lesion_action.h"
#include "actions/matrix_action.h"
#include "actions/menus.h"
#include "actions/model_bin_size_action.h"
#include "actions/open_batch_action.h"
#include "actions/session_choice_action.h"
#include "cursor_attribution_controller.h"
#include "jobs/job_progress_widget.h"
#include "logic/focus_drawing.h"
#include "logic/recording_description.h"
#include "logic/selection.h"
#include "neurolens/views/vtk_view_widget.h"
#include "widgets/analysis_panel.h"
#include "widgets/dock_panes.h"
#include "widgets/embedding_view.h"
#include "widgets/model_panel_text.h"
#include "widgets/pair_grid.h"
#include "widgets/table_panel.h"
#include "widgets/trajectory_controls.h"
#include "widgets/workspace_panel.h"

// Resources compiled into a static library must be registered by hand, and the
// macro only works outside a namespace.
static void registerGuiResources() { Q_INIT_RESOURCE(neurolens_gui); }

namespace neurolens::gui {

namespace {

QStringList localFiles(const QMimeData* mime) {
  QStringList paths;
  if (mime == nullptr || !mime->hasUrls()) return paths;
  for (const QUrl& url : mime->urls())
    if (url.isLocalFile()) paths << url.toLocalFile();
  return paths;
}

QString fileName(const QString& path) { return QFileInfo(path).fileName(); }
QString absolute(const QString& path) { return QFileInfo(path).absoluteFilePath(); }

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      opener_([this] { return controller_.busy() || workspace_->busy(); },
              [this](const OpenRequest& request) { startRequest(request); }),
      workspace_(std::make_unique<WorkspaceController>(controller_)) {
  registerGuiResources();
  setWindowTitle(tr("NeuroLens"));
  setWindowIcon(QIcon(":/neurolens/icons/neurolens.svg"));
  setAcceptDrops(true);
  setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
  demoFolder_ = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/demo";
  recent_.assign(settings_.recentFiles());
  BinningOptions binning;
  binning.binMs = settings_.binMs();
  controller_.setBinning(binning);
  controller_.setDevice(settings_.device());
  createCentre();
  createDocks();
  connectCursorAttribution(*new CursorAttributionController(this), controller_, *controls_, *trialsTable(), *analysis_);
  connectEmbeddingView(*analysis_->embeddingView(), controller_);  // the Unit embeddings tab follows the pair
  const MenuActions menus = createMenus(*this, *this);
  exportAction_ = menus.exportView;
  compareAction_ = menus.compare;
  new AlignAction(menus.align, *this, *centre_);  // Compare > Align: its view is a page of the centre
  new LesionAction(menus.lesion, *this, *centre_);
  new MatrixAction(menus.matrix, *this, *centre_);
  progress_ = new JobProgressWidget(statusBar());
  statusBar()->addPermanentWidget(progress_);
  statusBar()->showMessage(tr("Open a recording (Ctrl+O), the demo (Ctrl+D), or drop a file on the window"));
  connectController();
  for (BackgroundJob* job : {&controller_.recordingJob(), &controller_.modelJob(), &controller_.analysisJob()})
    opener_.watch(*job);
  controls_->setColourChoice(ColourChoice::parse(settings_.colour()));
  resize(1500, 950);
  restoreGeometry(settings_.geometry());
  restoreState(settings_.windowState());
}

MainWindow::~MainWindow() {
  // Stop the work first: its results refer to the views.
  controller_.cancelAll();
  controller_.recordingJob().waitForFinished();
  controller_.modelJob().waitForFinished();
  controller_.analysisJob().waitForFinished();
}

void MainWindow::createCentre() {
  centre_ = new QStackedWidget(this);
  emptyState_ = new EmptyState(centre_);
  focus_ = new FocusView(centre_);
  centre_->addWidget(emptyState_);
  grid_ = new PairGrid(
      *workspace_, focus_, [this] { return controls_->request(); }, centre_);
  centre_->addWidget(grid_);
  centre_->setCurrentWidget(emptyState_);
  setCentralWidget(centre_);
  // The buttons trigger the same actions as the menus (actions/menus.h).
  connect(emptyState_, &EmptyState::openRecordingClicked, this, [this] {
    if (auto* action = findChild<QAction*>("actionOpenRecording")) action->trigger();
  });
  connect(emptyState_, &EmptyState::openDemoClicked, this, [this] { openDemo(); });
  connect(emptyState_, &EmptyState::showDemoClicked, this, [this] { showDemoTrajectories(); });
  connect(workspace_.get(), &WorkspaceController::itemChanged, this, [this] { showRecordingOpen(); });
}

void MainWindow::createDocks() {
  recordingPane_ = new RecordingPane(controller_.binning().binMs, this);
  connect(recordingPane_, &RecordingPane::binMsChanged, this, [this](double ms, bool byUser) {
    BinningOptions options = controller_.binning();
    options.binMs = ms;
    controller_.setBinning(options);
    if (byUser) settings_.setBinMs(ms);  // a model's bin size followed is not the user's default
  });
  connect(recordingPane_, &RecordingPane::rebinRequested, this, [this] {
    if (!controller_.recordingPath().isEmpty()) openRecording(controller_.recordingPath());
  });
  connect(unitsTable(), &TablePanel::rowsSelected, this, &MainWindow::onUnitsSelected);
  connect(trialsTable(), &TablePanel::rowsSelected, this, &MainWindow::onTrialsSelected);

  modelPane_ = new ModelPane(controller_.device(), this);
  connect(modelPane_, &ModelPane::deviceChanged, this, [this](DeviceChoice device) {
    controller_.setDevice(device);
    settings_.setDevice(device);
  });

  controls_ = new TrajectoryControls(this);
  connect(controls_, &TrajectoryControls::requestChanged, this, [this] { rebuildTrajectories(true); });
  connect(controls_, &TrajectoryControls::groupVisibilityChanged, focus_, &FocusView::setConditionVisible);
  connect(controls_, &TrajectoryControls::timeChanged, this,
          [this](int bin) { focus_->setTime(static_cast<std::size_t>(std::max(0, bin))); });
  connect(controls_, &TrajectoryControls::timeChanged, grid_, &PairGrid::setTimeBin);
  connect(controls_, &TrajectoryControls::colourChanged, this, [this] {
    settings_.setColour(controls_->colourChoice().spec());
    applyColouring();
  });

  analysisPane_ = new AnalysisPane(this);
  analysis_ = analysisPane_->panel();
  connect(analysis_, &AnalysisPanel::attributionRequested, this,
          [this](const AttributionRequest& request) { controller_.runAttribution(request); });
  connect(analysis_, &AnalysisPanel::probeRequested, this,
          [this](const ProbeRequest& request) { controller_.runProbe(request); });
  connect(analysis_, &AnalysisPanel::typeSelected, this, &MainWindow::onTypeSelected);
  connect(analysis_, &AnalysisPanel::unitClicked, this, [this](std::size_t unit) {
    unitsTable()->selectRows({unit});
    onUnitsSelected({unit});
  });

  QDockWidget* recordingDock =
      addDock(*this, tr("Recording"), "recordingDock", recordingPane_, Qt::LeftDockWidgetArea, false);
  QDockWidget* modelDock = addDock(*this, tr("Model"), "modelDock", modelPane_, Qt::LeftDockWidgetArea, true);
  QDockWidget* viewDock =
      addDock(*this, tr("Trajectories"), "trajectoryDock", controls_, Qt::RightDockWidgetArea, false);
  QDockWidget* analysisDock =
      addDock(*this, tr("Analysis"), "analysisDock", analysisPane_, Qt::RightDockWidgetArea, true);
  QDockWidget* resultsDock = addDock(*this, tr("Analysis Results"), "resultsDock", analysis_->resultsWidget(),
                                     Qt::BottomDockWidgetArea, false);
  resultsDock->setMinimumHeight(220);
  QDockWidget* workspaceDock = addDock(*this, tr("Workspace"), "workspaceDock", new WorkspacePanel(*workspace_, this),
                                       Qt::LeftDockWidgetArea, false);
  new ModelBinSizeAction(*workspace_, controller_, *recordingPane_, *this, this);  // the bin size follows a model
  new SessionChoiceAction(*workspace_, controller_, *this, [this] { return dialogsShown_; });  // asks a session
  tabifyDockWidget(workspaceDock, recordingDock);
  splitDockWidget(recordingDock, modelDock, Qt::Vertical);
  splitDockWidget(viewDock, analysisDock, Qt::Vertical);
  resizeDocks({recordingDock, viewDock}, {330, 380}, Qt::Horizontal);
  resizeDocks({recordingDock, modelDock}, {520, 220}, Qt::Vertical);
  resizeDocks({viewDock, analysisDock}, {300, 480}, Qt::Vertical);
  resizeDocks({resultsDock}, {300}, Qt::Vertical);
}

void MainWindow::connectController() {
  connect(&controller_, &PipelineController::jobStarted, this, [this](BackgroundJob* job) {
    progress_->follow(job);
    analysis_->setBusy(true);
  });
  for (BackgroundJob* job : {&controller_.recordingJob(), &controller_.modelJob(), &controller_.analysisJob()})
    connect(job, &BackgroundJob::finished, this, [this] { analysis_->setBusy(controller_.busy()); });
  connect(workspace_.get(), &WorkspaceController::jobStarted, this, [this](BackgroundJob* job) {
    opener_.watch(*job);
    progress_->follow(job);
  });
  connect(workspace_.get(), &WorkspaceController::openAgain, this, [this](const QString& path) { openFiles({path}); });
  connect(&controller_, &PipelineController::recordingChanged, this, &MainWindow::onRecordingChanged);
  connect(&controller_, &PipelineController::modelChanged, this, &MainWindow::onModelChanged);
  connect(&controller_, &PipelineController::latentsChanged, this, [this] {
    rebuildTrajectories(true);
    if (sessions_.readyFor(controller_.recordingPath(), controller_.latents() != nullptr)) applySession();
  });
  connect(&controller_, &PipelineController::attributionChanged, this, [this] {
    analysis_->showAttribution(controller_.attribution());
    if (controls_->colourChoice().mode == ColourMode::Attribution) applyColouring();
  });
  connect(&controller_, &PipelineController::probeChanged, this, [this] { analysis_->showProbe(controller_.probe()); });
  connect(&controller_, &PipelineController::problem, this,
          [this](const QString& title, const QString& message) { showProblem(title, message, "problemBox"); });
  connect(&controller_, &PipelineController::status, this, &MainWindow::showStatus);
}

bool MainWindow::hasScene() const { return focus_->scene() != nullptr; }
bool MainWindow::emptyStateShown() const { return centre_->currentWidget() == emptyState_; }
bool MainWindow::openingRecording() const { return controller_.busy(); }
TablePanel* MainWindow::unitsTable() const { return recordingPane_->units(); }
TablePanel* MainWindow::trialsTable() const { return recordingPane_->trials(); }
void MainWindow::showStatus(const QString& message) { statusBar()->showMessage(message, 8000); }

void MainWindow::showProblem(const QString& title, const QString& message, const QString& objectName) {
  // Window-modal but not blocking: no nested event loop while the window works.
  Q_EMIT problemReported(title, message);
  if (!dialogsShown_) {
    statusBar()->showMessage(title + ": " + QString(message).replace('\n', ' '));
    return;
  }
  auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
  box->setObjectName(objectName);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

void MainWindow::startUp() {
  if (const std::optional<OpenRequest> request = settings_.takeStartRequest()) opener_.enqueue(*request);
}

void MainWindow::showDemoTrajectories() {
  trajectories_.reset();
  focus_->showSynthetic(syntheticTrajectories(), 40);
  centre_->setCurrentWidget(grid_);
  exportAction_->setEnabled(true);
  analysisPane_->showSyntheticDemo();
  showStatus(tr("Showing demo trajectories (synthetic)"));
}

void MainWindow::openDemo() { opener_.enqueue(OpenRequest{OpenKind::Demo, {}, {}}); }
void MainWindow::openRecording(const QString& path) { openFiles({path}); }
void MainWindow::openModel(const QString& path) { openFiles({path}); }
void MainWindow::openSession(const QString& path) { openFiles({path}); }

void MainWindow::openFiles(const QStringList& paths) {
  if (const QStringList rest = openBatchFolders(*this, *this, paths); rest != paths) return openFiles(rest);
  std::vector<std::string> files;
  for (const QString& path : paths) files.push_back(path.toStdString());
  if (controller_.busy() && !paths.isEmpty())
    showStatus(tr("%1 will open when the current job ends").arg(fileName(paths.front())));
  opener_.enqueue(openRequestsFor(files));
}

void MainWindow::startRequest(const OpenRequest& request) {
  const QString path = QString::fromStdString(request.path);
  switch (request.kind) {
    case OpenKind::Recording:
    case OpenKind::Model:
      return startFile(path, request.kind == OpenKind::Recording);
    case OpenKind::Session:
      return startSession(path);
    case OpenKind::RecordingWithModel:
      workspace_->asked(path, true);
      if (!request.model.empty()) workspace_->asked(QString::fromStdString(request.model), false);
      // A reopened session's pair with unchanged inputs: its saved latents stand (the model is not run again).
      return controller_.openRecordingWithModel(path, QString::fromStdString(request.model),
                                                sessions_.savedLatentsFor(path));
    case OpenKind::Unknown: {
      const QString reason = tr("%1 is neither a recording (.nwb, .mat) nor a model (.pt)").arg(fileName(path));
      showStatus(reason);
      Q_EMIT fileRefused(path, reason);
      return;
    }
    case OpenKind::Demo:
      recordingPane_->showPreparingDemo(demoFolder_);
      return controller_.openDemo(demoFolder_, demoOptions_);
  }
}

void MainWindow::startFile(const QString& path, bool recording) {
  workspace_->asked(path, recording);
  recent_.add(absolute(path).toStdString());
  saveRecentFiles();
  if (recording) {
    recordingPane_->showOpening(fileName(path));
    controller_.openRecording(path);
  } else {
    modelPane_->showLoading(fileName(path));
    controller_.openModel(path);
  }
}

void MainWindow::onRecordingChanged(bool ok) {
  const BinnedRecording* recording = controller_.recording();
  if (!ok) {
    const QString path = controller_.attemptedRecording();
    if (controller_.recordingJob().outcome() == BackgroundJob::Outcome::Failed) {
      const QString error = controller_.recordingJob().errorMessage();
      recordingPane_->showFailed(fileName(path), error);
      showStatus(tr("Could not open %1").arg(path));
      showProblem(tr("Could not open the recording"), error, "recordingErrorBox");
    } else if (recording == nullptr) {
      recordingPane_->showCancelled();
    }
    Q_EMIT recordingOpened(path, false);
    return;
  }
  const QString path = controller_.recordingPath();
  recordingPane_->setSummary(recordingPanelHtml(controller_));
  unitsTable()->setTable(unitsWithIds(*recording));
  trialsTable()->setTable(recording->trials);
  controls_->setColumns(categoricalColumns(recording->trials));
  controls_->setColourOptions(behaviourChoices(*recording));
  analysis_->setInputs(recording, controller_.model() != nullptr ? controller_.model()->latentCount() : 0, false);
  showRecordingOpen();
  settings_.setLastRecording(absolute(path));
  Q_EMIT recordingOpened(path, true);
}

void MainWindow::onModelChanged(bool ok) {
  if (ok) settings_.setLastModel(absolute(controller_.modelPath()));
  modelPane_->setSummary(modelPanelHtml(controller_));
  analysis_->setInputs(controller_.recording(), controller_.model() != nullptr ? controller_.model()->latentCount() : 0,
                       controller_.latents() != nullptr);
}

void MainWindow::showRecordingOpen() {
  const QString path = controller_.recordingPath();
  if (path.isEmpty()) return;
  const auto why = workspace_->workspace().whyNoModelRuns(absolute(path).toStdString());
  emptyState_->showRecordingOpen(fileName(path), why ? QString::fromStdString(*why) : QString());
}

std::vector<std::string> MainWindow::unitTypesShown() const {
  const BinnedRecording* recording = controller_.recording();
  if (recording == nullptr) return {};
  const std::string column = typeColumnFor(analysis_->attributionRequest().typeColumn, &recording->units);
  return unitTypes(recording->units, column, recording->unitCount());
}

void MainWindow::rebuildTrajectories(bool resetCamera) {
  FocusInputs inputs{controller_.recording(), controller_.model() != nullptr, controller_.latents(),
                     controller_.recordingPath().toStdString(), controller_.modelPath().toStdString()};
  std::optional<FocusDrawing> drawing;
  try {
    drawing = focusDrawing(inputs, controls_->request());
  } catch (const std::exception& error) {
    showProblem(tr("Cannot draw the trajectories"), QString::fromStdString(error.what()), "problemBox");
    return;
  }
  if (!drawing) {
    if (trajectories_) {
      // The model's trajectories no longer belong to the open recording.
      trajectories_.reset();
      focus_->clear();
      centre_->setCurrentWidget(emptyState_);
      exportAction_->setEnabled(false);
    }
    return;
  }
  trajectories_ = std::move(drawing->trajectories);
  controls_->setLegend(trajectories_->groups.names, trajectories_->colours, trajectories_->data.points.dim(1));
  controls_->setExplainedVariance(trajectories_->explainedVarianceRatio);
  focus_->show(*trajectories_, static_cast<std::size_t>(controls_->time()), resetCamera);
  centre_->setCurrentWidget(grid_);
  exportAction_->setEnabled(true);
  analysisPane_->setSummary(QString::fromStdString(drawing->summary));
  applyColouring();
  Q_EMIT trajectoriesShown();
}

void MainWindow::applyColouring() {
  if (focus_->scene() == nullptr || !trajectories_) return;
  const ColourChoice choice = controls_->colourChoice();
  ColouringInputs inputs{controller_.recording(), &*trajectories_, nullptr, {}};
  if (controller_.attribution() != nullptr) inputs.attribution = &controller_.attribution()->perBinMagnitude;
  if (choice.mode == ColourMode::Attribution)
    inputs.units = attributionUnits(unitsTable()->selectedRows(), unitsTable()->table(), unitTypesShown(),
                                    analysis_->selectedType().toStdString());
  const ColouringOutcome outcome = colourTrajectories(choice, inputs);
  focus_->setColouring(outcome.colouring);
  controls_->setColourNote(QString::fromStdString(outcome.note));
}

void MainWindow::onUnitsSelected(const std::vector<std::size_t>& rows) {
  analysis_->setSelectedUnit(rows.size() == 1 ? std::optional<std::size_t>(rows.front()) : std::nullopt);
  if (controls_->colourChoice().mode == ColourMode::Attribution) applyColouring();
  if (const auto type = typeOfFirst(unitTypesShown(), rows)) analysis_->setSelectedType(QString::fromStdString(*type));
}

void MainWindow::onTypeSelected(const QString& type) {
  if (controller_.recording() == nullptr) return;
  const std::vector<std::size_t> rows = unitsOfType(unitTypesShown(), type.toStdString());
  unitsTable()->selectRows(rows);
  analysis_->setSelectedUnit(std::nullopt);
  if (controls_->colourChoice().mode == ColourMode::Attribution) applyColouring();
  showStatus(tr("%1 units of type %2 selected").arg(rows.size()).arg(type));
}

void MainWindow::onTrialsSelected(const std::vector<std::size_t>& rows) {
  if (!trajectories_ || rows.empty()) return focus_->clearHighlight();
  if (const auto row = drawnRowOfTrial(*trajectories_, rows.front()))
    focus_->highlight(trajectories_->data.points, *row);
}

void MainWindow::setCompareMode(bool on) {
  focus_->setComparing(on);
  if (compareAction_->isChecked() != on) compareAction_->setChecked(on);
  if (!on) return;
  rebuildTrajectories(false);
  focus_->matchCompareCamera();
  showStatus(tr("Compare: the right view has its own groups (ticks below it); cameras and time are linked"));
}

void MainWindow::setCamera(const std::array<double, 9>& camera) { focus_->setCamera(camera); }
void MainWindow::runAttribution() { controller_.runAttribution(analysis_->attributionRequest()); }
void MainWindow::runProbe() { controller_.runProbe(analysis_->probeRequest()); }

SessionState MainWindow::currentSessionState() const {
  SessionState state = pipelineSessionState(controller_, workspace_->readyPaths(true), workspace_->readyPaths(false));
  state.trajectory = controls_->request();
  state.groupVisible = controls_->groupVisibility();
  state.time = controls_->time();
  if (focus_->scene() != nullptr) state.camera = focus_->view()->cameraState();
  state.selectedType = analysis_->selectedType();
  state.colour = controls_->colourChoice().spec();
  state.pairSessions = workspace_->chosenSessions();
  return state;
}

void MainWindow::saveSession(const QString& path) {
  try {
    neurolens::gui::saveSession(path, currentSessionState(), controller_.latents(), controller_.attribution().get(),
                                controller_.probe().get());
    recent_.add(absolute(path).toStdString());
    saveRecentFiles();
    showStatus(tr("Session saved to %1").arg(path));
  } catch (const std::exception& error) {
    showProblem(tr("Could not save the session"), QString::fromStdString(error.what()), "problemBox");
  }
}

void MainWindow::startSession(const QString& path) {
  LoadedSession session;
  try {
    session = loadSession(path);
  } catch (const std::exception& error) {
    showProblem(tr("Could not open the session"), QString::fromStdString(error.what()), "problemBox");
    return;
  }
  if (!session.changedInputs.isEmpty()) {
    showProblem(tr("Inputs changed since the session was saved"),
                tr("These files are not what the session was saved with; results computed now may differ:\n\n%1")
                    .arg(session.changedInputs.join("\n")),
                "sessionChangedBox");
  }
  recordingPane_->setBinMs(session.state.binning.binMs);
  controller_.setBinning(session.state.binning);
  modelPane_->setDevice(session.state.device);
  workspace_->chooseWhenOpen(session.state.pairSessions);
  const SessionRestore::Start start = sessions_.begin(std::move(session));
  if (!start.problem.isEmpty()) return showProblem(tr("Could not open the session"), start.problem, "problemBox");
  recent_.add(absolute(path).toStdString());
  saveRecentFiles();
  opener_.enqueue(start.requests);
}

void MainWindow::applySession() {
  const LoadedSession session = sessions_.take();
  const SessionState& state = session.state;
  controls_->setRequest(state.trajectory);
  controls_->setColourChoice(ColourChoice::parse(state.colour));
  rebuildTrajectories(true);
  controls_->setGroupVisibility(state.groupVisible);
  controls_->setTime(state.time);
  if (state.camera) setCamera(*state.camera);
  if (state.attribution) analysis_->setAttributionRequest(*state.attribution);
  if (SessionRestore::resultsStand(session)) {
    if (session.attribution != nullptr) controller_.restoreAttribution(session.attribution);
    if (session.probe != nullptr) controller_.restoreProbe(session.probe);
  }
  if (!state.selectedType.isEmpty()) {
    analysis_->setSelectedType(state.selectedType);
    onTypeSelected(state.selectedType);
  }
  showStatus(tr("Session restored"));
  Q_EMIT sessionRestored();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  for (const QString& path : localFiles(event->mimeData())) {
    if (openRequestFor(path.toStdString()).kind != OpenKind::Unknown || isBatchFolder(path.toStdString()))
      return event->acceptProposedAction();
  }
  event->ignore();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QStringList paths = localFiles(event->mimeData());
  if (paths.isEmpty()) return;
  event->acceptProposedAction();
  openFiles(paths);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  settings_.setLayout(saveGeometry(), saveState());
  saveRecentFiles();
  QMainWindow::closeEvent(event);
}

void MainWindow::saveRecentFiles() const { settings_.setRecentFiles(recent_.paths()); }

}  // namespace neurolens::gui
