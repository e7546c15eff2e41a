// `neurolens-cli batch`: the manifest and its tasks (ids, order, command lines), the Slurm
// script and what squeue / scontrol print, merging; then the program itself: the local runner
// over the shared PMd recordings and the demo x two models (one task fails on purpose: a model
// whose unit count does not fit), merge rows equal to each command run alone, reruns that skip
// the finished tasks, --force, bad manifests; and the Slurm runner against a real one-node Slurm
// (CTest fixture tests/cli/slurm/start_slurm.sh; test_cli_batch_slurm): a 9-task job array with
// one failing task, wait, merge, a rerun that resubmits only the failed task.
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>
#include <map>

#include "batch/manifest.h"
#include "batch/merge.h"
#include "batch/slurm.h"
#include "cli_runner.h"
#include "neurolens/core/errors.h"
#include "neurolens/io/results_store.h"

namespace {

namespace batch = neurolens::cli::batch;
using neurolens::test::ProcessResult;
using neurolens::test::runCli;
QJsonObject json(const QString& text) { return neurolens::test::parseJson(text); }

// (moc takes a slash-star inside a raw string for a comment and then finds no class: globs ending in
// "/" + "*" go in through arg().)
// Small, fast options: a 2-fold probe with one penalty at 100 ms bins, 50 ms bins for `bin`.
const char* const kManifest = R"({
  "recordings": ["%1/pmd_*.nwb", "demo/demo.nwb"],
  "models": ["models/pmd61.pt", "models/any_units.pt"],
  "commands": [
    {"name": "info"},
    {"name": "bin", "args": ["--bin-ms", "50"]},
    {"name": "probe", "args": ["--target", "trials:condition", "--bin-ms", "100", "--folds", "2", "--alphas", "1"],
     "with_model": false},
    {"name": "evaluate", "args": ["--condition", "condition"]}
  ],
  "resources": {"cpus": 1, "memory": "500M", "gpus": 0, "time": "00:10:00", "partition": null}
})";

// RFC 4180 CSV: quoted fields with doubled quotes.
std::vector<std::vector<QString>> parseCsv(const QString& text) {
  std::vector<std::vector<QString>> rows;
  std::vector<QString> row;
  QString field;
  bool quoted = false;
  for (int i = 0; i < text.size(); ++i) {
    const QChar c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\n') {
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

// A summary flattened the contract's way, independently of the code under test.
void flatten(const QJsonValue& value, const QString& key, std::map<QString, QJsonValue>& out) {
  if (value.isObject() && !value.toObject().isEmpty()) {
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) flatten(it.value(), key + "." + it.key(), out);
    return;
  }
  out[key] = value;
}

std::map<QString, QJsonValue> flattened(const QJsonObject& summary) {
  std::map<QString, QJsonValue> out;
  for (auto it = summary.begin(); it != summary.end(); ++it) flatten(it.value(), it.key(), out);
  return out;
}

// Whether a merged cell holds the value the command printed alone (numbers: the same double).
bool sameValue(const QString& cell, const QJsonValue& value) {
  if (value.isDouble()) {
    bool ok = false;
    const double parsed = cell.toDouble(&ok);
    return ok && parsed == value.toDouble();
  }
  if (value.isString()) return cell == value.toString();
  if (value.isBool()) return cell == (value.toBool() ? "true" : "false");
  if (value.isNull()) return cell.isEmpty();
  if (value.isArray()) return QJsonDocument::fromJson(cell.toUtf8()).array() == value.toArray();
  return QJsonDocument::fromJson(cell.toUtf8()).object() == value.toObject();
}

QStringList lines(const QString& text) { return text.split('\n', Qt::SkipEmptyParts); }

}  // namespace

