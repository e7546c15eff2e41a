#include "neurolens/views/trajectory_scene.h"

#include <vtkActor.h>
#include <vtkActor2D.h>
#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCommand.h>
#include <vtkFloatArray.h>
#include <vtkLookupTable.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataMapper2D.h>
#include <vtkProperty.h>
#include <vtkProperty2D.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkSmartPointer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkTextRenderer.h>
#include <vtkWeakPointer.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

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
  // The axes (issue 30 step 1): a box whose tick labels and titles sit outside its projected outline, laid out
  // for the camera before every frame (scene::layoutAxes, as figures do): the outline and tick marks as one 2-D
  // actor, the box edges behind the data as a 3-D one, the texts as a pool of text actors.
  vtkNew<vtkPolyData> overlayLines;
  vtkNew<vtkPolyDataMapper2D> overlayMapper;
  vtkNew<vtkActor2D> overlayActor;
  vtkNew<vtkPolyData> backLines;
  vtkNew<vtkPolyDataMapper> backMapper;
  vtkNew<vtkActor> backActor;
  std::vector<vtkSmartPointer<vtkTextActor>> texts;  // kTextActors, the unused ones hidden
  vtkNew<vtkTextProperty> tickText;
  vtkNew<vtkTextProperty> titleText;
  std::map<std::pair<std::string, int>, scene::TextSize> measured;  // (text, dpi) -> size, tick font
  std::map<std::pair<std::string, int>, scene::TextSize> measuredTitles;
  vtkNew<vtkCallbackCommand> beforeRender;
  unsigned long beforeRenderTag = 0;
  scene::AxesLayout layout;
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
    // The axes' parts; laid out before each frame (layoutAxesFor).
    for (vtkTextProperty* text : {tickText.GetPointer(), titleText.GetPointer()}) {
      text->SetColor(0.25, 0.25, 0.25);
      text->SetFontFamilyToArial();
      text->ShadowOff();
      text->SetJustificationToLeft();
      text->SetVerticalJustificationToBottom();
    }
    tickText->SetFontSize(12);
    titleText->SetFontSize(13);
    titleText->BoldOn();
    overlayMapper->SetInputData(overlayLines);
    overlayActor->SetMapper(overlayMapper);
    overlayActor->GetProperty()->SetColor(0.45, 0.45, 0.45);
    overlayActor->GetProperty()->SetLineWidth(1.0F);
    backMapper->SetInputData(backLines);
    backActor->SetMapper(backMapper);
    backActor->GetProperty()->SetColor(0.78, 0.78, 0.78);
    backActor->GetProperty()->LightingOff();
    backActor->GetProperty()->SetLineWidth(1.0F);
    for (std::size_t i = 0; i < kTextActors; ++i) {
      texts.push_back(vtkSmartPointer<vtkTextActor>::New());
      texts.back()->VisibilityOff();
    }
    beforeRender->SetClientData(this);
    beforeRender->SetCallback([](vtkObject* caller, unsigned long, void* clientData, void*) {
      static_cast<Impl*>(clientData)->layoutAxesFor(static_cast<vtkRenderer*>(caller));
    });
  }

  static constexpr std::size_t kTextActors = 48;

  // The axes for the renderer's camera and size, in its window's DPI: outline, tick marks, back edges and texts.
  void layoutAxesFor(vtkRenderer* target) {
    const bool shown = axesVisible && !groups.empty();
    overlayActor->SetVisibility(shown ? 1 : 0);
    backActor->SetVisibility(shown ? 1 : 0);
    if (!shown) {
      for (const auto& text : texts) text->VisibilityOff();
      return;
    }
    const int* size = target->GetSize();
    const int width = std::max(1, size[0]);
    const int height = std::max(1, size[1]);
    const int dpi = target->GetRenderWindow() != nullptr ? target->GetRenderWindow()->GetDPI() : 72;
    vtkTextRenderer* textRenderer = vtkTextRenderer::GetInstance();
    const auto measureWith = [&](vtkTextProperty* property, auto& cache) {
      return [&, property](const std::string& text) {
        const auto key = std::make_pair(text, dpi);
        const auto found = cache.find(key);
        if (found != cache.end()) return found->second;
        int box[4] = {0, 0, 0, 0};
        scene::TextSize measuredSize{8.0 * static_cast<double>(text.size()), 14.0};
        if (textRenderer != nullptr && textRenderer->GetBoundingBox(property, text, box, dpi))
          measuredSize = {static_cast<double>(box[1] - box[0] + 1), static_cast<double>(box[3] - box[2] + 1)};
        cache.emplace(key, measuredSize);
        return measuredSize;
      };
    };
    scene::AxesRequest request;
    request.bounds = bounds;
    request.titles = data.axisTitles;
    request.tickSize = measureWith(tickText, measured);
    request.titleSize = measureWith(titleText, measuredTitles);
    const double scale = dpi / 72.0;
    double widest = 1.0;
    for (std::size_t c = 0; c < conditions; ++c) widest = std::max(widest, widthScale(c));
    request.tickLength = 5.0 * scale;
    request.labelGap = 2.0 * scale;
    request.titleGap = 3.0 * scale;
    request.dataMargin = std::max(lineWidth * widest, markersVisible ? 9.0 : 0.0) * scale / 2.0 + scale;
    request.frame = scene::Box{0.0, 0.0, static_cast<double>(width), static_cast<double>(height)};
    if (colourBar->GetVisibility() != 0) {
      // The colour bar's corner of the view (its position and size, as fractions of the view).
      const double* position = colourBar->GetPosition();
      request.keepOut.push_back({position[0] * width, (1.0 - position[1] - colourBar->GetHeight()) * height,
                                 (position[0] + colourBar->GetWidth()) * width, (1.0 - position[1]) * height});
    }
    layout = scene::layoutAxes(screenProjection(target->GetActiveCamera(), width, height), request);

    // Outline and tick marks in the viewport's pixels (rows counted from the bottom).
    vtkNew<vtkPoints> points;
    vtkNew<vtkCellArray> lines;
    const auto add = [&](scene::Point2 from, scene::Point2 to) {
      const vtkIdType a = points->InsertNextPoint(from.x, height - from.y, 0.0);
      const vtkIdType b = points->InsertNextPoint(to.x, height - to.y, 0.0);
      const std::array<vtkIdType, 2> ids = {a, b};
      lines->InsertNextCell(2, ids.data());
    };
    for (std::size_t i = 0; i < layout.outline.size(); ++i)
      add(layout.outline[i], layout.outline[(i + 1) % layout.outline.size()]);
    for (const scene::TickMark& tick : layout.ticks) add(tick.from, tick.to);
    overlayLines->Initialize();
    overlayLines->SetPoints(points);
    overlayLines->SetLines(lines);
    vtkNew<vtkPoints> corners;
    vtkNew<vtkCellArray> edges;
    for (const auto& edge : layout.backEdges) {
      const std::array<vtkIdType, 2> ids = {corners->InsertNextPoint(edge[0].data()),
                                            corners->InsertNextPoint(edge[1].data())};
      edges->InsertNextCell(2, ids.data());
    }
    backLines->Initialize();
    backLines->SetPoints(corners);
    backLines->SetLines(edges);

    // Each label's text actor: placed so that its rendered box is the layout's box.
    for (std::size_t i = 0; i < texts.size(); ++i) {
      vtkTextActor* text = texts[i];
      if (i >= layout.labels.size()) {
        text->VisibilityOff();
        continue;
      }
      const scene::PlacedLabel& label = layout.labels[i];
      vtkTextProperty* property = text->GetTextProperty();
      property->ShallowCopy(label.kind == scene::LabelKind::Axis ? titleText.GetPointer() : tickText.GetPointer());
      property->SetOrientation(label.angle == 0.0 ? 0.0 : -label.angle);
      text->SetInput(label.text.c_str());
      int box[4] = {0, 0, 0, 0};
      if (textRenderer != nullptr) textRenderer->GetBoundingBox(property, label.text, box, dpi);
      text->SetDisplayPosition(static_cast<int>(std::lround(label.box.x0)) - box[0],
                               static_cast<int>(std::lround(height - label.box.y1)) - box[2]);
      text->VisibilityOn();
    }
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
    const bool axesShown = axesVisible && !groups.empty();
    overlayActor->SetVisibility(axesShown ? 1 : 0);
    backActor->SetVisibility(axesShown ? 1 : 0);
    if (!axesShown)
      for (const auto& text : texts) text->VisibilityOff();
    colourBar->SetVisibility(scalars.has_value() && !groups.empty());
  }

  [[nodiscard]] std::vector<vtkProp*> allProps() const {
    std::vector<vtkProp*> props;
    for (const auto& group : groups) {
      for (vtkActor* actor : group->actors()) props.push_back(actor);
    }
    props.push_back(overlayActor.GetPointer());
    props.push_back(backActor.GetPointer());
    for (const auto& text : texts) props.push_back(text.GetPointer());
    props.push_back(colourBar.GetPointer());
    return props;
  }

  void configureAxes() {
    measured.clear();
    measuredTitles.clear();
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
  if (impl_->beforeRenderTag == 0)
    impl_->beforeRenderTag = renderer->AddObserver(vtkCommand::StartEvent, impl_->beforeRender);
}

void TrajectoryScene::removeFrom(vtkRenderer* renderer) {
  if (renderer == nullptr) return;
  for (vtkProp* prop : impl_->allProps()) renderer->RemoveViewProp(prop);
  if (impl_->renderer == renderer) {
    if (impl_->beforeRenderTag != 0) renderer->RemoveObserver(impl_->beforeRenderTag);
    impl_->beforeRenderTag = 0;
    impl_->renderer = nullptr;
  }
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

const scene::AxesLayout& TrajectoryScene::axesLayout() const { return impl_->layout; }

scene::ScreenProjection screenProjection(vtkCamera* camera, int width, int height) {
  scene::ScreenProjection projection;
  projection.width = width;
  projection.height = height;
  vtkMatrix4x4* matrix =
      camera->GetCompositeProjectionTransformMatrix(static_cast<double>(width) / std::max(1, height), -1.0, 1.0);
  for (int row = 0; row < 4; ++row)
    for (int column = 0; column < 4; ++column)
      projection.matrix[static_cast<std::size_t>(4 * row + column)] = matrix->GetElement(row, column);
  return projection;
}

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
