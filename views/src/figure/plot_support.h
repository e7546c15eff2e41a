#pragma once
// Drawing helpers shared by the figure painters (private to views/src/figure).
#include <QColor>
#include <QFont>
#include <QFontMetricsF>
#include <QPainter>
#include <QRectF>
#include <QString>
#include <string>
#include <utility>
#include <vector>

#include "neurolens/views/figure/colormap.h"
#include "neurolens/views/figure/plots.h"

namespace neurolens::views::figure::detail {

[[nodiscard]] QColor toQColor(const Rgb& colour, double alpha = 1.0);
[[nodiscard]] QString qstr(const std::string& text);

enum class TextRole { Title, Label, Tick, Legend, PanelLetter };
// The style's font for a role, sized in points (the paint device's DPI turns
// points into pixels: every export device is given the export DPI).
[[nodiscard]] QFont roleFont(const PaintContext& context, TextRole role);
[[nodiscard]] QFontMetricsF roleMetrics(QPainter& painter, const PaintContext& context, TextRole role);

[[nodiscard]] QPen linePen(const PaintContext& context, double points, const QColor& colour);

// Draws a title centred at the top of `area` and returns the area below it.
QRectF drawTitle(QPainter& painter, const QRectF& area, const std::string& title, const PaintContext& context);

// A vertical colour bar in `bar` (ticks and a rotated title on its right), and the width it
// needs beside a plot with a bar 8 pt wide (as the heatmaps draw it).
void paintColourBar(QPainter& painter, const QRectF& bar, const Colormap& map, std::pair<double, double> range,
                    const std::string& title, const PaintContext& context);
[[nodiscard]] double colourBarSpace(QPainter& painter, const PaintContext& context, std::pair<double, double> range,
                                    const std::string& title);

// What every 2-D plot works out before laying out its axes: the area inside the margin and below the title,
// the tick and axis-label font metrics, the tick length and the ink colour.
struct PlotFrame {
  QRectF inner;
  QFontMetricsF tick;
  QFontMetricsF label;
  double tickLength;
  QColor ink;
};
// Draws the title and measures the rest.
[[nodiscard]] PlotFrame beginPlot(QPainter& painter, const QRectF& area, const std::string& title,
                                  const PaintContext& context);
// The x title centred under the bottom ticks of `plot`, the y title upright at the frame's left edge;
// an empty title is not drawn.
void drawAxisTitles(QPainter& painter, const PlotFrame& frame, const QRectF& plot, const std::string& xTitle,
                    const std::string& yTitle, const PaintContext& context);

// The bottom and left axes of `plot` mapped linearly from [xLow, xHigh] x [yLow, yHigh], with their ticks and tick
// labels (x labels thinned where they would overlap), recorded as LabelKind::Tick. Titles: drawAxisTitles.
void drawLinearAxes(QPainter& painter, const PlotFrame& frame, const QRectF& plot, const std::vector<double>& xTicks,
                    std::pair<double, double> xRange, const std::vector<double>& yTicks,
                    std::pair<double, double> yRange, double axisLinePt, const PaintContext& context);

// Draws `text` in `rect` (Qt alignment flags) and records its box (context.labels) as `kind`; returns the box.
QRectF drawLabel(QPainter& painter, const QRectF& rect, int flags, const QString& text, scene::LabelKind kind,
                 const PaintContext& context);

// Text rotated by -90 degrees (reading upwards), centred on `centre`, recorded as `kind`.
void drawVerticalText(QPainter& painter, const QPointF& centre, const QString& text, scene::LabelKind kind,
                      const PaintContext& context);

// Relative luminance (sRGB, Rec. 709 weights) to pick black or white text on a colour.
[[nodiscard]] bool isDark(const Rgb& colour);

// Rows sorted by group: groups in order of first appearance, rows stable inside.
void orderByGroup(const std::vector<std::string>& groups, std::size_t rows, std::vector<std::size_t>& order,
                  std::vector<std::string>& groupOrder);

}  // namespace neurolens::views::figure::detail
