#include "widgets/embedding_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "neurolens/views/figure/embedding_scatter.h"
#include "pipeline_controller.h"
#include "widgets/plot_widget.h"

namespace neurolens::gui {

namespace fig = views::figure;

// The scatter drawn by the figure's painter, plus the unit under the mouse and a ring round the selected unit.
class EmbeddingView::Canvas : public PlotWidget {
 public:
  explicit Canvas(QWidget* parent) : PlotWidget(QString(), parent) { setMouseTracking(true); }

  std::function<void(std::optional<std::size_t>)> onHover;
  std::function<void(std::size_t)> onClick;
  std::function<void(QPointF)> onDrag;  // a drag that started off the dots, by this many pixels

  void setSelected(std::optional<std::size_t> unit) {
    if (selected_ == unit) return;
    selected_ = unit;
    update();
  }
  [[nodiscard]] std::optional<QPointF> centre(std::size_t unit) const {
    const auto* scatter = dynamic_cast<const fig::EmbeddingScatterPlot*>(plot());
    if (scatter == nullptr || unit >= scatter->paintedCentres().size()) return std::nullopt;
    const QPointF point = scatter->paintedCentres()[unit];
    if (!std::isfinite(point.x()) || !std::isfinite(point.y())) return std::nullopt;
    return point;
  }
  // The unit whose dot is nearest `position`, within a few pixels.
  [[nodiscard]] std::optional<std::size_t> unitAt(QPointF position) const {
    const auto* scatter = dynamic_cast<const fig::EmbeddingScatterPlot*>(plot());
    if (scatter == nullptr) return std::nullopt;
    constexpr double kReach = 6.0;
    std::optional<std::size_t> best;
    double bestDistance = kReach * kReach;
    for (std::size_t u = 0; u < scatter->paintedCentres().size(); ++u) {
      const QPointF d = scatter->paintedCentres()[u] - position;
      const double distance = d.x() * d.x() + d.y() * d.y();
      if (std::isfinite(distance) && distance <= bestDistance) best = u, bestDistance = distance;
    }
    return best;
  }

 protected:
  void paintEvent(QPaintEvent* event) override {
    PlotWidget::paintEvent(event);
    if (!selected_) return;
    if (const auto point = centre(*selected_)) {
      QPainter painter(this);
      painter.setRenderHint(QPainter::Antialiasing, true);
      painter.setBrush(Qt::NoBrush);
      painter.setPen(QPen(Qt::white, 4.0));
      painter.drawEllipse(*point, 7.0, 7.0);
      painter.setPen(QPen(QColor(20, 20, 20), 2.0));
      painter.drawEllipse(*point, 7.0, 7.0);
    }
  }
  void mouseMoveEvent(QMouseEvent* event) override {
    if (dragFrom_ && (event->buttons() & Qt::LeftButton)) {
      const QPointF delta = event->position() - *dragFrom_;
      dragFrom_ = event->position();
      if (onDrag) onDrag(delta);
      event->accept();
      return;
    }
    const std::optional<std::size_t> unit = unitAt(event->position());
    setCursor(unit ? Qt::PointingHandCursor : Qt::ArrowCursor);
    if (onHover) onHover(unit);
    PlotWidget::mouseMoveEvent(event);
  }
  void mousePressEvent(QMouseEvent* event) override {
    const std::optional<std::size_t> unit = unitAt(event->position());
    if (event->button() == Qt::LeftButton && !unit) dragFrom_ = event->position();
    if (event->button() != Qt::LeftButton || !unit) return PlotWidget::mousePressEvent(event);
    if (onClick) onClick(*unit);
    event->accept();
  }
  void mouseReleaseEvent(QMouseEvent* event) override {
    dragFrom_.reset();
    PlotWidget::mouseReleaseEvent(event);
  }
  void leaveEvent(QEvent* event) override {
    if (onHover) onHover(std::nullopt);
    PlotWidget::leaveEvent(event);
  }

