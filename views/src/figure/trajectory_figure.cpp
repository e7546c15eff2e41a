#include "neurolens/views/figure/trajectory_figure.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProp.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>

#include <QDir>
#include <QFile>
#include <QFontMetricsF>
#include <QPainter>
#include <QProcess>
#include <QStandardPaths>
#include <QtMath>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <memory>

#include "neurolens/core/errors.h"
#include "neurolens/views/figure/colormap.h"
#include "neurolens/views/offscreen_renderer.h"
#include "plot_support.h"

namespace neurolens::views::figure {

namespace {

QFont tickFont(const PaintContext& context) { return detail::roleFont(context, detail::TextRole::Tick); }

QFont titleFont(const PaintContext& context) {
  QFont font = detail::roleFont(context, detail::TextRole::Label);
  font.setBold(true);
  return font;
}

// Text sizes in image pixels: `device` gives the fonts' DPI, `deviceScale` image pixels per painter unit.
scene::MeasureText measureWith(const QFont& font, QPaintDevice* device, double deviceScale) {
  const auto metrics = std::make_shared<QFontMetricsF>(font, device);
  return [metrics, deviceScale](const std::string& text) {
    const QString q = QString::fromStdString(text);
    return scene::TextSize{(metrics->horizontalAdvance(q) + 2.0) * deviceScale, metrics->height() * deviceScale};
  };
}

}  // namespace

void paintAxesOverlay(QPainter& painter, const QPointF& origin, double deviceScale, const scene::AxesLayout& axes,
                      const PaintContext& context) {
  const auto at = [&](const scene::Point2& p) { return origin + QPointF(p.x, p.y) / deviceScale; };
  const auto rectOf = [&](const scene::Box& box) { return QRectF(at({box.x0, box.y0}), at({box.x1, box.y1})); };
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing, true);
  painter.setBrush(Qt::NoBrush);
  const QColor ink = detail::toQColor(context.style.foreground);
  QColor outline = ink;
  outline.setAlphaF(0.45F);
  painter.setPen(detail::linePen(context, context.style.axisLinePt * 0.6, outline));
  QPolygonF polygon;
  for (const scene::Point2& p : axes.outline) polygon << at(p);
  if (polygon.size() > 2) painter.drawPolygon(polygon);
  painter.setPen(detail::linePen(context, context.style.axisLinePt, ink));
  for (const scene::TickMark& tick : axes.ticks) painter.drawLine(at(tick.from), at(tick.to));
  painter.setPen(ink);
  for (const scene::PlacedLabel& label : axes.labels) {
    painter.setFont(label.kind == scene::LabelKind::Axis ? titleFont(context) : tickFont(context));
    const QRectF box = rectOf(label.box);
    if (label.angle != 0.0) {
      detail::drawVerticalText(painter, box.center(), QString::fromStdString(label.text), label.kind, context);
    } else {
      detail::drawLabel(painter, box, Qt::AlignCenter, QString::fromStdString(label.text), label.kind, context);
    }
  }
  painter.restore();
}

struct TrajectoryRenderer::Impl {
  TrajectoryScene scene;
  vtkNew<vtkRenderer> renderer;
  TrajectoryViewOptions options;
  FigureStyle style;
  // The box edges behind the data (world coordinates, depth-tested).
  vtkNew<vtkPolyData> backLines;
  vtkNew<vtkPolyDataMapper> backMapper;
  vtkNew<vtkActor> backActor;
  FloatArray points;             // [trials, bins, 3] as drawn
  double widestLineScale = 1.0;  // of the groups' line widths
  // Declared after the renderer so it lets go of it first; animations reuse its
  // OpenGL context for every frame.
  OffscreenRenderTarget target;
  std::array<std::string, 3> axisTitles;  // painted with the axes overlay, not by VTK

