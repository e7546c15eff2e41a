#include "plot_support.h"

#include <algorithm>
#include <limits>

#include "neurolens/views/figure/plots.h"

namespace neurolens::views::figure::detail {

QColor toQColor(const Rgb& colour, double alpha) {
  return QColor::fromRgbF(static_cast<float>(std::clamp(colour.r, 0.0, 1.0)),
                          static_cast<float>(std::clamp(colour.g, 0.0, 1.0)),
                          static_cast<float>(std::clamp(colour.b, 0.0, 1.0)), static_cast<float>(alpha));
}

QString qstr(const std::string& text) { return QString::fromStdString(text); }

QFont roleFont(const PaintContext& context, TextRole role) {
  const FigureStyle& style = context.style;
  QFont font(qstr(style.fontFamily));
  double points = style.labelPt;
  switch (role) {
    case TextRole::Title:
      points = style.titlePt;
      break;
    case TextRole::Label:
      points = style.labelPt;
      break;
    case TextRole::Tick:
      points = style.tickPt;
      break;
    case TextRole::Legend:
      points = style.legendPt;
      break;
    case TextRole::PanelLetter:
      points = style.panelLetterPt;
      break;
  }
  font.setPointSizeF(points);
  // No shaping for simple scripts: no "fi" ligature, so "profile" stays six letters
  // in PDF/SVG text and a text search (or pdftotext) finds the word.
  font.setStyleStrategy(QFont::PreferNoShaping);
  if (role == TextRole::Title || role == TextRole::PanelLetter) font.setBold(true);
  return font;
}

QFontMetricsF roleMetrics(QPainter& painter, const PaintContext& context, TextRole role) {
  return QFontMetricsF(roleFont(context, role), painter.device());
}

QPen linePen(const PaintContext& context, double points, const QColor& colour) {
  QPen pen(colour, context.px(points));
  pen.setCapStyle(Qt::FlatCap);
  pen.setJoinStyle(Qt::RoundJoin);
  return pen;
}

QRectF drawTitle(QPainter& painter, const QRectF& area, const std::string& title, const PaintContext& context) {
  if (title.empty()) return area;
  painter.setFont(roleFont(context, TextRole::Title));
  painter.setPen(toQColor(context.style.foreground));
  const double height = roleMetrics(painter, context, TextRole::Title).height();
  // Too long for the panel: elided in the middle rather than cut off at the edges.
  const QString text =
      roleMetrics(painter, context, TextRole::Title).elidedText(qstr(title), Qt::ElideMiddle, area.width());
  drawLabel(painter, QRectF(area.left(), area.top(), area.width(), height), Qt::AlignCenter, text,
            scene::LabelKind::Title, context);
  return area.adjusted(0, height + context.px(context.style.marginPt), 0, 0);
}

PlotFrame beginPlot(QPainter& painter, const QRectF& area, const std::string& title, const PaintContext& context) {
  const double margin = context.px(context.style.marginPt);
  const QRectF inner = drawTitle(painter, area.adjusted(margin, margin, -margin, -margin), title, context);
  return PlotFrame{inner, roleMetrics(painter, context, TextRole::Tick), roleMetrics(painter, context, TextRole::Label),
                   context.px(context.style.tickLengthPt), toQColor(context.style.foreground)};
}

void drawAxisTitles(QPainter& painter, const PlotFrame& frame, const QRectF& plot, const std::string& xTitle,
                    const std::string& yTitle, const PaintContext& context) {
  painter.setFont(roleFont(context, TextRole::Label));
  painter.setPen(frame.ink);
  if (!xTitle.empty())
    drawLabel(painter,
              QRectF(plot.left(), plot.bottom() + frame.tickLength + frame.tick.height() + context.px(1.0),
                     plot.width(), frame.label.height()),
              Qt::AlignCenter, qstr(xTitle), scene::LabelKind::Axis, context);
  if (!yTitle.empty())
    drawVerticalText(painter, QPointF(frame.inner.left() + frame.label.height() / 2.0, plot.center().y()), qstr(yTitle),
                     scene::LabelKind::Axis, context);
}

QRectF drawLabel(QPainter& painter, const QRectF& rect, int flags, const QString& text, scene::LabelKind kind,
                 const PaintContext& context) {
  QRectF box;
  painter.drawText(rect, flags, text, &box);
  if (context.labels != nullptr && !text.isEmpty()) context.labels->record(painter, box, text.toStdString(), kind);
  return box;
}

void drawVerticalText(QPainter& painter, const QPointF& centre, const QString& text, scene::LabelKind kind,
                      const PaintContext& context) {
  painter.save();
  painter.translate(centre);
  painter.rotate(-90.0);
  const QFontMetricsF metrics(painter.font(), painter.device());
  const double width = metrics.horizontalAdvance(text);
  drawLabel(painter, QRectF(-width, -metrics.height() / 2.0, 2.0 * width, metrics.height()), Qt::AlignCenter, text,
            kind, context);
  painter.restore();
}

}  // namespace neurolens::views::figure::detail

