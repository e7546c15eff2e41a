#include "neurolens/views/trajectory_scene.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCubeAxesActor.h>
#include <vtkFloatArray.h>
#include <vtkNew.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkTextProperty.h>
#include <vtkWeakPointer.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "neurolens/core/errors.h"

namespace neurolens::views {

namespace {

// One marker per trajectory of a group, drawn by one actor as screen-space points
// (spheres or squares in the fragment shader): thousands of markers cost one
// vertex each instead of a tessellated glyph each.
struct MarkerLayer {
  vtkNew<vtkPoints> points;
  vtkNew<vtkCellArray> vertices;
  vtkNew<vtkPolyData> centres;
  vtkNew<vtkPolyDataMapper> mapper;
  vtkNew<vtkActor> actor;

  MarkerLayer() {
    points->SetDataTypeToFloat();
    centres->SetPoints(points);
    centres->SetVerts(vertices);
    mapper->SetInputData(centres);
    mapper->ScalarVisibilityOff();
    actor->SetMapper(mapper);
  }

  void resize(std::size_t count) {
    points->SetNumberOfPoints(static_cast<vtkIdType>(count));
    vertices->Reset();
    for (std::size_t i = 0; i < count; ++i) {
      const auto id = static_cast<vtkIdType>(i);
      vertices->InsertNextCell(1, &id);
    }
    vertices->Modified();
    points->Modified();
  }
};

struct Group {
  std::vector<std::size_t> trials;  // rows of the points array in this group
  vtkNew<vtkPolyData> lines;
  vtkNew<vtkPolyDataMapper> lineMapper;
  vtkNew<vtkActor> lineActor;
  MarkerLayer starts;
  MarkerLayer ends;
  MarkerLayer cursors;
  bool visible = true;

  [[nodiscard]] std::vector<vtkActor*> actors() const {
    return {lineActor.GetPointer(), starts.actor.GetPointer(), ends.actor.GetPointer(), cursors.actor.GetPointer()};
  }
};

std::string trialText(std::size_t trial) { return "trial " + std::to_string(trial); }

}  // namespace

struct TrajectoryScene::Impl {
  TrajectoryData data;
  std::size_t conditions = 0;
  std::vector<std::unique_ptr<Group>> groups;
  std::vector<std::size_t> groupOfTrial;  // trial -> group
  std::vector<std::size_t> indexInGroup;  // trial -> position inside its group
  vtkNew<vtkCubeAxesActor> axes;
  vtkWeakPointer<vtkRenderer> renderer;
  std::array<double, 6> bounds = {0, 1, 0, 1, 0, 1};
  std::size_t time = 0;
  bool markersVisible = true;
  bool axesVisible = true;
  double lineWidth = 2.0;

  Impl() {
    axes->SetFlyModeToFurthestTriad();
    axes->SetGridLineLocation(vtkCubeAxesActor::VTK_GRID_LINES_FURTHEST);
    axes->SetLabelScaling(false, 0, 0, 0);
    axes->SetXLabelFormat("%.1f");
    axes->SetYLabelFormat("%.1f");
    axes->SetZLabelFormat("%.1f");
    axes->SetScreenSize(12.0);
    const double axisGrey[3] = {0.25, 0.25, 0.25};
    for (int axis = 0; axis < 3; ++axis) {
      axes->GetTitleTextProperty(axis)->SetColor(axisGrey[0], axisGrey[1], axisGrey[2]);
      axes->GetTitleTextProperty(axis)->BoldOn();
      axes->GetLabelTextProperty(axis)->SetColor(axisGrey[0], axisGrey[1], axisGrey[2]);
    }
    axes->GetXAxesLinesProperty()->SetColor(axisGrey[0], axisGrey[1], axisGrey[2]);
    axes->GetYAxesLinesProperty()->SetColor(axisGrey[0], axisGrey[1], axisGrey[2]);
    axes->GetZAxesLinesProperty()->SetColor(axisGrey[0], axisGrey[1], axisGrey[2]);
  }

