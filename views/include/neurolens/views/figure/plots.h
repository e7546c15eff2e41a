#pragma once
// 2-D figure painters (QPainter): heatmaps with a colour bar, unit x bin count
// heatmaps grouped by unit type, attribution and association matrices with
// permutation p-values, probe plots. Each plot is a plain description of what to
// draw (data + titles) plus paint(), so the GUI, the CLI and the tests draw the
// same figure on any QPaintDevice: QImage (PNG), QSvgGenerator (SVG), QPdfWriter
// (PDF). Sizes come from the FigureStyle in points; PaintContext turns them into
// device pixels at the export DPI.
#include <QImage>
#include <QPainter>
#include <QRectF>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/core/ndarray.h"
#include "neurolens/scene/label_layout.h"
#include "neurolens/scene/scene.h"
#include "neurolens/views/figure/figure_style.h"

namespace neurolens::views::figure {

// A text drawn on a figure and its box on the page, in output pixels (origin top left):
// `figure --json`'s labels (cli.md).
struct DrawnLabel {
  std::string text;
  scene::LabelKind kind = scene::LabelKind::Tick;
  QRectF box;
};

// Collects the box of every text painted on a page (figure.cpp starts one per export).
class LabelRecorder {
 public:
  // `page`: the painter's transform at the page's origin (a PDF page is scaled onto the device).
  explicit LabelRecorder(const QTransform& page = QTransform()) : toPage_(page.inverted()) {}
  // `textBox` in the painter's current coordinates (rotated text gives its bounding box on the page).
  void record(const QPainter& painter, const QRectF& textBox, const std::string& text, scene::LabelKind kind);
  [[nodiscard]] const std::vector<DrawnLabel>& labels() const { return labels_; }

 private:
  QTransform toPage_;
  std::vector<DrawnLabel> labels_;
};

struct PaintContext {
  FigureStyle style;
  double dpi = 300.0;
  LabelRecorder* labels = nullptr;  // when set, every text painted is recorded there
  [[nodiscard]] double px(double points) const { return points * dpi / 72.0; }
};

class Plot {
 public:
  virtual ~Plot() = default;
  Plot() = default;
  Plot(const Plot&) = delete;
  Plot& operator=(const Plot&) = delete;
  // Draws the plot inside `area` (device pixels), leaving the style's margin free.
  virtual void paint(QPainter& painter, const QRectF& area, const PaintContext& context) const = 0;
  // Every text the plot draws (titles, tick and group labels, legend entries): tests
  // look for them in SVG/PDF output.
  [[nodiscard]] virtual std::vector<std::string> labels() const = 0;
};

enum class ColourScale { Sequential, Diverging };

// A [rows, columns] matrix drawn as coloured cells with a colour bar.
// Rows may be grouped (unit types): they are drawn sorted by group (groups in
// order of first appearance, rows stable inside a group) with a separator line
// and the group's name beside it. Optional p-values mark significant cells with
// asterisks (* p < 0.05, ** p < 0.01, *** p < 0.001): one per cell ([rows, columns])
// or, with groups, one per group and column ([groups, columns], marked in the
// middle of the group's block).
struct HeatmapData {
  FloatArray values;  // [rows, columns]; NaN cells are drawn grey
  std::string title;
  std::string xTitle = "time (ms)";
  std::string yTitle = "unit";
  std::string colourBarTitle;
  std::vector<std::string> rowLabels;     // optional, one per row (else numbered)
  std::vector<std::string> columnLabels;  // optional, one per column (else a numeric axis)
  double xStart = 0.0;                    // numeric axis: column c spans [xStart + c*xStep, + xStep)
  double xStep = 1.0;
  std::vector<std::string> rowGroups;  // optional, one per row
  ColourScale scale = ColourScale::Sequential;
  std::optional<std::pair<double, double>> range;  // colour range; data range (symmetric when diverging) otherwise
  FloatArray pValues;                              // optional: [rows, columns] or [groups, columns]
  std::vector<std::string> pValueGroups;           // the group of each pValues row (when grouped)
  double alpha = 0.05;                             // threshold of the single asterisk
};

class HeatmapPlot : public Plot {
 public:
  // Throws InputError when the shapes disagree (labels, groups, p-values).
  explicit HeatmapPlot(HeatmapData data);
  void paint(QPainter& painter, const QRectF& area, const PaintContext& context) const override;
  [[nodiscard]] std::vector<std::string> labels() const override;
  // Display order of the rows (grouped rows sorted by group) and the groups in order.
  [[nodiscard]] const std::vector<std::size_t>& rowOrder() const { return rowOrder_; }
  [[nodiscard]] const std::vector<std::string>& groupOrder() const { return groupOrder_; }
  // The colour range used: (low, high).
  [[nodiscard]] std::pair<double, double> colourRange() const;
  [[nodiscard]] const HeatmapData& data() const { return data_; }

