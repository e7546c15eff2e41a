// The workbench pipeline under a real X server, through the same actions, jobs and
// buttons a user clicks: the bundled demo (simulated with fewer trials into a
// temporary folder) read, binned and run through the demo model in the background;
// the 3-D view's real pixels per condition; legend, time, means and trial
// highlight; attribution and the type-latent link drawn with the figure painters;
// type selection linked between the units table and the heatmap; compare mode;
// sessions saved and reopened (checked with h5py/hashlib) from their results
// without rerunning the model, and a changed input reported (and rerun); a
// cancelled job that leaves the window usable; the level of detail while the
// camera is dragged; clicks on heatmap cells and group labels selecting units and
// types; trajectories coloured by time, behaviour and attribution.
#include <vtkActor.h>
#include <vtkDataArray.h>
#include <vtkMapper.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>

#include <QAbstractItemView>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest/QtTest>
#include <cmath>
#include <memory>
#include <set>

#include "jobs/job_progress_widget.h"
#include "main_window.h"
#include "neurolens/views/figure/colormap.h"
#include "neurolens/views/figure/figure_style.h"
#include "neurolens/views/figure/plots.h"
#include "neurolens/views/trajectory_scene.h"
#include "neurolens/views/vtk_view_widget.h"
#include "session/session.h"
#include "support/display_test_support.h"
#include "widgets/analysis_panel.h"
#include "widgets/pair_grid.h"
#include "widgets/plot_widget.h"
#include "widgets/table_panel.h"
#include "widgets/trajectory_controls.h"
#include "widgets/trial_highlight.h"
#include "workspace_controller.h"

using namespace neurolens;
using neurolens::gui::BackgroundJob;
using neurolens::gui::MainWindow;

namespace {

constexpr int kTrialsPerCondition = 5;  // 40 trials: a quick pipeline
constexpr int kPipelineTimeoutMs = 90000;

int conditionColoursDrawn(const QImage& frame, const views::TrajectoryScene& scene, int minimumPixels = 20) {
  int seen = 0;
  for (std::size_t condition = 0; condition < scene.conditionCount(); ++condition) {
    if (!scene.conditionVisible(condition)) continue;
    if (testing::countPixelsNear(frame, testing::toQColor(scene.conditionColour(condition)), 12) > minimumPixels)
      ++seen;
  }
  return seen;
}

QImage freshFrame(views::VtkViewWidget* view) {
  const long long before = view->framesRendered();
  view->requestRender();
  if (!QTest::qWaitFor([&] { return view->framesRendered() > before; }, 5000)) qWarning("no new frame rendered");
  return view->grabFramebuffer();
}

// With NEUROLENS_SCREENSHOT_DIR set, saves what the window shows (for looking at it).
void maybeScreenshot(QWidget& window, const QString& name) {
  const QString folder = qEnvironmentVariable("NEUROLENS_SCREENSHOT_DIR");
  if (folder.isEmpty()) return;
  QTest::qWait(300);  // let the views repaint
  QGuiApplication::primaryScreen()->grabWindow(window.winId()).save(folder + "/" + name + ".png");
}

// The value each vertex of condition group `group`'s polyline is coloured by.
double vertexValue(const views::TrajectoryScene& scene, std::size_t group, vtkIdType vertex) {
  auto* lines = vtkPolyData::SafeDownCast(scene.lineActor(group)->GetMapper()->GetInputDataObject(0, 0));
  vtkDataArray* scalars = lines != nullptr ? lines->GetPointData()->GetScalars() : nullptr;
  return scalars != nullptr ? scalars->GetTuple1(vertex) : std::nan("");
}

bool selectColour(MainWindow& window, const QString& spec) {
  auto* combo = window.trajectoryControls()->findChild<QComboBox*>("colourModeChoice");
  const int index = combo != nullptr ? combo->findData(spec) : -1;
  if (index < 0) return false;
  combo->setCurrentIndex(index);
  return true;
}

void closeMessageBoxes(QWidget* window) {
  for (QMessageBox* box : window->findChildren<QMessageBox*>()) box->close();
}

}  // namespace

