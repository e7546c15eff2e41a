#include "widgets/view_export.h"

#include <vtkCamera.h>

#include <memory>

#include "logic/linked_views.h"
#include "neurolens/views/figure/figure.h"
#include "neurolens/views/figure/scene_view_options.h"

namespace neurolens::gui {

namespace fig = views::figure;

fig::FigureCamera figureCamera(vtkCamera* camera) {
  fig::FigureCamera out;
  camera->GetPosition(out.position.data());
  camera->GetFocalPoint(out.focalPoint.data());
  camera->GetViewUp(out.viewUp.data());
  out.viewAngle = camera->GetViewAngle();
  out.parallel = camera->GetParallelProjection() != 0;
  out.parallelScale = camera->GetParallelScale();
  return out;
}

void exportView(const Trajectories& shown, const std::map<std::string, views::Rgb>& colours,
                const fig::FigureCamera& camera, const QString& path, const ViewExportOptions& options) {
  fig::TrajectoryViewOptions view;
  if (shown.scene != nullptr) view = fig::viewOptions(*shown.scene);
  view.camera = camera;
  views::TrajectoryData data = shown.data;
  if (!colours.empty()) {
    recolourByLabel(data, shown.groups.names, colours);
    for (fig::LegendEntry& entry : view.legend) {
      const auto found = colours.find(entry.text);
      if (found != colours.end()) entry.colour = found->second;
    }
  }
  fig::Figure figure(1);
  auto plot = std::make_unique<fig::TrajectoryPlot>(std::move(data), view);
  plot->setTransparentBackground(options.transparent);
  figure.add(std::move(plot));
  fig::exportFigure(figure, path.toStdString(),
                    {options.size.width(), options.size.height(), options.dpi, options.transparent},
                    fig::defaultFigureStyle());
}

}  // namespace neurolens::gui
