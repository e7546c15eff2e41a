#pragma once
// Draws one of the figure painters (views/figure/plots.h: heatmap, bars ...) into
// a QWidget with QPainter, at the screen's resolution: the same drawing as the
// exported figures. A heatmap can be clicked: a cell (its data row and column) or
// the group label beside a block of rows; one data row can be outlined (the
// selected unit).
#include <QString>
#include <QWidget>
#include <memory>
#include <optional>
#include <vector>

#include "neurolens/views/figure/plots.h"

namespace neurolens::gui {

// Where a heatmap's cells lie in a widget of a given size (found by recording the
// painter's cell rectangles, so it follows the figure painter's own layout).
struct HeatmapGeometry {
  QRectF cells;  // the whole cell area
  std::size_t rows = 0;
  std::size_t columns = 0;
  std::vector<std::size_t> rowOrder;  // display row -> data row
  [[nodiscard]] double cellWidth() const { return cells.width() / static_cast<double>(columns); }
  [[nodiscard]] double cellHeight() const { return cells.height() / static_cast<double>(rows); }
};

class PlotWidget : public QWidget {
  Q_OBJECT

 public:
  explicit PlotWidget(QString emptyText, QWidget* parent = nullptr);
  ~PlotWidget() override;
  PlotWidget(const PlotWidget&) = delete;
  PlotWidget& operator=(const PlotWidget&) = delete;
  // Shows `plot` (null: the empty text).
  void setPlot(std::unique_ptr<views::figure::Plot> plot);
  void setEmptyText(const QString& text);
  [[nodiscard]] const views::figure::Plot* plot() const { return plot_.get(); }
  // How many times the plot was drawn (tests).
  [[nodiscard]] int paints() const { return paints_; }
  [[nodiscard]] QSize sizeHint() const override { return {360, 300}; }

  // Heatmaps only (nullopt otherwise): the cell layout at the current size, and the
  // rectangle of one cell given its data row.
  [[nodiscard]] std::optional<HeatmapGeometry> heatmapGeometry() const;
  [[nodiscard]] std::optional<QRectF> heatmapCellRect(std::size_t dataRow, std::size_t column) const;
  // Outlines one data row of a heatmap (nullopt: none).
  void setHighlightedRow(std::optional<std::size_t> dataRow);
  [[nodiscard]] std::optional<std::size_t> highlightedRow() const { return highlightedRow_; }

 Q_SIGNALS:
  // A heatmap cell was clicked (column >= 0), or the group label left of a block
  // of rows (column -1; dataRow is the block's first row).
  void heatmapClicked(std::size_t dataRow, int column);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  [[nodiscard]] views::figure::PaintContext paintContext() const;

  std::unique_ptr<views::figure::Plot> plot_;
  QString emptyText_;
  views::figure::FigureStyle style_;
  int paints_ = 0;
  std::optional<std::size_t> highlightedRow_;
  mutable std::optional<HeatmapGeometry> geometryCache_;
};

}  // namespace neurolens::gui
