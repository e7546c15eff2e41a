// NWB reading, binning, NWB writing and the results store, checked against the
// facts of ../shared/data/README.md, an independent h5py + numpy reference
// (tests/io/python/bin_reference.py), what pynwb itself reads, and hand-solved cases.
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "neurolens/core/binning.h"
#include "neurolens/core/errors.h"
#include "neurolens/io/nwb_writer.h"
#include "neurolens/io/recording_reader.h"
#include "neurolens/io/results_store.h"
#include "python_runner.h"

using namespace neurolens;
using neurolens::testing::ioScript;
using neurolens::testing::runPython;
using neurolens::testing::sharedData;

namespace {

QJsonObject parseJson(const QString& text) { return QJsonDocument::fromJson(text.toUtf8()).object(); }

std::vector<std::string> splitList(const QString& text) {
  std::vector<std::string> out;
  for (const auto& part : text.split(',', Qt::SkipEmptyParts)) out.push_back(part.toStdString());
  return out;
}

// A small recording built by hand (times in seconds).
Recording handmade() {
  Recording r;
  r.source = "handmade";
  r.unitIds = {7, 8, 9};
  r.spikes.times = {0.5, 0.1, 0.3, 0.2};
  r.spikes.end = {0, 2, 4};
  return r;
}

}  // namespace

