// Linked views (issue 29 step 1) on the shared recordings: pmd_reach_yu2009 and pmd_reach_ex2, each a pair of
// its own (no model). View > Link Views syncs the cameras and the time cursor of both views, gives reach1 one
// colour in both and shows one legend; "Export view" writes any grid view through `figure`'s code path with that
// view's camera, at the asked size. Needs an X server (xvfb-run).
#include <vtkCamera.h>

#include <QAction>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <array>
#include <cmath>
#include <memory>
#include <optional>

#include "main_window.h"
#include "neurolens/views/palette.h"
#include "neurolens/views/trajectory_scene.h"
#include "neurolens/views/vtk_view_widget.h"
#include "support/display_test_support.h"
#include "widgets/pair_grid.h"
#include "widgets/trajectory_controls.h"
#include "workspace_controller.h"

using namespace neurolens;
using neurolens::gui::MainWindow;

namespace {

constexpr int kOpenTimeoutMs = 90000;

QString sharedData(const QString& name) { return QString(NEUROLENS_SHARED_DATA) + "/" + name; }

bool sameCamera(const std::array<double, 9>& a, const std::array<double, 9>& b) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::abs(a[i] - b[i]) > 1e-6 * (1.0 + std::abs(a[i]))) return false;
  return true;
}

std::optional<views::Rgb> colourOf(const std::vector<std::pair<std::string, views::Rgb>>& conditions,
                                   const std::string& label) {
  for (const auto& [name, colour] : conditions)
    if (name == label) return colour;
  return std::nullopt;
}

}  // namespace

