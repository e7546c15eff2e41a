// Two aligned sides in one common space, A solid and B dashed (align_overlay.h).
#include "neurolens/views/figure/align_overlay.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "neurolens/core/errors.h"
#include "neurolens/views/figure/figure_builders.h"
#include "plot_support.h"

namespace neurolens::views::figure {

using detail::qstr;
using detail::toQColor;

AlignOverlayPlot::AlignOverlayPlot(AlignOverlayInput input, const FigureStyle& style) : input_(std::move(input)) {
  if (input_.a.size() != input_.labels.size() || input_.b.size() != input_.labels.size())
    throw InputError("aligned overlay: " + std::to_string(input_.labels.size()) + " labels for " +
                     std::to_string(input_.a.size()) + " trajectories of side A and " +
                     std::to_string(input_.b.size()) + " of side B");
  std::vector<std::string> unique = input_.labels;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  const ConditionColours colours = conditionColours(unique, input_.conditionColumn, style);
  std::map<std::string, Rgb> byName;
  for (std::size_t i = 0; i < colours.names.size(); ++i) {
    byName[colours.names[i]] = colours.colours[i];
    conditionLegend_.push_back({colours.names[i], colours.colours[i], false});
  }
  for (const auto& label : input_.labels) colours_.push_back(byName.at(label));
}

std::vector<std::string> AlignOverlayPlot::labels() const {
  std::vector<std::string> out = {input_.title, input_.xTitle, input_.yTitle,
                                  input_.prefixA + input_.nameA + " (solid)",
                                  input_.prefixB + input_.nameB + " (dashed)"};
  for (const auto& entry : conditionLegend_) out.push_back(entry.text);
  out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
  return out;
}

namespace {
std::size_t countLines(const std::vector<std::vector<std::array<double, 2>>>& lines) {
  return static_cast<std::size_t>(
      std::count_if(lines.begin(), lines.end(), [](const auto& line) { return !line.empty(); }));
}
}  // namespace

std::size_t AlignOverlayPlot::linesA() const { return countLines(input_.a); }
std::size_t AlignOverlayPlot::linesB() const { return countLines(input_.b); }

void AlignOverlayPlot::paint(QPainter& painter, const QRectF& area, const PaintContext& context) const {
  const FigureStyle& style = context.style;
  const detail::PlotFrame frame = detail::beginPlot(painter, area, input_.title, context);
  // The data range over both sides, padded; the same scale on both axes is not forced (CCs have unit variance).
  double xLow = std::numeric_limits<double>::infinity();
  double xHigh = -xLow;
  double yLow = xLow;
  double yHigh = -xLow;
  for (const auto* side : {&input_.a, &input_.b})
    for (const auto& line : *side)
      for (const auto& p : line) {
        if (!std::isfinite(p[0]) || !std::isfinite(p[1])) continue;
        xLow = std::min(xLow, p[0]);
        xHigh = std::max(xHigh, p[0]);
        yLow = std::min(yLow, p[1]);
        yHigh = std::max(yHigh, p[1]);
      }
  if (!std::isfinite(xLow)) xLow = yLow = -1.0, xHigh = yHigh = 1.0;
  if (xHigh <= xLow) xHigh = xLow + 1.0;
  if (yHigh <= yLow) yHigh = yLow + 1.0;
  const double xPad = 0.05 * (xHigh - xLow);
  const double yPad = 0.05 * (yHigh - yLow);
  xLow -= xPad, xHigh += xPad, yLow -= yPad, yHigh += yPad;

  // The legend: which side is which (ink colour, solid / dashed), then the conditions; beside the plot on the right.
  std::vector<LegendEntry> legend = {{input_.prefixA + input_.nameA + " (solid)", style.foreground, false},
                                     {input_.prefixB + input_.nameB + " (dashed)", style.foreground, true}};
  legend.insert(legend.end(), conditionLegend_.begin(), conditionLegend_.end());
  const QSizeF legendBox = legendSize(painter, legend, {}, context);

  const std::vector<double> yTicks = niceTicks(yLow, yHigh, 5);
  const std::vector<double> xTicks = niceTicks(xLow, xHigh, 5);
  const double yStep = yTicks.size() > 1 ? yTicks[1] - yTicks[0] : 1.0;
  double widest = 0.0;
  for (const double v : yTicks) widest = std::max(widest, frame.tick.horizontalAdvance(qstr(tickText(v, yStep))));
  const double gap = context.px(4.0);
  const double leftWidth = frame.label.height() + context.px(2.0) + widest + frame.tickLength + context.px(3.0);
  const double bottomHeight = frame.tickLength + frame.tick.height() + frame.label.height() + context.px(1.0);
  const QRectF plot(frame.inner.left() + leftWidth, frame.inner.top() + context.px(2.0),
                    std::max(1.0, frame.inner.width() - leftWidth - legendBox.width() - gap - context.px(2.0)),
                    std::max(1.0, frame.inner.height() - bottomHeight - context.px(2.0)));
  const auto xMap = [&](double v) { return plot.left() + (v - xLow) / (xHigh - xLow) * plot.width(); };
  const auto yMap = [&](double v) { return plot.bottom() - (v - yLow) / (yHigh - yLow) * plot.height(); };

  painter.save();
  painter.setClipRect(plot);
  painter.setBrush(Qt::NoBrush);
  for (const bool dashed : {false, true}) {
    const auto& lines = dashed ? input_.b : input_.a;
    for (std::size_t t = 0; t < lines.size(); ++t) {
      // A: a wider, lighter solid line; B: dashes at full colour on top, so that where the two coincide
      // (a near-perfect alignment) both stay visible.
      QPen pen = dashed ? detail::linePen(context, style.dataLinePt, toQColor(colours_[t]))
                        : detail::linePen(context, 1.8 * style.dataLinePt, toQColor(colours_[t], 0.5));
      if (dashed) pen.setStyle(Qt::DashLine);
      painter.setPen(pen);
      QPolygonF polygon;
      for (const auto& p : lines[t])
        if (std::isfinite(p[0]) && std::isfinite(p[1])) polygon << QPointF(xMap(p[0]), yMap(p[1]));
      painter.drawPolyline(polygon);
      // The start of each trajectory: a small filled dot (A) or ring (B).
      if (!polygon.isEmpty()) {
        const double r = context.px(1.5);
        painter.setBrush(dashed ? QBrush(Qt::NoBrush) : QBrush(toQColor(colours_[t])));
        painter.setPen(detail::linePen(context, style.axisLinePt, toQColor(colours_[t])));
        painter.drawEllipse(polygon.front(), r, r);
        painter.setBrush(Qt::NoBrush);
      }
    }
  }
  painter.restore();

  // Axes with ticks.
  detail::drawLinearAxes(painter, frame, plot, xTicks, {xLow, xHigh}, yTicks, {yLow, yHigh}, style.axisLinePt, context);
  detail::drawAxisTitles(painter, frame, plot, input_.xTitle, input_.yTitle, context);
  drawLegendAt(painter, QPointF(plot.right() + gap, plot.top()), legend, {}, context);
}

}  // namespace neurolens::views::figure
