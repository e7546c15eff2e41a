#include "neurolens/views/vtk_view_widget.h"

#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkNew.h>
#include <vtkOpenGLState.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

#include <QCursor>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QTimer>
#include <QWheelEvent>
#include <cmath>
#include <string>

namespace neurolens::views {

struct VtkViewWidget::Impl {
  vtkNew<vtkGenericOpenGLRenderWindow> window;
  vtkNew<vtkRenderer> renderer;
  vtkNew<vtkGenericRenderWindowInteractor> interactor;
  vtkNew<vtkInteractorStyleTrackballCamera> style;
  vtkNew<vtkCallbackCommand> windowCallback;
  vtkNew<vtkCallbackCommand> interactorCallback;
  vtkNew<vtkCallbackCommand> styleCallback;
  // Wheel zooms arrive as single start/end pairs: the view counts as moving until
  // the wheel has been still for a moment.
  QTimer wheelSettle;
  bool inWheel = false;
  bool moving = false;
  bool contextReady = false;
  bool inPaint = false;
  long long frames = 0;
};

namespace {

// VTK asks the host whether its context is current and to make it current;
// Qt owns the context, so the widget answers.
void onWindowEvent(vtkObject*, unsigned long eventId, void* clientData, void* callData) {
  auto* widget = static_cast<QOpenGLWidget*>(clientData);
  switch (eventId) {
    case vtkCommand::WindowMakeCurrentEvent:
      if (QOpenGLContext::currentContext() != widget->context()) widget->makeCurrent();
      break;
    case vtkCommand::WindowIsCurrentEvent:
      *static_cast<bool*>(callData) =
          widget->context() != nullptr && QOpenGLContext::currentContext() == widget->context();
      break;
    default:
      break;
  }
}

// The interactor never renders by itself (EnableRender off): every "render now"
// it asks for becomes a Qt repaint, so VTK draws only inside paintGL where Qt has
// bound the widget's framebuffer.
void onInteractorRender(vtkObject*, unsigned long, void* clientData, void*) {
  static_cast<QOpenGLWidget*>(clientData)->update();
}

}  // namespace

// The trackball style starts and ends an interaction (rotate, pan, dolly, spin).
void onStyleInteraction(vtkObject*, unsigned long eventId, void* clientData, void*) {
  auto* widget = static_cast<VtkViewWidget*>(clientData);
  if (widget->impl_->inWheel) return;  // the wheel handles its own start and settle
  widget->setInteracting(eventId == vtkCommand::StartInteractionEvent);
}

VtkViewWidget::VtkViewWidget(QWidget* parent) : QOpenGLWidget(parent), impl_(std::make_unique<Impl>()) {
  setFormat(defaultFormat());
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(true);
  setMinimumSize(120, 90);

  impl_->window->SetOwnContext(0);
  // Core profiles reject glLineWidth > 1: let VTK draw wide lines itself.
  // (no ForceMaximumHardwareLineWidth: Mesa and desktop drivers draw wide lines natively)
  impl_->window->SetFrameBlitModeToBlitToCurrent();
  impl_->window->SetMultiSamples(0);
  impl_->window->SetReadyForRendering(false);
  impl_->window->AddRenderer(impl_->renderer);

  impl_->windowCallback->SetClientData(this);
  impl_->windowCallback->SetCallback(onWindowEvent);
  impl_->window->AddObserver(vtkCommand::WindowMakeCurrentEvent, impl_->windowCallback);
  impl_->window->AddObserver(vtkCommand::WindowIsCurrentEvent, impl_->windowCallback);

  impl_->interactor->SetRenderWindow(impl_->window);
  impl_->interactor->SetInteractorStyle(impl_->style);
  impl_->interactor->EnableRenderOff();
  impl_->interactorCallback->SetClientData(this);
  impl_->interactorCallback->SetCallback(onInteractorRender);
  impl_->interactor->AddObserver(vtkCommand::RenderEvent, impl_->interactorCallback);
  impl_->styleCallback->SetClientData(this);
  impl_->styleCallback->SetCallback(onStyleInteraction);
  impl_->style->AddObserver(vtkCommand::StartInteractionEvent, impl_->styleCallback);
  impl_->style->AddObserver(vtkCommand::EndInteractionEvent, impl_->styleCallback);
  impl_->interactor->Initialize();
  impl_->wheelSettle.setSingleShot(true);
  impl_->wheelSettle.setInterval(200);
  connect(&impl_->wheelSettle, &QTimer::timeout, this, [this] { setInteracting(false); });

  impl_->renderer->SetBackground(1.0, 1.0, 1.0);
  // Opaque: every pixel VTK writes has alpha 1 (see paintGL).
  impl_->renderer->SetBackgroundAlpha(1.0);
  impl_->renderer->GetActiveCamera()->SetPosition(0.0, 0.0, 5.0);
}

VtkViewWidget::~VtkViewWidget() {
  // QOpenGLWidget's own destructor destroys the context after impl_ is gone: stop
  // its aboutToBeDestroyed signal from calling back into this half-destroyed widget.
  if (context() != nullptr) disconnect(context(), nullptr, this, nullptr);
  releaseGraphics();
  impl_->window->RemoveObserver(impl_->windowCallback);
  impl_->interactor->RemoveObserver(impl_->interactorCallback);
  impl_->style->RemoveObserver(impl_->styleCallback);
}

bool VtkViewWidget::interacting() const { return impl_->moving; }

void VtkViewWidget::setInteracting(bool moving) {
  if (impl_->moving == moving) return;
  impl_->moving = moving;
  Q_EMIT interactionChanged(moving);
  if (!moving) update();  // the still frame, at full quality
}

QSurfaceFormat VtkViewWidget::defaultFormat() {
  QSurfaceFormat format;
  format.setRenderableType(QSurfaceFormat::OpenGL);
  format.setVersion(3, 2);
  format.setProfile(QSurfaceFormat::CoreProfile);
  format.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
  format.setRedBufferSize(8);
  format.setGreenBufferSize(8);
  format.setBlueBufferSize(8);
  format.setAlphaBufferSize(8);
  format.setDepthBufferSize(24);
  format.setStencilBufferSize(0);
  format.setSamples(0);  // VTK keeps its own framebuffer; Qt's needs no multisampling
  return format;
}

vtkRenderer* VtkViewWidget::renderer() const { return impl_->renderer; }
vtkRenderWindow* VtkViewWidget::renderWindow() const { return impl_->window; }
vtkCamera* VtkViewWidget::camera() const { return impl_->renderer->GetActiveCamera(); }
long long VtkViewWidget::framesRendered() const { return impl_->frames; }

std::array<double, 9> VtkViewWidget::cameraState() const {
  std::array<double, 9> state{};
  vtkCamera* cam = camera();
  cam->GetPosition(state.data());
  cam->GetFocalPoint(state.data() + 3);
  cam->GetViewUp(state.data() + 6);
  return state;
}

void VtkViewWidget::requestRender() { update(); }

void VtkViewWidget::resetCamera() {
  impl_->renderer->ResetCamera();
  // ResetCamera fits the props' bounds, not the axes' tick labels and titles outside them: leave them room.
  constexpr double kRoomForAxisLabels = 0.9;
  camera()->Zoom(kRoomForAxisLabels);
  impl_->renderer->ResetCameraClippingRange();
  update();
}

void VtkViewWidget::setStandardView(StandardView view) {
  // Direction the camera looks in and the up vector for it.
  double look[3] = {0.0, 0.0, 0.0};
  double up[3] = {0.0, 0.0, 1.0};
  switch (view) {
    case StandardView::PlusX:
      look[0] = 1.0;
      break;
    case StandardView::MinusX:
      look[0] = -1.0;
      break;
    case StandardView::PlusY:
      look[1] = 1.0;
      break;
    case StandardView::MinusY:
      look[1] = -1.0;
      break;
    case StandardView::PlusZ:
      look[2] = 1.0;
      up[1] = 1.0;
      up[2] = 0.0;
      break;
    case StandardView::MinusZ:
      look[2] = -1.0;
      up[1] = 1.0;
      up[2] = 0.0;
      break;
    case StandardView::Isometric:
      look[0] = -1.0;
      look[1] = -1.0;
      look[2] = -1.0;
      break;
  }
  vtkCamera* cam = camera();
  cam->SetFocalPoint(0.0, 0.0, 0.0);
  cam->SetPosition(-look[0], -look[1], -look[2]);
  cam->SetViewUp(up);
  cam->OrthogonalizeViewUp();
  resetCamera();
}

void VtkViewWidget::initializeGL() {
  // A QOpenGLWidget's context is recreated when the widget moves to another
  // top-level window; VTK must drop resources tied to the old one first.
  connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &VtkViewWidget::releaseGraphics, Qt::UniqueConnection);
  impl_->window->SetReadyForRendering(true);
  impl_->window->OpenGLInitContext();
  impl_->window->GetState()->Reset();
  impl_->contextReady = true;
  const qreal ratio = devicePixelRatioF();
  impl_->interactor->UpdateSize(static_cast<int>(std::lround(width() * ratio)),
                                static_cast<int>(std::lround(height() * ratio)));
  impl_->window->SetSize(static_cast<int>(std::lround(width() * ratio)),
                         static_cast<int>(std::lround(height() * ratio)));
}

