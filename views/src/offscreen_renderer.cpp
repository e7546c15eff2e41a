#include "neurolens/views/offscreen_renderer.h"

#include <vtkActor.h>
#include <vtkNew.h>
#include <vtkPropCollection.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkUnsignedCharArray.h>

#include <QFileInfo>
#include <QImageWriter>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "neurolens/core/errors.h"

namespace neurolens::views {

namespace {

// Widens lines and points by the export scale for the duration of one render, so
// a 3x figure looks like the screen, not like hairlines.
class ScaledLineWidths {
 public:
  ScaledLineWidths(vtkRenderer* renderer, double scale) {
    if (scale == 1.0) return;
    vtkPropCollection* props = renderer->GetViewProps();
    props->InitTraversal();
    while (vtkProp* prop = props->GetNextProp()) {
      auto* actor = vtkActor::SafeDownCast(prop);
      if (actor == nullptr) continue;
      vtkProperty* property = actor->GetProperty();
      saved_.push_back({property, property->GetLineWidth(), property->GetPointSize()});
      property->SetLineWidth(static_cast<float>(property->GetLineWidth() * scale));
      property->SetPointSize(static_cast<float>(property->GetPointSize() * scale));
    }
  }
  ~ScaledLineWidths() {
    for (const Saved& entry : saved_) {
      entry.property->SetLineWidth(entry.lineWidth);
      entry.property->SetPointSize(entry.pointSize);
    }
  }
  ScaledLineWidths(const ScaledLineWidths&) = delete;
  ScaledLineWidths& operator=(const ScaledLineWidths&) = delete;

 private:
  struct Saved {
    vtkProperty* property;
    float lineWidth;
    float pointSize;
  };
  std::vector<Saved> saved_;
};

// Moves the renderer into the offscreen window and back, releasing its OpenGL
// resources in whichever context it leaves (each window has its own context).
class BorrowedRenderer {
 public:
  BorrowedRenderer(vtkRenderer* renderer, vtkRenderWindow* offscreen)
      : renderer_(renderer), offscreen_(offscreen), home_(renderer->GetRenderWindow()) {
    if (home_ != nullptr) {
      home_->MakeCurrent();
      home_->RemoveRenderer(renderer_);
    }
    offscreen_->AddRenderer(renderer_);
  }
  ~BorrowedRenderer() {
    offscreen_->MakeCurrent();
    offscreen_->RemoveRenderer(renderer_);
    if (home_ != nullptr) home_->AddRenderer(renderer_);
  }
  BorrowedRenderer(const BorrowedRenderer&) = delete;
  BorrowedRenderer& operator=(const BorrowedRenderer&) = delete;

 private:
  vtkRenderer* renderer_;
  vtkRenderWindow* offscreen_;
  vtkRenderWindow* home_;
};

// Background settings changed for a transparent export and restored afterwards.
class TransparentBackground {
 public:
  TransparentBackground(vtkRenderer* renderer, bool enable) : renderer_(renderer), enabled_(enable) {
    if (!enabled_) return;
    alpha_ = renderer_->GetBackgroundAlpha();
    gradient_ = renderer_->GetGradientBackground();
    renderer_->SetBackgroundAlpha(0.0);
    renderer_->GradientBackgroundOff();
  }
  ~TransparentBackground() {
    if (!enabled_) return;
    renderer_->SetBackgroundAlpha(alpha_);
    renderer_->SetGradientBackground(gradient_);
  }
  TransparentBackground(const TransparentBackground&) = delete;
  TransparentBackground& operator=(const TransparentBackground&) = delete;