 private:
  HeatmapData data_;
  std::vector<std::size_t> rowOrder_;
  std::vector<std::string> groupOrder_;
};

// Asterisks for a p-value: "***" < 0.001 <= "**" < 0.01 <= "*" < alpha, "" otherwise.
[[nodiscard]] std::string significanceStars(double pValue, double alpha = 0.05);

// Spike raster: one row per unit (or per unit and trial), a tick per spike, units
// sorted by group with separators and group labels.
struct RasterData {
  // Per row: unit u's trials occupy rows u*trialsPerUnit .. (u+1)*trialsPerUnit-1
  // (unit-major), times in ms on the same axis as startMs/endMs.
  std::vector<std::vector<double>> spikeTimesMs;
  std::size_t trialsPerUnit = 1;        // trials stacked inside each unit's band
  std::vector<std::string> unitGroups;  // optional, one per unit
  double startMs = 0.0;
  double endMs = 1000.0;
  std::string title;
  std::string xTitle = "time (ms)";
  std::string yTitle = "unit";
};

class RasterPlot : public Plot {
 public:
  explicit RasterPlot(RasterData data);
  void paint(QPainter& painter, const QRectF& area, const PaintContext& context) const override;
  [[nodiscard]] std::vector<std::string> labels() const override;
  // Spikes inside [startMs, endMs): the tick marks drawn.
  [[nodiscard]] std::size_t tickCount() const;

 private:
  RasterData data_;
  std::vector<std::size_t> rowOrder_;
  std::vector<std::string> groupOrder_;
};

// Bars, e.g. a probe's cross-validated R2 per target dimension.
struct BarData {
  std::vector<double> values;
  std::vector<std::string> barLabels;
  std::string title;
  std::string xTitle;
  std::string yTitle = "R\u00b2";                  // R squared
  std::optional<std::pair<double, double>> range;  // y range; data range with 0 included otherwise
};

class BarPlot : public Plot {
 public:
  explicit BarPlot(BarData data);
  void paint(QPainter& painter, const QRectF& area, const PaintContext& context) const override;
  [[nodiscard]] std::vector<std::string> labels() const override;

 private:
  BarData data_;
};

// Line series over a common x axis (predicted vs actual time series), with a legend.
struct Series {
  std::string name;
  std::vector<double> values;
  std::size_t colourIndex = 0;  // into the style's categorical palette
  bool dashed = false;
  std::optional<Rgb> colour;  // overrides colourIndex (e.g. a condition's colour from a colour map)
};

struct LineData {
  std::vector<Series> series;
  double xStart = 0.0;
  double xStep = 1.0;
  std::string title;
  std::string xTitle = "time (ms)";
  std::string yTitle;
};

class LinePlot : public Plot {
 public:
  explicit LinePlot(LineData data);
  void paint(QPainter& painter, const QRectF& area, const PaintContext& context) const override;
  [[nodiscard]] std::vector<std::string> labels() const override;

 private:
  LineData data_;
};

// A legend entry: a colour swatch and its text.
using LegendEntry = scene::LegendItem;

// A raster image (e.g. a 3-D view rendered offscreen) with a title and an optional
// legend drawn as vector text over it. The image is drawn at the panel's size.
class ImagePlot : public Plot {
 public:
  ImagePlot(QImage image, std::string title, std::vector<LegendEntry> legend, std::string legendTitle = {});
  void paint(QPainter& painter, const QRectF& area, const PaintContext& context) const override;
  [[nodiscard]] std::vector<std::string> labels() const override;
  [[nodiscard]] const QImage& image() const { return image_; }

 private:
  QImage image_;
  std::string title_;
  std::vector<LegendEntry> legend_;
  std::string legendTitle_;
};

// Evenly spaced "nice" tick values (steps of 1, 2, 2.5 or 5 x 10^k) covering
// [low, high] with about `target` ticks; only ticks inside the range are returned.
[[nodiscard]] std::vector<double> niceTicks(double low, double high, int target = 5);
// Tick text with as many decimals as the step needs ("0.25", "100", "-1.5").
[[nodiscard]] std::string tickText(double value, double step);

// Draws a legend box (swatch + text per entry) with its top-right corner at `topRight`.
void drawLegend(QPainter& painter, const QPointF& topRight, const std::vector<LegendEntry>& entries,
                const std::string& title, const PaintContext& context);
// The same legend with its top-left corner at `topLeft`.
void drawLegendAt(QPainter& painter, const QPointF& topLeft, const std::vector<LegendEntry>& entries,
                  const std::string& title, const PaintContext& context);
// The size of that legend box.
[[nodiscard]] QSizeF legendSize(QPainter& painter, const std::vector<LegendEntry>& entries, const std::string& title,
                                const PaintContext& context);

}  // namespace neurolens::views::figure
