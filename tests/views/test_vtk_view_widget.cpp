// VtkViewWidget under a real X server (Xvfb): real pixels from the framebuffer Qt
// composites, after showing, resizing, dragging the mouse and exporting.
#include <vtkCamera.h>
#include <vtkRenderer.h>

#include <QMainWindow>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QWheelEvent>
#include <QtTest/QtTest>
#include <cmath>
#include <memory>

#include "neurolens/views/demo_trajectories.h"
#include "neurolens/views/trajectory_scene.h"
#include "neurolens/views/vtk_view_widget.h"
#include "support/display_test_support.h"
#include "support/known_scene.h"

using namespace neurolens;
using neurolens::testing::boxOfPixelsNear;
using neurolens::testing::countPixelsNear;
using neurolens::testing::fractionNear;

namespace {

const QColor kLineColour(230, 102, 0);  // (0.9, 0.4, 0.0)
const QColor kWhite(255, 255, 255);
const QColor kBlack(0, 0, 0);
constexpr int kTolerance = 12;

// Waits until the widget has rendered at least `frames` VTK frames.
bool waitForFrames(const views::VtkViewWidget& view, long long frames) {
  return QTest::qWaitFor([&] { return view.framesRendered() >= frames; }, 5000);
}

QImage renderedFrame(views::VtkViewWidget& view) {
  const long long before = view.framesRendered();
  view.requestRender();
  waitForFrames(view, before + 1);
  return view.grabFramebuffer();
}

void sendMouse(QWidget* widget, QEvent::Type type, QPoint position, Qt::MouseButton button, Qt::MouseButtons buttons) {
  QMouseEvent event(type, QPointF(position), widget->mapToGlobal(QPointF(position)), button, buttons, Qt::NoModifier);
  QApplication::sendEvent(widget, &event);
}

}  // namespace

