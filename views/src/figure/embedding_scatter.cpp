// A model's unit embeddings as a 2-D scatter coloured by a unit column (embedding_scatter.h).
#include "neurolens/views/figure/embedding_scatter.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "neurolens/core/errors.h"
#include "neurolens/views/figure/colormap.h"
#include "neurolens/views/figure/figure_builders.h"
#include "plot_support.h"

namespace neurolens::views::figure {

using detail::qstr;
using detail::toQColor;

EmbeddingScatterPlot::EmbeddingScatterPlot(EmbeddingScatterInput input, const FigureStyle& style)
    : input_(std::move(input)) {
  const std::size_t n = input_.points.size();
  const bool categorical = !input_.categories.empty();
  if (categorical == !input_.values.empty())
    throw InputError("embedding scatter: colour the units by categories or by values (exactly one)");
  if ((categorical ? input_.categories.size() : input_.values.size()) != n)
    throw InputError(
        "embedding scatter: " + std::to_string(categorical ? input_.categories.size() : input_.values.size()) +
        " colours for " + std::to_string(n) + " units");
  if (categorical) {
    std::vector<std::string> unique = input_.categories;
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    const ConditionColours colours = conditionColours(unique, input_.column, style);
    std::map<std::string, Rgb> byName;
    for (std::size_t i = 0; i < colours.names.size(); ++i) {
      byName[colours.names[i]] = colours.colours[i];
      legend_.push_back({colours.names[i], colours.colours[i], false});
    }
    for (const auto& label : input_.categories) colours_.push_back(byName.at(label));
  } else {
    double low = std::numeric_limits<double>::infinity();
    double high = -low;
    for (const double v : input_.values)
      if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
    if (!std::isfinite(low)) low = 0.0, high = 1.0;
    if (high <= low) high = low + 1.0;
    range_ = {low, high};
  }
}

std::vector<std::string> EmbeddingScatterPlot::labels() const {
  std::vector<std::string> out = {input_.title, input_.xTitle, input_.yTitle, input_.column};
  for (const auto& entry : legend_) out.push_back(entry.text);
  out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
  return out;
}

void EmbeddingScatterPlot::paint(QPainter& painter, const QRectF& area, const PaintContext& context) const {
  const FigureStyle& style = context.style;
  const detail::PlotFrame frame = detail::beginPlot(painter, area, input_.title, context);
  double xLow = std::numeric_limits<double>::infinity();
  double xHigh = -xLow;
  double yLow = xLow;
  double yHigh = -xLow;
  for (const auto& p : input_.points) {
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

  const bool categorical = !legend_.empty();
  const double gap = context.px(4.0);
  const double sideWidth = categorical ? legendSize(painter, legend_, input_.column, context).width()
                                       : detail::colourBarSpace(painter, context, range_, input_.column);
  const std::vector<double> yTicks = niceTicks(yLow, yHigh, 5);
  const std::vector<double> xTicks = niceTicks(xLow, xHigh, 5);
  const double yStep = yTicks.size() > 1 ? yTicks[1] - yTicks[0] : 1.0;
  double widest = 0.0;
  for (const double v : yTicks) widest = std::max(widest, frame.tick.horizontalAdvance(qstr(tickText(v, yStep))));
  const double leftWidth = frame.label.height() + context.px(2.0) + widest + frame.tickLength + context.px(3.0);
  const double bottomHeight = frame.tickLength + frame.tick.height() + frame.label.height() + context.px(1.0);
  const QRectF plot(frame.inner.left() + leftWidth, frame.inner.top() + context.px(2.0),
                    std::max(1.0, frame.inner.width() - leftWidth - sideWidth - gap - context.px(2.0)),
                    std::max(1.0, frame.inner.height() - bottomHeight - context.px(2.0)));
  const auto xMap = [&](double v) { return plot.left() + (v - xLow) / (xHigh - xLow) * plot.width(); };
  const auto yMap = [&](double v) { return plot.bottom() - (v - yLow) / (yHigh - yLow) * plot.height(); };

  const Colormap map = colormapByName(style.sequentialColormap);
  // A unit whose value is unknown (NaN) is grey, between the ink and the paper.
  const Rgb unknown{0.5 * (frame.ink.redF() + 1.0), 0.5 * (frame.ink.greenF() + 1.0), 0.5 * (frame.ink.blueF() + 1.0)};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  painted_.assign(input_.points.size(), QPointF(nan, nan));
  painter.save();
  painter.setClipRect(plot);
  const double radius = context.px(2.2);
  for (std::size_t u = 0; u < input_.points.size(); ++u) {
    const auto& p = input_.points[u];
    if (!std::isfinite(p[0]) || !std::isfinite(p[1])) continue;
    const Rgb colour = categorical ? colours_[u]
                       : std::isfinite(input_.values[u])
                           ? map.at((input_.values[u] - range_.first) / (range_.second - range_.first))
                           : unknown;
    painter.setBrush(QBrush(toQColor(colour, 0.85)));
    painter.setPen(detail::linePen(context, 0.5 * style.axisLinePt, frame.ink));
    const QPointF centre(xMap(p[0]), yMap(p[1]));
    painter.drawEllipse(centre, radius, radius);
    painted_[u] = painter.transform().map(centre);
  }
  painter.restore();

  detail::drawLinearAxes(painter, frame, plot, xTicks, {xLow, xHigh}, yTicks, {yLow, yHigh}, style.axisLinePt, context);
  detail::drawAxisTitles(painter, frame, plot, input_.xTitle, input_.yTitle, context);
  if (categorical) {
    drawLegendAt(painter, QPointF(plot.right() + gap, plot.top()), legend_, input_.column, context);
  } else {
    const QRectF bar(plot.right() + gap, plot.top(), context.px(8.0), plot.height());
    detail::paintColourBar(painter, bar, map, range_, input_.column, context);
  }
}

}  // namespace neurolens::views::figure
