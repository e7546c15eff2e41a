#include "neurolens/views/figure/plots.h"

#include <QPainterPath>
#include <QPolygonF>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include "neurolens/core/errors.h"
#include "neurolens/scene/label_layout.h"
#include "neurolens/views/figure/colormap.h"
#include "plot_support.h"

namespace neurolens::views::figure {

using detail::beginPlot;
using detail::drawAxisTitles;
using detail::drawLabel;
using detail::drawTitle;
using detail::drawVerticalText;
using detail::linePen;
using detail::PlotFrame;
using detail::qstr;
using detail::roleFont;
using detail::roleMetrics;
using detail::TextRole;
using detail::toQColor;

// ---------------------------------------------------------------------------
// Ticks

std::vector<double> niceTicks(double low, double high, int target) { return scene::niceTicks(low, high, target); }

std::string tickText(double value, double step) { return scene::tickText(value, step); }

std::string significanceStars(double pValue, double alpha) {
  if (!std::isfinite(pValue) || pValue >= alpha) return {};
  if (pValue < 0.001) return "***";
  if (pValue < 0.01) return "**";
  return "*";
}

namespace {

double tickStep(const std::vector<double>& ticks) { return ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0; }

// Maps a data interval onto a pixel interval (y axes run upwards when flipped).
struct LinearMap {
  double low, high, pixelLow, pixelHigh;
  [[nodiscard]] double operator()(double value) const {
    if (high == low) return (pixelLow + pixelHigh) / 2.0;
    return pixelLow + (value - low) / (high - low) * (pixelHigh - pixelLow);
  }
};

// Bottom axis: ticks and labels under `plot` at the given pixel positions.
// Returns the height used below the plot.
double drawBottomTicks(QPainter& painter, const QRectF& plot, const std::vector<std::pair<double, QString>>& ticks,
                       const PaintContext& context, bool tickMarks = true) {
  const QColor ink = toQColor(context.style.foreground);
  const double tickLength = tickMarks ? context.px(context.style.tickLengthPt) : 0.0;
  painter.setPen(linePen(context, context.style.axisLinePt, ink));
  painter.setFont(roleFont(context, TextRole::Tick));
  const QFontMetricsF metrics = roleMetrics(painter, context, TextRole::Tick);
  double lastRight = -std::numeric_limits<double>::infinity();
  for (const auto& [x, text] : ticks) {
    if (tickMarks) painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + tickLength));
    const double width = metrics.horizontalAdvance(text) + 2.0;
    // A label that would touch the one before it is left out (its tick mark stays).
    if (x - width / 2.0 < lastRight + context.px(1.0)) continue;
    lastRight = x + width / 2.0;
    drawLabel(painter, QRectF(x - width / 2.0, plot.bottom() + tickLength, width, metrics.height()), Qt::AlignCenter,
              text, scene::LabelKind::Tick, context);
  }
  return tickLength + metrics.height();
}

// Left axis: ticks and labels left of `plot`.
void drawLeftTicks(QPainter& painter, const QRectF& plot, const std::vector<std::pair<double, QString>>& ticks,
                   const PaintContext& context, bool tickMarks = true) {
  const QColor ink = toQColor(context.style.foreground);
  // The tick length stays free without tick marks too: group brackets sit there.
  const double tickLength = context.px(context.style.tickLengthPt);
  painter.setPen(linePen(context, context.style.axisLinePt, ink));
  painter.setFont(roleFont(context, TextRole::Tick));
  const QFontMetricsF metrics = roleMetrics(painter, context, TextRole::Tick);
  const double gap = context.px(1.5);
  std::vector<std::pair<double, double>> kept;  // vertical spans of the labels drawn
  for (const auto& [y, text] : ticks) {
    if (tickMarks) painter.drawLine(QPointF(plot.left() - tickLength, y), QPointF(plot.left(), y));
    const double width = metrics.horizontalAdvance(text) + 2.0;
    const double top = y - metrics.height() / 2.0;
    const double bottom = y + metrics.height() / 2.0;
    // A label that would touch one already drawn is left out (its tick mark stays).
    if (std::any_of(kept.begin(), kept.end(),
                    [&](const std::pair<double, double>& span) { return top < span.second && span.first < bottom; }))
      continue;
    kept.emplace_back(top, bottom);
    drawLabel(painter,
              QRectF(plot.left() - tickLength - gap - width, y - metrics.height() / 2.0, width, metrics.height()),
              Qt::AlignRight | Qt::AlignVCenter, text, scene::LabelKind::Tick, context);
  }
}

double widestText(const QFontMetricsF& metrics, const std::vector<QString>& texts) {
  double widest = 0.0;
  for (const auto& text : texts) widest = std::max(widest, metrics.horizontalAdvance(text));
  return widest;
}

// Numeric ticks over [low, high] as (pixel, text) pairs.
std::vector<std::pair<double, QString>> numericTicks(double low, double high, const LinearMap& map, int target) {
  const std::vector<double> values = niceTicks(low, high, target);
  std::vector<std::pair<double, QString>> ticks;
  for (const double v : values) ticks.emplace_back(map(v), qstr(tickText(v, tickStep(values))));
  return ticks;
}

// Half the width of the last tick label of a numeric x axis: it is centred on the
// plot's right edge and must not be cut off by the panel.
double rightOverhang(const QFontMetricsF& metrics, double low, double high) {
  const std::vector<double> values = niceTicks(low, high, 5);
  if (values.empty()) return 0.0;
  return 0.5 * metrics.horizontalAdvance(qstr(tickText(values.back(), tickStep(values)))) + 2.0;
}

