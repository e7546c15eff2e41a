#include "neurolens/views/trajectory_scene.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCubeAxesActor.h>
#include <vtkFloatArray.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTextProperty.h>
#include <vtkWeakPointer.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "neurolens/core/errors.h"
#include "neurolens/views/figure/colormap.h"

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
  // The level-of-detail copy drawn while the camera moves.
  vtkNew<vtkPolyData> lodLines;
  vtkNew<vtkPolyDataMapper> lodMapper;
  vtkNew<vtkActor> lodActor;
  MarkerLayer starts;
  MarkerLayer ends;
  MarkerLayer cursors;
  bool visible = true;

  [[nodiscard]] std::vector<vtkActor*> actors() const {
    return {lineActor.GetPointer(), lodActor.GetPointer(), starts.actor.GetPointer(), ends.actor.GetPointer(),
            cursors.actor.GetPointer()};
  }
};

// Every `stride`-th entry of 0..count-1 (and the last one when `keepLast`: a
// trajectory must still end where it ends).
std::vector<std::size_t> strided(std::size_t count, std::size_t stride, bool keepLast) {
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < count; i += stride) kept.push_back(i);
  if (keepLast && count > 0 && kept.back() != count - 1) kept.push_back(count - 1);
  return kept;
}

std::size_t strideFor(std::size_t count, std::size_t budget) {
  return budget == 0 || count <= budget ? 1 : (count + budget - 1) / budget;
}

