#pragma once
// A Qt 6 widget hosting a VTK renderer.
//
// Debian's VTK Qt module is built against Qt 5, so this widget does what f3d and
// VTK's own QVTKOpenGLNativeWidget do, with Qt 6: a QOpenGLWidget owns the OpenGL
// context; a vtkGenericOpenGLRenderWindow renders into VTK's own framebuffer and
// blits the result into the framebuffer Qt has bound for paintGL
// (FrameBlitMode "BlitToCurrent"). The widget answers VTK's make-current /
// is-current questions and forwards mouse, wheel and key events to a
// vtkRenderWindowInteractor with trackball-camera interaction
// (left: rotate, middle or shift+left: pan, right or wheel: zoom).
#include <QImage>
#include <QOpenGLWidget>
#include <QSurfaceFormat>
#include <array>
#include <memory>

#include "neurolens/views/offscreen_renderer.h"

class vtkRenderer;
class vtkRenderWindow;
class vtkCamera;

class vtkObject;

namespace neurolens::views {

void onStyleInteraction(vtkObject* caller, unsigned long eventId, void* clientData, void* callData);

// Standard view directions, named after the direction the camera looks in
// (ParaView's convention: "+X" looks along +X, i.e. from the -X side).
enum class StandardView { PlusX, MinusX, PlusY, MinusY, PlusZ, MinusZ, Isometric };

class VtkViewWidget : public QOpenGLWidget {
  Q_OBJECT

 public:
  explicit VtkViewWidget(QWidget* parent = nullptr);
  ~VtkViewWidget() override;
  VtkViewWidget(const VtkViewWidget&) = delete;
  VtkViewWidget& operator=(const VtkViewWidget&) = delete;

  // The surface format VTK needs (OpenGL 3.2 core, depth buffer, no multisampling
  // in Qt's framebuffer). Applications call QSurfaceFormat::setDefaultFormat with
  // it before creating QApplication; the widget also sets it on itself.
  [[nodiscard]] static QSurfaceFormat defaultFormat();

  // The renderer shown by this widget: add props to it, then call requestRender().
  [[nodiscard]] vtkRenderer* renderer() const;
  [[nodiscard]] vtkRenderWindow* renderWindow() const;
  [[nodiscard]] vtkCamera* camera() const;

  // Camera position, focal point and view-up, for tests and saved state.
  [[nodiscard]] std::array<double, 9> cameraState() const;

  // Schedules a repaint (VTK renders inside paintGL only).
  void requestRender();

  // Renders the current scene offscreen at any size (figure export); does not
  // grab the screen. Throws ComputeError when no OpenGL display is available.
  [[nodiscard]] QImage renderImage(const OffscreenRenderOptions& options);

  // Number of frames VTK rendered into this widget (diagnostics and tests).
  [[nodiscard]] long long framesRendered() const;

  // Whether the camera is being moved by the mouse now (drag, or wheel turns in
  // the last moments): scenes draw a lighter level of detail meanwhile.
  [[nodiscard]] bool interacting() const;

 Q_SIGNALS:
  // The camera started (true) or stopped (false) moving under the user's hand. The
  // frame after `false` is rendered at full quality.
  void interactionChanged(bool moving);

 public Q_SLOTS:
  void resetCamera();
  void setStandardView(neurolens::views::StandardView view);

 protected:
  void initializeGL() override;
  void resizeGL(int width, int height) override;
  void paintGL() override;

  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void keyReleaseEvent(QKeyEvent* event) override;
  void enterEvent(QEnterEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  void releaseGraphics();
  void setInteracting(bool moving);
  friend void onStyleInteraction(vtkObject*, unsigned long, void*, void*);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace neurolens::views