  void setBackEdges(const scene::AxesLayout& axes) {
    vtkNew<vtkPoints> corners;
    vtkNew<vtkCellArray> lines;
    for (const auto& edge : axes.backEdges) {
      const vtkIdType first = corners->InsertNextPoint(edge[0].data());
      const vtkIdType second = corners->InsertNextPoint(edge[1].data());
      const std::array<vtkIdType, 2> ids = {first, second};
      lines->InsertNextCell(2, ids.data());
    }
    backLines->Initialize();
    backLines->SetPoints(corners);
    backLines->SetLines(lines);
    backActor->SetVisibility(options.showAxes && !axes.backEdges.empty() ? 1 : 0);
  }
};

TrajectoryRenderer::TrajectoryRenderer(TrajectoryData data, TrajectoryViewOptions options, FigureStyle style)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->style = std::move(style);
  if (data.colours.empty()) {
    // The figure style's palette (H2's Okabe-Ito colours unless the style file says otherwise).
    std::size_t conditions = 0;
    for (const int c : data.condition) conditions = std::max(conditions, static_cast<std::size_t>(c) + 1);
    for (std::size_t c = 0; c < conditions; ++c) data.colours.push_back(impl_->style.categoryColour(c));
  }
  impl_->axisTitles = data.axisTitles;
  impl_->points = data.points;
  for (const double scale : data.lineWidthScale) impl_->widestLineScale = std::max(impl_->widestLineScale, scale);
  impl_->scene.setData(std::move(data));
  if (impl_->options.scalars) impl_->scene.setScalarColouring(*impl_->options.scalars);
  // The figure draws its own axes: a box whose labels stay outside the data (paintAxesOverlay).
  impl_->scene.setAxesVisible(false);
  impl_->scene.setMarkersVisible(impl_->options.showMarkers);
  // A still figure shows the cursor only at an asked time; time sweeps turn it on (setTime).
  impl_->scene.setCursorsVisible(impl_->options.timeBin.has_value());
  // At the export scale one logical pixel is one point.
  impl_->scene.setLineWidth(impl_->style.trajectoryLinePt);
  impl_->scene.setTime(impl_->options.timeBin.value_or(impl_->scene.binCount() > 0 ? impl_->scene.binCount() - 1 : 0));
  const Rgb& bg = impl_->style.background;
  impl_->renderer->SetBackground(bg.r, bg.g, bg.b);
  impl_->scene.addTo(impl_->renderer);
  impl_->backMapper->SetInputData(impl_->backLines);
  impl_->backActor->SetMapper(impl_->backMapper);
  const Rgb& ink = impl_->style.foreground;
  const Rgb grey{bg.r + (ink.r - bg.r) * 0.3, bg.g + (ink.g - bg.g) * 0.3, bg.b + (ink.b - bg.b) * 0.3};
  impl_->backActor->GetProperty()->SetColor(grey.r, grey.g, grey.b);
  impl_->backActor->GetProperty()->LightingOff();
  impl_->backActor->GetProperty()->SetLineWidth(static_cast<float>(impl_->style.axisLinePt * 0.6));
  impl_->backActor->SetVisibility(0);
  impl_->renderer->AddActor(impl_->backActor);
  vtkCamera* camera = impl_->renderer->GetActiveCamera();
  if (const std::optional<FigureCamera>& given = impl_->options.camera) {
    camera->SetPosition(given->position.data());
    camera->SetFocalPoint(given->focalPoint.data());
    camera->SetViewUp(given->viewUp.data());
    camera->SetViewAngle(given->viewAngle);
    camera->SetParallelProjection(given->parallel ? 1 : 0);
    camera->SetParallelScale(given->parallelScale);
    camera->OrthogonalizeViewUp();
    impl_->renderer->ResetCameraClippingRange();
    return;
  }
  camera->SetFocalPoint(0, 0, 0);
  camera->SetPosition(0, -1, 0);  // looking along +y, z up: PC 1 across, PC 3 up
  camera->SetViewUp(0, 0, 1);
  camera->Azimuth(impl_->options.azimuthDeg);
  camera->Elevation(impl_->options.elevationDeg);
  camera->OrthogonalizeViewUp();
  impl_->renderer->ResetCamera();
  camera->Zoom(impl_->options.zoom);
}

