#include "widgets/plot_widget.h"

#include <QMouseEvent>
#include <QPaintEngine>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace neurolens::gui {

namespace {

// A paint engine that draws nothing and remembers where rectangles and images go
// (in device coordinates): enough to find a heatmap's cells without duplicating
// the figure painter's layout.
class RectRecorder : public QPaintEngine {
 public:
  RectRecorder() : QPaintEngine(QPaintEngine::AllFeatures) {}
  bool begin(QPaintDevice*) override { return true; }
  bool end() override { return true; }
  void updateState(const QPaintEngineState& changed) override {
    if (changed.state() & QPaintEngine::DirtyTransform) transform_ = changed.transform();
  }
  void drawRects(const QRectF* rects, int count) override {
    for (int i = 0; i < count; ++i) rects_.push_back(transform_.mapRect(rects[i]));
  }
  void drawRects(const QRect* rects, int count) override {
    for (int i = 0; i < count; ++i) rects_.push_back(transform_.mapRect(QRectF(rects[i])));
  }
  void drawImage(const QRectF& target, const QImage&, const QRectF&, Qt::ImageConversionFlags) override {
    images_.push_back(transform_.mapRect(target));
  }
  void drawPixmap(const QRectF& target, const QPixmap&, const QRectF&) override {
    images_.push_back(transform_.mapRect(target));
  }
  void drawTextItem(const QPointF&, const QTextItem&) override {}
  void drawPath(const QPainterPath&) override {}
  void drawPolygon(const QPointF*, int, PolygonDrawMode) override {}
  void drawPolygon(const QPoint*, int, PolygonDrawMode) override {}
  void drawLines(const QLineF*, int) override {}
  void drawLines(const QLine*, int) override {}
  void drawPoints(const QPointF*, int) override {}
  void drawPoints(const QPoint*, int) override {}
  void drawEllipse(const QRectF&) override {}
  [[nodiscard]] Type type() const override { return QPaintEngine::User; }

  [[nodiscard]] const std::vector<QRectF>& rects() const { return rects_; }
  [[nodiscard]] const std::vector<QRectF>& images() const { return images_; }

 private:
  QTransform transform_;
  std::vector<QRectF> rects_;
  std::vector<QRectF> images_;
};

// A device of the widget's size and resolution whose engine is the recorder.
class RecordingDevice : public QPaintDevice {
 public:
  RecordingDevice(QSize size, int dpiX, int dpiY) : size_(size), dpiX_(dpiX), dpiY_(dpiY) {}
  [[nodiscard]] QPaintEngine* paintEngine() const override { return &engine_; }
  [[nodiscard]] const RectRecorder& recorder() const { return engine_; }

 protected:
  [[nodiscard]] int metric(PaintDeviceMetric metric) const override {
    switch (metric) {
      case PdmWidth:
        return size_.width();
      case PdmHeight:
        return size_.height();
      case PdmWidthMM:
        return static_cast<int>(size_.width() * 25.4 / dpiX_);
      case PdmHeightMM:
        return static_cast<int>(size_.height() * 25.4 / dpiY_);
      case PdmNumColors:
        return 0xffffff;
      case PdmDepth:
        return 32;
      case PdmDpiX:
      case PdmPhysicalDpiX:
        return dpiX_;
      case PdmDpiY:
      case PdmPhysicalDpiY:
        return dpiY_;
      case PdmDevicePixelRatio:
        return 1;
      case PdmDevicePixelRatioScaled:
        return static_cast<int>(devicePixelRatioFScale());
      default:
        return 0;
    }
  }

 private:
  QSize size_;
  int dpiX_;
  int dpiY_;
  mutable RectRecorder engine_;
};

}  // namespace

PlotWidget::PlotWidget(QString emptyText, QWidget* parent)
    : QWidget(parent), emptyText_(std::move(emptyText)), style_(views::figure::defaultFigureStyle()) {
  setMinimumSize(200, 160);
  setAutoFillBackground(false);
}

PlotWidget::~PlotWidget() = default;

void PlotWidget::setPlot(std::unique_ptr<views::figure::Plot> plot) {
  plot_ = std::move(plot);
  geometryCache_.reset();
  const auto* heatmap = dynamic_cast<const views::figure::HeatmapPlot*>(plot_.get());
  if (heatmap == nullptr || (highlightedRow_ && *highlightedRow_ >= heatmap->data().values.dim(0)))
    highlightedRow_.reset();
  setCursor(heatmap != nullptr ? Qt::PointingHandCursor : Qt::ArrowCursor);
  update();
}

void PlotWidget::setEmptyText(const QString& text) {
  emptyText_ = text;
  update();
}

views::figure::PaintContext PlotWidget::paintContext() const {
  views::figure::PaintContext context;
  context.style = style_;
  // Points to pixels as on paper at the screen's logical resolution (9 pt title ~ 12 px).
  context.dpi = logicalDpiY();
  return context;
}

