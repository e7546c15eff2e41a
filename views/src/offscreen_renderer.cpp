#include "neurolens/views/offscreen_renderer.h"

#include <vtkActor.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPropCollection.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>
#include <vtkWindowToImageFilter.h>

#include <QFileInfo>
#include <QImageWriter>
#include <cmath>
#include <cstdlib>
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

QImage renderOffscreen(vtkRenderer* renderer, const OffscreenRenderOptions& options) {
  if (renderer == nullptr) throw InputError("figure export: there is no view to render");
  if (options.width <= 0 || options.height <= 0 || !(options.scale > 0.0)) {
    throw InputError("figure export: the image size must be positive (asked for " + std::to_string(options.width) +
                     " x " + std::to_string(options.height) + " at scale " + std::to_string(options.scale) + ")");
  }
  const long pixelWidth = std::lround(options.width * options.scale);
  const long pixelHeight = std::lround(options.height * options.scale);
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

  vtkNew<vtkRenderWindow> window;
  window->SetOffScreenRendering(1);
  window->SetAlphaBitPlanes(1);
  window->SetMultiSamples(8);
  window->SetSize(static_cast<int>(pixelWidth), static_cast<int>(pixelHeight));
  window->SetDPI(static_cast<int>(std::lround(72.0 * options.scale)));

  QImage image;
  {
    TransparentBackground background(renderer, options.transparentBackground);
    ScaledLineWidths widths(renderer, options.scale);
    BorrowedRenderer borrowed(renderer, window);
    renderer->ResetCameraClippingRange();
    window->Render();

    vtkNew<vtkWindowToImageFilter> grab;
    grab->SetInput(window);
    grab->SetInputBufferTypeToRGBA();
    grab->ReadFrontBufferOff();
    grab->ShouldRerenderOff();
    grab->Update();
    vtkImageData* pixels = grab->GetOutput();
    int dims[3] = {0, 0, 0};
    pixels->GetDimensions(dims);
    if (dims[0] != pixelWidth || dims[1] != pixelHeight) {
      throw ComputeError("figure export: OpenGL returned a " + std::to_string(dims[0]) + " x " +
                         std::to_string(dims[1]) + " image instead of " + std::to_string(pixelWidth) + " x " +
                         std::to_string(pixelHeight));
    }
    const auto* source = static_cast<const unsigned char*>(pixels->GetScalarPointer());
    image = QImage(dims[0], dims[1], QImage::Format_RGBA8888);
    const std::size_t rowBytes = static_cast<std::size_t>(dims[0]) * 4;
    // VTK's rows start at the bottom; QImage's at the top.
    for (int row = 0; row < dims[1]; ++row) {
      const unsigned char* from = source + static_cast<std::size_t>(dims[1] - 1 - row) * rowBytes;
      unsigned char* to = image.scanLine(row);
      std::copy(from, from + rowBytes, to);
      if (!options.transparentBackground) {
        for (std::size_t byte = 3; byte < rowBytes; byte += 4) to[byte] = 255;
      }
    }
  }
  return image;
}

void savePng(const QImage& image, const QString& path) {
  QImageWriter writer(path, "png");
  if (!writer.write(image)) {
    throw InputError("could not write the figure to " + path.toStdString() + ": " + writer.errorString().toStdString());
  }
}

}  // namespace neurolens::views