TrajectoryRenderer::~TrajectoryRenderer() {
  impl_->target.release();  // out of the offscreen window before the scene's props go
  impl_->renderer->RemoveActor(impl_->backActor);
  impl_->scene.removeFrom(impl_->renderer);
}

std::vector<scene::Polyline> TrajectoryRenderer::projectedTrajectories(int widthPx, int heightPx) const {
  const scene::ScreenProjection projection = screenProjection(impl_->renderer->GetActiveCamera(), widthPx, heightPx);
  std::vector<scene::Polyline> lines;
  const FloatArray& points = impl_->points;
  if (points.rank() != 3) return lines;
  for (std::size_t trial = 0; trial < points.dim(0); ++trial) {
    scene::Polyline line;
    line.reserve(points.dim(1));
    for (std::size_t bin = 0; bin < points.dim(1); ++bin)
      line.push_back(projection(points(trial, bin, 0), points(trial, bin, 1), points(trial, bin, 2)));
    lines.push_back(std::move(line));
  }
  return lines;
}

TrajectoryFrame TrajectoryRenderer::renderFrame(int widthPx, int heightPx, double dpi, bool transparentBackground,
                                                const FrameText& text) {
  if (widthPx < 1 || heightPx < 1) throw InputError("3-D view size must be positive");
  if (!(dpi > 0.0)) throw InputError("3-D view DPI must be positive");
  const double scale = dpi / 72.0;
  const FigureStyle& style = impl_->style;
  vtkCamera* camera = impl_->renderer->GetActiveCamera();
  TrajectoryFrame frame;

  scene::AxesRequest request;
  const std::array<double, 6> bounds = impl_->scene.bounds();
  request.bounds = bounds;
  request.titles = impl_->axisTitles;
  request.tickSize = text.tickSize;
  request.titleSize = text.titleSize;
  request.tickLength = style.tickLengthPt * scale;
  request.labelGap = 1.5 * scale;
  request.titleGap = 2.0 * scale;
  request.minimumGap = 1.5 * scale;
  // Half the widest line (condition means are drawn wider) or marker, in image pixels.
  const double markerPx = impl_->options.showMarkers ? (impl_->options.timeBin ? 9.0 : 6.0) : 0.0;
  const double lineHalfWidth = std::max(style.trajectoryLinePt * impl_->widestLineScale, markerPx) * scale / 2.0;
  request.dataMargin = lineHalfWidth + 1.0 * scale;
  const double inset = 2.0 * scale;
  const scene::Box whole{inset, inset, widthPx - inset, heightPx - inset};

  // Zooms and shifts the camera until the box and its labels fill `area`.
  const auto fit = [&](const scene::Box& area) {
    // The edges are chosen by where their labels read best and collide least, not by where they fit the view
    // before the fit: the fit makes room for them.
    request.frame.reset();
    scene::AxesLayout layout;
    for (int iteration = 0; iteration < 12; ++iteration) {
      layout = scene::layoutAxes(screenProjection(camera, widthPx, heightPx), request);
      if (!impl_->options.showAxes) {
        layout.labels.clear();
        layout.ticks.clear();
        layout.extent = scene::Box{};
        for (const scene::Point2& p : layout.outline)
          layout.extent = scene::unite(layout.extent, scene::Box{p.x, p.y, p.x, p.y});
      }
      const scene::Box extent = layout.extent;
      if (extent.width() <= 0.0 || extent.height() <= 0.0) break;
      const double zoom =
          std::clamp(std::min(area.width() / extent.width(), area.height() / extent.height()), 0.25, 4.0);
      const scene::Point2 centre = extent.centre();
      const scene::Point2 target = area.centre();
      const double shiftX = 2.0 * (centre.x - target.x) / widthPx;
      const double shiftY = -2.0 * (centre.y - target.y) / heightPx;
      double windowCentre[2] = {0.0, 0.0};
      camera->GetWindowCenter(windowCentre);
      camera->SetWindowCenter(windowCentre[0] + shiftX, windowCentre[1] + shiftY);
      if (std::abs(zoom - 1.0) < 0.002 && std::abs(centre.x - target.x) < 0.5 && std::abs(centre.y - target.y) < 0.5)
        break;
      camera->Zoom(zoom);
    }
    layout = scene::layoutAxes(screenProjection(camera, widthPx, heightPx), request);
    if (!impl_->options.showAxes) {
      layout.labels.clear();
      layout.ticks.clear();
    }
    return layout;
  };

  frame.axes = fit(whole);
  if (!text.legend.isEmpty()) {
    // A corner (or edge middle) of the view where the legend covers no trajectory, tick or title; else a strip
    // on the right, the view fitted beside it.
    scene::Obstacles obstacles;
    obstacles.lines = projectedTrajectories(widthPx, heightPx);
    obstacles.lineMargin = lineHalfWidth + 1.0 * scale;
    obstacles.frame = whole;
    for (const scene::PlacedLabel& label : frame.axes.labels) obstacles.boxes.push_back(label.box.grown(scale));
    if (frame.axes.outline.size() > 2) {
      scene::Polyline closed = frame.axes.outline;
      closed.push_back(closed.front());
      obstacles.lines.push_back(std::move(closed));
    }
    const std::vector<scene::Box> candidates =
        scene::cornerCandidates(whole, text.legend.width(), text.legend.height(), 0.0);
    if (const auto free = scene::firstFreeBox(candidates, obstacles)) {
      const scene::Box& box = candidates[*free];
      frame.legend = QRectF(box.x0, box.y0, box.width(), box.height());
    } else {
      const double gap = 4.0 * scale;
      scene::Box area = whole;
      area.x1 = std::max(area.x0 + 1.0, whole.x1 - text.legend.width() - gap);
      frame.axes = fit(area);
      frame.legend = QRectF(area.x1 + gap, whole.y0, text.legend.width(), text.legend.height());
    }
  }
  impl_->setBackEdges(frame.axes);
  impl_->renderer->ResetCameraClippingRange();

  const int logicalWidth = std::max(1, static_cast<int>(std::lround(widthPx / scale)));
  const int logicalHeight = std::max(1, static_cast<int>(std::lround(heightPx / scale)));
  OffscreenRenderOptions offscreen;
  offscreen.width = logicalWidth;
  offscreen.height = logicalHeight;
  offscreen.scale = scale;
  offscreen.transparentBackground = transparentBackground;
  offscreen.multiSamples = style.multiSamples3d;
  offscreen.pixelWidth = widthPx;  // exactly the asked size: no resampling afterwards
  offscreen.pixelHeight = heightPx;
  // A per-vertex colouring's colour bar is painted as vector text by the figure (TrajectoryPlot,
  // animations), not by VTK: keep VTK's own bar out of the image.
  if (impl_->options.scalars) impl_->scene.colourBar()->SetVisibility(0);
  frame.image = impl_->target.render(impl_->renderer, offscreen);
  const int dotsPerMeter = static_cast<int>(std::lround(dpi / 0.0254));
  frame.image.setDotsPerMeterX(dotsPerMeter);
  frame.image.setDotsPerMeterY(dotsPerMeter);
  return frame;
}