 private:
  std::optional<std::size_t> selected_;
  std::optional<QPointF> dragFrom_;
};

EmbeddingView::EmbeddingView(QWidget* parent) : QWidget(parent), job_(tr("Reading the unit embeddings")) {
  setObjectName("embeddingView");
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* bar = new QHBoxLayout;
  colour_ = new QComboBox(this);
  colour_->setObjectName("embeddingColour");
  colour_->setToolTip(tr("The unit column that colours the dots (firing_rate: spikes/s over the binned counts)"));
  colour_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  axes_ = new QComboBox(this);
  axes_->setObjectName("embeddingAxes");
  axes_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  axes_->setToolTip(tr("The principal components drawn against each other"));
  hover_ = new QLabel(this);
  hover_->setObjectName("embeddingUnit");
  hover_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  bar->addWidget(new QLabel(tr("Colour by"), this));
  bar->addWidget(colour_);
  bar->addWidget(new QLabel(tr("Axes"), this));
  bar->addWidget(axes_);
  bar->addWidget(hover_, 1);
  canvas_ = new Canvas(this);
  canvas_->setObjectName("embeddingPlot");
  layout->addLayout(bar);
  layout->addWidget(canvas_, 1);

  canvas_->onHover = [this](std::optional<std::size_t> unit) { hover(unit); };
  canvas_->onClick = [this](std::size_t unit) {
    setSelectedUnit(unit);
    Q_EMIT unitClicked(unit);
  };
  canvas_->onDrag = [this](QPointF delta) {
    if (!turning()) return;
    turn_.yawDeg = std::remainder(turn_.yawDeg + 0.5 * delta.x(), 360.0);
    turn_.pitchDeg = std::clamp(turn_.pitchDeg + 0.5 * delta.y(), -90.0, 90.0);
    redraw();
  };
  connect(colour_, &QComboBox::currentIndexChanged, this, [this] { redraw(); });
  connect(axes_, &QComboBox::currentIndexChanged, this, [this] { redraw(); });
  connect(&job_, &BackgroundJob::finished, this, [this] { onComputed(); });
  showSpace();
}

EmbeddingView::~EmbeddingView() = default;

PlotWidget* EmbeddingView::canvas() const { return canvas_; }

void EmbeddingView::setPair(std::shared_ptr<const BinnedRecording> recording, std::shared_ptr<const Model> model) {
  if (recording == recording_ && model == model_) return;
  recording_ = std::move(recording);
  model_ = std::move(model);
  stale_ = true;
  if (recording_ == nullptr || model_ == nullptr) {
    space_ = std::make_shared<const EmbeddingSpace>(embeddingSpace(nullptr, nullptr));
    stale_ = false;
    showSpace();
    return;
  }
  computeIfNeeded();
}

void EmbeddingView::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  computeIfNeeded();
}

void EmbeddingView::computeIfNeeded() {
  if (!stale_ || !isVisible() || job_.isRunning()) return;  // a running job's end checks again
  if (recording_ == nullptr || model_ == nullptr) return;   // setPair showed why
  stale_ = false;
  computed_ = std::make_shared<EmbeddingSpace>();
  computedFor_ = recording_;
  showMessage(
      tr("Reading the unit embeddings of %1 ...").arg(QString::fromStdString(model_->file().filename().string())));
  job_.start([out = computed_, recording = recording_, model = model_](const Progress&) {
    *out = embeddingSpace(model.get(), recording.get());
  });
}

void EmbeddingView::onComputed() {
  if (job_.outcome() == BackgroundJob::Outcome::Succeeded && computed_ != nullptr)
    space_ = computed_;
  else
    space_ = std::make_shared<const EmbeddingSpace>(
        EmbeddingSpace{("Cannot read the unit embeddings: " + job_.errorMessage()).toStdString(), {}});
  computed_.reset();
  if (stale_) return computeIfNeeded();  // the pair changed meanwhile
  showSpace();
}