std::pair<double, double> finiteRange(const std::vector<float>& values) {
  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  for (const float v : values) {
    if (!std::isfinite(v)) continue;
    low = std::min(low, static_cast<double>(v));
    high = std::max(high, static_cast<double>(v));
  }
  if (!std::isfinite(low)) return {0.0, 1.0};
  return {low, high};
}

// Draws a vertical colour bar in `bar` with ticks and a rotated title on its right.
void drawColourBar(QPainter& painter, const QRectF& bar, const Colormap& map, std::pair<double, double> range,
                   const std::string& title, const PaintContext& context) {
  constexpr int kSteps = 128;
  painter.setPen(Qt::NoPen);
  const bool antialias = painter.testRenderHint(QPainter::Antialiasing);
  painter.setRenderHint(QPainter::Antialiasing, false);
  painter.save();
  painter.setClipRect(bar, Qt::IntersectClip);
  for (int i = 0; i < kSteps; ++i) {
    const double t = (i + 0.5) / kSteps;
    const double top = bar.bottom() - (i + 1.0) * bar.height() / kSteps;
    painter.setBrush(toQColor(map.at(t)));
    // Overlaps the slice below by a pixel: no seams in anti-aliasing viewers.
    painter.drawRect(QRectF(bar.left(), top, bar.width(), bar.height() / kSteps + 1.0));
  }
  painter.restore();
  painter.setRenderHint(QPainter::Antialiasing, antialias);
  const QColor ink = toQColor(context.style.foreground);
  painter.setBrush(Qt::NoBrush);
  painter.setPen(linePen(context, context.style.axisLinePt, ink));
  painter.drawRect(bar);
  const LinearMap map01{range.first, range.second, bar.bottom(), bar.top()};
  // A cyclic map (angles) is labelled at its ends and quarter turns (-180, -90, 0, 90, 180 deg).
  const std::vector<double> values =
      map.name() == "cyclic" ? std::vector<double>{range.first, range.first + 0.25 * (range.second - range.first),
                                                   0.5 * (range.first + range.second),
                                                   range.first + 0.75 * (range.second - range.first), range.second}
                             : niceTicks(range.first, range.second, 4);
  painter.setFont(roleFont(context, TextRole::Tick));
  const QFontMetricsF metrics = roleMetrics(painter, context, TextRole::Tick);
  const double tickLength = context.px(context.style.tickLengthPt);
  double widest = 0.0;
  double lastTop = std::numeric_limits<double>::infinity();  // of the label drawn below (values run upwards)
  for (const double v : values) {
    const double y = map01(v);
    painter.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + tickLength, y));
    const QString text = qstr(tickText(v, tickStep(values)));
    // A label that would touch the one below it is left out (its tick stays).
    if (y + metrics.height() / 2.0 > lastTop - context.px(0.5)) continue;
    lastTop = y - metrics.height() / 2.0;
    widest = std::max(widest, metrics.horizontalAdvance(text));
    drawLabel(painter,
              QRectF(bar.right() + tickLength + context.px(1.5), y - metrics.height() / 2.0,
                     metrics.horizontalAdvance(text) + 2.0, metrics.height()),
              Qt::AlignLeft | Qt::AlignVCenter, text, scene::LabelKind::Colorbar, context);
  }
  if (!title.empty()) {
    painter.setFont(roleFont(context, TextRole::Label));
    const QFontMetricsF labelMetrics = roleMetrics(painter, context, TextRole::Label);
    drawVerticalText(
        painter,
        QPointF(bar.right() + tickLength + context.px(3.0) + widest + labelMetrics.height() / 2.0, bar.center().y()),
        qstr(title), scene::LabelKind::Colorbar, context);
  }
}

// Width a colour bar needs beside the plot (bar, ticks, labels, title).
double colourBarWidth(QPainter& painter, const PaintContext& context, std::pair<double, double> range,
                      const std::string& title) {
  const QFontMetricsF tick = roleMetrics(painter, context, TextRole::Tick);
  const std::vector<double> values = niceTicks(range.first, range.second, 4);
  std::vector<QString> texts;
  for (const double v : values) texts.push_back(qstr(tickText(v, tickStep(values))));
  double width = context.px(8.0) + context.px(context.style.tickLengthPt) + context.px(3.0) + widestText(tick, texts);
  if (!title.empty()) width += roleMetrics(painter, context, TextRole::Label).height() + context.px(1.0);
  return width;
}

}  // namespace

void detail::paintColourBar(QPainter& painter, const QRectF& bar, const Colormap& map, std::pair<double, double> range,
                            const std::string& title, const PaintContext& context) {
  drawColourBar(painter, bar, map, range, title, context);
}

double detail::colourBarSpace(QPainter& painter, const PaintContext& context, std::pair<double, double> range,
                              const std::string& title) {
  return colourBarWidth(painter, context, range, title);
}

// ---------------------------------------------------------------------------
// Heatmap