QImage TrajectoryRenderer::render(int widthPx, int heightPx, double dpi, bool transparentBackground) {
  const PaintContext context{impl_->style, dpi};
  QImage probe(1, 1, QImage::Format_RGB32);
  const int dotsPerMeter = static_cast<int>(std::lround(dpi / 0.0254));
  probe.setDotsPerMeterX(dotsPerMeter);
  probe.setDotsPerMeterY(dotsPerMeter);
  FrameText text;
  text.tickSize = measureWith(tickFont(context), &probe, 1.0);
  text.titleSize = measureWith(titleFont(context), &probe, 1.0);
  TrajectoryFrame frame = renderFrame(widthPx, heightPx, dpi, transparentBackground, text);
  if (impl_->options.showAxes) {
    QPainter painter(&frame.image);
    paintAxesOverlay(painter, QPointF(0.0, 0.0), 1.0, frame.axes, context);
  }
  return frame.image;
}

void TrajectoryRenderer::setTime(std::size_t bin) {
  impl_->scene.setCursorsVisible(true);
  impl_->scene.setTime(bin);
}

void TrajectoryRenderer::orbit(double degrees) {
  impl_->renderer->GetActiveCamera()->Azimuth(degrees);
  impl_->renderer->ResetCameraClippingRange();
}