class TestCliBatch : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString path(const QString& name) const { return dir_.path() + "/" + name; }
  bool ready_ = false;

  void writeFile(const QString& file, const QString& text) {
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
    out.write(text.toUtf8());
  }
  static QString readFile(const QString& file) {
    QFile in(file);
    return in.open(QIODevice::ReadOnly) ? QString::fromUtf8(in.readAll()) : QString();
  }
  // The models and the demo recording every program test uses (made once).
  void needInputs() {
    if (ready_) return;
    const auto models = neurolens::test::runPython(
        {QString(NEUROLENS_SOURCE_DIR) + "/tests/cli/python/make_batch_models.py", path("models")});
    QVERIFY2(models.exitCode == 0, qPrintable(models.err));
    const auto demo = runCli({"demo", "--quiet", "--out", path("demo")});
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
    writeFile(path("manifest.json"), QString(kManifest).arg(QString(NEUROLENS_SHARED_DATA)));
    ready_ = true;
  }
  // One error line naming the manifest, exit 3.
  void expectManifestError(const QString& name, const QString& text, const QString& words) {
    writeFile(path(name), text);
    const auto r = runCli({"batch", "run", path(name), "--out", path("bad_out")});
    QVERIFY2(r.exitCode == 3, qPrintable(QString("%1: exit %2: %3").arg(name).arg(r.exitCode).arg(r.err)));
    QCOMPARE(lines(r.err).size(), 1);
    QVERIFY2(r.err.startsWith("error: manifest '" + path(name) + "'"), qPrintable(r.err));
    QVERIFY2(r.err.contains(words), qPrintable(r.err));
  }

  // Every row of a merged table against the same command run alone: equal values (numbers: the same double).
  void compareWithAlone(const QString& batchDir, const std::vector<std::vector<QString>>& table, const QString& failing,
                        const QProcessEnvironment& env, int& compared) {
    const auto& header = table[0];
    std::map<QString, std::size_t> column;
    for (std::size_t c = 0; c < header.size(); ++c) column[header[c]] = c;
    const QJsonArray tasks = json(readFile(batchDir + "/tasks.json"))["tasks"].toArray();
    for (std::size_t row = 1; row < table.size(); ++row) {
      const auto& cells = table[row];
      QCOMPARE(cells.size(), header.size());
      const QJsonObject task = tasks[static_cast<int>(row - 1)].toObject();
      QCOMPARE(cells[0], task["id"].toString());
      QCOMPARE(cells[1], task["recording"].toString());
      QCOMPARE(cells[2], task["model"].toString());
      QCOMPARE(cells[3], task["command"].toString());
      if (cells[0] == failing) {
        QCOMPARE(cells[4], QString("3"));
        QVERIFY(!column.count("bits_per_spike") || cells[column["bits_per_spike"]].isEmpty());
        continue;
      }
      QCOMPARE(cells[4], QString("0"));
      // The same command alone, as a user would type it.
      QStringList args{task["command"].toString()};
      if (!task["model"].toString().isEmpty()) args << "--model" << task["model"].toString();
      for (const auto& arg : task["args"].toArray()) args << arg.toString();
      args << "--json";
      if (!task["output"].toString().isEmpty()) args << "--out" << path("alone_" + cells[0] + ".h5");
      args << task["recording"].toString();
      const auto alone = runCli(args, 300000, env);
      QVERIFY2(alone.exitCode == 0, qPrintable(alone.err));
      for (const auto& [key, value] : flattened(json(alone.out))) {
        if (key == "seconds") continue;  // time taken
        QVERIFY2(column.count(key), qPrintable(key));
        QVERIFY2(
            sameValue(cells[column[key]], value),
            qPrintable(QString("%1 %2: merged '%3', alone %4")
                           .arg(cells[0], key, cells[column[key]],
                                QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)))));
        ++compared;
      }
    }
  }

  // The one-node Slurm of the CTest fixture: SLURM_CONF in `env`, or the test skipped with the reason.
  bool slurmHere(QProcessEnvironment& env) {
    const QString conf = qEnvironmentVariable("NEUROLENS_TEST_SLURM_CONF");
    if (conf.isEmpty()) {
      QTest::qSkip("no Slurm fixture here (ctest runs this as test_cli_batch_slurm)", __FILE__, __LINE__);
      return false;
    }
    if (QStandardPaths::findExecutable("slurmctld").isEmpty() &&
        QStandardPaths::findExecutable("slurmctld", {"/usr/sbin", "/usr/local/sbin"}).isEmpty()) {
      QTest::qSkip("slurm-wlm is not installed (apt-get install slurm-wlm munge): the Slurm runner is not tested",
                   __FILE__, __LINE__);
      return false;
    }
    if (!QFile::exists(conf)) {
      QTest::qSkip("the Slurm fixture did not start one (see the output of batch_slurm_start; it needs root)", __FILE__,
                   __LINE__);
      return false;
    }
    env = QProcessEnvironment::systemEnvironment();
    env.insert("SLURM_CONF", conf);
    return true;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(qEnvironmentVariable("NEUROLENS_CLI")).isExecutable(),
             "NEUROLENS_CLI is not set to the program");
  }

  // --- the Qt-free logic -------------------------------------------------------------------

  void manifestTasksAndIds() {
    QDir(path("m")).mkpath(".");
    for (const char* name : {"b.nwb", "a.nwb", "c.nwb", "m1.pt", "m2.pt"}) writeFile(path("m/") + name, "x");
    const std::string text = R"({"recordings": ["*.nwb"], "models": ["m2.pt", "m1.pt"],
      "commands": [{"name": "evaluate", "args": ["--condition", "condition"]},
                   {"name": "probe", "args": ["--target", "trials:condition"]},
                   {"name": "figure", "with_model": true}],
      "resources": {"cpus": 2, "memory": "2G", "gpus": 1, "time": "00:30:00", "partition": "gpu"}})";
    const auto manifest = batch::parseManifest(text, path("m/manifest.json").toStdString());
    QCOMPARE(manifest.recordings.size(), std::size_t{3});
    QCOMPARE(QString::fromStdString(manifest.recordings[0].string()), path("m/a.nwb"));  // glob sorted
    QCOMPARE(QString::fromStdString(manifest.models[0].string()), path("m/m2.pt"));      // as listed
    QVERIFY(manifest.commands[0].withModel);                                             // evaluate: a model by default
    QVERIFY(!manifest.commands[1].withModel);                                            // probe: none by default
    QCOMPARE(manifest.resources.cpus, 2);
    QCOMPARE(QString::fromStdString(*manifest.resources.partition), QString("gpu"));
    const auto tasks = batch::expandTasks(manifest);
    QCOMPARE(tasks.size(), std::size_t{3 * 2 + 3 + 3 * 2});
    QStringList ids;
    for (const auto& task : tasks) ids << QString::fromStdString(task.id);
    QCOMPARE(ids.mid(0, 4),
             QStringList({"0000-a-m2-evaluate", "0001-a-m1-evaluate", "0002-b-m2-evaluate", "0003-b-m1-evaluate"}));
    QCOMPARE(ids[6], QString("0006-a-none-probe"));
    QCOMPARE(ids[14], QString("0014-c-m1-figure"));
    QCOMPARE(QString::fromStdString(batch::taskId(12345, "/x/my rec.nwb", {}, "info")),
             QString("12345-my_rec-none-info"));
    // COMMAND [--model M] ARGS --json [--out DIR/ID/result.*] RECORDING
    const auto args = batch::taskArguments(tasks[0], "/out");
    const std::vector<std::string> expected{"evaluate",  "--model", path("m/m2.pt").toStdString(), "--condition",
                                            "condition", "--json",  path("m/a.nwb").toStdString()};
    QVERIFY(args == expected);
    const auto probe = batch::taskArguments(tasks[6], "/out");
    QCOMPARE(QString::fromStdString(probe[probe.size() - 2]), QString("/out/0006-a-none-probe/result.h5"));
    const auto figure = batch::taskArguments(tasks[14], "/out");
    QCOMPARE(QString::fromStdString(figure[figure.size() - 2]), QString("/out/0014-c-m1-figure/result.png"));
  }

  void manifestErrorsInProcess() {
    const std::string file = path("m/manifest.json").toStdString();
    QVERIFY_THROWS_EXCEPTION(neurolens::InputError, batch::parseManifest("{\"recordings\": [\"a.nwb\"]}", file));
    QVERIFY_THROWS_EXCEPTION(neurolens::InputError,
                             batch::parseManifest(R"({"recordings": ["a.nwb"], "commands": [{"name": "evaluate"}]})",
                                                  file));  // a model command with no models
    QVERIFY_THROWS_EXCEPTION(
        neurolens::InputError,
        batch::parseManifest(R"({"recordings": ["a.nwb"], "commands": [{"name": "info", "args": ["--out", "x"]}]})",
                             file));
    QVERIFY_THROWS_EXCEPTION(neurolens::InputError,
                             batch::parseManifest(R"({"recordings": ["a.nwb"], "commands": [{"name": "info"}],
                                                     "resources": {"cpus": 0}})",
                                                  file));
  }

  void slurmScriptAndParsing() {
    QCOMPARE(QString::fromStdString(batch::arrayRanges({8, 0, 1, 2, 3, 5, 7})), QString("0-3,5,7-8"));
    QCOMPARE(QString::fromStdString(batch::arrayRanges({4})), QString("4"));
    batch::SbatchOptions options;
    options.program = "/opt/bin/neurolens-cli";
    options.batchDir = "/scratch/run1";
    options.indices = {0, 1, 2, 5};
    options.maxParallel = 3;
    options.resources.cpus = 4;
    options.resources.memory = "8G";
    options.resources.gpus = 1;
    options.resources.time = "01:00:00";
    options.resources.partition = "gpu";
    const QString script = QString::fromStdString(batch::sbatchScript(options));
    for (const char* line :
         {"#!/bin/bash\n", "#SBATCH --array=0-2,5%3\n", "#SBATCH --cpus-per-task=4\n", "#SBATCH --mem=8G\n",
          "#SBATCH --gres=gpu:1\n", "#SBATCH --time=01:00:00\n", "#SBATCH --partition=gpu\n",
          "exec '/opt/bin/neurolens-cli' batch task '/scratch/run1' --index \"$SLURM_ARRAY_TASK_ID\"\n"})
      QVERIFY2(script.contains(line), line);
    options.resources = {};
    options.maxParallel = 0;
    const QString plain = QString::fromStdString(batch::sbatchScript(options));
    QVERIFY(plain.contains("#SBATCH --array=0-2,5\n"));
    QVERIFY(!plain.contains("--mem") && !plain.contains("--gres") && !plain.contains("--partition"));

    QCOMPARE(QString::fromStdString(batch::parseSbatchJobId("4242;cluster\n").value_or("")), QString("4242"));
    QVERIFY(!batch::parseSbatchJobId("sbatch: error\n"));
    const auto states = batch::parseSqueue("17_3|RUNNING\n17_[5-7%2]|PENDING\n17_9|COMPLETING\n");
    QCOMPARE(states.size(), std::size_t{5});
    QCOMPARE(QString::fromStdString(states.at(3)), QString("RUNNING"));
    QCOMPARE(QString::fromStdString(states.at(6)), QString("PENDING"));
    const auto codes = batch::scontrolExitCodes(
        "JobId=18 ArrayJobId=17 ArrayTaskId=1 JobState=COMPLETED ExitCode=0:0\n"
        "JobId=19 ArrayJobId=17 ArrayTaskId=2 JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0\n"
        "JobId=20 ArrayJobId=17 ArrayTaskId=3 JobState=CANCELLED ExitCode=0:15\n"
        "JobId=17 ArrayJobId=17 ArrayTaskId=4-8%2 JobState=PENDING ExitCode=0:0\n");
    QCOMPARE(codes.size(), std::size_t{3});
    QCOMPARE(codes.at(1), 0);
    QCOMPARE(codes.at(2), 3);
    QCOMPARE(codes.at(3), 128 + 15);
  }

  void flattening() {
    const auto summary = nlohmann::ordered_json::parse(
        R"({"units": 61, "r2": 0.1, "behavior": {"hand_vel": {"dims": [2], "unit": "m/s"}}, "classes": ["a", "b"],
            "ok": true, "none": null, "big": 12345678901234567})");
    const auto cells = batch::flattenSummary(summary);
    QCOMPARE(cells.size(), std::size_t{8});
    QCOMPARE(QString::fromStdString(cells[0].first), QString("units"));
    QCOMPARE(QString::fromStdString(cells[0].second.text), QString("61"));
    QCOMPARE(QString::fromStdString(cells[1].second.text), QString("0.10000000000000001"));  // 17 digits
    QCOMPARE(QString::fromStdString(cells[2].first), QString("behavior.hand_vel.dims"));
    QCOMPARE(QString::fromStdString(cells[2].second.text), QString("[2]"));
    QCOMPARE(QString::fromStdString(cells[3].first), QString("behavior.hand_vel.unit"));
    QCOMPARE(QString::fromStdString(cells[4].second.text), QString(R"(["a","b"])"));
    QCOMPARE(QString::fromStdString(cells[5].second.text), QString("true"));
    QCOMPARE(QString::fromStdString(cells[7].second.text), QString("12345678901234567"));
  }

  // --- the program --------------------------------------------------------------------------

  void badManifests() {
    needInputs();
    expectManifestError("bad_json.json", "{\"recordings\": [", "not valid JSON");
    expectManifestError("no_commands.json", R"({"recordings": ["demo/demo.nwb"]})", "no \"commands\"");
    expectManifestError("no_match.json", R"({"recordings": ["nothing/pmd_*.nwb"], "commands": [{"name": "info"}]})",
                        "matches no file");
    expectManifestError("unknown.json", R"({"recordings": ["demo/demo.nwb"], "commands": [{"name": "frobnicate"}]})",
                        "unknown command \"frobnicate\"");
    const auto missing = runCli({"batch", "run", path("does_not_exist.json"), "--out", path("bad_out")});
    QCOMPARE(missing.exitCode, 3);
    const auto notBatch = runCli({"batch", "status", path("models")});
    QCOMPARE(notBatch.exitCode, 3);
    QVERIFY2(notBatch.err.contains("not a batch folder"), qPrintable(notBatch.err));
    const auto usage = runCli({"batch", "run", path("manifest.json")});  // no --out
    QCOMPARE(usage.exitCode, 2);
  }

  void localRunner() {
    needInputs();
    QElapsedTimer timer;
    timer.start();
    const auto r = runCli({"batch", "run", path("manifest.json"), "--out", path("local"), "--jobs", "2", "--json"});
    qInfo("local runner, 15 tasks on 2 workers: %lld ms", static_cast<long long>(timer.elapsed()));
    QVERIFY2(r.exitCode == 4, qPrintable(r.err));  // one task failed
    QCOMPARE(lines(r.out).size(), 1);
    const QJsonObject o = json(r.out);
    QCOMPARE(o["tasks"].toInt(), 3 + 3 + 3 + 3 * 2);
    QCOMPARE(o["done"].toInt(), 14);
    QCOMPARE(o["skipped"].toInt(), 0);
    QCOMPARE(o["failed"].toInt(), 1);
    QCOMPARE(o["runner"].toString(), QString("local"));
    const QJsonObject failure = o["failed_tasks"].toArray()[0].toObject();
    QCOMPARE(failure["id"].toString(), QString("0013-demo-pmd61-evaluate"));
    QCOMPARE(failure["exit"].toInt(), 3);
    QVERIFY2(failure["error"].toString().contains("expects 61 units"), qPrintable(failure["error"].toString()));
    QVERIFY(r.err.contains("0013-demo-pmd61-evaluate: failed (exit 3)"));

    // The folder: a task list, each task's summary (done ones), log and status; --out files where due.
    QVERIFY(QFile::exists(path("local/tasks.json")));
    const QString bin = path("local/0003-pmd_reach_ex2-none-bin/");
    for (const char* name : {"summary.json", "stderr.log", "status.json", "result.h5"})
      QVERIFY2(QFile::exists(bin + name), name);
    QVERIFY(!QFile::exists(path("local/0000-pmd_reach_ex2-none-info/result.h5")));  // info writes none
    QVERIFY(!QFile::exists(path("local/0013-demo-pmd61-evaluate/summary.json")));
    QVERIFY(readFile(path("local/0013-demo-pmd61-evaluate/stderr.log")).contains("error: model"));
    const QJsonObject status = json(readFile(path("local/0013-demo-pmd61-evaluate/status.json")));
    QCOMPARE(status["exit"].toInt(), 3);
    for (const auto& entry : QDir(path("local")).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot))
      QVERIFY2(!entry.startsWith("."), qPrintable(entry));  // no temporaries left

    const auto state = runCli({"batch", "status", path("local"), "--json"});
    QCOMPARE(state.exitCode, 0);
    QCOMPARE(json(state.out)["done"].toInt(), 14);
    QCOMPARE(json(state.out)["failed"].toInt(), 1);
    const auto waited = runCli({"batch", "wait", path("local"), "--json"});
    QCOMPARE(waited.exitCode, 4);
    QCOMPARE(json(waited.out)["failed"].toInt(), 1);
  }

  void mergeEqualsEachCommandAlone() {
    needInputs();
    if (!QFile::exists(path("local/tasks.json"))) QSKIP("needs localRunner");
    const auto r = runCli({"batch", "merge", path("local"), "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));  // merged, whatever the tasks' exits
    QCOMPARE(json(r.out)["rows"].toInt(), 15);
    const auto table = parseCsv(readFile(path("local/results.csv")));
    QCOMPARE(table.size(), std::size_t{16});
    const auto& header = table[0];
    QCOMPARE(std::vector<QString>(header.begin(), header.begin() + 5),
             std::vector<QString>({"id", "recording", "model", "command", "exit"}));
    std::map<QString, std::size_t> column;
    for (std::size_t c = 0; c < header.size(); ++c) column[header[c]] = c;

    int compared = 0;
    compareWithAlone(path("local"), table, "0013-demo-pmd61-evaluate", QProcessEnvironment::systemEnvironment(),
                     compared);
    if (QTest::currentTestFailed()) return;
    qInfo("merge: %d values of 14 tasks equal to the commands run alone", compared);
    QVERIFY(compared >= 90);

    // The HDF5 table holds the same columns and values.
    const neurolens::io::ResultsReader h5(path("local/results.h5").toStdString());
    const auto names = h5.readStrings("/column_names");
    QCOMPARE(names.size(), header.size());
    for (std::size_t c = 0; c < names.size(); ++c) QCOMPARE(QString::fromStdString(names[c]), header[c]);
    const auto ids = h5.readStrings("/columns/id");
    QCOMPARE(ids.size(), std::size_t{15});
    QCOMPARE(QString::fromStdString(ids[9]), table[10][0]);
    const auto exits = h5.readInt64s("/columns/exit");
    QCOMPARE(exits[13], std::int64_t{3});
    const auto bps = h5.readDoubles("/columns/bits_per_spike");
    for (std::size_t row = 0; row < bps.size(); ++row) {
      const QString cell = table[row + 1][column["bits_per_spike"]];
      if (cell.isEmpty())
        QVERIFY(std::isnan(bps[row]));
      else
        QCOMPARE(bps[row], cell.toDouble());
    }
    QCOMPARE(h5.readStrings("/columns/classes").size(), std::size_t{15});  // a list column: JSON text
  }

  // Every shared recording (trials or continuous, 3 to 171 units) x two models that fit any unit count.
  void everySharedRecordingTwoModels() {
    needInputs();
    writeFile(path("shared.json"), QString(R"({"recordings": ["%1"],
                                                "models": ["models/any_units.pt", "models/any_units_b.pt"],
                                                "commands": [{"name": "evaluate"}]})")
                                       .arg(QString(NEUROLENS_SHARED_DATA) + "/*.nwb"));
    QElapsedTimer timer;
    timer.start();
    const auto r = runCli({"batch", "run", path("shared.json"), "--out", path("shared"), "--json", "--quiet"});
    qInfo("evaluate over %d shared recordings x 2 models: %lld ms",
          static_cast<int>(QDir(QString(NEUROLENS_SHARED_DATA)).entryList({"*.nwb"}).size()),
          static_cast<long long>(timer.elapsed()));
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    const int recordings = static_cast<int>(QDir(QString(NEUROLENS_SHARED_DATA)).entryList({"*.nwb"}).size());
    QVERIFY(recordings >= 4);
    QCOMPARE(json(r.out)["tasks"].toInt(), recordings * 2);
    QCOMPARE(json(r.out)["done"].toInt(), recordings * 2);
    QCOMPARE(runCli({"batch", "merge", path("shared")}).exitCode, 0);
    const auto table = parseCsv(readFile(path("shared/results.csv")));
    QCOMPARE(static_cast<int>(table.size()), recordings * 2 + 1);
    int compared = 0;
    compareWithAlone(path("shared"), table, QString(), QProcessEnvironment::systemEnvironment(), compared);
    if (QTest::currentTestFailed()) return;
    QVERIFY(compared >= recordings * 2 * 3);
  }

  void rerunSkipsFinishedTasks() {
    needInputs();
    if (!QFile::exists(path("local/tasks.json"))) QSKIP("needs localRunner");
    const QString done = path("local/0012-pmd_reach_yu2009-any_units-evaluate/status.json");
    const QString before = readFile(done);
    const auto r = runCli({"batch", "run", path("manifest.json"), "--out", path("local"), "--json"});
    QCOMPARE(r.exitCode, 4);  // the failed task ran again and failed again
    const QJsonObject o = json(r.out);
    QCOMPARE(o["done"].toInt(), 0);
    QCOMPARE(o["skipped"].toInt(), 14);
    QCOMPARE(o["failed"].toInt(), 1);
    QCOMPARE(lines(r.err).size(), 1);  // one task ran: the failed one
    QCOMPARE(readFile(done), before);  // a finished task is not touched

    // A batch where everything succeeds: a rerun does nothing; --force reruns all.
    writeFile(path("info.json"), QString(R"({"recordings": ["%1/pmd_*.nwb", "demo/demo.nwb"],
                                              "commands": [{"name": "info"}]})")
                                     .arg(QString(NEUROLENS_SHARED_DATA)));
    const auto first = runCli({"batch", "run", path("info.json"), "--out", path("info"), "--json"});
    QVERIFY2(first.exitCode == 0, qPrintable(first.err));
    QCOMPARE(json(first.out)["done"].toInt(), 3);
    QElapsedTimer timer;
    timer.start();
    const auto again = runCli({"batch", "run", path("info.json"), "--out", path("info"), "--json"});
    qInfo("rerun of a finished batch: %lld ms", static_cast<long long>(timer.elapsed()));
    QCOMPARE(again.exitCode, 0);
    QCOMPARE(json(again.out)["done"].toInt(), 0);
    QCOMPARE(json(again.out)["skipped"].toInt(), 3);
    QVERIFY(again.err.isEmpty());
    // A temporary left by a killed run is cleared when the task runs again.
    const QString stale = path("info/0000-pmd_reach_ex2-none-info/.summary.json.partial-1");
    writeFile(stale, "{\"units\": ");
    const auto forced = runCli({"batch", "run", path("info.json"), "--out", path("info"), "--json", "--force"});
    QVERIFY(!QFile::exists(stale));
    QCOMPARE(forced.exitCode, 0);
    QCOMPARE(json(forced.out)["done"].toInt(), 3);
    QCOMPARE(json(forced.out)["skipped"].toInt(), 0);
  }

  // Run by test_cli_batch_slurm, whose CTest fixture starts a one-node Slurm and sets NEUROLENS_TEST_SLURM_CONF.
  void slurmJobArray() {
    QProcessEnvironment env;
    if (!slurmHere(env)) return;
    needInputs();
    const auto cli = [&](const QStringList& args) { return runCli(args, 300000, env); };

    writeFile(path("slurm.json"), QString(R"({"recordings": ["%1/pmd_*.nwb", "demo/demo.nwb"],
        "models": ["models/pmd61.pt"],
        "commands": [{"name": "info"}, {"name": "bin", "args": ["--bin-ms", "50"]},
                     {"name": "evaluate", "args": ["--condition", "condition"]}],
        "resources": {"cpus": 1, "memory": "500M", "time": "00:10:00", "partition": null}})")
                                      .arg(QString(NEUROLENS_SHARED_DATA)));
    QElapsedTimer timer;
    timer.start();
    const auto submitted = cli({"batch", "run", path("slurm.json"), "--out", path("slurm"), "--runner", "slurm",
                                "--max-parallel", "2", "--json"});
    QVERIFY2(submitted.exitCode == 0, qPrintable(submitted.err));
    const QJsonObject s = json(submitted.out);
    QCOMPARE(s["tasks"].toInt(), 9);
    QCOMPARE(s["runner"].toString(), QString("slurm"));
    const QString jobId = s["job_id"].toString();
    QVERIFY(!jobId.isEmpty());
    QVERIFY(readFile(path("slurm/batch.sbatch")).contains("#SBATCH --array=0-8%2\n"));

    const auto waited = cli({"batch", "wait", path("slurm"), "--poll", "0.5", "--timeout", "240", "--json"});
    qInfo("Slurm job array of 9 tasks (2 at a time), submitted and waited for: %lld ms",
          static_cast<long long>(timer.elapsed()));
    QCOMPARE(waited.exitCode, 4);
    const QJsonObject w = json(waited.out);
    QCOMPARE(w["job_id"].toString(), jobId);
    QCOMPARE(w["done"].toInt(), 8);
    QCOMPARE(w["failed"].toInt(), 1);
    QCOMPARE(w["failed_tasks"].toArray()[0].toObject()["id"].toString(), QString("0008-demo-pmd61-evaluate"));
    QCOMPARE(w["failed_tasks"].toArray()[0].toObject()["exit"].toInt(), 3);
    // Slurm saw the same exits (while it remembers the job).
    const auto codes = batch::jobExitCodes(jobId.toStdString());
    if (!codes.empty()) {
      QCOMPARE(codes.size(), std::size_t{9});
      QCOMPARE(codes.at(8), 3);
      QCOMPARE(codes.at(0), 0);
    }

    const auto merged = cli({"batch", "merge", path("slurm"), "--json"});
    QCOMPARE(merged.exitCode, 0);
    const auto table = parseCsv(readFile(path("slurm/results.csv")));
    QCOMPARE(table.size(), std::size_t{10});
    int compared = 0;
    compareWithAlone(path("slurm"), table, "0008-demo-pmd61-evaluate", env, compared);
    if (QTest::currentTestFailed()) return;
    qInfo("Slurm merge: %d values of 8 tasks equal to the commands run alone", compared);
    QVERIFY(compared > 30);

    // A rerun resubmits only the failed task.
    const auto rerun = cli({"batch", "run", path("slurm.json"), "--out", path("slurm"), "--runner", "slurm", "--json"});
    QVERIFY2(rerun.exitCode == 0, qPrintable(rerun.err));
    QCOMPARE(json(rerun.out)["skipped"].toInt(), 8);
    QVERIFY(json(rerun.out)["job_id"].toString() != jobId);
    QVERIFY(readFile(path("slurm/batch.sbatch")).contains("#SBATCH --array=8\n"));
    const auto rewaited = cli({"batch", "wait", path("slurm"), "--poll", "0.5", "--timeout", "120", "--json"});
    QCOMPARE(rewaited.exitCode, 4);
    QCOMPARE(json(rewaited.out)["done"].toInt(), 0);
    QCOMPARE(json(rewaited.out)["skipped"].toInt(), 8);
    QCOMPARE(json(rewaited.out)["failed"].toInt(), 1);
    const auto status = cli({"batch", "status", path("slurm"), "--json"});
    QCOMPARE(json(status.out)["done"].toInt(), 8);
    QCOMPARE(json(status.out)["active"].toBool(), false);
  }

  // A task Slurm ends before it can write its status (scancel; a time limit is the same): `wait` reports it
  // failed, with Slurm's exit (128 + SIGTERM) while scontrol remembers the job, and a rerun submits it again.
  void slurmCancelledTask() {
    QProcessEnvironment env;
    if (!slurmHere(env)) return;
    needInputs();
    const auto cli = [&](const QStringList& args) { return runCli(args, 300000, env); };
    // The default probe of the demo's reach condition (17 penalties, nested folds) takes minutes.
    writeFile(path("slow.json"), R"({"recordings": ["demo/demo.nwb"],
        "commands": [{"name": "probe", "args": ["--target", "trials:condition"]}]})");
    const auto submitted =
        cli({"batch", "run", path("slow.json"), "--out", path("slow"), "--runner", "slurm", "--json"});
    QVERIFY2(submitted.exitCode == 0, qPrintable(submitted.err));
    const QString jobId = json(submitted.out)["job_id"].toString();
    QElapsedTimer timer;
    timer.start();
    bool running = false;
    while (!running && timer.elapsed() < 60000) {
      const auto status = cli({"batch", "status", path("slow"), "--json"});
      running = json(status.out)["running"].toInt() == 1;
      if (!running) QTest::qWait(200);
    }
    QVERIFY2(running, "the array task did not start within 60 s");
    QTest::qWait(500);  // inside the task's own process by now
    const auto cancelled = neurolens::test::runProcess("scancel", {jobId}, 30000, env);
    QVERIFY2(cancelled.exitCode == 0, qPrintable(cancelled.err));
    const auto waited = cli({"batch", "wait", path("slow"), "--poll", "0.5", "--timeout", "60", "--json"});
    QCOMPARE(waited.exitCode, 4);
    const QJsonObject failure = json(waited.out)["failed_tasks"].toArray()[0].toObject();
    QCOMPARE(failure["id"].toString(), QString("0000-demo-none-probe"));
    QVERIFY2(failure["error"].toString().contains("without a status"), qPrintable(failure["error"].toString()));
    QVERIFY2(failure["exit"].toInt() != 0, qPrintable(waited.out));
    qInfo("cancelled array task reported as: exit %d, %s", failure["exit"].toInt(),
          qPrintable(failure["error"].toString()));
    const auto state = cli({"batch", "status", path("slow"), "--json"});
    QCOMPARE(json(state.out)["not_run"].toInt(), 1);
  }
};

QTEST_GUILESS_MAIN(TestCliBatch)
#include "test_cli_batch.moc"