  [[nodiscard]] std::size_t trials() const { return data.points.rank() == 3 ? data.points.dim(0) : 0; }
  [[nodiscard]] std::size_t bins() const { return data.points.rank() == 3 ? data.points.dim(1) : 0; }

  [[nodiscard]] Rgb colour(std::size_t condition) const {
    return condition < data.colours.size() ? data.colours[condition] : categoricalColour(condition);
  }

  void validate(const TrajectoryData& candidate) const {
    const FloatArray& points = candidate.points;
    if (points.rank() != 3 || points.dim(2) != 3) {
      std::string shape;
      for (std::size_t axis = 0; axis < points.rank(); ++axis)
        shape += (axis ? " x " : "") + std::to_string(points.dim(axis));
      throw InputError("trajectory view: expected projected points shaped [trials, bins, 3], got [" + shape + "]");
    }
    if (points.dim(0) == 0 || points.dim(1) == 0) throw InputError("trajectory view: there are no trials or no bins");
    if (candidate.condition.size() != points.dim(0)) {
      throw InputError("trajectory view: " + std::to_string(candidate.condition.size()) + " condition labels for " +
                       std::to_string(points.dim(0)) + " trials");
    }
    for (std::size_t trial = 0; trial < candidate.condition.size(); ++trial) {
      if (candidate.condition[trial] < 0) {
        throw InputError("trajectory view: " + trialText(trial) + " has a negative condition index");
      }
    }
    const std::size_t binCount = points.dim(1);
    for (std::size_t index = 0; index < points.size(); ++index) {
      if (!std::isfinite(points.values()[index])) {
        const std::size_t trial = index / (binCount * 3);
        const std::size_t bin = (index / 3) % binCount;
        throw InputError("trajectory view: " + trialText(trial) + " has a non-finite value (NaN or infinity) at bin " +
                         std::to_string(bin));
      }
    }
  }

  void computeBounds() {
    const std::vector<float>& values = data.points.values();
    bounds = {std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
              std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
              std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest()};
    for (std::size_t index = 0; index < values.size(); ++index) {
      const std::size_t axis = index % 3;
      bounds[2 * axis] = std::min(bounds[2 * axis], static_cast<double>(values[index]));
      bounds[2 * axis + 1] = std::max(bounds[2 * axis + 1], static_cast<double>(values[index]));
    }
    // A flat axis would give the cube axes a zero-size extent.
    for (std::size_t axis = 0; axis < 3; ++axis) {
      if (bounds[2 * axis + 1] - bounds[2 * axis] < 1e-9) {
        bounds[2 * axis] -= 0.5;
        bounds[2 * axis + 1] += 0.5;
      }
    }
  }