std::size_t TrajectoryRenderer::binCount() const { return impl_->scene.binCount(); }

std::pair<double, double> TrajectoryRenderer::scalarRange() const { return impl_->scene.scalarRange(); }

std::vector<LegendEntry> TrajectoryRenderer::legend() const {
  if (!impl_->options.legend.empty()) return impl_->options.legend;
  std::vector<LegendEntry> entries;
  for (std::size_t c = 0; c < impl_->scene.conditionCount(); ++c)
    entries.push_back({impl_->scene.conditionName(c), impl_->scene.conditionColour(c)});
  return entries;
}

// ---------------------------------------------------------------------------

TrajectoryPlot::TrajectoryPlot(TrajectoryData data, TrajectoryViewOptions options)
    : data_(std::move(data)), options_(std::move(options)) {
  if (data_.points.rank() != 3 || data_.points.dim(2) != 3 || data_.points.dim(0) == 0)
    throw InputError("trajectory figure: points must be [trials, bins, 3] with at least one trial");
}

std::vector<std::string> TrajectoryPlot::labels() const {
  std::vector<std::string> out = {options_.title};
  if (options_.scalars) out.push_back(options_.scalars->title);
  if (options_.showLegend) {
    out.push_back(options_.legendTitle);
    if (!options_.legend.empty()) {
      for (const auto& e : options_.legend) out.push_back(e.text);
    } else {
      out.insert(out.end(), data_.conditionNames.begin(), data_.conditionNames.end());
    }
  }
  out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
  return out;
}

