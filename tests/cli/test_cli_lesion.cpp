// `neurolens-cli lesion` on the bundled demo (`neurolens-cli demo`: a simulated
// population with planted cell types and the model trained on it). Lesioning the
// tuned units must drop the hand-velocity read-out of the latents far below random
// lesions of the same size (every random lesion keeps more R2); lesioning the
// untuned units must not stand out from random lesions; --per-type must give each
// type the numbers its single lesion gives; bad selections are exit 3 with one
// error line; the --out file holds the contract's datasets.
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>

#include "cli_runner.h"
#include "neurolens/io/results_store.h"

namespace {

using neurolens::test::ProcessResult;
ProcessResult cli(const QStringList& arguments) { return neurolens::test::runCli(arguments, 300000); }
QJsonObject json(const QString& text) { return neurolens::test::parseJson(text); }

// 20 random lesions per lesion and 0-600 ms of each trial keep the test short; the
// seed makes every number repeatable.
const QStringList kCommon{
    "--json",   "--quiet", "--device",         "cpu", "--window", "0:600", "--target", "behavior:hand_vel",
    "--lag-ms", "100",     "--random-repeats", "20",  "--seed",   "7"};

}  // namespace

class TestCliLesion : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString path(const QString& name) const { return dir_.path() + "/" + name; }
  QString model_;
  QString recording_;
  QJsonObject perType_;

  QJsonObject lesionOf(const QJsonObject& summary, const QString& label) const {
    for (const auto& entry : summary["lesions"].toArray())
      if (entry.toObject()["label"].toString() == label) return entry.toObject();
    return {};
  }

  void expectBadSelection(const QStringList& selection, const QString& words) {
    QStringList arguments{"lesion", "--quiet", "--model", model_, "--out", path("never.h5")};
    arguments << selection << recording_;
    const auto r = cli(arguments);
    QVERIFY2(r.exitCode == 3, qPrintable(selection.join(' ') + ": exit " + QString::number(r.exitCode) + " " + r.err));
    const QStringList lines = r.err.trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines.front().startsWith("error: "), qPrintable(lines.front()));
    QVERIFY2(lines.front().contains(words), qPrintable(lines.front() + " lacks '" + words + "'"));
    QVERIFY(r.out.isEmpty());
    QVERIFY(!QFile::exists(path("never.h5")));
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(neurolens::test::cliProgram()).isExecutable(), "NEUROLENS_CLI is not set to the program");
    const auto demo = cli({"demo", "--quiet", "--out", dir_.path()});
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
    model_ = path("demo_model.pt");
    recording_ = path("demo.nwb");
    if (!QFileInfo::exists(model_)) QSKIP("this build has no bundled demo model");
  }

  void perTypeSetsEachTypeAgainstRandomLesions() {
    QElapsedTimer timer;
    timer.start();
    QStringList arguments{"lesion", "--model", model_, "--per-type", "cell_type", "--out", path("lesion.h5")};
    arguments << kCommon << recording_;
    const auto r = cli(arguments);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(r.out.count('\n'), 1);
    perType_ = json(r.out);
    const QJsonArray lesions = perType_["lesions"].toArray();
    QCOMPARE(lesions.size(), 4);
    for (const auto& value : lesions) {
      const QJsonObject entry = value.toObject();
      for (const char* key : {"label", "units", "latent_variance_lost", "condition_shift", "probe_r2_intact",
                              "probe_r2_lesioned", "bits_per_spike_intact", "bits_per_spike_lesioned", "random"})
        QVERIFY2(entry.contains(key), key);
      QVERIFY(!entry.contains("steering"));  // boost only
      const QJsonObject random = entry["random"].toObject();
      for (const char* key :
           {"latent_variance_lost", "condition_shift", "probe_r2_lesioned", "bits_per_spike_lesioned"}) {
        QVERIFY2(random.contains(key), key);
        const double p = random[key].toObject()["p"].toDouble();
        const double percentile = random[key].toObject()["percentile"].toDouble();
        QVERIFY(p >= 1.0 / 21.0 - 1e-12 && p <= 1.0);
        QVERIFY(percentile >= 0.0 && percentile <= 100.0);
      }
      QCOMPARE(entry["latent_variance_lost"].toArray().size(), perType_["latents"].toInt());
    }
    const QJsonObject tuned = lesionOf(perType_, "tuned");
    const QJsonObject untuned = lesionOf(perType_, "untuned");
    QCOMPARE(tuned["units"].toInt(), 40);
    QCOMPARE(untuned["units"].toInt(), 30);
    const auto p = [](const QJsonObject& entry, const char* key) {
      return entry["random"].toObject()[key].toObject()["p"].toDouble();
    };
    const auto percentile = [](const QJsonObject& entry, const char* key) {
      return entry["random"].toObject()[key].toObject()["percentile"].toDouble();
    };
    qInfo(
        "hand_vel R2 from latents: intact %.3f; tuned lesioned %.3f (percentile %.0f, p %.3f); untuned lesioned "
        "%.3f (percentile %.0f, p %.3f); %.1f s",
        tuned["probe_r2_intact"].toDouble(), tuned["probe_r2_lesioned"].toDouble(),
        percentile(tuned, "probe_r2_lesioned"), p(tuned, "probe_r2_lesioned"), untuned["probe_r2_lesioned"].toDouble(),
        percentile(untuned, "probe_r2_lesioned"), p(untuned, "probe_r2_lesioned"), timer.elapsed() / 1000.0);
    qInfo("condition shift: tuned %.3f (p %.3f), untuned %.3f (p %.3f); bits/spike tuned %.4f -> %.4f (p %.3f)",
          tuned["condition_shift"].toDouble(), p(tuned, "condition_shift"), untuned["condition_shift"].toDouble(),
          p(untuned, "condition_shift"), tuned["bits_per_spike_intact"].toDouble(),
          tuned["bits_per_spike_lesioned"].toDouble(), p(tuned, "bits_per_spike_lesioned"));
    // Tuned: far below the intact R2 and below every random lesion of 40 units.
    QVERIFY(tuned["probe_r2_intact"].toDouble() > 0.5);
    QVERIFY(tuned["probe_r2_lesioned"].toDouble() < 0.5 * tuned["probe_r2_intact"].toDouble());
    QCOMPARE(p(tuned, "probe_r2_lesioned"), 1.0 / 21.0);
    QCOMPARE(percentile(tuned, "probe_r2_lesioned"), 100.0);
    // Untuned: the read-out barely moves, and random lesions (which take tuned units) hurt more.
    QVERIFY(std::abs(untuned["probe_r2_lesioned"].toDouble() - untuned["probe_r2_intact"].toDouble()) < 0.05);
    QVERIFY(p(untuned, "probe_r2_lesioned") > 0.5);
    QCOMPARE(tuned["probe_r2_intact"].toDouble(), untuned["probe_r2_intact"].toDouble());
  }

  void singleLesionsEqualPerType() {
    QVERIFY(!perType_.isEmpty());
    for (const QString label : {"tuned", "untuned"}) {
      QStringList arguments{"lesion", "--model", model_, "--lesion", "cell_type=" + label};
      arguments << kCommon << recording_;
      const auto r = cli(arguments);
      QVERIFY2(r.exitCode == 0, qPrintable(r.err));
      const QJsonArray lesions = json(r.out)["lesions"].toArray();
      QCOMPARE(lesions.size(), 1);
      QJsonObject single = lesions.first().toObject();
      QCOMPARE(single["label"].toString(), "cell_type=" + label);
      single["label"] = label;
      QCOMPARE(single, lesionOf(perType_, label));  // every number, exactly
    }
  }

  void outFileHoldsTheContractsDatasets() {
    QVERIFY(!perType_.isEmpty());
    const neurolens::io::ResultsReader file(path("lesion.h5").toStdString());
    const neurolens::FloatArray intact = file.readArray("/intact_latents");
    QCOMPARE(intact.rank(), std::size_t{3});
    QCOMPARE(intact.dim(0), std::size_t{320});
    QCOMPARE(intact.dim(1), std::size_t{30});  // 0:600 ms in 20 ms bins
    const auto latents = static_cast<std::size_t>(perType_["latents"].toInt());
    QCOMPARE(intact.dim(2), latents);
    QCOMPARE(file.readArray("/lesioned_latents").shape(), (std::vector<std::size_t>{4, 320, 30, latents}));
    QCOMPARE(file.readStrings("/effects/label"),
             (std::vector<std::string>{"ramping", "rotational", "tuned", "untuned"}));
    QCOMPARE(file.readArray("/effects/latent_variance_lost").shape(), (std::vector<std::size_t>{4, latents}));
    const std::vector<double> r2 = file.readDoubles("/effects/probe_r2_lesioned");
    QCOMPARE(r2.size(), std::size_t{4});
    const QJsonArray lesions = perType_["lesions"].toArray();
    for (int l = 0; l < 4; ++l) {
      QCOMPARE(r2[static_cast<std::size_t>(l)], lesions[l].toObject()["probe_r2_lesioned"].toDouble());
      QCOMPARE(file.readDoubles("/effects/random_probe_r2_lesioned_p")[static_cast<std::size_t>(l)],
               lesions[l].toObject()["random"].toObject()["probe_r2_lesioned"].toObject()["p"].toDouble());
    }
    const std::vector<std::int64_t> sizes = file.readInt64s("/effects/units");
    QCOMPARE(sizes, (std::vector<std::int64_t>{32, 48, 40, 30}));
    QCOMPARE(file.readInt64s("/lesion_unit_ids").size(), std::size_t{150});
    QCOMPARE(file.readArray("/random/probe_r2_lesioned").shape(), (std::vector<std::size_t>{4, 20}));
    // The lesioned latents of the untuned lesion differ from the intact ones, but little.
    const neurolens::FloatArray lesioned = file.readArray("/lesioned_latents");
    QVERIFY(lesioned.values()[3 * intact.size()] != 0.0F || lesioned.values()[3 * intact.size() + 1] != 0.0F);
  }

  void boostReportsSteering() {
    const auto r =
        cli({"lesion", "--json", "--quiet", "--device", "cpu", "--window", "0:600", "--model", model_, "--lesion",
             "cell_type=rotational", "--mode", "boost:2", "--random-repeats", "5", "--seed", "7", recording_});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject entry = json(r.out)["lesions"].toArray().first().toObject();
    QCOMPARE(entry["steering"].toArray().size(), 3);
    QVERIFY(!entry.contains("probe_r2_intact"));  // no --target
    QVERIFY(entry["condition_shift"].toDouble() > 0.0);
  }

  // A continuous recording (the demo without its trials table): shuffle shifts each
  // lesioned unit circularly by >= 10 s; the conditions are one group.
  void continuousRecordingShuffles() {
    QVERIFY(QFile::copy(recording_, path("continuous.nwb")));
    const auto removed =
        neurolens::test::runPython({"-c",
                                    "import sys\ntry:\n    import h5py\nexcept ImportError:\n    sys.exit(77)\n"
                                    "with h5py.File(sys.argv[1], 'a') as f:\n    del f['intervals/trials']\n",
                                    path("continuous.nwb")});
    if (removed.exitCode == 77) QSKIP("h5py missing from NEUROLENS_TEST_PYTHON");
    QVERIFY2(removed.exitCode == 0, qPrintable(removed.err));
    const QStringList base{
        "lesion",  "--json",   "--quiet",         "--device",         "cpu", "--model", model_, "--mode",
        "shuffle", "--lesion", "cell_type=tuned", "--random-repeats", "5",   "--seed",  "7"};
    const auto r = cli(QStringList(base) << "--target"
                                         << "behavior:hand_vel"
                                         << "--lag-ms"
                                         << "100" << path("continuous.nwb"));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = json(r.out);
    QCOMPARE(o["trials"].toInt(), 1);
    QCOMPARE(o["conditions"].toInt(), 1);
    const QJsonObject entry = o["lesions"].toArray().first().toObject();
    qInfo("continuous, tuned shuffled: hand_vel R2 %.3f -> %.3f (p %.3f), condition shift %.3f",
          entry["probe_r2_intact"].toDouble(), entry["probe_r2_lesioned"].toDouble(),
          entry["random"].toObject()["probe_r2_lesioned"].toObject()["p"].toDouble(),
          entry["condition_shift"].toDouble());
    QVERIFY(entry["probe_r2_lesioned"].toDouble() < 0.5 * entry["probe_r2_intact"].toDouble());
    QVERIFY(entry["condition_shift"].toDouble() > 0.0);
    // No conditions to name in a continuous recording.
    const auto named = cli(QStringList(base) << "--condition"
                                             << "condition" << path("continuous.nwb"));
    QCOMPARE(named.exitCode, 3);
    QVERIFY(named.err.startsWith("error: --condition condition"));
  }

  void badSelectionsExitThree() {
    expectBadSelection({"--lesion", "cell_type=no_such_type"}, "no unit has cell_type = no_such_type");
    expectBadSelection({"--lesion", "no_such_column=tuned"}, "no column 'no_such_column'");
    expectBadSelection({"--per-type", "no_such_column"}, "no column 'no_such_column'");
    expectBadSelection({"--lesion", ","}, "names no unit");
    expectBadSelection({"--lesion", "99999"}, "no unit with id 99999");
    // Every unit: the ids as `bin` writes them.
    const auto binned = cli({"bin", "--quiet", "--window", "0:100", "--out", path("ids.h5"), recording_});
    QVERIFY2(binned.exitCode == 0, qPrintable(binned.err));
    QStringList ids;
    for (const auto id : neurolens::io::ResultsReader(path("ids.h5").toStdString()).readInt64s("/unit_ids"))
      ids << QString::number(id);
    QCOMPARE(ids.size(), 150);
    expectBadSelection({"--lesion", ids.join(',')}, "selects all 150 units");
    // Usage: neither or both of --lesion and --per-type.
    QCOMPARE(cli({"lesion", "--quiet", "--model", model_, recording_}).exitCode, 2);
    QCOMPARE(
        cli({"lesion", "--quiet", "--model", model_, "--lesion", "1", "--per-type", "cell_type", recording_}).exitCode,
        2);
    QCOMPARE(cli({"lesion", "--quiet", "--model", model_, "--lesion", "1", "--mode", "boost:0", recording_}).exitCode,
             2);
  }
};

QTEST_GUILESS_MAIN(TestCliLesion)
#include "test_cli_lesion.moc"
