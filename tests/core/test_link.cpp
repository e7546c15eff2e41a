// The type-latent link: profiles, sign- and basis-free features, association
// with permutation p-values, cross-validated type prediction. Planted types
// (both signs, a random rotation of the latent basis) must be recovered;
// shuffled labels must score at chance with roughly uniform p-values; numbers
// are checked against numpy + scikit-learn (tests/core/python/link_reference.py).
// On the bundled demo model and the demo recording it was trained on, the
// attribution profiles must recover the planted cell types and put each type on
// the planted latents that drive it.
#include <QtTest/QtTest>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <numeric>
#include <random>

#include "neurolens/core/attribution.h"
#include "neurolens/core/binning.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/link.h"
#include "neurolens/core/metrics.h"
#include "neurolens/core/model.h"
#include "neurolens/core/simulator.h"
#include "test_probe_support.h"

using namespace neurolens;
using namespace neurolens::testing;

namespace {

Eigen::MatrixXd randomRotation(Eigen::Index size, std::mt19937_64& generator) {
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd gaussian(size, size);
  for (Eigen::Index i = 0; i < gaussian.size(); ++i) gaussian.data()[i] = normal(generator);
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(gaussian);
  return qr.householderQ() * Eigen::MatrixXd::Identity(size, size);
}

struct Planted {
  Eigen::MatrixXd profiles;  // [units, latents]
  std::vector<std::string> types;
  Eigen::MatrixXd patterns;  // [types, latents]
};

// Each type drives one pattern, each unit with a random sign and gain, plus noise.
// Patterns are the first latent axes when `axisAligned`, random unit vectors otherwise.
Planted plantTypes(std::size_t unitsPerType, int typeCount, Eigen::Index latents, double noise, bool axisAligned,
                   std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> gain(0.5, 2.0);
  std::bernoulli_distribution flip(0.5);
  Planted planted;
  planted.patterns = Eigen::MatrixXd::Zero(typeCount, latents);
  for (int t = 0; t < typeCount; ++t) {
    if (axisAligned) {
      planted.patterns(t, t) = 1.0;
    } else {
      for (Eigen::Index d = 0; d < latents; ++d) planted.patterns(t, d) = normal(generator);
      planted.patterns.row(t).normalize();
    }
  }
  const auto units = static_cast<Eigen::Index>(unitsPerType) * typeCount;
  planted.profiles.resize(units, latents);
  for (Eigen::Index u = 0; u < units; ++u) {
    const int type = static_cast<int>(u % typeCount);  // interleaved: file order carries no type information
    planted.types.push_back(std::string("type") + static_cast<char>('A' + type));
    const double sign = flip(generator) ? -1.0 : 1.0;
    planted.profiles.row(u) = sign * gain(generator) * planted.patterns.row(type);
    for (Eigen::Index d = 0; d < latents; ++d) planted.profiles(u, d) += noise * normal(generator);
  }
  return planted;
}

// Rows [trials of `keep`] of a [trials, ...] array.
FloatArray takeTrials(const FloatArray& array, const std::vector<std::size_t>& keep) {
  std::vector<std::size_t> shape = array.shape();
  const std::size_t block = array.size() / shape[0];
  std::vector<float> values;
  values.reserve(keep.size() * block);
  for (const std::size_t t : keep)
    values.insert(values.end(), array.values().begin() + static_cast<long>(t * block),
                  array.values().begin() + static_cast<long>((t + 1) * block));
  shape[0] = keep.size();
  return FloatArray(shape, std::move(values));
}

// [trials * bins, dims] view of a [trials, bins, dims] array, as doubles.
Eigen::MatrixXd rowsOf(const FloatArray& array) {
  Eigen::MatrixXd rows(static_cast<Eigen::Index>(array.dim(0) * array.dim(1)), static_cast<Eigen::Index>(array.dim(2)));
  for (Eigen::Index r = 0; r < rows.rows(); ++r)
    for (Eigen::Index c = 0; c < rows.cols(); ++c)
      rows(r, c) = array.values()[static_cast<std::size_t>(r * rows.cols() + c)];
  return rows;
}

// The bundled demo model on the demo recording it was trained on (seed 1).
struct DemoLink {
  DemoData demo;
  std::vector<std::size_t> trials;  // the subset attributed
  FloatArray counts;                // [subset, bins, units]
  std::vector<std::string> types;
  ModelOutputs outputs;  // on the subset
  ProfileAccumulator profiles{ProfileKind::Signed};
  double maxRelCompleteness = 0.0;
  double seconds = 0.0;
};

const DemoLink& demoLink() {
  static const DemoLink link = [] {
    DemoLink made;
    made.demo = simulateDemo();
    BinningOptions binning;
    binning.windowStartMs = 0.0;
    binning.windowEndMs = 1000.0;
    const BinnedRecording binned = binRecording(made.demo.recording, binning);
    made.types = binned.units.find("cell_type")->texts();
    // Every 5th trial: 64 of 320, all eight reach directions, spread over the session.
    // Profiles are sums over trials; 64 trials x 50 bins already hold ~100 spikes
    // per unit, and keep the test well under a minute.
    for (std::size_t t = 0; t < binned.trialCount(); t += 5) made.trials.push_back(t);
    made.counts = takeTrials(binned.counts, made.trials);
    const Model model =
        Model::load((std::filesystem::path(NEUROLENS_SOURCE_DIR) / "resources" / "demo" / "demo_model.pt").string());
    made.outputs = model.infer(made.counts, DeviceChoice::Cpu);
    AttributionOptions options;
    options.device = DeviceChoice::Cpu;
    // The demo model is smooth (tanh): 16 Gauss-Legendre steps already leave
    // < 1e-3 of F(x) - F(0) unexplained (checked below), as 50 do; 8 would not
    // for a trial whose latent barely moves.
    options.steps = 16;
    const auto started = std::chrono::steady_clock::now();
    const AttributionSummary summary = attribute(
        model, made.counts, options, [&](const AttributionChunk& chunk) { made.profiles.add(chunk.attributions); });
    made.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    made.maxRelCompleteness = summary.maxRelCompleteness;
    return made;
  }();
  return link;
}

}  // namespace

