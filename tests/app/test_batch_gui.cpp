// The main window opens a batch folder (issue 20 step 4) made here by `neurolens-cli batch run` over three shared
// recordings x two models and `batch merge` (batch_fixture.h): the folder given as a file opens the Batch dock
// with one row per task holding the merged CSV's text, cell for cell, the failed task shown with its error; the
// table sorts as numbers and filters; a double-click on a row opens its recording and model in the workspace and
// the pair becomes ready (the failed task's pair is in error for the same reason the task failed); a dropped
// folder, a folder without a batch, Reload after results.csv is gone, and the remembered folder. Needs an X server.
#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <memory>
#include <optional>
#include <vector>

#include "actions/open_batch_action.h"
#include "batch_fixture.h"
#include "drop_files.h"
#include "main_window.h"
#include "neurolens/views/trajectory_scene.h"
#include "support/display_test_support.h"
#include "widgets/batch_panel.h"
#include "widgets/batch_table_model.h"
#include "widgets/pair_grid.h"
#include "workspace_controller.h"

using namespace neurolens;
using neurolens::gui::BatchPanel;
using neurolens::gui::MainWindow;

namespace {

constexpr int kOpenTimeoutMs = 90000;

QString readFile(const QString& file) {
  QFile in(file);
  return in.open(QIODevice::ReadOnly) ? QString::fromUtf8(in.readAll()) : QString();
}

// RFC 4180 CSV, read independently of the code under test.
std::vector<QStringList> csvRows(const QString& text) {
  std::vector<QStringList> rows;
  QStringList row;
  QString field;
  bool quoted = false;
  for (int i = 0; i < text.size(); ++i) {
    const QChar c = text[i];
    if (quoted && c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
      field += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == ',') {
      row << field;
      field.clear();
    } else if (!quoted && c == '\n') {
      row << field;
      field.clear();
      rows.push_back(row);
      row.clear();
    } else {
      field += c;
    }
  }
  return rows;
}

QString cell(const BatchPanel& panel, std::size_t row, const std::string& column, int role = Qt::DisplayRole) {
  const int c = panel.model().columnIndex(column);
  if (c < 0) return "<no column " + QString::fromStdString(column) + ">";
  return panel.model().data(panel.model().index(static_cast<int>(row), c), role).toString();
}

}  // namespace