void VtkViewWidget::resizeGL(int newWidth, int newHeight) {
  const qreal ratio = devicePixelRatioF();
  const int pixelWidth = static_cast<int>(std::lround(newWidth * ratio));
  const int pixelHeight = static_cast<int>(std::lround(newHeight * ratio));
  impl_->interactor->UpdateSize(pixelWidth, pixelHeight);
  impl_->window->SetSize(pixelWidth, pixelHeight);
  impl_->window->SetDPI(static_cast<int>(std::lround(72 * ratio)));
}

void VtkViewWidget::paintGL() {
  if (!impl_->contextReady || impl_->inPaint) return;
  impl_->inPaint = true;
  vtkOpenGLState* state = impl_->window->GetState();
  // Qt bound its framebuffer and set the viewport behind VTK's state cache.
  state->ResetFramebufferBindings();
  state->ResetGLViewportState();
  state->ResetGLScissorState();
  impl_->window->Render();
  ++impl_->frames;

  // VTK leaves alpha < 1 where nothing was drawn when the background is not opaque;
  // Qt would then blend the view with whatever lies beneath it. Force opaque alpha
  // in Qt's framebuffer then (an opaque background needs no extra full-frame pass,
  // which software OpenGL pays for on every frame).
  if (impl_->renderer->GetBackgroundAlpha() >= 1.0) {
    impl_->inPaint = false;
    return;
  }
  QOpenGLFunctions* gl = context()->functions();
  GLboolean mask[4];
  GLfloat clear[4];
  gl->glGetBooleanv(GL_COLOR_WRITEMASK, mask);
  gl->glGetFloatv(GL_COLOR_CLEAR_VALUE, clear);
  const GLboolean scissor = gl->glIsEnabled(GL_SCISSOR_TEST);
  if (scissor) gl->glDisable(GL_SCISSOR_TEST);
  gl->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
  gl->glClearColor(0.0F, 0.0F, 0.0F, 1.0F);
  gl->glClear(GL_COLOR_BUFFER_BIT);
  gl->glColorMask(mask[0], mask[1], mask[2], mask[3]);
  gl->glClearColor(clear[0], clear[1], clear[2], clear[3]);
  if (scissor) gl->glEnable(GL_SCISSOR_TEST);
  impl_->inPaint = false;
}