HeatmapPlot::HeatmapPlot(HeatmapData data) : data_(std::move(data)) {
  if (data_.values.rank() != 2 || data_.values.dim(0) == 0 || data_.values.dim(1) == 0)
    throw InputError("heatmap: values must be a non-empty [rows, columns] matrix");
  const std::size_t rows = data_.values.dim(0);
  const std::size_t columns = data_.values.dim(1);
  if (!data_.rowLabels.empty() && data_.rowLabels.size() != rows)
    throw InputError("heatmap: " + std::to_string(data_.rowLabels.size()) + " row labels for " + std::to_string(rows) +
                     " rows");
  if (!data_.columnLabels.empty() && data_.columnLabels.size() != columns)
    throw InputError("heatmap: " + std::to_string(data_.columnLabels.size()) + " column labels for " +
                     std::to_string(columns) + " columns");
  if (!data_.rowGroups.empty() && data_.rowGroups.size() != rows)
    throw InputError("heatmap: " + std::to_string(data_.rowGroups.size()) + " row groups for " + std::to_string(rows) +
                     " rows");
  if (!(data_.xStep > 0.0) || !std::isfinite(data_.xStart)) throw InputError("heatmap: the x step must be positive");
  detail::orderByGroup(data_.rowGroups, rows, rowOrder_, groupOrder_);
  if (!data_.pValues.empty()) {
    if (data_.pValues.rank() != 2 || data_.pValues.dim(1) != columns)
      throw InputError("heatmap: p-values must have one column per heatmap column");
    if (data_.rowGroups.empty()) {
      if (data_.pValues.dim(0) != rows) throw InputError("heatmap: p-values must have one row per heatmap row");
    } else {
      if (data_.pValueGroups.size() != data_.pValues.dim(0))
        throw InputError("heatmap: grouped p-values need the group of each p-value row");
      for (const auto& group : data_.pValueGroups)
        if (std::find(groupOrder_.begin(), groupOrder_.end(), group) == groupOrder_.end())
          throw InputError("heatmap: p-values given for group '" + group + "', which has no rows");
    }
  }
  if (data_.range && !(data_.range->second > data_.range->first))
    throw InputError("heatmap: the colour range must be increasing");
}

std::pair<double, double> HeatmapPlot::colourRange() const {
  if (data_.range) return *data_.range;
  auto [low, high] = finiteRange(data_.values.values());
  if (data_.scale == ColourScale::Diverging) {
    const double extent = std::max({std::abs(low), std::abs(high), 1e-12});
    return {-extent, extent};
  }
  if (high <= low) high = low + 1.0;
  return {low, high};
}

std::vector<std::string> HeatmapPlot::labels() const {
  std::vector<std::string> out = {data_.title, data_.xTitle, data_.yTitle, data_.colourBarTitle};
  out.insert(out.end(), data_.rowLabels.begin(), data_.rowLabels.end());
  out.insert(out.end(), data_.columnLabels.begin(), data_.columnLabels.end());
  out.insert(out.end(), groupOrder_.begin(), groupOrder_.end());
  out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
  return out;
}

