// A batch folder read by the GUI's Qt-free logic (issue 20 step 4; app/gui/logic/batch_folder.h), alone, on a
// real batch made here with `neurolens-cli batch run` over three shared recordings x two models: recognising
// the folder, the table merged in memory before `batch merge` and read from results.csv after it (the same
// cells, each equal to its task's summary.json), a results.csv that is out of date, the failed task with its
// error line, rows mapped to their (recording, model) pairs, and CSV parsing.
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>

#include "batch_fixture.h"
#include "logic/batch_folder.h"
#include "logic/file_kind.h"
#include "neurolens/core/errors.h"

using namespace neurolens::gui;
namespace fs = std::filesystem;

namespace {

QString readFile(const QString& file) {
  QFile in(file);
  return in.open(QIODevice::ReadOnly) ? QString::fromUtf8(in.readAll()) : QString();
}

void writeFile(const QString& file, const QString& text) {
  QFile out(file);
  QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
  out.write(text.toUtf8());
}

const BatchColumn* columnNamed(const std::vector<BatchColumn>& columns, const std::string& name) {
  for (const auto& column : columns)
    if (column.name == name) return &column;
  return nullptr;
}

// The table's columns as a map from name to texts, for comparing two reads.
std::map<std::string, std::vector<std::string>> texts(const std::vector<BatchColumn>& columns) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& column : columns) out[column.name] = column.text;
  return out;
}

// A summary's numbers flattened with dots, as the contract merges them (independently of the code under test).
void numbersOf(const QJsonValue& value, const QString& key, std::map<std::string, double>& out) {
  if (value.isObject()) {
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) numbersOf(it.value(), key + "." + it.key(), out);
  } else if (value.isDouble()) {
    out[key.mid(1).toStdString()] = value.toDouble();
  }
}

// RFC 4180 CSV, read independently of the code under test.
std::vector<std::vector<QString>> csvRows(const QString& text) {
  std::vector<std::vector<QString>> rows;
  std::vector<QString> row;
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
      row.push_back(field);
      field.clear();
    } else if (!quoted && c == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
    } else {
      field += c;
    }
  }
  return rows;
}

}  // namespace

