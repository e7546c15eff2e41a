#pragma once
// "Export view..." of any view in the grid (issue 29 step 1): the view's trajectories drawn by `figure`'s code
// path (the scene builder's figure options, views/figure/scene_view_options.h, a TrajectoryPlot in a Figure,
// exportFigure) with the view's own camera, at any size. No dialog here: the grid asks for the size and file.
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
};

// The figure camera of an interactive view's camera.
[[nodiscard]] views::figure::FigureCamera figureCamera(vtkCamera* camera);

// Writes `shown` (as the view draws it; `colours`: the linked views' colour per label, or empty) with `camera`
// to `path` (PNG, SVG or PDF by its extension). Throws InputError / ComputeError as exportFigure does.
void exportView(const Trajectories& shown, const std::map<std::string, views::Rgb>& colours,
                const views::figure::FigureCamera& camera, const QString& path, const ViewExportOptions& options);

}  // namespace neurolens::gui
