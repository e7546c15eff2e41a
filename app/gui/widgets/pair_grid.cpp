#include "widgets/pair_grid.h"

#include <QGridLayout>
#include <QLabel>
#include <QMetaObject>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <exception>

#include "neurolens/views/trajectory_scene.h"
#include "neurolens/views/vtk_view_widget.h"
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

}  // namespace

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
  connect(&workspace_, &WorkspaceController::itemAdded, this, &PairGrid::rebuildLater);
  connect(&workspace_, &WorkspaceController::itemChanged, this, &PairGrid::rebuildLater);
  connect(&workspace_, &WorkspaceController::itemRemoved, this, &PairGrid::rebuildLater);
  connect(&workspace_, &WorkspaceController::focusChanged, this, &PairGrid::rebuildLater);
}

PairGrid::~PairGrid() { cells_.clear(); }

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
      }
      fill(*cell, *pair);
      cell->frame->show();
      widget = cell->frame.get();
    }
    layout_->addWidget(widget, static_cast<int>(index) / columns, static_cast<int>(index) % columns);
  }
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
        const Trajectories trajectories =
            pair.latents != nullptr ? buildTrajectories(*pair.latents, true, *recording->data, request_())
                                    : buildTrajectories(recording->data->counts, false, *recording->data, request_());
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
        cell.view->setStandardView(views::StandardView::Isometric);
      } catch (const std::exception& error) {
        cell.message->setText(tr("Cannot draw the trajectories: %1").arg(QString::fromStdString(error.what())));
        cell.stack->setCurrentWidget(cell.message);
        cell.drawn = 0;
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

}  // namespace neurolens::gui
