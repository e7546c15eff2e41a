#pragma once
// Renders a renderer's scene (its props, lights and camera) into an image of any
// size without touching the screen: the basis of figure export. Uses VTK's own
// offscreen render window (an X display is needed: Xvfb is fine).
#include <QImage>
#include <QString>

class vtkRenderer;

namespace neurolens::views {

struct OffscreenRenderOptions {
  int width = 800;  // logical size; the image is width*scale x height*scale pixels
  int height = 600;
  double scale = 1.0;                  // device-pixel scale for print/HiDPI: widens lines and text with it
  bool transparentBackground = false;  // alpha 0 wherever nothing is drawn
};

// The renderer is moved into a private offscreen window for the duration of the
// call and put back where it was (its OpenGL resources are rebuilt on the next
// on-screen render). Throws InputError for a non-positive size and ComputeError
// when OpenGL is unavailable (no X display).
[[nodiscard]] QImage renderOffscreen(vtkRenderer* renderer, const OffscreenRenderOptions& options);

// Writes `image` as PNG. Throws InputError naming the file when it cannot be written.
void savePng(const QImage& image, const QString& path);

// Whether offscreen OpenGL can be created in this process (an X display is set).
[[nodiscard]] bool offscreenRenderingAvailable();

}  // namespace neurolens::views
