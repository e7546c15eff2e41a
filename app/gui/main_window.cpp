#include "main_window.h"

#include <vtkCamera.h>
#include <vtkRenderer.h>

#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>
#include <exception>

#include "actions/about_action.h"
#include "actions/compare_action.h"
#include "actions/export_view_action.h"
#include "actions/open_demo_action.h"
#include "actions/open_model_action.h"
#include "actions/open_recording_action.h"
#include "actions/open_session_action.h"
#include "actions/quit_action.h"
#include "actions/recent_files_action.h"
#include "actions/reset_camera_action.h"
#include "actions/run_analysis_action.h"
#include "actions/save_session_action.h"
#include "actions/show_demo_action.h"
#include "actions/standard_view_action.h"
#include "jobs/job_progress_widget.h"
#include "logic/recording_description.h"
#include "neurolens/core/errors.h"
#include "neurolens/views/trajectory_scene.h"
#include "neurolens/views/vtk_view_widget.h"
#include "widgets/analysis_panel.h"
#include "widgets/model_panel_text.h"
#include "widgets/pair_grid.h"
#include "widgets/table_panel.h"
#include "widgets/trajectory_controls.h"
#include "widgets/trial_highlight.h"
#include "widgets/workspace_panel.h"

// Resources compiled into a static library must be registered by hand, and the
// macro only works outside a namespace.
static void registerGuiResources() { Q_INIT_RESOURCE(neurolens_gui); }

namespace neurolens::gui {

namespace {

constexpr const char* kRecentKey = "recentFiles";
constexpr const char* kGeometryKey = "mainWindow/geometry";
constexpr const char* kStateKey = "mainWindow/state";
constexpr const char* kFirstStartKey = "startup/firstStartDone";
constexpr const char* kLastRecordingKey = "startup/lastRecording";
constexpr const char* kLastModelKey = "startup/lastModel";
constexpr const char* kBinKey = "binning/binMs";
constexpr const char* kDeviceKey = "model/device";
constexpr const char* kColourKey = "view/colour";

QLabel* placeholder(const QString& text, QWidget* parent) {
  auto* label = new QLabel(text, parent);
  label->setWordWrap(true);
  label->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  label->setMargin(6);
  label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  return label;
}

QStringList localFiles(const QMimeData* mime) {
  QStringList paths;
  if (mime == nullptr || !mime->hasUrls()) return paths;
  for (const QUrl& url : mime->urls()) {
    if (url.isLocalFile()) paths << url.toLocalFile();
  }
  return paths;
}

QString fileName(const QString& path) { return QFileInfo(path).fileName(); }

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      highlight_(std::make_unique<TrialHighlight>()),
      opener_([this] { return controller_.busy() || workspace_->busy(); },
              [this](const OpenRequest& request) { startRequest(request); }),
      workspace_(std::make_unique<WorkspaceController>(controller_)) {
  registerGuiResources();
  setWindowTitle(tr("NeuroLens"));
  setWindowIcon(QIcon(":/neurolens/icons/neurolens.svg"));
  setAcceptDrops(true);
  setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
  demoFolder_ = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/demo";
  {
    QSettings settings;
    std::vector<std::string> paths;
    for (const QString& path : settings.value(kRecentKey).toStringList()) paths.push_back(path.toStdString());
    recent_.assign(paths);
    BinningOptions binning;
    binning.binMs = settings.value(kBinKey, 20.0).toDouble();
    controller_.setBinning(binning);
    try {
      controller_.setDevice(parseDeviceChoice(settings.value(kDeviceKey, "auto").toString().toStdString()));
    } catch (const InputError&) {
      controller_.setDevice(DeviceChoice::Auto);
    }
  }
  createCentre();
  createDocks();
  createMenus();
  progress_ = new JobProgressWidget(statusBar());
  statusBar()->addPermanentWidget(progress_);
  statusBar()->showMessage(tr("Open a recording (Ctrl+O), the demo (Ctrl+D), or drop a file on the window"));
  connectController();
  for (BackgroundJob* job : {&controller_.recordingJob(), &controller_.modelJob(), &controller_.analysisJob()})
    opener_.watch(*job);
  controls_->setColourChoice(ColourChoice::parse(QSettings().value(kColourKey, "condition").toString().toStdString()));
  // Level of detail while a camera moves, full quality when it stops.
  connect(view_, &views::VtkViewWidget::interactionChanged, this, [this](bool moving) {
    if (scene_ != nullptr) scene_->setInteractive(moving);
  });
  connect(compareView_, &views::VtkViewWidget::interactionChanged, this, [this](bool moving) {
    if (compareScene_ != nullptr) compareScene_->setInteractive(moving);
  });
  resize(1500, 950);
  restoreLayout();
}

MainWindow::~MainWindow() {
  // Stop the work first: its results refer to the views below.
  controller_.cancelAll();
  controller_.recordingJob().waitForFinished();
  controller_.modelJob().waitForFinished();
  controller_.analysisJob().waitForFinished();
  if (scene_ != nullptr) scene_->removeFrom(view_->renderer());
  if (compareScene_ != nullptr) compareScene_->removeFrom(compareView_->renderer());
  highlight_->removeFrom(view_->renderer());
}

void MainWindow::createCentre() {
  centre_ = new QStackedWidget(this);

  emptyState_ = new QWidget(centre_);
  emptyState_->setObjectName("emptyState");
  auto* layout = new QVBoxLayout(emptyState_);
  layout->addStretch(2);
  auto* title = new QLabel(tr("<h2>No recording open</h2>"), emptyState_);
  title->setAlignment(Qt::AlignCenter);
  emptyTitle_ = title;
  auto* text =
      new QLabel(tr("<p>Open a recording with <b>File &gt; Open Recording...</b> (Ctrl+O),<br>"
                    "or drag and drop an NWB or MATLAB file onto this window.</p>"
                    "<p>Then open a trained model (<b>File &gt; Open Model...</b>, Ctrl+M) to see its latent "
                    "trajectories here.</p>"
                    "<p>Or open the bundled demo (<b>File &gt; Open Demo</b>, Ctrl+D): a simulated reaching session "
                    "with a model trained on it.</p>"),
                 emptyState_);
  text->setObjectName("emptyStateText");
  emptyText_ = text;
  text->setAlignment(Qt::AlignCenter);
  text->setWordWrap(true);
  auto* openButton = new QPushButton(tr("Open Recording..."), emptyState_);
  auto* demoButton = new QPushButton(tr("Open Demo"), emptyState_);
  demoButton->setObjectName("openDemoButton");
  auto* syntheticButton = new QPushButton(tr("Show Demo Trajectories"), emptyState_);
  syntheticButton->setObjectName("showDemoButton");
  auto* buttons = new QHBoxLayout();
  buttons->addStretch();
  buttons->addWidget(openButton);
  buttons->addWidget(demoButton);
  buttons->addWidget(syntheticButton);
  buttons->addStretch();
  layout->addWidget(title);
  layout->addWidget(text);
  layout->addLayout(buttons);
  layout->addStretch(3);

  viewArea_ = new QSplitter(Qt::Horizontal, centre_);
  view_ = new views::VtkViewWidget(viewArea_);
  view_->setObjectName("trajectoryView");
  comparePane_ = new QWidget(viewArea_);
  auto* compareLayout = new QVBoxLayout(comparePane_);
  compareLayout->setContentsMargins(0, 0, 0, 0);
  compareView_ = new views::VtkViewWidget(comparePane_);
  compareView_->setObjectName("compareView");
  compareLegend_ = new QListWidget(comparePane_);
  compareLegend_->setObjectName("compareLegend");
  compareLegend_->setMaximumHeight(64);
  compareLegend_->setFlow(QListView::LeftToRight);
  compareLegend_->setWrapping(true);
  compareLegend_->setToolTip(tr("Groups shown in the right-hand view"));
  compareLayout->addWidget(compareView_, 1);
  compareLayout->addWidget(compareLegend_);
  viewArea_->addWidget(view_);
  viewArea_->addWidget(comparePane_);
  comparePane_->hide();
  // Cameras follow each other when an interaction ends (mouse release, wheel).
  view_->installEventFilter(this);
  compareView_->installEventFilter(this);
  connect(compareLegend_, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
    if (compareScene_ == nullptr) return;
    const auto condition = static_cast<std::size_t>(compareLegend_->row(item));
    const std::vector<std::size_t> groups =
        trajectories_ ? trajectories_->sceneGroups(condition) : std::vector<std::size_t>{condition};
    for (const std::size_t group : groups) compareScene_->setConditionVisible(group, item->checkState() == Qt::Checked);
    compareView_->requestRender();
  });
  highlight_->addTo(view_->renderer());

