#include "widgets/matrix_view.h"

#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QVBoxLayout>
#include <string>

#include "neurolens/views/figure/figure_style.h"
#include "neurolens/views/figure/matrix_heatmap.h"
#include "neurolens/views/figure/plots.h"
#include "widgets/study_bar.h"

namespace neurolens::gui {

namespace fig = views::figure;

MatrixHeatmapWidget::MatrixHeatmapWidget(QWidget* parent) : QWidget(parent) {
  setObjectName("matrixHeatmap");
  setMinimumSize(320, 240);
  setAttribute(Qt::WA_OpaquePaintEvent);
  setCursor(Qt::PointingHandCursor);
  setToolTip(tr("Click a cell to see its two pairs aligned"));
}

MatrixHeatmapWidget::~MatrixHeatmapWidget() = default;

void MatrixHeatmapWidget::setPlot(std::unique_ptr<fig::HeatmapPlot> plot, std::vector<std::size_t> order) {
  plot_ = std::move(plot);
  order_ = std::move(order);
  rowCentres_.clear();
  columnCentres_.clear();
  update();
}

void MatrixHeatmapWidget::paintEvent(QPaintEvent* /*event*/) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  const fig::FigureStyle style = fig::defaultFigureStyle();
  painter.fillRect(rect(),
                   QColor::fromRgbF(static_cast<float>(style.background.r), static_cast<float>(style.background.g),
                                    static_cast<float>(style.background.b)));
  if (!plot_) return;
  // On screen a point is a little larger than at 72 dpi, as the align overlay's.
  fig::LabelRecorder recorder;
  fig::PaintContext context{style, 1.4 * logicalDpiY(), &recorder};
  plot_->paint(painter, QRectF(rect()), context);
  // The cells' centres from the labels just drawn: rows "k  name", columns "k" (below the cells).
  const std::size_t n = order_.size();
  rowCentres_.clear();
  columnCentres_.clear();
  double lowestRow = -1e300;
  for (const fig::DrawnLabel& label : recorder.labels())
    for (std::size_t k = 0; k < n; ++k)
      if (label.kind == scene::LabelKind::Tick && label.text.rfind(std::to_string(k + 1) + "  ", 0) == 0) {
        rowCentres_.emplace_back(k, label.box.center().y());
        lowestRow = std::max(lowestRow, label.box.center().y());
      }
  for (const fig::DrawnLabel& label : recorder.labels())
    for (std::size_t k = 0; k < n; ++k)
      if (label.kind == scene::LabelKind::Tick && label.text == std::to_string(k + 1) &&
          label.box.center().y() > lowestRow)
        columnCentres_.emplace_back(k, label.box.center().x());
}

std::optional<std::pair<std::size_t, std::size_t>> MatrixHeatmapWidget::cellAt(const QPointF& point) const {
  const auto row = matrixSlotAt(rowCentres_, order_.size(), point.y());
  const auto column = matrixSlotAt(columnCentres_, order_.size(), point.x());
  if (!row || !column) return std::nullopt;
  // Outside the cells (the row labels on the left, the column labels below) no slot is found.
  return std::make_pair(*row, *column);
}

std::optional<QPointF> MatrixHeatmapWidget::cellCentre(std::size_t row, std::size_t column) const {
  std::optional<double> x;
  std::optional<double> y;
  for (const auto& [k, centre] : rowCentres_)
    if (k == row) y = centre;
  for (const auto& [k, centre] : columnCentres_)
    if (k == column) x = centre;
  if (!x || !y) return std::nullopt;
  return QPointF(*x, *y);
}

void MatrixHeatmapWidget::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return;
  const auto cell = cellAt(event->position());
  if (!cell) return;
  if (const auto sides = matrixCellSides(order_, cell->first, cell->second))
    Q_EMIT cellClicked(sides->first, sides->second);
}

MatrixView::MatrixView(QWidget* parent) : QWidget(parent) {
  setObjectName("matrixView");
  auto* layout = new QVBoxLayout(this);
  heatmap_ = new MatrixHeatmapWidget(this);
  layout->addWidget(heatmap_, 1);
  connect(heatmap_, &MatrixHeatmapWidget::cellClicked, this, [this](std::size_t a, std::size_t b) {
    if (a < pairs_.size() && b < pairs_.size()) Q_EMIT pairsChosen(pairs_[a], pairs_[b]);
  });
  bar_ = new StudyBar("matrix", this);
  connect(bar_, &StudyBar::cancelRequested, this, &MatrixView::cancelRequested);
  connect(bar_, &StudyBar::closeRequested, this, &MatrixView::closeRequested);
  layout->addWidget(bar_);
}

MatrixView::~MatrixView() = default;

void MatrixView::showRunning(const QString& what) {
  hasResult_ = false;
  bar_->showRunning(what);
}

void MatrixView::setProgress(double fraction, const QString& stage) { bar_->setProgress(fraction, stage); }

void MatrixView::showResult(const app::AlignMatrixResult& result, const MatrixChoice& choice) {
  bar_->showStopped();
  pairs_ = choice.pairs;
  numbers_ = matrixNumbers(result);
  fig::MatrixHeatmapInput input;
  input.labels = choice.labels;
  const auto n = result.matrix.rows();
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) {
      input.values.push_back(result.matrix(i, j));
      input.pValues.push_back(result.pValues(i, j));
    }
  input.order = result.order;
  input.statistic = result.statistic;
  input.largerIsMoreSimilar = result.largerIsMoreSimilar;
  heatmap_->setPlot(std::make_unique<fig::HeatmapPlot>(fig::matrixHeatmapData(input)), result.order);
  bar_->setText(tr("%1 pairs, %2 matched by %3; ** p < 0.01, *** p < 0.001 (permutation). Click a cell to see "
                   "its two pairs aligned.")
                    .arg(n)
                    .arg(QString::fromStdString(result.statistic), QString::fromStdString(result.match)));
  hasResult_ = true;
}

void MatrixView::showError(const QString& message) {
  bar_->showStopped();
  hasResult_ = false;
  heatmap_->setPlot(nullptr, {});
  bar_->setText(message);
}

QJsonObject matrixViewJson(const MatrixView& view) {
  QJsonArray pairs;
  for (const std::size_t index : view.pairs()) pairs.append(static_cast<qint64>(index));
  return QJsonObject{{"kind", "matrix"},
                     {"pairs", pairs},
                     {"trajectories", 0},
                     {"numbers", QJsonDocument::fromJson(QByteArray::fromStdString(view.numbers().dump())).object()}};
}

}  // namespace neurolens::gui