void HeatmapPlot::paint(QPainter& painter, const QRectF& area, const PaintContext& context) const {
  const FigureStyle& style = context.style;
  const std::size_t rows = data_.values.dim(0);
  const std::size_t columns = data_.values.dim(1);
  const Colormap map =
      colormapByName(data_.scale == ColourScale::Diverging ? style.divergingColormap : style.sequentialColormap);
  const auto range = colourRange();
  const PlotFrame frame = beginPlot(painter, area, data_.title, context);
  const auto& [inner, tick, label, tickLength, ink] = frame;

  // Left side: group names, row labels or row numbers.
  std::vector<QString> leftTexts;
  if (!groupOrder_.empty()) {
    for (const auto& g : groupOrder_) leftTexts.push_back(qstr(g));
  } else if (!data_.rowLabels.empty()) {
    for (const auto& r : data_.rowLabels) leftTexts.push_back(qstr(r));
  } else {
    leftTexts.push_back(QString::number(rows));
  }
  const double leftWidth = (data_.yTitle.empty() ? 0.0 : label.height() + context.px(2.0)) +
                           widestText(tick, leftTexts) + tickLength + context.px(3.0);
  const double bottomHeight =
      tickLength + tick.height() + (data_.xTitle.empty() ? 0.0 : label.height() + context.px(1.0));
  const double barGap = context.px(6.0);
  const double rightWidth = barGap + colourBarWidth(painter, context, range, data_.colourBarTitle);
  const QRectF plot(inner.left() + leftWidth, inner.top() + context.px(2.0),
                    std::max(1.0, inner.width() - leftWidth - rightWidth),
                    std::max(1.0, inner.height() - bottomHeight - context.px(2.0)));

  // Cells.
  const double cellWidth = plot.width() / static_cast<double>(columns);
  const double cellHeight = plot.height() / static_cast<double>(rows);
  const auto normalised = [&](float v) {
    return (static_cast<double>(v) - range.first) / (range.second - range.first);
  };
  const auto cellColour = [&](std::size_t row, std::size_t column) {
    const float v = data_.values.values()[row * columns + column];
    return std::isfinite(v) ? map.at(normalised(v)) : Rgb{0.75, 0.75, 0.75};
  };
  const bool antialias = painter.testRenderHint(QPainter::Antialiasing);
  painter.setRenderHint(QPainter::Antialiasing, false);
  if (rows * columns <= 40000) {
    // Vector cells, each one device pixel larger than its slot (clipped to the plot):
    // anti-aliasing viewers would otherwise show hairline seams between neighbours.
    painter.save();
    painter.setClipRect(plot, Qt::IntersectClip);
    painter.setPen(Qt::NoPen);
    for (std::size_t displayRow = 0; displayRow < rows; ++displayRow) {
      const std::size_t row = rowOrder_[displayRow];
      for (std::size_t column = 0; column < columns; ++column) {
        painter.setBrush(toQColor(cellColour(row, column)));
        painter.drawRect(QRectF(plot.left() + column * cellWidth, plot.top() + displayRow * cellHeight, cellWidth + 1.0,
                                cellHeight + 1.0));
      }
    }
    painter.restore();
  } else {
    // Very large matrices as one nearest-neighbour image (as matplotlib's imshow does).
    QImage cells(static_cast<int>(columns), static_cast<int>(rows), QImage::Format_RGB32);
    for (std::size_t displayRow = 0; displayRow < rows; ++displayRow)
      for (std::size_t column = 0; column < columns; ++column)
        cells.setPixelColor(static_cast<int>(column), static_cast<int>(displayRow),
                            toQColor(cellColour(rowOrder_[displayRow], column)));
    painter.drawImage(plot, cells);
  }
  painter.setRenderHint(QPainter::Antialiasing, antialias);

  // Group separators and group names.
  std::vector<std::pair<double, QString>> leftTicks;
  std::vector<std::pair<std::size_t, std::size_t>> groupSpans;  // [first, end) display rows
  if (!groupOrder_.empty()) {
    std::size_t first = 0;
    for (const auto& group : groupOrder_) {
      std::size_t end = first;
      while (end < rows && data_.rowGroups[rowOrder_[end]] == group) ++end;
      groupSpans.emplace_back(first, end);
      leftTicks.emplace_back(plot.top() + (first + end) / 2.0 * cellHeight, qstr(group));
      first = end;
    }
    painter.setPen(linePen(context, style.separatorLinePt, QColor(255, 255, 255)));
    for (std::size_t g = 1; g < groupSpans.size(); ++g) {
      const double y = plot.top() + groupSpans[g].first * cellHeight;
      painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
    }
    // Brackets beside the heatmap show each group's extent.
    painter.setPen(linePen(context, style.axisLinePt, ink));
    for (const auto& [spanBegin, spanEnd] : groupSpans) {
      const double x = plot.left() - 0.5 * tickLength;
      const double top = plot.top() + spanBegin * cellHeight + context.px(0.8);
      const double bottom = plot.top() + spanEnd * cellHeight - context.px(0.8);
      painter.drawLine(QPointF(x, top), QPointF(x, std::max(top, bottom)));
    }
    drawLeftTicks(painter, plot, leftTicks, context, false);
  } else if (!data_.rowLabels.empty()) {
    for (std::size_t displayRow = 0; displayRow < rows; ++displayRow)
      leftTicks.emplace_back(plot.top() + (displayRow + 0.5) * cellHeight,
                             qstr(data_.rowLabels[rowOrder_[displayRow]]));
    drawLeftTicks(painter, plot, leftTicks, context);
  } else {
    const LinearMap rowMap{0.0, static_cast<double>(rows), plot.top(), plot.bottom()};
    for (const auto& [y, text] : numericTicks(0.0, static_cast<double>(rows), rowMap, 5))
      leftTicks.emplace_back(y, text);
    drawLeftTicks(painter, plot, leftTicks, context);
  }

  // Columns: labels (thinned to fit) or a numeric axis.
  std::vector<std::pair<double, QString>> bottomTicks;
  if (!data_.columnLabels.empty()) {
    const double widest = widestText(tick, [&] {
      std::vector<QString> texts;
      for (const auto& c : data_.columnLabels) texts.push_back(qstr(c));
      return texts;
    }());
    const auto every = static_cast<std::size_t>(std::max(1.0, std::ceil((widest + context.px(1.5)) / cellWidth)));
    for (std::size_t column = 0; column < columns; column += every)
      bottomTicks.emplace_back(plot.left() + (column + 0.5) * cellWidth, qstr(data_.columnLabels[column]));
  } else {
    const double low = data_.xStart;
    const double high = data_.xStart + columns * data_.xStep;
    bottomTicks = numericTicks(low, high, LinearMap{low, high, plot.left(), plot.right()}, 5);
  }
  drawBottomTicks(painter, plot, bottomTicks, context);

  // Significance asterisks: white on dark cells, black on light ones.
  if (!data_.pValues.empty()) {
    painter.setFont([&] {
      QFont font = roleFont(context, TextRole::Tick);
      font.setBold(true);
      return font;
    }());
    const QFontMetricsF starMetrics(painter.font(), painter.device());
    const std::size_t pColumns = data_.pValues.dim(1);
    for (std::size_t pRow = 0; pRow < data_.pValues.dim(0); ++pRow) {
      double centreY = 0.0;
      std::size_t sampleRow = 0;
      if (groupOrder_.empty()) {
        const auto display =
            static_cast<std::size_t>(std::find(rowOrder_.begin(), rowOrder_.end(), pRow) - rowOrder_.begin());
        centreY = plot.top() + (display + 0.5) * cellHeight;
        sampleRow = pRow;
      } else {
        const auto g = static_cast<std::size_t>(
            std::find(groupOrder_.begin(), groupOrder_.end(), data_.pValueGroups[pRow]) - groupOrder_.begin());
        const auto [first, end] = groupSpans[g];
        centreY = plot.top() + (first + end) / 2.0 * cellHeight;
        sampleRow = rowOrder_[std::min(rows - 1, (first + end) / 2)];
      }
      for (std::size_t column = 0; column < pColumns; ++column) {
        const std::string stars = significanceStars(data_.pValues.values()[pRow * pColumns + column], data_.alpha);
        if (stars.empty()) continue;
        painter.setPen(detail::isDark(cellColour(sampleRow, column)) ? QColor(255, 255, 255) : QColor(0, 0, 0));
        const double x = plot.left() + (column + 0.5) * cellWidth;
        const double width = starMetrics.horizontalAdvance(qstr(stars)) + 2.0;
        // Marks on the cells they qualify, like markers on a line: part of the data drawn, not a label of it
        // (not recorded among the labels, which must cover no data).
        painter.drawText(QRectF(x - width / 2.0, centreY - starMetrics.height() / 2.0, width, starMetrics.height()),
                         Qt::AlignCenter, qstr(stars));
      }
    }
  }

  // Frame, axis titles, colour bar.
  painter.setBrush(Qt::NoBrush);
  painter.setPen(linePen(context, style.axisLinePt, ink));
  painter.drawRect(plot);
  drawAxisTitles(painter, frame, plot, data_.xTitle, data_.yTitle, context);
  const QRectF bar(plot.right() + barGap, plot.top(), context.px(8.0), plot.height());
  drawColourBar(painter, bar, map, range, data_.colourBarTitle, context);
}

