#include "widgets/focus_view.h"

#include <vtkCamera.h>
#include <vtkRenderer.h>

#include <QColor>
#include <QEvent>
#include <QIcon>
#include <QListWidget>
#include <QMetaObject>
#include <QPixmap>
#include <QVBoxLayout>

#include "neurolens/views/trajectory_scene.h"
#include "neurolens/views/vtk_view_widget.h"
#include "widgets/trial_highlight.h"

namespace neurolens::gui {

FocusView::FocusView(QWidget* parent)
    : QSplitter(Qt::Horizontal, parent), highlight_(std::make_unique<TrialHighlight>()) {
  view_ = new views::VtkViewWidget(this);
  view_->setObjectName("trajectoryView");
  comparePane_ = new QWidget(this);
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
  addWidget(view_);
  addWidget(comparePane_);
  comparePane_->hide();
  // Cameras follow each other when an interaction ends (mouse release, wheel).
  view_->installEventFilter(this);
  compareView_->installEventFilter(this);
  connect(compareLegend_, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
    if (compareScene_ == nullptr) return;
    const auto condition = static_cast<std::size_t>(compareLegend_->row(item));
    const std::vector<std::size_t> groups =
        condition < sceneGroups_.size() ? sceneGroups_[condition] : std::vector<std::size_t>{condition};
    for (const std::size_t group : groups) compareScene_->setConditionVisible(group, item->checkState() == Qt::Checked);
    compareView_->requestRender();
  });
  highlight_->addTo(view_->renderer());
  // Level of detail while a camera moves, full quality when it stops.
  connect(view_, &views::VtkViewWidget::interactionChanged, this, [this](bool moving) {
    if (scene_ != nullptr) scene_->setInteractive(moving);
  });
  connect(compareView_, &views::VtkViewWidget::interactionChanged, this, [this](bool moving) {
    if (compareScene_ != nullptr) compareScene_->setInteractive(moving);
  });
}

FocusView::~FocusView() {
  if (scene_ != nullptr) scene_->removeFrom(view_->renderer());
  if (compareScene_ != nullptr) compareScene_->removeFrom(compareView_->renderer());
  highlight_->removeFrom(view_->renderer());
}

bool FocusView::comparing() const { return comparePane_->isVisible(); }

void FocusView::show(const Trajectories& shown, std::size_t time, bool resetCamera) {
  if (scene_ == nullptr) {
    scene_ = std::make_unique<views::TrajectoryScene>();
    scene_->addTo(view_->renderer());
  }
  sceneGroups_.clear();
  for (std::size_t condition = 0; condition < shown.conditionCount(); ++condition)
    sceneGroups_.push_back(shown.sceneGroups(condition));
  scene_->setData(shown.data);
  // Means carry their own width factor (3x) over thin single trials (0.6x), as in `figure`.
  scene_->setLineWidth(kTrajectoryLineWidth);
  scene_->setTime(time);
  highlight_->hide();
  if (compareScene_ != nullptr || comparing()) {
    if (compareScene_ == nullptr) {
      compareScene_ = std::make_unique<views::TrajectoryScene>();
      compareScene_->addTo(compareView_->renderer());
    }
    compareScene_->setData(shown.data);
    compareScene_->setLineWidth(kTrajectoryLineWidth);
    compareScene_->setTime(time);
    fillCompareLegend(shown);
  }
  if (resetCamera) {
    view_->setStandardView(views::StandardView::Isometric);
    if (compareScene_ != nullptr) compareView_->setStandardView(views::StandardView::Isometric);
  }
}

void FocusView::fillCompareLegend(const Trajectories& shown) {
  const QSignalBlocker blocker(compareLegend_);
  compareLegend_->clear();
  for (std::size_t i = 0; i < shown.groups.names.size(); ++i) {
    const views::Rgb& colour = shown.colours[i];
    auto* item = new QListWidgetItem(QString::fromStdString(shown.groups.names[i]), compareLegend_);
    QPixmap swatch(12, 12);
    swatch.fill(
        QColor::fromRgbF(static_cast<float>(colour.r), static_cast<float>(colour.g), static_cast<float>(colour.b)));
    item->setIcon(QIcon(swatch));
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Checked);
  }
}

void FocusView::showSynthetic(views::TrajectoryData synthetic, std::size_t time) {
  if (scene_ == nullptr) {
    scene_ = std::make_unique<views::TrajectoryScene>();
    scene_->addTo(view_->renderer());
  }
  sceneGroups_.clear();
  highlight_->hide();
  scene_->setData(std::move(synthetic));
  scene_->setTime(time);
  view_->setStandardView(views::StandardView::Isometric);
}

void FocusView::clear() {
  sceneGroups_.clear();
  highlight_->hide();
  if (scene_ != nullptr) scene_->removeFrom(view_->renderer());
  scene_.reset();
  if (compareScene_ != nullptr) compareScene_->removeFrom(compareView_->renderer());
  compareScene_.reset();
}

void FocusView::setColouring(const std::optional<views::ScalarColouring>& colouring) {
  for (views::TrajectoryScene* scene : {scene_.get(), compareScene_.get()}) {
    if (scene == nullptr) continue;
    if (colouring) {
      scene->setScalarColouring(*colouring);
    } else {
      scene->clearScalarColouring();
    }
  }
  render();
}

void FocusView::setConditionVisible(std::size_t condition, bool visible) {
  if (scene_ == nullptr || condition >= sceneGroups_.size()) return;
  // A condition's single trials and its mean are two groups of the scene.
  for (const std::size_t group : sceneGroups_[condition]) scene_->setConditionVisible(group, visible);
  view_->requestRender();
}

void FocusView::setTime(std::size_t bin) {
  if (scene_ != nullptr) scene_->setTime(bin);
  if (compareScene_ != nullptr) compareScene_->setTime(bin);
  render();
}

void FocusView::highlight(const FloatArray& points, std::size_t row) {
  highlight_->show(points, row);
  view_->requestRender();
}

void FocusView::clearHighlight() {
  highlight_->hide();
  view_->requestRender();
}

void FocusView::setComparing(bool on) {
  comparePane_->setVisible(on);
  if (on) {
    const int half = std::max(1, width() / 2);
    setSizes({half, half});
  }
}

void FocusView::matchCompareCamera() {
  if (compareScene_ == nullptr) return;
  compareView_->camera()->DeepCopy(view_->camera());
  compareView_->renderer()->ResetCameraClippingRange();
  compareView_->requestRender();
}

void FocusView::setCamera(const std::array<double, 9>& camera) {
  vtkCamera* target = view_->camera();
  target->SetPosition(camera[0], camera[1], camera[2]);
  target->SetFocalPoint(camera[3], camera[4], camera[5]);
  target->SetViewUp(camera[6], camera[7], camera[8]);
  view_->renderer()->ResetCameraClippingRange();
  view_->requestRender();
}

void FocusView::render() {
  view_->requestRender();
  if (comparing()) compareView_->requestRender();
}

bool FocusView::eventFilter(QObject* watched, QEvent* event) {
  const bool interactionEnded = event->type() == QEvent::MouseButtonRelease || event->type() == QEvent::Wheel;
  if (interactionEnded && comparing() && !syncingCameras_ && (watched == view_ || watched == compareView_)) {
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
  return QSplitter::eventFilter(watched, event);
}

}  // namespace neurolens::gui