class TestIoRecordings : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  bool havePynwb_ = false;
  QString fixtures_;
  QString bad_;
  QStringList badCases_;

  std::string path(const QString& name) const { return (dir_.path() + "/" + name).toStdString(); }

  // Runs the h5py+numpy reference and compares every output of binRecordingFile.
  void compareWithReference(const std::string& file, const QStringList& args, const BinningOptions& options) {
    const QString out = dir_.path() + "/reference.h5";
    QFile::remove(out);
    const auto result = runPython(ioScript("bin_reference.py"), QStringList{QString::fromStdString(file), out} + args);
    QVERIFY2(result.exitCode == 0, qPrintable(result.errors));
    const BinnedRecording binned = io::binRecordingFile(file, options);
    io::ResultsReader reference(out.toStdString());
    const FloatArray expected = reference.readArray("/counts");
    QCOMPARE(binned.counts.shape(), expected.shape());
    QVERIFY2(binned.counts.values() == expected.values(), "counts differ from the h5py+numpy reference");
    QCOMPARE(binned.unitIds, reference.readInt64s("/unit_ids"));
    QCOMPARE(binned.trialIds, reference.readInt64s("/trial_ids"));
    QCOMPARE(binned.binStartS, reference.readDoubles("/bin_start_s"));
    double total = 0;
    for (float v : expected.values()) total += v;
    QCOMPARE(static_cast<double>(binned.spikesCounted), total);
    QCOMPARE(binned.continuous, io::readRecordingSummary(file).trials == 0);  // no trials table in the file
    if (!options.behavior.empty()) {
      const FloatArray behavior = reference.readArray("/behavior");
      std::size_t offset = 0;
      for (const auto& name : options.behavior) {
        const FloatArray& mine = binned.behavior.at(name);
        QCOMPARE(mine.dim(0), behavior.dim(0));
        QCOMPARE(mine.dim(1), behavior.dim(1));
        for (std::size_t t = 0; t < mine.dim(0); ++t)
          for (std::size_t b = 0; b < mine.dim(1); ++b)
            for (std::size_t d = 0; d < mine.dim(2); ++d) {
              const float a = mine(t, b, d);
              const float e = behavior(t, b, offset + d);
              if (std::abs(a - e) > 1e-5F * std::max(1.0F, std::abs(e)))
                QFAIL(qPrintable(QString("behaviour %1 differs at [%2,%3,%4]: %5 vs %6")
                                     .arg(QString::fromStdString(name))
                                     .arg(t)
                                     .arg(b)
                                     .arg(d)
                                     .arg(a)
                                     .arg(e)));
            }
        offset += mine.dim(2);
      }
      QCOMPARE(offset, behavior.dim(2));
    }
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    fixtures_ = dir_.path() + "/fixtures";
    const auto made = runPython(ioScript("make_fixtures.py"), {fixtures_});
    QVERIFY2(made.exitCode == 0 || made.skipped, qPrintable(made.errors));
    havePynwb_ = made.exitCode == 0;
    bad_ = dir_.path() + "/bad";
    const auto bad =
        runPython(ioScript("make_bad_inputs.py"), {QString::fromStdString(sharedData("pmd_reach_yu2009.nwb")), bad_});
    QVERIFY2(bad.exitCode == 0, qPrintable(bad.errors));
    badCases_ = bad.output.split('\n', Qt::SkipEmptyParts);
    QVERIFY(badCases_.size() >= 15);
  }

  // ---- facts from ../shared/data/README.md ----------------------------------------

  void pmdFacts() {
    BinningOptions options;
    options.windowStartMs = 0;
    options.windowEndMs = 400;
    const auto binned = io::binRecordingFile(sharedData("pmd_reach_yu2009.nwb"), options);
    QCOMPARE(binned.counts.shape(), (std::vector<std::size_t>{210, 20, 61}));
    QCOMPARE(binned.spikesCounted, std::uint64_t{50353});
    // The default window (shortest trial, whole bins) is the same 400 ms here.
    const auto byDefault = io::binRecordingFile(sharedData("pmd_reach_yu2009.nwb"), BinningOptions{});
    QVERIFY(byDefault.counts.values() == binned.counts.values());
    QCOMPARE(binned.trials.find("condition")->texts().size(), std::size_t{210});
  }

  void m1Facts() {
    const auto binned = io::binRecordingFile(sharedData("m1_stevenson2011.nwb"), BinningOptions{});
    QCOMPARE(binned.counts.shape(), (std::vector<std::size_t>{1, 39469, 171}));
    QCOMPARE(binned.spikesCounted, std::uint64_t{2352815});
    // The whole recording in memory gives the same counts as streaming from the file.
    const Recording recording = io::readRecording(sharedData("m1_stevenson2011.nwb"));
    QCOMPARE(recording.spikes.times.size(), std::size_t{2352815});
    QVERIFY(binRecording(recording, BinningOptions{}).counts.values() == binned.counts.values());
  }

  void summaries() {
    const auto pmd = io::readRecordingSummary(sharedData("pmd_reach_yu2009.nwb"));
    QCOMPARE(pmd.units, std::size_t{61});
    QCOMPARE(pmd.trials, std::size_t{210});
    QCOMPARE(pmd.trialColumns, (std::vector<std::string>{"start_time", "stop_time", "condition"}));
    const auto m1 = io::readRecordingSummary(sharedData("m1_stevenson2011.nwb"));
    QCOMPARE(m1.units, std::size_t{171});
    QCOMPARE(m1.trials, std::size_t{0});
    QCOMPARE(m1.behavior.size(), std::size_t{2});
    QCOMPARE(m1.behavior.at("hand_vel").samples, std::size_t{15536});
    QCOMPARE(m1.behavior.at("hand_vel").dims, (std::vector<std::size_t>{15536, 2}));
    QCOMPARE(QString::fromStdString(m1.behavior.at("hand_vel").unit), QString("m/s"));
    // duration = last spike; 39,469 bins of 20 ms end after it.
    QVERIFY(m1.durationS < 39469 * 0.02 && m1.durationS >= 39468 * 0.02);
    const auto mouse = io::readRecordingSummary(sharedData("pynwb_written_3units.nwb"));
    QCOMPARE(mouse.units, std::size_t{3});
    QVERIFY(std::find(mouse.unitColumns.begin(), mouse.unitColumns.end(), "location") != mouse.unitColumns.end());
  }

  // ---- against the h5py + numpy reference -----------------------------------------

  void referenceCounts_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<double>("binMs");
    QTest::addColumn<QString>("align");
    QTest::addColumn<QString>("window");
    QTest::addColumn<double>("chunkMs");
    QTest::addColumn<QString>("units");
    QTest::addColumn<QString>("behavior");
    const QString shared = QString(NEUROLENS_SHARED_DATA) + "/";
    QTest::newRow("pmd 20 ms") << shared + "pmd_reach_yu2009.nwb" << 20.0 << "start_time"
                               << "" << 0.0 << ""
                               << "";
    QTest::newRow("pmd window -100:300, 15 ms") << shared + "pmd_reach_yu2009.nwb" << 15.0 << "start_time"
                                                << "-100:300" << 0.0 << ""
                                                << "";
    QTest::newRow("pmd aligned to stop_time") << shared + "pmd_reach_yu2009.nwb" << 20.0 << "stop_time"
                                              << "-300:0" << 0.0 << ""
                                              << "";
    QTest::newRow("pmd ex2 variable trials") << shared + "pmd_reach_ex2.nwb" << 20.0 << "start_time"
                                             << "" << 0.0 << ""
                                             << "";
    QTest::newRow("pmd ex2 unit subset") << shared + "pmd_reach_ex2.nwb" << 50.0 << "start_time"
                                         << "" << 0.0 << "3,5,40"
                                         << "";
    QTest::newRow("m1 continuous + behaviour") << shared + "m1_stevenson2011.nwb" << 20.0 << "start_time"
                                               << "" << 0.0 << ""
                                               << "hand_vel,hand_pos";
    QTest::newRow("m1 5 s chunks") << shared + "m1_stevenson2011.nwb" << 20.0 << "start_time"
                                   << "" << 5000.0 << ""
                                   << "hand_vel";
    QTest::newRow("m1 7 ms bins, 10 s chunks") << shared + "m1_stevenson2011.nwb" << 7.0 << "start_time"
                                               << "" << 10000.0 << ""
                                               << "";
    QTest::newRow("pynwb 3 units (uint16 index)") << shared + "pynwb_written_3units.nwb" << 20.0 << "start_time"
                                                  << "" << 0.0 << ""
                                                  << "";
    QTest::newRow("s1 50 ms chunks of 20 s") << shared + "s1_area2.nwb" << 50.0 << "start_time"
                                             << "" << 20000.0 << ""
                                             << "hand_vel";
  }

  void referenceCounts() {
    QFETCH(QString, file);
    QFETCH(double, binMs);
    QFETCH(QString, align);
    QFETCH(QString, window);
    QFETCH(double, chunkMs);
    QFETCH(QString, units);
    QFETCH(QString, behavior);
    BinningOptions options;
    options.binMs = binMs;
    options.align = align.toStdString();
    QStringList args{"--bin-ms", QString::number(binMs, 'g', 17), "--align", align};
    if (!window.isEmpty()) {
      const auto parts = window.split(':');
      options.windowStartMs = parts[0].toDouble();
      options.windowEndMs = parts[1].toDouble();
      args << QString("--window=%1").arg(window);
    }
    if (chunkMs > 0) {
      options.chunkMs = chunkMs;
      args << "--chunk-ms" << QString::number(chunkMs, 'g', 17);
    }
    if (!units.isEmpty()) {
      options.units = units.toStdString();
      args << "--units" << units;
    }
    if (!behavior.isEmpty()) {
      options.behavior = splitList(behavior);
      args << "--behavior" << behavior.split(',');
    }
    compareWithReference(file.toStdString(), args, options);
  }

  void fixtureAgainstReference_data() {
    QTest::addColumn<QString>("args");
    QTest::newRow("default window") << "";
    QTest::newRow("go cue, every behaviour") << "--align go_cue_time --window=-50:200 --behavior speed rate_series "
                                                "pupil hand_position";
    QTest::newRow("text unit filter") << "--units cell_type=E --bin-ms 10";
  }

  void fixtureAgainstReference() {
    if (!havePynwb_) QSKIP("pynwb is not installed in NEUROLENS_TEST_PYTHON: the pynwb-written fixtures are skipped");
    QFETCH(QString, args);
    const QStringList list = args.split(' ', Qt::SkipEmptyParts);
    BinningOptions options;
    for (int i = 0; i < list.size(); ++i) {
      if (list[i] == "--align") options.align = list[++i].toStdString();
      if (list[i].startsWith("--window=")) {
        const auto parts = list[i].mid(9).split(':');
        options.windowStartMs = parts[0].toDouble();
        options.windowEndMs = parts[1].toDouble();
      }
      if (list[i] == "--units") options.units = list[++i].toStdString();
      if (list[i] == "--bin-ms") options.binMs = list[++i].toDouble();
      if (list[i] == "--behavior")
        while (i + 1 < list.size() && !list[i + 1].startsWith("--"))
          options.behavior.push_back(list[++i].toStdString());
    }
    compareWithReference((fixtures_ + "/columns.nwb").toStdString(), list, options);
  }

  // ---- what pynwb reads, NeuroLens reads -----------------------------------------------

  void columnsMatchPynwb() {
    if (!havePynwb_) QSKIP("pynwb is not installed in NEUROLENS_TEST_PYTHON");
    QFile file(fixtures_ + "/columns.json");
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject expected = QJsonDocument::fromJson(file.readAll()).object();
    const Recording r = io::readRecording((fixtures_ + "/columns.nwb").toStdString());
    QCOMPARE(QString::fromStdString(r.sessionDescription), expected["session_description"].toString());
    const QJsonArray ids = expected["unit_ids"].toArray();
    QCOMPARE(r.unitIds.size(), static_cast<std::size_t>(ids.size()));
    for (int u = 0; u < ids.size(); ++u) {
      QCOMPARE(r.unitIds[static_cast<std::size_t>(u)], static_cast<std::int64_t>(ids[u].toInt()));
      const QJsonArray times = expected["spike_times"].toArray()[u].toArray();
      const auto begin = r.spikes.begin(static_cast<std::size_t>(u));
      QCOMPARE(r.spikes.end[static_cast<std::size_t>(u)] - begin, static_cast<std::uint64_t>(times.size()));
      for (int i = 0; i < times.size(); ++i)
        QCOMPARE(r.spikes.times[begin + static_cast<std::uint64_t>(i)], times[i].toDouble());
    }
    const QJsonObject units = expected["units"].toObject();
    for (const QString name : {"cell_type", "location"}) {
      const Column* column = r.units.find(name.toStdString());
      QVERIFY2(column != nullptr && column->isText(), qPrintable(name));
      for (int row = 0; row < ids.size(); ++row)
        QCOMPARE(QString::fromStdString(column->cellText(static_cast<std::size_t>(row))),
                 units[name].toArray()[row].toString());
    }
    for (const QString name : {"depth", "quality"}) {
      const Column* column = r.units.find(name.toStdString());
      QVERIFY2(column != nullptr && column->isNumeric() && !column->isRagged(), qPrintable(name));
      for (int row = 0; row < ids.size(); ++row)
        QCOMPARE(column->numbers()[static_cast<std::size_t>(row)], units[name].toArray()[row].toDouble());
    }
    for (const QString name : {"tags", "peaks"}) {
      const Column* column = r.units.find(name.toStdString());
      QVERIFY2(column != nullptr && column->isRagged(), qPrintable(name));
      for (int row = 0; row < ids.size(); ++row) {
        QStringList parts;
        for (const auto& v : units[name].toArray()[row].toArray())
          parts << (v.isString() ? v.toString() : QString::fromStdString([&] {
            std::ostringstream s;
            s << v.toDouble();
            return s.str();
          }()));
        QCOMPARE(QString::fromStdString(column->cellText(static_cast<std::size_t>(row))), parts.join(", "));
      }
    }
    QVERIFY(r.trials.has_value());
    const QJsonObject trials = expected["trials"].toObject();
    QCOMPARE(r.trials->rows(), static_cast<std::size_t>(trials["start_time"].toArray().size()));
    for (const QString name : {"start_time", "stop_time", "go_cue_time"})
      for (int i = 0; i < trials[name].toArray().size(); ++i)
        QCOMPARE(r.trials->find(name.toStdString())->numbers()[static_cast<std::size_t>(i)],
                 trials[name].toArray()[i].toDouble());
    QCOMPARE(QString::fromStdString(r.trials->find("condition")->texts()[1]),
             trials["condition"].toArray()[1].toString());

    const QJsonObject behavior = expected["behavior"].toObject();
    QCOMPARE(r.behavior.size(), static_cast<std::size_t>(behavior.size()));
    const auto summary = io::readRecordingSummary((fixtures_ + "/columns.nwb").toStdString());
    for (const auto& key : behavior.keys()) {
      const BehaviorSeries* series = r.findBehavior(key.toStdString());
      QVERIFY2(series != nullptr, qPrintable(key));
      const QJsonObject want = behavior[key].toObject();
      QCOMPARE(series->samples(), static_cast<std::size_t>(want["samples"].toInt()));
      QCOMPARE(QString::fromStdString(series->unit), want["unit"].toString());
      const QJsonArray stamps = want["timestamps"].toArray();
      for (int i = 0; i < stamps.size(); ++i)
        QVERIFY(std::abs(series->timestamps[static_cast<std::size_t>(i)] - stamps[i].toDouble()) < 1e-12);
      const QJsonArray data = want["data"].toArray();
      QCOMPARE(series->data.size(), static_cast<std::size_t>(data.size()));
      for (int i = 0; i < data.size(); ++i) QCOMPARE(series->data[static_cast<std::size_t>(i)], data[i].toDouble());
      const auto& info = summary.behavior.at(key.toStdString());
      QCOMPARE(info.samples, series->samples());
      QCOMPARE(info.dims.size(), static_cast<std::size_t>(want["dims"].toArray().size()));
    }
    QCOMPARE(summary.unitColumns, r.units.columnNames());
    QCOMPARE(summary.trialColumns, r.trials->columnNames());
  }

  void indexDtypes_data() {
    QTest::addColumn<QString>("dtype");
    for (const char* d : {"uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64"})
      QTest::newRow(d) << d;
  }

  void indexDtypes() {
    if (!havePynwb_) QSKIP("pynwb is not installed (make_fixtures.py did not run)");
    QFETCH(QString, dtype);
    const Recording r = io::readRecording((fixtures_ + "/index_" + dtype + ".nwb").toStdString());
    QCOMPARE(r.spikes.end, (std::vector<std::uint64_t>{3, 3, 5, 7}));
    QCOMPARE(r.spikes.times.size(), std::size_t{7});
  }

  // ---- hand-solved edge cases ----------------------------------------------------

  void spikeOnBinEdgeFallsInLaterBin() {
    Recording r = handmade();
    Table trials;
    trials.add(Column{"start_time", "", std::vector<double>{1.3, 2.7}, {}});
    trials.add(Column{"stop_time", "", std::vector<double>{1.9, 3.3}, {}});
    r.trials = trials;
    r.trialIds = {0, 1};
    const double bin = 0.02;
    // Unit 0: one spike exactly on each edge k = 0..4 of trial 0, and one exactly at the window end.
    std::vector<double> times;
    for (std::size_t k = 0; k <= 4; ++k) times.push_back(binEdgeSeconds(1.3, bin, k));
    times.push_back(binEdgeSeconds(1.3, bin, 30));  // window 0:600 ms -> 30 bins: excluded
    // Unit 1 empty; unit 2 unsorted copy of unit 0's first five spikes.
    std::vector<double> unsorted{times[3], times[0], times[4], times[2], times[1]};
    r.spikes.times = times;
    r.spikes.times.insert(r.spikes.times.end(), unsorted.begin(), unsorted.end());
    r.spikes.end = {6, 6, 11};
    const auto binned = binRecording(r, BinningOptions{});
    QCOMPARE(binned.counts.shape(), (std::vector<std::size_t>{2, 30, 3}));
    for (std::size_t k = 0; k < 30; ++k) {
      const float expected = k <= 4 ? 1.0F : 0.0F;
      QCOMPARE(binned.counts(0, k, 0), expected);
      QCOMPARE(binned.counts(0, k, 1), 0.0F);
      QCOMPARE(binned.counts(0, k, 2), expected);
      QCOMPARE(binned.counts(1, k, 0), 0.0F);
    }
    QCOMPARE(binned.spikesCounted, std::uint64_t{10});
  }

  void continuousAndChunks() {
    Recording r = handmade();  // spikes at 0.1..0.5 s
    r.spikes.times = {0.0, 0.02, 0.5, 0.1, 0.3, 0.2};
    r.spikes.end = {0, 3, 6};
    BinningOptions options;
    options.binMs = 100;
    const auto whole = binRecording(r, options);
    // Last spike 0.5 s exactly on an edge: floor(0.5 / 0.1) + 1 = 6 bins.
    QCOMPARE(whole.counts.shape(), (std::vector<std::size_t>{1, 6, 3}));
    QCOMPARE(whole.counts(0, 0, 1), 2.0F);
    QCOMPARE(whole.counts(0, 5, 1), 1.0F);
    QCOMPARE(whole.counts(0, 1, 2), 1.0F);
    options.chunkMs = 200;  // 3 pseudo-trials of 2 bins: the reshape of the whole
    const auto chunked = binRecording(r, options);
    QCOMPARE(chunked.counts.shape(), (std::vector<std::size_t>{3, 2, 3}));
    QVERIFY(chunked.counts.values() == whole.counts.values());
    QCOMPARE(chunked.binStartS, (std::vector<double>{0.0, 0.2, 0.4}));
    options.chunkMs = 250;  // 2 chunks (600 ms / 250), 2 bins each, the last 50 ms of each dropped
    const auto uneven = binRecording(r, options);
    QCOMPARE(uneven.counts.shape(), (std::vector<std::size_t>{2, 2, 3}));
    QCOMPARE(uneven.counts(1, 0, 2), 1.0F);  // 0.3 s in [0.25, 0.35)
    QCOMPARE(uneven.counts(1, 1, 2), 0.0F);  // 0.5 s is past chunk 1's bins ([0.25, 0.45))
  }

  // Issue 20 step 5: a continuous recording binned a block of units at a time gives exactly the columns of the
  // whole binning, whatever the block size, with chunks, a unit subset and behaviour.
  void binningInUnitBlocksEqualsWholeBinning() {
    const std::string m1 = sharedData("m1_stevenson2011.nwb");
    std::vector<BinningOptions> cases(3);
    cases[1].chunkMs = 10000;
    cases[1].binMs = 7;
    cases[1].behavior = {"hand_vel"};
    cases[2].units = "3,5,9,170";
    for (const auto& options : cases) {
      const BinnedRecording whole = io::binRecordingFile(m1, options);
      for (const std::size_t blockUnits : {std::size_t{1}, std::size_t{7}, std::size_t{32}, std::size_t{500}}) {
        FloatArray assembled(whole.counts.shape(), -1.0F);
        std::size_t calls = 0;
        const auto sink = [&](std::size_t firstUnit, std::size_t totalUnits, const FloatArray& block) {
          ++calls;
          QCOMPARE(totalUnits, whole.unitCount());
          QCOMPARE(block.dim(0), whole.trialCount());
          QCOMPARE(block.dim(1), whole.binCount());
          QVERIFY(block.dim(2) <= blockUnits && firstUnit + block.dim(2) <= totalUnits);
          for (std::size_t t = 0; t < block.dim(0); ++t)
            for (std::size_t b = 0; b < block.dim(1); ++b)
              for (std::size_t u = 0; u < block.dim(2); ++u) assembled(t, b, firstUnit + u) = block(t, b, u);
        };
        const auto blocks = io::binRecordingFileInBlocks(m1, options, blockUnits, sink);
        QVERIFY(blocks.has_value());
        QCOMPARE(calls, (whole.unitCount() + blockUnits - 1) / blockUnits);
        QVERIFY2(assembled.values() == whole.counts.values(), qPrintable(QString("block of %1 units").arg(blockUnits)));
        QCOMPARE(blocks->trials, whole.trialCount());
        QCOMPARE(blocks->bins, whole.binCount());
        QCOMPARE(blocks->units, whole.unitCount());
        QVERIFY(blocks->binned.counts.empty());
        QCOMPARE(blocks->binned.spikesCounted, whole.spikesCounted);
        QCOMPARE(blocks->binned.unitIds, whole.unitIds);
        QCOMPARE(blocks->binned.trialIds, whole.trialIds);
        QCOMPARE(blocks->binned.binStartS, whole.binStartS);
        QCOMPARE(blocks->binned.units.rows(), whole.units.rows());
        QCOMPARE(blocks->binned.units.columnNames(), whole.units.columnNames());
        QCOMPARE(blocks->binned.trials.rows(), whole.trials.rows());
        QCOMPARE(blocks->binned.behavior.size(), whole.behavior.size());
        for (const auto& [name, series] : whole.behavior) {
          const FloatArray& mine = blocks->binned.behavior.at(name);
          QCOMPARE(mine.shape(), series.shape());
          for (std::size_t i = 0; i < series.size(); ++i)
            QVERIFY(mine.values()[i] == series.values()[i] ||
                    (std::isnan(mine.values()[i]) && std::isnan(series.values()[i])));
        }
      }
    }
    // The same refusals as the whole binning, before any block is handed on.
    std::size_t calls = 0;
    const auto count = [&](std::size_t, std::size_t, const FloatArray&) { ++calls; };
    BinningOptions unknownUnit;
    unknownUnit.units = "100000";
    QVERIFY_THROWS_EXCEPTION(InputError, (void)io::binRecordingFileInBlocks(m1, unknownUnit, 32, count));
    BinningOptions window;
    window.windowEndMs = 400;
    QVERIFY_THROWS_EXCEPTION(InputError, (void)io::binRecordingFileInBlocks(m1, window, 32, count));
    BinningOptions longChunks;
    longChunks.chunkMs = 1e7;
    QVERIFY_THROWS_EXCEPTION(InputError, (void)io::binRecordingFileInBlocks(m1, longChunks, 32, count));
    BinningOptions noSuchBehaviour;
    noSuchBehaviour.behavior = {"no_such_series"};
    QVERIFY_THROWS_EXCEPTION(InputError, (void)io::binRecordingFileInBlocks(m1, noSuchBehaviour, 32, count));
    QCOMPARE(calls, std::size_t{0});
    // A recording with trials is binned whole (nullopt: nothing read, nothing handed on).
    QVERIFY(!io::binRecordingFileInBlocks(sharedData("pmd_reach_yu2009.nwb"), BinningOptions{}, 32, count));
    QCOMPARE(calls, std::size_t{0});
  }

  // Issue 20 step 5: the counts of any window of a continuous recording, binned from the file, are exactly that
  // window of the whole binning (infer --stream-ms reads them so).
  void windowedCountsEqualWholeBinning() {
    const std::string m1 = sharedData("m1_stevenson2011.nwb");
    std::vector<BinningOptions> cases(3);
    cases[1].chunkMs = 10000;
    cases[1].binMs = 7;
    cases[1].behavior = {"hand_vel"};
    cases[2].units = "3,5,9,170";
    for (const auto& options : cases) {
      const BinnedRecording whole = io::binRecordingFile(m1, options);
      const auto windowed = io::WindowedCounts::open(m1, options);
      QVERIFY(windowed != nullptr);
      QCOMPARE(windowed->trials(), whole.trialCount());
      QCOMPARE(windowed->bins(), whole.binCount());
      QCOMPARE(windowed->units(), whole.unitCount());
      QCOMPARE(windowed->binned().unitIds, whole.unitIds);
      QCOMPARE(windowed->binned().trialIds, whole.trialIds);
      QCOMPARE(windowed->binned().binStartS, whole.binStartS);
      QCOMPARE(windowed->binned().behavior.size(), whole.behavior.size());
      QVERIFY(windowed->binned().counts.empty());
      const std::size_t bins = whole.binCount();
      const std::size_t units = whole.unitCount();
      // Whole trials, and windows of odd sizes at odd places (one bin, the ends, across chunk edges).
      std::vector<std::array<std::size_t, 3>> windows;
      for (std::size_t t = 0; t < whole.trialCount(); t += std::max<std::size_t>(1, whole.trialCount() / 5))
        windows.push_back({t, 0, bins});
      for (const std::size_t width : {std::size_t{1}, std::size_t{37}, std::size_t{1000}})
        for (const std::size_t begin : {std::size_t{0}, bins / 3, bins - std::min(bins, width)})
          windows.push_back({whole.trialCount() - 1, begin, std::min(bins, begin + width)});
      double counted = 0.0;
      for (const auto& [trial, begin, end] : windows) {
        const FloatArray part = windowed->read(trial, begin, end);
        QCOMPARE(part.shape(), (std::vector<std::size_t>{end - begin, units}));
        for (std::size_t b = begin; b < end; ++b)
          for (std::size_t u = 0; u < units; ++u) {
            counted += part.values()[(b - begin) * units + u];
            if (part.values()[(b - begin) * units + u] != whole.counts(trial, b, u))
              QFAIL(qPrintable(QString("trial %1 bin %2 unit %3: %4 from the window, %5 whole")
                                   .arg(trial)
                                   .arg(b)
                                   .arg(u)
                                   .arg(part.values()[(b - begin) * units + u])
                                   .arg(whole.counts(trial, b, u))));
          }
      }
      QVERIFY(counted > 0.0);
      QVERIFY_THROWS_EXCEPTION(InputError, (void)windowed->read(0, 0, bins + 1));
      QVERIFY_THROWS_EXCEPTION(InputError, (void)windowed->read(whole.trialCount(), 0, 1));
    }
    QVERIFY(io::WindowedCounts::open(sharedData("pmd_reach_yu2009.nwb"), BinningOptions{}) == nullptr);
    BinningOptions unknownUnit;
    unknownUnit.units = "100000";
    QVERIFY_THROWS_EXCEPTION(InputError, (void)io::WindowedCounts::open(m1, unknownUnit));
  }

  void behaviourMeanOrInterpolation() {
    Recording r = handmade();
    BehaviorSeries series;
    series.name = "x";
    series.timestamps = {0.01, 0.03, 0.05, 0.25};
    series.data = {1, 10, 3, 30, 5, 50, 25, 250};
    series.dims = 2;
    r.behavior.push_back(series);
    BinningOptions options;
    options.binMs = 100;
    options.behavior = {"x"};
    const auto binned = binRecording(r, options);
    const FloatArray& x = binned.behavior.at("x");
    QCOMPARE(x.shape(), (std::vector<std::size_t>{1, 6, 2}));
    QCOMPARE(x(0, 0, 0), 3.0F);  // mean of 1, 3, 5
    QCOMPARE(x(0, 0, 1), 30.0F);
    QCOMPARE(x(0, 1, 0), 15.0F);  // no sample in [0.1, 0.2): interpolate at 0.15 between (0.05, 5) and (0.25, 25)
    QCOMPARE(x(0, 2, 0), 25.0F);  // the sample at 0.25
    QCOMPARE(x(0, 2, 0), 25.0F);
    QVERIFY(std::isnan(x(0, 3, 0)));  // [0.3, 0.4): after the last sample, outside the series' span
    QVERIFY(std::isnan(x(0, 5, 1)));
    QCOMPARE(behaviorRowsMissing(x), std::size_t{3});  // bins 3, 4, 5
    series.timestamps = {0.15, 0.16, 0.17, 0.25};      // bin 0 ([0, 0.1)) lies before the first sample
    r.behavior = {series};
    const FloatArray late = binRecording(r, options).behavior.at("x");
    QVERIFY(std::isnan(late(0, 0, 0)));
    QCOMPARE(late(0, 1, 0), 3.0F);  // mean of 1, 3, 5
  }

  void optionsThatDoNotFit() {
    const std::string pmd = sharedData("pmd_reach_yu2009.nwb");
    BinningOptions badAlign;
    badAlign.align = "go_cue";
    QVERIFY_THROWS_EXCEPTION(InputError, (void)io::binRecordingFile(pmd, badAlign));
    BinningOptions tiny;
    tiny.windowStartMs = 0;
    tiny.windowEndMs = 5;
    QVERIFY_THROWS_EXCEPTION(InputError, (void)io::binRecordingFile(pmd, tiny));
    BinningOptions unknownUnit;
    unknownUnit.units = "0,99999";
    QVERIFY_THROWS_EXCEPTION(InputError, (void)io::binRecordingFile(pmd, unknownUnit));
    BinningOptions noSuchBehaviour;
    noSuchBehaviour.behavior = {"hand_vel"};
    QVERIFY_THROWS_EXCEPTION(InputError, (void)io::binRecordingFile(pmd, noSuchBehaviour));
    BinningOptions chunks;
    chunks.chunkMs = 1000;
    QVERIFY_THROWS_EXCEPTION(InputError, (void)io::binRecordingFile(pmd, chunks));
    BinningOptions windowOnContinuous;
    windowOnContinuous.windowStartMs = 0;
    windowOnContinuous.windowEndMs = 100;
    QVERIFY_THROWS_EXCEPTION(InputError,
                             (void)io::binRecordingFile(sharedData("m1_stevenson2011.nwb"), windowOnContinuous));
    Recording empty = handmade();
    empty.spikes.times.clear();
    empty.spikes.end = {0, 0, 0};
    QVERIFY_THROWS_EXCEPTION(InputError, (void)binRecording(empty, BinningOptions{}));
  }

  // ---- bad input --------------------------------------------------------------------

  void badInputs_data() {
    QTest::addColumn<QString>("file");
    for (const auto& name : badCases_) QTest::newRow(qPrintable(name)) << bad_ + "/" + name + ".nwb";
    QTest::newRow("nonexistent") << dir_.path() + "/no/such/file.nwb";
  }

  void badInputs() {
    QFETCH(QString, file);
    const std::string path = file.toStdString();
    const auto check = [&](auto&& read) {
      try {
        read();
        QFAIL("no InputError");
      } catch (const InputError& e) {
        QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
      }
    };
    check([&] { (void)io::readRecordingSummary(path); });
    check([&] { (void)io::readRecording(path); });
    check([&] { (void)io::binRecordingFile(path, BinningOptions{}); });
  }

  // ---- writer --------------------------------------------------------------------------

  void writerRoundTrip() {
    Recording r = handmade();
    r.sessionDescription = "round trip";
    r.units.add(Column{"cell_type", "putative type", std::vector<std::string>{"E", "I", "E"}, {}});
    r.units.add(Column{"depth", "", std::vector<double>{10, 20.5, 30}, {}});
    r.units.add(Column{"tags", "", std::vector<std::string>{"a", "b", "c"}, {0, 2, 3}});
    Table trials;
    trials.add(Column{"start_time", "", std::vector<double>{0.0, 0.25}, {}});
    trials.add(Column{"stop_time", "", std::vector<double>{0.2, 0.5}, {}});
    trials.add(Column{"condition", "", std::vector<std::string>{"left", "right"}, {}});
    trials.add(Column{"target", "", std::vector<double>{1.5, -1.5}, {}});
    r.trials = trials;
    r.trialIds = {4, 5};
    r.behavior.push_back(BehaviorSeries{"hand_vel", "cm/s", {0.0, 0.1, 0.2}, {1, 2, 3, 4, 5, 6}, 2});
    const std::string file = path("written.nwb");
    io::writeNwb(r, file);

    const Recording back = io::readRecording(file);
    QCOMPARE(back.unitIds, r.unitIds);
    QCOMPARE(back.spikes.end, r.spikes.end);
    QCOMPARE(back.spikes.times, (std::vector<double>{0.1, 0.5, 0.2, 0.3}));  // sorted per unit
    QCOMPARE(back.units.columnNames(), r.units.columnNames());
    QCOMPARE(back.units.find("tags")->raggedEnd, r.units.find("tags")->raggedEnd);
    QCOMPARE(back.trials->columnNames(), r.trials->columnNames());
    QCOMPARE(back.trialIds, r.trialIds);
    QCOMPARE(back.behavior.at(0).data, r.behavior.at(0).data);
    QCOMPARE(back.behavior.at(0).dims, std::size_t{2});
    QCOMPARE(QString::fromStdString(back.sessionDescription), QString("round trip"));

    const auto checked = runPython(ioScript("check_written.py"), {QString::fromStdString(file)});
    if (checked.skipped) QSKIP("pynwb is not installed in NEUROLENS_TEST_PYTHON: pynwb read-back skipped");
    QVERIFY2(checked.exitCode == 0, qPrintable(checked.errors));
    const QJsonObject seen = parseJson(checked.output);
    QCOMPARE(seen["unit_ids"].toArray(), (QJsonArray{7, 8, 9}));
    QCOMPARE(seen["spike_times"].toArray()[2].toArray(), (QJsonArray{0.2, 0.3}));
    QCOMPARE(seen["unit_columns"].toObject()["cell_type"].toArray(), (QJsonArray{"E", "I", "E"}));
    QCOMPARE(seen["unit_columns"].toObject()["tags"].toArray()[0].toArray(), QJsonArray{});
    QCOMPARE(seen["unit_columns"].toObject()["tags"].toArray()[1].toArray(), (QJsonArray{"a", "b"}));
    QCOMPARE(seen["trials"].toObject()["condition"].toArray(), (QJsonArray{"left", "right"}));
    QCOMPARE(seen["trials"].toObject()["ids"].toArray(), (QJsonArray{4, 5}));
    QCOMPARE(seen["behavior"].toObject()["hand_vel"].toObject()["unit"].toString(), QString("cm/s"));
    if (seen["critical"].isNull()) QSKIP("nwbinspector is not installed: critical-issue check skipped");
    QVERIFY2(seen["critical"].toArray().isEmpty(),
             qPrintable(QJsonDocument(seen["critical"].toArray()).toJson(QJsonDocument::Compact)));
  }

  void writerIsAtomic() {
    Recording broken = handmade();
    broken.spikes.end = {0, 3, 2};  // decreasing
    const std::string file = path("broken.nwb");
    QVERIFY_THROWS_EXCEPTION(InputError, io::writeNwb(broken, file));
    QVERIFY(!std::filesystem::exists(file));
    QVERIFY_THROWS_EXCEPTION(InputError, io::writeNwb(handmade(), path("missing-folder/x.nwb")));
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path().toStdString()))
      QVERIFY2(entry.path().filename().string().find(".partial-") == std::string::npos, "a partial file was left");
  }

  // ---- results store -------------------------------------------------------------------

  void resultsStoreRoundTrip() {
    const std::string file = path("results.h5");
    FloatArray counts({2, 3, 4});
    for (std::size_t i = 0; i < counts.size(); ++i) counts.values()[i] = static_cast<float>(i) * 0.5F;
    {
      io::ResultsWriter writer(file);
      writer.writeArray("/counts", counts);
      writer.writeDoubles("/probe/r2_per_dim", {0.25, 0.5});
      writer.writeInt64s("/unit_ids", {3, -1, 7});
      writer.writeStrings("/names", {"hand_vel", "ünïcode"});
      writer.writeAttribute("/", "bin_ms", 20.0);
      writer.writeAttribute("/counts", "axes", "trials, bins, units");
      auto stream = writer.createStream("/attributions", {3, 2});
      stream.write(1, FloatArray({2, 2}, std::vector<float>{1, 2, 3, 4}));
      QVERIFY_THROWS_EXCEPTION(ComputeError, stream.write(2, FloatArray({2, 2})));
      QVERIFY(!std::filesystem::exists(file));  // nothing under the name before commit
      writer.commit();
    }
    io::ResultsReader reader(file);
    QVERIFY(reader.has("/probe/r2_per_dim"));
    QVERIFY(!reader.has("/nothing"));
    QVERIFY(reader.readArray("/counts").values() == counts.values());
    QCOMPARE(reader.readDoubles("/probe/r2_per_dim"), (std::vector<double>{0.25, 0.5}));
    QCOMPARE(reader.readInt64s("/unit_ids"), (std::vector<std::int64_t>{3, -1, 7}));
    QCOMPARE(reader.readStrings("/names"), (std::vector<std::string>{"hand_vel", "ünïcode"}));
    QCOMPARE(reader.readArray("/attributions").values(), (std::vector<float>{0, 0, 1, 2, 3, 4}));
    QCOMPARE(QString::fromStdString(reader.readStringAttribute("/counts", "axes")), QString("trials, bins, units"));
    QCOMPARE(QString::fromStdString(reader.readStringAttribute("/", "format")), QString("neurolens-results"));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)reader.readArray("/nothing"));

    // Plain h5py reads the same file.
    const auto listed = runPython(ioScript("check_results.py"), {QString::fromStdString(file)});
    QVERIFY2(listed.exitCode == 0, qPrintable(listed.errors));
    const QJsonObject seen = parseJson(listed.output);
    const QJsonObject counted = seen["datasets"].toObject()["/counts"].toObject();
    QCOMPARE(counted["dtype"].toString(), QString("float32"));
    QCOMPARE(counted["shape"].toArray(), (QJsonArray{2, 3, 4}));
    QCOMPARE(counted["sum"].toDouble(), 0.5 * 23 * 24 / 2);
    QCOMPARE(seen["datasets"].toObject()["/names"].toObject()["values"].toArray()[1].toString(), QString("ünïcode"));
    QCOMPARE(seen["attributes"].toObject()["/@bin_ms"].toDouble(), 20.0);
  }

  // Blocks of units written into a chunked stream: the whole array, chunked as asked, readable by h5py.
  void resultsStreamBlocks() {
    const std::string file = path("blocks.h5");
    FloatArray whole({2, 5, 7});
    for (std::size_t i = 0; i < whole.size(); ++i) whole.values()[i] = static_cast<float>(i) + 0.25F;
    {
      io::ResultsWriter writer(file);
      auto stream = writer.createStream("/counts", {2, 5, 7}, {1, 4, 3});
      for (std::size_t first = 0; first < 7; first += 3) {
        const std::size_t width = std::min<std::size_t>(3, 7 - first);
        FloatArray block({2, 5, width});
        for (std::size_t t = 0; t < 2; ++t)
          for (std::size_t b = 0; b < 5; ++b)
            for (std::size_t u = 0; u < width; ++u) block(t, b, u) = whole(t, b, first + u);
        stream.writeBlock({0, 0, first}, block);
      }
      QVERIFY_THROWS_EXCEPTION(ComputeError, stream.writeBlock({0, 0, 5}, FloatArray({2, 5, 3})));
      QVERIFY_THROWS_EXCEPTION(ComputeError, stream.writeBlock({0, 0}, FloatArray({2, 5})));
      QVERIFY_THROWS_EXCEPTION(ComputeError, (void)writer.createStream("/bad", {2, 3}, {1}));
      (void)writer.createStream("/empty", {0, 3}, {1, 3});  // no chunks on an empty dataset, and no error
      writer.commit();
    }
    io::ResultsReader reader(file);
    QVERIFY(reader.readArray("/counts").values() == whole.values());
    const auto listed = runPython(ioScript("check_results.py"), {QString::fromStdString(file)});
    QVERIFY2(listed.exitCode == 0, qPrintable(listed.errors));
    const QJsonObject counts = parseJson(listed.output)["datasets"].toObject()["/counts"].toObject();
    QCOMPARE(counts["chunks"].toArray(), (QJsonArray{1, 4, 3}));
    QCOMPARE(counts["shape"].toArray(), (QJsonArray{2, 5, 7}));
  }

  void uncommittedResultsLeaveNothing() {
    const std::string file = path("abandoned.h5");
    {
      io::ResultsWriter writer(file);
      writer.writeDoubles("/x", {1, 2, 3});
    }
    QVERIFY(!std::filesystem::exists(file));
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path().toStdString()))
      QVERIFY2(entry.path().filename().string().find(".partial-") == std::string::npos, "a partial file was left");
    QVERIFY_THROWS_EXCEPTION(InputError, io::ResultsWriter(path("no-folder/out.h5")));
  }
};

QTEST_GUILESS_MAIN(TestIoRecordings)
#include "test_io_recordings.moc"