// ---------------------------------------------------------------------------
// Raster

RasterPlot::RasterPlot(RasterData data) : data_(std::move(data)) {
  if (data_.spikeTimesMs.empty()) throw InputError("raster: no units to draw");
  if (data_.trialsPerUnit == 0 || data_.spikeTimesMs.size() % data_.trialsPerUnit != 0)
    throw InputError("raster: " + std::to_string(data_.spikeTimesMs.size()) + " rows do not split into " +
                     std::to_string(data_.trialsPerUnit) + " trials per unit");
  const std::size_t units = data_.spikeTimesMs.size() / data_.trialsPerUnit;
  if (!data_.unitGroups.empty() && data_.unitGroups.size() != units)
    throw InputError("raster: " + std::to_string(data_.unitGroups.size()) + " unit groups for " +
                     std::to_string(units) + " units");
  if (!(data_.endMs > data_.startMs)) throw InputError("raster: the time window must end after it starts");
  detail::orderByGroup(data_.unitGroups, units, rowOrder_, groupOrder_);
}

std::size_t RasterPlot::tickCount() const {
  std::size_t count = 0;
  for (const auto& row : data_.spikeTimesMs)
    for (const double t : row) count += t >= data_.startMs && t < data_.endMs ? 1 : 0;
  return count;
}

std::vector<std::string> RasterPlot::labels() const {
  std::vector<std::string> out = {data_.title, data_.xTitle, data_.yTitle};
  out.insert(out.end(), groupOrder_.begin(), groupOrder_.end());
  out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
  return out;
}

void RasterPlot::paint(QPainter& painter, const QRectF& area, const PaintContext& context) const {
  const FigureStyle& style = context.style;
  const PlotFrame frame = beginPlot(painter, area, data_.title, context);
  const auto& [inner, tick, label, tickLength, ink] = frame;
  const std::size_t units = rowOrder_.size();
  const std::size_t perUnit = data_.trialsPerUnit;
  const std::size_t rows = units * perUnit;
  std::vector<QString> leftTexts;
  for (const auto& g : groupOrder_) leftTexts.push_back(qstr(g));
  if (leftTexts.empty()) leftTexts.push_back(QString::number(units));
  const double leftWidth =
      label.height() + context.px(2.0) + widestText(tick, leftTexts) + tickLength + context.px(3.0);
  const double bottomHeight = tickLength + tick.height() + label.height() + context.px(1.0);
  const double rightWidth = rightOverhang(tick, data_.startMs, data_.endMs);
  const QRectF plot(inner.left() + leftWidth, inner.top() + context.px(2.0),
                    std::max(1.0, inner.width() - leftWidth - rightWidth),
                    std::max(1.0, inner.height() - bottomHeight - context.px(2.0)));
  const LinearMap timeMap{data_.startMs, data_.endMs, plot.left(), plot.right()};
  const double rowHeight = plot.height() / static_cast<double>(rows);

  // Trials stacked inside each unit: every other unit's band lightly shaded so the
  // eye can follow one unit across its trials.
  if (perUnit > 1) {
    const double unitHeight = rowHeight * static_cast<double>(perUnit);
    for (std::size_t unit = 1; unit < units; unit += 2)
      painter.fillRect(
          QRectF(plot.left(), plot.top() + static_cast<double>(unit) * unitHeight, plot.width(), unitHeight),
          QColor(0, 0, 0, 14));
  }
  // Ticks no wider than their rows are tall (thin rows of stacked trials would
  // otherwise turn them into dashes), and never thinner than a quarter point.
  const double tickWidthPt = std::min(style.dataLinePt, std::max(0.25, 0.8 * rowHeight / context.px(1.0)));

  // One path per group: a handful of draw calls, small SVG/PDF files.
  std::vector<std::pair<double, QString>> leftTicks;
  std::size_t displayRow = 0;
  const std::vector<std::string> groups = groupOrder_.empty() ? std::vector<std::string>{""} : groupOrder_;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    QPainterPath ticks;
    const std::size_t first = displayRow;
    // displayRow counts units here; each unit's band holds its trials' rows.
    while (displayRow < units && (groupOrder_.empty() || data_.unitGroups[rowOrder_[displayRow]] == groups[g])) {
      for (std::size_t trial = 0; trial < perUnit; ++trial) {
        const double top = plot.top() + static_cast<double>(displayRow * perUnit + trial) * rowHeight + 0.1 * rowHeight;
        const double bottom = top + 0.8 * rowHeight;
        for (const double t : data_.spikeTimesMs[rowOrder_[displayRow] * perUnit + trial]) {
          if (!(t >= data_.startMs && t < data_.endMs)) continue;
          const double x = timeMap(t);
          ticks.moveTo(x, top);
          ticks.lineTo(x, bottom);
        }
      }
      ++displayRow;
    }
    painter.setBrush(Qt::NoBrush);
    painter.setPen(
        linePen(context, tickWidthPt, toQColor(groupOrder_.empty() ? style.foreground : style.categoryColour(g))));
    painter.drawPath(ticks);
    if (!groupOrder_.empty()) {
      const double unitHeight = rowHeight * static_cast<double>(perUnit);
      leftTicks.emplace_back(plot.top() + static_cast<double>(first + displayRow) / 2.0 * unitHeight, qstr(groups[g]));
      if (g > 0) {
        painter.setPen(linePen(context, style.separatorLinePt, QColor(128, 128, 128)));
        painter.drawLine(QPointF(plot.left(), plot.top() + static_cast<double>(first) * unitHeight),
                         QPointF(plot.right(), plot.top() + static_cast<double>(first) * unitHeight));
      }
    }
  }
  if (groupOrder_.empty()) {
    const LinearMap rowMap{0.0, static_cast<double>(units), plot.top(), plot.bottom()};
    leftTicks = numericTicks(0.0, static_cast<double>(units), rowMap, 5);
  }
  drawLeftTicks(painter, plot, leftTicks, context, groupOrder_.empty());
  drawBottomTicks(painter, plot, numericTicks(data_.startMs, data_.endMs, timeMap, 5), context);
  painter.setPen(linePen(context, style.axisLinePt, ink));
  painter.drawLine(plot.bottomLeft(), plot.bottomRight());
  painter.drawLine(plot.bottomLeft(), plot.topLeft());
  drawAxisTitles(painter, frame, plot, data_.xTitle, data_.yTitle, context);
}