void TrajectoryPlot::paint(QPainter& painter, const QRectF& area, const PaintContext& context) const {
  const double margin = context.px(context.style.marginPt);
  const QRectF titled =
      detail::drawTitle(painter, area.adjusted(margin, margin, -margin, -margin), options_.title, context);
  TrajectoryRenderer renderer(data_, options_, context.style);
  // A per-vertex colouring: its colour bar at the right, as vector text; the 3-D view beside it.
  QRectF inner = titled;
  if (options_.scalars) {
    const std::pair<double, double> range = renderer.scalarRange();
    const double space = detail::colourBarSpace(painter, context, range, options_.scalars->title);
    const double gap = context.px(6.0);
    inner.setRight(std::max(inner.left() + 1.0, titled.right() - space - gap));
    const double barHeight = titled.height() * 0.6;
    const QRectF bar(inner.right() + gap, titled.top() + (titled.height() - barHeight) / 2.0, context.px(8.0),
                     barHeight);
    detail::paintColourBar(painter, bar, colormapByName(options_.scalars->colormap), range, options_.scalars->title,
                           context);
  }
  // Pixel size on the device (PDF pages may be scaled by the painter's transform).
  const QRectF deviceRect = painter.transform().mapRect(inner);
  const int width = std::max(1, static_cast<int>(std::lround(deviceRect.width())));
  const int height = std::max(1, static_cast<int>(std::lround(deviceRect.height())));
  const double deviceScale = inner.width() > 0.0 ? deviceRect.width() / inner.width() : 1.0;
  FrameText text;
  text.tickSize = measureWith(tickFont(context), painter.device(), deviceScale);
  text.titleSize = measureWith(titleFont(context), painter.device(), deviceScale);
  const std::vector<LegendEntry> legend = options_.showLegend ? renderer.legend() : std::vector<LegendEntry>{};
  if (!legend.empty()) text.legend = legendSize(painter, legend, options_.legendTitle, context) * deviceScale;
  const TrajectoryFrame frame = renderer.renderFrame(width, height, context.dpi * deviceScale, transparent_, text);
  QPointF origin = inner.topLeft();
  if (painter.transform().isScaling() || painter.transform().isRotating()) {
    painter.drawImage(inner, frame.image);  // e.g. a PDF page: the painter maps the image onto the panel
  } else {
    // Pixel for pixel: an unscaled blit, no resampling of the rendered view.
    origin = QPointF(std::round(deviceRect.left()) - painter.transform().dx(),
                     std::round(deviceRect.top()) - painter.transform().dy());
    painter.drawImage(origin, frame.image);
  }
  if (options_.showAxes) paintAxesOverlay(painter, origin, deviceScale, frame.axes, context);
  if (frame.legend)
    drawLegendAt(painter, origin + frame.legend->topLeft() / deviceScale, legend, options_.legendTitle, context);
}

// ---------------------------------------------------------------------------

std::string findFfmpeg() { return QStandardPaths::findExecutable(QStringLiteral("ffmpeg")).toStdString(); }

