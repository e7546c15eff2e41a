// Compare > Matrix (issue 29 steps 4 and 5): the Qt-free choice of the sides (every ready pair, three or more),
// the heatmap's cell lookup; the window's matrix on the shared recordings pmd_reach_yu2009 and pmd_reach_ex2 and
// a copy of pmd_reach_yu2009 in another folder (three pairs without a model), whose numbers equal
// `neurolens-cli align --matrix --json` on the same files; a click on a cell opens that cell's two pairs in
// Compare > Align, Back returns; Cancel; and the real program with --view matrix on five planted animals
// (simulated, with other units each: three share one dynamics, two another), whose --state-json `views` equal the
// CLI's matrix, and with fewer than three pairs (exit 3, one error line). Needs an X server (xvfb-run).
#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <memory>

#include "actions/align_action.h"
#include "actions/matrix_action.h"
#include "cli_runner.h"
#include "logic/matrix_choice.h"
#include "main_window.h"
#include "neurolens/core/simulator.h"
#include "neurolens/io/nwb_writer.h"
#include "widgets/align_view.h"
#include "widgets/matrix_view.h"
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

// align --matrix --json without its timing.
QJsonObject cliMatrix(const QStringList& files, const QString& home) {
  const Run run =
      runIsolated(NEUROLENS_CLI_EXE, QStringList{"align", "--matrix"} + files + QStringList{"--json", "--quiet"}, home);
  if (run.exitCode != 0) qWarning("align --matrix: %s", qPrintable(run.err));
  QJsonObject numbers = parse(run.out.toUtf8());
  numbers.remove("seconds");
  return numbers;
}

QString matrixText(const QJsonObject& numbers) {
  QString text;
  for (const auto& row : numbers["matrix"].toArray()) {
    for (const auto& value : row.toArray()) text += QString(" %1").arg(value.toDouble(), 0, 'f', 3);
    text += " |";
  }
  return text;
}

}  // namespace

