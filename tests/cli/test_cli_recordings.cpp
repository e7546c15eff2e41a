// `neurolens-cli info` and `bin`: exit codes, error lines, JSON keys, datasets
// (read back with plain h5py and compared with the h5py + numpy reference).
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>
#include <filesystem>

#include "../io/python_runner.h"
#include "cli_runner.h"
#include "neurolens/io/results_store.h"

using neurolens::testing::ioScript;
using neurolens::testing::runPython;

namespace {

using neurolens::test::runCli;
QString shared(const char* name) { return neurolens::test::sharedData(name); }
QJsonObject json(const QString& text) { return neurolens::test::parseJson(text); }

}  // namespace

class TestCliRecordings : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString bad_;
  QStringList badCases_;

  QString out(const QString& name) const { return dir_.path() + "/" + name; }

  void noPartialFiles() {
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path().toStdString()))
      QVERIFY2(entry.path().filename().string().find(".partial-") == std::string::npos,
               qPrintable("partial file left: " + QString::fromStdString(entry.path().string())));
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(qEnvironmentVariable("NEUROLENS_CLI")).isExecutable(),
             "NEUROLENS_CLI is not set to the program");
    bad_ = dir_.path() + "/bad";
    const auto made = runPython(ioScript("make_bad_inputs.py"), {shared("pmd_reach_yu2009.nwb"), bad_});
    QVERIFY2(made.exitCode == 0, qPrintable(made.errors));
    badCases_ = made.output.split('\n', Qt::SkipEmptyParts);
  }

  void infoJson() {
    const auto r = runCli({"info", "--json", shared("m1_stevenson2011.nwb")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.count('\n'), 1);  // one line, nothing else on stdout
    const QJsonObject o = json(r.out);
    for (const char* key : {"units", "trials", "duration_s", "unit_columns", "trial_columns", "behavior"})
      QVERIFY2(o.contains(key), key);
    QCOMPARE(o["units"].toInt(), 171);
    QCOMPARE(o["trials"].toInt(), 0);
    QVERIFY(o["duration_s"].toDouble() > 789.0 && o["duration_s"].toDouble() < 789.4);
    const QJsonObject vel = o["behavior"].toObject()["hand_vel"].toObject();
    QCOMPARE(vel["samples"].toInt(), 15536);
    QCOMPARE(vel["dims"].toArray(), (QJsonArray{15536, 2}));
    QCOMPARE(vel["unit"].toString(), QString("m/s"));

    const auto pmd = runCli({"info", "--json", shared("pmd_reach_yu2009.nwb")});
    QCOMPARE(pmd.exitCode, 0);
    const QJsonObject p = json(pmd.out);
    QCOMPARE(p["trials"].toInt(), 210);
    QCOMPARE(p["units"].toInt(), 61);
    QCOMPARE(p["trial_columns"].toArray(), (QJsonArray{"start_time", "stop_time", "condition"}));
  }

  void infoReadable() {
    const auto r = runCli({"info", shared("pmd_reach_yu2009.nwb")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("units:") && r.out.contains("61"));
    QVERIFY(r.out.contains("210"));
    QVERIFY(r.out.contains("condition"));
  }

  void binWritesDatasets() {
    const QString file = out("pmd_counts.h5");
    const auto r = runCli({"bin", "--json", "--quiet", "--bin-ms", "20", "--window", "0:400", "--out", file,
                           shared("pmd_reach_yu2009.nwb")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = json(r.out);
    QCOMPARE(o["trials"].toInt(), 210);
    QCOMPARE(o["bins"].toInt(), 20);
    QCOMPARE(o["units"].toInt(), 61);
    QCOMPARE(o["spikes"].toInt(), 50353);
    QVERIFY(r.err.isEmpty());  // --quiet

    // Plain h5py sees the contract's datasets.
    const auto listed = runPython(ioScript("check_results.py"), {file});
    QVERIFY2(listed.exitCode == 0, qPrintable(listed.errors));
    const QJsonObject datasets = json(listed.output)["datasets"].toObject();
    const QJsonObject counts = datasets["/counts"].toObject();
    QCOMPARE(counts["dtype"].toString(), QString("float32"));
    QCOMPARE(counts["shape"].toArray(), (QJsonArray{210, 20, 61}));
    QCOMPARE(counts["sum"].toDouble(), 50353.0);
    QCOMPARE(datasets["/unit_ids"].toObject()["shape"].toArray(), (QJsonArray{61}));
    QCOMPARE(datasets["/trial_ids"].toObject()["shape"].toArray(), (QJsonArray{210}));
    QCOMPARE(datasets["/bin_start_s"].toObject()["shape"].toArray(), (QJsonArray{210}));

    // And equals the independent reference, element by element.
    const QString reference = out("pmd_reference.h5");
    const auto ref = runPython(ioScript("bin_reference.py"),
                               {shared("pmd_reach_yu2009.nwb"), reference, "--bin-ms", "20", "--window=0:400"});
    QVERIFY2(ref.exitCode == 0, qPrintable(ref.errors));
    neurolens::io::ResultsReader mine(file.toStdString());
    neurolens::io::ResultsReader theirs(reference.toStdString());
    QVERIFY(mine.readArray("/counts").values() == theirs.readArray("/counts").values());
    QCOMPARE(mine.readInt64s("/unit_ids"), theirs.readInt64s("/unit_ids"));
    QCOMPARE(mine.readDoubles("/bin_start_s"), theirs.readDoubles("/bin_start_s"));
  }

  void binContinuousWithBehaviour() {
    const QString file = out("m1.h5");
    const auto r = runCli({"bin", "--json", "--chunk-ms", "10000", "--behavior", "hand_vel", "hand_pos", "--out", file,
                           shared("m1_stevenson2011.nwb")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = json(r.out);
    QCOMPARE(o["trials"].toInt(), 78);  // 39,469 bins x 20 ms = 789.38 s -> 78 chunks of 10 s
    QCOMPARE(o["bins"].toInt(), 500);
    QCOMPARE(o["units"].toInt(), 171);
    neurolens::io::ResultsReader reader(file.toStdString());
    const auto behavior = reader.readArray("/behavior");
    QCOMPARE(behavior.shape(), (std::vector<std::size_t>{78, 500, 4}));  // hand_vel (2) then hand_pos (2)
    QCOMPARE(QString::fromStdString(reader.readStringAttribute("/behavior", "names")), QString("hand_vel,hand_pos"));
    const QString reference = out("m1_reference.h5");
    const auto ref = runPython(ioScript("bin_reference.py"), {shared("m1_stevenson2011.nwb"), reference, "--chunk-ms",
                                                              "10000", "--behavior", "hand_vel", "hand_pos"});
    QVERIFY2(ref.exitCode == 0, qPrintable(ref.errors));
    neurolens::io::ResultsReader theirs(reference.toStdString());
    QVERIFY(reader.readArray("/counts").values() == theirs.readArray("/counts").values());
    const auto expected = theirs.readArray("/behavior");
    std::size_t nanValues = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (std::isnan(expected.values()[i])) {  // outside the series' time span: NaN on both sides
        QVERIFY(std::isnan(behavior.values()[i]));
        ++nanValues;
        continue;
      }
      QVERIFY(std::abs(behavior.values()[i] - expected.values()[i]) <=
              1e-5F * std::max(1.0F, std::abs(expected.values()[i])));
    }
    // hand_vel and hand_pos start about 12.6 s into the recording: 629 of 39,000 bins at 20 ms, each NaN in all 4
    // dims, reported as behavior_rows_dropped.
    QVERIFY(nanValues > 0);
    QCOMPARE(static_cast<std::size_t>(o["behavior_rows_dropped"].toInt()) * 4, nanValues);
  }

  void binUnitSubsetAndReadableSummary() {
    const auto r = runCli({"bin", "--units", "0,5,9", shared("pmd_reach_yu2009.nwb")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("210 trials") && r.out.contains("3 units"));
  }

  void badInputs_data() {
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("file");
    // Every case through `bin` (which also must not leave --out behind); a few through
    // `info` (the library-level test covers every case for every reader entry point).
    const QStringList forInfo{"empty", "truncated", "not_hdf5", "missing_units", "index_out_of_range", "folder"};
    for (const auto& name : badCases_) {
      if (forInfo.contains(name)) QTest::newRow(qPrintable("info " + name)) << "info" << bad_ + "/" + name + ".nwb";
      QTest::newRow(qPrintable("bin " + name)) << "bin" << bad_ + "/" + name + ".nwb";
    }
    // Files that crash libhdf5 1.10.8 itself (tests/data/damaged/README.md): exit 3, not a signal; `probe`
    // reads in the compute module, which reports a crash the same way.
    for (const char* name : {"segfaults_hdf5_1.nwb", "segfaults_hdf5_2.nwb", "segfaults_hdf5_3.nwb"}) {
      const QString file = QString(NEUROLENS_SOURCE_DIR) + "/tests/data/damaged/" + name;
      for (const char* command : {"info", "bin", "probe"})
        QTest::newRow(qPrintable(QString(command) + " " + name)) << command << file;
    }
    for (const char* name : {"binonly_spike_time_1e9", "binonly_stop_time_1e8"})
      QTest::newRow(qPrintable(QString("bin ") + name)) << "bin" << bad_ + "/" + name + ".nwb";
    QTest::newRow("info nonexistent") << "info" << out("nope.nwb");
    QTest::newRow("bin nonexistent") << "bin" << out("nope.nwb");
  }

  void badInputs() {
    QFETCH(QString, command);
    QFETCH(QString, file);
    const QString target = out("never.h5");
    QStringList args{command, file};
    if (command == "bin") args << "--out" << target;
    if (command == "probe")
      args << "--target"
           << "behavior:hand_vel"
           << "--out" << target;
    const auto r = runCli(args);
    QCOMPARE(r.exitCode, 3);
    const QStringList lines = r.err.split('\n', Qt::SkipEmptyParts);
    QVERIFY(!lines.isEmpty());
    QCOMPARE(lines.filter(QRegularExpression("^error: ")).size(), 1);  // progress lines may come before
    QVERIFY2(lines.last().startsWith("error: ") && lines.last().contains(file), qPrintable(lines.last()));
    QVERIFY(r.out.isEmpty());
    QVERIFY(!QFileInfo::exists(target));
    noPartialFiles();
  }

  void optionValuesThatDoNotFit_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    const QString pmd = shared("pmd_reach_yu2009.nwb");
    QTest::newRow("unknown align column") << QStringList{"--align", "go_cue", pmd} << "go_cue";
    QTest::newRow("window too short") << QStringList{"--window", "0:5", pmd} << "no whole";
    QTest::newRow("window malformed") << QStringList{"--window", "abc", pmd} << "--window";
    QTest::newRow("unknown unit id") << QStringList{"--units", "0,4242", pmd} << "4242";
    QTest::newRow("unknown behaviour") << QStringList{"--behavior", "hand_vel", pmd} << "hand_vel";
    QTest::newRow("chunks with trials") << QStringList{"--chunk-ms", "1000", pmd} << "--chunk-ms";
    QTest::newRow("output folder missing") << QStringList{"--out", out("missing/x.h5"), pmd} << "missing";
  }

  void optionValuesThatDoNotFit() {
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const auto r = runCli(QStringList{"bin"} + args);
    QCOMPARE(r.exitCode, 3);
    const QStringList lines = r.err.split('\n', Qt::SkipEmptyParts);
    QVERIFY(!lines.isEmpty());
    QVERIFY2(lines.last().startsWith("error: ") && lines.last().contains(mentions), qPrintable(r.err));
    QCOMPARE(lines.filter(QRegularExpression("^error: ")).size(), 1);
    noPartialFiles();
  }

  void usageErrors() {
    auto r = runCli({"bin", "--no-such-option", shared("pmd_reach_yu2009.nwb")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.startsWith("error: "));
    QCOMPARE(r.err.count('\n'), 1);
    r = runCli({"info"});
    QCOMPARE(r.exitCode, 2);
    r = runCli({"bin", "--bin-ms", "-5", shared("pmd_reach_yu2009.nwb")});
    QCOMPARE(r.exitCode, 2);
    r = runCli({"info", "--help"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("FILE"));
  }
};

QTEST_GUILESS_MAIN(TestCliRecordings)
#include "test_cli_recordings.moc"
