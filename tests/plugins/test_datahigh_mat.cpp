// The DataHigh MAT-file reader on its own: scipy.io.savemat fixtures (an
// independent writer), the real DataHigh example file (totals checked against
// scipy.io.loadmat), MATLAB v7.3 (HDF5) and every kind of broken file.
#include <matio.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest/QtTest>
#include <filesystem>
#include <memory>

#include "cli_runner.h"
#include "datahigh_mat_reader.h"
#include "neurolens/core/errors.h"

using neurolens::InputError;
using neurolens::Recording;
namespace dh = neurolens::datahigh;

namespace {

QJsonObject readJson(const QString& file) {
  QFile in(file);
  if (!in.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(in.readAll()).object();
}

// Spikes of `unit` within [begin, end).
std::size_t countIn(const Recording& r, std::size_t unit, double begin, double end) {
  std::size_t n = 0;
  for (auto i = r.spikes.begin(unit); i < r.spikes.end[unit]; ++i)
    if (r.spikes.times[i] >= begin && r.spikes.times[i] < end) ++n;
  return n;
}

// Re-save a v5 file as MATLAB v7.3 (HDF5) with libmatio's writer.
bool convertToV73(const std::string& from, const std::string& to) {
  std::unique_ptr<mat_t, int (*)(mat_t*)> in(Mat_Open(from.c_str(), MAT_ACC_RDONLY), Mat_Close);
  if (!in) return false;
  std::unique_ptr<matvar_t, void (*)(matvar_t*)> var(Mat_VarRead(in.get(), "D"), Mat_VarFree);
  std::unique_ptr<mat_t, int (*)(mat_t*)> out(Mat_CreateVer(to.c_str(), nullptr, MAT_FT_MAT73), Mat_Close);
  return var && out && Mat_VarWrite(out.get(), var.get(), MAT_COMPRESSION_NONE) == 0;
}

}  // namespace

class TestDataHighMat : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString path(const char* name) const { return dir_.filePath(name); }
  std::filesystem::path file(const char* name) const { return path(name).toStdString(); }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const auto fixtures = neurolens::test::runPython(
        {QString(NEUROLENS_SOURCE_DIR) + "/tests/plugins/python/make_mat_fixtures.py", dir_.path(),
         QString(NEUROLENS_SHARED_DATA) + "/matlab/datahigh_ex1_spikecounts.mat"});
    QVERIFY2(fixtures.exitCode == 0, qPrintable(fixtures.err));
  }

  void readsScipyFixtureExactly() {
    const QJsonObject expected = readJson(path("good.json"));
    for (const char* name : {"good.mat", "good_double.mat"}) {
      const Recording r = dh::readDataHighMat(file(name));
      QCOMPARE(r.unitIds.size(), std::size_t(expected["units"].toInt()));
      const QJsonArray trials = expected["trials"].toArray();
      QVERIFY(r.trials.has_value());
      QCOMPARE(r.trials->rows(), std::size_t(trials.size()));
      const auto& starts = r.trials->find("start_time")->numbers();
      const auto& stops = r.trials->find("stop_time")->numbers();
      const auto& conditions = r.trials->find("condition")->texts();
      for (int t = 0; t < trials.size(); ++t) {
        const QJsonObject trial = trials[t].toObject();
        QCOMPARE(stops[t] - starts[t], trial["bins"].toInt() * dh::kBinS);
        if (t > 0) QCOMPARE(starts[t], stops[t - 1] + dh::kTrialGapS);
        QCOMPARE(QString::fromStdString(conditions[t]), trial["condition"].toString());
        const QJsonArray unitCounts = trial["unit_counts"].toArray();
        for (int u = 0; u < unitCounts.size(); ++u)
          QCOMPARE(countIn(r, u, starts[t], stops[t]), std::size_t(unitCounts[u].toInt()));
      }
      // Spike times sit at the centre of their 1 ms bin.
      const int firstBin = trials[0].toObject()["first_spike_bin_unit0"].toInt();
      if (firstBin >= 0) QCOMPARE(r.spikes.times[0], (firstBin + 0.5) * dh::kBinS);
    }
  }

  void readsTheRealDataHighFile() {
    const QJsonObject expected = readJson(path("real.json"));
    const Recording r =
        dh::readDataHighMat(std::filesystem::path(NEUROLENS_SHARED_DATA) / "matlab/datahigh_ex1_spikecounts.mat");
    QCOMPARE(r.unitIds.size(), std::size_t(expected["units"].toInt()));
    QCOMPARE(r.trials->rows(), std::size_t(expected["trials"].toInt()));
    QCOMPARE(r.spikes.times.size(), std::size_t(expected["total_spikes"].toInt()));  // 50,353 as the README says
    const auto& conditions = r.trials->find("condition")->texts();
    const QJsonArray names = expected["conditions"].toArray();
    for (int t = 0; t < names.size(); ++t) QCOMPARE(QString::fromStdString(conditions[t]), names[t].toString());
    // Per-unit spike times are sorted (trials laid end to end).
    for (std::size_t u = 0; u < r.unitIds.size(); ++u)
      QVERIFY(std::is_sorted(r.spikes.times.begin() + static_cast<std::ptrdiff_t>(r.spikes.begin(u)),
                             r.spikes.times.begin() + static_cast<std::ptrdiff_t>(r.spikes.end[u])));
  }

  void readsMatlab73LikeVersion5() {
    const std::string real = std::string(NEUROLENS_SHARED_DATA) + "/matlab/datahigh_ex1_spikecounts.mat";
    QVERIFY(convertToV73(real, path("real73.mat").toStdString()));
    QVERIFY(dh::looksLikeMatFile(file("real73.mat")));
    const Recording v5 = dh::readDataHighMat(real);
    const Recording v73 = dh::readDataHighMat(file("real73.mat"));
    QCOMPARE(v73.spikes.times, v5.spikes.times);
    QCOMPARE(v73.spikes.end, v5.spikes.end);
    QCOMPARE(v73.trials->find("condition")->texts(), v5.trials->find("condition")->texts());
  }

  // The layout MATLAB itself writes (struct fields as object references into #refs#, char as uint16),
  // made by h5py: an independent writer, unlike libmatio's own round trip above.
  void readsMatlab73WrittenLikeMatlab() {
    const std::string real = std::string(NEUROLENS_SHARED_DATA) + "/matlab/datahigh_ex1_spikecounts.mat";
    const auto written =
        neurolens::test::runPython({QString(NEUROLENS_SOURCE_DIR) + "/tests/plugins/python/write_mat73.py",
                                    QString::fromStdString(real), path("matlab73.mat")});
    QVERIFY2(written.exitCode == 0, qPrintable(written.err));
    const Recording v5 = dh::readDataHighMat(real);
    const Recording v73 = dh::readDataHighMat(file("matlab73.mat"));
    QCOMPARE(v73.spikes.times, v5.spikes.times);
    QCOMPARE(v73.spikes.end, v5.spikes.end);
    QCOMPARE(v73.trials->find("condition")->texts(), v5.trials->find("condition")->texts());
  }

  void brokenFilesGiveClearErrors_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no D") << "no_D.mat"
                          << "no variable 'D'";
    QTest::newRow("D not struct") << "D_not_struct.mat"
                                  << "not a struct array";
    QTest::newRow("ragged units") << "ragged_units.mat"
                                  << "has 5 units";
    QTest::newRow("negative") << "negative.mat"
                              << "not a spike count";
    QTest::newRow("fractional") << "fractional.mat"
                                << "not a spike count";
    QTest::newRow("huge count") << "huge_count.mat"
                                << "not a spike count";
    // Found by tests/fuzz/fuzz_mat_reader.cpp: libmatio's field lookup dereferenced null on both.
    QTest::newRow("struct without field names") << "damaged/mat_struct_without_field_names.mat"
                                                << "damaged field names";
    QTest::newRow("struct with fewer elements") << "damaged/mat_struct_fewer_elements.mat"
                                                << "the file holds fewer";
    // Found by the same fuzzer in CI: dimensions larger than the data libmatio holds (read past the
    // buffer), or than any file of this size holds (libmatio returned 600 M zeros from a 344-byte file).
    QTest::newRow("condition longer than its data") << "damaged/mat_condition_longer_than_data.mat"
                                                    << "D(1).condition says it holds 6000 characters";
    QTest::newRow("counts larger than the file") << "damaged/mat_counts_larger_than_file.mat"
                                                 << "more than a file of this size can hold";
    QTest::newRow("units without bins") << "damaged/mat_units_without_bins.mat"
                                        << "says it has 285278464 units";
    QTest::newRow("complex counts") << "complex_counts.mat"
                                    << "is complex";
    QTest::newRow("text data") << "text_data.mat"
                               << "not a numeric";
    QTest::newRow("no data field") << "no_data_field.mat"
                                   << "no field 'data'";
    QTest::newRow("truncated") << "truncated.mat"
                               << "";
    QTest::newRow("not mat") << "not_mat.mat"
                             << "not a MATLAB MAT-file";
    QTest::newRow("empty") << "empty.mat"
                           << "not a MATLAB MAT-file";
    QTest::newRow("missing") << "missing.mat"
                             << "no such file";
    QTest::newRow("folder") << "."
                            << "folder";
  }

  void brokenFilesGiveClearErrors() {
    QFETCH(QString, name);
    QFETCH(QString, expected);
    const std::string target = name.startsWith("damaged/")
                                   ? std::string(NEUROLENS_SOURCE_DIR) + "/tests/data/" + name.toStdString()
                                   : path(name.toUtf8().constData()).toStdString();
    try {
      (void)dh::readDataHighMat(target);
      QFAIL("no error for a broken file");
    } catch (const InputError& e) {
      const std::string message = e.what();
      QVERIFY2(message.find(std::filesystem::path(target).filename().string()) != std::string::npos || name == ".",
               message.c_str());
      QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
    }
  }
};

QTEST_GUILESS_MAIN(TestDataHighMat)
#include "test_datahigh_mat.moc"