  centre_->addWidget(emptyState_);
  grid_ = new PairGrid(
      *workspace_, viewArea_, [this] { return controls_->request(); }, centre_);
  centre_->addWidget(grid_);
  centre_->setCurrentWidget(emptyState_);
  setCentralWidget(centre_);

  // The buttons trigger the same actions as the menus (created in createMenus).
  connect(openButton, &QPushButton::clicked, this, [this] {
    if (auto* action = findChild<QAction*>("actionOpenRecording")) action->trigger();
  });
  connect(demoButton, &QPushButton::clicked, this, [this] { openDemo(); });
  connect(syntheticButton, &QPushButton::clicked, this, [this] { showDemoTrajectories(); });
}

void MainWindow::createDocks() {
  const auto addDock = [this](const QString& title, const QString& name, QWidget* content, Qt::DockWidgetArea dockArea,
                              bool scroll) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(name);
    if (scroll) {
      auto* scrollArea = new QScrollArea(dock);
      scrollArea->setWidgetResizable(true);
      scrollArea->setFrameShape(QFrame::NoFrame);
      scrollArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
      scrollArea->setWidget(content);
      dock->setWidget(scrollArea);
    } else {
      dock->setWidget(content);
    }
    addDockWidget(dockArea, dock);
    return dock;
  };

  // Recording: summary, binning, units and trials tables.
  auto* recording = new QWidget(this);
  auto* recordingLayout = new QVBoxLayout(recording);
  recordingLayout->setContentsMargins(4, 4, 4, 4);
  recordingPanel_ = placeholder(tr("<b>No recording.</b><p>The open recording's units, trials, duration and "
                                   "behavioural signals will be listed here, with the binning settings.</p>"),
                                recording);
  recordingPanel_->setObjectName("recordingPanel");
  auto* binningRow = new QHBoxLayout();
  binSize_ = new QDoubleSpinBox(recording);
  binSize_->setObjectName("binSize");
  binSize_->setRange(1.0, 1000.0);
  binSize_->setDecimals(1);
  binSize_->setSuffix(tr(" ms"));
  binSize_->setValue(controller_.binning().binMs);
  binSize_->setToolTip(tr("Bin width for spike counts (the model's bin size must match)"));
  auto* rebin = new QPushButton(tr("Re-bin"), recording);
  rebin->setObjectName("rebinButton");
  rebin->setToolTip(tr("Bin the open recording again with this bin width (and rerun the model)"));
  binningRow->addWidget(new QLabel(tr("Bins"), recording));
  binningRow->addWidget(binSize_, 1);
  binningRow->addWidget(rebin);
  auto* tables = new QTabWidget(recording);
  units_ = new TablePanel(tr("Filter units (any column, e.g. rotational)"), tables);
  units_->setObjectName("unitsTable");
  trials_ = new TablePanel(tr("Filter trials (any column, e.g. reach_090)"), tables);
  trials_->setObjectName("trialsTable");
  tables->addTab(units_, tr("Units"));
  tables->addTab(trials_, tr("Trials"));
  recordingLayout->addWidget(recordingPanel_);
  recordingLayout->addLayout(binningRow);
  recordingLayout->addWidget(tables, 1);
  connect(binSize_, &QDoubleSpinBox::valueChanged, this, [this](double ms) {
    BinningOptions options = controller_.binning();
    options.binMs = ms;
    controller_.setBinning(options);
    QSettings().setValue(kBinKey, ms);
  });
  connect(rebin, &QPushButton::clicked, this, [this] {
    if (!controller_.recordingPath().isEmpty()) openRecording(controller_.recordingPath());
  });
  connect(units_, &TablePanel::rowsSelected, this, &MainWindow::onUnitsSelected);
  connect(trials_, &TablePanel::rowsSelected, this, &MainWindow::onTrialsSelected);