class TestWorkbench : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::unique_ptr<MainWindow> window_;

  std::unique_ptr<MainWindow> makeWindow() {
    auto window = std::make_unique<MainWindow>();
    window->setDemoFolder(dir_.filePath("demo"));
    DemoOptions options;
    options.trialsPerCondition = kTrialsPerCondition;
    window->setDemoOptions(options);
    window->resize(1400, 900);
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get())) return nullptr;
    return window;
  }

  // Opens the demo through File > Open Demo and waits for the model's trajectories (the recording
  // alone is drawn first, from its smoothed rates: axes "rate PC n").
  bool openDemo(MainWindow& window) {
    window.findChild<QAction*>("actionOpenDemo")->trigger();
    return QTest::qWaitFor(
        [&window] {
          const gui::Trajectories* drawn = window.trajectories();
          return window.controller().latents() != nullptr && drawn != nullptr && drawn->data.axisTitles[0] == "PC 1";
        },
        kPipelineTimeoutMs);
  }

  // Until the job's finished() has been handled (isRunning stays true until then).
  bool waitForJob(BackgroundJob& job, int timeoutMs = kPipelineTimeoutMs) {
    return QTest::qWaitFor([&job] { return !job.isRunning(); }, timeoutMs);
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("NeuroLensTest");
    QCoreApplication::setApplicationName("NeuroLensWorkbenchTest");
    QSettings().clear();
    QVERIFY(dir_.isValid());
    window_ = makeWindow();
    QVERIFY(window_ != nullptr);
  }
  void cleanupTestCase() {
    if (window_ != nullptr) closeMessageBoxes(window_.get());
    window_.reset();
  }

  void demoRunsThroughThePipeline() {
    MainWindow& window = *window_;
    QSignalSpy jobs(&window.controller(), &gui::PipelineController::jobStarted);
    QVERIFY(openDemo(window));
    QVERIFY(jobs.count() >= 3);  // demo files, recording, model: each a background job
    QVERIFY(QFile::exists(dir_.filePath("demo/demo.nwb")));
    QVERIFY(QFile::exists(dir_.filePath("demo/demo_model.pt")));
    const BinnedRecording* recording = window.controller().recording();
    QVERIFY(recording != nullptr);
    QCOMPARE(recording->trialCount(), std::size_t{8 * kTrialsPerCondition});
    QCOMPARE(recording->unitCount(), std::size_t{150});
    QCOMPARE(recording->binMs, 20.0);
    const FloatArray* latents = window.controller().latents();
    QVERIFY(latents != nullptr);
    QCOMPARE(latents->dim(0), recording->trialCount());
    QCOMPARE(latents->dim(2), std::size_t{8});

    // Tables: every unit column (cell_type included), one row per unit and per trial.
    QCOMPARE(window.unitsTable()->view()->model()->rowCount(), 150);
    QVERIFY(window.unitsTable()->table().find("cell_type") != nullptr);
    // The first column is the unit id from the file, which a MAT-file (no unit columns) shows alone.
    const Column* ids = window.unitsTable()->table().find("id");
    QVERIFY(ids != nullptr && ids->isNumeric());
    QCOMPARE(window.unitsTable()->table().columns().front().name, std::string("id"));
    QCOMPARE(ids->numbers(), std::vector<double>(recording->unitIds.begin(), recording->unitIds.end()));
    QCOMPARE(window.trialsTable()->view()->model()->rowCount(), 8 * kTrialsPerCondition);
    window.unitsTable()->filter()->setText("ramping");
    QCOMPARE(window.unitsTable()->visibleRows(), 32);  // the simulator's ramping units
    window.unitsTable()->filter()->clear();

    // The model dock names the model and its run.
    const QString modelText = window.findChild<QLabel*>("modelPanel")->text();
    const QString modelName = QString::fromStdString(window.controller().model()->metadata().name);
    QVERIFY(modelName.startsWith("NeuroLens demo"));
    QVERIFY2(modelText.contains(modelName.toHtmlEscaped()) && modelText.contains("device cpu"), qPrintable(modelText));

    // Trajectories coloured by condition: eight groups, PCA variance in order.
    views::TrajectoryScene* scene = window.scene();
    QVERIFY(scene != nullptr);
    // The scene builder's groups (as `figure` draws them): each condition's single trials, then its mean.
    QCOMPARE(scene->conditionCount(), std::size_t{2 * 8});
    QCOMPARE(scene->trialCount(), std::size_t{8 * kTrialsPerCondition + 8});  // means over their single trials
    const std::vector<double>& ratios = window.trajectories()->explainedVarianceRatio;
    QCOMPARE(ratios.size(), std::size_t{3});
    QVERIFY(ratios[0] >= ratios[1] && ratios[1] >= ratios[2] && ratios[0] + ratios[1] + ratios[2] <= 1.0 + 1e-9);
    QVERIFY(!window.emptyStateShown());
    const QImage frame = freshFrame(window.trajectoryView());
    QVERIFY(testing::fractionNear(frame, QColor(255, 255, 255), 4) < 0.99);
    const int seen = conditionColoursDrawn(frame, *scene);
    QVERIFY2(seen >= 6, qPrintable(QString("only %1 of 8 condition colours drawn").arg(seen)));
  }

  void viewControlsChangeTheScene() {
    MainWindow& window = *window_;
    views::TrajectoryScene* scene = window.scene();
    QVERIFY(scene != nullptr);
    auto* legend = window.trajectoryControls()->findChild<QListWidget*>("conditionLegend");
    QCOMPARE(legend->count(), 8);
    // Hide condition 0 with its legend checkbox: its colour leaves the frame.
    // (Its mean's colour: group 8 + 0; its single trials, group 0, are drawn thin and light beneath.)
    const QColor first = testing::toQColor(scene->conditionColour(8));
    QVERIFY(testing::countPixelsNear(freshFrame(window.trajectoryView()), first, 12) > 20);
    legend->item(0)->setCheckState(Qt::Unchecked);
    QVERIFY(!scene->conditionVisible(0));
    QVERIFY(!scene->conditionVisible(8));
    QCOMPARE(testing::countPixelsNear(freshFrame(window.trajectoryView()), first, 12), 0);
    legend->item(0)->setCheckState(Qt::Checked);

    // The time slider moves every cursor to that bin of its trajectory.
    window.trajectoryControls()->setTime(7);
    QCOMPARE(scene->time(), std::size_t{7});
    const FloatArray& points = window.trajectories()->data.points;
    const auto cursor = scene->cursorPosition(3);
    for (std::size_t axis = 0; axis < 3; ++axis) QCOMPARE(static_cast<float>(cursor[axis]), points(3, 7, axis));
    // Play advances it on a timer; pause stops it.
    window.trajectoryControls()->setPlaying(true);
    QTRY_VERIFY_WITH_TIMEOUT(scene->time() != 7, 3000);
    window.trajectoryControls()->setPlaying(false);

    // Single trials instead of group means, and back.
    auto* means = window.trajectoryControls()->findChild<QCheckBox*>("meansToggle");
    QVERIFY(means->isChecked());
    means->setChecked(false);
    QCOMPARE(scene->trialCount(), window.controller().recording()->trialCount());
    QVERIFY(conditionColoursDrawn(freshFrame(window.trajectoryView()), *scene) >= 6);
    means->setChecked(true);
    QCOMPARE(scene->trialCount(), std::size_t{8 * kTrialsPerCondition + 8});
    means->setChecked(false);

    // Selecting a trial in the trials table draws the highlight along that trial.
    QTableView* trials = window.trialsTable()->view();
    const QImage before = freshFrame(window.trajectoryView());
    trials->selectRow(0);
    QVERIFY(window.trialHighlight()->visible());
    const QImage after = freshFrame(window.trajectoryView());
    const QColor dark(26, 26, 26);
    QVERIFY2(testing::countPixelsNear(after, dark, 20) > testing::countPixelsNear(before, dark, 20) + 30,
             "the highlighted trial is not drawn");
    trials->clearSelection();
    QVERIFY(!window.trialHighlight()->visible());
  }

  void draggingTheViewDrawsTheLevelOfDetail() {
    MainWindow& window = *window_;
    // The heaviest still frame: every single trial of the unsmoothed latents (the lines the level of detail
    // thins; condition means over smoothed trials are already light).
    auto* smoothing = window.trajectoryControls()->findChild<QDoubleSpinBox*>("smoothingChoice");
    QVERIFY(smoothing != nullptr);
    smoothing->setValue(0.0);
    Q_EMIT smoothing->editingFinished();
    const gui::Trajectories* drawn = window.trajectories();
    QVERIFY(drawn != nullptr && !drawn->means);
    views::VtkViewWidget* view = window.trajectoryView();
    views::TrajectoryScene* scene = window.scene();
    QVERIFY(scene != nullptr);
    const QPointF centre(view->width() / 2.0, view->height() / 2.0);
    const auto send = [view](QEvent::Type type, QPointF at, Qt::MouseButton button, Qt::MouseButtons buttons) {
      QMouseEvent event(type, at, view->mapToGlobal(at), button, buttons, Qt::NoModifier);
      QApplication::sendEvent(view, &event);
    };
    send(QEvent::MouseButtonPress, centre, Qt::LeftButton, Qt::LeftButton);
    QVERIFY(scene->interactive());
    send(QEvent::MouseMove, centre + QPointF(2, 0), Qt::NoButton, Qt::LeftButton);
    // While moving: thin lines through fewer bins, no start/end markers: less ink than the still frame.
    const QImage moving = freshFrame(view);
    maybeScreenshot(window, "view_moving");
    send(QEvent::MouseButtonRelease, centre + QPointF(2, 0), Qt::LeftButton, Qt::NoButton);
    QVERIFY(!scene->interactive());
    const QImage still = freshFrame(view);
    const double inkMoving = 1.0 - testing::fractionNear(moving, QColor(255, 255, 255), 4);
    const double inkStill = 1.0 - testing::fractionNear(still, QColor(255, 255, 255), 4);
    QVERIFY2(inkMoving > 0.2 * inkStill && inkMoving < 0.95 * inkStill,
             qPrintable(QString("ink moving %1, still %2").arg(inkMoving).arg(inkStill)));
    QVERIFY(conditionColoursDrawn(moving, *scene, 5) >= 6);  // still coloured by group while moving
    smoothing->setValue(40.0);
    Q_EMIT smoothing->editingFinished();
  }

  void attributionRunsFromTheButtonAndLinksTypes() {
    MainWindow& window = *window_;
    gui::AnalysisPanel* analysis = window.analysisPanel();
    analysis->findChild<QSpinBox*>("attributionTrials")->setValue(4);
    analysis->findChild<QSpinBox*>("attributionSteps")->setValue(32);
    QPushButton* run = analysis->attributionButton();
    QVERIFY(run->isEnabled());
    const int paintsBefore = analysis->attributionPlot()->paints();
    QTest::mouseClick(run, Qt::LeftButton);
    QVERIFY(window.controller().analysisJob().isRunning() ||
            window.controller().analysisJob().outcome() == BackgroundJob::Outcome::Succeeded);
    QVERIFY(!run->isEnabled());  // no second run while one is going
    QVERIFY(waitForJob(window.controller().analysisJob()));
    QCOMPARE(window.controller().analysisJob().outcome(), BackgroundJob::Outcome::Succeeded);
    const auto outcome = window.controller().attribution();
    QVERIFY(outcome != nullptr);
    QCOMPARE(outcome->trialsUsed, std::size_t{4});
    QCOMPARE(outcome->profiles.rows(), Eigen::Index{150});
    QCOMPARE(outcome->profiles.cols(), Eigen::Index{8});
    QVERIFY(outcome->profiles.allFinite() && outcome->profiles.norm() > 0.0);
    QVERIFY(outcome->link.has_value());
    QCOMPARE(outcome->link->types, (std::vector<std::string>{"ramping", "rotational", "tuned", "untuned"}));
    // Per-bin magnitudes behind the attribution colouring: [4 trials, bins, 150 units], and per unit
    // sum_k |profile(u, k)| <= sum over trials and bins of sum_k |a| (triangle inequality).
    const FloatArray& magnitude = outcome->perBinMagnitude;
    QCOMPARE(magnitude.rank(), std::size_t{3});
    QCOMPARE(magnitude.dim(0), std::size_t{4});
    QCOMPARE(magnitude.dim(1), window.controller().recording()->binCount());
    QCOMPARE(magnitude.dim(2), std::size_t{150});
    for (std::size_t unit = 0; unit < 150; ++unit) {
      double total = 0.0;
      for (std::size_t tb = 0; tb < magnitude.dim(0) * magnitude.dim(1); ++tb)
        total += magnitude.values()[tb * 150 + unit];
      const double profile = outcome->profiles.row(static_cast<Eigen::Index>(unit)).cwiseAbs().sum();
      QVERIFY2(profile <= total * (1.0 + 1e-4) + 1e-6,
               qPrintable(QString("unit %1: %2 > %3").arg(unit).arg(profile).arg(total)));
    }
    // Integrated gradients add up to F(x) - F(baseline) (Gauss-Legendre, 32 steps).
    QVERIFY2(outcome->maxRelCompleteness < 0.05, qPrintable(QString::number(outcome->maxRelCompleteness)));

    // The heatmap shows units x latents grouped by the four types, and is drawn.
    const auto* heatmap = dynamic_cast<const views::figure::HeatmapPlot*>(analysis->attributionPlot()->plot());
    QVERIFY(heatmap != nullptr);
    QCOMPARE(heatmap->groupOrder().size(), std::size_t{4});
    QCOMPARE(heatmap->data().values.dim(0), std::size_t{150});
    QCOMPARE(heatmap->data().pValueGroups.size(), std::size_t{4});
    QTRY_VERIFY(analysis->attributionPlot()->paints() > paintsBefore || !analysis->attributionPlot()->isVisible());
    const QImage drawn = analysis->attributionPlot()->grab().toImage();
    QVERIFY(testing::fractionNear(drawn, QColor(255, 255, 255), 4) < 0.9);
    QVERIFY(analysis->associationPlot()->plot() != nullptr);
    maybeScreenshot(window, "attribution");
  }

  void attributionAboveItsToleranceIsWarned() {
    MainWindow& window = *window_;
    gui::AnalysisPanel* analysis = window.analysisPanel();
    auto* steps = analysis->findChild<QSpinBox*>("attributionSteps");
    analysis->findChild<QSpinBox*>("attributionTrials")->setValue(2);
    const auto* summary = window.findChild<QLabel*>("analysisSummary");
    QVERIFY(summary != nullptr);
    // Two steps: the path integral is far from F(x) - F(baseline), and the summary says so.
    steps->setValue(2);
    QTest::mouseClick(analysis->attributionButton(), Qt::LeftButton);
    QVERIFY(waitForJob(window.controller().analysisJob()));
    const auto coarse = window.controller().attribution();
    qInfo("2 steps: completeness error %.3g", coarse->maxRelCompleteness);
    QVERIFY(coarse->maxRelCompleteness > 0.01);
    QVERIFY2(summary->text().contains(QChar(0x26a0)), qPrintable(summary->text()));
    // Automatic steps (the spin box's lowest value): doubled until within 0.01, no warning.
    steps->setValue(steps->minimum());
    QCOMPARE(steps->text(), steps->specialValueText());
    QTest::mouseClick(analysis->attributionButton(), Qt::LeftButton);
    QVERIFY(waitForJob(window.controller().analysisJob()));
    const auto converged = window.controller().attribution();
    qInfo("auto: completeness error %.3g with %d steps", converged->maxRelCompleteness, converged->maxStepsUsed);
    QCOMPARE(converged->request.steps, 0);
    QVERIFY(converged->maxStepsUsed >= 16);
    QVERIFY(converged->maxRelCompleteness <= 0.01);
    QVERIFY2(!summary->text().contains(QChar(0x26a0)), qPrintable(summary->text()));
    steps->setValue(32);
  }

  void attributionMethodFromAPluginRunsThroughTheGui() {
    // The occlusion plugin (plugins/occlusion, built only on the SDK) is offered next to the
    // built-in methods and runs through the same button, job and views.
    MainWindow& window = *window_;
    gui::AnalysisPanel* analysis = window.analysisPanel();
    auto* method = analysis->findChild<QComboBox*>("attributionMethod");
    const int plugin = method->findData(QString("occlusion"));
    QVERIFY2(plugin >= 0, "the occlusion plugin is not offered in the method list");
    method->setCurrentIndex(plugin);
    analysis->findChild<QSpinBox*>("attributionTrials")->setValue(1);
    QTest::mouseClick(analysis->attributionButton(), Qt::LeftButton);
    QVERIFY(waitForJob(window.controller().analysisJob()));
    QCOMPARE(window.controller().analysisJob().outcome(), BackgroundJob::Outcome::Succeeded);
    const auto outcome = window.controller().attribution();
    QCOMPARE(outcome->request.pluginMethod, std::string("occlusion"));
    QCOMPARE(outcome->profiles.rows(), Eigen::Index{150});
    QCOMPARE(outcome->profiles.cols(), Eigen::Index{8});
    QVERIFY(outcome->profiles.allFinite() && outcome->profiles.norm() > 0.0);
    method->setCurrentIndex(0);
    analysis->findChild<QSpinBox*>("attributionTrials")->setValue(4);
  }

  void typeSelectionIsSharedByTableAndHeatmap() {
    MainWindow& window = *window_;
    gui::AnalysisPanel* analysis = window.analysisPanel();
    const Table& units = window.controller().recording()->units;
    const std::vector<std::string>& types = units.find("cell_type")->texts();
    // Heatmap side -> units table: every unit of the type, and only those, selected.
    auto* typeList = window.findChild<QListWidget*>("typeList");
    QVERIFY(typeList != nullptr);
    const QList<QListWidgetItem*> tuned = typeList->findItems("tuned", Qt::MatchExactly);
    QCOMPARE(tuned.size(), 1);
    typeList->setCurrentItem(tuned.first());
    std::vector<std::size_t> expected;
    for (std::size_t unit = 0; unit < types.size(); ++unit)
      if (types[unit] == "tuned") expected.push_back(unit);
    QCOMPARE(window.unitsTable()->selectedRows(), expected);
    // Units table side -> heatmap: selecting a rotational unit marks its group.
    std::size_t rotational = 0;
    while (types[rotational] != "rotational") ++rotational;
    window.unitsTable()->view()->selectRow(static_cast<int>(rotational));
    QCOMPARE(analysis->selectedType(), QString("rotational"));
    const auto* heatmap = dynamic_cast<const views::figure::HeatmapPlot*>(analysis->attributionPlot()->plot());
    QVERIFY(heatmap != nullptr);
    const auto& groups = heatmap->groupOrder();
    QVERIFY(std::find(groups.begin(), groups.end(), "\u25b6 rotational \u25c0") != groups.end());
    QVERIFY(std::find(groups.begin(), groups.end(), "tuned") != groups.end());
    QCOMPARE(typeList->currentItem()->text(), QString("rotational"));
    maybeScreenshot(window, "type_selected");
  }

  void clickingTheHeatmapSelectsAUnitOrAType() {
    MainWindow& window = *window_;
    gui::AnalysisPanel* analysis = window.analysisPanel();
    gui::PlotWidget* plot = analysis->attributionPlot();
    // Room for the heatmap: about three pixels per unit row.
    auto* results = window.findChild<QDockWidget*>("resultsDock");
    window.resizeDocks({results}, {600}, Qt::Vertical);
    QTest::qWait(200);
    QVERIFY(plot->isVisible());
    const auto* heatmap = dynamic_cast<const views::figure::HeatmapPlot*>(plot->plot());
    QVERIFY(heatmap != nullptr);
    const auto geometry = plot->heatmapGeometry();
    QVERIFY(geometry.has_value());
    QVERIFY2(geometry->cellHeight() >= 1.2, qPrintable(QString::number(geometry->cellHeight())));
    const std::vector<std::string>& types = window.controller().recording()->units.find("cell_type")->texts();
    std::size_t unit = 0;
    while (types[unit] != "untuned") ++unit;
    ++unit;
    while (types[unit] != "untuned") ++unit;  // the second untuned unit
    const QRectF cell = *plot->heatmapCellRect(unit, 2);
    const QPoint centre(static_cast<int>(cell.center().x()), static_cast<int>(cell.center().y()));
    // The pixel under the click shows that unit's value through the heatmap's colour map.
    const QImage drawn = plot->grab().toImage();
    const auto range = heatmap->colourRange();
    const double value = window.controller().attribution()->profiles(static_cast<Eigen::Index>(unit), 2);
    const views::Rgb want = views::figure::colormapByName(views::figure::defaultFigureStyle().divergingColormap)
                                .at((value - range.first) / (range.second - range.first));
    const QColor got = drawn.pixelColor(centre);
    const QColor expected = testing::toQColor(want);
    QVERIFY2(std::abs(got.red() - expected.red()) <= 6 && std::abs(got.green() - expected.green()) <= 6 &&
                 std::abs(got.blue() - expected.blue()) <= 6,
             qPrintable(QString("pixel %1 vs colour map %2").arg(got.name(), expected.name())));
    // A click on the cell selects the unit in the units table; its type follows in the heatmap and the type list.
    QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, centre);
    QCOMPARE(window.unitsTable()->selectedRows(), std::vector<std::size_t>{unit});
    QCOMPARE(analysis->selectedType(), QString("untuned"));
    QCOMPARE(plot->highlightedRow(), std::optional<std::size_t>(unit));
    const auto* marked = dynamic_cast<const views::figure::HeatmapPlot*>(plot->plot());
    QVERIFY(std::find(marked->groupOrder().begin(), marked->groupOrder().end(), "\u25b6 untuned \u25c0") !=
            marked->groupOrder().end());
    QCOMPARE(window.findChild<QListWidget*>("typeList")->currentItem()->text(), QString("untuned"));
    maybeScreenshot(window, "heatmap_unit_clicked");
    // A click on a group's label (left of the cells) selects the whole type in the units table.
    std::vector<std::size_t> tuned;
    for (std::size_t u = 0; u < types.size(); ++u)
      if (types[u] == "tuned") tuned.push_back(u);
    const QRectF tunedCell = *plot->heatmapCellRect(tuned[tuned.size() / 2], 0);
    QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier,
                      QPoint(static_cast<int>(geometry->cells.left()) - 12, static_cast<int>(tunedCell.center().y())));
    QCOMPARE(window.unitsTable()->selectedRows(), tuned);
    QCOMPARE(analysis->selectedType(), QString("tuned"));
    QVERIFY(!plot->highlightedRow().has_value());
    maybeScreenshot(window, "heatmap_type_clicked");
    window.resizeDocks({results}, {300}, Qt::Vertical);
  }

  void trajectoriesColouredByTimeBehaviourAndAttribution() {
    MainWindow& window = *window_;
    views::TrajectoryScene* scene = window.scene();
    QVERIFY(scene != nullptr);
    auto* means = window.trajectoryControls()->findChild<QCheckBox*>("meansToggle");
    means->setChecked(true);
    const BinnedRecording& recording = *window.controller().recording();
    const std::size_t bins = recording.binCount();
    // Time: viridis from bin 0 (dark violet) to the last bin (yellow), drawn along the lines
    // (left of the colour bar), and remembered.
    QVERIFY(selectColour(window, "time"));
    QVERIFY(scene->hasScalarColouring());
    QCOMPARE(scene->scalarRange(), std::make_pair(0.0, 20.0 * static_cast<double>(bins - 1)));
    QCOMPARE(vertexValue(*scene, 8, 3), 60.0);  // group 8: the first condition's mean
    QCOMPARE(QSettings().value("view/colour").toString(), QString("time"));
    const QImage frame = freshFrame(window.trajectoryView());
    const QRect lines(0, 0, static_cast<int>(frame.width() * 0.8), frame.height());
    const views::figure::Colormap viridis = views::figure::colormapByName("viridis");
    for (double t : {0.0, 1.0}) {
      const int near = testing::countPixelsNear(frame, testing::toQColor(viridis.at(t)), 10, lines);
      QVERIFY2(near > 10, qPrintable(QString("viridis(%1): %2 pixels").arg(t).arg(near)));
    }
    QVERIFY(conditionColoursDrawn(frame, *scene) <= 1);  // group colours are gone
    maybeScreenshot(window, "colour_time");

    // Behaviour: hand speed, group means of |hand_vel| computed here from the binned behaviour.
    QVERIFY(selectColour(window, "behavior:hand_vel:-1"));
    QVERIFY(scene->hasScalarColouring());
    const FloatArray& velocity = recording.behavior.at("hand_vel");
    const gui::Trajectories* drawn = window.trajectories();
    QVERIFY(drawn != nullptr);
    const gui::Trajectories& shown = *drawn;
    const std::size_t conditions = shown.groups.names.size();
    const std::size_t firstMean = shown.rowTrial.size();
    for (std::size_t row = firstMean; row < firstMean + 3; ++row) {  // the first means
      const int group = shown.data.condition[row] - static_cast<int>(conditions);
      for (std::size_t bin : {std::size_t{0}, bins / 2, bins - 1}) {
        double sum = 0.0;
        int count = 0;
        for (std::size_t trial = 0; trial < recording.trialCount(); ++trial) {
          if (shown.groups.index[trial] != group) continue;
          sum += std::hypot(velocity(trial, bin, 0), velocity(trial, bin, 1));
          ++count;
        }
        const double got =
            vertexValue(*scene, static_cast<std::size_t>(group) + conditions, static_cast<vtkIdType>(bin));
        QVERIFY2(std::abs(got - sum / count) <= 1e-4 * (1.0 + std::abs(sum / count)),
                 qPrintable(QString("group %1 bin %2: %3 vs %4").arg(group).arg(bin).arg(got).arg(sum / count)));
      }
    }

    // Attribution of the selected type: per group, the mean over its attributed trials of the
    // summed per-bin magnitude of the type's units; groups without attributed trials are grey (NaN).
    auto* typeList = window.findChild<QListWidget*>("typeList");
    typeList->setCurrentItem(typeList->findItems("tuned", Qt::MatchExactly).first());
    typeList->setCurrentItem(typeList->findItems("rotational", Qt::MatchExactly).first());
    QVERIFY(selectColour(window, "attribution"));
    QVERIFY(scene->hasScalarColouring());
    const auto outcome = window.controller().attribution();
    const FloatArray& magnitude = outcome->perBinMagnitude;
    const std::vector<std::string>& types = recording.units.find("cell_type")->texts();
    std::size_t checked = 0;
    for (std::size_t group = 0; group < shown.conditionCount(); ++group) {
      for (std::size_t bin : {std::size_t{1}, bins / 3}) {
        double sum = 0.0;
        int count = 0;
        for (std::size_t trial = 0; trial < magnitude.dim(0); ++trial) {
          if (shown.groups.index[trial] != static_cast<int>(group)) continue;
          double trialSum = 0.0;
          for (std::size_t unit = 0; unit < types.size(); ++unit)
            if (types[unit] == "rotational") trialSum += magnitude(trial, bin, unit);
          sum += trialSum;
          ++count;
        }
        const double got = vertexValue(*scene, shown.conditionCount() + group, static_cast<vtkIdType>(bin));
        if (count == 0) {
          QVERIFY(std::isnan(got));
        } else {
          QVERIFY2(std::abs(got - sum / count) <= 1e-4 * (1.0 + std::abs(sum / count)),
                   qPrintable(QString("group %1 bin %2: %3 vs %4").arg(group).arg(bin).arg(got).arg(sum / count)));
          ++checked;
        }
      }
    }
    QVERIFY(checked >= 2);
    auto* note = window.trajectoryControls()->findChild<QLabel*>("colourNote");
    QVERIFY2(note->isVisible() && note->text().contains(QString("first %1 of").arg(magnitude.dim(0))),
             qPrintable(note->text()));
    maybeScreenshot(window, "colour_attribution");

    // Back to group colours: the condition colours return.
    QVERIFY(selectColour(window, "condition"));
    QVERIFY(!scene->hasScalarColouring());
    QVERIFY(conditionColoursDrawn(freshFrame(window.trajectoryView()), *scene) >= 6);
  }

  void compareModeLinksCamerasAndTime() {
    MainWindow& window = *window_;
    window.findChild<QAction*>("actionCompare")->trigger();
    QVERIFY(window.compareView()->isVisible());
    QVERIFY(window.compareScene() != nullptr);
    auto* legend = window.findChild<QListWidget*>("compareLegend");
    QCOMPARE(legend->count(), 8);
    // Own subset: hiding a group on the right leaves the left alone.
    legend->item(2)->setCheckState(Qt::Unchecked);
    QVERIFY(!window.compareScene()->conditionVisible(2));
    QVERIFY(window.scene()->conditionVisible(2));
    // Shared time cursor.
    window.trajectoryControls()->setTime(12);
    QCOMPARE(window.compareScene()->time(), std::size_t{12});
    // Cameras follow when an interaction ends (a wheel zoom on the left view).
    views::VtkViewWidget* left = window.trajectoryView();
    QWheelEvent wheel(QPointF(50, 50), left->mapToGlobal(QPointF(50, 50)), QPoint(), QPoint(0, 120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(left, &wheel);
    QTRY_COMPARE(window.compareView()->cameraState(), left->cameraState());
    const QImage right = freshFrame(window.compareView());
    QVERIFY(conditionColoursDrawn(right, *window.compareScene()) >= 5);
    maybeScreenshot(window, "compare");
    window.findChild<QAction*>("actionCompare")->trigger();
    QVERIFY(!window.compareView()->isVisible());
  }

  void sessionIsSavedAndRestored() {
    MainWindow& window = *window_;
    window.trajectoryControls()->findChild<QCheckBox*>("meansToggle")->setChecked(true);
    window.trajectoryControls()->setTime(17);
    auto* legend = window.trajectoryControls()->findChild<QListWidget*>("conditionLegend");
    legend->item(5)->setCheckState(Qt::Unchecked);
    window.trajectoryView()->setStandardView(views::StandardView::PlusY);
    QVERIFY(selectColour(window, "time"));
    // A probe result to save with the session.
    gui::AnalysisPanel* analysis = window.analysisPanel();
    auto* target = analysis->findChild<QComboBox*>("probeTarget");
    target->setCurrentIndex(target->findData("behavior:hand_vel"));
    QTest::mouseClick(analysis->probeButton(), Qt::LeftButton);
    QVERIFY(waitForJob(window.controller().analysisJob()));
    QVERIFY(window.controller().probe() != nullptr);
    const gui::SessionState saved = window.currentSessionState();
    QCOMPARE(saved.colour, std::string("time"));
    const QString path = dir_.filePath("first.nlsession");
    window.saveSession(path);
    QVERIFY(QFile::exists(path));
    QVERIFY(QFile::exists(path + ".h5"));

    // Independent reading: hashlib for the hashes, h5py for the arrays.
    QProcess python;
    python.start(NEUROLENS_TEST_PYTHON, {QString(NEUROLENS_SOURCE_DIR) + "/tests/app/python/session_results.py", path});
    QVERIFY(python.waitForFinished(60000));
    if (python.exitCode() != 0) QSKIP(qPrintable("h5py reference failed: " + python.readAllStandardError()));
    const QJsonObject expected = QJsonDocument::fromJson(python.readAllStandardOutput()).object();
    QVERIFY(expected["inputs_match"].toObject()["recording"].toBool());
    QVERIFY(expected["inputs_match"].toObject()["model"].toBool());
    // The lists of every file open (issue 28 step 3) hold the same files here.
    QVERIFY(expected["inputs_match"].toObject()["recordings"].toBool());
    QVERIFY(expected["inputs_match"].toObject()["models"].toBool());
    const QJsonArray shape = expected["latents_shape"].toArray();
    QCOMPARE(shape.size(), 3);
    QCOMPARE(static_cast<std::size_t>(shape[0].toInt()), window.controller().latents()->dim(0));
    QCOMPARE(shape[2].toInt(), 8);
    QCOMPARE(expected["profiles_shape"].toArray()[0].toInt(), 150);
    QCOMPARE(expected["time_bin"].toInt(), 17);
    QVERIFY(expected["means"].toBool());
    QCOMPARE(expected["colour"].toString(), QString("time"));
    const FloatArray& savedMagnitude = window.controller().attribution()->perBinMagnitude;
    QCOMPARE(expected["per_bin_shape"].toArray()[0].toInt(), static_cast<int>(savedMagnitude.dim(0)));
    double magnitudeSum = 0.0;
    for (float v : savedMagnitude.values()) magnitudeSum += v;
    QVERIFY(std::abs(expected["per_bin_sum"].toDouble() - magnitudeSum) <= 1e-5 * (1.0 + magnitudeSum));
    const QJsonArray probeR2 = expected["probe_r2_per_dim"].toArray();
    QCOMPARE(static_cast<std::size_t>(probeR2.size()), window.controller().probe()->result.r2PerDim.size());
    for (qsizetype d = 0; d < probeR2.size(); ++d)
      QCOMPARE(probeR2[d].toDouble(), window.controller().probe()->result.r2PerDim[static_cast<std::size_t>(d)]);
    const double profileSum = window.controller().attribution()->profiles.sum();
    QVERIFY(std::abs(expected["profiles_sum"].toDouble() - profileSum) <= 1e-4 * (1.0 + std::abs(profileSum)));

    // A second window reopens it: same files, same view, attribution from the results file.
    auto reopened = makeWindow();
    QVERIFY(reopened != nullptr);
    // The colouring is remembered across windows (QSettings) before any session is read.
    QCOMPARE(reopened->trajectoryControls()->colourChoice().spec(), std::string("time"));
    QSignalSpy restored(reopened.get(), &MainWindow::sessionRestored);
    reopened->openSession(path);
    QVERIFY(restored.wait(kPipelineTimeoutMs) || !restored.isEmpty());
    QVERIFY(reopened->findChild<QMessageBox*>("sessionChangedBox") == nullptr);
    const gui::SessionState state = reopened->currentSessionState();
    QCOMPARE(state.recording.path, saved.recording.path);
    QCOMPARE(state.model.path, saved.model.path);
    QCOMPARE(state.time, 17);
    QVERIFY(state.trajectory.conditionMeans);
    QCOMPARE(state.groupVisible, saved.groupVisible);
    QCOMPARE(state.selectedType, saved.selectedType);
    QVERIFY(state.camera.has_value());
    for (std::size_t i = 0; i < 9; ++i) QVERIFY(std::abs((*state.camera)[i] - (*saved.camera)[i]) < 1e-6);
    QCOMPARE(reopened->scene()->trialCount(), std::size_t{8 * kTrialsPerCondition + 8});
    QVERIFY(!reopened->scene()->conditionVisible(5));
    QVERIFY(reopened->controller().attribution() != nullptr);
    QVERIFY(reopened->controller().attribution()->profiles.isApprox(window.controller().attribution()->profiles, 1e-6));
    QVERIFY(reopened->analysisPanel()->attributionPlot()->plot() != nullptr);
    // The results came from the session's results file: the model was loaded, never run,
    // and the latents, the per-bin attribution and the probe are the saved ones.
    QCOMPARE(reopened->controller().inferenceRuns(), 0);
    QCOMPARE(reopened->controller().latents()->values(), window.controller().latents()->values());
    QCOMPARE(reopened->controller().attribution()->perBinMagnitude.values(),
             window.controller().attribution()->perBinMagnitude.values());
    QVERIFY(reopened->controller().probe() != nullptr);
    QCOMPARE(reopened->controller().probe()->result.r2, window.controller().probe()->result.r2);
    QCOMPARE(reopened->controller().probe()->result.r2PerDim, window.controller().probe()->result.r2PerDim);
    QVERIFY(reopened->analysisPanel()->probePlot()->plot() != nullptr);
    QCOMPARE(state.colour, std::string("time"));
    QVERIFY(reopened->scene()->hasScalarColouring());
    maybeScreenshot(*reopened, "session_reopened");
    closeMessageBoxes(reopened.get());
    reopened.reset();

    // The recording changes on disk (a demo with another seed): reopening says so.
    std::error_code ignored;
    std::filesystem::remove(dir_.filePath("demo/demo.nwb").toStdString(), ignored);
    DemoOptions other;
    other.trialsPerCondition = kTrialsPerCondition;
    other.seed = 2;
    (void)gui::ensureDemoFiles(dir_.filePath("demo").toStdString(), other);
    auto changed = makeWindow();
    QVERIFY(changed != nullptr);
    QSignalSpy restoredAgain(changed.get(), &MainWindow::sessionRestored);
    changed->openSession(path);
    auto* box = changed->findChild<QMessageBox*>("sessionChangedBox");
    QVERIFY(box != nullptr);
    QVERIFY2(box->text().contains("demo.nwb") && box->text().contains("changed"), qPrintable(box->text()));
    QVERIFY(restoredAgain.wait(kPipelineTimeoutMs) || !restoredAgain.isEmpty());
    QCOMPARE(changed->controller().inferenceRuns(), 1);  // a changed input: the model runs again
    // and the old results are not shown as if they belonged to the new inputs.
    QVERIFY(changed->controller().probe() == nullptr);
    QVERIFY(changed->controller().attribution() == nullptr);
    closeMessageBoxes(changed.get());
    selectColour(window, "condition");
  }

  void cancelledJobLeavesTheWindowUsable() {
    MainWindow& window = *window_;
    gui::AnalysisPanel* analysis = window.analysisPanel();
    analysis->findChild<QSpinBox*>("attributionTrials")->setValue(0);  // all trials
    analysis->findChild<QSpinBox*>("attributionSteps")->setValue(200);
    QTest::mouseClick(analysis->attributionButton(), Qt::LeftButton);
    BackgroundJob& job = window.controller().analysisJob();
    QVERIFY(job.isRunning());
    auto* progress = window.findChild<gui::JobProgressWidget*>("jobProgress");
    QVERIFY(progress->isVisible());
    QTest::qWait(200);
    auto* cancel = progress->findChild<QToolButton*>("jobCancelButton");
    QTest::mouseClick(cancel, Qt::LeftButton);
    QVERIFY(waitForJob(job, 30000));
    QCOMPARE(job.outcome(), BackgroundJob::Outcome::Cancelled);
    QVERIFY(!progress->isVisible());
    // Earlier results stay; the buttons work again; the view still responds.
    QVERIFY(window.controller().attribution() != nullptr);
    QVERIFY(analysis->attributionButton()->isEnabled());
    window.trajectoryControls()->setTime(3);
    QCOMPARE(window.scene()->time(), std::size_t{3});
    // A probe runs to the end afterwards: hand velocity read out from the latents.
    auto* target = analysis->findChild<QComboBox*>("probeTarget");
    const int velocity = target->findData("behavior:hand_vel");
    QVERIFY(velocity >= 0);
    target->setCurrentIndex(velocity);
    QTest::mouseClick(analysis->probeButton(), Qt::LeftButton);
    QVERIFY(waitForJob(job));
    QCOMPARE(job.outcome(), BackgroundJob::Outcome::Succeeded);
    const auto probe = window.controller().probe();
    QVERIFY(probe != nullptr);
    QCOMPARE(probe->result.r2PerDim.size(), std::size_t{2});  // x and y velocity
    qInfo("hand velocity from latents: cross-validated R2 %.3f", probe->result.r2);
    // The model was trained on this simulation, whose velocity follows latents: well above zero.
    QVERIFY2(probe->result.r2 > 0.1 && probe->result.r2 <= 1.0, qPrintable(QString::number(probe->result.r2)));
    QVERIFY(analysis->probePlot()->plot() != nullptr);
    maybeScreenshot(window, "probe");
    // One row per trial: the trials' mean latents, the folds named in the summary.
    auto* rows = analysis->findChild<QComboBox*>("probeRows");
    QVERIFY(rows != nullptr);
    rows->setCurrentIndex(rows->findData(true));
    QTest::mouseClick(analysis->probeButton(), Qt::LeftButton);
    QVERIFY(waitForJob(job));
    QCOMPARE(job.outcome(), BackgroundJob::Outcome::Succeeded);
    const auto perTrial = window.controller().probe();
    QCOMPARE(perTrial->result.rowsKind, ProbeRowsKind::Trials);
    QCOMPARE(perTrial->result.rows, window.controller().recording()->trialCount());
    const auto* summary = window.findChild<QLabel*>("analysisSummary");
    QVERIFY(summary != nullptr);
    QVERIFY2(summary->text().contains("one row per trial"), qPrintable(summary->text()));
    rows->setCurrentIndex(rows->findData(false));
  }

  void badModelIsAMessageNotACrash() {
    MainWindow& window = *window_;
    const QString bad = dir_.filePath("broken_model.pt");
    {
      QFile out(bad);
      QVERIFY(out.open(QIODevice::WriteOnly));
      out.write("not a TorchScript archive");
    }
    window.openModel(bad);
    QVERIFY(waitForJob(window.controller().modelJob()));
    QCOMPARE(window.controller().modelJob().outcome(), BackgroundJob::Outcome::Failed);
    auto* box = window.findChild<QMessageBox*>("problemBox");
    QVERIFY(box != nullptr);
    QVERIFY2(box->text().contains("broken_model.pt"), qPrintable(box->text()));
    closeMessageBoxes(&window);
    // The previous model and its trajectories are still there.
    QVERIFY(window.scene() != nullptr && window.controller().latents() != nullptr);
  }

  // A file that crashes libhdf5 itself (tests/data/damaged/README.md) is read first by neurolens-cli in its
  // own process: the window shows why and keeps what it had.
  void recordingThatCrashesTheReaderIsAMessage() {
    MainWindow& window = *window_;
    const QString damaged = QString(NEUROLENS_SOURCE_DIR) + "/tests/data/damaged/segfaults_hdf5_1.nwb";
    const auto* before = window.controller().recording();
    QVERIFY(before != nullptr);
    window.openRecording(damaged);
    QVERIFY(waitForJob(window.controller().recordingJob()));
    QCOMPARE(window.controller().recordingJob().outcome(), BackgroundJob::Outcome::Failed);
    auto* box = window.findChild<QMessageBox*>("recordingErrorBox");
    QVERIFY(box != nullptr);
    QVERIFY2(box->text().contains("segfaults_hdf5_1.nwb") && box->text().contains("damaged"), qPrintable(box->text()));
    closeMessageBoxes(&window);
    QCOMPARE(window.controller().recording(), before);
    QVERIFY(window.scene() != nullptr);
  }

  // A file on which libhdf5 loops: the read check in the child process is cancelled at once, and the window
  // keeps its recording.
  void recordingThatHangsTheReaderCanBeCancelled() {
    MainWindow& window = *window_;
    const auto* before = window.controller().recording();
    window.openRecording(QString(NEUROLENS_SOURCE_DIR) + "/tests/data/damaged/hangs_hdf5.nwb");
    QVERIFY(window.controller().recordingJob().isRunning());
    QTest::qWait(1000);
    QVERIFY(window.controller().recordingJob().isRunning());  // still checking
    QElapsedTimer cancelled;
    cancelled.start();
    window.controller().cancelAll();
    QVERIFY(waitForJob(window.controller().recordingJob(), 10000));
    qInfo("cancelled after %lld ms", static_cast<long long>(cancelled.elapsed()));
    QVERIFY2(cancelled.elapsed() < 3000, "the check stops within one slice, not at its 120 s limit");
    QCOMPARE(window.controller().recordingJob().outcome(), BackgroundJob::Outcome::Cancelled);
    QCOMPARE(window.controller().recording(), before);
  }

  // Left alone, the same file costs a message within the reading limit (10 s for a small file), not the 120 s
  // of the check; so does a MAT-file that asks libmatio for 24 GB. Both come from the fuzzers' findings.
  void malformedRecordingsAreMessagesWithinTheirLimits() {
    MainWindow& window = *window_;
    const auto* before = window.controller().recording();
    const QString source = QString(NEUROLENS_SOURCE_DIR);
    const QList<QPair<QString, QString>> cases = {
        {source + "/tests/data/damaged/hangs_hdf5.nwb", "took longer than"},
        {source + "/tests/fuzz/corpus/mat/mat_oom_851_bytes_24GB.mat", "damaged"}};
    for (const auto& [file, why] : cases) {
      QElapsedTimer clock;
      clock.start();
      window.openRecording(file);
      QVERIFY(waitForJob(window.controller().recordingJob(), 30000));
      qInfo("%s: failed after %lld ms", qPrintable(QFileInfo(file).fileName()),
            static_cast<long long>(clock.elapsed()));
      QCOMPARE(window.controller().recordingJob().outcome(), BackgroundJob::Outcome::Failed);
      auto* box = window.findChild<QMessageBox*>("recordingErrorBox");
      QVERIFY(box != nullptr);
      QVERIFY2(box->text().contains(QFileInfo(file).fileName()) && box->text().contains(why), qPrintable(box->text()));
      closeMessageBoxes(&window);
      QCOMPARE(window.controller().recording(), before);
    }
  }

  void modelThatDoesNotFitTheRecordingIsReported() {
    const QString other = QString(NEUROLENS_SHARED_DATA) + "/pmd_reach_yu2009.nwb";
    if (!QFile::exists(other)) QSKIP("shared data pmd_reach_yu2009.nwb not found");
    MainWindow& window = *window_;
    QSignalSpy opened(&window, &MainWindow::recordingOpened);
    window.openRecording(other);
    QVERIFY(opened.wait(kPipelineTimeoutMs) || !opened.isEmpty());
    QCOMPARE(opened.first().at(1).toBool(), true);
    // The demo model (150 units) is rerun on the new recording, and refuses it.
    QTRY_VERIFY_WITH_TIMEOUT(window.controller().modelJob().outcome() != BackgroundJob::Outcome::None, 30000);
    QVERIFY(waitForJob(window.controller().modelJob()));
    auto* box = window.findChild<QMessageBox*>("problemBox");
    QVERIFY(box != nullptr);
    QVERIFY2(box->windowTitle().contains("does not fit") && box->text().contains("pmd_reach_yu2009.nwb"),
             qPrintable(box->windowTitle() + ": " + box->text()));
    // Both recordings stay open (issue 28 step 3): the new pair is in error with the reason and draws nothing;
    // the demo's pair is still drawn, and the docks go back to it.
    const workspace::Workspace& space = window.workspace().workspace();
    const workspace::RecordingItem* recording = space.findRecording(QFileInfo(other).absoluteFilePath().toStdString());
    QVERIFY(recording != nullptr);
    const workspace::ModelItem* model =
        space.findModel(QFileInfo(window.controller().attemptedModel()).absoluteFilePath().toStdString());
    QVERIFY(model != nullptr);
    const workspace::PairItem* wrong = space.findPair(recording->id, model->id);
    QVERIFY(wrong != nullptr);
    QCOMPARE(wrong->state, workspace::State::Error);
    QVERIFY2(wrong->error.find("units") != std::string::npos, wrong->error.c_str());
    QTRY_VERIFY(window.controller().latents() != nullptr && window.workspace().focusedPair() != wrong->id);
    QVERIFY(!window.emptyStateShown());
    QTRY_VERIFY(window.pairGrid()->shownPairs().size() >= 2);
    QCOMPARE(window.pairGrid()->drawn(wrong->id), std::size_t{0});
    closeMessageBoxes(&window);
  }
};

NEUROLENS_DISPLAY_TEST_MAIN(TestWorkbench)
#include "test_workbench.moc"
