// Compare > Lesion (issue 29 steps 3 and 5): the Qt-free choices (pair, unit-column values, selected unit ids,
// effects rows, undo history); the window's Lesion panel, whose numbers (and cells) equal `neurolens-cli lesion
// --json` for the same inputs and default options on the demo (cell_type=tuned) and on the shared PMd recording
// through a GRU made at test time (twelve units by id, mode zero); Undo back to the previous lesion and to the
// intact view; Cancel; and the real program with --view lesion:cell_type=tuned whose --state-json `views` entry
// equals the CLI's `lesions` entry. Issue 29 step 6: the mode, the random lesions and the seed chosen in the panel
// give the CLI's entry for the same options, are remembered in the app's settings, and a mode the study refuses is
// shown in the panel. Needs an X server (xvfb-run).
#include <QAction>
#include <QComboBox>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <memory>

#include "actions/lesion_action.h"
#include "cli_runner.h"
#include "logic/lesion_choice.h"
#include "main_window.h"
#include "session/app_settings.h"
#include "widgets/lesion_view.h"
#include "widgets/table_panel.h"
#include "workspace_controller.h"

using namespace neurolens;
using neurolens::gui::MainWindow;

namespace {

constexpr int kOpenTimeoutMs = 90000;
QString sharedData(const QString& name) { return QString(NEUROLENS_SHARED_DATA) + "/" + name; }

using Run = test::ProcessResult;
using test::readJsonFile;
using test::runIsolated;

QJsonObject parse(const QByteArray& text) { return QJsonDocument::fromJson(text.trimmed()).object(); }

// The `lesions` entry of lesion --json (one lesion) with the CLI's defaults.
QJsonObject cliEntry(const QStringList& arguments, const QString& home) {
  const Run run =
      runIsolated(NEUROLENS_CLI_EXE, QStringList{"lesion"} + arguments + QStringList{"--json", "--quiet"}, home);
  if (run.exitCode != 0) qWarning("lesion: %s", qPrintable(run.err));
  return parse(run.out.toUtf8())["lesions"].toArray().at(0).toObject();
}

QString text(double value) { return QString::fromStdString(gui::lesionNumberText(value)); }

QJsonObject shownNumbers(const gui::LesionView& view) {
  return parse(QByteArray::fromStdString(view.numbers().dump()));
}

}  // namespace