class TestBatchFolder : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  neurolens::test::BatchFixture batch_;
  BatchTable unmerged_;  // read before `batch merge`

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const QString problem = neurolens::test::makeBatch(dir_.path(), batch_);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
  }

  void recognisesBatchFolders() {
    QVERIFY(isBatchFolder(batch_.dir.toStdString()));
    QVERIFY(isBatchFolder(batch_.dir.toStdString() + "/"));
    QVERIFY(!isBatchFolder(dir_.path().toStdString()));                   // holds a batch, is none
    QVERIFY(!isBatchFolder((batch_.dir + "/tasks.json").toStdString()));  // the file itself
    QVERIFY(!isBatchFolder((batch_.dir + "/" + batch_.failing).toStdString()));
    QVERIFY(!isBatchFolder(""));
    QCOMPARE(classifyFile(batch_.dir.toStdString()), FileKind::Unknown);  // names decide the rest, as before

    try {
      (void)readBatchFolder(dir_.path().toStdString());
      QFAIL("a folder without tasks.json was read as a batch");
    } catch (const neurolens::InputError& error) {
      const QString message = error.what();
      QVERIFY2(message.contains(dir_.path()) && message.contains("not a batch folder"), qPrintable(message));
    }
    QDir(dir_.path()).mkpath("damaged");
    writeFile(dir_.path() + "/damaged/tasks.json", "{\"format\": 1, \"tasks\": [{\"id\": 3}]}");
    try {
      (void)readBatchFolder((dir_.path() + "/damaged").toStdString());
      QFAIL("a damaged tasks.json was read");
    } catch (const neurolens::InputError& error) {
      const QString message = error.what();
      QVERIFY2(message.contains("tasks.json") && message.contains("damaged"), qPrintable(message));
    }
  }

  // Before `batch merge`: merged in memory, the note says how to write the file.
  void mergedInMemoryBeforeMerge() {
    QVERIFY(!QFile::exists(batch_.dir + "/results.csv"));
    unmerged_ = readBatchFolder(batch_.dir.toStdString());
    const BatchTable& table = unmerged_;
    QVERIFY(!table.fromMergedFile);
    QVERIFY2(QString::fromStdString(table.note).contains("neurolens-cli batch merge " + batch_.dir),
             table.note.c_str());
    QCOMPARE(table.rows.size(), std::size_t(batch_.tasks));
    QCOMPARE(table.count(BatchTaskState::Done), std::size_t(batch_.tasks - 1));
    QCOMPARE(table.count(BatchTaskState::Failed), std::size_t{1});
    QCOMPARE(table.count(BatchTaskState::NotRun), std::size_t{0});
    const std::vector<std::string> first{"id", "recording", "model", "command", "exit"};
    QVERIFY(table.merged.size() > first.size());
    for (std::size_t c = 0; c < first.size(); ++c) QCOMPARE(table.merged[c].name, first[c]);
    for (const auto& column : table.merged) QCOMPARE(column.text.size(), table.rows.size());

    // Every number of every done task's summary is in its row, the same double (the failed row has none).
    const BatchColumn* exit = columnNamed(table.merged, "exit");
    QVERIFY(exit != nullptr && exit->numeric);
    int compared = 0;
    for (std::size_t row = 0; row < table.rows.size(); ++row) {
      const BatchRow& task = table.rows[row];
      QCOMPARE(QString::fromStdString(table.merged[0].text[row]), QString::fromStdString(task.id));
      if (task.id == batch_.failing.toStdString()) {
        QCOMPARE(task.state, BatchTaskState::Failed);
        QCOMPARE(task.exit.value_or(0), 3);
        QVERIFY2(QString::fromStdString(task.error).contains("expects 61 units"), task.error.c_str());
        QCOMPARE(QString::fromStdString(stateText(task)), QString("failed (exit 3)"));
        QCOMPARE(exit->numbers[row], 3.0);
        QVERIFY(columnNamed(table.merged, "bits_per_spike")->text[row].empty());
        continue;
      }
      QCOMPARE(task.state, BatchTaskState::Done);
      QVERIFY(task.error.empty());
      QCOMPARE(exit->text[row], std::string("0"));
      const QJsonObject summary =
          QJsonDocument::fromJson(readFile(QString::fromStdString(task.folder) + "/summary.json").toUtf8()).object();
      QVERIFY2(!summary.isEmpty(), task.id.c_str());
      std::map<std::string, double> numbers;
      numbersOf(summary, "", numbers);
      for (const auto& [key, value] : numbers) {
        if (key == "seconds") continue;
        const BatchColumn* column = columnNamed(table.merged, key);
        QVERIFY2(column != nullptr && column->numeric, key.c_str());
        QVERIFY2(column->numbers[row] == value, qPrintable(QString("%1 %2: %3 vs %4")
                                                               .arg(task.id.c_str(), key.c_str())
                                                               .arg(column->numbers[row], 0, 'g', 17)
                                                               .arg(value, 0, 'g', 17)));
        ++compared;
      }
    }
    QVERIFY2(compared >= 40, qPrintable(QString::number(compared)));
    // bin wrote its result file; info and evaluate write none.
    for (const BatchRow& task : table.rows) {
      QCOMPARE(!task.output.empty(), task.command == "bin");
      if (!task.output.empty()) QVERIFY(QFile::exists(QString::fromStdString(task.output)));
    }

    // Shown: status and error after exit.
    const auto shown = table.shownColumns();
    QCOMPARE(shown.size(), table.merged.size() + 2);
    QCOMPARE(shown[4].name, std::string("exit"));
    QCOMPARE(shown[5].name, std::string("status"));
    QCOMPARE(shown[6].name, std::string("error"));
    QCOMPARE(shown[5].text[0], std::string("done"));
    QCOMPARE(shown[0].text[10], batch_.failing.toStdString());
    QCOMPARE(shown[5].text[10], std::string("failed (exit 3)"));
    QVERIFY(!shown[6].text[10].empty());
    QVERIFY(shown[6].text[0].empty());
  }

  // After `batch merge`: read from results.csv, the same cells as merged in memory, the CSV's text.
  void readFromResultsCsv() {
    const auto merge = neurolens::test::runCli({"batch", "merge", batch_.dir});
    QVERIFY2(merge.exitCode == 0, qPrintable(merge.err));
    const BatchTable table = readBatchFolder(batch_.dir.toStdString());
    QVERIFY2(table.fromMergedFile, table.note.c_str());
    QCOMPARE(QString::fromStdString(table.note), "read from " + batch_.dir + "/results.csv");
    QCOMPARE(table.rows.size(), std::size_t(batch_.tasks));
    QVERIFY(texts(table.merged) == texts(unmerged_.merged));
    for (std::size_t c = 0; c < table.merged.size(); ++c) {
      const BatchColumn& fromFile = table.merged[c];
      const BatchColumn& inMemory = unmerged_.merged[c];
      QCOMPARE(fromFile.name, inMemory.name);
      QVERIFY2(fromFile.numeric == inMemory.numeric, fromFile.name.c_str());
      for (std::size_t row = 0; row < fromFile.numbers.size(); ++row)
        QVERIFY(fromFile.numbers[row] == inMemory.numbers[row] ||
                (std::isnan(fromFile.numbers[row]) && std::isnan(inMemory.numbers[row])));
    }
    // The CSV's own cells (the test's own RFC 4180 reading: lists are quoted JSON text with commas).
    const auto rows = csvRows(readFile(batch_.dir + "/results.csv"));
    QCOMPARE(rows.size(), std::size_t(batch_.tasks + 1));
    QCOMPARE(rows[0].size(), table.merged.size());
    int quoted = 0;
    for (std::size_t row = 0; row < rows.size(); ++row) {
      QCOMPARE(rows[row].size(), rows[0].size());
      for (std::size_t c = 0; c < rows[row].size(); ++c) {
        const BatchColumn& column = table.merged[c];
        QCOMPARE(QString::fromStdString(row == 0 ? column.name : column.text[row - 1]), rows[row][c]);
        quoted += rows[row][c].contains(',') ? 1 : 0;
      }
    }
    QVERIFY(quoted > 0);  // the quoting was exercised
  }

  // A results.csv written before a task ended, or for other tasks, does not stand for the batch.
  void outOfDateResultsCsv() {
    const fs::path status = fs::path(batch_.dir.toStdString()) / batch_.failing.toStdString() / "status.json";
    const auto written = fs::last_write_time(status);
    fs::last_write_time(
        status, fs::last_write_time(fs::path(batch_.dir.toStdString()) / "results.csv") + std::chrono::seconds(5));
    const BatchTable stale = readBatchFolder(batch_.dir.toStdString());
    fs::last_write_time(status, written);
    QVERIFY(!stale.fromMergedFile);
    const QString note = QString::fromStdString(stale.note);
    QVERIFY2(note.contains("out of date") && note.contains(batch_.failing) && note.contains("batch merge"),
             qPrintable(note));
    QVERIFY(texts(stale.merged) == texts(unmerged_.merged));
    QVERIFY(readBatchFolder(batch_.dir.toStdString()).fromMergedFile);

    // A copy of the batch whose results.csv lost rows.
    const QString copy = dir_.path() + "/copy";
    fs::copy(batch_.dir.toStdString(), copy.toStdString(), fs::copy_options::recursive);
    const QStringList lines = readFile(copy + "/results.csv").split('\n', Qt::SkipEmptyParts);
    writeFile(copy + "/results.csv", lines.mid(0, 3).join('\n') + "\n");
    const BatchTable shorter = readBatchFolder(copy.toStdString());
    QVERIFY(!shorter.fromMergedFile);
    QVERIFY2(QString::fromStdString(shorter.note).contains("has 2 rows for 12 tasks"), shorter.note.c_str());
    QCOMPARE(shorter.rows.size(), std::size_t{12});
    QCOMPARE(QString::fromStdString(shorter.rows[0].folder), copy + "/" + QString::fromStdString(shorter.rows[0].id));
    // All rows again, but a task cleared for a rerun since (no status.json): its exit is not the CSV's.
    writeFile(copy + "/results.csv", readFile(batch_.dir + "/results.csv"));
    QVERIFY(readBatchFolder(copy.toStdString()).fromMergedFile);
    QVERIFY(QFile::remove(copy + "/" + QString::fromStdString(shorter.rows[4].id) + "/status.json"));
    const BatchTable cleared = readBatchFolder(copy.toStdString());
    QVERIFY(!cleared.fromMergedFile);
    QVERIFY2(QString::fromStdString(cleared.note).contains("task 0004-pmd_reach_ex2-none-bin has exit ''"),
             cleared.note.c_str());
    QCOMPARE(cleared.rows[4].state, BatchTaskState::NotRun);
    QCOMPARE(stateText(cleared.rows[4]), std::string("not run"));
    QVERIFY(columnNamed(cleared.merged, "exit")->text[4].empty());  // merged now: not run
  }

  void rowsToPairs() {
    const BatchTable table = readBatchFolder(batch_.dir.toStdString());
    const QString yu = QDir::cleanPath(QString(NEUROLENS_SHARED_DATA) + "/pmd_reach_yu2009.nwb");
    // 0000: info on the first recording, no model: the recording alone.
    const BatchPair info = pairOfRow(table, 0);
    QCOMPARE(QString::fromStdString(info.recording), yu);
    QVERIFY(info.model.empty());
    QCOMPARE(info.files(), std::vector<std::string>{yu.toStdString()});
    QVERIFY(info.problem.empty());
    // 0006: evaluate, first recording x first model.
    const BatchPair evaluate = pairOfRow(table, 6);
    QCOMPARE(QString::fromStdString(evaluate.taskId), QString("0006-pmd_reach_yu2009-pmd61-evaluate"));
    QCOMPARE(QString::fromStdString(evaluate.model), QDir(batch_.models).absoluteFilePath("pmd61.pt"));
    QCOMPARE(evaluate.files(), (std::vector<std::string>{yu.toStdString(), evaluate.model}));
    QCOMPARE(QString::fromStdString(evaluate.folder), batch_.dir + "/0006-pmd_reach_yu2009-pmd61-evaluate");
    QVERIFY(evaluate.problem.empty());
    // 0003: bin, its result file.
    QCOMPARE(QString::fromStdString(pairOfRow(table, 3).output),
             batch_.dir + "/0003-pmd_reach_yu2009-none-bin/result.h5");
    // The failed task's pair opens too (the workspace then shows why the model does not fit).
    const BatchPair failed = pairOfRow(table, 10);
    QCOMPARE(QString::fromStdString(failed.taskId), batch_.failing);
    QCOMPARE(failed.files().size(), std::size_t{2});
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, (void)pairOfRow(table, 12));

    // A model that is gone since the batch ran: nothing to open, said why.
    const QString moved = dir_.path() + "/moved";
    fs::copy(batch_.dir.toStdString(), moved.toStdString(), fs::copy_options::recursive);
    writeFile(moved + "/tasks.json", readFile(moved + "/tasks.json").replace("any_units.pt", "gone.pt"));
    const BatchPair gone = pairOfRow(readBatchFolder(moved.toStdString()), 7);
    QVERIFY2(QString::fromStdString(gone.problem).contains("gone.pt no longer exists"), gone.problem.c_str());
  }

  void csvParsing() {
    using Rows = std::vector<std::vector<std::string>>;
    QVERIFY(parseCsv("") == Rows{});
    QVERIFY(parseCsv("a,b\n1,\n") == (Rows{{"a", "b"}, {"1", ""}}));
    QVERIFY(parseCsv("a,b\r\n1,2") == (Rows{{"a", "b"}, {"1", "2"}}));  // CRLF, no last line break
    QVERIFY(parseCsv("x\n\"[\"\"r1\"\",\"\"r2\"\"]\"\n") == (Rows{{"x"}, {"[\"r1\",\"r2\"]"}}));
    QVERIFY(parseCsv("x,y\n\"two\nlines\",3\n") == (Rows{{"x", "y"}, {"two\nlines", "3"}}));
  }
};

QTEST_GUILESS_MAIN(TestBatchFolder)
#include "test_batch_folder.moc"