AnimationResult exportTrajectoryAnimation(const TrajectoryData& data, const TrajectoryViewOptions& view,
                                          const AnimationOptions& options, const FigureStyle& style,
                                          const Progress& progress) {
  if (options.directory.empty()) throw InputError("animation: no folder given for the frames");
  if (options.width < 2 || options.height < 2 || options.width > 8192 || options.height > 8192)
    throw InputError("animation: frame size must be between 2x2 and 8192x8192 pixels");
  if (!(options.framesPerSecond > 0.0)) throw InputError("animation: frames per second must be positive");
  const QDir directory(QString::fromStdString(options.directory));
  if (!directory.mkpath(QStringLiteral(".")))
    throw InputError(options.directory + ": cannot create the folder for the animation frames");

  TrajectoryViewOptions frameView = view;
  TrajectoryRenderer renderer(data, frameView, style);
  const std::size_t bins = renderer.binCount();
  const bool sweep = options.kind == AnimationOptions::Kind::TimeSweep;
  const int frames =
      options.frames > 0 ? options.frames : (sweep ? static_cast<int>(std::max<std::size_t>(bins, 1)) : 72);
  const PaintContext context{style, options.dpi};
  QImage probe(1, 1, QImage::Format_RGB32);
  probe.setDotsPerMeterX(static_cast<int>(std::lround(options.dpi / 0.0254)));
  probe.setDotsPerMeterY(static_cast<int>(std::lround(options.dpi / 0.0254)));
  FrameText text;
  text.tickSize = measureWith(tickFont(context), &probe, 1.0);
  text.titleSize = measureWith(titleFont(context), &probe, 1.0);
  const std::vector<LegendEntry> legend = view.showLegend ? renderer.legend() : std::vector<LegendEntry>{};
  if (!legend.empty()) {
    QPainter measuring(&probe);
    text.legend = legendSize(measuring, legend, view.legendTitle, context);
  }
  AnimationResult result;
  for (int frame = 0; frame < frames; ++frame) {
    progress.report(static_cast<double>(frame) / frames, "rendering animation frames");
    std::size_t bin = bins > 0 ? bins - 1 : 0;
    if (sweep) {
      bin = frames > 1 ? static_cast<std::size_t>(std::lround(static_cast<double>(frame) * (bins - 1) / (frames - 1)))
                       : 0;
      renderer.setTime(bin);
    } else if (frame > 0) {
      renderer.orbit(360.0 / frames);
    }
    TrajectoryFrame rendered = renderer.renderFrame(options.width, options.height, options.dpi, false, text);
    QImage& image = rendered.image;
    {
      QPainter painter(&image);
      painter.setRenderHint(QPainter::Antialiasing, true);
      const QRectF page(0, 0, image.width(), image.height());
      if (view.showAxes) paintAxesOverlay(painter, QPointF(0.0, 0.0), 1.0, rendered.axes, context);
      if (rendered.legend) drawLegendAt(painter, rendered.legend->topLeft(), legend, view.legendTitle, context);
      if (view.scalars) {
        // Over the view's right edge (frames keep the 3-D view at the full frame size).
        const std::pair<double, double> range = renderer.scalarRange();
        const double space = detail::colourBarSpace(painter, context, range, view.scalars->title);
        const double barHeight = page.height() * 0.5;
        const QRectF bar(page.right() - space - context.px(style.marginPt), page.top() + page.height() * 0.25,
                         context.px(8.0), barHeight);
        detail::paintColourBar(painter, bar, colormapByName(view.scalars->colormap), range, view.scalars->title,
                               context);
      }
      if (sweep && options.binMs > 0.0) {
        painter.setFont(detail::roleFont(context, detail::TextRole::Label));
        painter.setPen(detail::toQColor(style.foreground));
        const double t = options.windowStartMs + static_cast<double>(bin) * options.binMs;
        const double pad = context.px(style.marginPt);
        painter.drawText(page.adjusted(pad, pad, -pad, -pad), Qt::AlignLeft | Qt::AlignTop,
                         QStringLiteral("t = %1 ms").arg(t, 0, 'f', 0));
      }
    }
    const QString path = directory.filePath(QStringLiteral("frame_%1.png").arg(frame, 4, 10, QChar('0')));
    savePng(image, path);
    result.frames.push_back(path.toStdString());
  }
  progress.report(1.0, "rendering animation frames");

  if (!options.mp4.empty()) {
    const std::string ffmpeg = findFfmpeg();
    if (ffmpeg.empty()) {
      result.note = "ffmpeg is not installed (not on PATH): wrote the PNG frames only";
      return result;
    }
    // Encode to a temporary beside the target, then rename: no half-written MP4.
    const QString target = QString::fromStdString(options.mp4);
    const QString partial = target + QStringLiteral(".partial.mp4");
    QProcess process;
    process.setProgram(QString::fromStdString(ffmpeg));
    process.setArguments({QStringLiteral("-y"), QStringLiteral("-loglevel"), QStringLiteral("error"),
                          QStringLiteral("-framerate"), QString::number(options.framesPerSecond), QStringLiteral("-i"),
                          directory.filePath(QStringLiteral("frame_%04d.png")), QStringLiteral("-vf"),
                          QStringLiteral("pad=ceil(iw/2)*2:ceil(ih/2)*2"), QStringLiteral("-c:v"),
                          QStringLiteral("libx264"), QStringLiteral("-pix_fmt"), QStringLiteral("yuv420p"), partial});
    process.start();
    const bool finished = process.waitForFinished(10 * 60 * 1000);
    if (!finished || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
      QFile::remove(partial);
      result.note = "ffmpeg could not encode the MP4: " +
                    QString::fromLocal8Bit(process.readAllStandardError()).trimmed().toStdString();
      return result;
    }
    QFile::remove(target);
    if (!QFile::rename(partial, target)) {
      QFile::remove(partial);
      result.note = "could not move the encoded MP4 to " + options.mp4;
      return result;
    }
    result.mp4 = options.mp4;
  }
  return result;
}

}  // namespace neurolens::views::figure