class TestLesionView : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir folder_;
  std::unique_ptr<MainWindow> window_;
  QString demo_;
  QString demoModel_;

  void openWindow(const QStringList& files) {
    window_ = std::make_unique<MainWindow>();
    window_->setDialogsShown(false);
    window_->resize(1600, 1000);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    window_->openFiles(files);
    QTRY_VERIFY_WITH_TIMEOUT(window_->opener().isIdle() && window_->workspace().workspace().settled(), kOpenTimeoutMs);
  }

  // Runs the panel's lesion and checks its numbers and cells against the CLI's entry.
  void lesionEqualsTheCli(const QString& units, const QString& mode, const QStringList& cliArguments,
                          std::size_t conditions) {
    auto* lesion = window_->findChild<gui::LesionAction*>();
    QVERIFY(lesion != nullptr);
    QSignalSpy finished(lesion, &gui::LesionAction::lesionFinished);
    QVERIFY(lesion->run(units, mode));
    QVERIFY(lesion->isRunning());  // in the background
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(lesion->error()));
    gui::LesionView* view = lesion->view();
    QVERIFY(view != nullptr && view->isVisible() && view->hasResult());
    QCOMPARE(view->trajectories(), 2 * conditions);  // each condition intact and lesioned
    QCOMPARE(view->lesionedLines(), conditions);

    const QJsonObject cli = cliEntry(cliArguments, folder_.path());
    QVERIFY(!cli.isEmpty());
    QCOMPARE(shownNumbers(*view), cli);
    // The cells: value, percentile and p of each effect with a null; each latent's variance lost.
    QTableWidget* table = view->effectsTable();
    const QJsonObject random = cli["random"].toObject();
    const QJsonArray lost = cli["latent_variance_lost"].toArray();
    int checked = 0;
    for (int r = 0; r < table->rowCount(); ++r) {
      const QString key = table->item(r, 0)->data(Qt::UserRole).toString();
      const QString value = table->item(r, 1)->text();
      if (key == "condition_shift" || key == "bits_per_spike_lesioned") {
        QCOMPARE(value, text(cli[key].toDouble()));
        QCOMPARE(table->item(r, 2)->text(), text(random[key].toObject()["percentile"].toDouble()));
        QCOMPARE(table->item(r, 3)->text(), text(random[key].toObject()["p"].toDouble()));
        ++checked;
      } else if (key == "latent_variance_lost") {
        double mean = 0.0;
        for (const auto& v : lost) mean += v.toDouble() / lost.size();
        QCOMPARE(value, text(mean));
        QCOMPARE(table->item(r, 3)->text(), text(random[key].toObject()["p"].toDouble()));
        ++checked;
      } else if (key.startsWith("latent_variance_lost[")) {
        const int k = key.mid(21, key.size() - 22).toInt();
        QCOMPARE(value, text(lost.at(k).toDouble()));
        ++checked;
      }
    }
    QCOMPARE(checked, 3 + static_cast<int>(lost.size()));
    qInfo("%s (%s): condition shift %.4f (percentile %.1f, p %.4f), mean variance lost p %.4f", qPrintable(units),
          qPrintable(mode), cli["condition_shift"].toDouble(),
          random["condition_shift"].toObject()["percentile"].toDouble(),
          random["condition_shift"].toObject()["p"].toDouble(),
          random["latent_variance_lost"].toObject()["p"].toDouble());
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("NeuroLensTest");
    QCoreApplication::setApplicationName("NeuroLensTestLesionView");
    QSettings().clear();
    QVERIFY(folder_.isValid());
    const Run demo = runIsolated(NEUROLENS_CLI_EXE, {"demo", "--quiet", "--out", folder_.path()}, folder_.path());
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
    demo_ = folder_.path() + "/demo.nwb";
    demoModel_ = folder_.path() + "/demo_model.pt";
  }
  void cleanupTestCase() { window_.reset(); }

  void choices() {
    std::vector<gui::LesionPairInput> pairs{{"a.nwb", std::nullopt, "", true},
                                            {"b.nwb", std::string("m.pt"), "", false},
                                            {"c.nwb", std::string("m.pt"), "s2", true},
                                            {"d.nwb", std::string("n.pt"), "", true}};
    gui::LesionChoice choice = gui::chooseLesionPair(pairs);
    QVERIFY(choice.ok());
    QCOMPARE(choice.pair, std::size_t{2});  // the first ready pair with a model
    QCOMPARE(choice.session, std::string("s2"));
    QCOMPARE(gui::chooseLesionPair(pairs, std::size_t{3}).pair, std::size_t{3});  // the selected one
    QCOMPARE(gui::chooseLesionPair(pairs, std::size_t{1}).pair, std::size_t{2});  // not ready: the first usable
    QVERIFY(!gui::chooseLesionPair({pairs[0], pairs[1]}).ok());
    QCOMPARE(gui::lesionUnitList({12, 3, 7, 3}), std::string("3,7,12"));
    QVERIFY(gui::lesionUnitList({}).empty());

    Table units;
    units.add(Column{"id", "", std::vector<double>{0, 1, 2, 3}, {}});
    units.add(Column{"cell_type", "", std::vector<std::string>{"tuned", "ramp", "tuned", "ramp"}, {}});
    units.add(Column{"rate", "", std::vector<double>{1.5, 2.5, 3.5, 4.5}, {}});
    units.add(Column{"shank", "", std::vector<double>{1, 1, 2, 2}, {}});
    units.add(Column{"same", "", std::vector<std::string>{"x", "x", "x", "x"}, {}});
    const std::vector<std::string> expected{"cell_type=ramp", "cell_type=tuned", "shank=1", "shank=2"};
    QCOMPARE(gui::lesionColumnChoices(units), expected);

    const auto rows = gui::lesionNumberRows(nlohmann::json::parse(
        R"({"label":"x","units":2,"latent_variance_lost":[0.2,0.4],"condition_shift":1.5,
            "bits_per_spike_intact":0.3,"bits_per_spike_lesioned":0.2,
            "random":{"latent_variance_lost":{"percentile":90,"p":0.1},"condition_shift":{"percentile":99,"p":0.02},
                      "bits_per_spike_lesioned":{"percentile":50,"p":0.5}}})"));
    QCOMPARE(rows.size(), std::size_t{6});
    QCOMPARE(rows[0].value, 0.3);  // the mean variance lost
    QCOMPARE(*rows[0].p, 0.1);
    QCOMPARE(*rows[1].percentile, 99.0);
    QVERIFY(!rows[2].p);  // bits per spike intact: no null
    QCOMPARE(*rows[3].p, 0.5);
    QCOMPARE(rows[5].key, std::string("latent_variance_lost[1]"));

    gui::LesionHistory history;
    QVERIFY(!history.canUndo());
    auto first = std::make_shared<app::LesionStudyResult>();
    auto second = std::make_shared<app::LesionStudyResult>();
    history.push(first);
    history.push(second);
    QCOMPARE(history.current(), std::shared_ptr<const app::LesionStudyResult>(second));
    QCOMPARE(history.undo(), std::shared_ptr<const app::LesionStudyResult>(first));
    QVERIFY(history.undo() == nullptr);  // the intact view
    QVERIFY(history.intactSource() != nullptr);
    QVERIFY(!history.canUndo());
  }

  // The demo: cell_type=tuned (the units the CLI's test singles out), then Undo.
  void demoPanelEqualsTheCliAndUndoes() {
    if (!QFileInfo::exists(demoModel_)) QSKIP("this build has no bundled demo model");
    openWindow({demo_, demoModel_});
    auto* action = window_->findChild<QAction*>("actionLesion");
    QVERIFY(action != nullptr);
    action->trigger();  // opens the panel on the pair, with the unit column's values to choose from
    auto* lesion = window_->findChild<gui::LesionAction*>();
    QVERIFY(lesion->view() != nullptr && lesion->view()->isVisible());
    auto* units = lesion->view()->findChild<QComboBox*>("lesionUnits");
    QVERIFY(units != nullptr && units->findText("cell_type=tuned") >= 0);
    lesionEqualsTheCli("cell_type=tuned", "mean", {"--model", demoModel_, "--lesion", "cell_type=tuned", demo_}, 8);
    const QJsonObject tuned = shownNumbers(*lesion->view());
    QVERIFY(tuned["random"].toObject()["condition_shift"].toObject()["p"].toDouble() < 0.05);
    lesionEqualsTheCli("cell_type=untuned", "zero",
                       {"--model", demoModel_, "--lesion", "cell_type=untuned", "--mode", "zero", demo_}, 8);
    // Undo: back to the tuned lesion, then to the intact view (no dashed lines, no effects).
    auto* undo = lesion->view()->findChild<QPushButton*>("lesionUndo");
    QVERIFY(undo->isEnabled());
    undo->click();
    QCOMPARE(shownNumbers(*lesion->view()), tuned);
    undo->click();
    QVERIFY(!lesion->view()->hasResult());
    QCOMPARE(lesion->view()->lesionedLines(), std::size_t{0});
    QCOMPARE(lesion->view()->trajectories(), std::size_t{8});
    QCOMPARE(lesion->view()->effectsTable()->rowCount(), 0);
    QVERIFY(!undo->isEnabled());
  }

  // Units selected in the Units table become the lesion (by id).
  void selectedUnitsBecomeTheLesion() {
    if (!window_) QSKIP("needs the window of demoPanelEqualsTheCliAndUndoes");
    auto* lesion = window_->findChild<gui::LesionAction*>();
    window_->unitsTable()->selectRows({0, 2, 5});
    lesion->useSelectedUnits();
    QCOMPARE(lesion->view()->units(), QString("0,2,5"));
  }

  void cancelStopsTheStudy() {
    if (!window_) QSKIP("needs the window of demoPanelEqualsTheCliAndUndoes");
    auto* lesion = window_->findChild<gui::LesionAction*>();
    QSignalSpy finished(lesion, &gui::LesionAction::lesionFinished);
    QVERIFY(lesion->run("cell_type=tuned", "shuffle"));
    auto* cancel = lesion->view()->findChild<QPushButton*>("lesionCancel");
    QVERIFY(cancel != nullptr && cancel->isVisible());
    cancel->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QVERIFY(!finished.at(0).at(0).toBool());
    QVERIFY2(lesion->error().contains("cancelled"), qPrintable(lesion->error()));
    auto* close = lesion->view()->findChild<QPushButton*>("lesionClose");
    close->click();
    QVERIFY(!lesion->view()->isVisible());
    window_.reset();
  }

  // The shared PMd recording through a GRU fitted to it: twelve units by id, zeroed.
  void sharedRecordingPanelEqualsTheCli() {
    const QString recording = sharedData("pmd_reach_yu2009.nwb");
    if (!QFileInfo::exists(recording)) QSKIP("the shared PMd recording is not here");
    const QString model = folder_.path() + "/gru.pt";
    QProcess python;
    python.start(NEUROLENS_TEST_PYTHON, {QString(NEUROLENS_SOURCE_DIR) + "/tests/app/python/make_gui_model.py", model});
    QVERIFY(python.waitForFinished(120000));
    if (python.exitCode() != 0)
      QSKIP(qPrintable("torch could not make the test model: " + python.readAllStandardError()));
    openWindow({recording, model});
    const QString ids = "1,2,3,4,5,6,7,8,9,10,11,12";
    lesionEqualsTheCli(ids, "zero", {"--model", model, "--lesion", ids, "--mode", "zero", recording}, 7);
    window_.reset();
  }

  // The options' Qt-free parts: the spec, the CLI arguments they stand for, the settings.
  void optionsAndSettings() {
    gui::LesionChoice choice;
    choice.recording = "r.nwb";
    choice.model = "m.pt";
    const app::LesionStudySpec spec = gui::lesionSpecFor(choice, "1,2", "shuffle", {30, 7});
    QCOMPARE(spec.randomRepeats, std::size_t{30});
    QCOMPARE(spec.seed, std::uint64_t{7});
    QCOMPARE(spec.mode, std::string("shuffle"));
    QCOMPARE(gui::lesionOptionsText("mean", {}), std::string("(defaults)"));
    QCOMPARE(gui::lesionOptionsText("zero", {30, 7}), std::string("--mode zero --random-repeats 30 --seed 7"));
    const QString ini = folder_.path() + "/lesion_settings.ini";
    QCOMPARE(gui::AppSettings(ini).lesionMode(), std::string("mean"));
    QCOMPARE(gui::AppSettings(ini).lesionOptions().randomRepeats, std::size_t{100});
    gui::AppSettings(ini).setLesionOptions("boost:2", {30, 7});
    QCOMPARE(gui::AppSettings(ini).lesionMode(), std::string("boost:2"));
    QCOMPARE(gui::AppSettings(ini).lesionOptions().randomRepeats, std::size_t{30});
    QCOMPARE(gui::AppSettings(ini).lesionOptions().seed, std::uint64_t{7});
  }

  // The shared PMd recording through the GRU with --mode shuffle --random-repeats 30 --seed 7 chosen in the
  // panel: its entry equals the CLI's; the next window shows the same options; a bad mode is the study's error.
  void optionsEqualTheCliAndAreRemembered() {
    const QString recording = sharedData("pmd_reach_yu2009.nwb");
    const QString model = folder_.path() + "/gru.pt";
    if (!QFileInfo::exists(recording) || !QFileInfo::exists(model))
      QSKIP("needs the PMd recording and the GRU of sharedRecordingPanelEqualsTheCli");
    openWindow({recording, model});
    window_->findChild<QAction*>("actionLesion")->trigger();
    auto* lesion = window_->findChild<gui::LesionAction*>();
    gui::LesionView* view = lesion->view();
    QVERIFY(view != nullptr);
    view->findChild<QSpinBox*>("lesionRandomRepeats")->setValue(30);
    view->findChild<QSpinBox*>("lesionSeed")->setValue(7);
    const QString ids = "1,2,3,4,5,6,7,8,9,10,11,12";
    lesionEqualsTheCli(
        ids, "shuffle",
        {"--model", model, "--lesion", ids, "--mode", "shuffle", "--random-repeats", "30", "--seed", "7", recording},
        7);
    const QString status = view->findChild<QLabel*>("lesionStatus")->text();
    QVERIFY2(status.contains("options: --mode shuffle --random-repeats 30 --seed 7"), qPrintable(status));
    QCOMPARE(gui::AppSettings().lesionMode(), std::string("shuffle"));
    QCOMPARE(gui::AppSettings().lesionOptions().randomRepeats, std::size_t{30});

    // The next window shows them.
    openWindow({recording, model});
    window_->findChild<QAction*>("actionLesion")->trigger();
    lesion = window_->findChild<gui::LesionAction*>();
    view = lesion->view();
    QCOMPARE(view->mode(), QString("shuffle"));
    QCOMPARE(view->options().randomRepeats, std::size_t{30});
    QCOMPARE(view->options().seed, std::uint64_t{7});

    // A mode the study refuses: its error in the panel, as the CLI says it.
    QSignalSpy finished(lesion, &gui::LesionAction::lesionFinished);
    view->setUnits(ids);
    view->setMode("boost:abc");
    view->findChild<QPushButton*>("lesionRun")->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    QVERIFY(!finished.at(0).at(0).toBool());
    const Run cli = runIsolated(
        NEUROLENS_CLI_EXE,
        {"lesion", "--model", model, "--lesion", ids, "--mode", "boost:abc", recording, "--json", "--quiet"},
        folder_.path());
    QVERIFY(cli.exitCode != 0);
    // The CLI checks the mode as it parses (a usage line around the same sentence); the panel says the sentence.
    const QString prefix = "Lesion failed: ";
    QVERIFY2(lesion->error().startsWith(prefix), qPrintable(lesion->error()));
    const QString message = lesion->error().mid(prefix.size());
    QVERIFY2(message.contains("boost factor") && cli.err.contains(message), qPrintable(message + " vs " + cli.err));
    QVERIFY(view->findChild<QLabel*>("lesionStatus")->text().contains(message));
    QVERIFY(view->findChild<QPushButton*>("lesionRun")->isEnabled());
    window_.reset();
  }

  // The real program: DEMO MODEL --view lesion:cell_type=tuned; the state's lesion view equals the CLI's entry.
  void headlessViewLesionEqualsTheCli() {
    if (!QFileInfo::exists(demoModel_)) QSKIP("this build has no bundled demo model");
    const QString state = folder_.path() + "/lesion_state.json";
    const QString png = folder_.path() + "/lesion.png";
    const Run run = runIsolated(NEUROLENS_GUI_EXE,
                                {demo_, demoModel_, "--view", "lesion:cell_type=tuned", "--screenshot", png,
                                 "--state-json", state, "--size", "1600x1000", "--no-restore"},
                                folder_.path());
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonArray views = readJsonFile(state)["views"].toArray();
    QCOMPARE(views.size(), 1);
    const QJsonObject view = views.at(0).toObject();
    QCOMPARE(view["kind"].toString(), QString("lesion"));
    QCOMPARE(view["pairs"].toArray(), QJsonArray{0});
    QCOMPARE(view["trajectories"].toInt(), 16);  // 8 conditions, intact and lesioned
    const QJsonObject cli = cliEntry({"--model", demoModel_, "--lesion", "cell_type=tuned", demo_}, folder_.path());
    QCOMPARE(view["numbers"].toObject(), cli);
    QCOMPARE(QImage(png).width(), 1600);
    // A column the recording lacks: exit 3 with one error line naming it.
    const Run bad = runIsolated(
        NEUROLENS_GUI_EXE, {demo_, demoModel_, "--view", "lesion:no_such=1", "--state-json", state, "--no-restore"},
        folder_.path());
    QCOMPARE(bad.exitCode, 3);
    QVERIFY2(bad.err.contains("no column 'no_such'"), qPrintable(bad.err));
  }
};

QTEST_MAIN(TestLesionView)
#include "test_lesion_view.moc"