class TestLink : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void profilesSumOverTrialsAndBins() {
    // [trials 2, latents 2, bins 3, units 2] with known entries.
    FloatArray attributions({2, 2, 3, 2});
    for (std::size_t i = 0; i < attributions.size(); ++i)
      attributions.values()[i] = static_cast<float>((i % 5) - 2.0);  // -2..2
    ProfileAccumulator whole(ProfileKind::Signed);
    whole.add(attributions);
    Eigen::MatrixXd expected = Eigen::MatrixXd::Zero(2, 2);
    Eigen::MatrixXd expectedMass = Eigen::MatrixXd::Zero(2, 2);
    for (std::size_t t = 0; t < 2; ++t)
      for (std::size_t d = 0; d < 2; ++d)
        for (std::size_t b = 0; b < 3; ++b)
          for (std::size_t u = 0; u < 2; ++u) {
            const double value = attributions.values()[((t * 2 + d) * 3 + b) * 2 + u];
            expected(static_cast<Eigen::Index>(u), static_cast<Eigen::Index>(d)) += value;
            expectedMass(static_cast<Eigen::Index>(u), static_cast<Eigen::Index>(d)) += std::abs(value);
          }
    QVERIFY(whole.profiles().isApprox(expected));
    QVERIFY(whole.mass().isApprox(expectedMass));
    // Streaming trial by trial gives the same sums; --profile abs sums magnitudes.
    ProfileAccumulator chunked(ProfileKind::Abs);
    for (std::size_t t = 0; t < 2; ++t) {
      const std::size_t block = attributions.size() / 2;
      chunked.add(FloatArray({1, 2, 3, 2},
                             std::vector<float>(attributions.values().begin() + static_cast<long>(t * block),
                                                attributions.values().begin() + static_cast<long>((t + 1) * block))));
    }
    QVERIFY(chunked.profiles().isApprox(expectedMass));
    QVERIFY_THROWS_EXCEPTION(InputError, chunked.add(FloatArray({1, 3, 3, 2})));
    QCOMPARE(parseProfileKind("abs"), ProfileKind::Abs);
    QVERIFY_THROWS_EXCEPTION(InputError, (void)parseProfileKind("squared"));
  }

  void signFreeFeaturesIgnoreSignAndBasis() {
    std::mt19937_64 generator(4);
    const Planted planted = plantTypes(4, 3, 5, 0.3, false, 4);
    const Eigen::MatrixXd p = normaliseRows(planted.profiles);
    const Eigen::MatrixXd features = signFreeFeatures(p);
    QVERIFY(features.isApprox(signFreeFeatures(-p)));
    // f(p).f(q) = (p.q)^2 = <p p^T, q q^T>_F: unchanged by any rotation of the latents.
    const Eigen::MatrixXd rotated = p * randomRotation(5, generator);
    const Eigen::MatrixXd gram = features * features.transpose();
    const Eigen::MatrixXd rotatedGram = signFreeFeatures(rotated) * signFreeFeatures(rotated).transpose();
    QVERIFY((gram - (p * p.transpose()).array().square().matrix()).cwiseAbs().maxCoeff() < 1e-12);
    QVERIFY((gram - rotatedGram).cwiseAbs().maxCoeff() < 1e-12);
    QVERIFY((absCosineSimilarity(p) - absCosineSimilarity(rotated)).cwiseAbs().maxCoeff() < 1e-12);
  }

  void plantedTypesAreRecoveredInAnyBasis() {
    const Planted planted = plantTypes(40, 3, 6, 0.35, false, 7);
    std::mt19937_64 generator(8);
    const Eigen::MatrixXd rotated = planted.profiles * randomRotation(6, generator);
    LinkOptions options;
    options.permutations = 200;
    options.seed = 1;
    const LinkResult original = runLink(planted.profiles, planted.profiles.cwiseAbs(), planted.types, options);
    const LinkResult turned = runLink(rotated, rotated.cwiseAbs(), planted.types, options);
    qInfo("planted types: type_accuracy %.3f (rotated basis %.3f), abs_accuracy %.3f (rotated %.3f), chance %.3f",
          original.typeAccuracy, turned.typeAccuracy, original.absAccuracy, turned.absAccuracy, turned.chance);
    QVERIFY(turned.typeAccuracy >= 0.9);
    QVERIFY(original.typeAccuracy >= 0.9);
    // Basis-free: the same units are predicted the same way in both bases.
    std::size_t differ = 0;
    for (std::size_t u = 0; u < turned.predictedTypes.size(); ++u)
      differ += turned.predictedTypes[u] != original.predictedTypes[u] ? 1 : 0;
    QVERIFY2(differ <= 1, qPrintable(QString("%1 units change type with the basis").arg(differ)));
    QCOMPARE(turned.chance, 1.0 / 3.0);
    QCOMPARE(turned.types, (std::vector<std::string>{"typeA", "typeB", "typeC"}));
    // Each type's principal direction is its planted pattern, up to sign.
    for (int t = 0; t < 3; ++t) {
      const double alignment = std::abs(original.principalDirections.row(t).dot(planted.patterns.row(t)));
      QVERIFY2(alignment > 0.95, qPrintable(QString::number(alignment)));
      QVERIFY(original.principalShare[static_cast<std::size_t>(t)] > 0.6);
    }
    QVERIFY(std::abs(std::accumulate(turned.attributionShareTotal.begin(), turned.attributionShareTotal.end(), 0.0) -
                     1.0) < 1e-12);
    QVERIFY((turned.attributionShare.colwise().sum().array() - 1.0).abs().maxCoeff() < 1e-12);
  }

  void associationFindsEachTypesLatent() {
    // Axis-aligned patterns: type t lives on latent t.
    const Planted planted = plantTypes(30, 3, 5, 0.25, true, 21);
    LinkOptions options;
    options.permutations = 999;
    options.seed = 2;
    const LinkResult result = runLink(planted.profiles, planted.profiles.cwiseAbs(), planted.types, options);
    for (int t = 0; t < 3; ++t) {
      Eigen::Index strongest = 0;
      result.association.row(t).maxCoeff(&strongest);
      QCOMPARE(strongest, Eigen::Index{t});
      QCOMPARE(result.pValues(t, t), 1.0 / 1000.0);
      QVERIFY(result.pValues(t, 4) > 0.05);  // latent 4 carries no type
    }
    // Rows of the association sum to 1 (unit-norm profiles).
    QVERIFY((result.association.rowwise().sum().array() - 1.0).abs().maxCoeff() < 1e-12);
  }

  void shuffledLabelsScoreChanceWithUniformPValues() {
    std::vector<double> pValues;
    std::vector<double> accuracies;
    for (std::uint64_t seed = 0; seed < 25; ++seed) {
      Planted planted = plantTypes(20, 3, 6, 0.35, false, 100 + seed);
      std::mt19937_64 generator(seed);
      std::shuffle(planted.types.begin(), planted.types.end(), generator);
      LinkOptions options;
      options.permutations = 99;
      options.seed = seed;
      const LinkResult result = runLink(planted.profiles, planted.profiles.cwiseAbs(), planted.types, options);
      accuracies.push_back(result.typeAccuracy);
      for (Eigen::Index i = 0; i < result.pValues.size(); ++i) pValues.push_back(result.pValues.data()[i]);
    }
    const double meanAccuracy = std::accumulate(accuracies.begin(), accuracies.end(), 0.0) / 25.0;
    // Kolmogorov-Smirnov distance of the p-values from the uniform distribution.
    std::sort(pValues.begin(), pValues.end());
    double distance = 0.0;
    const auto n = static_cast<double>(pValues.size());
    for (std::size_t i = 0; i < pValues.size(); ++i)
      distance = std::max({distance, std::abs(static_cast<double>(i + 1) / n - pValues[i]),
                           std::abs(static_cast<double>(i) / n - pValues[i])});
    qInfo("shuffled labels: mean type_accuracy %.3f (chance 0.333), KS distance of %zu p-values %.3f", meanAccuracy,
          pValues.size(), distance);
    QVERIFY(std::abs(meanAccuracy - 1.0 / 3.0) < 0.08);
    // Per-test p-values are correlated within a data set; 0.1 is far below what a real effect gives.
    QVERIFY(distance < 0.1);
  }

  void matchesNumpyAndSklearn() {
    const Planted planted = plantTypes(25, 4, 5, 0.6, false, 33);
    LinkOptions options;
    options.permutations = 10;
    options.seed = 5;
    options.alpha = 0.5;
    const LinkResult result = runLink(planted.profiles, planted.profiles.cwiseAbs(), planted.types, options);
    QTemporaryDir dir;
    writeMatrix(dir.filePath("profiles.f64"), planted.profiles);
    const TypeLabels labels = encodeTypes(planted.types);
    QJsonArray types;
    QJsonArray folds;
    for (std::size_t u = 0; u < labels.index.size(); ++u) {
      types.append(labels.index[u]);
      folds.append(static_cast<qint64>(result.foldOfUnit[u]));
    }
    writeJson(dir.filePath("meta.json"), QJsonObject{{"units", static_cast<qint64>(planted.profiles.rows())},
                                                     {"latents", static_cast<qint64>(planted.profiles.cols())},
                                                     {"alpha", options.alpha},
                                                     {"types", types},
                                                     {"folds", folds}});
    QString errors;
    const int code = runPythonReference("link_reference.py", {dir.path()}, &errors);
    if (code == 77) QSKIP(qPrintable("numpy/scikit-learn missing from NEUROLENS_TEST_PYTHON: " + errors));
    QVERIFY2(code == 0, qPrintable(errors));
    const QJsonObject reference = readJson(dir.filePath("out.json"));
    const QJsonArray association = reference["association"].toArray();
    for (int t = 0; t < 4; ++t)
      for (int d = 0; d < 5; ++d)
        QVERIFY(std::abs(association[t].toArray()[d].toDouble() - result.association(t, d)) < 1e-12);
    qInfo("link vs sklearn: type_accuracy %.4f (%.4f), abs_accuracy %.4f (%.4f)", result.typeAccuracy,
          reference["type_accuracy"].toDouble(), result.absAccuracy, reference["abs_accuracy"].toDouble());
    QVERIFY(std::abs(result.typeAccuracy - reference["type_accuracy"].toDouble()) <= 0.02);
    QVERIFY(std::abs(result.absAccuracy - reference["abs_accuracy"].toDouble()) <= 0.02);
    // Stratified folds: every fold holds every type in proportion.
    std::map<std::pair<std::size_t, int>, int> perFold;
    for (std::size_t u = 0; u < labels.index.size(); ++u) ++perFold[{result.foldOfUnit[u], labels.index[u]}];
    for (const auto& [key, count] : perFold) QCOMPARE(count, 5);
  }

  // The demo model fits the demo and its latents hold the planted latents.
  void demoModelRecoversThePlantedLatents() {
    const DemoLink& link = demoLink();
    const FloatArray truth = takeTrials(link.demo.latents, link.trials);
    const FloatArray expected = takeTrials(link.demo.expectedCounts, link.trials);
    QVERIFY(link.outputs.rates.has_value());
    const double model = bitsPerSpike(*link.outputs.rates, link.counts);
    const double oracle = bitsPerSpike(expected, link.counts);  // the simulator's own rates
    // Planted latents read linearly from the model's latents (least squares with intercept).
    Eigen::MatrixXd design(rowsOf(link.outputs.latents).rows(), link.outputs.latents.dim(2) + 1);
    design << rowsOf(link.outputs.latents), Eigen::VectorXd::Ones(design.rows());
    const Eigen::MatrixXd target = rowsOf(truth);
    const Eigen::MatrixXd fitted = design * design.colPivHouseholderQr().solve(target);
    QString r2Text;
    double meanR2 = 0.0;
    for (Eigen::Index k = 0; k < target.cols(); ++k) {
      const double residual = (target.col(k) - fitted.col(k)).squaredNorm();
      const double spread = (target.col(k).array() - target.col(k).mean()).square().sum();
      const double r2 = 1.0 - residual / spread;
      r2Text += QString(" %1 %2")
                    .arg(QString::fromStdString(link.demo.latentNames[static_cast<std::size_t>(k)]))
                    .arg(r2, 0, 'f', 3);
      // Per-bin R2 is capped by Poisson noise (dir_x, dir_y only move during the reach).
      QVERIFY2(r2 > 0.4, qPrintable(r2Text));
      meanR2 += r2 / static_cast<double>(target.cols());
    }
    qInfo("demo model on %zu demo trials: %.3f bits/spike (the simulator's true rates %.3f); planted-latent R2%s",
          link.trials.size(), model, oracle, qPrintable(r2Text));
    QVERIFY(meanR2 > 0.6);
    QVERIFY(model > 0.8 * oracle);
    QVERIFY(model <= oracle + 0.02);  // a model cannot beat the true rates by more than chance
  }

  // Issue 6's validity test on the demo's planted structure with the demo model itself.
  void demoModelLinksTypesToTheirPlantedLatents() {
    const DemoLink& link = demoLink();
    LinkOptions options;
    options.permutations = 999;
    options.seed = 1;
    const LinkResult result = runLink(link.profiles.profiles(), link.profiles.mass(), link.types, options);
    qInfo(
        "demo model, %zu trials: attribution %.1f s, max relative completeness %.2g; type_accuracy %.3f "
        "(abs_accuracy %.3f, chance %.3f)",
        link.trials.size(), link.seconds, link.maxRelCompleteness, result.typeAccuracy, result.absAccuracy,
        result.chance);
    QVERIFY(link.maxRelCompleteness < 1e-3);
    QVERIFY(result.typeAccuracy >= 0.9);
    QCOMPARE(result.types, (std::vector<std::string>{"ramping", "rotational", "tuned", "untuned"}));

    // Into the planted basis: the model's latents read out the planted ones as z = A m + c
    // (least squares on these trials), and integrated gradients are linear in the target,
    // so attribution to planted latent k is sum_d A[k, d] * attribution to model latent d.
    const FloatArray truth = takeTrials(link.demo.latents, link.trials);
    Eigen::MatrixXd design(rowsOf(link.outputs.latents).rows(), link.outputs.latents.dim(2) + 1);
    design << rowsOf(link.outputs.latents), Eigen::VectorXd::Ones(design.rows());
    const Eigen::MatrixXd map = design.colPivHouseholderQr().solve(rowsOf(truth));  // [latents + 1, 5]
    const Eigen::MatrixXd readout = map.topRows(design.cols() - 1);
    const Eigen::MatrixXd planted = link.profiles.profiles() * readout;  // [units, 5]
    const LinkResult inPlanted = runLink(planted, (link.profiles.mass() * readout.cwiseAbs()), link.types, options);
    // rot1, rot2 | ramp | dir_x, dir_y: indices of each type's planted latents.
    const std::map<std::string, std::vector<Eigen::Index>> own{
        {"rotational", {0, 1}}, {"ramping", {2}}, {"tuned", {3, 4}}};
    for (std::size_t t = 0; t < inPlanted.types.size(); ++t) {
      const auto row = static_cast<Eigen::Index>(t);
      QString shares;
      for (Eigen::Index k = 0; k < 5; ++k)
        shares += QString(" %1 %2 (p %3)")
                      .arg(QString::fromStdString(link.demo.latentNames[static_cast<std::size_t>(k)]))
                      .arg(inPlanted.association(row, k), 0, 'f', 2)
                      .arg(inPlanted.pValues(row, k), 0, 'g', 2);
      qInfo("  %-10s association with the planted latents:%s", inPlanted.types[t].c_str(), qPrintable(shares));
      const auto found = own.find(inPlanted.types[t]);
      if (found == own.end()) continue;  // untuned: drives nothing
      double share = 0.0;
      for (const Eigen::Index k : found->second) {
        share += inPlanted.association(row, k);
        QVERIFY2(inPlanted.pValues(row, k) <= 0.002, qPrintable(shares));
      }
      QVERIFY2(share > 0.75, qPrintable(QString::fromStdString(inPlanted.types[t]) + ":" + shares));
    }
    // The untuned units carry little of the attribution, in either basis.
    const auto untuned =
        static_cast<std::size_t>(std::find(result.types.begin(), result.types.end(), "untuned") - result.types.begin());
    qInfo("  share of |attribution| carried by the untuned units: %.3f", result.attributionShareTotal[untuned]);
    QVERIFY(result.attributionShareTotal[untuned] < 0.1);
  }

  // Shuffled cell types on the same demo profiles: accuracy falls to chance.
  void demoModelShuffledTypesScoreChance() {
    const DemoLink& link = demoLink();
    std::vector<double> accuracies;
    std::vector<double> pValues;
    double chance = 0.0;
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      std::vector<std::string> shuffled = link.types;
      std::mt19937_64 generator(seed);
      std::shuffle(shuffled.begin(), shuffled.end(), generator);
      LinkOptions options;
      options.permutations = 199;
      options.seed = seed;
      const LinkResult result = runLink(link.profiles.profiles(), link.profiles.mass(), shuffled, options);
      accuracies.push_back(result.typeAccuracy);
      chance = result.chance;
      for (Eigen::Index i = 0; i < result.pValues.size(); ++i) pValues.push_back(result.pValues.data()[i]);
    }
    const double mean = std::accumulate(accuracies.begin(), accuracies.end(), 0.0) / 10.0;
    const double smallP =
        static_cast<double>(std::count_if(pValues.begin(), pValues.end(), [](double p) { return p <= 0.05; })) /
        static_cast<double>(pValues.size());
    qInfo(
        "demo model, shuffled cell types: mean type_accuracy %.3f (chance %.3f, max %.3f); %.3f of %zu p-values "
        "<= 0.05",
        mean, chance, *std::max_element(accuracies.begin(), accuracies.end()), smallP, pValues.size());
    QVERIFY(mean < chance + 0.08);
    QVERIFY(smallP < 0.15);  // about 0.05 when calibrated
  }

  void rejectsWhatCannotBeLinked() {
    const Planted planted = plantTypes(5, 2, 3, 0.3, false, 1);
    LinkOptions options;
    options.permutations = 5;
    std::vector<std::string> oneType(planted.types.size(), "pyramidal");
    QVERIFY_THROWS_EXCEPTION(InputError, (void)runLink(planted.profiles, planted.profiles, oneType, options));
    std::vector<std::string> tooFew(planted.types.begin(), planted.types.end() - 1);
    QVERIFY_THROWS_EXCEPTION(InputError, (void)runLink(planted.profiles, planted.profiles, tooFew, options));
    Eigen::MatrixXd broken = planted.profiles;
    broken(0, 0) = std::numeric_limits<double>::quiet_NaN();
    QVERIFY_THROWS_EXCEPTION(ComputeError, (void)runLink(broken, planted.profiles, planted.types, options));
    // A silent unit (all-zero profile) is kept and counted, not a crash.
    Eigen::MatrixXd silent = planted.profiles;
    silent.row(3).setZero();
    const LinkResult result = runLink(silent, silent.cwiseAbs(), planted.types, options);
    QCOMPARE(result.silentUnits, std::size_t{1});
    QVERIFY(result.profiles.allFinite());
  }
};

QTEST_GUILESS_MAIN(TestLink)
#include "test_link.moc"