class TestBatchGui : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  test::BatchFixture batch_;
  std::vector<QStringList> csv_;
  std::unique_ptr<MainWindow> window_;

  BatchPanel* panel() const { return window_->findChild<BatchPanel*>("batchPanel"); }

  // Double-clicks the cell of `row` (a table row) in its first column, where the view shows it now.
  void doubleClickRow(BatchPanel& panel, std::size_t row) {
    const int shown = panel.viewRow(row);
    QVERIFY(shown >= 0);
    QTableView* view = panel.view();
    const QModelIndex index = view->model()->index(shown, 0);
    view->scrollTo(index);
    const QPoint at = view->visualRect(index).center();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, at);
  }

  void waitSettled() {
    QTRY_VERIFY_WITH_TIMEOUT(window_->opener().isIdle() && window_->workspace().workspace().settled() &&
                                 !window_->workspace().workspace().pairs().empty(),
                             kOpenTimeoutMs);
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("NeuroLensTest");
    QCoreApplication::setApplicationName("NeuroLensTestBatchGui");
    QSettings().clear();
    QVERIFY(dir_.isValid());
    const QString problem = test::makeBatch(dir_.path(), batch_);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const auto merge = test::runCli({"batch", "merge", batch_.dir});
    QVERIFY2(merge.exitCode == 0, qPrintable(merge.err));
    csv_ = csvRows(readFile(batch_.dir + "/results.csv"));
    QCOMPARE(csv_.size(), std::size_t(batch_.tasks + 1));
  }
  void init() {
    window_ = std::make_unique<MainWindow>();
    window_->resize(1600, 1000);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  }
  void cleanup() { window_.reset(); }

  // The folder given as a file (command line, Recent Files): the Batch dock with the merged CSV, cell for cell.
  void folderOpensAsTheMergedTable() {
    QVERIFY(panel() == nullptr);  // made on first use
    window_->openFiles({batch_.dir});
    BatchPanel* batch = panel();
    QVERIFY(batch != nullptr);
    auto* dock = window_->findChild<QDockWidget*>("batchDock");
    QVERIFY(dock != nullptr && dock->isVisible());
    QVERIFY(window_->opener().isIdle());  // nothing was queued for the folder: not refused as a file either
    QCOMPARE(QDir(batch->folder()).canonicalPath(), QDir(batch_.dir).canonicalPath());
    QVERIFY(batch->table().fromMergedFile);
    QVERIFY2(batch->summary()->text().contains("12 tasks: 11 done, 1 failed, 0 not run"),
             qPrintable(batch->summary()->text()));
    QCOMPARE(batch->model().rowCount(), batch_.tasks);
    QCOMPARE(batch->view()->model()->rowCount(), batch_.tasks);
    // One row per task, every column of the CSV with its text (the Batch dock adds status and error).
    const QStringList& header = csv_[0];
    QCOMPARE(batch->model().columnCount(), header.size() + 2);
    int compared = 0;
    for (std::size_t row = 1; row < csv_.size(); ++row) {
      QCOMPARE(csv_[row].size(), header.size());
      for (int c = 0; c < header.size(); ++c) {
        QCOMPARE(cell(*batch, row - 1, header[c].toStdString()), csv_[row][c]);
        ++compared;
      }
    }
    QCOMPARE(compared, batch_.tasks * static_cast<int>(header.size()));
    QCOMPARE(batch->model().headerData(5, Qt::Horizontal).toString(), QString("status"));
    QCOMPARE(batch->model().headerData(6, Qt::Horizontal).toString(), QString("error"));
    // The failed task: its state, its error line (cell and tooltip), its row tinted.
    const std::size_t failed = 10;
    QCOMPARE(cell(*batch, failed, "id"), batch_.failing);
    QCOMPARE(cell(*batch, failed, "status"), QString("failed (exit 3)"));
    QVERIFY2(cell(*batch, failed, "error").contains("expects 61 units but the recording"),
             qPrintable(cell(*batch, failed, "error")));
    QVERIFY(cell(*batch, failed, "id", Qt::ToolTipRole).contains("expects 61 units"));
    QVERIFY(batch->model().data(batch->model().index(static_cast<int>(failed), 0), Qt::BackgroundRole).isValid());
    QCOMPARE(cell(*batch, 0, "status"), QString("done"));
    QVERIFY(cell(*batch, 0, "error").isEmpty());
    QVERIFY(!batch->model().data(batch->model().index(0, 0), Qt::BackgroundRole).isValid());
    // Remembered for File > Open Batch Folder...'s dialog, which the File menu has.
    QCOMPARE(QSettings().value("dialogs/batchFolder").toString(), QFileInfo(batch_.dir).absoluteFilePath());
    auto* action = window_->findChild<QAction*>("actionOpenBatchFolder");
    QVERIFY(action != nullptr);
    QVERIFY(window_->findChild<QMenu*>("menuFile")->actions().contains(action));
    QVERIFY(window_->findChild<QMenu*>("menuView")->actions().contains(dock->toggleViewAction()));
  }

  // Numbers sort as numbers (empty cells last when descending), the filter matches any column.
  void sortsAndFilters() {
    window_->openFiles({batch_.dir});
    BatchPanel* batch = panel();
    QVERIFY(batch != nullptr);
    const int column = batch->model().columnIndex("bits_per_spike");
    QVERIFY(column >= 0);
    batch->view()->sortByColumn(column, Qt::DescendingOrder);
    // The CSV's bits_per_spike, largest first, from the CSV's text.
    const int csvColumn = static_cast<int>(csv_[0].indexOf("bits_per_spike"));
    std::vector<std::pair<double, std::size_t>> values;
    for (std::size_t row = 1; row < csv_.size(); ++row)
      if (!csv_[row][csvColumn].isEmpty()) values.emplace_back(csv_[row][csvColumn].toDouble(), row - 1);
    QCOMPARE(values.size(), std::size_t{5});  // the evaluate tasks that ran
    std::sort(values.rbegin(), values.rend());
    for (std::size_t k = 0; k < values.size(); ++k) QCOMPARE(batch->tableRow(static_cast<int>(k)), values[k].second);
    QVERIFY(values[0].first > values[1].first);  // not a tie: the order is the numbers'
    QVERIFY(cell(*batch, batch->tableRow(batch_.tasks - 1), "bits_per_spike").isEmpty());
    batch->filter()->setText("m1_stevenson");
    QCOMPARE(batch->view()->model()->rowCount(), 4);  // info, bin and two evaluates
    batch->filter()->setText("failed");
    QCOMPARE(batch->view()->model()->rowCount(), 1);
    QCOMPARE(batch->tableRow(0), std::size_t{10});
  }

  // A double-click opens the row's recording and model in the workspace, and the pair becomes ready.
  void doubleClickOpensThePair() {
    window_->openFiles({batch_.dir});
    BatchPanel* batch = panel();
    QVERIFY(batch != nullptr);
    batch->view()->sortByColumn(batch->model().columnIndex("command"), Qt::DescendingOrder);  // rows move
    const std::size_t row = 6;  // 0006-pmd_reach_yu2009-pmd61-evaluate
    QCOMPARE(cell(*batch, row, "id"), QString("0006-pmd_reach_yu2009-pmd61-evaluate"));
    doubleClickRow(*batch, row);
    waitSettled();
    const workspace::Workspace& space = window_->workspace().workspace();
    QCOMPARE(space.recordings().size(), std::size_t{1});
    QCOMPARE(space.models().size(), std::size_t{1});
    QCOMPARE(space.pairs().size(), std::size_t{1});
    const workspace::PairItem& pair = space.pairs().front();
    QCOMPARE(QString::fromStdString(space.recording(pair.recording)->path), cell(*batch, row, "recording"));
    QVERIFY(pair.model.has_value());
    QCOMPARE(QString::fromStdString(space.model(*pair.model)->path), cell(*batch, row, "model"));
    QVERIFY2(pair.state == workspace::State::Ready, pair.error.c_str());
    QVERIFY(pair.latents != nullptr);
    QCOMPARE(pair.latents->dim(0), std::size_t{210});  // the recording's trials
    QCOMPARE(pair.latents->dim(2), std::size_t{3});    // the model's latents
    // Drawn: the focus pair in the window's own view (as --state-json counts it), one trajectory per trial and
    // one mean per condition.
    QCOMPARE(window_->workspace().focusedPair(), std::optional<workspace::Id>(pair.id));
    QTRY_VERIFY_WITH_TIMEOUT(window_->trajectories() != nullptr && !window_->emptyStateShown(), 10000);
    const gui::Trajectories* drawn = window_->trajectories();
    QVERIFY(drawn != nullptr);
    QCOMPARE(drawn->data.points.dim(0), std::size_t{210 + 7});
    QCOMPARE(drawn->groups.names.size(), std::size_t{7});  // reach1..reach7
    QVERIFY(window_->scene() != nullptr);
    QVERIFY(window_->scene()->conditionCount() >= 7);
    if (const QString grabs = qEnvironmentVariable("NEUROLENS_TEST_GRABS"); !grabs.isEmpty()) {
      QTest::qWait(200);
      window_->grab().save(grabs + "/batch_pair_opened.png");
    }

    // The failed task's pair opens too, and is in error for the reason the task failed.
    const std::optional<workspace::Id> model = pair.model;  // `pair` is not kept across the next opening
    doubleClickRow(*batch, 10);
    QTRY_VERIFY_WITH_TIMEOUT(window_->opener().isIdle() && space.settled() && space.recordings().size() == 2,
                             kOpenTimeoutMs);
    const auto* m1 = space.findRecording(cell(*batch, 10, "recording").toStdString());
    QVERIFY(m1 != nullptr);
    const workspace::PairItem* mismatch = space.findPair(m1->id, model);
    QVERIFY(mismatch != nullptr);
    QCOMPARE(mismatch->state, workspace::State::Error);
    QVERIFY2(QString::fromStdString(mismatch->error).contains("61") &&
                 QString::fromStdString(mismatch->error).contains("171"),
             mismatch->error.c_str());
  }

  // Open Pair with a row selected does the same; a row whose model is gone says so and opens nothing.
  void openPairButtonAndAGoneModel() {
    window_->openFiles({batch_.dir});
    BatchPanel* batch = panel();
    auto* button = batch->findChild<QPushButton*>("batchOpenPair");
    QVERIFY(button != nullptr && !button->isEnabled());
    batch->view()->selectRow(batch->viewRow(0));  // info: the recording alone
    QVERIFY(button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
    waitSettled();
    const workspace::Workspace& space = window_->workspace().workspace();
    QCOMPARE(space.recordings().size(), std::size_t{1});
    QCOMPARE(space.models().size(), std::size_t{0});
    QCOMPARE(space.pairs().front().state, workspace::State::Ready);

    const QString moved = dir_.path() + "/moved";
    QVERIFY(QDir().mkpath(moved));
    QFile::copy(batch_.dir + "/tasks.json", moved + "/tasks.json");
    QFile tasks(moved + "/tasks.json");
    const QString text = readFile(tasks.fileName()).replace("any_units.pt", "gone.pt");
    QVERIFY(tasks.open(QIODevice::WriteOnly | QIODevice::Truncate));
    tasks.write(text.toUtf8());
    tasks.close();
    gui::openBatchFolder(*window_, *window_, moved);
    QCOMPARE(batch->table().count(gui::BatchTaskState::NotRun), std::size_t(batch_.tasks));
    QVERIFY2(batch->summary()->text().contains("not merged yet"), qPrintable(batch->summary()->text()));
    QSignalSpy problems(window_.get(), &MainWindow::fileRefused);
    doubleClickRow(*batch, 7);  // 0007: pmd_reach_yu2009 x gone.pt
    QVERIFY2(window_->statusBar()->currentMessage().contains("gone.pt no longer exists"),
             qPrintable(window_->statusBar()->currentMessage()));
    QVERIFY(window_->opener().isIdle());
    QCOMPARE(space.models().size(), std::size_t{0});
    QCOMPARE(problems.count(), 0);
  }

  // A dropped batch folder is accepted and opens; a folder without a batch says why; Reload reads it again.
  void droppedFolderNoBatchAndReload() {
    neurolens::testing::dropFiles(window_.get(), {batch_.dir});
    BatchPanel* batch = panel();
    QVERIFY(batch != nullptr);
    QCOMPARE(batch->model().rowCount(), batch_.tasks);

    gui::openBatchFolder(*window_, *window_, dir_.path());  // holds the batch, is none
    QCOMPARE(batch->model().rowCount(), 0);
    QVERIFY2(batch->summary()->text().contains("not a batch folder"), qPrintable(batch->summary()->text()));

    // results.csv gone: Reload merges in memory, the same cells, and says to run batch merge.
    gui::openBatchFolder(*window_, *window_, batch_.dir);
    QVERIFY(batch->table().fromMergedFile);
    QVERIFY(QFile::rename(batch_.dir + "/results.csv", batch_.dir + "/results.csv.kept"));
    QTest::mouseClick(batch->findChild<QPushButton*>("batchReload"), Qt::LeftButton);
    QVERIFY(QFile::rename(batch_.dir + "/results.csv.kept", batch_.dir + "/results.csv"));
    QVERIFY(!batch->table().fromMergedFile);
    QVERIFY2(batch->summary()->text().contains("neurolens-cli batch merge"), qPrintable(batch->summary()->text()));
    for (std::size_t row = 1; row < csv_.size(); ++row)
      for (int c = 0; c < csv_[0].size(); ++c) QCOMPARE(cell(*batch, row - 1, csv_[0][c].toStdString()), csv_[row][c]);
  }
};

NEUROLENS_DISPLAY_TEST_MAIN(TestBatchGui)
#include "test_batch_gui.moc"