void EmbeddingView::showSpace() {
  const bool ready = space_ != nullptr && space_->ready() && recording_ != nullptr && computedFor_ == recording_;
  {
    const QSignalBlocker colourBlocker(colour_);
    const QSignalBlocker axesBlocker(axes_);
    const QString previous = colour_->currentText();
    colour_->clear();
    axes_->clear();
    if (ready) {
      for (const std::string& name : unitColouringColumns(*recording_)) colour_->addItem(QString::fromStdString(name));
      const int kept = colour_->findText(previous);
      colour_->setCurrentIndex(
          kept >= 0 ? kept : colour_->findText(QString::fromStdString(defaultEmbeddingColumn(*recording_))));
      for (const ComponentPair& pair : componentPairs(space_->pca))
        axes_->addItem(tr("PC %1 \u00d7 PC %2").arg(pair[0] + 1).arg(pair[1] + 1));
      if (space_->pca.varianceShare.size() >= 3) axes_->addItem(tr("3-D: PC 1-3 (drag to turn)"));
    }
  }
  colour_->setEnabled(ready);
  axes_->setEnabled(ready);
  if (!ready)
    return showMessage(QString::fromStdString(
        space_ != nullptr && !space_->ready() ? space_->message : embeddingSpace(nullptr, nullptr).message));
  redraw();
}

void EmbeddingView::redraw() {
  if (space_ == nullptr || !space_->ready() || recording_ == nullptr || colour_->currentIndex() < 0) return;
  const std::vector<ComponentPair> pairs = componentPairs(space_->pca);
  const ComponentPair components =
      pairs[static_cast<std::size_t>(std::clamp(axes_->currentIndex(), 0, static_cast<int>(pairs.size()) - 1))];
  const std::string column = colour_->currentText().toStdString();
  try {
    picture_ = turning() ? turnedPicture(space_->pca, *recording_, column, turn_)
                         : embeddingPicture(space_->pca, *recording_, column, components);
  } catch (const std::exception& error) {
    return showMessage(QString::fromStdString(error.what()));
  }
  fig::EmbeddingScatterInput input;
  input.points = picture_->points;
  input.categories = picture_->colouring.categories;
  input.values = picture_->colouring.values;
  input.column = picture_->colouring.title;
  input.title = picture_->title;
  input.xTitle = picture_->xTitle;
  input.yTitle = picture_->yTitle;
  canvas_->setPlot(std::make_unique<fig::EmbeddingScatterPlot>(std::move(input), fig::defaultFigureStyle()));
  message_.clear();
  hover(std::nullopt);
}

void EmbeddingView::showMessage(const QString& text) {
  message_ = text;
  picture_.reset();
  canvas_->setPlot(nullptr);
  canvas_->setEmptyText(text);
  hover_->clear();
}

void EmbeddingView::setSelectedUnit(std::optional<std::size_t> unit) {
  selected_ = unit;
  canvas_->setSelected(unit);
}

bool EmbeddingView::setColourColumn(const QString& column) {
  const int index = colour_->findText(column);
  if (index < 0) return false;
  colour_->setCurrentIndex(index);
  return true;
}

QString EmbeddingView::hoverText() const { return hover_->text(); }

bool EmbeddingView::turning() const {
  return space_ != nullptr && space_->ready() &&
         axes_->currentIndex() >= static_cast<int>(componentPairs(space_->pca).size());
}

std::optional<QPointF> EmbeddingView::unitCentre(std::size_t unit) const { return canvas_->centre(unit); }

void EmbeddingView::hover(std::optional<std::size_t> unit) {
  if (!picture_ || recording_ == nullptr) return hover_->clear();
  if (!unit) {
    hover_->setText(tr("%1 units: hover a dot to name its unit, click it to select it in the Units table")
                        .arg(picture_->points.size()));
    return;
  }
  const QString text = QString::fromStdString(describeUnit(*recording_, *picture_, *unit));
  hover_->setText(text);
  if (const auto point = canvas_->centre(*unit))
    QToolTip::showText(canvas_->mapToGlobal(point->toPoint()), text, canvas_);
}

void connectEmbeddingView(EmbeddingView& view, PipelineController& pipeline) {
  const auto update = [&view, &pipeline] { view.setPair(pipeline.recordingData(), pipeline.modelData()); };
  QObject::connect(&pipeline, &PipelineController::recordingChanged, &view, update);
  QObject::connect(&pipeline, &PipelineController::modelChanged, &view, update);
  QObject::connect(&pipeline, &PipelineController::latentsChanged, &view, update);
  update();
}

}  // namespace neurolens::gui
