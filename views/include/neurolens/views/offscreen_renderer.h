#pragma once
// Renders a renderer's scene (its props, lights and camera) into an image of any
// size without touching the screen: the basis of figure export. Uses VTK's own
// offscreen render window (an X display is needed: Xvfb is fine).
#include <QImage>
#include <QString>
#include <memory>

class vtkRenderer;

namespace neurolens::views {

struct OffscreenRenderOptions {
  int width = 800;  // logical size; the image is width*scale x height*scale pixels
  int height = 600;
  double scale = 1.0;                  // device-pixel scale for print/HiDPI: widens lines and text with it
  bool transparentBackground = false;  // alpha 0 wherever nothing is drawn
  // OpenGL multisampling (anti-aliasing) samples per pixel; kAutomaticMultiSamples
  // picks 8 below scale 2 and none from scale 2 up, where lines are already
  // several pixels wide and 8x MSAA costs about 3x the render time in software
  // OpenGL (Mesa llvmpipe) for little visible gain.
  int multiSamples = kAutomaticMultiSamples;
  // Exact image size in pixels when > 0 (instead of width*scale rounded), so a
  // figure panel gets precisely its size without resampling.
  int pixelWidth = 0;
  int pixelHeight = 0;
  static constexpr int kAutomaticMultiSamples = -1;
};

// The samples per pixel that `options` resolves to (0 = no multisampling).
[[nodiscard]] int effectiveMultiSamples(const OffscreenRenderOptions& options);

// The renderer is moved into a private offscreen window for the duration of the
// call and put back where it was (its OpenGL resources are rebuilt on the next
// on-screen render). The image is Format_RGB32 when opaque and Format_RGBA8888
// (straight alpha) with a transparent background. Throws InputError for a non-positive size and ComputeError
// when OpenGL is unavailable (no X display).
[[nodiscard]] QImage renderOffscreen(vtkRenderer* renderer, const OffscreenRenderOptions& options);

// Keeps one offscreen window (its OpenGL context, compiled shaders and uploaded
// geometry) across renders of a renderer that has no window of its own, such as a
// figure's or an animation's: each frame then costs a render, not a new context.
// The renderer stays in the target's window until the target is destroyed (or
// another renderer is rendered), so the target must not outlive it. A renderer that
// belongs to another window is borrowed per call, as renderOffscreen does.
class OffscreenRenderTarget {
 public:
  OffscreenRenderTarget();
  ~OffscreenRenderTarget();
  OffscreenRenderTarget(const OffscreenRenderTarget&) = delete;
  OffscreenRenderTarget& operator=(const OffscreenRenderTarget&) = delete;
  [[nodiscard]] QImage render(vtkRenderer* renderer, const OffscreenRenderOptions& options);
  // Takes the renderer out of the window now (releasing its OpenGL resources).
  void release();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes `image` as PNG. Throws InputError naming the file when it cannot be written.
void savePng(const QImage& image, const QString& path);

// Whether offscreen OpenGL can be created in this process (an X display is set).
[[nodiscard]] bool offscreenRenderingAvailable();

}  // namespace neurolens::views
