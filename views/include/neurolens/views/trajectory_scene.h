#pragma once
// The 3-D scene of latent-state trajectories: what the trajectory view shows and
// what figure export and the render benchmark draw. Built from plain arrays; owns
// its VTK actors and adds them to any renderer.
//
// One actor per condition group draws all of that group's trials (one vtkPolyData
// holding one polyline cell per trial), so 2,000 trials cost a handful of draw
// calls. Start markers (spheres), end markers (squares) and a time cursor per
// trajectory (screen-space points at bin t, moved by setTime) are per-group actors too.
//
// Colouring: by condition (one flat colour per group), or by a value per trial and
// bin (time, behaviour, attribution ...) mapped through a perceptually uniform
// colour map: per-vertex scalars and one lookup table shared by the groups, with a
// colour bar; still one actor per group.
//
// Level of detail: while the camera moves (setInteractive(true)) each group draws a
// second, lighter polyline actor instead (a subset of its trials, every k-th bin,
// 1-pixel lines, no start/end markers), and the full scene again when it stops.
// Software OpenGL (llvmpipe) rasterises every segment on the CPU; this keeps
// rotating smooth there without changing what a still frame or an export shows.
#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "neurolens/core/ndarray.h"
#include "neurolens/scene/label_layout.h"
#include "neurolens/scene/scene.h"
#include "neurolens/views/palette.h"

class vtkRenderer;
class vtkActor;
class vtkCamera;
class vtkProp;

namespace neurolens::views {

// The scene's plain data (neurolens/scene/scene.h): polylines in coloured groups, and
// values per vertex through a colour map.
using scene::ScalarColouring;
using scene::TrajectoryData;

// What the moving camera draws (see setInteractive).
struct LevelOfDetail {
  std::size_t maxTrajectories = 200;  // whole scene; each group keeps at least one trial
  std::size_t maxBins = 25;           // per trajectory (first and last bin always kept)
  double lineWidth = 1.0;
};

class TrajectoryScene {
 public:
  TrajectoryScene();
  ~TrajectoryScene();
  TrajectoryScene(const TrajectoryScene&) = delete;
  TrajectoryScene& operator=(const TrajectoryScene&) = delete;

  // Replaces the data. Throws InputError when the shapes do not fit (points not
  // [trials, bins, 3], one condition per trial, negative condition, non-finite point).
  // Actors already added to renderers are updated in place.
  void setData(TrajectoryData data);

  // Adds every actor of the scene to `renderer` (axes follow its camera). A scene
  // lives in one renderer at a time; removeFrom takes it out again.
  void addTo(vtkRenderer* renderer);
  void removeFrom(vtkRenderer* renderer);

  // Moves each trajectory's time cursor to `bin` (clamped to the last bin).
  void setTime(std::size_t bin);
  [[nodiscard]] std::size_t time() const;

  void setConditionVisible(std::size_t condition, bool visible);
  [[nodiscard]] bool conditionVisible(std::size_t condition) const;
  void setMarkersVisible(bool visible);
  // The time cursors alone (a still figure at the last bin would draw them over the end markers).
  void setCursorsVisible(bool visible);
  void setAxesVisible(bool visible);
  void setLineWidth(double pixels);

  // Colours by a value per trial and bin instead of by condition. Throws InputError
  // when the values are not [trials, bins] of the current data or the colour map is
  // unknown. setData keeps the colouring only when the shape still fits.
  void setScalarColouring(ScalarColouring colouring);
  void clearScalarColouring();
  [[nodiscard]] bool hasScalarColouring() const;
  // The colour range in use and the colour a value is drawn in (tests, legends).
  [[nodiscard]] std::pair<double, double> scalarRange() const;
  [[nodiscard]] Rgb scalarColour(double value) const;
  // The colour bar (visible only while colouring by a value).
  [[nodiscard]] vtkProp* colourBar() const;

  // Level of detail while the camera moves (true) or full quality (false).
  void setInteractive(bool moving);
  [[nodiscard]] bool interactive() const;
  void setLevelOfDetail(const LevelOfDetail& detail);
  [[nodiscard]] const LevelOfDetail& levelOfDetail() const;
  // The light polyline actor of one group, drawn while interactive (tests).
  [[nodiscard]] vtkActor* interactiveLineActor(std::size_t condition) const;

  [[nodiscard]] std::size_t trialCount() const;
  [[nodiscard]] std::size_t binCount() const;
  [[nodiscard]] std::size_t conditionCount() const;
  [[nodiscard]] Rgb conditionColour(std::size_t condition) const;
  [[nodiscard]] std::string conditionName(std::size_t condition) const;
  // Data bounds: xmin, xmax, ymin, ymax, zmin, zmax.
  [[nodiscard]] std::array<double, 6> bounds() const;
  // The axes as laid out for the last frame drawn (view pixels, origin top left): the box's outline, tick
  // marks and the label boxes, all outside the projected data (scene::layoutAxes).
  [[nodiscard]] const scene::AxesLayout& axesLayout() const;

  // The polyline actor of one condition group (tests, picking).
  [[nodiscard]] vtkActor* lineActor(std::size_t condition) const;
  // Every prop the scene adds to a renderer.
  [[nodiscard]] std::vector<vtkProp*> props() const;
  // Current cursor position of one trial (tests).
  [[nodiscard]] std::array<double, 3> cursorPosition(std::size_t trial) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The camera's world -> image projection for a width x height view (origin top left): what the axes and
// legends are laid out with, in the window and in figures alike.
[[nodiscard]] scene::ScreenProjection screenProjection(vtkCamera* camera, int width, int height);

}  // namespace neurolens::views
