// `neurolens-cli align`: two infer-style results files (/latents) matched by time,
// the --json keys and the --out datasets, repeatability with --seed, real PMd
// recordings matched by condition, and the exit status 3 of the contract for
// sides that do not fit (missing file, no common condition, too many --dims,
// different lengths under time, DSA's delays or rank too large), and `--method dsa`.
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>
#include <random>

#include "cli_runner.h"
#include "neurolens/core/simulator.h"
#include "neurolens/io/nwb_writer.h"
#include "neurolens/io/results_store.h"

namespace {

using neurolens::FloatArray;
using neurolens::test::runCli;
QString shared(const char* name) { return neurolens::test::sharedData(name); }
QJsonObject json(const QString& text) { return neurolens::test::parseJson(text); }

// Latents [trials, bins, dims] of a shared 3-D trajectory seen through a random
// mixing, plus noise; the same seed of `shared` gives the same trajectory.
FloatArray latents(std::size_t trials, std::size_t bins, std::size_t dims, std::uint64_t mixingSeed,
                   std::uint64_t trajectorySeed = 1, double speed = 0.2) {
  std::mt19937_64 trajectory(trajectorySeed);
  std::mt19937_64 mixing(mixingSeed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> phase(trials);
  for (auto& p : phase) p = 6.283 * std::uniform_real_distribution<double>(0.0, 1.0)(trajectory);
  std::vector<double> weights(3 * dims);
  for (auto& w : weights) w = normal(mixing);
  FloatArray out({trials, bins, dims});
  for (std::size_t t = 0; t < trials; ++t)
    for (std::size_t b = 0; b < bins; ++b) {
      const double s = speed * static_cast<double>(b);
      const double z[3] = {std::cos(s + phase[t]), std::sin(s + phase[t]), 2.0 * (static_cast<double>(b) / bins - 0.5)};
      for (std::size_t d = 0; d < dims; ++d) {
        double value = 0.1 * normal(mixing);
        for (std::size_t k = 0; k < 3; ++k) value += weights[k * dims + d] * z[k];
        out(t, b, d) = static_cast<float>(value);
      }
    }
  return out;
}

void writeLatents(const QString& path, const FloatArray& values) {
  neurolens::io::ResultsWriter writer(path.toStdString());
  writer.writeArray("/latents", values);
  writer.writeAttribute("/", "command", "infer");
  writer.commit();
}

}  // namespace

class TestCliAlign : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString out(const QString& name) const { return dir_.path() + "/" + name; }