 private:
  vtkRenderer* renderer_;
  bool enabled_;
  double alpha_ = 0.0;
  bool gradient_ = false;
};

}  // namespace

bool offscreenRenderingAvailable() {
  // VTK's X11 render window aborts the process when it cannot open a display.
  const char* display = std::getenv("DISPLAY");
  return display != nullptr && display[0] != '\0';
}

int effectiveMultiSamples(const OffscreenRenderOptions& options) {
  if (options.multiSamples >= 0) return std::min(options.multiSamples, 16);
  return options.scale >= 2.0 ? 0 : 8;
}

namespace {

// The image size in pixels; throws for sizes OpenGL cannot render or without a display.
QSize checkedPixelSize(vtkRenderer* renderer, const OffscreenRenderOptions& options) {
  if (renderer == nullptr) throw InputError("figure export: there is no view to render");
  if (options.width <= 0 || options.height <= 0 || !(options.scale > 0.0)) {
    throw InputError("figure export: the image size must be positive (asked for " + std::to_string(options.width) +
                     " x " + std::to_string(options.height) + " at scale " + std::to_string(options.scale) + ")");
  }
  const long pixelWidth = options.pixelWidth > 0 ? options.pixelWidth : std::lround(options.width * options.scale);
  const long pixelHeight = options.pixelHeight > 0 ? options.pixelHeight : std::lround(options.height * options.scale);
  constexpr long kMaxSide = 16384;  // the largest framebuffer Mesa and most GPUs allow
  if (pixelWidth > kMaxSide || pixelHeight > kMaxSide) {
    throw InputError("figure export: " + std::to_string(pixelWidth) + " x " + std::to_string(pixelHeight) +
                     " pixels is larger than the " + std::to_string(kMaxSide) + " pixels per side OpenGL allows");
  }
  if (!offscreenRenderingAvailable()) {
    throw ComputeError(
        "figure export needs OpenGL, and no X display is set (DISPLAY is empty); run under a desktop session "
        "or a virtual one (xvfb-run)");
  }
  return {static_cast<int>(pixelWidth), static_cast<int>(pixelHeight)};
}

vtkSmartPointer<vtkRenderWindow> newOffscreenWindow(int multiSamples) {
  auto window = vtkSmartPointer<vtkRenderWindow>::New();
  window->SetOffScreenRendering(1);
  window->SetAlphaBitPlanes(1);
  window->SetMultiSamples(multiSamples);
  return window;
}

// Renders `renderer` (already in `window`) and reads the back buffer straight into
// the image's layout: one pass that flips the rows (VTK's start at the bottom,
// QImage's at the top) and, for an opaque image, swaps to Qt's native 0xAARRGGBB
// order, which QPainter draws and the PNG writer encodes without another conversion.
QImage renderAndRead(vtkRenderer* renderer, vtkRenderWindow* window, const OffscreenRenderOptions& options,
                     QSize size) {
  window->SetSize(size.width(), size.height());
  window->SetDPI(static_cast<int>(std::lround(72.0 * options.scale)));
  TransparentBackground background(renderer, options.transparentBackground);
  ScaledLineWidths widths(renderer, options.scale);
  renderer->ResetCameraClippingRange();
  window->Render();

  vtkNew<vtkUnsignedCharArray> pixels;
  const int width = size.width();
  const int height = size.height();
  window->GetRGBACharPixelData(0, 0, width - 1, height - 1, 0, pixels);
  if (pixels->GetNumberOfTuples() != static_cast<vtkIdType>(width) * height || pixels->GetNumberOfComponents() != 4) {
    throw ComputeError("figure export: OpenGL returned " + std::to_string(pixels->GetNumberOfTuples()) +
                       " pixels instead of " + std::to_string(width) + " x " + std::to_string(height));
  }
  const unsigned char* source = pixels->GetPointer(0);
  const std::size_t rowBytes = static_cast<std::size_t>(width) * 4;
  QImage image;
  if (options.transparentBackground) {
    image = QImage(width, height, QImage::Format_RGBA8888);
    for (int row = 0; row < height; ++row) {
      const unsigned char* from = source + static_cast<std::size_t>(height - 1 - row) * rowBytes;
      std::copy(from, from + rowBytes, image.scanLine(row));
    }
  } else {
    image = QImage(width, height, QImage::Format_RGB32);
    for (int row = 0; row < height; ++row) {
      const unsigned char* from = source + static_cast<std::size_t>(height - 1 - row) * rowBytes;
      auto* to = reinterpret_cast<QRgb*>(image.scanLine(row));
      for (int x = 0; x < width; ++x, from += 4) to[x] = qRgb(from[0], from[1], from[2]);
    }
  }
  return image;
}

}  // namespace

QImage renderOffscreen(vtkRenderer* renderer, const OffscreenRenderOptions& options) {
  const QSize size = checkedPixelSize(renderer, options);
  const vtkSmartPointer<vtkRenderWindow> window = newOffscreenWindow(effectiveMultiSamples(options));
  BorrowedRenderer borrowed(renderer, window);
  return renderAndRead(renderer, window, options, size);
}

struct OffscreenRenderTarget::Impl {
  vtkSmartPointer<vtkRenderWindow> window;
  vtkRenderer* attached = nullptr;
  int multiSamples = -1;

  void detach() {
    if (attached == nullptr) return;
    window->MakeCurrent();
    window->RemoveRenderer(attached);  // releases the renderer's OpenGL resources in this context
    attached = nullptr;
  }
};

OffscreenRenderTarget::OffscreenRenderTarget() : impl_(std::make_unique<Impl>()) {}

OffscreenRenderTarget::~OffscreenRenderTarget() { impl_->detach(); }

void OffscreenRenderTarget::release() { impl_->detach(); }

QImage OffscreenRenderTarget::render(vtkRenderer* renderer, const OffscreenRenderOptions& options) {
  const QSize size = checkedPixelSize(renderer, options);
  vtkRenderWindow* home = renderer->GetRenderWindow();
  if (home != nullptr && home != impl_->window.GetPointer()) {
    // The renderer lives in a window of its own (an on-screen view): borrow it as usual.
    return renderOffscreen(renderer, options);
  }
  const int samples = effectiveMultiSamples(options);
  if (!impl_->window || samples != impl_->multiSamples || renderer != impl_->attached) {
    impl_->detach();
    impl_->window = newOffscreenWindow(samples);
    impl_->multiSamples = samples;
  }
  if (impl_->attached == nullptr) {
    impl_->window->AddRenderer(renderer);
    impl_->attached = renderer;
  }
  return renderAndRead(renderer, impl_->window, options, size);
}

void savePng(const QImage& image, const QString& path) {
  QImageWriter writer(path, "png");
  if (!writer.write(image)) {
    throw InputError("could not write the figure to " + path.toStdString() + ": " + writer.errorString().toStdString());
  }
}

}  // namespace neurolens::views
