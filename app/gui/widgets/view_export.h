#pragma once
// "Export view..." of any view in the grid (issue 29 step 1): the view's trajectories drawn by `figure`'s code
// path (the scene builder's figure options, views/figure/scene_view_options.h, a TrajectoryPlot in a Figure,
// exportFigure) with the view's own camera, at any size, in any figure style (issue 30 step 2: the style is
// resolved by figureStyleNamed and its page by figurePage, as `figure --style` does). No dialog here: the grid
// asks for the size, style and file (actions/export_view_action.h).
#include <QSize>
#include <QString>
#include <map>
#include <string>

#include "logic/pipeline.h"
#include "neurolens/views/figure/trajectory_figure.h"

class vtkCamera;

namespace neurolens::gui {

struct ViewExportOptions {
  QSize size{1600, 1200};  // pixels
  double dpi = 150.0;
  bool transparent = false;
  // A built-in figure style (default, nature-1col, nature-2col, slides) or a style file; empty: the default.
  std::string style;
};

// The options a style asks for: a style with a page in mm (nature-1col, nature-2col, slides, or a file with
// width_mm) sets the size and DPI exactly as `figure --style` does (views/figure/figure_style.h figurePage);
// otherwise `size` and `dpi` are kept (the style's own DPI, if it sets one, wins). InputError for an unknown
// style or an unreadable style file.
[[nodiscard]] ViewExportOptions styledExportOptions(const std::string& style, QSize size, double dpi, bool transparent);

// The figure camera of an interactive view's camera.
[[nodiscard]] views::figure::FigureCamera figureCamera(vtkCamera* camera);

// Writes `shown` (as the view draws it; `colours`: the linked views' colour per label, or empty) with `camera`
// to `path` (PNG, SVG or PDF by its extension). Throws InputError / ComputeError as exportFigure does.
void exportView(const Trajectories& shown, const std::map<std::string, views::Rgb>& colours,
                const views::figure::FigureCamera& camera, const QString& path, const ViewExportOptions& options);

}  // namespace neurolens::gui