namespace neurolens::views::figure {

void LabelRecorder::record(const QPainter& painter, const QRectF& textBox, const std::string& text,
                           scene::LabelKind kind) {
  labels_.push_back({text, kind, (painter.transform() * toPage_).mapRect(textBox)});
}

}  // namespace neurolens::views::figure

namespace neurolens::views::figure::detail {

bool isDark(const Rgb& colour) { return 0.2126 * colour.r + 0.7152 * colour.g + 0.0722 * colour.b < 0.45; }

void orderByGroup(const std::vector<std::string>& groups, std::size_t rows, std::vector<std::size_t>& order,
                  std::vector<std::string>& groupOrder) {
  order.clear();
  groupOrder.clear();
  if (groups.empty()) {
    for (std::size_t r = 0; r < rows; ++r) order.push_back(r);
    return;
  }
  for (const auto& group : groups)
    if (std::find(groupOrder.begin(), groupOrder.end(), group) == groupOrder.end()) groupOrder.push_back(group);
  for (const auto& group : groupOrder)
    for (std::size_t r = 0; r < rows; ++r)
      if (groups[r] == group) order.push_back(r);
}

void drawLinearAxes(QPainter& painter, const PlotFrame& frame, const QRectF& plot, const std::vector<double>& xTicks,
                    std::pair<double, double> xRange, const std::vector<double>& yTicks,
                    std::pair<double, double> yRange, double axisLinePt, const PaintContext& context) {
  const auto [xLow, xHigh] = xRange;
  const auto [yLow, yHigh] = yRange;
  const auto xMap = [&](double v) { return plot.left() + (v - xLow) / (xHigh - xLow) * plot.width(); };
  const auto yMap = [&](double v) { return plot.bottom() - (v - yLow) / (yHigh - yLow) * plot.height(); };
  const double xStep = xTicks.size() > 1 ? xTicks[1] - xTicks[0] : 1.0;
  const double yStep = yTicks.size() > 1 ? yTicks[1] - yTicks[0] : 1.0;
  painter.setPen(linePen(context, axisLinePt, frame.ink));
  painter.setBrush(Qt::NoBrush);
  painter.drawLine(plot.bottomLeft(), plot.bottomRight());
  painter.drawLine(plot.bottomLeft(), plot.topLeft());
  painter.setFont(roleFont(context, TextRole::Tick));
  double lastRight = -std::numeric_limits<double>::infinity();
  for (const double v : xTicks) {
    const double x = xMap(v);
    painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + frame.tickLength));
    const QString text = qstr(tickText(v, xStep));
    const double width = frame.tick.horizontalAdvance(text) + 2.0;
    if (x - width / 2.0 < lastRight + context.px(1.0)) continue;
    lastRight = x + width / 2.0;
    drawLabel(painter, QRectF(x - width / 2.0, plot.bottom() + frame.tickLength, width, frame.tick.height()),
              Qt::AlignCenter, text, scene::LabelKind::Tick, context);
  }
  for (const double v : yTicks) {
    const double y = yMap(v);
    painter.drawLine(QPointF(plot.left() - frame.tickLength, y), QPointF(plot.left(), y));
    const QString text = qstr(tickText(v, yStep));
    const double width = frame.tick.horizontalAdvance(text) + 2.0;
    drawLabel(painter,
              QRectF(plot.left() - frame.tickLength - context.px(1.5) - width, y - frame.tick.height() / 2.0, width,
                     frame.tick.height()),
              Qt::AlignRight | Qt::AlignVCenter, text, scene::LabelKind::Tick, context);
  }
}

}  // namespace neurolens::views::figure::detail
