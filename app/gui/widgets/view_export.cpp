#include "widgets/view_export.h"

#include <vtkCamera.h>

#include <memory>

#include "logic/linked_views.h"
#include "neurolens/views/figure/figure.h"
#include "neurolens/views/figure/figure_style.h"
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

ViewExportOptions styledExportOptions(const std::string& style, QSize size, double dpi, bool transparent) {
  ViewExportOptions options;
  options.style = style;
  options.transparent = transparent;
  const fig::FigureStyle chosen = style.empty() ? fig::defaultFigureStyle() : fig::figureStyleNamed(style);
  const fig::FigurePage page = chosen.widthMm
                                   ? fig::figurePage(chosen)
                                   : fig::figurePage(chosen, size.width(), size.height(), chosen.dpi.value_or(dpi));
  options.size = QSize(page.width, page.height);
  options.dpi = page.dpi;
  return options;
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
                    options.style.empty() ? fig::defaultFigureStyle() : fig::figureStyleNamed(options.style));
}

}  // namespace neurolens::gui
