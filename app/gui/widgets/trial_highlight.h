#pragma once
// A thick dark line over one trajectory: the trial selected in the trials table.
// Its own actor, added beside the TrajectoryScene's actors in the same renderer.
#include <vtkSmartPointer.h>

#include <array>
#include <cstddef>
#include <vector>

#include "neurolens/core/ndarray.h"

class vtkActor;
class vtkPolyData;
class vtkRenderer;

namespace neurolens::gui {

class TrialHighlight {
 public:
  TrialHighlight();
  ~TrialHighlight();
  TrialHighlight(const TrialHighlight&) = delete;
  TrialHighlight& operator=(const TrialHighlight&) = delete;

  void addTo(vtkRenderer* renderer);
  void removeFrom(vtkRenderer* renderer);
  // Draws trajectory `index` of points [trajectories, bins, 3]; hides when out of range.
  void show(const FloatArray& points, std::size_t index);
  void hide();
  [[nodiscard]] bool visible() const;
  [[nodiscard]] vtkActor* actor() const;

 private:
  vtkSmartPointer<vtkPolyData> line_;
  vtkSmartPointer<vtkActor> actor_;
};

}  // namespace neurolens::gui
