#pragma once
// The 3-D scene of latent-state trajectories: what the trajectory view shows and
// what figure export and the render benchmark draw. Built from plain arrays; owns
// its VTK actors and adds them to any renderer.
//
// One actor per condition group draws all of that group's trials (one vtkPolyData
// holding one polyline cell per trial), so 2,000 trials cost a handful of draw
// calls. Start markers (spheres), end markers (squares) and a time cursor per
// trajectory (screen-space points at bin t, moved by setTime) are per-group actors too.
#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "neurolens/core/ndarray.h"
#include "neurolens/views/palette.h"

class vtkRenderer;
class vtkActor;
class vtkProp;

namespace neurolens::views {

struct TrajectoryData {
  FloatArray points;                        // [trials, bins, 3]: projected latent state
  std::vector<int> condition;               // per trial, 0 .. conditions-1
  std::vector<std::string> conditionNames;  // optional, one per condition (legend, tooltips)
  std::vector<Rgb> colours;                 // optional, one per condition; Okabe-Ito otherwise
  std::array<std::string, 3> axisTitles = {"PC 1", "PC 2", "PC 3"};
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
  void setAxesVisible(bool visible);
  void setLineWidth(double pixels);

  [[nodiscard]] std::size_t trialCount() const;
  [[nodiscard]] std::size_t binCount() const;
  [[nodiscard]] std::size_t conditionCount() const;
  [[nodiscard]] Rgb conditionColour(std::size_t condition) const;
  [[nodiscard]] std::string conditionName(std::size_t condition) const;
  // Data bounds: xmin, xmax, ymin, ymax, zmin, zmax.
  [[nodiscard]] std::array<double, 6> bounds() const;

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

}  // namespace neurolens::views