  // Model: metadata, device, status, last run report.
  auto* model = new QWidget(this);
  auto* modelLayout = new QVBoxLayout(model);
  modelLayout->setContentsMargins(4, 4, 4, 4);
  modelPanel_ = placeholder(tr("<b>No model.</b><p>The trained model (TorchScript) will be described here: "
                               "its name, expected units and bin size, latent size, and whether it matches "
                               "the recording.</p>"),
                            model);
  modelPanel_->setObjectName("modelPanel");
  auto* deviceRow = new QFormLayout();
  device_ = new QComboBox(model);
  device_->setObjectName("deviceChoice");
  device_->addItem(tr("auto (GPU when available)"), "auto");
  device_->addItem(tr("CPU"), "cpu");
  device_->addItem(tr("CUDA GPU"), "cuda");
  if (!queryDevices().cudaAvailable) {
    // Kept visible so the user sees why: no GPU that LibTorch can use.
    device_->setItemData(2, false, Qt::UserRole - 1);
    device_->setItemData(2, tr("No CUDA GPU visible to LibTorch"), Qt::ToolTipRole);
  }
  device_->setCurrentIndex(std::max(0, device_->findData(QString::fromStdString(deviceName(controller_.device())))));
  deviceRow->addRow(tr("Device"), device_);
  modelLayout->addWidget(modelPanel_);
  modelLayout->addLayout(deviceRow);
  modelLayout->addStretch();
  connect(device_, &QComboBox::currentIndexChanged, this, [this] {
    const QString name = device_->currentData().toString();
    controller_.setDevice(parseDeviceChoice(name.toStdString()));
    QSettings().setValue(kDeviceKey, name);
  });

  controls_ = new TrajectoryControls(this);
  connect(controls_, &TrajectoryControls::requestChanged, this, [this] { rebuildTrajectories(true); });
  connect(controls_, &TrajectoryControls::groupVisibilityChanged, this, [this](std::size_t group, bool visible) {
    if (scene_ == nullptr || !trajectories_) return;
    // A condition's single trials and its mean are two groups of the scene.
    for (const std::size_t sceneGroup : trajectories_->sceneGroups(group))
      scene_->setConditionVisible(sceneGroup, visible);
    view_->requestRender();
  });
  connect(controls_, &TrajectoryControls::timeChanged, this, &MainWindow::setTime);
  connect(controls_, &TrajectoryControls::colourChanged, this, [this] {
    QSettings().setValue(kColourKey, QString::fromStdString(controls_->colourChoice().spec()));
    applyColouring();
  });

  auto* analysis = new QWidget(this);
  auto* analysisLayout = new QVBoxLayout(analysis);
  analysisLayout->setContentsMargins(0, 0, 0, 0);
  analysisPanel_ = placeholder(tr("<b>Analysis.</b> Attributions of latents to units, the type-latent link and "
                                  "probes decoding behaviour will be run here once a model ran on a recording."),
                               analysis);
  analysisPanel_->setObjectName("analysisPanel");
  analysis_ = new AnalysisPanel(analysis);
  analysisLayout->addWidget(analysisPanel_);
  analysisLayout->addWidget(analysis_, 1);
  connect(analysis_, &AnalysisPanel::attributionRequested, this,
          [this](const AttributionRequest& request) { controller_.runAttribution(request); });
  connect(analysis_, &AnalysisPanel::probeRequested, this,
          [this](const ProbeRequest& request) { controller_.runProbe(request); });
  connect(analysis_, &AnalysisPanel::typeSelected, this, &MainWindow::onTypeSelected);
  connect(analysis_, &AnalysisPanel::unitClicked, this, [this](std::size_t unit) {
    units_->selectRows({unit});
    onUnitsSelected({unit});
  });