  void expectBadInput(const QStringList& arguments, const QString& mentions) {
    const auto r = runCli(arguments);
    QVERIFY2(r.exitCode == 3, qPrintable(QString::number(r.exitCode) + ": " + r.err));
    QVERIFY2(r.out.isEmpty(), qPrintable(r.out));
    const QStringList lines = r.err.trimmed().split('\n');
    QVERIFY2(lines.last().startsWith("error: "), qPrintable(r.err));
    QCOMPARE(r.err.count("error:"), 1);
    QVERIFY2(lines.last().contains(mentions), qPrintable(lines.last()));
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(qEnvironmentVariable("NEUROLENS_CLI")).isExecutable(),
             "NEUROLENS_CLI is not set to the program");
    writeLatents(out("lat_a.h5"), latents(12, 40, 5, 2));
    writeLatents(out("lat_b.h5"), latents(12, 40, 4, 3));
    writeLatents(out("lat_short.h5"), latents(12, 30, 4, 3));
    writeLatents(out("lat_c.h5"), latents(12, 40, 6, 4));
    writeLatents(out("lat_other.h5"), latents(12, 40, 4, 5, 7, 0.5));
    const auto demo = runCli({"demo", "--out", out("demo")});
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
  }

  // One recording, two models (here the same demo model twice): identical latents on both sides, so every
  // canonical correlation is 1 and the disparity 0; one recording without --model-b is a usage error.
  void oneRecordingTwoModels() {
    const auto r = runCli({"align", out("demo/demo.nwb"), "--model", out("demo/demo_model.pt"), "--model-b",
                           out("demo/demo_model.pt"), "--json", "--quiet", "--permutations", "10", "--dims", "5"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = json(r.out);
    QCOMPARE(o["match"].toString(), QString("conditions"));
    QCOMPARE(o["conditions"].toArray().size(), 8);
    QCOMPARE(o["dims"].toInt(), 5);
    for (const auto value : o["canonical_correlations"].toArray()) QVERIFY(value.toDouble() > 1.0 - 1e-9);
    QVERIFY(o["procrustes_disparity"].toDouble() < 1e-9);
    // Counts (smoothed, no model) on side A against the model's latents on side B.
    const auto mixed = runCli({"align", out("demo/demo.nwb"), "--model-b", out("demo/demo_model.pt"), "--json",
                               "--quiet", "--permutations", "20", "--seed", "1"});
    QVERIFY2(mixed.exitCode == 0, qPrintable(mixed.err));
    const QJsonObject m = json(mixed.out);
    qInfo("demo counts vs demo model latents: CCA mean %.3f, held-out %.3f (p %.3f)", m["cca_mean"].toDouble(),
          m["cca_heldout_mean"].toDouble(), m["p_values"].toObject()["cca_heldout_mean"].toDouble());
    QVERIFY(m["cca_heldout_mean"].toDouble() > 0.5);
    const auto usage = runCli({"align", out("demo/demo.nwb")});
    QCOMPARE(usage.exitCode, 2);
    QVERIFY2(usage.err.startsWith("error: "), qPrintable(usage.err));
  }

  void resultsFilesByTime() {
    const QStringList arguments{
        "align", out("lat_a.h5"), out("lat_b.h5"),  "--json", "--quiet", "--seed", "3", "--permutations",
        "50",    "--out",         out("aligned.h5")};
    const auto r = runCli(arguments);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(r.out.count('\n'), 1);
    const QJsonObject o = json(r.out);
    for (const char* key :
         {"match", "rows", "dims", "canonical_correlations", "cca_mean", "cca_heldout", "cca_heldout_mean",
          "procrustes_disparity", "consistency_r2", "p_values", "p_min", "seconds"})
      QVERIFY2(o.contains(key), key);
    QVERIFY(!o.contains("dsa_distance"));
    QCOMPARE(o["match"].toString(), QString("time"));  // results files have no trials table
    QCOMPARE(o["rows"].toInt(), 12 * 40);
    QCOMPARE(o["dims"].toInt(), 4);  // min(10, 5, 4)
    QCOMPARE(o["canonical_correlations"].toArray().size(), 4);
    QCOMPARE(o["cca_heldout"].toArray().size(), 4);
    const QJsonObject p = o["p_values"].toObject();
    for (const char* key :
         {"cca_mean", "cca_heldout_mean", "procrustes_disparity", "consistency_r2_a_to_b", "consistency_r2_b_to_a"})
      QVERIFY2(p.contains(key), key);
    QVERIFY(o["consistency_r2"].toObject().contains("a_to_b") && o["consistency_r2"].toObject().contains("b_to_a"));
    const double top = o["canonical_correlations"].toArray()[0].toDouble();
    qInfo("time-matched latents: CCA %.3f (mean %.3f), held-out %.3f p %.3f, disparity %.3f p %.3f, p_min %.4f", top,
          o["cca_mean"].toDouble(), o["cca_heldout_mean"].toDouble(), p["cca_heldout_mean"].toDouble(),
          o["procrustes_disparity"].toDouble(), p["procrustes_disparity"].toDouble(), o["p_min"].toDouble());
    // Three shared dimensions: three canonical correlations near 1, significant against circular shifts.
    QVERIFY(o["canonical_correlations"].toArray()[2].toDouble() > 0.9);
    QVERIFY(std::abs(p["cca_heldout_mean"].toDouble() - 1.0 / 51.0) < 1e-12);
    QVERIFY(std::abs(o["p_min"].toDouble() - 1.0 / 51.0) < 1e-12);

    const neurolens::io::ResultsReader written(out("aligned.h5").toStdString());
    QCOMPARE(written.readDoubles("/canonical_correlations").size(), std::size_t{4});
    QCOMPARE(written.readArray("/transform_a").shape(), (std::vector<std::size_t>{5, 4}));
    QCOMPARE(written.readArray("/transform_b").shape(), (std::vector<std::size_t>{4, 4}));
    QCOMPARE(written.readArray("/aligned_a").shape(), (std::vector<std::size_t>{480, 4}));
    QCOMPARE(written.readArray("/aligned_b").shape(), (std::vector<std::size_t>{480, 4}));
    QVERIFY(std::abs(written.readDoubles("/canonical_correlations")[0] - top) < 1e-12);

    // --seed makes the null repeatable.
    const auto again = runCli(arguments);
    QVERIFY2(again.exitCode == 0, qPrintable(again.err));
    QCOMPARE(json(again.out)["p_values"].toObject(), p);
  }

  // --method dsa on the time-matched latents (one rotation + ramp seen through two mixings): the JSON keys, its
  // own null (B's bins permuted within each trial), --out, both scores, and --method all adding it to the others.
  void dsaOnResultsFiles() {
    const auto r = runCli({"align", out("lat_a.h5"), out("lat_b.h5"), "--method", "dsa", "--json", "--quiet", "--seed",
                           "2", "--permutations", "30", "--out", out("dsa.h5")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = json(r.out);
    for (const char* key : {"match", "rows", "dims", "dsa_distance", "dsa", "p_values", "p_min", "seconds"})
      QVERIFY2(o.contains(key), key);
    QVERIFY(!o.contains("cca_mean") && !o.contains("procrustes_disparity"));
    QCOMPARE(o["p_values"].toObject().keys(), QStringList{"dsa_distance"});
    QCOMPARE(o["dsa"].toObject()["score"].toString(), QString("angular"));
    QCOMPARE(o["dsa"].toObject()["delays"].toInt(), 1);
    QVERIFY(o["dsa"].toObject()["rank"].isNull());
    QCOMPARE(o["p_min"].toDouble(), 1.0 / 31.0);
    const double angle = o["dsa_distance"].toDouble();
    const double p = o["p_values"].toObject()["dsa_distance"].toDouble();
    const neurolens::io::ResultsReader written(out("dsa.h5").toStdString());
    QCOMPARE(written.readDoubles("/null/dsa_distance").size(), std::size_t{30});
    const auto wasserstein = runCli({"align", out("lat_a.h5"), out("lat_b.h5"), "--method", "dsa", "--dsa-score",
                                     "wasserstein", "--dsa-delays", "2", "--json", "--quiet", "--permutations", "30"});
    QVERIFY2(wasserstein.exitCode == 0, qPrintable(wasserstein.err));
    const QJsonObject w = json(wasserstein.out);
    qInfo("time-matched latents: DSA angular %.4f (p %.4f), wasserstein (2 delays) %.5f (p %.4f)", angle, p,
          w["dsa_distance"].toDouble(), w["p_values"].toObject()["dsa_distance"].toDouble());
    QVERIFY(angle < 0.3);
    QCOMPARE(p, 1.0 / 31.0);
    QCOMPARE(w["p_values"].toObject()["dsa_distance"].toDouble(), 1.0 / 31.0);
    const auto all = runCli({"align", out("lat_a.h5"), out("lat_b.h5"), "--method", "all", "--json", "--quiet",
                             "--seed", "2", "--permutations", "30"});
    QVERIFY2(all.exitCode == 0, qPrintable(all.err));
    const QJsonObject a = json(all.out);
    QCOMPARE(a["p_values"].toObject().size(), 6);
    QCOMPARE(a["dsa_distance"].toDouble(), angle);
    QCOMPARE(a["p_values"].toObject()["dsa_distance"].toDouble(), p);
  }

  // --matrix over four results files matched by time: three views of one trajectory and one of another. The
  // matrix, its p-values (diagonal null), the clustered order (the three together), --out, another statistic.
  void matrixOfLatents() {
    const QStringList sides{out("lat_a.h5"), out("lat_b.h5"), out("lat_other.h5"), out("lat_c.h5")};
    const auto r =
        runCli(QStringList{"align", "--matrix"} + sides +
               QStringList{"--json", "--quiet", "--permutations", "20", "--seed", "1", "--out", out("matrix.h5")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = json(r.out);
    for (const char* key : {"sides", "statistic", "matrix", "p_values", "order", "seconds"})
      QVERIFY2(o.contains(key), key);
    QCOMPARE(o["statistic"].toString(), QString("cca_heldout_mean"));
    QCOMPARE(o["sides"].toArray().size(), 4);
    const QJsonArray m = o["matrix"].toArray();
    const QJsonArray p = o["p_values"].toArray();
    QCOMPARE(m.size(), 4);
    QString text;
    for (int i = 0; i < 4; ++i) {
      QVERIFY(p[i].toArray()[i].isNull());
      for (int j = 0; j < 4; ++j) text += QString(" %1").arg(m[i].toArray()[j].toDouble(), 0, 'f', 3);
      text += " |";
    }
    const QJsonArray order = o["order"].toArray();
    qInfo("held-out CCA matrix:%s order %d %d %d %d", qPrintable(text), order[0].toInt(), order[1].toInt(),
          order[2].toInt(), order[3].toInt());
    // The odd one out (index 2) is at one end of the order; the same-trajectory pairs are significant.
    QVERIFY(order[0].toInt() == 2 || order[3].toInt() == 2);
    for (const auto& [i, j] : {std::pair{0, 1}, {0, 3}, {1, 3}}) {
      QVERIFY(m[i].toArray()[j].toDouble() > 0.55);
      QCOMPARE(p[i].toArray()[j].toDouble(), 1.0 / 21.0);
    }
    QVERIFY(m[0].toArray()[2].toDouble() < 0.35);
    const neurolens::io::ResultsReader written(out("matrix.h5").toStdString());
    QCOMPARE(written.readArray("/matrix").shape(), (std::vector<std::size_t>{4, 4}));
    QCOMPARE(written.readArray("/p_values").shape(), (std::vector<std::size_t>{4, 4}));
    QCOMPARE(written.readStrings("/sides").size(), std::size_t{4});
    const auto dsa = runCli(QStringList{"align", "--matrix"} + sides +
                            QStringList{"--statistic", "dsa_distance", "--json", "--quiet", "--permutations", "20"});
    QVERIFY2(dsa.exitCode == 0, qPrintable(dsa.err));
    const QJsonObject d = json(dsa.out);
    QCOMPARE(d["statistic"].toString(), QString("dsa_distance"));
    QCOMPARE(d["matrix"].toArray()[1].toArray()[1].toDouble(), 0.0);
    QVERIFY(d["matrix"].toArray()[0].toArray()[1].toDouble() < d["matrix"].toArray()[0].toArray()[2].toDouble());
    // Bad input: two sides, a missing side, a side of another length (each named), an unknown statistic.
    expectBadInput({"align", "--matrix", out("lat_a.h5"), out("lat_b.h5")}, "three or more sides");
    expectBadInput({"align", "--matrix", out("lat_a.h5"), out("lat_b.h5"), out("nowhere.h5")}, "nowhere.h5");
    expectBadInput({"align", "--matrix", out("lat_a.h5"), out("lat_b.h5"), out("lat_short.h5")}, "lat_short.h5");
    expectBadInput({"align", "--matrix", out("lat_a.h5"), out("lat_b.h5"), out("lat_c.h5"), "--figure", out("m.txt")},
                   "unknown figure format");
    QVERIFY(!QFile::exists(out("m.txt")));
    QCOMPARE(runCli({"align", out("lat_a.h5"), out("lat_b.h5"), "--figure", out("two.png")}).exitCode, 2);
    QCOMPARE(runCli({"align", "--matrix", out("lat_a.h5"), out("lat_b.h5"), out("lat_c.h5"), "--statistic", "nope"})
                 .exitCode,
             2);
  }

  // Five simulated animals with different neurons each (other unit counts, loadings and spikes): three share
  // one dynamics (a rotation whose phase is the reach angle of the condition), two another: no rotation, direction
  // tuning to three times the condition's angle (condition k of 8 drives the tuning of target 3k mod 8, as in a
  // task whose labels map to other targets). The two groups' condition structures are then linearly unrelated
  // (harmonics 1 and 3 are orthogonal over 8 equally spaced angles): plain direction tuning to the same angle
  // would share a linear structure with the rotation (held-out CCA 0.3, p = p_min, in one run). The clustered
  // held-out CCA matrix puts them in two blocks; within a block p < 0.01, between blocks p > 0.05.
  void plantedAnimalsMatrix() {
    struct Planted {
      const char* name;
      std::uint64_t seed;
      int rotational;
      int tuned;
      int untuned;
    };
    const std::vector<Planted> animals{{"rot_a", 31, 48, 0, 30},
                                       {"dir_a", 32, 0, 44, 26},
                                       {"rot_b", 33, 30, 0, 12},
                                       {"rot_c", 34, 60, 0, 20},
                                       {"dir_b", 35, 0, 30, 20}};
    QStringList files;
    for (const auto& animal : animals) {
      neurolens::DemoOptions options;
      options.seed = animal.seed;
      options.trialsPerCondition = 20;
      options.rotationalUnits = animal.rotational;
      options.rampingUnits = 0;
      options.tunedUnits = animal.tuned;
      options.untunedUnits = animal.untuned;
      const QString file = out(QString(animal.name) + ".nwb");
      neurolens::Recording recording = neurolens::simulateDemo(options).recording;
      if (animal.tuned > 0) {
        neurolens::Table relabelled;
        for (const auto& column : recording.trials->columns()) {
          neurolens::Column copy = column;
          if (column.name == "condition") {
            std::vector<std::string> labels = column.texts();
            for (auto& label : labels)
              for (int k = 0; k < 8; ++k)
                if (label == neurolens::reachConditionName(45.0 * k)) {
                  label = neurolens::reachConditionName(45.0 * ((3 * k) % 8));
                  break;
                }
            copy.values = labels;
          }
          relabelled.add(copy);
        }
        recording.trials = relabelled;
      }
      neurolens::io::writeNwb(recording, file.toStdString());
      files << file;
    }
    const auto r = runCli(QStringList{"align", "--matrix"} + files +
                          QStringList{"--window", "0:1000", "--dims", "3", "--json", "--quiet", "--seed", "1",
                                      "--figure", out("planted_matrix.svg")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = json(r.out);
    const QJsonArray m = o["matrix"].toArray();
    const QJsonArray p = o["p_values"].toArray();
    QString text;
    for (int i = 0; i < 5; ++i) {
      for (int j = 0; j < 5; ++j)
        text += QString(" %1(%2)")
                    .arg(m[i].toArray()[j].toDouble(), 0, 'f', 2)
                    .arg(p[i].toArray()[j].isNull() ? QString("-") : QString::number(p[i].toArray()[j].toDouble()));
      text += " |";
    }
    const QJsonArray order = o["order"].toArray();
    QString orderText;
    for (const auto index : order) orderText += " " + QString(animals[static_cast<std::size_t>(index.toInt())].name);
    qInfo("planted animals, held-out CCA (p):%s order%s, %.1f s", qPrintable(text), qPrintable(orderText),
          o["seconds"].toDouble());
    const auto group = [&](int index) { return animals[static_cast<std::size_t>(index)].rotational > 0; };
    // Two blocks: the group changes once along the order.
    int changes = 0;
    for (int k = 1; k < 5; ++k) changes += group(order[k].toInt()) != group(order[k - 1].toInt()) ? 1 : 0;
    QCOMPARE(changes, 1);
    for (int i = 0; i < 5; ++i)
      for (int j = 0; j < 5; ++j) {
        if (i == j) continue;
        const double pij = p[i].toArray()[j].toDouble();
        if (group(i) == group(j))
          QVERIFY2(pij < 0.01, qPrintable(QString("%1 vs %2: p %3").arg(i).arg(j).arg(pij)));
        else
          QVERIFY2(pij > 0.05, qPrintable(QString("%1 vs %2: p %3").arg(i).arg(j).arg(pij)));
      }
    // --figure: the heatmap in the clustered order, labelled with the file stems, p < 0.01 marked.
    QCOMPARE(o["figure"].toString(), out("planted_matrix.svg"));
    QFile svg(out("planted_matrix.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QString drawn = QString::fromUtf8(svg.readAll());
    for (const auto& animal : animals) QVERIFY2(drawn.contains(animal.name), animal.name);
    QVERIFY(drawn.contains("**"));
    QVERIFY(drawn.contains("cca_heldout_mean"));
    // Within-block pairs are marked, between-block pairs are not: 8 within-group cells (3 + 1 pairs, both ways) of 20.
    QCOMPARE(static_cast<int>(drawn.count(QRegularExpression(">\\*\\*\\*?<"))), 8);
  }

  void realPmdByConditions() {
    if (!QFile::exists(shared("pmd_reach_yu2009.nwb")) || !QFile::exists(shared("pmd_reach_ex2.nwb")))
      QSKIP("PMd recordings missing");
    const auto r = runCli({"align", shared("pmd_reach_yu2009.nwb"), shared("pmd_reach_ex2.nwb"), "--json", "--quiet"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = json(r.out);
    QCOMPARE(o["match"].toString(), QString("conditions"));
    QCOMPARE(o["conditions"].toArray(), (QJsonArray{"reach1", "reach2"}));
    QCOMPARE(o["rows"].toInt(), 2 * 20);  // 400 ms of yu2009 against the longer ex2 trials
    QCOMPARE(o["dims"].toInt(), 10);
    // Two conditions: one relabelling besides the identity, so the smallest p is 1/2.
    QCOMPARE(o["p_min"].toDouble(), 0.5);
    QCOMPARE(o["permutations"].toInt(), 1);
  }

  // The DataHigh MAT file behind pmd_reach_yu2009.nwb (read by the reader plugin) against the NWB file: the
  // same counts on both sides, so every canonical correlation is 1 and the disparity 0.
  void sameDataAsMatAndNwb() {
    if (!QFile::exists(shared("matlab/datahigh_ex1_spikecounts.mat")) || !QFile::exists(shared("pmd_reach_yu2009.nwb")))
      QSKIP("DataHigh recordings missing");
    const auto r = runCli({"align", shared("matlab/datahigh_ex1_spikecounts.mat"), shared("pmd_reach_yu2009.nwb"),
                           "--json", "--quiet", "--permutations", "20", "--seed", "1"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = json(r.out);
    QCOMPARE(o["match"].toString(), QString("conditions"));
    QCOMPARE(o["conditions"].toArray().size(), 7);
    QCOMPARE(o["rows"].toInt(), 7 * 20);
    for (const auto value : o["canonical_correlations"].toArray()) QVERIFY(value.toDouble() > 1.0 - 1e-9);
    for (const auto value : o["cca_heldout"].toArray()) QVERIFY(value.toDouble() > 1.0 - 1e-9);
    QVERIFY(o["procrustes_disparity"].toDouble() < 1e-9);
    QCOMPARE(o["p_values"].toObject()["cca_heldout_mean"].toDouble(), 1.0 / 21.0);
  }

  // Two continuous recordings of different animals and areas, matched by the direction of hand velocity: the
  // contract's shape of the result (the numbers are discussed in docs/alignment.md, not asserted here).
  void continuousByBehavior() {
    if (!QFile::exists(shared("m1_stevenson2011.nwb")) || !QFile::exists(shared("s1_area2.nwb")))
      QSKIP("M1 / area 2 recordings missing");
    const auto r = runCli({"align", shared("m1_stevenson2011.nwb"), shared("s1_area2.nwb"), "--match",
                           "behavior:hand_vel", "--json", "--quiet", "--permutations", "50", "--seed", "1"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = json(r.out);
    QCOMPARE(o["match"].toString(), QString("behavior:hand_vel"));
    QCOMPARE(o["conditions"].toArray().size(), 8);
    QCOMPARE(o["rows"].toInt(), 8 * 10);
    QCOMPARE(o["dims"].toInt(), 10);
    QCOMPARE(o["p_min"].toDouble(), 1.0 / 51.0);
    QCOMPARE(o["p_values"].toObject().size(), 5);
    qInfo("M1 vs area 2 by hand direction: CCA mean %.3f, held-out %.3f (p %.3f), disparity %.3f (p %.3f)",
          o["cca_mean"].toDouble(), o["cca_heldout_mean"].toDouble(),
          o["p_values"].toObject()["cca_heldout_mean"].toDouble(), o["procrustes_disparity"].toDouble(),
          o["p_values"].toObject()["procrustes_disparity"].toDouble());
    // No direction series on a recording without one: exit 3 naming it.
    expectBadInput({"align", shared("m1_stevenson2011.nwb"), shared("s1_area2.nwb"), "--match", "behavior:nothing"},
                   "nothing");
  }

  void badInputs() {
    // A failing run leaves no --out behind.
    expectBadInput({"align", out("lat_a.h5"), out("missing.h5"), "--out", out("never.h5")}, "missing.h5");
    QVERIFY(!QFile::exists(out("never.h5")));
    expectBadInput({"align", out("lat_a.h5"), out("lat_b.h5"), "--dims", "5"}, "--dims 5");
    expectBadInput({"align", out("lat_a.h5"), out("lat_short.h5")}, "same trials and bins");
    // DSA: more delays than a trial's 40 bins allow, a rank above the embedding's K x delays columns.
    expectBadInput({"align", out("lat_a.h5"), out("lat_b.h5"), "--method", "dsa", "--dsa-delays", "40"},
                   "too short for 40 delays");
    expectBadInput({"align", out("lat_a.h5"), out("lat_b.h5"), "--method", "dsa", "--dsa-rank", "9"}, "--dsa-rank 9");
    const auto score = runCli({"align", out("lat_a.h5"), out("lat_b.h5"), "--method", "dsa", "--dsa-score", "cosine"});
    QCOMPARE(score.exitCode, 2);
    expectBadInput({"align", out("lat_a.h5"), out("lat_b.h5"), "--match", "conditions"}, "--match time");
    if (!QFile::exists(shared("pmd_reach_yu2009.nwb"))) QSKIP("pmd_reach_yu2009.nwb missing");
    // A results file of another command (bin: /counts) is not a side.
    const auto bin = runCli({"bin", "--quiet", "--out", out("counts.h5"), shared("pmd_reach_yu2009.nwb")});
    QVERIFY2(bin.exitCode == 0, qPrintable(bin.err));
    expectBadInput({"align", out("counts.h5"), out("lat_a.h5")}, "without /latents");
    // The demo's conditions are reach_000 ... reach_315, the PMd recording's reach1 ... reach7.
    expectBadInput({"align", out("demo/demo.nwb"), shared("pmd_reach_yu2009.nwb"), "--window", "0:400"},
                   "no condition label");
    // Fewer matched rows than 2 x K: one 400 ms trial-average per condition at 200 ms bins is 2 x 2 = 4 rows.
    expectBadInput(
        {"align", shared("pmd_reach_yu2009.nwb"), shared("pmd_reach_ex2.nwb"), "--bin-ms", "200", "--dims", "3"},
        "fewer than 2 x 3");
  }
};

QTEST_GUILESS_MAIN(TestCliAlign)
#include "test_cli_align.moc"
