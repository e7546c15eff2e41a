#pragma once
// 3-D trajectory figures: H2's TrajectoryScene rendered offscreen (never a screen
// grab) at the export size and DPI, with the condition legend drawn as vector text
// on top; and animations of the time cursor or a camera orbit as PNG frames (and
// an MP4 when ffmpeg is on PATH). An X display is needed (Xvfb is fine).
#include <QImage>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/core/progress.h"
#include "neurolens/scene/label_layout.h"
#include "neurolens/views/figure/figure_style.h"
#include "neurolens/views/figure/plots.h"
#include "neurolens/views/trajectory_scene.h"

namespace neurolens::views::figure {

// A camera given from outside (an interactive view's, so that its export looks the way the user turned it):
// where it is, what it looks at, which way is up and its lens. The figure still fits the box and its labels
// into the image (zoom and shift), keeping this direction.
struct FigureCamera {
  std::array<double, 3> position = {0.0, -1.0, 0.0};
  std::array<double, 3> focalPoint = {0.0, 0.0, 0.0};
  std::array<double, 3> viewUp = {0.0, 0.0, 1.0};
  double viewAngle = 30.0;  // degrees (perspective)
  bool parallel = false;
  double parallelScale = 1.0;  // half the view's height in world units (parallel projection)
};

struct TrajectoryViewOptions {
  std::string title;
  std::string legendTitle = "condition";
  std::vector<LegendEntry> legend;  // empty: one entry per condition of the data (names and colours)
  bool showLegend = true;
  bool showAxes = true;
  bool showMarkers = true;
  std::optional<std::size_t> timeBin;  // time cursor position; none: at the last bin
  double azimuthDeg = 35.0;            // camera turned about the view-up from the default front view
  double elevationDeg = 25.0;
  double zoom = 1.15;  // the camera's start; renderFrame then fits the box and its labels into the view
  // Given: the camera starts here instead (azimuth, elevation and zoom are not used).
  std::optional<FigureCamera> camera;
  // Colour per vertex (time, behaviour) through a colour map, with a colour bar painted as
  // vector text beside the 3-D view (TrajectoryPlot, animations); none: by group.
  std::optional<ScalarColouring> scalars;
};

// What the figure's texts measure (image pixels) and the legend's size (empty: no legend).
struct FrameText {
  scene::MeasureText tickSize;
  scene::MeasureText titleSize;
  QSizeF legend;
};

// A rendered 3-D view and where its axes and legend go, in the image's pixels.
struct TrajectoryFrame {
  QImage image;
  scene::AxesLayout axes;        // outline, tick marks, tick labels and axis titles (paintAxesOverlay)
  std::optional<QRectF> legend;  // where the legend goes: covering no trajectory, tick or title
};

// Paints a frame's axes (box outline, tick marks, tick labels, axis titles) as vector graphics and text;
// `origin` is where the image's top-left corner is on the painter, `deviceScale` image pixels per painter unit.
void paintAxesOverlay(QPainter& painter, const QPointF& origin, double deviceScale, const scene::AxesLayout& axes,
                      const PaintContext& context);

// Owns a scene and an offscreen renderer; renders frames of exact pixel size.
class TrajectoryRenderer {
 public:
  TrajectoryRenderer(TrajectoryData data, TrajectoryViewOptions options, FigureStyle style);
  ~TrajectoryRenderer();
  TrajectoryRenderer(const TrajectoryRenderer&) = delete;
  TrajectoryRenderer& operator=(const TrajectoryRenderer&) = delete;

  // The 3-D view alone, widthPx x heightPx, lines and axis text scaled by dpi/72.
  // Throws ComputeError without an OpenGL display, InputError for bad sizes.
  // The axes (a box whose labels sit on its outer edges, outside the data) painted on the image.
  [[nodiscard]] QImage render(int widthPx, int heightPx, double dpi, bool transparentBackground);
  // The 3-D view without the axes' texts, the camera fitted so that the box, its labels (and the legend,
  // in a free corner or a strip on the right) fill the image; the axes layout and legend box to paint on it.
  [[nodiscard]] TrajectoryFrame renderFrame(int widthPx, int heightPx, double dpi, bool transparentBackground,
                                            const FrameText& text);
  // The drawn trajectories projected with the current camera into a widthPx x heightPx image (tests, legends).
  [[nodiscard]] std::vector<scene::Polyline> projectedTrajectories(int widthPx, int heightPx) const;
  void setTime(std::size_t bin);
  // Turns the camera by `degrees` about the view-up axis (orbit animation).
  void orbit(double degrees);
  [[nodiscard]] std::size_t binCount() const;
  [[nodiscard]] std::vector<LegendEntry> legend() const;
  // The colour range of the per-vertex colouring (options.scalars), as the scene uses it.
  [[nodiscard]] std::pair<double, double> scalarRange() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A figure panel showing the 3-D trajectories; rendered at the panel's pixel size
// when painted (a raster image inside SVG/PDF, as the spec asks).
class TrajectoryPlot : public Plot {
 public:
  TrajectoryPlot(TrajectoryData data, TrajectoryViewOptions options);
  void paint(QPainter& painter, const QRectF& area, const PaintContext& context) const override;
  [[nodiscard]] std::vector<std::string> labels() const override;
  [[nodiscard]] const TrajectoryData& data() const { return data_; }
  // When set, the 3-D view is drawn without a background so a transparent PNG stays transparent.
  void setTransparentBackground(bool on) { transparent_ = on; }

 private:
  TrajectoryData data_;
  TrajectoryViewOptions options_;
  bool transparent_ = false;
};

struct AnimationOptions {
  enum class Kind { TimeSweep, Orbit };
  Kind kind = Kind::TimeSweep;
  int frames = 0;  // 0: one per bin (sweep) or 72 (orbit, 5 degrees a frame)
  int width = 1280;
  int height = 960;
  double dpi = 150.0;
  double framesPerSecond = 24.0;
  std::string directory;  // frames go to DIR/frame_0000.png ...
  std::string mp4;        // optional: also encode this MP4 when ffmpeg is found
  double binMs = 0.0;     // > 0: frames are labelled with the time in ms
  double windowStartMs = 0.0;
};

struct AnimationResult {
  std::vector<std::string> frames;
  std::string mp4;   // empty when not written
  std::string note;  // why no MP4 was written, if one was asked for
};

// Path of ffmpeg on PATH, or empty.
[[nodiscard]] std::string findFfmpeg();

// Writes the frames (and the MP4 where possible). Throws InputError when the
// directory cannot be written; an ffmpeg failure is reported in `note`, not thrown.
AnimationResult exportTrajectoryAnimation(const TrajectoryData& data, const TrajectoryViewOptions& view,
                                          const AnimationOptions& options, const FigureStyle& style,
                                          const Progress& progress = {});

}  // namespace neurolens::views::figure
