#pragma once
// A figure: one plot, or several laid out on a grid with panel letters (A, B, C ...)
// as a comparison sheet, exported to PNG (QImage), SVG (QSvgGenerator) or PDF
// (QPdfWriter). Vector formats keep 2-D plots as vectors with real text; raster
// panels (3-D views) are embedded as images. Files are written atomically
// (QSaveFile: a temporary beside the target, renamed on success).
#include <QImage>
#include <QPainter>
#include <memory>
#include <string>
#include <vector>

#include "neurolens/views/figure/figure_style.h"
#include "neurolens/views/figure/plots.h"

namespace neurolens::views::figure {

enum class FigureFormat { Png, Svg, Pdf };

// From the file's extension (case-insensitive .png, .svg, .pdf); InputError otherwise.
[[nodiscard]] FigureFormat formatForPath(const std::string& path);

struct ExportOptions {
  int width = 1600;  // pixels (PNG); SVG/PDF pages are width/dpi x height/dpi inches
  int height = 1200;
  double dpi = 300.0;                  // sets text and line scale: a point is dpi/72 pixels
  bool transparentBackground = false;  // PNG and SVG: no background fill
};

class Figure {
 public:
  // `columns` panels per row; rows are added as needed.
  explicit Figure(int columns = 1);
  void add(std::unique_ptr<Plot> plot);
  // Panel letters A, B, C ... in the top-left corner of each panel (default: on
  // when there is more than one panel).
  void setPanelLetters(bool on) { panelLetters_ = on; }
  [[nodiscard]] bool panelLetters() const { return panelLetters_.value_or(panels_.size() > 1); }

  [[nodiscard]] std::size_t panelCount() const { return panels_.size(); }
  [[nodiscard]] const Plot& panel(std::size_t index) const { return *panels_.at(index); }
  [[nodiscard]] int columns() const { return columns_; }
  // The area of panel `index` inside `page`.
  [[nodiscard]] QRectF panelRect(std::size_t index, const QRectF& page) const;

  void paint(QPainter& painter, const QRectF& page, const PaintContext& context) const;
  // Every text drawn (panel letters included).
  [[nodiscard]] std::vector<std::string> labels() const;

 private:
  int columns_;
  std::vector<std::unique_ptr<Plot>> panels_;
  std::optional<bool> panelLetters_;
};

// Draws the figure into a new ARGB image of options.width x options.height.
// Throws InputError for sizes outside 1..16384 or a DPI outside 10..2400.
// With `labels`, the box of every text drawn (page pixels, origin top left) goes there.
[[nodiscard]] QImage renderFigure(const Figure& figure, const ExportOptions& options, const FigureStyle& style,
                                  std::vector<DrawnLabel>* labels = nullptr);

// Writes the figure to `path` in the format of its extension.
// Throws InputError naming the file when it cannot be written.
void exportFigure(const Figure& figure, const std::string& path, const ExportOptions& options, const FigureStyle& style,
                  std::vector<DrawnLabel>* labels = nullptr);

}  // namespace neurolens::views::figure
