#include "widgets/pair_grid.h"

#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

#include <QDialog>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QMessageBox>
#include <QMetaObject>
#include <QPointer>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>
#include <exception>

#include "actions/export_view_action.h"
#include "logic/linked_views.h"
#include "neurolens/core/errors.h"
#include "neurolens/scene/colour.h"
#include "neurolens/views/trajectory_scene.h"
#include "neurolens/views/vtk_view_widget.h"
#include "widgets/focus_view.h"
#include "workspace_controller.h"

namespace neurolens::gui {

namespace {

QLabel* titleLabel(QWidget* parent) {
  auto* label = new QLabel(parent);
  label->setObjectName("pairTitle");
  label->setTextFormat(Qt::RichText);
  label->setContentsMargins(4, 2, 4, 2);
  return label;
}

QString titleOf(const workspace::Workspace& workspace, const workspace::PairItem& pair) {
  return QString("<b>%1</b> &mdash; %2")
      .arg(QString::fromStdString(workspace.label(pair.id)).toHtmlEscaped(), workspace::stateName(pair.state));
}

CameraPose poseOf(vtkCamera* camera) {
  CameraPose pose;
  camera->GetPosition(pose.position.data());
  camera->GetFocalPoint(pose.focalPoint.data());
  camera->GetViewUp(pose.viewUp.data());
  pose.viewAngle = camera->GetViewAngle();
  pose.parallel = camera->GetParallelProjection() != 0;
  pose.parallelScale = camera->GetParallelScale();
  return pose;
}

void setPose(vtkCamera* camera, const CameraPose& pose) {
  camera->SetPosition(pose.position.data());
  camera->SetFocalPoint(pose.focalPoint.data());
  camera->SetViewUp(pose.viewUp.data());
  camera->SetViewAngle(pose.viewAngle);
  camera->SetParallelProjection(pose.parallel ? 1 : 0);
  camera->SetParallelScale(pose.parallelScale);
}

}  // namespace

// A camera the grid listens to while linked (the observer goes with the watch).
struct PairGrid::CameraWatch {
  vtkSmartPointer<vtkCamera> camera;
  QPointer<views::VtkViewWidget> view;
  unsigned long tag = 0;
};

struct PairGrid::Cell {
  std::unique_ptr<QWidget> frame;  // parented to the grid; deleted here, before the grid
  QLabel* title = nullptr;
  QStackedWidget* stack = nullptr;
  QLabel* message = nullptr;
  views::VtkViewWidget* view = nullptr;
  std::unique_ptr<views::TrajectoryScene> scene;
  std::shared_ptr<const void> source;  // what the scene was built from: latents, or a recording alone
  std::size_t drawn = 0;
  std::vector<std::pair<std::string, views::Rgb>> conditions;  // each condition drawn and its colour
  std::optional<Trajectories> trajectories;                    // as the scene builder made them
  std::vector<views::Rgb> appliedColours;                      // the group colours drawn now