void PlotWidget::paintEvent(QPaintEvent* /*event*/) {
  QPainter painter(this);
  painter.fillRect(rect(), Qt::white);
  if (plot_ == nullptr) {
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, emptyText_);
    return;
  }
  painter.setRenderHint(QPainter::Antialiasing, true);
  plot_->paint(painter, QRectF(rect()), paintContext());
  if (highlightedRow_) {
    if (const auto cell = heatmapCellRect(*highlightedRow_, 0)) {
      // The selected unit's row: a dark outline with a white halo, readable on any colour.
      const auto geometry = heatmapGeometry();
      const QRectF row(geometry->cells.left(), cell->top(), geometry->cells.width(), cell->height());
      painter.setBrush(Qt::NoBrush);
      painter.setPen(QPen(Qt::white, 3.0));
      painter.drawRect(row.adjusted(-1.5, -1.5, 1.5, 1.5));
      painter.setPen(QPen(QColor(20, 20, 20), 1.5));
      painter.drawRect(row.adjusted(-1.5, -1.5, 1.5, 1.5));
    }
  }
  ++paints_;
}

std::optional<HeatmapGeometry> PlotWidget::heatmapGeometry() const {
  const auto* heatmap = dynamic_cast<const views::figure::HeatmapPlot*>(plot_.get());
  if (heatmap == nullptr) return std::nullopt;
  if (geometryCache_) return geometryCache_;
  RecordingDevice device(size(), logicalDpiX(), logicalDpiY());
  {
    QPainter painter(&device);
    heatmap->paint(painter, QRectF(rect()), paintContext());
  }
  HeatmapGeometry geometry;
  geometry.rows = heatmap->data().values.dim(0);
  geometry.columns = heatmap->data().values.dim(1);
  geometry.rowOrder = heatmap->rowOrder();
  const std::vector<QRectF>& rects = device.recorder().rects();
  const std::size_t cellCount = geometry.rows * geometry.columns;
  if (rects.size() >= cellCount && cellCount > 0) {
    // Cells are drawn first, row by row, each one device pixel larger than its slot.
    const QRectF first = rects.front();
    const QRectF last = rects[cellCount - 1];
    geometry.cells = QRectF(first.topLeft(), QPointF(last.right() - 1.0, last.bottom() - 1.0));
  } else if (!device.recorder().images().empty()) {
    geometry.cells = device.recorder().images().front();  // large heatmaps are drawn as one image
  } else {
    return std::nullopt;
  }
  if (geometry.cells.width() <= 0.0 || geometry.cells.height() <= 0.0) return std::nullopt;
  geometryCache_ = geometry;
  return geometryCache_;
}

std::optional<QRectF> PlotWidget::heatmapCellRect(std::size_t dataRow, std::size_t column) const {
  const auto geometry = heatmapGeometry();
  if (!geometry || column >= geometry->columns) return std::nullopt;
  const auto at = std::find(geometry->rowOrder.begin(), geometry->rowOrder.end(), dataRow);
  if (at == geometry->rowOrder.end()) return std::nullopt;
  const auto displayRow = static_cast<double>(at - geometry->rowOrder.begin());
  return QRectF(geometry->cells.left() + static_cast<double>(column) * geometry->cellWidth(),
                geometry->cells.top() + displayRow * geometry->cellHeight(), geometry->cellWidth(),
                geometry->cellHeight());
}

void PlotWidget::setHighlightedRow(std::optional<std::size_t> dataRow) {
  if (highlightedRow_ == dataRow) return;
  highlightedRow_ = dataRow;
  update();
}

void PlotWidget::resizeEvent(QResizeEvent* event) {
  geometryCache_.reset();
  QWidget::resizeEvent(event);
}

void PlotWidget::mousePressEvent(QMouseEvent* event) {
  const auto geometry = heatmapGeometry();
  if (!geometry || event->button() != Qt::LeftButton) {
    QWidget::mousePressEvent(event);
    return;
  }
  const QPointF point = event->position();
  const QRectF& cells = geometry->cells;
  if (point.y() < cells.top() || point.y() >= cells.bottom() || point.x() >= cells.right()) return;
  const auto displayRow =
      std::min(geometry->rows - 1, static_cast<std::size_t>((point.y() - cells.top()) / geometry->cellHeight()));
  const std::size_t dataRow = geometry->rowOrder[displayRow];
  if (point.x() >= cells.left()) {
    const auto column =
        std::min(geometry->columns - 1, static_cast<std::size_t>((point.x() - cells.left()) / geometry->cellWidth()));
    Q_EMIT heatmapClicked(dataRow, static_cast<int>(column));
  } else {
    Q_EMIT heatmapClicked(dataRow, -1);  // the labels left of the cells: the row's group
  }
  event->accept();
}

}  // namespace neurolens::gui
