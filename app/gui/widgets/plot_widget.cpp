#include "widgets/plot_widget.h"

#include <QPainter>

namespace neurolens::gui {

PlotWidget::PlotWidget(QString emptyText, QWidget* parent)
    : QWidget(parent), emptyText_(std::move(emptyText)), style_(views::figure::defaultFigureStyle()) {
  setMinimumSize(200, 160);
  setAutoFillBackground(false);
}

PlotWidget::~PlotWidget() = default;

void PlotWidget::setPlot(std::unique_ptr<views::figure::Plot> plot) {
  plot_ = std::move(plot);
  update();
}

void PlotWidget::setEmptyText(const QString& text) {
  emptyText_ = text;
  update();
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
  views::figure::PaintContext context;
  context.style = style_;
  // Points to pixels as on paper at the screen's logical resolution (9 pt title ~ 12 px).
  context.dpi = logicalDpiY();
  plot_->paint(painter, QRectF(rect()), context);
  ++paints_;
}

}  // namespace neurolens::gui