  ~Cell() {
    if (scene != nullptr) scene->removeFrom(view->renderer());
  }
};

PairGrid::PairGrid(WorkspaceController& workspace, QWidget* focusArea, RequestSource request, QWidget* parent)
    : QWidget(parent), workspace_(workspace), focusArea_(focusArea), request_(std::move(request)) {
  setObjectName("pairGrid");
  layout_ = new QGridLayout(this);
  layout_->setContentsMargins(0, 0, 0, 0);
  layout_->setSpacing(4);
  focusFrame_ = new QWidget(this);
  focusFrame_->setObjectName("focusPair");
  auto* column = new QVBoxLayout(focusFrame_);
  column->setContentsMargins(0, 0, 0, 0);
  column->setSpacing(0);
  focusTitle_ = titleLabel(focusFrame_);
  focusTitle_->hide();
  column->addWidget(focusTitle_);
  focusArea_->setParent(focusFrame_);
  column->addWidget(focusArea_, 1);
  layout_->addWidget(focusFrame_, 0, 0);
  legend_ = new QLabel(this);
  legend_->setObjectName("linkedLegend");
  legend_->setTextFormat(Qt::RichText);
  legend_->setWordWrap(true);
  legend_->setContentsMargins(6, 2, 6, 2);
  legend_->hide();
  connect(&workspace_, &WorkspaceController::itemAdded, this, &PairGrid::rebuildLater);
  connect(&workspace_, &WorkspaceController::itemChanged, this, &PairGrid::rebuildLater);
  connect(&workspace_, &WorkspaceController::itemRemoved, this, &PairGrid::rebuildLater);
  connect(&workspace_, &WorkspaceController::focusChanged, this, &PairGrid::rebuildLater);
}

PairGrid::~PairGrid() {
  for (const CameraWatch& watch : watches_) watch.camera->RemoveObserver(watch.tag);
  watches_.clear();
  cells_.clear();
}

void PairGrid::rebuildLater() {
  if (rebuildPending_) return;
  rebuildPending_ = true;
  QMetaObject::invokeMethod(
      this,
      [this] {
        rebuildPending_ = false;
        rebuild();
      },
      Qt::QueuedConnection);
}

void PairGrid::rebuild() {
  const workspace::Workspace& space = workspace_.workspace();
  const std::optional<workspace::Id> focus = workspace_.focusedPair();
  std::vector<workspace::Id> shown;
  for (const workspace::PairItem& pair : space.pairs()) {
    if (shown.size() == kMaxViews) break;
    shown.push_back(pair.id);
  }
  // The focus is always shown: in the last place when it comes after the first four.
  if (focus && std::find(shown.begin(), shown.end(), *focus) == shown.end()) {
    if (shown.size() == kMaxViews) shown.pop_back();
    shown.push_back(*focus);
  }
  for (const CameraWatch& watch : watches_) watch.camera->RemoveObserver(watch.tag);
  watches_.clear();
  for (auto it = cells_.begin(); it != cells_.end();) {
    const bool keep = std::find(shown.begin(), shown.end(), it->first) != shown.end() && it->first != focus;
    it = keep ? std::next(it) : cells_.erase(it);
  }
  while (layout_->count() > 0) std::unique_ptr<QLayoutItem>(layout_->takeAt(0)).reset();
  shown_ = shown;
  if (shown.empty() || !focus) {
    // No pair, or none held by the docks: the window's own view area stays in place (demo trajectories).
    if (shown.empty()) {
      focusTitle_->hide();
      focusFrame_->show();
      legend_->hide();
      layout_->addWidget(focusFrame_, 0, 0);
      return;
    }
    focusFrame_->hide();
  }
  // Two pairs: side by side in a wide centre, else one above the other (a 3-D view fits its scene to its
  // height, so tall narrow cells would cut it).
  const bool wide = width() > 2 * height();
  const int columns = shown.size() <= 1 || (shown.size() == 2 && !wide) ? 1 : 2;
  for (std::size_t index = 0; index < shown.size(); ++index) {
    const workspace::PairItem* pair = space.pair(shown[index]);
    QWidget* widget = nullptr;
    if (shown[index] == focus) {
      focusTitle_->setText(titleOf(space, *pair));
      focusTitle_->setVisible(shown.size() > 1);
      focusFrame_->show();
      widget = focusFrame_;
    } else {
      std::unique_ptr<Cell>& cell = cells_[shown[index]];
      if (cell == nullptr) {
        cell = std::make_unique<Cell>();
        cell->frame = std::make_unique<QWidget>(this);
        cell->frame->setObjectName("pairView");
        auto* column = new QVBoxLayout(cell->frame.get());
        column->setContentsMargins(0, 0, 0, 0);
        column->setSpacing(0);
        cell->title = titleLabel(cell->frame.get());
        cell->stack = new QStackedWidget(cell->frame.get());
        cell->message = new QLabel(cell->stack);
        cell->message->setObjectName("pairMessage");
        cell->message->setWordWrap(true);
        cell->message->setAlignment(Qt::AlignCenter);
        cell->message->setMargin(12);
        cell->view = new views::VtkViewWidget(cell->stack);
        cell->view->setObjectName("pairTrajectoryView");
        cell->stack->addWidget(cell->message);
        cell->stack->addWidget(cell->view);
        column->addWidget(cell->title);
        column->addWidget(cell->stack, 1);
        addContextMenu(cell->title, shown[index]);
      }
      fill(*cell, *pair);
      cell->frame->show();
      widget = cell->frame.get();
    }
    layout_->addWidget(widget, static_cast<int>(index) / columns, static_cast<int>(index) % columns);
  }
  const int rows = (static_cast<int>(shown.size()) + columns - 1) / columns;
  layout_->addWidget(legend_, rows, 0, 1, columns);
  for (int row = 0; row < rows; ++row) layout_->setRowStretch(row, 1);
  layout_->setRowStretch(rows, 0);
  applyLinking();
  watchCameras();
  // A view drawn for the first time starts from the others' camera (the focus's).
  if (linked_ && !watches_.empty()) copyCamera(watches_.front().camera);
}

void PairGrid::fill(Cell& cell, const workspace::PairItem& pair) {
  const workspace::Workspace& space = workspace_.workspace();
  cell.title->setText(titleOf(space, pair));
  const workspace::RecordingItem* recording = space.recording(pair.recording);
  // A recording alone draws its own smoothed rates (PCA), as `figure` does without a model.
  const bool recordingAlone = !pair.model && recording != nullptr && recording->data != nullptr;
  if (pair.state == workspace::State::Ready && (pair.latents != nullptr || recordingAlone)) {
    const std::shared_ptr<const void> source = pair.latents != nullptr ? std::shared_ptr<const void>(pair.latents)
                                                                       : std::shared_ptr<const void>(recording->data);
    if (cell.source != source) {
      try {
        const Trajectories trajectories = *trajectoriesOf(pair);
        if (cell.scene == nullptr) {
          cell.scene = std::make_unique<views::TrajectoryScene>();
          cell.scene->addTo(cell.view->renderer());
        }
        cell.scene->setData(trajectories.data);
        cell.scene->setLineWidth(kTrajectoryLineWidth);
        cell.drawn = trajectories.data.points.dim(0);
        cell.conditions.clear();
        for (std::size_t c = 0; c < trajectories.colours.size(); ++c)
          cell.conditions.emplace_back(trajectories.groups.names[c], trajectories.colours[c]);
        cell.source = source;
        cell.trajectories = trajectories;
        cell.appliedColours = trajectories.data.colours;
        cell.scene->setTime(time_);
        cell.view->setStandardView(views::StandardView::Isometric);
      } catch (const std::exception& error) {
        cell.message->setText(tr("Cannot draw the trajectories: %1").arg(QString::fromStdString(error.what())));
        cell.stack->setCurrentWidget(cell.message);
        cell.drawn = 0;
        cell.trajectories.reset();
        return;
      }
    }
    cell.stack->setCurrentWidget(cell.view);
    cell.view->requestRender();
    return;
  }
  cell.drawn = 0;
  cell.conditions.clear();
  cell.source.reset();
  cell.trajectories.reset();
  switch (pair.state) {
    case workspace::State::Loading:
      cell.message->setText(pair.running ? tr("Running the model on the recording ...") : tr("Opening ..."));
      break;
    case workspace::State::Error:
      cell.message->setText(
          tr("<b>This pair cannot be drawn</b><p>%1</p>").arg(QString::fromStdString(pair.error).toHtmlEscaped()));
      break;
    case workspace::State::Ready:
      cell.message->setText(tr("Nothing to draw for this pair."));
      break;
  }
  cell.stack->setCurrentWidget(cell.message);
}

std::vector<workspace::Id> PairGrid::shownPairs() const { return shown_; }

std::vector<views::VtkViewWidget*> PairGrid::ownViews() const {
  std::vector<views::VtkViewWidget*> views;
  for (const auto& [id, cell] : cells_)
    if (cell->stack->currentWidget() == cell->view) views.push_back(cell->view);
  return views;
}

std::vector<std::pair<std::string, views::Rgb>> PairGrid::conditions(workspace::Id pair) const {
  const auto found = cells_.find(pair);
  return found == cells_.end() ? std::vector<std::pair<std::string, views::Rgb>>{} : found->second->conditions;
}

std::size_t PairGrid::drawn(workspace::Id pair) const {
  const auto found = cells_.find(pair);
  return found == cells_.end() ? 0 : found->second->drawn;
}

std::optional<Trajectories> PairGrid::trajectoriesOf(const workspace::PairItem& pair) const {
  const workspace::RecordingItem* recording = workspace_.workspace().recording(pair.recording);
  if (pair.state != workspace::State::Ready || recording == nullptr || recording->data == nullptr) return std::nullopt;
  if (pair.latents != nullptr) return buildTrajectories(*pair.latents, true, *recording->data, request_());
  if (pair.model) return std::nullopt;
  return buildTrajectories(recording->data->counts, false, *recording->data, request_());
}

void PairGrid::setLinked(bool on) {
  if (linked_ == on) return;
  linked_ = on;
  applyLinking();
  if (linked_) {
    // The views start from the focus's camera (else the first view's).
    if (!watches_.empty()) copyCamera(watches_.front().camera);
    setTime(time_);
  }
}

void PairGrid::setTime(std::size_t bin) {
  time_ = bin;
  if (!linked_) return;
  for (const auto& [id, cell] : cells_) {
    if (cell->scene == nullptr || !cell->trajectories) continue;
    cell->scene->setTime(bin);
    cell->view->requestRender();
  }
}

std::optional<std::size_t> PairGrid::cursorOf(workspace::Id pair) const {
  if (workspace_.focusedPair() == pair) {
    auto* focus = qobject_cast<FocusView*>(focusArea_);
    if (focus != nullptr && focus->scene() != nullptr) return focus->scene()->time();
    return std::nullopt;
  }
  const auto found = cells_.find(pair);
  if (found == cells_.end() || found->second->scene == nullptr || !found->second->trajectories) return std::nullopt;
  return found->second->scene->time();
}

views::VtkViewWidget* PairGrid::viewOf(workspace::Id pair) const {
  if (workspace_.focusedPair() == pair) {
    auto* focus = qobject_cast<FocusView*>(focusArea_);
    return focus != nullptr && focus->scene() != nullptr ? focus->view() : nullptr;
  }
  const auto found = cells_.find(pair);
  if (found == cells_.end() || !found->second->trajectories) return nullptr;
  return found->second->view;
}

std::vector<std::pair<std::string, views::Rgb>> PairGrid::drawnConditions(workspace::Id pair) const {
  // The focus is drawn by the window in its scene's colours; the grid's own views in the shared ones.
  if (workspace_.focusedPair() == pair) return focusConditions_;
  const auto found = cells_.find(pair);
  if (found == cells_.end() || !found->second->trajectories) return {};
  LabelledColours drawn = found->second->conditions;
  for (auto& [label, colour] : drawn) {
    const auto shared = linkedColours_.find(label);
    if (shared != linkedColours_.end()) colour = shared->second;
  }
  return drawn;
}

void PairGrid::updateFocusConditions() {
  const std::optional<workspace::Id> focus = workspace_.focusedPair();
  const workspace::PairItem* pair = focus ? workspace_.workspace().pair(*focus) : nullptr;
  const workspace::RecordingItem* recording =
      pair != nullptr ? workspace_.workspace().recording(pair->recording) : nullptr;
  std::shared_ptr<const void> source;
  if (pair != nullptr && pair->latents != nullptr) {
    source = pair->latents;
  } else if (pair != nullptr && !pair->model && recording != nullptr) {
    source = recording->data;
  }
  if (source == focusSource_) return;
  focusSource_ = source;
  focusConditions_.clear();
  if (source == nullptr) return;
  try {
    if (const std::optional<Trajectories> drawn = trajectoriesOf(*pair)) {
      for (std::size_t c = 0; c < drawn->colours.size() && c < drawn->groups.names.size(); ++c)
        focusConditions_.emplace_back(drawn->groups.names[c], drawn->colours[c]);
    }
  } catch (const std::exception&) {
    focusConditions_.clear();  // the focus view says why it draws nothing
  }
}

void PairGrid::watchCameras() {
  std::vector<views::VtkViewWidget*> views;
  auto* focus = qobject_cast<FocusView*>(focusArea_);
  if (focus != nullptr && focusFrame_->isVisibleTo(this)) views.push_back(focus->view());
  for (const workspace::Id id : shown_) {
    const auto found = cells_.find(id);
    if (found != cells_.end()) views.push_back(found->second->view);
  }
  for (views::VtkViewWidget* view : views) {
    CameraWatch watch;
    watch.camera = view->camera();
    watch.view = view;
    watch.tag = watch.camera->AddObserver(vtkCommand::ModifiedEvent, this, &PairGrid::onCameraModified);
    watches_.push_back(std::move(watch));
  }
}

void PairGrid::onCameraModified(vtkObject* caller, unsigned long /*event*/, void* /*data*/) {
  if (!linked_ || syncing_) return;
  copyCamera(caller);
}

void PairGrid::copyCamera(vtkObject* from) {
  auto* source = vtkCamera::SafeDownCast(from);
  if (source == nullptr) return;
  const CameraPose pose = poseOf(source);
  syncing_ = true;
  for (const CameraWatch& watch : watches_) {
    if (watch.camera == source || watch.view.isNull() || samePose(poseOf(watch.camera), pose)) continue;
    setPose(watch.camera, pose);
    watch.view->renderer()->ResetCameraClippingRange();
    watch.view->requestRender();
  }
  syncing_ = false;
}

void PairGrid::applyLinking() {
  std::vector<LabelledColours> drawn;
  auto* focus = qobject_cast<FocusView*>(focusArea_);
  // The focus first: the window draws it (and its legend in the Trajectories dock), so it keeps its colours.
  updateFocusConditions();
  if (focus != nullptr && focus->scene() != nullptr && focusFrame_->isVisibleTo(this))
    drawn.push_back(focusConditions_);
  for (const workspace::Id id : shown_) {
    const auto found = cells_.find(id);
    if (found != cells_.end() && found->second->trajectories) drawn.push_back(found->second->conditions);
  }
  linkedColours_ = linked_ ? sharedConditionColours(drawn) : std::map<std::string, views::Rgb>{};
  for (const auto& [id, cell] : cells_) {
    if (!cell->trajectories || cell->scene == nullptr) continue;
    views::TrajectoryData recoloured = cell->trajectories->data;
    recolourByLabel(recoloured, cell->trajectories->groups.names, linkedColours_);
    const bool same = std::equal(
        recoloured.colours.begin(), recoloured.colours.end(), cell->appliedColours.begin(), cell->appliedColours.end(),
        [](const views::Rgb& a, const views::Rgb& b) { return a.r == b.r && a.g == b.g && a.b == b.b; });
    if (same) continue;
    cell->appliedColours = recoloured.colours;
    cell->scene->setData(std::move(recoloured));
    cell->scene->setLineWidth(kTrajectoryLineWidth);
    cell->scene->setTime(time_);
    cell->view->requestRender();
  }
  const bool showLegend = linked_ && drawn.size() > 1;
  if (showLegend) {
    QStringList items;
    for (const auto& [label, colour] : sharedLegend(drawn, linkedColours_))
      items << QString("<span style=\"color:%1\">&#9632;</span>&nbsp;%2<span></span>")
                   .arg(QString::fromStdString(scene::toHex(colour)), QString::fromStdString(label).toHtmlEscaped());
    legend_->setText(tr("<b>Conditions</b>&nbsp;&nbsp;") + items.join("&nbsp;&nbsp; "));
  }
  legend_->setVisible(showLegend);
}

void PairGrid::addContextMenu(QWidget* title, workspace::Id pair) {
  title->setContextMenuPolicy(Qt::CustomContextMenu);
  title->setToolTip(tr("Right-click: Export view..."));
  connect(title, &QWidget::customContextMenuRequested, this, [this, title, pair](const QPoint& at) {
    QMenu menu;
    QAction* exportAction = menu.addAction(tr("Export view..."));
    if (menu.exec(title->mapToGlobal(at)) == exportAction) exportViewWithDialog(pair);
  });
}

void PairGrid::exportView(workspace::Id pair, const QString& path, const ViewExportOptions& options) const {
  const workspace::PairItem* item = workspace_.workspace().pair(pair);
  views::VtkViewWidget* view = viewOf(pair);
  if (item == nullptr || view == nullptr) throw InputError("this view draws nothing to export");
  std::optional<Trajectories> shown;
  const auto found = cells_.find(pair);
  if (found != cells_.end() && found->second->trajectories) {
    shown = found->second->trajectories;
  } else {
    shown = trajectoriesOf(*item);
  }
  if (!shown) throw InputError("this view draws nothing to export");
  gui::exportView(*shown, linkedColours_, figureCamera(view->camera()), path, options);
}

bool PairGrid::exportFocusWithDialog() {
  const std::optional<workspace::Id> focus = workspace_.focusedPair();
  auto* focusView = qobject_cast<FocusView*>(focusArea_);
  if (!focus || viewOf(*focus) == nullptr || focusView == nullptr || focusView->scene()->hasScalarColouring())
    return false;
  exportViewWithDialog(*focus);
  return true;
}

void PairGrid::exportViewWithDialog(workspace::Id pair) {
  views::VtkViewWidget* view = viewOf(pair);
  if (view == nullptr) return;
  ExportImageDialog dialog(view->size(), this, /*offerStyles=*/true);
  if (dialog.exec() != QDialog::Accepted) return;
  QSettings settings;
  const QString folder = settings.value("dialogs/exportFolder").toString();
  QString path =
      QFileDialog::getSaveFileName(this, tr("Export View"), folder.isEmpty() ? QString() : folder + "/trajectories.png",
                                   tr("Images (*.png *.svg *.pdf)"));
  if (path.isEmpty()) return;
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix != "png" && suffix != "svg" && suffix != "pdf") path += ".png";
  settings.setValue("dialogs/exportFolder", QFileInfo(path).absolutePath());
  try {
    exportView(pair, path, dialog.viewExportOptions());
    if (auto* main = qobject_cast<QMainWindow*>(window())) main->statusBar()->showMessage(tr("Saved %1").arg(path));
  } catch (const std::exception& error) {
    QMessageBox::warning(this, tr("Export failed"), QString::fromStdString(error.what()));
  }
}

}  // namespace neurolens::gui
