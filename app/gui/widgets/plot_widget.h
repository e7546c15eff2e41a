#pragma once
// Draws one of the figure painters (views/figure/plots.h: heatmap, bars ...) into
// a QWidget with QPainter, at the screen's resolution: the same drawing as the
// exported figures.
#include <QString>
#include <QWidget>
#include <memory>

#include "neurolens/views/figure/plots.h"

namespace neurolens::gui {

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

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::unique_ptr<views::figure::Plot> plot_;
  QString emptyText_;
  views::figure::FigureStyle style_;
  int paints_ = 0;
};

}  // namespace neurolens::gui