  QDockWidget* recordingDock = addDock(tr("Recording"), "recordingDock", recording, Qt::LeftDockWidgetArea, false);
  QDockWidget* modelDock = addDock(tr("Model"), "modelDock", model, Qt::LeftDockWidgetArea, true);
  QDockWidget* viewDock = addDock(tr("Trajectories"), "trajectoryDock", controls_, Qt::RightDockWidgetArea, false);
  QDockWidget* analysisDock = addDock(tr("Analysis"), "analysisDock", analysis, Qt::RightDockWidgetArea, true);
  QDockWidget* resultsDock =
      addDock(tr("Analysis Results"), "resultsDock", analysis_->resultsWidget(), Qt::BottomDockWidgetArea, false);
  resultsDock->setMinimumHeight(220);
  QDockWidget* workspaceDock =
      addDock(tr("Workspace"), "workspaceDock", new WorkspacePanel(*workspace_, this), Qt::LeftDockWidgetArea, false);
  tabifyDockWidget(workspaceDock, recordingDock);
  splitDockWidget(recordingDock, modelDock, Qt::Vertical);
  splitDockWidget(viewDock, analysisDock, Qt::Vertical);
  resizeDocks({recordingDock, viewDock}, {330, 380}, Qt::Horizontal);
  resizeDocks({recordingDock, modelDock}, {520, 220}, Qt::Vertical);
  resizeDocks({viewDock, analysisDock}, {300, 480}, Qt::Vertical);
  resizeDocks({resultsDock}, {300}, Qt::Vertical);
}

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->setObjectName("menuFile");
  QAction* open = file->addAction(QIcon::fromTheme("document-open"), tr("&Open Recording..."));
  open->setObjectName("actionOpenRecording");
  new OpenRecordingAction(open, *this);
  QAction* openModelAction = file->addAction(tr("Open &Model..."));
  openModelAction->setObjectName("actionOpenModel");
  new OpenModelAction(openModelAction, *this);
  QAction* demoAction = file->addAction(tr("Open &Demo"));
  demoAction->setObjectName("actionOpenDemo");
  new OpenDemoAction(demoAction, *this);
  QMenu* recent = file->addMenu(tr("Recent &Files"));
  recent->setObjectName("menuRecentFiles");
  recentMenu_ = new RecentFilesAction(recent, *this);
  file->addSeparator();
  QAction* openSessionAction = file->addAction(tr("Open Sess&ion..."));
  openSessionAction->setObjectName("actionOpenSession");
  new OpenSessionAction(openSessionAction, *this);
  QAction* saveSessionAction = file->addAction(tr("&Save Session..."));
  saveSessionAction->setObjectName("actionSaveSession");
  new SaveSessionAction(saveSessionAction, *this);
  file->addSeparator();
  exportAction_ = file->addAction(tr("&Export View as PNG..."));
  exportAction_->setObjectName("actionExportView");
  exportAction_->setEnabled(false);  // nothing to export until the view shows a scene
  new ExportViewAction(exportAction_, *this);
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"));
  quit->setObjectName("actionQuit");
  new QuitAction(quit, *this);

  QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
  viewMenu->setObjectName("menuView");
  QAction* reset = viewMenu->addAction(tr("&Reset Camera"));
  reset->setObjectName("actionResetCamera");
  new ResetCameraAction(reset, *this);
  QMenu* standard = viewMenu->addMenu(tr("&Standard Views"));
  standard->setObjectName("menuStandardViews");
  for (views::StandardView direction :
       {views::StandardView::PlusX, views::StandardView::MinusX, views::StandardView::PlusY,
        views::StandardView::MinusY, views::StandardView::PlusZ, views::StandardView::MinusZ,
        views::StandardView::Isometric}) {
    new StandardViewAction(standard->addAction(QString()), *this, direction);
  }
  compareAction_ = viewMenu->addAction(tr("&Compare Side by Side"));
  compareAction_->setObjectName("actionCompare");
  new CompareAction(compareAction_, *this);
  viewMenu->addSeparator();
  for (QDockWidget* dock : findChildren<QDockWidget*>()) viewMenu->addAction(dock->toggleViewAction());

  QMenu* analysisMenu = menuBar()->addMenu(tr("&Analysis"));
  analysisMenu->setObjectName("menuAnalysis");
  QAction* attribute = analysisMenu->addAction(tr("Run &Attribution"));
  attribute->setObjectName("actionRunAttribution");
  new RunAttributionAction(attribute, *this);
  QAction* probe = analysisMenu->addAction(tr("Run &Probe"));
  probe->setObjectName("actionRunProbe");
  new RunProbeAction(probe, *this);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->setObjectName("menuHelp");
  QAction* demo = help->addAction(tr("Show &Demo Trajectories"));
  demo->setObjectName("actionShowDemo");
  new ShowDemoAction(demo, *this);
  help->addSeparator();
  QAction* about = help->addAction(tr("&About NeuroLens"));
  about->setObjectName("actionAbout");
  new AboutAction(about, *this);
}

