// The attribution of the window under the time cursor in the main window (issue 21 step 4), on real
// recordings: pmd_reach_yu2009 with a 61-unit GRU (python/make_gui_model.py) and m1_stevenson2011 (continuous,
// 171 units) with a CEBRA-style conv whose metadata states its receptive field (../cli/python/
// make_stream_models.py). Checks that the window shown is the one under the cursor, that its attribution equals
// `neurolens-cli attribute` on the same trial (relative difference < 1e-4), that a window seen before comes from
// the cache, that a moving cursor starts few jobs and the last result shown is the cursor's last window, and that
// new options compute again; a GRU without receptive-field metadata has its context measured once. Prints the time from
// cursor move to shown (not asserted: machines differ), and saves screenshots of the window
// (NEUROLENS_BINARY_DIR/test_cursor_attribution_*.png). Needs an X server.
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>
#include <memory>

#include "cli_runner.h"
#include "cursor_attribution_controller.h"
#include "main_window.h"
#include "neurolens/io/results_store.h"
#include "support/display_test_support.h"
#include "widgets/analysis_panel.h"
#include "widgets/table_panel.h"
#include "widgets/trajectory_controls.h"
#include "widgets/window_attribution_view.h"

using namespace neurolens;
using namespace neurolens::gui;

namespace {

constexpr int kOpenTimeoutMs = 180000;
constexpr int kShowTimeoutMs = 60000;

// max |a - b| / max |b| over two arrays of the same size.
double relativeDifference(const float* a, const float* b, std::size_t n) {
  double diff = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(a[i] - b[i])));
    scale = std::max(scale, static_cast<double>(std::abs(b[i])));
  }
  return diff / std::max(scale, 1e-12);
}

}  // namespace