// ---------------------------------------------------------------------------
// Bars

BarPlot::BarPlot(BarData data) : data_(std::move(data)) {
  if (data_.values.empty()) throw InputError("bar plot: no values to draw");
  if (!data_.barLabels.empty() && data_.barLabels.size() != data_.values.size())
    throw InputError("bar plot: " + std::to_string(data_.barLabels.size()) + " labels for " +
                     std::to_string(data_.values.size()) + " bars");
}

std::vector<std::string> BarPlot::labels() const {
  std::vector<std::string> out = {data_.title, data_.xTitle, data_.yTitle};
  out.insert(out.end(), data_.barLabels.begin(), data_.barLabels.end());
  out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
  return out;
}

void BarPlot::paint(QPainter& painter, const QRectF& area, const PaintContext& context) const {
  const FigureStyle& style = context.style;
  const PlotFrame frame = beginPlot(painter, area, data_.title, context);
  const auto& [inner, tick, label, tickLength, ink] = frame;

  double low = 0.0;
  double high = 0.0;
  for (const double v : data_.values) {
    if (!std::isfinite(v)) continue;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  if (data_.range) std::tie(low, high) = *data_.range;
  if (high <= low) high = low + 1.0;
  std::vector<double> yTicks = niceTicks(low, high, 5);
  // Extend the axis to whole ticks so bars never touch the frame.
  const double step = tickStep(yTicks);
  if (!data_.range) {
    low = std::floor(low / step + 1e-9) * step;
    high = std::ceil(high / step - 1e-9) * step;
    yTicks = niceTicks(low, high, 5);
  }
  std::vector<QString> yTexts;
  for (const double v : yTicks) yTexts.push_back(qstr(tickText(v, tickStep(yTicks))));
  const double leftWidth = label.height() + context.px(2.0) + widestText(tick, yTexts) + tickLength + context.px(3.0);
  const double bottomHeight =
      tickLength + tick.height() + (data_.xTitle.empty() ? 0.0 : label.height() + context.px(1.0));
  const double valueTextHeight = tick.height();
  const QRectF plot(inner.left() + leftWidth, inner.top() + valueTextHeight, std::max(1.0, inner.width() - leftWidth),
                    std::max(1.0, inner.height() - bottomHeight - valueTextHeight));
  const LinearMap yMap{low, high, plot.bottom(), plot.top()};
  std::vector<std::pair<double, QString>> leftTicks;
  for (std::size_t i = 0; i < yTicks.size(); ++i) leftTicks.emplace_back(yMap(yTicks[i]), yTexts[i]);
  drawLeftTicks(painter, plot, leftTicks, context);

  const std::size_t count = data_.values.size();
  const double slot = plot.width() / static_cast<double>(count);
  const double barWidth = 0.7 * slot;
  std::vector<std::pair<double, QString>> bottomTicks;
  painter.setFont(roleFont(context, TextRole::Tick));
  for (std::size_t i = 0; i < count; ++i) {
    const double v = data_.values[i];
    const double centre = plot.left() + (i + 0.5) * slot;
    if (std::isfinite(v)) {
      const double top = yMap(std::max(v, 0.0));
      const double bottom = yMap(std::min(v, 0.0));
      painter.setPen(linePen(context, style.axisLinePt, ink));
      painter.setBrush(toQColor(style.categoryColour(4)));
      painter.drawRect(QRectF(centre - barWidth / 2.0, top, barWidth, std::max(0.5, bottom - top)));
      painter.setPen(ink);
      const QString valueText = QString::number(v, 'f', 2);
      const double textTop = v >= 0.0 ? top - tick.height() : bottom;
      drawLabel(painter, QRectF(centre - slot / 2.0, textTop, slot, tick.height()), Qt::AlignCenter, valueText,
                scene::LabelKind::Tick, context);
    }
    bottomTicks.emplace_back(centre, data_.barLabels.empty() ? QString::number(i) : qstr(data_.barLabels[i]));
  }
  drawBottomTicks(painter, plot, bottomTicks, context, false);
  painter.setPen(linePen(context, style.axisLinePt, ink));
  painter.drawLine(QPointF(plot.left(), yMap(0.0)), QPointF(plot.right(), yMap(0.0)));
  painter.drawLine(plot.bottomLeft(), plot.topLeft());
  drawAxisTitles(painter, frame, plot, data_.xTitle, data_.yTitle, context);
}

// ---------------------------------------------------------------------------
// Lines

LinePlot::LinePlot(LineData data) : data_(std::move(data)) {
  if (data_.series.empty()) throw InputError("line plot: no series to draw");
  for (const auto& s : data_.series)
    if (s.values.empty()) throw InputError("line plot: series '" + s.name + "' has no values");
  if (!(data_.xStep > 0.0)) throw InputError("line plot: the x step must be positive");
}

std::vector<std::string> LinePlot::labels() const {
  std::vector<std::string> out = {data_.title, data_.xTitle, data_.yTitle};
  for (const auto& s : data_.series) out.push_back(s.name);
  out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
  return out;
}

void LinePlot::paint(QPainter& painter, const QRectF& area, const PaintContext& context) const {
  const FigureStyle& style = context.style;
  const PlotFrame frame = beginPlot(painter, area, data_.title, context);
  const auto& [inner, tick, label, tickLength, ink] = frame;

  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  std::size_t longest = 0;
  for (const auto& s : data_.series) {
    longest = std::max(longest, s.values.size());
    for (const double v : s.values)
      if (std::isfinite(v)) {
        low = std::min(low, v);
        high = std::max(high, v);
      }
  }
  if (!std::isfinite(low)) {
    low = 0.0;
    high = 1.0;
  }
  if (high <= low) high = low + 1.0;
  const double pad = 0.05 * (high - low);
  low -= pad;
  high += pad;
  const double xLow = data_.xStart;
  const double xHigh = data_.xStart + static_cast<double>(std::max<std::size_t>(longest, 2) - 1) * data_.xStep;
  const std::vector<double> yValues = niceTicks(low, high, 5);
  std::vector<QString> yTexts;
  for (const double v : yValues) yTexts.push_back(qstr(tickText(v, tickStep(yValues))));
  const double leftWidth = label.height() + context.px(2.0) + widestText(tick, yTexts) + tickLength + context.px(3.0);
  const double bottomHeight = tickLength + tick.height() + label.height() + context.px(1.0);
  const double rightWidth = rightOverhang(tick, xLow, xHigh);
  const QRectF plotArea(inner.left() + leftWidth, inner.top() + context.px(2.0),
                        std::max(1.0, inner.width() - leftWidth - rightWidth),
                        std::max(1.0, inner.height() - bottomHeight - context.px(2.0)));

  std::vector<LegendEntry> legend;
  for (const auto& s : data_.series)
    if (!s.name.empty()) legend.push_back({s.name, s.colour.value_or(style.categoryColour(s.colourIndex)), s.dashed});
  // The series as pixel polylines (broken at missing values) for a plot rectangle.
  const auto polylines = [&](const QRectF& rect) {
    const LinearMap x{xLow, xHigh, rect.left(), rect.right()};
    const LinearMap y{low, high, rect.bottom(), rect.top()};
    std::vector<std::vector<QPolygonF>> lines;
    for (const auto& s : data_.series) {
      std::vector<QPolygonF> parts(1);
      for (std::size_t i = 0; i < s.values.size(); ++i) {
        if (!std::isfinite(s.values[i])) {
          parts.emplace_back();
          continue;
        }
        parts.back() << QPointF(x(data_.xStart + i * data_.xStep), y(s.values[i]));
      }
      lines.push_back(std::move(parts));
    }
    return lines;
  };
  // The legend goes where it covers no line: a free corner (or edge middle) inside the plot, else beside it on
  // the right, the plot made narrower for it.
  QRectF plot = plotArea;
  std::optional<QPointF> legendAt;
  if (!legend.empty()) {
    const QSizeF size = legendSize(painter, legend, {}, context);
    scene::Obstacles obstacles;
    obstacles.lineMargin = context.px(style.dataLinePt) / 2.0 + context.px(1.0);
    for (const auto& parts : polylines(plot))
      for (const QPolygonF& part : parts) {
        scene::Polyline line;
        for (const QPointF& p : part) line.push_back({p.x(), p.y()});
        if (!line.empty()) obstacles.lines.push_back(std::move(line));
      }
    const scene::Box plotBox{plot.left(), plot.top(), plot.right(), plot.bottom()};
    obstacles.frame = plotBox;
    const std::vector<scene::Box> candidates =
        scene::cornerCandidates(plotBox, size.width(), size.height(), context.px(2.0));
    if (const auto free = scene::firstFreeBox(candidates, obstacles)) {
      legendAt = QPointF(candidates[*free].x0, candidates[*free].y0);
    } else {
      // Beside the plot, on the right or above it, whichever takes less of the plot's area.
      const double gap = context.px(4.0);
      if ((size.width() + gap) * plot.height() <= (size.height() + gap) * plot.width()) {
        plot.setRight(std::max(plot.left() + 1.0, plot.right() - size.width() - gap));
        legendAt = QPointF(plot.right() + gap, plot.top());
      } else {
        legendAt = QPointF(plot.right() - size.width(), plot.top());
        plot.setTop(std::min(plot.bottom() - 1.0, plot.top() + size.height() + gap));
      }
    }
  }
  const LinearMap xMap{xLow, xHigh, plot.left(), plot.right()};
  const LinearMap yMap{low, high, plot.bottom(), plot.top()};

  painter.save();
  painter.setClipRect(plot);
  painter.setBrush(Qt::NoBrush);
  const std::vector<std::vector<QPolygonF>> lines = polylines(plot);
  for (std::size_t index = 0; index < data_.series.size(); ++index) {
    const Series& s = data_.series[index];
    QPen pen = linePen(context, style.dataLinePt, toQColor(s.colour.value_or(style.categoryColour(s.colourIndex))));
    if (s.dashed) pen.setStyle(Qt::DashLine);
    painter.setPen(pen);
    for (const QPolygonF& part : lines[index]) painter.drawPolyline(part);
  }
  painter.restore();

  std::vector<std::pair<double, QString>> leftTicks;
  for (std::size_t i = 0; i < yValues.size(); ++i) leftTicks.emplace_back(yMap(yValues[i]), yTexts[i]);
  drawLeftTicks(painter, plot, leftTicks, context);
  drawBottomTicks(painter, plot, numericTicks(xLow, xHigh, xMap, 5), context);
  painter.setPen(linePen(context, style.axisLinePt, ink));
  painter.drawLine(plot.bottomLeft(), plot.bottomRight());
  painter.drawLine(plot.bottomLeft(), plot.topLeft());
  drawAxisTitles(painter, frame, plot, data_.xTitle, data_.yTitle, context);
  if (legendAt) drawLegendAt(painter, *legendAt, legend, {}, context);
}

// ---------------------------------------------------------------------------
// Images (3-D views) and legends

ImagePlot::ImagePlot(QImage image, std::string title, std::vector<LegendEntry> legend, std::string legendTitle)
    : image_(std::move(image)),
      title_(std::move(title)),
      legend_(std::move(legend)),
      legendTitle_(std::move(legendTitle)) {
  if (image_.isNull()) throw InputError("image panel: the image is empty");
}

std::vector<std::string> ImagePlot::labels() const {
  std::vector<std::string> out = {title_, legendTitle_};
  for (const auto& entry : legend_) out.push_back(entry.text);
  out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
  return out;
}

void ImagePlot::paint(QPainter& painter, const QRectF& area, const PaintContext& context) const {
  const double margin = context.px(context.style.marginPt);
  const QRectF inner = drawTitle(painter, area.adjusted(margin, margin, -margin, -margin), title_, context);
  // Keep the image's aspect ratio, centred.
  const double scale = std::min(inner.width() / image_.width(), inner.height() / image_.height());
  const QSizeF size(image_.width() * scale, image_.height() * scale);
  const QRectF target(inner.center().x() - size.width() / 2.0, inner.center().y() - size.height() / 2.0, size.width(),
                      size.height());
  painter.drawImage(target, image_);
  if (!legend_.empty()) drawLegend(painter, target.topRight(), legend_, legendTitle_, context);
}

namespace {

struct LegendGeometry {
  double pad = 0.0;
  double swatch = 0.0;
  double lineHeight = 0.0;
  double textWidth = 0.0;
  QSizeF size;
};

LegendGeometry legendGeometry(QPainter& painter, const std::vector<LegendEntry>& entries, const std::string& title,
                              const PaintContext& context) {
  LegendGeometry geometry;
  const QFontMetricsF metrics(roleFont(context, TextRole::Legend), painter.device());
  QFont bold = roleFont(context, TextRole::Legend);
  bold.setBold(true);
  const QFontMetricsF boldMetrics(bold, painter.device());
  geometry.pad = context.px(3.0);
  geometry.swatch = context.px(10.0);
  geometry.lineHeight = metrics.height();
  geometry.textWidth = title.empty() ? 0.0 : boldMetrics.horizontalAdvance(qstr(title));
  for (const auto& e : entries)
    geometry.textWidth =
        std::max(geometry.textWidth, geometry.swatch + geometry.pad + metrics.horizontalAdvance(qstr(e.text)));
  const double rows = static_cast<double>(entries.size()) + (title.empty() ? 0.0 : 1.0);
  geometry.size = entries.empty() ? QSizeF()
                                  : QSizeF(geometry.textWidth + 2.0 * geometry.pad + 2.0,
                                           rows * geometry.lineHeight + 2.0 * geometry.pad);
  return geometry;
}

}  // namespace

QSizeF legendSize(QPainter& painter, const std::vector<LegendEntry>& entries, const std::string& title,
                  const PaintContext& context) {
  return legendGeometry(painter, entries, title, context).size;
}

void drawLegend(QPainter& painter, const QPointF& topRight, const std::vector<LegendEntry>& entries,
                const std::string& title, const PaintContext& context) {
  const QSizeF size = legendSize(painter, entries, title, context);
  drawLegendAt(painter, QPointF(topRight.x() - size.width() - context.px(2.0), topRight.y() + context.px(2.0)), entries,
               title, context);
}

void drawLegendAt(QPainter& painter, const QPointF& topLeft, const std::vector<LegendEntry>& entries,
                  const std::string& title, const PaintContext& context) {
  if (entries.empty()) return;
  const FigureStyle& style = context.style;
  const LegendGeometry geometry = legendGeometry(painter, entries, title, context);
  painter.save();
  painter.setFont(roleFont(context, TextRole::Legend));
  const double pad = geometry.pad;
  const double swatch = geometry.swatch;
  const double lineHeight = geometry.lineHeight;
  const double textWidth = geometry.textWidth + 2.0;
  const QRectF box(topLeft, geometry.size);
  painter.setPen(linePen(context, style.axisLinePt * 0.6, QColor(160, 160, 160)));
  painter.setBrush(detail::toQColor(style.background, 0.85));
  painter.drawRect(box);
  double y = box.top() + pad;
  painter.setPen(toQColor(style.foreground));
  if (!title.empty()) {
    QFont bold = painter.font();
    bold.setBold(true);
    painter.setFont(bold);
    drawLabel(painter, QRectF(box.left() + pad, y, textWidth, lineHeight), Qt::AlignLeft | Qt::AlignVCenter,
              qstr(title), scene::LabelKind::Legend, context);
    painter.setFont(roleFont(context, TextRole::Legend));
    y += lineHeight;
  }
  for (const auto& e : entries) {
    QPen swatchPen = linePen(context, style.dataLinePt * 1.5, toQColor(e.colour));
    if (e.dashed) swatchPen.setStyle(Qt::DashLine);
    painter.setPen(swatchPen);
    painter.drawLine(QPointF(box.left() + pad, y + lineHeight / 2.0),
                     QPointF(box.left() + pad + swatch, y + lineHeight / 2.0));
    painter.setPen(toQColor(style.foreground));
    drawLabel(painter, QRectF(box.left() + pad + swatch + pad, y, textWidth - swatch - pad, lineHeight),
              Qt::AlignLeft | Qt::AlignVCenter, qstr(e.text), scene::LabelKind::Legend, context);
    y += lineHeight;
  }
  painter.restore();
}

}  // namespace neurolens::views::figure
