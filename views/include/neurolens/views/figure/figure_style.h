#pragma once
// One figure style for every exported figure: fonts, line widths, the categorical
// palette (H2's Okabe-Ito colours by default) and colour maps. Sizes are in
// typographic points (1/72 inch), so the export DPI turns them into pixels and a
// figure keeps its proportions at any resolution. Loadable from a JSON style file
// (resources/styles/default.json documents every key).
#include <optional>
#include <string>
#include <vector>

#include "neurolens/views/palette.h"

namespace neurolens::views::figure {

struct FigureStyle {
  std::string fontFamily = "DejaVu Sans";
  double titlePt = 9.0;  // panel titles
  double labelPt = 8.0;  // axis titles, colour-bar title
  double tickPt = 7.0;   // tick labels, group labels
  double legendPt = 7.0;
  double panelLetterPt = 12.0;  // A, B, C on comparison sheets
  double axisLinePt = 0.8;      // axes frame and ticks
  double dataLinePt = 1.2;      // series lines and bar outlines
  double trajectoryLinePt = 0.6;
  double separatorLinePt = 0.8;  // between unit groups in heatmaps
  double tickLengthPt = 3.0;
  double marginPt = 4.0;         // empty border around each panel
  std::vector<Rgb> categorical;  // conditions and types; Okabe-Ito when empty in the file
  std::string sequentialColormap = "viridis";
  std::string divergingColormap = "coolwarm";
  Rgb background{1.0, 1.0, 1.0};
  Rgb foreground{0.0, 0.0, 0.0};  // axes and text
  // Anti-aliasing samples per pixel for 3-D views; -1 (automatic): 8 below
  // 144 dpi, none from 144 dpi up, where lines are already several pixels wide.
  int multiSamples3d = -1;
  // Page size and resolution a style asks for (publication styles: 89 or 183 mm wide); unset in the default
  // style, where the command line's --size and --dpi decide.
  std::optional<double> widthMm;
  std::optional<double> heightMm;
  std::optional<double> dpi;

  // Colour of category `index` (cycles through `categorical`).
  [[nodiscard]] Rgb categoryColour(std::size_t index) const;
};

// The built-in style (identical to resources/styles/default.json).
[[nodiscard]] FigureStyle defaultFigureStyle();

// Parses a JSON style. Keys left out keep their default; unknown keys, wrong types,
// non-positive sizes, malformed colours ("#rrggbb") and unknown colour maps throw
// InputError naming `sourceName` and the key.
[[nodiscard]] FigureStyle figureStyleFromJson(const std::string& json, const std::string& sourceName = "style");
// Reads and parses a style file; throws InputError when it cannot be read.
[[nodiscard]] FigureStyle loadFigureStyle(const std::string& path);

// The styles built in (resources/styles/*.json, compiled in): default, nature-1col, nature-2col, slides.
[[nodiscard]] std::vector<std::string> builtinFigureStyleNames();
// A built-in style by name, else a style file by path; InputError naming both choices otherwise.
[[nodiscard]] FigureStyle figureStyleNamed(const std::string& nameOrPath);

// The pixel page a figure is exported at under `style` (the same for `figure --style` and the GUI's export
// dialog): `dpi` if given, else the style's, else 300; `widthPx` x `heightPx` if given, else the style's width
// and height in mm at that DPI (height 3/4 of the width when the style sets only the width), else 1600x1200.
struct FigurePage {
  int width = 1600;
  int height = 1200;
  double dpi = 300.0;
};
[[nodiscard]] FigurePage figurePage(const FigureStyle& style, std::optional<int> widthPx = std::nullopt,
                                    std::optional<int> heightPx = std::nullopt,
                                    std::optional<double> dpi = std::nullopt);

}  // namespace neurolens::views::figure