class TestLinkedViews : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir folder_;
  std::unique_ptr<MainWindow> window_;
  workspace::Id focus_ = 0;
  workspace::Id other_ = 0;

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("NeuroLensTest");
    QCoreApplication::setApplicationName("NeuroLensTestLinkedViews");
    QSettings().clear();
    if (!QFileInfo::exists(sharedData("pmd_reach_yu2009.nwb")) || !QFileInfo::exists(sharedData("pmd_reach_ex2.nwb")))
      QSKIP("the shared recordings pmd_reach_yu2009.nwb and pmd_reach_ex2.nwb are not here");
    QVERIFY(folder_.isValid());
    window_ = std::make_unique<MainWindow>();
    window_->resize(1600, 1000);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    window_->openFiles({sharedData("pmd_reach_yu2009.nwb"), sharedData("pmd_reach_ex2.nwb")});
    QTRY_VERIFY_WITH_TIMEOUT(window_->opener().isIdle() && window_->workspace().workspace().settled(), kOpenTimeoutMs);
    const workspace::Workspace& space = window_->workspace().workspace();
    QCOMPARE(space.pairs().size(), std::size_t{2});
    QVERIFY(window_->workspace().focusedPair().has_value());
    focus_ = *window_->workspace().focusedPair();
    for (const workspace::PairItem& pair : space.pairs())
      if (pair.id != focus_) other_ = pair.id;
    gui::PairGrid* grid = window_->pairGrid();
    QTRY_COMPARE(grid->shownPairs().size(), std::size_t{2});
    QTRY_VERIFY_WITH_TIMEOUT(grid->drawn(other_) > 0 && window_->scene() != nullptr, 20000);
    QVERIFY(grid->viewOf(focus_) != nullptr);
    QVERIFY(grid->viewOf(other_) != nullptr);
  }
  void cleanupTestCase() { window_.reset(); }

  void linkingIsAToggleRememberedInTheSettings() {
    auto* link = window_->findChild<QAction*>("actionLinkViews");
    QVERIFY(link != nullptr);
    QVERIFY(link->isCheckable());
    QVERIFY(!link->shortcut().isEmpty());
    QVERIFY(!link->isChecked());
    QVERIFY(!window_->pairGrid()->linked());
    link->trigger();
    QVERIFY(link->isChecked());
    QVERIFY(window_->pairGrid()->linked());
    QCOMPARE(QSettings().value("view/linkViews").toBool(), true);
  }

  void camerasFollowEachOther() {
    gui::PairGrid* grid = window_->pairGrid();
    QVERIFY(grid->linked());
    views::VtkViewWidget* focusView = grid->viewOf(focus_);
    views::VtkViewWidget* otherView = grid->viewOf(other_);
    // Linking started both from one camera.
    QVERIFY(sameCamera(focusView->cameraState(), otherView->cameraState()));
    // One view's camera turned: the other follows.
    otherView->camera()->Azimuth(40.0);
    otherView->camera()->Elevation(15.0);
    otherView->camera()->OrthogonalizeViewUp();
    QVERIFY(sameCamera(focusView->cameraState(), otherView->cameraState()));
    focusView->camera()->Dolly(1.3);
    QVERIFY(sameCamera(focusView->cameraState(), otherView->cameraState()));
    // Unlinked, each view is on its own.
    grid->setLinked(false);
    otherView->camera()->Azimuth(30.0);
    QVERIFY(!sameCamera(focusView->cameraState(), otherView->cameraState()));
    grid->setLinked(true);
    QVERIFY(sameCamera(focusView->cameraState(), otherView->cameraState()));
  }

  void timeCursorFollowsInBothViews() {
    gui::PairGrid* grid = window_->pairGrid();
    auto* controls = window_->findChild<gui::TrajectoryControls*>();
    QVERIFY(controls != nullptr);
    controls->setTime(7);
    QCOMPARE(grid->cursorOf(focus_).value_or(999), std::size_t{7});
    QCOMPARE(grid->cursorOf(other_).value_or(999), std::size_t{7});
    controls->setTime(3);
    QCOMPARE(grid->cursorOf(focus_).value_or(999), std::size_t{3});
    QCOMPARE(grid->cursorOf(other_).value_or(999), std::size_t{3});
  }

  void conditionHasOneColourInBothViewsAndOneLegend() {
    gui::PairGrid* grid = window_->pairGrid();
    const auto inFocus = colourOf(grid->drawnConditions(focus_), "reach1");
    const auto inOther = colourOf(grid->drawnConditions(other_), "reach1");
    QVERIFY(inFocus.has_value());
    QVERIFY(inOther.has_value());
    QCOMPARE(views::toHex(*inOther), views::toHex(*inFocus));
    // Every label both views draw has one colour (the focus's).
    int shared = 0;
    for (const auto& [label, colour] : grid->drawnConditions(other_)) {
      const auto focusColour = colourOf(grid->drawnConditions(focus_), label);
      if (!focusColour) continue;
      QCOMPARE(views::toHex(colour), views::toHex(*focusColour));
      // ... and the other view's real pixels show it in that colour.
      views::VtkViewWidget* view = grid->viewOf(other_);
      const QColor expected = testing::toQColor(*focusColour);
      QTRY_VERIFY_WITH_TIMEOUT(testing::countPixelsNear(view->grabFramebuffer(), expected, 12) > 20, 10000);
      ++shared;
    }
    QVERIFY(shared >= 2);
    // Real pixels: the other view draws reach1's colour.
    views::VtkViewWidget* otherView = grid->viewOf(other_);
    QTRY_VERIFY_WITH_TIMEOUT(
        testing::countPixelsNear(otherView->grabFramebuffer(), testing::toQColor(*inFocus), 12) > 20, 10000);
    auto* legend = window_->findChild<QLabel*>("linkedLegend");
    QVERIFY(legend != nullptr);
    QVERIFY(legend->isVisible());
    QCOMPARE(legend->text().count(">&nbsp;reach1<"), 1);
    QVERIFY(legend->text().contains(QString::fromStdString(views::toHex(*inFocus))));
    grid->setLinked(false);
    QVERIFY(!legend->isVisible());
    grid->setLinked(true);
  }

  void anyGridViewExportsThroughTheFigurePathWithItsCamera() {
    gui::PairGrid* grid = window_->pairGrid();
    const auto reach1 = colourOf(grid->drawnConditions(other_), "reach1");
    QVERIFY(reach1.has_value());
    gui::ViewExportOptions options;
    options.size = QSize(900, 640);
    options.dpi = 150.0;
    const QString first = folder_.filePath("other.png");
    grid->exportView(other_, first, options);
    const QImage image(first);
    QCOMPARE(image.size(), QSize(900, 640));
    QVERIFY(testing::countPixelsNear(image, testing::toQColor(*reach1), 12) > 50);
    // Another camera, another picture: the view's camera goes into the figure.
    grid->viewOf(other_)->camera()->Azimuth(90.0);
    grid->viewOf(other_)->camera()->OrthogonalizeViewUp();
    const QString turned = folder_.filePath("turned.png");
    grid->exportView(other_, turned, options);
    QVERIFY(QImage(turned) != image);
    // The focus view too, at another size.
    options.size = QSize(640, 480);
    const QString focus = folder_.filePath("focus.png");
    grid->exportView(focus_, focus, options);
    QCOMPARE(QImage(focus).size(), QSize(640, 480));
    QVERIFY(testing::countPixelsNear(QImage(focus), testing::toQColor(*reach1), 12) > 50);
    if (qEnvironmentVariableIsSet("NEUROLENS_TEST_KEEP")) {
      QFile::copy(first, "/tmp/linked_export_other.png");
      QFile::copy(focus, "/tmp/linked_export_focus.png");
    }
  }
};

QTEST_MAIN(TestLinkedViews)
#include "test_linked_views.moc"