class TestMatrixView : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir folder_;
  std::unique_ptr<MainWindow> window_;
  QStringList files_;  // the window's three recordings

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("NeuroLensTest");
    QCoreApplication::setApplicationName("NeuroLensTestMatrixView");
    QSettings().clear();
    QVERIFY(folder_.isValid());
  }
  void cleanupTestCase() { window_.reset(); }

  void choosesEveryReadyPairAndFindsCells() {
    std::vector<gui::AlignPairInput> pairs{{"/d/a.nwb", std::string("/m/gru.pt"), "", true},
                                           {"/d/b.nwb", std::nullopt, "", false},
                                           {"/d/c.nwb", std::nullopt, "", true},
                                           {"/e/c.nwb", std::nullopt, "", true}};
    gui::MatrixChoice choice = gui::chooseMatrixPairs(pairs);
    QVERIFY2(choice.ok(), choice.error.c_str());
    QCOMPARE(choice.pairs, (std::vector<std::size_t>{0, 2, 3}));  // pair 1 is not ready
    QCOMPARE(choice.sides[0].model, std::string("/m/gru.pt"));
    QVERIFY(choice.sides[1].model.empty());
    QCOMPARE(choice.labels, (std::vector<std::string>{"a \u00b7 gru", "d/c", "e/c"}));
    QVERIFY(gui::matrixAvailable(pairs));
    pairs[3].ready = false;
    QVERIFY(!gui::matrixAvailable(pairs));
    choice = gui::chooseMatrixPairs(pairs);
    QVERIFY(!choice.ok());
    QVERIFY(choice.pairs.empty());
    QVERIFY2(QString::fromStdString(choice.error).contains("three or more pairs"), choice.error.c_str());
    QVERIFY2(QString::fromStdString(choice.error).contains("2 of 4"), choice.error.c_str());
    QCOMPARE(gui::defaultMatrixOptions().statistic, std::string("cca_heldout_mean"));
    QCOMPARE(gui::defaultMatrixOptions().study.statistics.permutations, std::size_t{200});
    // Cells from label centres (some labels thinned out): slot k spans centre +- half the spacing.
    const std::vector<std::pair<std::size_t, double>> centres{{0, 15.0}, {2, 35.0}, {4, 55.0}};
    QCOMPARE(gui::matrixSlotAt(centres, 5, 15.0), std::optional<std::size_t>(0));
    QCOMPARE(gui::matrixSlotAt(centres, 5, 19.9), std::optional<std::size_t>(0));
    QCOMPARE(gui::matrixSlotAt(centres, 5, 20.1), std::optional<std::size_t>(1));  // slot 1 (no label): 20-30
    QCOMPARE(gui::matrixSlotAt(centres, 5, 30.1), std::optional<std::size_t>(2));
    QCOMPARE(gui::matrixSlotAt(centres, 5, 59.9), std::optional<std::size_t>(4));
    QVERIFY(!gui::matrixSlotAt(centres, 5, 60.1));      // past the last cell
    QVERIFY(!gui::matrixSlotAt(centres, 5, 9.9));       // before the first
    QVERIFY(!gui::matrixSlotAt({{1, 20.0}}, 5, 20.0));  // one centre gives no spacing
    QCOMPARE(gui::matrixCellSides({2, 0, 1}, 0, 2), (std::optional<std::pair<std::size_t, std::size_t>>({2, 1})));
    QVERIFY(!gui::matrixCellSides({2, 0, 1}, 1, 1));  // the diagonal: a side with itself
    QVERIFY(!gui::matrixCellSides({2, 0, 1}, 0, 3));
  }

  // Compare > Matrix in the window on three shared recordings (each a pair without a model).
  void matrixEqualsTheCliAndCellsOpenAlign() {
    // As the workspace keeps them (absolute, clean), so that `sides` compare equal.
    const QString a = QDir::cleanPath(QFileInfo(sharedData("pmd_reach_yu2009.nwb")).absoluteFilePath());
    const QString b = QDir::cleanPath(QFileInfo(sharedData("pmd_reach_ex2.nwb")).absoluteFilePath());
    if (!QFileInfo::exists(a) || !QFileInfo::exists(b)) QSKIP("the shared PMd recordings are not here");
    QVERIFY(QDir(folder_.path()).mkpath("copy"));
    const QString c = folder_.path() + "/copy/pmd_reach_yu2009.nwb";
    QVERIFY(QFile::copy(a, c));
    files_ = {a, b, c};
    window_ = std::make_unique<MainWindow>();
    window_->setDialogsShown(false);
    window_->resize(1600, 1000);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    auto* action = window_->findChild<QAction*>("actionMatrix");
    QVERIFY(action != nullptr);
    QVERIFY(!action->isEnabled());  // no pairs yet
    window_->openFiles({a, b});
    QTRY_VERIFY_WITH_TIMEOUT(window_->opener().isIdle() && window_->workspace().workspace().settled(), kOpenTimeoutMs);
    QVERIFY(!action->isEnabled());  // two pairs
    window_->openFiles({c});
    QTRY_VERIFY_WITH_TIMEOUT(window_->opener().isIdle() && window_->workspace().workspace().settled(), kOpenTimeoutMs);
    QCOMPARE(window_->workspace().workspace().pairs().size(), std::size_t{3});
    QVERIFY(action->isEnabled());

    auto* matrix = window_->findChild<gui::MatrixAction*>();
    QVERIFY(matrix != nullptr);
    QSignalSpy finished(matrix, &gui::MatrixAction::matrixFinished);
    action->trigger();
    QVERIFY(matrix->isRunning());  // in the background
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(matrix->error()));
    gui::MatrixView* view = matrix->view();
    QVERIFY(view != nullptr && view->isVisible() && view->hasResult());
    QCOMPARE(view->pairs(), (std::vector<std::size_t>{0, 1, 2}));

    const QJsonObject cli = cliMatrix(files_, folder_.path());
    QVERIFY(!cli.isEmpty());
    const QJsonObject shown = parse(QByteArray::fromStdString(view->numbers().dump()));
    QCOMPARE(shown, cli);
    qInfo("matrix of yu2009, ex2, a copy of yu2009: held-out CCA%s order %d %d %d", qPrintable(matrixText(cli)),
          cli["order"].toArray()[0].toInt(), cli["order"].toArray()[1].toInt(), cli["order"].toArray()[2].toInt());
    // A side against its copy is the same data: held-out CCA 1, significant.
    QCOMPARE(cli["matrix"].toArray()[0].toArray()[2].toDouble(), 1.0);
    QVERIFY(cli["p_values"].toArray()[0].toArray()[2].toDouble() < 0.01);

    // The heatmap is drawn with its labels; a click on a cell opens its two pairs aligned.
    gui::MatrixHeatmapWidget* heatmap = view->heatmap();
    const QImage image = heatmap->grab().toImage();
    QVERIFY(image.width() > 300);
    const std::vector<std::size_t> order{static_cast<std::size_t>(cli["order"].toArray()[0].toInt()),
                                         static_cast<std::size_t>(cli["order"].toArray()[1].toInt()),
                                         static_cast<std::size_t>(cli["order"].toArray()[2].toInt())};
    const std::optional<QPointF> centre = heatmap->cellCentre(0, 1);
    QVERIFY(centre.has_value());
    QCOMPARE(heatmap->cellAt(*centre), (std::optional<std::pair<std::size_t, std::size_t>>({0, 1})));
    auto* align = window_->findChild<gui::AlignAction*>();
    QVERIFY(align != nullptr);
    QSignalSpy aligned(align, &gui::AlignAction::alignFinished);
    QTest::mouseClick(heatmap, Qt::LeftButton, {}, centre->toPoint());
    QTRY_COMPARE_WITH_TIMEOUT(aligned.count(), 1, 60000);
    QVERIFY2(aligned.at(0).at(0).toBool(), qPrintable(align->error()));
    QVERIFY(align->view()->isVisible());
    QCOMPARE(align->view()->pairs(), std::make_pair(order[0], order[1]));
    // The diagonal opens nothing.
    QTest::mouseClick(heatmap, Qt::LeftButton, {}, heatmap->cellCentre(1, 1).value_or(QPointF()).toPoint());
    QTest::qWait(200);
    QCOMPARE(aligned.count(), 1);
    // Align's Back returns to the matrix, the matrix's Back to the views.
    align->view()->findChild<QPushButton*>("alignClose")->click();
    QVERIFY(view->isVisible());
    view->findChild<QPushButton*>("matrixClose")->click();
    QVERIFY(!view->isVisible());
  }

  void cancelStopsTheStudy() {
    if (!window_) QSKIP("needs the window of matrixEqualsTheCliAndCellsOpenAlign");
    auto* matrix = window_->findChild<gui::MatrixAction*>();
    QSignalSpy finished(matrix, &gui::MatrixAction::matrixFinished);
    QVERIFY(matrix->run());
    auto* cancel = matrix->view()->findChild<QPushButton*>("matrixCancel");
    QVERIFY(cancel != nullptr && cancel->isVisible());
    cancel->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QVERIFY(!finished.at(0).at(0).toBool());
    QVERIFY2(matrix->error().contains("cancelled"), qPrintable(matrix->error()));
    QVERIFY(!matrix->view()->hasResult());
  }

  // The real program: five planted animals --view matrix; the state's matrix view equals `align --matrix`.
  void headlessViewMatrixEqualsTheCli() {
    struct Planted {
      const char* name;
      std::uint64_t seed;
      int rotational;
      int tuned;
    };
    const std::vector<Planted> animals{
        {"rot_a", 31, 48, 0}, {"dir_a", 32, 0, 44}, {"rot_b", 33, 30, 0}, {"rot_c", 34, 60, 0}, {"dir_b", 35, 0, 30}};
    QStringList files;
    for (const auto& animal : animals) {
      DemoOptions options;
      options.seed = animal.seed;
      options.trialsPerCondition = 20;
      options.rotationalUnits = animal.rotational;
      options.rampingUnits = 0;
      options.tunedUnits = animal.tuned;
      options.untunedUnits = 20;
      const QString file = folder_.path() + "/" + animal.name + ".nwb";
      io::writeNwb(simulateDemo(options).recording, file.toStdString());
      files << file;
    }
    const QString state = folder_.path() + "/matrix_state.json";
    const QString png =
        QString(qEnvironmentVariableIsSet("NEUROLENS_TEST_KEEP") ? qgetenv("NEUROLENS_TEST_KEEP") : folder_.path()) +
        "/matrix.png";
    const Run run = runIsolated(NEUROLENS_GUI_EXE,
                                files + QStringList{"--view", "matrix", "--screenshot", png, "--state-json", state,
                                                    "--size", "1600x1000", "--no-restore"},
                                folder_.path());
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject o = readJsonFile(state);
    const QJsonArray views = o["views"].toArray();
    QCOMPARE(views.size(), 1);
    const QJsonObject view = views[0].toObject();
    QCOMPARE(view["kind"].toString(), QString("matrix"));
    QCOMPARE(view["pairs"].toArray(), (QJsonArray{0, 1, 2, 3, 4}));
    const QJsonObject cli = cliMatrix(files, folder_.path());
    QCOMPARE(view["numbers"].toObject()["matrix"].toArray(), cli["matrix"].toArray());
    QCOMPARE(view["numbers"].toObject(), cli);
    qInfo("--view matrix, planted animals: held-out CCA%s", qPrintable(matrixText(cli)));
    QCOMPARE(QImage(png).width(), 1600);

    // Fewer than three pairs: exit 3 with one error line saying so (the PNG and state are still written).
    const Run two = runIsolated(
        NEUROLENS_GUI_EXE, QStringList{files[0], files[1], "--view", "matrix", "--state-json", state, "--no-restore"},
        folder_.path());
    QCOMPARE(two.exitCode, 3);
    const QStringList errors = two.err.split('\n').filter(QRegularExpression("^error:"));
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors[0].contains("three or more pairs"), qPrintable(two.err));
    QVERIFY(readJsonFile(state)["views"].toArray().isEmpty());
  }
};

QTEST_MAIN(TestMatrixView)
#include "test_matrix_view.moc"