void VtkViewWidget::releaseGraphics() {
  if (impl_ == nullptr || !impl_->contextReady) return;
  makeCurrent();
  impl_->window->Finalize();
  impl_->window->SetReadyForRendering(false);
  impl_->contextReady = false;
  doneCurrent();
}

QImage VtkViewWidget::renderImage(const OffscreenRenderOptions& options) {
  // The renderer leaves this widget's context for the duration of the offscreen
  // render; its resources here must be released with our context current.
  if (impl_->contextReady) makeCurrent();
  QImage image = renderOffscreen(impl_->renderer, options);
  update();
  return image;
}

namespace {

struct PixelPosition {
  int x;
  int y;
};

PixelPosition devicePosition(const QWidget& widget, const QPointF& position) {
  const qreal ratio = widget.devicePixelRatioF();
  return {static_cast<int>(std::lround(position.x() * ratio)), static_cast<int>(std::lround(position.y() * ratio))};
}

void setEventInformation(vtkRenderWindowInteractor* interactor, const QWidget& widget, const QPointF& position,
                         Qt::KeyboardModifiers modifiers, int repeat = 0) {
  const PixelPosition pixel = devicePosition(widget, position);
  interactor->SetEventInformationFlipY(pixel.x, pixel.y, (modifiers & Qt::ControlModifier) ? 1 : 0,
                                       (modifiers & Qt::ShiftModifier) ? 1 : 0, 0, repeat);
  interactor->SetAltKey((modifiers & Qt::AltModifier) ? 1 : 0);
}

unsigned long pressEventFor(Qt::MouseButton button) {
  switch (button) {
    case Qt::LeftButton:
      return vtkCommand::LeftButtonPressEvent;
    case Qt::MiddleButton:
      return vtkCommand::MiddleButtonPressEvent;
    case Qt::RightButton:
      return vtkCommand::RightButtonPressEvent;
    default:
      return vtkCommand::NoEvent;
  }
}

unsigned long releaseEventFor(Qt::MouseButton button) {
  switch (button) {
    case Qt::LeftButton:
      return vtkCommand::LeftButtonReleaseEvent;
    case Qt::MiddleButton:
      return vtkCommand::MiddleButtonReleaseEvent;
    case Qt::RightButton:
      return vtkCommand::RightButtonReleaseEvent;
    default:
      return vtkCommand::NoEvent;
  }
}

// X11-style key symbol names that vtkInteractorStyle understands.
std::string keySymbol(const QKeyEvent& event) {
  switch (event.key()) {
    case Qt::Key_Left:
      return "Left";
    case Qt::Key_Right:
      return "Right";
    case Qt::Key_Up:
      return "Up";
    case Qt::Key_Down:
      return "Down";
    case Qt::Key_Return:
    case Qt::Key_Enter:
      return "Return";
    case Qt::Key_Escape:
      return "Escape";
    case Qt::Key_Space:
      return "space";
    case Qt::Key_Shift:
      return "Shift_L";
    case Qt::Key_Control:
      return "Control_L";
    case Qt::Key_Alt:
      return "Alt_L";
    default:
      return event.text().toStdString();
  }
}

// Trackball keys that would quit, toggle stereo or start a picker-driven
// action: none of them makes sense inside the workbench.
bool isBlockedKey(char key) { return key == 'e' || key == 'q' || key == 'E' || key == 'Q' || key == '3' || key == 'u'; }

}  // namespace