class TestVtkViewWidget : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<QMainWindow> window_;
  views::VtkViewWidget* view_ = nullptr;

 private Q_SLOTS:
  void init() {
    window_ = std::make_unique<QMainWindow>();
    view_ = new views::VtkViewWidget(window_.get());
    window_->setCentralWidget(view_);
    window_->resize(640, 480);
    testing::addKnownLine(view_->renderer(), 0.5, 0.9, 0.4, 0.0);
    testing::useKnownCamera(view_->renderer());
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QVERIFY(waitForFrames(*view_, 1));
  }
  void cleanup() {
    window_.reset();
    view_ = nullptr;
  }

  void showsTheLineNotBlackNotBlank() {
    const QImage frame = renderedFrame(*view_);
    const qreal ratio = view_->devicePixelRatioF();
    QCOMPARE(frame.size(), view_->size() * ratio);
    // Mostly white background, not all black (the naive-attempt failure), and the line.
    QVERIFY2(fractionNear(frame, kWhite, 4) > 0.8, "background is not the renderer's white");
    QVERIFY2(fractionNear(frame, kBlack, 30) < 0.01, "frame is (partly) black");
    const QRect line = boxOfPixelsNear(frame, kLineColour, kTolerance);
    QVERIFY2(!line.isNull(), "the line's colour does not appear in the frame");
    // Hand-solved position: the line sits at y = 0.5 -> a quarter of the height
    // from the top; it spans x in [-0.8, 0.8] of a view 2 * aspect wide.
    const double expectedRow = 0.25 * frame.height();
    QVERIFY2(std::abs(line.center().y() - expectedRow) < 0.03 * frame.height(),
             qPrintable(QString("line at row %1, expected %2").arg(line.center().y()).arg(expectedRow)));
    const double aspect = static_cast<double>(frame.width()) / frame.height();
    const double expectedWidth = 0.8 / aspect * frame.width();
    QVERIFY2(std::abs(line.width() - expectedWidth) < 0.05 * frame.width(),
             qPrintable(QString("line %1 px wide, expected %2").arg(line.width()).arg(expectedWidth)));
    QVERIFY(std::abs(line.center().x() - frame.width() / 2.0) < 0.03 * frame.width());
  }

  void resizeKeepsTheFrameCorrect() {
    window_->resize(900, 320);
    QTRY_COMPARE(view_->width(), 900);
    const QImage frame = renderedFrame(*view_);
    QCOMPARE(frame.size(), view_->size() * view_->devicePixelRatioF());
    QVERIFY(fractionNear(frame, kWhite, 4) > 0.8);
    const QRect line = boxOfPixelsNear(frame, kLineColour, kTolerance);
    QVERIFY(!line.isNull());
    QVERIFY(std::abs(line.center().y() - 0.25 * frame.height()) < 0.04 * frame.height());
    const double aspect = static_cast<double>(frame.width()) / frame.height();
    QVERIFY(std::abs(line.width() - 0.8 / aspect * frame.width()) < 0.05 * frame.width());
  }

  void mouseDragRotatesTheCamera() {
    const auto before = view_->cameraState();
    const QPoint start(view_->width() / 2, view_->height() / 2);
    sendMouse(view_, QEvent::MouseButtonPress, start, Qt::LeftButton, Qt::LeftButton);
    for (int step = 1; step <= 10; ++step) {
      sendMouse(view_, QEvent::MouseMove, start + QPoint(8 * step, 3 * step), Qt::NoButton, Qt::LeftButton);
    }
    sendMouse(view_, QEvent::MouseButtonRelease, start + QPoint(80, 30), Qt::LeftButton, Qt::NoButton);
    const auto after = view_->cameraState();
    double moved = 0.0;
    for (int i = 0; i < 3; ++i) moved += std::abs(after[i] - before[i]);
    QVERIFY2(moved > 0.1, "a left drag did not move the camera");
    // Rotation keeps the focal point.
    for (int i = 3; i < 6; ++i) QVERIFY(std::abs(after[i] - before[i]) < 1e-6);
    // The frame follows: the line is no longer where the untouched camera put it.
    const QImage frame = renderedFrame(*view_);
    QVERIFY(countPixelsNear(frame, kLineColour, kTolerance) > 0);
  }

  void interactionIsReportedWhileTheCameraMoves() {
    QSignalSpy changes(view_, &views::VtkViewWidget::interactionChanged);
    const QPoint start(view_->width() / 2, view_->height() / 2);
    sendMouse(view_, QEvent::MouseButtonPress, start, Qt::LeftButton, Qt::LeftButton);
    QVERIFY(view_->interacting());
    sendMouse(view_, QEvent::MouseMove, start + QPoint(20, 5), Qt::NoButton, Qt::LeftButton);
    QVERIFY(view_->interacting());
    const long long frames = view_->framesRendered();
    sendMouse(view_, QEvent::MouseButtonRelease, start + QPoint(20, 5), Qt::LeftButton, Qt::NoButton);
    QVERIFY(!view_->interacting());
    QCOMPARE(changes.count(), 2);
    QCOMPARE(changes.at(0).at(0).toBool(), true);
    QCOMPARE(changes.at(1).at(0).toBool(), false);
    QVERIFY(waitForFrames(*view_, frames + 1));  // the still frame is drawn
    // A wheel turn counts as moving until the wheel rests.
    QWheelEvent wheel(QPointF(start), view_->mapToGlobal(QPointF(start)), QPoint(), QPoint(0, 120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(view_, &wheel);
    QVERIFY(view_->interacting());
    QTRY_VERIFY_WITH_TIMEOUT(!view_->interacting(), 2000);
    QCOMPARE(changes.count(), 4);
  }

  void wheelZooms() {
    const double scaleBefore = view_->camera()->GetParallelScale();
    const QPoint centre(view_->width() / 2, view_->height() / 2);
    QWheelEvent wheel(QPointF(centre), view_->mapToGlobal(QPointF(centre)), QPoint(), QPoint(0, 120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(view_, &wheel);
    QVERIFY2(view_->camera()->GetParallelScale() < scaleBefore, "wheel forward did not zoom in");
    const QRect zoomed = boxOfPixelsNear(renderedFrame(*view_), kLineColour, kTolerance);
    QVERIFY(!zoomed.isNull());
  }

  void standardViewsLookAlongTheirAxis() {
    struct Case {
      views::StandardView view;
      double direction[3];
    };
    const Case cases[] = {{views::StandardView::PlusX, {1, 0, 0}}, {views::StandardView::MinusX, {-1, 0, 0}},
                          {views::StandardView::PlusY, {0, 1, 0}}, {views::StandardView::MinusY, {0, -1, 0}},
                          {views::StandardView::PlusZ, {0, 0, 1}}, {views::StandardView::MinusZ, {0, 0, -1}}};
    for (const Case& c : cases) {
      view_->setStandardView(c.view);
      double projection[3];
      view_->camera()->GetDirectionOfProjection(projection);
      for (int i = 0; i < 3; ++i) QVERIFY(std::abs(projection[i] - c.direction[i]) < 1e-9);
    }
    // Looking along -Z, the line is seen from its back: still drawn, mirrored.
    view_->setStandardView(views::StandardView::MinusZ);
    QVERIFY(countPixelsNear(renderedFrame(*view_), kLineColour, kTolerance) > 0);
  }

  void exportDoesNotDisturbTheView() {
    const QImage exported = view_->renderImage({400, 300, 1.0, false});
    QCOMPARE(exported.size(), QSize(400, 300));
    QVERIFY(countPixelsNear(exported, kLineColour, kTolerance) > 0);
    // The renderer came back to the widget and draws again after its resources moved.
    const QImage frame = renderedFrame(*view_);
    QVERIFY(fractionNear(frame, kWhite, 4) > 0.8);
    QVERIFY(countPixelsNear(frame, kLineColour, kTolerance) > 100);
  }

  void trajectoryConditionsShowAndHide() {
    view_->renderer()->RemoveAllViewProps();
    views::TrajectoryScene scene;
    const views::DemoTrajectories demo = views::makeRotationalTrajectories(4, 5, 60);
    views::TrajectoryData data;
    data.points = demo.points;
    data.condition = demo.condition;
    scene.setData(std::move(data));
    scene.setMarkersVisible(false);
    scene.setAxesVisible(false);
    scene.addTo(view_->renderer());
    view_->camera()->ParallelProjectionOff();
    view_->setStandardView(views::StandardView::MinusZ);
    QImage frame = renderedFrame(*view_);
    for (std::size_t condition = 0; condition < 4; ++condition) {
      const QColor colour = testing::toQColor(scene.conditionColour(condition));
      QVERIFY2(countPixelsNear(frame, colour, kTolerance) > 50,
               qPrintable(QString("condition %1 (%2) not drawn").arg(condition).arg(colour.name())));
    }
    const QColor hidden = testing::toQColor(scene.conditionColour(1));
    scene.setConditionVisible(1, false);
    frame = renderedFrame(*view_);
    QCOMPARE(countPixelsNear(frame, hidden, 6), 0);
    QVERIFY(countPixelsNear(frame, testing::toQColor(scene.conditionColour(0)), kTolerance) > 50);
    scene.removeFrom(view_->renderer());
  }
};

NEUROLENS_DISPLAY_TEST_MAIN(TestVtkViewWidget)
#include "test_vtk_view_widget.moc"