// Coincident-topology offset (units; VTK's shader moves the fragment depth by about 1/65000 of the depth
// range per unit) of lines drawn wider than the scene's line width.
constexpr double kWideLineDepthOffset = -10000.0;

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
  bool cursorsVisible = true;
  bool axesVisible = true;
  double lineWidth = 2.0;
  std::optional<ScalarColouring> scalars;
  std::pair<double, double> scalarRange = {0.0, 1.0};
  vtkNew<vtkLookupTable> lookup;
  vtkNew<vtkScalarBarActor> colourBar;
  bool moving = false;
  LevelOfDetail detail;

  Impl() {
    // VTK applies a mapper's coincident-topology offsets (kWideLineDepthOffset) only in this mode.
    if (vtkMapper::GetResolveCoincidentTopology() == VTK_RESOLVE_OFF)
      vtkMapper::SetResolveCoincidentTopologyToPolygonOffset();
    colourBar->SetLookupTable(lookup);
    colourBar->SetNumberOfLabels(5);
    // Right edge of the view, room for the title above the bar and the labels beside it.
    colourBar->SetMaximumWidthInPixels(110);
    colourBar->SetMaximumHeightInPixels(420);
    colourBar->SetBarRatio(0.25);
    colourBar->SetPosition(0.86, 0.1);
    colourBar->SetWidth(0.13);
    colourBar->SetHeight(0.72);
    colourBar->SetTextPad(4);
    colourBar->SetLabelFormat("%-.3g");
    colourBar->UnconstrainedFontSizeOn();
    for (vtkTextProperty* text : {colourBar->GetTitleTextProperty(), colourBar->GetLabelTextProperty()}) {
      text->SetColor(0.2, 0.2, 0.2);
      text->SetFontSize(13);
      text->ShadowOff();
      text->ItalicOff();
    }
    colourBar->GetTitleTextProperty()->BoldOn();
    colourBar->GetLabelTextProperty()->BoldOff();
    colourBar->VisibilityOff();
    // On the box's outer edges (in projection): the tick labels stay clear of the data. Figures use the
    // furthest triad instead (tuneAxesForPrint), whose lines they can compute to place the axis titles.
    axes->SetFlyModeToOuterEdges();
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

  [[nodiscard]] double widthScale(std::size_t condition) const {
    return condition < data.lineWidthScale.size() ? data.lineWidthScale[condition] : 1.0;
  }
  [[nodiscard]] bool groupMarkers(std::size_t condition) const {
    return condition >= data.groupMarkers.size() || data.groupMarkers[condition];
  }

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
    const std::size_t trialStride = strideFor(trials(), detail.maxTrajectories);
    const std::size_t binStride = strideFor(binCount, detail.maxBins);
    configureLookup();
    for (std::size_t condition = 0; condition < conditions; ++condition) {
      Group& group = *groups[condition];
      const Rgb rgb = colour(condition);

      // All trials of the group in one polydata: one polyline cell per trial.
      fillLines(group.lines, group.trials, 1, 1);
      group.lineMapper->SetInputData(group.lines);
      group.lineActor->SetMapper(group.lineMapper);
      // Level of detail: every k-th trial of the group (at least one), every j-th bin.
      fillLines(group.lodLines, group.trials, trialStride, binStride);
      group.lodMapper->SetInputData(group.lodLines);
      group.lodActor->SetMapper(group.lodMapper);
      for (vtkPolyDataMapper* mapper : {group.lineMapper.GetPointer(), group.lodMapper.GetPointer()}) {
        if (scalars) {
          mapper->ScalarVisibilityOn();
          mapper->SetScalarModeToUsePointData();
          mapper->SetColorModeToMapScalars();
          mapper->SetLookupTable(lookup);
          mapper->UseLookupTableScalarRangeOn();
        } else {
          mapper->ScalarVisibilityOff();
        }
      }
      vtkProperty* lineProperty = group.lineActor->GetProperty();
      lineProperty->SetColor(rgb.r, rgb.g, rgb.b);
      lineProperty->SetLineWidth(static_cast<float>(lineWidth * widthScale(condition)));
      // Wider lines (condition means over their single trials) are pulled towards the viewer in
      // depth, so thin lines passing in front of them do not cut them into dashes.
      group.lineMapper->SetRelativeCoincidentTopologyLineOffsetParameters(
          0.0, widthScale(condition) > 1.0 ? kWideLineDepthOffset : 0.0);
      lineProperty->LightingOff();  // flat colour: the palette must read exactly as chosen
      vtkProperty* lodProperty = group.lodActor->GetProperty();
      lodProperty->SetColor(rgb.r, rgb.g, rgb.b);
      lodProperty->SetLineWidth(static_cast<float>(detail.lineWidth));
      lodProperty->LightingOff();

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
      // Colouring by a value: markers in neutral greys, so that the only hues are the colour map's.
      const Rgb markerRgb = scalars ? Rgb{0.2, 0.2, 0.2} : rgb;
      vtkProperty* start = group.starts.actor->GetProperty();
      start->SetColor(markerRgb.r * 0.7, markerRgb.g * 0.7, markerRgb.b * 0.7);
      start->SetPointSize(6.0F);
      start->RenderPointsAsSpheresOn();
      vtkProperty* end = group.ends.actor->GetProperty();
      end->SetColor(markerRgb.r * 0.5, markerRgb.g * 0.5, markerRgb.b * 0.5);
      end->SetPointSize(5.0F);
      end->LightingOff();
      vtkProperty* cursor = group.cursors.actor->GetProperty();
      cursor->SetColor(markerRgb.r, markerRgb.g, markerRgb.b);
      cursor->SetPointSize(9.0F);
      cursor->RenderPointsAsSpheresOn();
      cursor->SetSpecular(0.4);
    }
    updateCursors();
    applyVisibility();
  }

  // One polyline cell per kept trial through its kept bins; with a scalar colouring,
  // the trial's value at each kept bin as point scalars.
  void fillLines(vtkPolyData* polyData, const std::vector<std::size_t>& members, std::size_t trialStride,
                 std::size_t binStride) const {
    const std::vector<std::size_t> keptMembers = strided(members.size(), trialStride, false);
    const std::vector<std::size_t> keptBins = strided(bins(), binStride, true);
    const auto pointCount = static_cast<vtkIdType>(keptMembers.size() * keptBins.size());
    vtkNew<vtkPoints> points;
    points->SetDataTypeToFloat();
    points->SetNumberOfPoints(pointCount);
    vtkNew<vtkCellArray> cells;
    cells->AllocateExact(static_cast<vtkIdType>(keptMembers.size()), pointCount);
    vtkNew<vtkFloatArray> values;
    values->SetName("colour value");
    if (scalars) values->SetNumberOfTuples(pointCount);
    vtkIdType pointId = 0;
    for (std::size_t member : keptMembers) {
      const std::size_t trial = members[member];
      cells->InsertNextCell(static_cast<int>(keptBins.size()));
      for (std::size_t bin : keptBins) {
        points->SetPoint(pointId, data.points(trial, bin, 0), data.points(trial, bin, 1), data.points(trial, bin, 2));
        if (scalars) values->SetValue(pointId, scalars->values.values()[trial * bins() + bin]);
        cells->InsertCellPoint(pointId);
        ++pointId;
      }
    }
    polyData->Initialize();
    polyData->SetPoints(points);
    polyData->SetLines(cells);
    if (scalars) polyData->GetPointData()->SetScalars(values);
  }

  // The lookup table of the colour map over the colouring's range (shared by every group).
  void configureLookup() {
    if (!scalars) {
      colourBar->VisibilityOff();
      return;
    }
    const figure::Colormap map = figure::colormapByName(scalars->colormap);
    constexpr int kColours = 256;
    lookup->SetNumberOfTableValues(kColours);
    for (int i = 0; i < kColours; ++i) {
      const Rgb rgb = map.at(static_cast<double>(i) / (kColours - 1));
      lookup->SetTableValue(i, rgb.r, rgb.g, rgb.b, 1.0);
    }
    lookup->SetNanColor(0.75, 0.75, 0.75, 1.0);
    lookup->SetRange(scalarRange.first, scalarRange.second);
    lookup->Modified();
    colourBar->SetTitle(scalars->title.c_str());
    colourBar->SetVisibility(!groups.empty() || trials() > 0);
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
    for (std::size_t index = 0; index < groups.size(); ++index) {
      const auto& group = groups[index];
      const bool shown = group->visible && !group->trials.empty();
      const bool markers = markersVisible && groupMarkers(index);
      group->lineActor->SetVisibility(shown && !moving);
      group->lodActor->SetVisibility(shown && moving);
      // Start and end markers wait until the camera stops; the cursors stay (they move with time).
      group->starts.actor->SetVisibility(shown && markers && !moving);
      group->ends.actor->SetVisibility(shown && markers && !moving);
      group->cursors.actor->SetVisibility(shown && markers && cursorsVisible);
    }
    axes->SetVisibility(axesVisible && !groups.empty());
    colourBar->SetVisibility(scalars.has_value() && !groups.empty());
  }

  [[nodiscard]] std::vector<vtkProp*> allProps() const {
    std::vector<vtkProp*> props;
    for (const auto& group : groups) {
      for (vtkActor* actor : group->actors()) props.push_back(actor);
    }
    props.push_back(axes.GetPointer());
    props.push_back(colourBar.GetPointer());
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
  if (impl_->scalars &&
      (impl_->scalars->values.dim(0) != impl_->trials() || impl_->scalars->values.dim(1) != impl_->bins()))
    impl_->scalars.reset();
  impl_->computeBounds();
  impl_->buildGroups();
  impl_->configureAxes();
  if (renderer != nullptr) addTo(renderer);
}

