// Alignment statistics (core/alignment.h): canonical correlations against numpy's
// QR + SVD and scikit-learn's CCA, Procrustes disparity against
// scipy.spatial.procrustes (tests/core/python/alignment_reference.py), hand-solved
// cases, matching, and planted "animals" from the simulator: the same latent
// dynamics seen through different neurons align (and significantly so), other
// dynamics do not.
#include <QtTest/QtTest>
#include <random>

#include "neurolens/core/alignment.h"
#include "neurolens/core/binning.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/projection.h"
#include "neurolens/core/simulator.h"
#include "test_probe_support.h"

using namespace neurolens;
using namespace neurolens::testing;

namespace {

Eigen::MatrixXd gaussianMatrix(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& generator) {
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = normal(generator);
  return m;
}

// One simulated animal: condition-labelled counts smoothed as `align` smooths them (40 ms sd).
struct Animal {
  FloatArray features;
  std::vector<std::string> conditions;
};

Animal simulatedAnimal(const DemoOptions& options) {
  const DemoData demo = simulateDemo(options);
  BinningOptions binning;
  binning.windowStartMs = 0.0;
  binning.windowEndMs = 1000.0;
  const BinnedRecording binned = binRecording(demo.recording, binning);
  Animal animal;
  animal.features = smoothAlongBins(binned.counts, 40.0 / binned.binMs);
  animal.conditions = binned.trials.find("condition")->texts();
  return animal;
}

DemoOptions animalOptions(std::uint64_t seed, int rotational, int ramping, int tuned, int untuned) {
  DemoOptions options;
  options.seed = seed;
  options.trialsPerCondition = 20;
  options.rotationalUnits = rotational;
  options.rampingUnits = ramping;
  options.tunedUnits = tuned;
  options.untunedUnits = untuned;
  return options;
}

}  // namespace

class TestAlignment : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void matchesNumpySklearnAndScipy() {
    std::mt19937_64 generator(7);
    const Eigen::Index rows = 240;
    const Eigen::Index cols = 4;
    // Shared signal of decreasing strength plus independent noise on both sides.
    const Eigen::MatrixXd shared = gaussianMatrix(rows, cols, generator);
    const Eigen::MatrixXd a =
        shared * gaussianMatrix(cols, cols, generator) + 0.5 * gaussianMatrix(rows, cols, generator);
    const Eigen::MatrixXd b =
        shared * Eigen::VectorXd::LinSpaced(cols, 2.0, 0.1).asDiagonal() * gaussianMatrix(cols, cols, generator) +
        0.8 * gaussianMatrix(rows, cols, generator) + Eigen::MatrixXd::Constant(rows, cols, 3.0);
    QTemporaryDir dir;
    writeMatrix(dir.filePath("a.f64"), a);
    writeMatrix(dir.filePath("b.f64"), b);
    writeJson(dir.filePath("meta.json"),
              QJsonObject{{"rows", static_cast<int>(rows)}, {"cols", static_cast<int>(cols)}});
    QString errors;
    const int code = runPythonReference("alignment_reference.py", {dir.path()}, &errors);
    if (code == 77) QSKIP(qPrintable("numpy/scipy/scikit-learn missing from NEUROLENS_TEST_PYTHON: " + errors));
    QVERIFY2(code == 0, qPrintable(errors));
    const QJsonObject reference = readJson(dir.filePath("out.json"));

    const CanonicalFit fit = fitCanonical(a, b);
    QCOMPARE(fit.correlations.size(), static_cast<std::size_t>(cols));
    double worstNumpy = 0.0;
    double worstSklearn = 0.0;
    for (int c = 0; c < cols; ++c) {
      const auto i = static_cast<std::size_t>(c);
      worstNumpy = std::max(worstNumpy, std::abs(fit.correlations[i] - reference["numpy"].toArray()[c].toDouble()));
      worstSklearn =
          std::max(worstSklearn, std::abs(fit.correlations[i] - reference["sklearn"].toArray()[c].toDouble()));
      if (c > 0) QVERIFY(fit.correlations[i] <= fit.correlations[i - 1]);
    }
    qInfo("canonical correlations %.6f %.6f %.6f %.6f; max |diff| vs numpy %.2e, vs sklearn CCA %.2e",
          fit.correlations[0], fit.correlations[1], fit.correlations[2], fit.correlations[3], worstNumpy, worstSklearn);
    QVERIFY(worstNumpy < 1e-6);
    QVERIFY(worstSklearn < 1e-3);
    // The weights give unit-variance variates whose pairwise correlations are the canonical ones.
    const Eigen::MatrixXd u = (a.rowwise() - fit.meanA) * fit.weightsA;
    const Eigen::MatrixXd v = (b.rowwise() - fit.meanB) * fit.weightsB;
    const Eigen::MatrixXd cross = u.transpose() * v / static_cast<double>(rows - 1);
    const Eigen::MatrixXd gram = u.transpose() * u / static_cast<double>(rows - 1);
    for (Eigen::Index i = 0; i < cols; ++i)
      QVERIFY(std::abs(cross(i, i) - fit.correlations[static_cast<std::size_t>(i)]) < 1e-9);
    QVERIFY((gram - Eigen::MatrixXd::Identity(cols, cols)).cwiseAbs().maxCoeff() < 1e-9);