  void buildGroups() {
    conditions = std::max(data.conditionNames.size(), data.colours.size());
    for (int condition : data.condition) conditions = std::max(conditions, static_cast<std::size_t>(condition) + 1);
    groups.clear();
    for (std::size_t condition = 0; condition < conditions; ++condition) groups.push_back(std::make_unique<Group>());
    groupOfTrial.assign(trials(), 0);
    indexInGroup.assign(trials(), 0);
    for (std::size_t trial = 0; trial < trials(); ++trial) {
      const auto group = static_cast<std::size_t>(data.condition[trial]);
      groupOfTrial[trial] = group;
      indexInGroup[trial] = groups[group]->trials.size();
      groups[group]->trials.push_back(trial);
    }

    const std::size_t binCount = bins();
    for (std::size_t condition = 0; condition < conditions; ++condition) {
      Group& group = *groups[condition];
      const Rgb rgb = colour(condition);

      // All trials of the group in one polydata: one polyline cell per trial.
      vtkNew<vtkPoints> points;
      points->SetDataTypeToFloat();
      points->SetNumberOfPoints(static_cast<vtkIdType>(group.trials.size() * binCount));
      vtkNew<vtkCellArray> cells;
      cells->AllocateExact(static_cast<vtkIdType>(group.trials.size()),
                           static_cast<vtkIdType>(group.trials.size() * binCount));
      vtkIdType pointId = 0;
      for (std::size_t trial : group.trials) {
        cells->InsertNextCell(static_cast<int>(binCount));
        for (std::size_t bin = 0; bin < binCount; ++bin) {
          points->SetPoint(pointId, data.points(trial, bin, 0), data.points(trial, bin, 1), data.points(trial, bin, 2));
          cells->InsertCellPoint(pointId);
          ++pointId;
        }
      }
      group.lines->SetPoints(points);
      group.lines->SetLines(cells);
      group.lineMapper->SetInputData(group.lines);
      group.lineMapper->ScalarVisibilityOff();
      group.lineActor->SetMapper(group.lineMapper);
      vtkProperty* lineProperty = group.lineActor->GetProperty();
      lineProperty->SetColor(rgb.r, rgb.g, rgb.b);
      lineProperty->SetLineWidth(static_cast<float>(lineWidth));
      lineProperty->LightingOff();  // flat colour: the palette must read exactly as chosen

      group.starts.resize(group.trials.size());
      group.ends.resize(group.trials.size());
      group.cursors.resize(group.trials.size());
      for (std::size_t member = 0; member < group.trials.size(); ++member) {
        const std::size_t trial = group.trials[member];
        const auto id = static_cast<vtkIdType>(member);
        group.starts.points->SetPoint(id, data.points(trial, 0, 0), data.points(trial, 0, 1), data.points(trial, 0, 2));
        group.ends.points->SetPoint(id, data.points(trial, binCount - 1, 0), data.points(trial, binCount - 1, 1),
                                    data.points(trial, binCount - 1, 2));
      }
      // Start: a shaded sphere; end: a flat square (tells them apart without colour);
      // cursor: a larger sphere in the line colour. Sizes are in screen pixels.
      vtkProperty* start = group.starts.actor->GetProperty();
      start->SetColor(rgb.r * 0.7, rgb.g * 0.7, rgb.b * 0.7);
      start->SetPointSize(6.0F);
      start->RenderPointsAsSpheresOn();
      vtkProperty* end = group.ends.actor->GetProperty();
      end->SetColor(rgb.r * 0.5, rgb.g * 0.5, rgb.b * 0.5);
      end->SetPointSize(5.0F);
      end->LightingOff();
      vtkProperty* cursor = group.cursors.actor->GetProperty();
      cursor->SetColor(rgb.r, rgb.g, rgb.b);
      cursor->SetPointSize(9.0F);
      cursor->RenderPointsAsSpheresOn();
      cursor->SetSpecular(0.4);
    }
    updateCursors();
    applyVisibility();
  }

  void updateCursors() {
    const std::size_t bin = std::min(time, bins() == 0 ? 0 : bins() - 1);
    for (const auto& group : groups) {
      for (std::size_t member = 0; member < group->trials.size(); ++member) {
        const std::size_t trial = group->trials[member];
        group->cursors.points->SetPoint(static_cast<vtkIdType>(member), data.points(trial, bin, 0),
                                        data.points(trial, bin, 1), data.points(trial, bin, 2));
      }
      group->cursors.points->Modified();
    }
  }

  void applyVisibility() {
    for (const auto& group : groups) {
      group->lineActor->SetVisibility(group->visible);
      for (MarkerLayer* layer : {&group->starts, &group->ends, &group->cursors}) {
        layer->actor->SetVisibility(group->visible && markersVisible && !group->trials.empty());
      }
    }
    axes->SetVisibility(axesVisible && !groups.empty());
  }

  [[nodiscard]] std::vector<vtkProp*> allProps() const {
    std::vector<vtkProp*> props;
    for (const auto& group : groups) {
      for (vtkActor* actor : group->actors()) props.push_back(actor);
    }
    props.push_back(axes.GetPointer());
    return props;
  }