void TrajectoryScene::setScalarColouring(ScalarColouring colouring) {
  const FloatArray& values = colouring.values;
  if (values.rank() != 2 || values.dim(0) != impl_->trials() || values.dim(1) != impl_->bins()) {
    std::string shape;
    for (std::size_t axis = 0; axis < values.rank(); ++axis)
      shape += (axis ? " x " : "") + std::to_string(values.dim(axis));
    throw InputError("trajectory view: colour values must be [trials, bins] = [" + std::to_string(impl_->trials()) +
                     ", " + std::to_string(impl_->bins()) + "], got [" + shape + "]");
  }
  (void)figure::colormapByName(colouring.colormap);  // throws for an unknown name
  std::pair<double, double> range{std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest()};
  if (colouring.range) {
    range = *colouring.range;
  } else {
    for (float value : values.values()) {
      if (!std::isfinite(value)) continue;
      range.first = std::min(range.first, static_cast<double>(value));
      range.second = std::max(range.second, static_cast<double>(value));
    }
    if (range.first > range.second) range = {0.0, 1.0};  // nothing finite: every vertex grey
  }
  if (!(range.second > range.first)) {
    // A constant value still needs an extent for the lookup table.
    const double centre = range.first;
    range = {centre - 0.5, centre + 0.5};
  }
  vtkRenderer* renderer = impl_->renderer;
  if (renderer != nullptr) removeFrom(renderer);
  impl_->scalars = std::move(colouring);
  impl_->scalarRange = range;
  impl_->buildGroups();
  if (renderer != nullptr) addTo(renderer);
}

void TrajectoryScene::clearScalarColouring() {
  if (!impl_->scalars) return;
  vtkRenderer* renderer = impl_->renderer;
  if (renderer != nullptr) removeFrom(renderer);
  impl_->scalars.reset();
  impl_->buildGroups();
  if (renderer != nullptr) addTo(renderer);
}

bool TrajectoryScene::hasScalarColouring() const { return impl_->scalars.has_value(); }
std::pair<double, double> TrajectoryScene::scalarRange() const { return impl_->scalarRange; }

Rgb TrajectoryScene::scalarColour(double value) const {
  if (!std::isfinite(value)) return {0.75, 0.75, 0.75};
  double rgb[3] = {0.0, 0.0, 0.0};
  impl_->lookup->GetColor(value, rgb);
  return {rgb[0], rgb[1], rgb[2]};
}

vtkProp* TrajectoryScene::colourBar() const { return impl_->colourBar.GetPointer(); }

void TrajectoryScene::setInteractive(bool moving) {
  if (impl_->moving == moving) return;
  impl_->moving = moving;
  impl_->applyVisibility();
}

bool TrajectoryScene::interactive() const { return impl_->moving; }

void TrajectoryScene::setLevelOfDetail(const LevelOfDetail& detail) {
  impl_->detail = detail;
  if (impl_->trials() == 0) return;
  vtkRenderer* renderer = impl_->renderer;
  if (renderer != nullptr) removeFrom(renderer);
  impl_->buildGroups();
  if (renderer != nullptr) addTo(renderer);
}

const LevelOfDetail& TrajectoryScene::levelOfDetail() const { return impl_->detail; }

vtkActor* TrajectoryScene::interactiveLineActor(std::size_t condition) const {
  return condition < impl_->groups.size() ? impl_->groups[condition]->lodActor.GetPointer() : nullptr;
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

void TrajectoryScene::setCursorsVisible(bool visible) {
  impl_->cursorsVisible = visible;
  impl_->applyVisibility();
}

void TrajectoryScene::setAxesVisible(bool visible) {
  impl_->axesVisible = visible;
  impl_->applyVisibility();
}

void TrajectoryScene::setLineWidth(double pixels) {
  impl_->lineWidth = pixels;
  for (std::size_t index = 0; index < impl_->groups.size(); ++index)
    impl_->groups[index]->lineActor->GetProperty()->SetLineWidth(static_cast<float>(pixels * impl_->widthScale(index)));
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
