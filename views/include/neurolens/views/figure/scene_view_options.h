#pragma once
// The figure's view options for a built scene (issue 29 step 1): what `neurolens-cli figure` and the window's
// "Export view..." both hand to TrajectoryPlot, so an exported view is drawn by the same code as `figure`.
// Header only: views does not link the scene builder (the GUI and the CLI do).
#include "neurolens/scene/scene_builder.h"
#include "neurolens/views/figure/trajectory_figure.h"

namespace neurolens::views::figure {

// The scene's legend, its title, its per-vertex colouring and whether legend and markers say something.
[[nodiscard]] inline TrajectoryViewOptions viewOptions(const scene::Scene& drawnScene) {
  TrajectoryViewOptions view;
  view.legend = drawnScene.parts.legend;
  view.legendTitle = drawnScene.parts.legendTitle;
  view.scalars = drawnScene.parts.scalars;
  view.showLegend = drawnScene.showLegend;
  view.showMarkers = drawnScene.showMarkers;
  return view;
}

}  // namespace neurolens::views::figure