    const double disparity = procrustesDisparity(a, b).disparity;
    qInfo("Procrustes disparity %.9f, scipy %.9f", disparity, reference["disparity"].toDouble());
    QVERIFY(std::abs(disparity - reference["disparity"].toDouble()) < 1e-9);
  }

  void handSolvedCases() {
    // One column: a = (1, 2, 3), b = (1, 0, 0). Centred: (-1, 0, 1) and (2/3, -1/3, -1/3); their correlation is
    // -sqrt(3)/2, so the canonical correlation is sqrt(3)/2 and the disparity 1 - 3/4 = 1/4.
    Eigen::MatrixXd a(3, 1);
    a << 1, 2, 3;
    Eigen::MatrixXd b(3, 1);
    b << 1, 0, 0;
    QVERIFY(std::abs(fitCanonical(a, b).correlations[0] - std::sqrt(3.0) / 2.0) < 1e-12);
    QVERIFY(std::abs(procrustesDisparity(a, b).disparity - 0.25) < 1e-12);
    // A rotated, reflected, scaled and shifted copy: disparity 0, every canonical correlation 1.
    Eigen::MatrixXd square(5, 2);
    square << 1, 3, 1, 2, 1, 1, 2, 1, 0, 4;
    Eigen::Matrix2d reflect;
    reflect << 0, 1, 1, 0;
    const Eigen::MatrixXd copy = (3.0 * square * reflect).rowwise() + Eigen::RowVector2d(4, -2);
    QVERIFY(procrustesDisparity(square, copy).disparity < 1e-12);
    for (const double r : fitCanonical(square, copy).correlations) QVERIFY(std::abs(r - 1.0) < 1e-12);
    // Sectors of directions: counter-clockwise from +x.
    QCOMPARE(directionSector(1.0, 0.0, 8), 0);
    QCOMPARE(directionSector(0.0, 1.0, 8), 2);
    QCOMPARE(directionSector(-1.0, -1e-9, 8), 4);  // just past 180 degrees
    QCOMPARE(directionSector(1.0, -1e-9, 8), 7);
    QCOMPARE(directionSector(0.0, 0.0, 8), -1);
    QCOMPARE(directionSector(std::nan(""), 1.0, 8), -1);
  }

  void matchingAndBadInput() {
    // Conditions: only the common labels, sorted, over the common bins.
    FloatArray a({3, 4, 2}, 0.0F);
    FloatArray b({2, 3, 3}, 1.0F);
    for (std::size_t f = 0; f < 2; ++f) a(2, 1, f) = 6.0F;
    const MatchedRows matched = matchByConditions(a, {"x", "y", "y"}, b, {"y", "z"});
    QCOMPARE(matched.labels, (std::vector<std::string>{"y"}));
    QCOMPARE(matched.a.rows(), Eigen::Index{3});
    QCOMPARE(matched.a(1, 0), 3.0);
    QVERIFY_THROWS_EXCEPTION(InputError, (void)matchByConditions(a, {"x", "x", "x"}, b, {"y", "z"}));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)matchByTime(a, b));
    // Sectors: a direction turning through every sector once per 8 bins.
    FloatArray behavior({1, 80, 2});
    FloatArray features({1, 80, 3});
    for (std::size_t t = 0; t < 80; ++t) {
      const double angle = 2.0 * 3.14159265358979 * (static_cast<double>(t) + 0.5) / 8.0;
      behavior(0, t, 0) = static_cast<float>(std::cos(angle));
      behavior(0, t, 1) = static_cast<float>(std::sin(angle));
      for (std::size_t f = 0; f < 3; ++f) features(0, t, f) = static_cast<float>(t);
    }
    std::vector<std::size_t> entries;
    const FloatArray sectors = sectorTrajectories(features, behavior, {8, 4}, &entries);
    // Sector 1 is entered at bins 1, 9, ..., 73 (the first bin enters nothing): windows start there.
    QCOMPARE(entries[1], std::size_t{10});
    QCOMPARE(sectors(1, 0, 0), 37.0F);
    QCOMPARE(sectors(1, 3, 2), 40.0F);
    // Trials of straight reaches from rest (no direction, then one): the movement onset enters the reach's sector
    // once per trial, and the direction never changes inside a trial.
    FloatArray reaches({4, 12, 2}, 0.0F);
    FloatArray reachFeatures({4, 12, 1});
    for (std::size_t trial = 0; trial < 4; ++trial)
      for (std::size_t t = 0; t < 12; ++t) {
        reachFeatures(trial, t, 0) = static_cast<float>(10 * trial + t);
        if (t < 3) continue;  // at rest
        reaches(trial, t, 0) = trial % 2 == 0 ? 1.0F : 0.0F;  // trials 0, 2 rightwards (sector 0), 1, 3 up (2)
        reaches(trial, t, 1) = trial % 2 == 0 ? 0.0F : 1.0F;
      }
    const FloatArray onsets = sectorTrajectories(reachFeatures, reaches, {8, 4}, &entries);
    QCOMPARE(entries, (std::vector<std::size_t>{2, 0, 2, 0, 0, 0, 0, 0}));
    QCOMPARE(onsets(0, 0, 0), 13.0F);  // bins 3 and 23: (3 + 23) / 2
    QCOMPARE(onsets(2, 0, 0), 23.0F);  // bins 13 and 33

    std::mt19937_64 generator(1);
    MatchedRows rows;
    rows.match = AlignMatch::Time;
    rows.a = gaussianMatrix(30, 4, generator);
    rows.b = gaussianMatrix(30, 3, generator);
    rows.trialRows = 10;
    AlignOptions options;
    options.dims = 4;  // more than side B's 3
    QVERIFY_THROWS_EXCEPTION(InputError, (void)alignSides(rows, options));
    rows.a = gaussianMatrix(5, 4, generator);
    rows.b = gaussianMatrix(5, 3, generator);
    options.dims = 3;  // 5 rows < 2 x 3
    QVERIFY_THROWS_EXCEPTION(InputError, (void)alignSides(rows, options));
  }

  // The nulls' rearrangements: shifts under time never by whole trials (a trial-periodic signal would align
  // perfectly again), every label permutation once when there are fewer than asked.
  void nullRearrangements() {
    std::mt19937_64 generator(4);
    const Eigen::MatrixXd pattern = gaussianMatrix(20, 3, generator);  // one trial's trajectory, 20 bins
    MatchedRows rows;
    rows.match = AlignMatch::Time;
    rows.trialRows = 20;
    rows.a.resize(200, 3);
    for (Eigen::Index t = 0; t < 10; ++t) rows.a.middleRows(t * 20, 20) = pattern;
    rows.a += 0.05 * gaussianMatrix(200, 3, generator);
    rows.b = rows.a * gaussianMatrix(3, 3, generator) + 0.05 * gaussianMatrix(200, 3, generator);
    AlignOptions options;
    options.permutations = 500;
    const AlignStatistics shifted = alignSides(rows, options);
    // Offsets 20 ... 180 (at least 10 % of 200 rows from either end) but not 20, 40, ..., 180: 161 - 9.
    QVERIFY(shifted.exhaustive);
    QCOMPARE(shifted.permutationsRun, std::size_t{152});
    QCOMPARE(shifted.pMin, 1.0 / 153.0);
    for (const auto& [name, p] : shifted.pValues) QVERIFY2(p == 1.0 / 153.0, name.c_str());
    // Three conditions: the five permutations besides the identity.
    MatchedRows grouped;
    grouped.match = AlignMatch::Conditions;
    grouped.labels = {"a", "b", "c"};
    grouped.groupRows = 20;
    grouped.a = rows.a.topRows(60) + gaussianMatrix(60, 3, generator);
    grouped.b = rows.b.topRows(60) + gaussianMatrix(60, 3, generator);
    options.permutations = 200;
    options.dims = 2;
    const AlignStatistics permuted = alignSides(grouped, options);
    QVERIFY(permuted.exhaustive);
    QCOMPARE(permuted.permutationsRun, std::size_t{5});
    QCOMPARE(permuted.pMin, 1.0 / 6.0);
    QCOMPARE(permuted.nullValues.at("cca_mean").size(), std::size_t{5});
  }

  // Two animals with the same latent dynamics seen through different neurons (other unit counts, other random
  // loadings and spikes): their condition-mean trajectories align almost perfectly, also held out, and the
  // permutation null says so. An animal with other dynamics (only a condition-independent ramp, no rotation, no
  // direction tuning) shares one dimension at most and is not significant.
  void plantedAnimals() {
    const Animal first = simulatedAnimal(animalOptions(11, 48, 32, 40, 30));
    const Animal second = simulatedAnimal(animalOptions(12, 30, 20, 28, 12));
    const Animal other = simulatedAnimal(animalOptions(13, 0, 60, 0, 40));
    AlignOptions options;
    options.dims = 3;
    options.permutations = 100;  // p_min = 1/101, below the 0.01 asked of the same dynamics
    options.seed = 5;
    // Consistency's nested ridge cross-validation, 200 times over, is most of the null's cost (over the
    // 300 s limit in the sanitizer build): its null is left out here, its values are checked without one.
    options.consistency = false;
    const MatchedRows sameRows =
        matchByConditions(first.features, first.conditions, second.features, second.conditions);
    const MatchedRows otherRows = matchByConditions(first.features, first.conditions, other.features, other.conditions);
    const AlignStatistics same = alignSides(sameRows, options);
    const AlignStatistics different = alignSides(otherRows, options);
    AlignOptions consistencyOnly;
    consistencyOnly.dims = 3;
    consistencyOnly.cca = false;
    consistencyOnly.procrustes = false;
    consistencyOnly.permutations = 0;
    const AlignStatistics sameConsistency = alignSides(sameRows, consistencyOnly);
    const AlignStatistics otherConsistency = alignSides(otherRows, consistencyOnly);
    qInfo(
        "same dynamics: CCA %.3f %.3f %.3f (mean %.3f), held-out mean %.3f p %.4f, disparity %.3f p %.4f, "
        "consistency %.3f / %.3f, p_min %.4f",
        same.canonicalCorrelations[0], same.canonicalCorrelations[1], same.canonicalCorrelations[2], same.ccaMean,
        same.ccaHeldoutMean, same.pValues.at("cca_heldout_mean"), same.procrustesDisparity,
        same.pValues.at("procrustes_disparity"), sameConsistency.consistencyAToB, sameConsistency.consistencyBToA,
        same.pMin);
    qInfo(
        "other dynamics: CCA %.3f %.3f %.3f (mean %.3f), held-out mean %.3f p %.4f, disparity %.3f p %.4f, "
        "consistency %.3f / %.3f",
        different.canonicalCorrelations[0], different.canonicalCorrelations[1], different.canonicalCorrelations[2],
        different.ccaMean, different.ccaHeldoutMean, different.pValues.at("cca_heldout_mean"),
        different.procrustesDisparity, different.pValues.at("procrustes_disparity"), otherConsistency.consistencyAToB,
        otherConsistency.consistencyBToA);
    QCOMPARE(same.rows, std::size_t{8 * 50});
    QCOMPARE(same.dims, std::size_t{3});
    for (const double r : same.canonicalCorrelations) QVERIFY(r >= 0.9);
    QVERIFY(same.pValues.at("cca_heldout_mean") < 0.01);
    QVERIFY(different.ccaMean < same.ccaMean - 0.2);
    QVERIFY(different.ccaHeldoutMean < same.ccaHeldoutMean - 0.2);
    QVERIFY(different.pValues.at("cca_heldout_mean") > 0.05);
    QVERIFY(different.procrustesDisparity > same.procrustesDisparity);
    QVERIFY(sameConsistency.consistencyAToB > otherConsistency.consistencyAToB);
    QVERIFY(sameConsistency.consistencyBToA > otherConsistency.consistencyBToA);
  }
};

QTEST_GUILESS_MAIN(TestAlignment)
#include "test_alignment.moc"