  void configureAxes() {
    axes->SetBounds(bounds.data());
    axes->SetXTitle(data.axisTitles[0].c_str());
    axes->SetYTitle(data.axisTitles[1].c_str());
    axes->SetZTitle(data.axisTitles[2].c_str());
    if (renderer != nullptr) axes->SetCamera(renderer->GetActiveCamera());
  }
};

TrajectoryScene::TrajectoryScene() : impl_(std::make_unique<Impl>()) {}

TrajectoryScene::~TrajectoryScene() {
  if (impl_->renderer != nullptr) removeFrom(impl_->renderer);
}

void TrajectoryScene::setData(TrajectoryData data) {
  impl_->validate(data);
  vtkRenderer* renderer = impl_->renderer;
  if (renderer != nullptr) removeFrom(renderer);
  impl_->data = std::move(data);
  impl_->computeBounds();
  impl_->buildGroups();
  impl_->configureAxes();
  if (renderer != nullptr) addTo(renderer);
}

void TrajectoryScene::addTo(vtkRenderer* renderer) {
  if (renderer == nullptr) return;
  if (impl_->renderer != nullptr && impl_->renderer != renderer) removeFrom(impl_->renderer);
  impl_->renderer = renderer;
  for (vtkProp* prop : impl_->allProps()) {
    if (!renderer->HasViewProp(prop)) renderer->AddViewProp(prop);
  }
  impl_->configureAxes();
}

void TrajectoryScene::removeFrom(vtkRenderer* renderer) {
  if (renderer == nullptr) return;
  for (vtkProp* prop : impl_->allProps()) renderer->RemoveViewProp(prop);
  if (impl_->renderer == renderer) impl_->renderer = nullptr;
}

void TrajectoryScene::setTime(std::size_t bin) {
  impl_->time = impl_->bins() == 0 ? 0 : std::min(bin, impl_->bins() - 1);
  impl_->updateCursors();
}

std::size_t TrajectoryScene::time() const { return impl_->time; }

void TrajectoryScene::setConditionVisible(std::size_t condition, bool visible) {
  if (condition >= impl_->groups.size()) return;
  impl_->groups[condition]->visible = visible;
  impl_->applyVisibility();
}

bool TrajectoryScene::conditionVisible(std::size_t condition) const {
  return condition < impl_->groups.size() && impl_->groups[condition]->visible;
}

void TrajectoryScene::setMarkersVisible(bool visible) {
  impl_->markersVisible = visible;
  impl_->applyVisibility();
}

void TrajectoryScene::setAxesVisible(bool visible) {
  impl_->axesVisible = visible;
  impl_->applyVisibility();
}

void TrajectoryScene::setLineWidth(double pixels) {
  impl_->lineWidth = pixels;
  for (const auto& group : impl_->groups) group->lineActor->GetProperty()->SetLineWidth(static_cast<float>(pixels));
}

std::size_t TrajectoryScene::trialCount() const { return impl_->trials(); }
std::size_t TrajectoryScene::binCount() const { return impl_->bins(); }
std::size_t TrajectoryScene::conditionCount() const { return impl_->conditions; }
Rgb TrajectoryScene::conditionColour(std::size_t condition) const { return impl_->colour(condition); }

std::string TrajectoryScene::conditionName(std::size_t condition) const {
  if (condition < impl_->data.conditionNames.size()) return impl_->data.conditionNames[condition];
  return "condition " + std::to_string(condition);
}

std::array<double, 6> TrajectoryScene::bounds() const { return impl_->bounds; }

vtkActor* TrajectoryScene::lineActor(std::size_t condition) const {
  return condition < impl_->groups.size() ? impl_->groups[condition]->lineActor.GetPointer() : nullptr;
}

std::vector<vtkProp*> TrajectoryScene::props() const { return impl_->allProps(); }

std::array<double, 3> TrajectoryScene::cursorPosition(std::size_t trial) const {
  if (trial >= impl_->trials()) throw InputError("trajectory view: " + trialText(trial) + " does not exist");
  const Group& group = *impl_->groups[impl_->groupOfTrial[trial]];
  std::array<double, 3> position{};
  group.cursors.points->GetPoint(static_cast<vtkIdType>(impl_->indexInGroup[trial]), position.data());
  return position;
}

}  // namespace neurolens::views