void MainWindow::connectController() {
  connect(&controller_, &PipelineController::jobStarted, this, [this](BackgroundJob* job) {
    progress_->follow(job);
    analysis_->setBusy(true);
  });
  for (BackgroundJob* job : {&controller_.recordingJob(), &controller_.modelJob(), &controller_.analysisJob()}) {
    connect(job, &BackgroundJob::finished, this, [this] { analysis_->setBusy(controller_.busy()); });
  }
  connect(workspace_.get(), &WorkspaceController::jobStarted, this, [this](BackgroundJob* job) {
    opener_.watch(*job);
    progress_->follow(job);
  });
  connect(&controller_, &PipelineController::recordingChanged, this, &MainWindow::onRecordingChanged);
  connect(&controller_, &PipelineController::modelChanged, this, &MainWindow::onModelChanged);
  connect(&controller_, &PipelineController::latentsChanged, this, [this] {
    rebuildTrajectories(true);
    if (pendingSession_ && controller_.latents() != nullptr &&
        controller_.recordingPath() == pendingSession_->state.recording.path)
      applySession();
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

bool MainWindow::hasScene() const { return scene_ != nullptr; }
bool MainWindow::emptyStateShown() const { return centre_->currentWidget() == emptyState_; }
bool MainWindow::openingRecording() const { return controller_.busy(); }
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
  QSettings settings;
  if (!settings.value(kFirstStartKey, false).toBool()) {
    settings.setValue(kFirstStartKey, true);
    openDemo();
    return;
  }
  const QString recording = settings.value(kLastRecordingKey).toString();
  const QString model = settings.value(kLastModelKey).toString();
  if (!recording.isEmpty() && QFileInfo::exists(recording)) {
    opener_.enqueue(
        {OpenKind::RecordingWithModel, recording.toStdString(), QFileInfo::exists(model) ? model.toStdString() : ""});
  }
}

void MainWindow::showDemoTrajectories() {
  views::TrajectoryData trajectories = syntheticTrajectories();
  if (scene_ == nullptr) {
    scene_ = std::make_unique<views::TrajectoryScene>();
    scene_->addTo(view_->renderer());
  }
  trajectories_.reset();
  highlight_->hide();
  scene_->setData(std::move(trajectories));
  scene_->setTime(40);
  centre_->setCurrentWidget(grid_);
  exportAction_->setEnabled(true);
  view_->setStandardView(views::StandardView::Isometric);
  analysisPanel_->setText(
      tr("<b>Demo trajectories</b><p>Synthetic rotational dynamics: 8 conditions x 20 "
         "trials, 80 bins. Spheres mark the start of each trial, squares its end, the larger "
         "spheres the time cursor (bin 40).</p><p>Drag to rotate, wheel or right-drag to "
         "zoom, middle-drag or Shift+drag to pan.</p>"));
  showStatus(tr("Showing demo trajectories (synthetic)"));
}

void MainWindow::openDemo() { opener_.enqueue(OpenRequest{OpenKind::Demo, {}, {}}); }

void MainWindow::startRequest(const OpenRequest& request) {
  const QString path = QString::fromStdString(request.path);
  switch (request.kind) {
    case OpenKind::Recording:
      workspace_->asked(path, true);
      return startRecording(path);
    case OpenKind::Model:
      workspace_->asked(path, false);
      return startModel(path);
    case OpenKind::Session:
      return startSession(path);
    case OpenKind::RecordingWithModel: {
      workspace_->asked(path, true);
      if (!request.model.empty()) workspace_->asked(QString::fromStdString(request.model), false);
      // A reopened session's pair with unchanged inputs: its saved latents stand (the model is not run again).
      const bool saved =
          pendingSession_ && pendingSession_->changedInputs.isEmpty() && pendingSession_->state.recording.path == path;
      return controller_.openRecordingWithModel(path, QString::fromStdString(request.model),
                                                saved ? pendingSession_->latents : nullptr);
    }
    case OpenKind::Unknown: {
      const QString reason = tr("%1 is neither a recording (.nwb, .mat) nor a model (.pt)").arg(fileName(path));
      showStatus(reason);
      Q_EMIT fileRefused(path, reason);
      return;
    }
    case OpenKind::Demo:
      break;
  }
  recordingPanel_->setText(tr("<b>Preparing the demo ...</b><p>Simulating a reaching session (first time only) in "
                              "%1</p>")
                               .arg(demoFolder_.toHtmlEscaped()));
  controller_.openDemo(demoFolder_, demoOptions_);
}

void MainWindow::openRecording(const QString& path) { openFiles({path}); }

void MainWindow::startRecording(const QString& path) {
  recent_.add(QFileInfo(path).absoluteFilePath().toStdString());
  saveRecentFiles();
  recordingPanel_->setText(tr("<b>Opening %1 ...</b>").arg(fileName(path).toHtmlEscaped()));
  controller_.openRecording(path);
}

void MainWindow::onRecordingChanged(bool ok) {
  const BinnedRecording* recording = controller_.recording();
  if (!ok) {
    const QString path = controller_.attemptedRecording();
    if (controller_.recordingJob().outcome() == BackgroundJob::Outcome::Failed) {
      const QString error = controller_.recordingJob().errorMessage();
      recordingPanel_->setText(
          tr("<b>Could not open %1</b><p>%2</p>").arg(fileName(path).toHtmlEscaped(), error.toHtmlEscaped()));
      showStatus(tr("Could not open %1").arg(path));
      showProblem(tr("Could not open the recording"), error, "recordingErrorBox");
    } else if (recording == nullptr) {
      recordingPanel_->setText(tr("<b>No recording.</b><p>Opening was cancelled.</p>"));
    }
    Q_EMIT recordingOpened(path, false);
    return;
  }
  const QString path = controller_.recordingPath();
  recordingPanel_->setText(recordingPanelHtml(controller_));
  units_->setTable(unitsWithIds(*recording));
  trials_->setTable(recording->trials);
  controls_->setColumns(categoricalColumns(recording->trials));
  controls_->setColourOptions(behaviourChoices(*recording));
  analysis_->setInputs(recording, controller_.model() != nullptr ? controller_.model()->latentCount() : 0, false);
  emptyTitle_->setText(tr("<h2>%1 is open</h2>").arg(fileName(path).toHtmlEscaped()));
  emptyText_->setText(
      tr("<p>Open a trained model with <b>File &gt; Open Model...</b> (Ctrl+M) to see its latent "
         "trajectories here.</p><p>Or open the bundled demo (Ctrl+D), or show synthetic demo "
         "trajectories: 8 conditions x 20 trials.</p>"));
  QSettings().setValue(kLastRecordingKey, QFileInfo(path).absoluteFilePath());
  Q_EMIT recordingOpened(path, true);
}

void MainWindow::openModel(const QString& path) { openFiles({path}); }

void MainWindow::startModel(const QString& path) {
  recent_.add(QFileInfo(path).absoluteFilePath().toStdString());
  saveRecentFiles();
  modelPanel_->setText(tr("<b>Loading %1 ...</b>").arg(fileName(path).toHtmlEscaped()));
  controller_.openModel(path);
}

void MainWindow::onModelChanged(bool ok) {
  if (ok) QSettings().setValue(kLastModelKey, QFileInfo(controller_.modelPath()).absoluteFilePath());
  updateModelPanel();
  analysis_->setInputs(controller_.recording(), controller_.model() != nullptr ? controller_.model()->latentCount() : 0,
                       controller_.latents() != nullptr);
}

void MainWindow::updateModelPanel() { modelPanel_->setText(modelPanelHtml(controller_)); }

std::string MainWindow::typeColumn() const {
  const std::string chosen = analysis_->attributionRequest().typeColumn;
  if (!chosen.empty()) return chosen;
  return controller_.recording() != nullptr ? defaultTypeColumn(controller_.recording()->units) : std::string();
}

void MainWindow::rebuildTrajectories(bool resetCamera) {
  const BinnedRecording* recording = controller_.recording();
  const FloatArray* latents = controller_.latents();
  // A recording alone (no model open): the trajectories of its own smoothed rates.
  const bool recordingAlone = recording != nullptr && controller_.model() == nullptr;
  if (recording == nullptr || (latents == nullptr && !recordingAlone)) {
    if (trajectories_) {
      // The model's trajectories no longer belong to the open recording.
      trajectories_.reset();
      highlight_->hide();
      if (scene_ != nullptr) scene_->removeFrom(view_->renderer());
      scene_.reset();
      if (compareScene_ != nullptr) compareScene_->removeFrom(compareView_->renderer());
      compareScene_.reset();
      centre_->setCurrentWidget(emptyState_);
      exportAction_->setEnabled(false);
    }
    return;
  }
  try {
    trajectories_ = latents != nullptr ? buildTrajectories(*latents, true, *recording, controls_->request())
                                       : buildTrajectories(recording->counts, false, *recording, controls_->request());
  } catch (const std::exception& error) {
    showProblem(tr("Cannot draw the trajectories"), QString::fromStdString(error.what()), "problemBox");
    return;
  }
  if (scene_ == nullptr) {
    scene_ = std::make_unique<views::TrajectoryScene>();
    scene_->addTo(view_->renderer());
  }
  scene_->setData(trajectories_->data);
  // Means carry their own width factor (3x) over thin single trials (0.6x), as in `figure`.
  scene_->setLineWidth(kTrajectoryLineWidth);
  const std::vector<views::Rgb>& colours = trajectories_->colours;
  controls_->setLegend(trajectories_->groups.names, colours, scene_->binCount());
  controls_->setExplainedVariance(trajectories_->explainedVarianceRatio);
  scene_->setTime(static_cast<std::size_t>(controls_->time()));
  highlight_->hide();
  if (compareScene_ != nullptr || comparePane_->isVisible()) {
    if (compareScene_ == nullptr) {
      compareScene_ = std::make_unique<views::TrajectoryScene>();
      compareScene_->addTo(compareView_->renderer());
    }
    compareScene_->setData(trajectories_->data);
    compareScene_->setLineWidth(kTrajectoryLineWidth);
    compareScene_->setTime(static_cast<std::size_t>(controls_->time()));
    const QSignalBlocker blocker(compareLegend_);
    compareLegend_->clear();
    for (std::size_t i = 0; i < trajectories_->groups.names.size(); ++i) {
      auto* item = new QListWidgetItem(QString::fromStdString(trajectories_->groups.names[i]), compareLegend_);
      QPixmap swatch(12, 12);
      swatch.fill(QColor::fromRgbF(static_cast<float>(colours[i].r), static_cast<float>(colours[i].g),
                                   static_cast<float>(colours[i].b)));
      item->setIcon(QIcon(swatch));
      item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
      item->setCheckState(Qt::Checked);
    }
  }
  centre_->setCurrentWidget(grid_);
  exportAction_->setEnabled(true);
  analysisPanel_->setText(
      tr("<b>%1</b> on <b>%2</b>: %3 %4, grouped by %5.")
          .arg(recordingAlone ? tr("Smoothed rates (PCA)") : fileName(controller_.modelPath()).toHtmlEscaped(),
               fileName(controller_.recordingPath()).toHtmlEscaped())
          .arg(trajectories_->means ? trajectories_->conditionCount() : trajectories_->data.points.dim(0))
          .arg(trajectories_->means                     ? tr("condition means over their single trials")
               : trajectories_->data.points.dim(0) == 1 ? tr("trajectory")
                                                        : tr("trials"))
          .arg(QString::fromStdString(trajectories_->groups.column.empty() ? std::string("nothing (one group)")
                                                                           : trajectories_->groups.column)
                   .toHtmlEscaped()));
  if (resetCamera) {
    view_->setStandardView(views::StandardView::Isometric);
    if (compareScene_ != nullptr) compareView_->setStandardView(views::StandardView::Isometric);
  }
  applyColouring();
  Q_EMIT trajectoriesShown();
}

std::vector<std::size_t> MainWindow::attributionUnits(QString& which) const {
  std::vector<std::size_t> units = units_->selectedRows();
  const BinnedRecording* recording = controller_.recording();
  if (units.size() == 1 && units_->table().rows() > units.front()) {
    which = tr("unit %1").arg(units.front());
    if (const Column* id = units_->table().find("id");
        id != nullptr && id->isNumeric() && id->numbers().size() > units.front())
      which = tr("unit id %1").arg(id->numbers()[units.front()]);
  } else if (!units.empty()) {
    which = tr("%1 selected units").arg(units.size());
  }
  if (!units.empty()) {
    // Exactly the selected type's units (a type picked in the heatmap or the type list): name the type.
    const QString type = analysis_->selectedType();
    if (!type.isEmpty() && units.size() > 1 && recording != nullptr) {
      const std::vector<std::string> types = unitTypes(recording->units, typeColumn(), recording->unitCount());
      std::vector<std::size_t> ofType;
      for (std::size_t unit = 0; unit < types.size(); ++unit)
        if (QString::fromStdString(types[unit]) == type) ofType.push_back(unit);
      if (ofType == units) which = tr("the %1 units").arg(type);
    }
    return units;
  }
  which = tr("all units");
  return units;
}

std::optional<views::ScalarColouring> MainWindow::colouringFor(const ColourChoice& choice, QString& note) const {
  const BinnedRecording* recording = controller_.recording();
  if (choice.mode == ColourMode::Condition || recording == nullptr || !trajectories_) return std::nullopt;
  const std::size_t trials = recording->trialCount();
  const std::size_t bins = recording->binCount();
  views::ScalarColouring colouring;
  colouring.title = choice.title();
  switch (choice.mode) {
    case ColourMode::Condition:
      return std::nullopt;
    case ColourMode::Time:
      colouring.values = perShownTrajectory(*trajectories_, timeValues(trials, bins, recording->binMs));
      return colouring;
    case ColourMode::Behaviour: {
      const auto found = recording->behavior.find(choice.behaviour);
      if (found == recording->behavior.end()) {
        note = tr("This recording has no behaviour channel \"%1\": coloured by group.")
                   .arg(QString::fromStdString(choice.behaviour));
        return std::nullopt;
      }
      colouring.values = perShownTrajectory(*trajectories_, behaviourValues(found->second, choice.dimension));
      return colouring;
    }
    case ColourMode::Attribution: {
      const auto& outcome = controller_.attribution();
      if (outcome == nullptr || outcome->perBinMagnitude.empty()) {
        note = tr("Run attribution (Analysis dock) to colour by it: coloured by group meanwhile.");
        return std::nullopt;
      }
      if (outcome->perBinMagnitude.dim(1) != bins) {
        note = tr("The attribution was computed with other bins: run it again.");
        return std::nullopt;
      }
      QString which;
      const std::vector<std::size_t> units = attributionUnits(which);
      colouring.values = perShownTrajectory(*trajectories_, attributionValues(outcome->perBinMagnitude, units, trials));
      colouring.title = "|attribution|";
      colouring.colormap = "magma";
      note = tr("Per bin: summed |attribution| of %1 to the attributed latents.").arg(which);
      if (outcome->perBinMagnitude.dim(0) < trials)
        note += " " + tr("Attribution covers the first %1 of %2 trials; %3 grey.")
                          .arg(outcome->perBinMagnitude.dim(0))
                          .arg(trials)
                          .arg(trajectories_->means ? tr("group means average those trials; groups without any are")
                                                    : tr("the other trials are"));
      return colouring;
    }
  }
  return std::nullopt;
}

void MainWindow::applyColouring() {
  if (scene_ == nullptr || !trajectories_) return;
  QString note;
  std::optional<views::ScalarColouring> colouring;
  try {
    colouring = colouringFor(controls_->colourChoice(), note);
  } catch (const std::exception& error) {
    note = tr("Cannot colour by %1: %2")
               .arg(QString::fromStdString(controls_->colourChoice().title()), QString::fromStdString(error.what()));
    colouring.reset();
  }
  for (views::TrajectoryScene* scene : {scene_.get(), compareScene_.get()}) {
    if (scene == nullptr) continue;
    if (colouring) {
      scene->setScalarColouring(*colouring);
    } else {
      scene->clearScalarColouring();
    }
  }
  controls_->setColourNote(note);
  renderViews();
}

void MainWindow::renderViews() {
  view_->requestRender();
  if (comparePane_->isVisible()) compareView_->requestRender();
}

void MainWindow::setTime(int bin) {
  const auto time = static_cast<std::size_t>(std::max(0, bin));
  if (scene_ != nullptr) scene_->setTime(time);
  if (compareScene_ != nullptr) compareScene_->setTime(time);
  renderViews();
}

void MainWindow::onUnitsSelected(const std::vector<std::size_t>& rows) {
  const BinnedRecording* recording = controller_.recording();
  analysis_->setSelectedUnit(rows.size() == 1 ? std::optional<std::size_t>(rows.front()) : std::nullopt);
  if (controls_->colourChoice().mode == ColourMode::Attribution) applyColouring();
  if (recording == nullptr || rows.empty()) return;
  const std::vector<std::string> types = unitTypes(recording->units, typeColumn(), recording->unitCount());
  if (rows.front() >= types.size()) return;
  analysis_->setSelectedType(QString::fromStdString(types[rows.front()]));
}

void MainWindow::onTypeSelected(const QString& type) {
  const BinnedRecording* recording = controller_.recording();
  if (recording == nullptr) return;
  const std::vector<std::string> types = unitTypes(recording->units, typeColumn(), recording->unitCount());
  std::vector<std::size_t> rows;
  for (std::size_t unit = 0; unit < types.size(); ++unit)
    if (QString::fromStdString(types[unit]) == type) rows.push_back(unit);
  units_->selectRows(rows);
  analysis_->setSelectedUnit(std::nullopt);
  if (controls_->colourChoice().mode == ColourMode::Attribution) applyColouring();
  showStatus(tr("%1 units of type %2 selected").arg(rows.size()).arg(type));
}

void MainWindow::onTrialsSelected(const std::vector<std::size_t>& rows) {
  if (!trajectories_ || rows.empty()) {
    highlight_->hide();
    view_->requestRender();
    return;
  }
  const std::size_t trial = rows.front();
  // The trial's own row (single trials come first, under any condition means).
  const auto& drawnTrials = trajectories_->rowTrial;
  const auto found = std::find(drawnTrials.begin(), drawnTrials.end(), trial);
  if (found == drawnTrials.end()) return;
  highlight_->show(trajectories_->data.points, static_cast<std::size_t>(found - drawnTrials.begin()));
  view_->requestRender();
}

void MainWindow::setCompareMode(bool on) {
  comparePane_->setVisible(on);
  if (compareAction_->isChecked() != on) compareAction_->setChecked(on);
  if (on) {
    const int half = std::max(1, viewArea_->width() / 2);
    viewArea_->setSizes({half, half});
    rebuildTrajectories(false);
    if (compareScene_ != nullptr) {
      compareView_->camera()->DeepCopy(view_->camera());
      compareView_->renderer()->ResetCameraClippingRange();
      compareView_->requestRender();
    }
    showStatus(tr("Compare: the right view has its own groups (ticks below it); cameras and time are linked"));
  }
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
  const bool interactionEnded = event->type() == QEvent::MouseButtonRelease || event->type() == QEvent::Wheel;
  if (interactionEnded && comparePane_->isVisible() && !syncingCameras_ &&
      (watched == view_ || watched == compareView_)) {
    // After the widget has handled the event, copy its camera to the other view.
    views::VtkViewWidget* from = watched == view_ ? view_ : compareView_;
    views::VtkViewWidget* to = watched == view_ ? compareView_ : view_;
    QMetaObject::invokeMethod(
        this,
        [this, from, to] {
          syncingCameras_ = true;
          to->camera()->DeepCopy(from->camera());
          to->renderer()->ResetCameraClippingRange();
          to->requestRender();
          syncingCameras_ = false;
        },
        Qt::QueuedConnection);
  }
  return QMainWindow::eventFilter(watched, event);
}

void MainWindow::setCamera(const std::array<double, 9>& camera) {
  vtkCamera* target = view_->camera();
  target->SetPosition(camera[0], camera[1], camera[2]);
  target->SetFocalPoint(camera[3], camera[4], camera[5]);
  target->SetViewUp(camera[6], camera[7], camera[8]);
  view_->renderer()->ResetCameraClippingRange();
  view_->requestRender();
}

void MainWindow::runAttribution() { controller_.runAttribution(analysis_->attributionRequest()); }
void MainWindow::runProbe() { controller_.runProbe(analysis_->probeRequest()); }

SessionState MainWindow::currentSessionState() const {
  SessionState state;
  state.recording = {QFileInfo(controller_.recordingPath()).absoluteFilePath(), {}};
  if (controller_.recordingPath().isEmpty()) state.recording.path.clear();
  state.model = {controller_.modelPath().isEmpty() ? QString() : QFileInfo(controller_.modelPath()).absoluteFilePath(),
                 {}};
  state.recordings = inputsFor(workspace_->readyPaths(true));
  state.models = inputsFor(workspace_->readyPaths(false));
  state.recording.sha256 = sha256OfFile(state.recording.path);
  state.model.sha256 = sha256OfFile(state.model.path);
  state.binning = controller_.binning();
  state.device = controller_.device();
  state.trajectory = controls_->request();
  state.groupVisible = controls_->groupVisibility();
  state.time = controls_->time();
  if (scene_ != nullptr) state.camera = view_->cameraState();
  if (controller_.attribution() != nullptr) state.attribution = controller_.attribution()->request;
  state.selectedType = analysis_->selectedType();
  state.colour = controls_->colourChoice().spec();
  return state;
}

void MainWindow::saveSession(const QString& path) {
  try {
    const AttributionOutcome* attribution = controller_.attribution().get();
    neurolens::gui::saveSession(path, currentSessionState(), controller_.latents(), attribution,
                                controller_.probe().get());
    recent_.add(QFileInfo(path).absoluteFilePath().toStdString());
    saveRecentFiles();
    showStatus(tr("Session saved to %1").arg(path));
  } catch (const std::exception& error) {
    showProblem(tr("Could not save the session"), QString::fromStdString(error.what()), "problemBox");
  }
}

void MainWindow::openSession(const QString& path) { openFiles({path}); }

void MainWindow::startSession(const QString& path) {
  try {
    pendingSession_ = loadSession(path);
  } catch (const std::exception& error) {
    showProblem(tr("Could not open the session"), QString::fromStdString(error.what()), "problemBox");
    return;
  }
  const SessionState& state = pendingSession_->state;
  if (!pendingSession_->changedInputs.isEmpty()) {
    showProblem(tr("Inputs changed since the session was saved"),
                tr("These files are not what the session was saved with; results computed now may differ:\n\n%1")
                    .arg(pendingSession_->changedInputs.join("\n")),
                "sessionChangedBox");
  }
  binSize_->setValue(state.binning.binMs);
  controller_.setBinning(state.binning);
  device_->setCurrentIndex(std::max(0, device_->findData(QString::fromStdString(deviceName(state.device)))));
  if (state.recording.path.isEmpty() || !QFileInfo::exists(state.recording.path)) {
    showProblem(tr("Could not open the session"),
                tr("The session's recording is missing: %1").arg(state.recording.path), "problemBox");
    pendingSession_.reset();
    return;
  }
  recent_.add(QFileInfo(path).absoluteFilePath().toStdString());
  saveRecentFiles();
  // The session's other files first, then its pair: the docks end on the pair whose view state it restores.
  std::vector<OpenRequest> requests = otherInputs(state);
  requests.push_back(
      {OpenKind::RecordingWithModel, state.recording.path.toStdString(), state.model.path.toStdString()});
  opener_.enqueue(requests);
}

void MainWindow::applySession() {
  const LoadedSession session = std::move(*pendingSession_);
  pendingSession_.reset();
  const SessionState& state = session.state;
  controls_->setRequest(state.trajectory);
  controls_->setColourChoice(ColourChoice::parse(state.colour));
  rebuildTrajectories(true);
  controls_->setGroupVisibility(state.groupVisible);
  controls_->setTime(state.time);
  if (state.camera) setCamera(*state.camera);
  if (state.attribution) analysis_->setAttributionRequest(*state.attribution);
  // Saved results stand only for the inputs they were computed from.
  if (session.changedInputs.isEmpty()) {
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

void MainWindow::openFiles(const QStringList& paths) {
  std::vector<std::string> files;
  for (const QString& path : paths) files.push_back(path.toStdString());
  if (controller_.busy() && !paths.isEmpty())
    showStatus(tr("%1 will open when the current job ends").arg(fileName(paths.front())));
  opener_.enqueue(openRequestsFor(files));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  for (const QString& path : localFiles(event->mimeData())) {
    if (openRequestFor(path.toStdString()).kind != OpenKind::Unknown) {
      event->acceptProposedAction();
      return;
    }
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
  saveLayout();
  saveRecentFiles();
  QMainWindow::closeEvent(event);
}

void MainWindow::restoreLayout() {
  const QSettings settings;
  restoreGeometry(settings.value(kGeometryKey).toByteArray());
  restoreState(settings.value(kStateKey).toByteArray());
}

void MainWindow::saveLayout() const {
  QSettings settings;
  settings.setValue(kGeometryKey, saveGeometry());
  settings.setValue(kStateKey, saveState());
}

void MainWindow::saveRecentFiles() const {
  QStringList paths;
  for (const std::string& path : recent_.paths()) paths << QString::fromStdString(path);
  QSettings settings;
  settings.setValue(kRecentKey, paths);
}

}  // namespace neurolens::gui
