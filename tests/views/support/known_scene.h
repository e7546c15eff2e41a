#pragma once
// A scene whose picture is known by hand: one thick, unlit polyline of a given
// colour from (-0.8, y, 0) to (0.8, y, 0), seen through a parallel camera on +z
// whose view spans y in [-1, 1]. The line's row is therefore (1 - y) / 2 of the
// image height from the top, and it covers the middle 0.8 / aspect of the width.
#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkNew.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

namespace neurolens::testing {

inline vtkSmartPointer<vtkActor> addKnownLine(vtkRenderer* renderer, double y, double r, double g, double b,
                                              double width = 6.0) {
  vtkNew<vtkPoints> points;
  constexpr int kSegments = 16;
  vtkNew<vtkCellArray> cells;
  cells->InsertNextCell(kSegments + 1);
  for (int i = 0; i <= kSegments; ++i) {
    cells->InsertCellPoint(points->InsertNextPoint(-0.8 + 1.6 * i / kSegments, y, 0.0));
  }
  vtkNew<vtkPolyData> line;
  line->SetPoints(points);
  line->SetLines(cells);
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputData(line);
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  actor->GetProperty()->SetColor(r, g, b);
  actor->GetProperty()->SetLineWidth(static_cast<float>(width));
  actor->GetProperty()->LightingOff();
  renderer->AddActor(actor);
  return actor;
}

inline void useKnownCamera(vtkRenderer* renderer) {
  vtkCamera* camera = renderer->GetActiveCamera();
  camera->ParallelProjectionOn();
  camera->SetFocalPoint(0.0, 0.0, 0.0);
  camera->SetPosition(0.0, 0.0, 5.0);
  camera->SetViewUp(0.0, 1.0, 0.0);
  camera->SetParallelScale(1.0);
  renderer->ResetCameraClippingRange();
}

}  // namespace neurolens::testing