class TestCursorAttribution : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir folder_;
  QString gru_;
  QString conv_;
  QString gru171_;
  std::unique_ptr<MainWindow> window_;

  CursorAttributionController& cursor() {
    return *window_->findChild<CursorAttributionController*>("cursorAttribution");
  }
  WindowAttributionView& view() { return *window_->analysisPanel()->windowAttributionView(); }

  void openPair(const QString& recording, const QString& model) {
    window_->openFiles({recording, model});
    QTRY_VERIFY_WITH_TIMEOUT(
        window_->opener().isIdle() && window_->controller().latents() != nullptr && !window_->controller().busy(),
        kOpenTimeoutMs);
    QVERIFY(window_->controller().fitProblem().isEmpty());
  }

  // Moves the cursor to `bin` and waits until the view shows the window holding it (of `trial`); returns the
  // milliseconds from the move to shown (-1: not within kShowTimeoutMs).
  double moveAndWait(int bin, std::size_t trial) {
    QElapsedTimer timer;
    timer.start();
    window_->trajectoryControls()->setTime(bin);
    const auto holds = [&] {
      const auto& shown = view().shown();
      return shown != nullptr && shown->window.trial == trial &&
             shown->window.targetBegin <= static_cast<std::size_t>(bin) &&
             static_cast<std::size_t>(bin) < shown->window.targetEnd && !cursor().busy();
    };
    // Polled every 2 ms (the measured time is at most that late); -1 when it never shows.
    while (!holds()) {
      if (timer.elapsed() > kShowTimeoutMs) return -1.0;
      QTest::qWait(2);
    }
    return static_cast<double>(timer.nsecsElapsed()) / 1e6;
  }

  void saveScreenshot(const QString& name) {
    QTest::qWait(200);  // let the plot paint
    const QString path = QString(NEUROLENS_BINARY_DIR) + "/test_cursor_attribution_" + name + ".png";
    QVERIFY(window_->grab().save(path));
    qInfo("screenshot: %s", qPrintable(path));
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("NeuroLensTest");
    QCoreApplication::setApplicationName("NeuroLensTestCursorAttribution");
    QSettings().clear();
    QVERIFY(folder_.isValid());
    gru_ = folder_.filePath("pmd_gru.pt");
    const auto gru = test::runPython({QString(NEUROLENS_SOURCE_DIR) + "/tests/app/python/make_gui_model.py", gru_});
    if (gru.exitCode != 0) QSKIP(qPrintable("torch could not make the test model: " + gru.err));
    const auto conv = test::runPython({QString(NEUROLENS_SOURCE_DIR) + "/tests/cli/python/make_stream_models.py",
                                       folder_.path(), "171", "--bin-ms", "20"});
    QVERIFY2(conv.exitCode == 0, qPrintable(conv.err));
    conv_ = folder_.filePath("conv_meta.pt");
    gru171_ = folder_.filePath("gru.pt");
  }
  void init() {
    window_ = std::make_unique<MainWindow>();
    window_->resize(1600, 1000);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  }
  void cleanup() { window_.reset(); }

  void pmdTrialEqualsTheCli() {
    const QString recording = test::sharedData("pmd_reach_yu2009.nwb");
    if (!QFileInfo::exists(recording)) QSKIP("the shared recording pmd_reach_yu2009.nwb is not here");
    openPair(recording, gru_);
    AnalysisPanel& panel = *window_->analysisPanel();
    QVERIFY(!panel.cursorWindowShown());
    QCOMPARE(cursor().jobsStarted(), 0);  // nothing is computed while the tab is hidden
    panel.showCursorWindow();
    QTRY_VERIFY_WITH_TIMEOUT(view().shown() != nullptr && !cursor().busy(), kShowTimeoutMs);
    QCOMPARE(view().shown()->window.trial, std::size_t{0});

    constexpr std::size_t trial = 12;
    window_->trialsTable()->selectRows({trial});
    const double first = moveAndWait(7, trial);
    QVERIFY2(first >= 0.0, "the window under the cursor was not shown in time");
    const auto shown = view().shown();
    QCOMPARE(shown->window.targetBegin, std::size_t{0});  // 20 bins < 1 s: the whole trial
    QCOMPARE(shown->window.targetEnd, std::size_t{20});
    QCOMPARE(shown->window.inputEnd, std::size_t{20});
    QCOMPARE(shown->targets.size(), std::size_t{8});  // all latents
    QCOMPARE(shown->attributions.dim(0), std::size_t{8});
    QCOMPARE(shown->attributions.dim(1), std::size_t{20});
    QCOMPARE(shown->attributions.dim(2), std::size_t{61});
    QVERIFY(view().headerText().contains("Trial 13"));
    QVERIFY(view().summaryText().contains("Completeness error"));
    qInfo("pmd_reach_yu2009 + 61-unit GRU: cursor move to shown %.0f ms (computed in %.0f ms)", first,
          shown->computeSeconds * 1000.0);

    // Another bin of the same trial is the same window: from the cache, no new job.
    const int jobs = cursor().jobsStarted();
    const std::size_t hits = cursor().cache().hits();
    const double cached = moveAndWait(15, trial);
    QVERIFY2(cached >= 0.0, "the window under the cursor was not shown in time");
    QCOMPARE(cursor().jobsStarted(), jobs);
    QVERIFY(cursor().cache().hits() > hits);
    QCOMPARE(view().shown(), shown);
    qInfo("pmd_reach_yu2009: a cached window shown %.1f ms after the cursor moved", cached);
    saveScreenshot("pmd");

    // The CLI on the same recording and model with the dock's options (20 steps, zero baseline).
    const QString out = folder_.filePath("pmd_attr.h5");
    const auto cli = test::runCli({"attribute", "--model", gru_, recording, "--steps", "20", "--out", out, "--json"});
    QVERIFY2(cli.exitCode == 0, qPrintable(cli.err));
    const FloatArray all = io::ResultsReader(out.toStdString()).readArray("/attributions");
    QCOMPARE(all.rank(), std::size_t{4});
    QCOMPARE(all.dim(0), std::size_t{210});
    const std::size_t block = all.dim(1) * all.dim(2) * all.dim(3);
    QCOMPARE(block, shown->attributions.size());
    const double rel = relativeDifference(shown->attributions.data(), all.data() + trial * block, block);
    qInfo("pmd trial %zu: relative difference to the CLI %.3g", trial, rel);
    QVERIFY2(rel < 1e-4, qPrintable(QString("relative difference %1").arg(rel)));
    // Not vacuous: another trial's attribution differs.
    QVERIFY(relativeDifference(shown->attributions.data(), all.data() + (trial + 1) * block, block) > 1e-2);

    // New options: computed again (the cache was dropped), with the new steps.
    auto* steps = panel.findChild<QSpinBox*>("attributionSteps");
    QVERIFY(steps != nullptr);
    steps->setValue(40);
    QTRY_VERIFY_WITH_TIMEOUT(view().shown() != shown && view().shown() != nullptr && !cursor().busy(), kShowTimeoutMs);
    QCOMPARE(view().shown()->stepsUsed, 40);
    QCOMPARE(cursor().jobsStarted(), jobs + 1);
  }

  void m1ContinuousWindowFollowsTheCursor() {
    const QString recording = test::sharedData("m1_stevenson2011.nwb");
    if (!QFileInfo::exists(recording)) QSKIP("the shared recording m1_stevenson2011.nwb is not here");
    openPair(recording, conv_);
    AnalysisPanel& panel = *window_->analysisPanel();
    panel.showCursorWindow();
    QTRY_VERIFY_WITH_TIMEOUT(view().shown() != nullptr && !cursor().busy(), kShowTimeoutMs);

    const double first = moveAndWait(20000, 0);
    QVERIFY2(first >= 0.0, "the window under the cursor was not shown in time");
    const auto shown = view().shown();
    qInfo("m1 window %zu-%zu input %zu-%zu, context %zu + %zu (%s), recording %zu x %zu", shown->window.targetBegin,
          shown->window.targetEnd, shown->window.inputBegin, shown->window.inputEnd, shown->field.before,
          shown->field.after, shown->field.source.c_str(), window_->controller().recording()->trialCount(),
          window_->controller().recording()->binCount());
    QCOMPARE(shown->window.targetEnd - shown->window.targetBegin, std::size_t{50});  // 1 s of 20 ms bins
    QCOMPARE(shown->field.before, std::size_t{5});  // receptive_field_bins [5, 4] from the model's metadata
    QCOMPARE(shown->field.after, std::size_t{4});
    QCOMPARE(shown->window.inputBegin, shown->window.targetBegin - 5);
    QCOMPARE(shown->window.inputEnd, shown->window.targetEnd + 4);
    QCOMPARE(shown->attributions.dim(2), std::size_t{171});
    QVERIFY(view().headerText().startsWith("Recording"));
    qInfo("m1_stevenson2011 + 171-unit conv: cursor move to shown %.0f ms (computed in %.0f ms)", first,
          shown->computeSeconds * 1000.0);
    // The widening is exact: attribute() on a longer stretch of the recording, with the window's target bins,
    // gives the window's inputs the same attribution and every input outside them nothing (the conv sees 5 + 4).
    {
      const AttributionWindow& w = shown->window;
      const FloatArray& counts = window_->controller().recording()->counts;
      const std::size_t units = counts.dim(2), begin = w.inputBegin - 100, bins = (w.inputEnd + 100) - begin;
      FloatArray stretch({1, bins, units});
      std::copy_n(counts.data() + begin * units, bins * units, stretch.data());
      AttributionOptions options;
      options.steps = 20;
      options.targetBins = std::make_pair(w.targetBegin - begin, w.targetEnd - begin);
      const AttributionResult reference = attributeAll(*window_->controller().model(), stretch, options);
      const std::size_t targets = shown->targets.size(), inputBins = w.inputEnd - w.inputBegin;
      QCOMPARE(reference.all.attributions.dim(1), targets);
      double diff = 0.0, scale = 0.0, outside = 0.0;
      for (std::size_t k = 0; k < targets; ++k)
        for (std::size_t b = 0; b < bins; ++b)
          for (std::size_t u = 0; u < units; ++u) {
            const float ref = reference.all.attributions.data()[(k * bins + b) * units + u];
            scale = std::max(scale, static_cast<double>(std::abs(ref)));
            const std::size_t bin = begin + b;
            if (bin < w.inputBegin || bin >= w.inputEnd) {
              outside = std::max(outside, static_cast<double>(std::abs(ref)));
              continue;
            }
            const float mine = shown->attributions.data()[(k * inputBins + (bin - w.inputBegin)) * units + u];
            diff = std::max(diff, static_cast<double>(std::abs(mine - ref)));
          }
      qInfo("m1 window vs attribute() on 200 more bins: relative difference %.3g, largest outside %.3g", diff / scale,
            outside / scale);
      QVERIFY(scale > 0.0);
      QVERIFY2(diff / scale < 1e-4, qPrintable(QString("relative difference %1").arg(diff / scale)));
      QVERIFY2(outside / scale < 1e-6, qPrintable(QString("outside the window %1").arg(outside / scale)));
    }

    // A burst of moves (faster than any job: no event is handled in between) starts at most two jobs, the
    // running one and the latest waiting one; the window shown at the end is the last move's.
    int jobs = cursor().jobsStarted();
    for (int bin = 20001; bin <= 20400; ++bin) window_->trajectoryControls()->setTime(bin);
    double last = moveAndWait(20400, 0);
    QVERIFY2(last >= 0.0, "the window under the cursor was not shown in time");
    QVERIFY2(cursor().jobsStarted() - jobs <= 2,
             qPrintable(QString("%1 jobs for a burst of 400 moves").arg(cursor().jobsStarted() - jobs)));
    qInfo("m1: a burst of 400 cursor moves started %d jobs; the last window shown %.0f ms after the last move",
          cursor().jobsStarted() - jobs, last);
    // Moving as Play does (events handled between moves): at most one job per window passed, none queued up.
    jobs = cursor().jobsStarted();
    QElapsedTimer timer;
    timer.start();
    for (int bin = 20401; bin <= 20600; ++bin) {
      window_->trajectoryControls()->setTime(bin);
      QTest::qWait(5);
    }
    last = moveAndWait(20600, 0);
    QVERIFY2(last >= 0.0, "the window under the cursor was not shown in time");
    const int started = cursor().jobsStarted() - jobs;
    qInfo(
        "m1: 200 cursor moves 5 ms apart started %d jobs; the last window shown %.0f ms after the last move "
        "(%.0f ms in all)",
        started, last, static_cast<double>(timer.elapsed()));
    QVERIFY2(started <= 41, qPrintable(QString("%1 jobs for 200 moves over 40 windows").arg(started)));
    QVERIFY(view().shown()->window.targetBegin <= 20600 && 20600 < view().shown()->window.targetEnd);
    // Back to a window passed on the way (cached, whether or not it was shown then): no new job.
    const int before = cursor().jobsStarted();
    const double back = moveAndWait(20550, 0);
    QVERIFY2(back >= 0.0, "the window under the cursor was not shown in time");
    QCOMPARE(cursor().jobsStarted(), before);
    qInfo("m1: back to a cached window in %.1f ms", back);
    saveScreenshot("m1");
  }

  // A model without receptive_field_bins (a bidirectional GRU): the context is measured once on the recording by
  // the probe of core/streaming.h, then reused for every window of the pair.
  void m1GruWithoutMetadataMeasuresItsContextOnce() {
    const QString recording = test::sharedData("m1_stevenson2011.nwb");
    if (!QFileInfo::exists(recording)) QSKIP("the shared recording m1_stevenson2011.nwb is not here");
    openPair(recording, gru171_);
    window_->analysisPanel()->showCursorWindow();
    QElapsedTimer timer;
    timer.start();
    QTRY_VERIFY_WITH_TIMEOUT(view().shown() != nullptr && !cursor().busy(), kShowTimeoutMs);
    const double withProbe = static_cast<double>(timer.elapsed());
    const auto first = view().shown();
    QCOMPARE(QString::fromStdString(first->field.source), QString("probe"));
    QVERIFY(first->field.before > 0 && first->field.after > 0);  // bidirectional: context on both sides
    const double later = moveAndWait(20000, 0);
    QVERIFY2(later >= 0.0, "the window under the cursor was not shown in time");
    const auto shown = view().shown();
    QCOMPARE(shown->field.before, first->field.before);
    QCOMPARE(shown->window.inputBegin, shown->window.targetBegin - shown->field.before);
    QCOMPARE(shown->window.inputEnd, shown->window.targetEnd + shown->field.after);
    qInfo(
        "m1_stevenson2011 + 171-unit bidirectional GRU (no metadata): first window with the probe %.0f ms "
        "(context %zu + %zu bins); a later window %.0f ms from the cursor move (computed in %.0f ms)",
        withProbe, shown->field.before, shown->field.after, later, shown->computeSeconds * 1000.0);
  }
};

NEUROLENS_DISPLAY_TEST_MAIN(TestCursorAttribution)
#include "test_cursor_attribution.moc"
