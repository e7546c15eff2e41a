#include "neurolens/views/figure/trajectory_figure.h"

#include <vtkCamera.h>
#include <vtkCubeAxesActor.h>
#include <vtkNew.h>
#include <vtkProp.h>
#include <vtkRenderer.h>
#include <vtkTextProperty.h>

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

#include "neurolens/core/errors.h"
#include "neurolens/views/figure/colormap.h"
#include "neurolens/views/offscreen_renderer.h"
#include "plot_support.h"

namespace neurolens::views::figure {

namespace {

// Decimals for an axis' tick labels that fit its extent, so a nearly flat axis does
// not repeat "0.0" along its length.
int tickDecimals(double extent) {
  return std::clamp(static_cast<int>(std::ceil(-std::log10(std::max(extent, 1e-12) / 5.0))), 0, 4);
}

std::string formatTick(double value, int decimals) {
  std::array<char, 64> text{};
  std::snprintf(text.data(), text.size(), "%.*f", decimals, value);
  return text.data();
}

// Print-oriented settings for the scene's cube axes (the scene owns the actor; it is
// reached through props()): text at about the style's tick size, no minor ticks,
// label decimals that fit each axis' extent, and no VTK titles (paintAxisTitles
// draws them: see there).
void tuneAxesForPrint(TrajectoryScene& scene, const FigureStyle& style) {
  const std::array<double, 6> bounds = scene.bounds();
  for (vtkProp* prop : scene.props()) {
    auto* axes = vtkCubeAxesActor::SafeDownCast(prop);
    if (axes == nullptr) continue;
    // 2-D mode draws labels as screen text sized in points, which the export DPI
    // scales like every other text of the figure (3-D follower text keeps a fixed
    // pixel size whatever the DPI).
    axes->SetUse2DMode(1);
    axes->SetFlyModeToFurthestTriad();  // the lines paintAxisTitles computes
    for (int axis = 0; axis < 3; ++axis) {
      axes->GetLabelTextProperty(axis)->SetFontSize(static_cast<int>(std::lround(style.tickPt)));
      axes->GetLabelTextProperty(axis)->SetFontFamilyToArial();
    }
    // No VTK titles at all (empty text is not rendered); paintAxisTitles draws them.
    axes->SetXTitle("");
    axes->SetYTitle("");
    axes->SetZTitle("");
    axes->SetXAxisMinorTickVisibility(false);
    axes->SetYAxisMinorTickVisibility(false);
    axes->SetZAxisMinorTickVisibility(false);
    const auto format = [&](int axis) {
      return "%." + std::to_string(tickDecimals(bounds[2 * axis + 1] - bounds[2 * axis])) + "f";
    };
    axes->SetXLabelFormat(format(0).c_str());
    axes->SetYLabelFormat(format(1).c_str());
    axes->SetZLabelFormat(format(2).c_str());
  }
}

// VTK 9.1's cube axes, in 2-D mode, put the Z title on its axis line and the X/Y
// titles at fixed pixel offsets that do not grow with the export DPI, so at print
// sizes the titles land on the tick labels. Figures hide VTK's titles and paint them
// beside the axis lines instead. The lines are the "furthest triad" (set for figures by
// tuneAxesForPrint): the three box edges that meet at the corner furthest from the camera.
std::array<std::array<double, 3>, 2> furthestTriadEdge(const std::array<double, 6>& bounds, const double* eye,
                                                       std::size_t dimension) {
  std::array<double, 3> corner{};
  double furthest = -1.0;
  for (int c = 0; c < 8; ++c) {
    const std::array<double, 3> point{bounds[(c & 1) != 0 ? 1 : 0], bounds[(c & 2) != 0 ? 3 : 2],
                                      bounds[(c & 4) != 0 ? 5 : 4]};
    const double distance =
        std::pow(point[0] - eye[0], 2) + std::pow(point[1] - eye[1], 2) + std::pow(point[2] - eye[2], 2);
    if (distance > furthest) {
      furthest = distance;
      corner = point;
    }
  }
  std::array<double, 3> from = corner;
  std::array<double, 3> to = corner;
  from[dimension] = bounds[2 * dimension];
  to[dimension] = bounds[2 * dimension + 1];
  return {from, to};
}

// Paints the three axis titles onto the rendered view: centred on each axis line, pushed away from the data's centre
// past the widest tick label, and turned along the line (kept upright).
void paintAxisTitles(QImage& image, vtkRenderer* renderer, TrajectoryScene& scene,
                     const std::array<std::string, 3>& titles, const FigureStyle& style, double scale, double tickPt) {
  vtkCubeAxesActor* axes = nullptr;
  for (vtkProp* prop : scene.props())
    if (auto* found = vtkCubeAxesActor::SafeDownCast(prop); found != nullptr && found->GetVisibility() != 0)
      axes = found;
  if (axes == nullptr) return;
  const double height = image.height();
  const auto toImage = [&](const double* world) {
    renderer->SetWorldPoint(world[0], world[1], world[2], 1.0);
    renderer->WorldToDisplay();
    const double* display = renderer->GetDisplayPoint();
    return QPointF(display[0], height - display[1]);  // VTK counts rows from the bottom
  };
  const std::array<double, 6> bounds = scene.bounds();
  const std::array<double, 3> middle{(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2,
                                     (bounds[4] + bounds[5]) / 2};
  const QPointF centre = toImage(middle.data());

  QFont tickFont(QString::fromStdString(style.fontFamily));
  tickFont.setPixelSize(std::max(1, static_cast<int>(std::lround(tickPt * scale))));
  QFont titleFont(QString::fromStdString(style.fontFamily));
  titleFont.setPixelSize(std::max(1, static_cast<int>(std::lround(style.labelPt * scale))));
  titleFont.setBold(true);
  const QFontMetricsF tickMetrics(tickFont);
  const QFontMetricsF titleMetrics(titleFont);

  QPainter painter(&image);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setRenderHint(QPainter::TextAntialiasing);
  painter.setFont(titleFont);
  painter.setPen(detail::toQColor(style.foreground));
  for (std::size_t index = 0; index < 3; ++index) {
    if (titles[index].empty()) continue;
    const auto edge = furthestTriadEdge(bounds, renderer->GetActiveCamera()->GetPosition(), index);
    const QPointF from = toImage(edge[0].data());
    const QPointF to = toImage(edge[1].data());
    const QPointF along = to - from;
    const double length = std::hypot(along.x(), along.y());
    if (length < 1.0) continue;  // the axis points at the viewer
    const QPointF direction = along / length;
    const QPointF mid = (from + to) / 2.0;
    QPointF outward(-direction.y(), direction.x());
    if (QPointF::dotProduct(mid - centre, outward) < 0.0) outward = -outward;
    // The tick labels' footprint across the line: the widest label's box projected on `outward`.
    const int decimals = tickDecimals(bounds[2 * index + 1] - bounds[2 * index]);
    const double labelWidth =
        std::max(tickMetrics.horizontalAdvance(QString::fromStdString(formatTick(bounds[2 * index], decimals))),
                 tickMetrics.horizontalAdvance(QString::fromStdString(formatTick(bounds[2 * index + 1], decimals))));
    const double labelFootprint = std::abs(outward.x()) * labelWidth + std::abs(outward.y()) * tickMetrics.height();
    const double distance = labelFootprint + 1.5 * tickMetrics.height() + 0.5 * titleMetrics.height();
    const QPointF anchor = mid + outward * distance;
    double angle = qRadiansToDegrees(std::atan2(direction.y(), direction.x()));
    if (angle > 90.0) angle -= 180.0;
    if (angle <= -90.0) angle += 180.0;
    if (angle > 80.0) angle -= 180.0;  // a near-vertical title reads upwards
    painter.save();
    painter.translate(anchor);
    painter.rotate(angle);
    const QString text = QString::fromStdString(titles[index]);
    const QRectF box(-titleMetrics.horizontalAdvance(text) / 2.0 - 2.0, -titleMetrics.height() / 2.0,
                     titleMetrics.horizontalAdvance(text) + 4.0, titleMetrics.height());
    painter.drawText(box, Qt::AlignCenter, text);
    painter.restore();
  }
}

}  // namespace

struct TrajectoryRenderer::Impl {
  TrajectoryScene scene;
  vtkNew<vtkRenderer> renderer;
  TrajectoryViewOptions options;
  FigureStyle style;
  // Declared after the renderer so it lets go of it first; animations reuse its
  // OpenGL context for every frame.
  OffscreenRenderTarget target;
  std::array<std::string, 3> axisTitles;  // painted by paintAxisTitles, not by VTK
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
  impl_->scene.setData(std::move(data));
  if (impl_->options.scalars) impl_->scene.setScalarColouring(*impl_->options.scalars);
  impl_->scene.setAxesVisible(impl_->options.showAxes);
  impl_->scene.setMarkersVisible(impl_->options.showMarkers);
  // A still figure shows the cursor only at an asked time; time sweeps turn it on (setTime).
  impl_->scene.setCursorsVisible(impl_->options.timeBin.has_value());
  // At the export scale one logical pixel is one point.
  impl_->scene.setLineWidth(impl_->style.trajectoryLinePt);
  impl_->scene.setTime(impl_->options.timeBin.value_or(impl_->scene.binCount() > 0 ? impl_->scene.binCount() - 1 : 0));
  const Rgb& bg = impl_->style.background;
  impl_->renderer->SetBackground(bg.r, bg.g, bg.b);
  impl_->scene.addTo(impl_->renderer);
  tuneAxesForPrint(impl_->scene, impl_->style);
  vtkCamera* camera = impl_->renderer->GetActiveCamera();
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
  impl_->scene.removeFrom(impl_->renderer);
}

QImage TrajectoryRenderer::render(int widthPx, int heightPx, double dpi, bool transparentBackground) {
  if (widthPx < 1 || heightPx < 1) throw InputError("3-D view size must be positive");
  if (!(dpi > 0.0)) throw InputError("3-D view DPI must be positive");
  const double scale = dpi / 72.0;
  // VTK puts about ten ticks on each axis whatever the view's size: in a view
  // narrower than 4 inches (a sheet panel) the tick labels shrink with the width
  // (down to 4 pt) so they crowd less; titles keep the style's size.
  const double shrink = std::clamp(widthPx / dpi / 4.0, 4.0 / std::max(4.0, impl_->style.tickPt), 1.0);
  for (vtkProp* prop : impl_->scene.props())
    if (auto* axes = vtkCubeAxesActor::SafeDownCast(prop))
      for (int axis = 0; axis < 3; ++axis)
        axes->GetLabelTextProperty(axis)->SetFontSize(
            std::max(4, static_cast<int>(std::lround(impl_->style.tickPt * shrink))));
  const int logicalWidth = std::max(1, static_cast<int>(std::lround(widthPx / scale)));
  const int logicalHeight = std::max(1, static_cast<int>(std::lround(heightPx / scale)));
  OffscreenRenderOptions offscreen;
  offscreen.width = logicalWidth;
  offscreen.height = logicalHeight;
  offscreen.scale = scale;
  offscreen.transparentBackground = transparentBackground;
  offscreen.multiSamples = impl_->style.multiSamples3d;
  offscreen.pixelWidth = widthPx;  // exactly the asked size: no resampling afterwards
  offscreen.pixelHeight = heightPx;
  // A per-vertex colouring's colour bar is painted as vector text by the figure (TrajectoryPlot,
  // animations), not by VTK: keep VTK's own bar out of the image.
  if (impl_->options.scalars) impl_->scene.colourBar()->SetVisibility(0);
  QImage image = impl_->target.render(impl_->renderer, offscreen);
  if (impl_->options.showAxes)
    paintAxisTitles(image, impl_->renderer, impl_->scene, impl_->axisTitles, impl_->style, scale,
                    std::max(4.0, impl_->style.tickPt * shrink));
  const int dotsPerMeter = static_cast<int>(std::lround(dpi / 0.0254));
  image.setDotsPerMeterX(dotsPerMeter);
  image.setDotsPerMeterY(dotsPerMeter);
  return image;
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
  const QImage image = renderer.render(width, height, context.dpi * deviceScale, transparent_);
  if (painter.transform().isScaling() || painter.transform().isRotating()) {
    painter.drawImage(inner, image);  // e.g. a PDF page: the painter maps the image onto the panel
  } else {
    // Pixel for pixel: an unscaled blit, no resampling of the rendered view.
    painter.drawImage(QPointF(std::round(deviceRect.left()) - painter.transform().dx(),
                              std::round(deviceRect.top()) - painter.transform().dy()),
                      image);
  }
  if (options_.showLegend) drawLegend(painter, inner.topRight(), renderer.legend(), options_.legendTitle, context);
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
    QImage image = renderer.render(options.width, options.height, options.dpi, false);
    {
      QPainter painter(&image);
      painter.setRenderHint(QPainter::Antialiasing, true);
      const QRectF page(0, 0, image.width(), image.height());
      if (view.showLegend) drawLegend(painter, page.topRight(), renderer.legend(), view.legendTitle, context);
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