void VtkViewWidget::mousePressEvent(QMouseEvent* event) {
  const unsigned long vtkEvent = pressEventFor(event->button());
  if (vtkEvent == vtkCommand::NoEvent) return;
  setEventInformation(impl_->interactor, *this, event->position(), event->modifiers());
  impl_->interactor->InvokeEvent(vtkEvent, event);
  event->accept();
}

void VtkViewWidget::mouseDoubleClickEvent(QMouseEvent* event) {
  const unsigned long vtkEvent = pressEventFor(event->button());
  if (vtkEvent == vtkCommand::NoEvent) return;
  setEventInformation(impl_->interactor, *this, event->position(), event->modifiers(), 1);
  impl_->interactor->InvokeEvent(vtkEvent, event);
  event->accept();
}

void VtkViewWidget::mouseMoveEvent(QMouseEvent* event) {
  setEventInformation(impl_->interactor, *this, event->position(), event->modifiers());
  impl_->interactor->InvokeEvent(vtkCommand::MouseMoveEvent, event);
  event->accept();
}

void VtkViewWidget::mouseReleaseEvent(QMouseEvent* event) {
  const unsigned long vtkEvent = releaseEventFor(event->button());
  if (vtkEvent == vtkCommand::NoEvent) return;
  setEventInformation(impl_->interactor, *this, event->position(), event->modifiers());
  impl_->interactor->InvokeEvent(vtkEvent, event);
  event->accept();
}

void VtkViewWidget::wheelEvent(QWheelEvent* event) {
  const int delta = event->angleDelta().y();
  if (delta == 0) return;
  setEventInformation(impl_->interactor, *this, event->position(), event->modifiers());
  setInteracting(true);
  impl_->inWheel = true;
  impl_->interactor->InvokeEvent(delta > 0 ? vtkCommand::MouseWheelForwardEvent : vtkCommand::MouseWheelBackwardEvent,
                                 event);
  impl_->inWheel = false;
  impl_->wheelSettle.start();
  event->accept();
}

void VtkViewWidget::keyPressEvent(QKeyEvent* event) {
  const std::string symbol = keySymbol(*event);
  const char code = event->text().isEmpty() ? '\0' : event->text().at(0).toLatin1();
  if (isBlockedKey(code) || symbol.empty()) {
    QOpenGLWidget::keyPressEvent(event);
    return;
  }
  const QPointF cursor = mapFromGlobal(QCursor::pos());
  setEventInformation(impl_->interactor, *this, cursor, event->modifiers(), event->isAutoRepeat() ? 1 : 0);
  impl_->interactor->SetKeyCode(code);
  impl_->interactor->SetKeySym(symbol.c_str());
  impl_->interactor->InvokeEvent(vtkCommand::KeyPressEvent, event);
  impl_->interactor->InvokeEvent(vtkCommand::CharEvent, event);
  event->accept();
}

void VtkViewWidget::keyReleaseEvent(QKeyEvent* event) {
  const std::string symbol = keySymbol(*event);
  const char code = event->text().isEmpty() ? '\0' : event->text().at(0).toLatin1();
  if (isBlockedKey(code) || symbol.empty()) {
    QOpenGLWidget::keyReleaseEvent(event);
    return;
  }
  impl_->interactor->SetKeyCode(code);
  impl_->interactor->SetKeySym(symbol.c_str());
  impl_->interactor->InvokeEvent(vtkCommand::KeyReleaseEvent, event);
  event->accept();
}

void VtkViewWidget::enterEvent(QEnterEvent* event) {
  setEventInformation(impl_->interactor, *this, event->position(), Qt::NoModifier);
  impl_->interactor->InvokeEvent(vtkCommand::EnterEvent, event);
}

void VtkViewWidget::leaveEvent(QEvent* event) { impl_->interactor->InvokeEvent(vtkCommand::LeaveEvent, event); }

}  // namespace neurolens::views
