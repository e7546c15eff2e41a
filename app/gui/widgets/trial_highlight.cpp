#include "widgets/trial_highlight.h"

#include <vtkActor.h>
#include <vtkCellArray.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>

namespace neurolens::gui {

TrialHighlight::TrialHighlight()
    : line_(vtkSmartPointer<vtkPolyData>::New()), actor_(vtkSmartPointer<vtkActor>::New()) {
  auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  mapper->SetInputData(line_);
  actor_->SetMapper(mapper);
  actor_->GetProperty()->SetColor(0.1, 0.1, 0.1);
  actor_->GetProperty()->SetLineWidth(5.0F);
  actor_->GetProperty()->SetRenderLinesAsTubes(true);
  actor_->SetVisibility(false);
}

TrialHighlight::~TrialHighlight() = default;

void TrialHighlight::addTo(vtkRenderer* renderer) { renderer->AddActor(actor_); }
void TrialHighlight::removeFrom(vtkRenderer* renderer) { renderer->RemoveActor(actor_); }

void TrialHighlight::show(const FloatArray& points, std::size_t index) {
  if (points.rank() != 3 || points.dim(2) != 3 || index >= points.dim(0)) {
    hide();
    return;
  }
  const std::size_t bins = points.dim(1);
  auto coordinates = vtkSmartPointer<vtkPoints>::New();
  auto cells = vtkSmartPointer<vtkCellArray>::New();
  cells->InsertNextCell(static_cast<vtkIdType>(bins));
  for (std::size_t b = 0; b < bins; ++b) {
    cells->InsertCellPoint(coordinates->InsertNextPoint(points(index, b, 0), points(index, b, 1), points(index, b, 2)));
  }
  line_->SetPoints(coordinates);
  line_->SetLines(cells);
  line_->Modified();
  actor_->SetVisibility(true);
}

void TrialHighlight::hide() { actor_->SetVisibility(false); }
bool TrialHighlight::visible() const { return actor_->GetVisibility() != 0; }
vtkActor* TrialHighlight::actor() const { return actor_; }

}  // namespace neurolens::gui
