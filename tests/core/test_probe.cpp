// Probes: folds, lag, ridge and logistic cross-validation checked against
// scikit-learn (tests/core/python/probe_reference.py) on the same rows, a perfect
// predictor, the permutation null, and hand velocity decoded from real M1 counts.
#include <QtTest/QtTest>
#include <chrono>
#include <random>

#include "neurolens/core/errors.h"
#include "neurolens/core/linear_models.h"
#include "neurolens/core/probe.h"
#include "test_probe_support.h"

using namespace neurolens;
using namespace neurolens::testing;

namespace {

// counts-like features [trials, bins, units] and a target that depends on them
// linearly plus noise (numeric) or through the trial's condition (categorical).
struct Synthetic {
  FloatArray features;
  ProbeTarget target;
};

Synthetic numericData(std::size_t trials, std::size_t bins, std::size_t units, std::size_t dims, double noise,
                      int lagBins, std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::poisson_distribution<int> spikes(3.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  Synthetic data;
  data.features = FloatArray({trials, bins, units});
  for (auto& value : data.features.values()) value = static_cast<float>(spikes(generator));
  Eigen::MatrixXd weights(units, dims);
  for (Eigen::Index i = 0; i < weights.size(); ++i) weights.data()[i] = normal(generator);
  data.target.name = "behavior:synthetic";
  data.target.numeric = FloatArray({trials, bins, dims}, 0.0F);
  for (std::size_t t = 0; t < trials; ++t)
    for (std::size_t b = 0; b < bins; ++b) {
      // target at bin b depends on the features lagBins earlier
      const long source = static_cast<long>(b) - lagBins;
      for (std::size_t d = 0; d < dims; ++d) {
        double value = 5.0 + noise * normal(generator);
        if (source >= 0 && source < static_cast<long>(bins))
          for (std::size_t u = 0; u < units; ++u)
            value += weights(static_cast<Eigen::Index>(u), static_cast<Eigen::Index>(d)) *
                     data.features(t, static_cast<std::size_t>(source), u);
        data.target.numeric(t, b, d) = static_cast<float>(value);
      }
    }
  return data;
}

// sortedByClass lists the trials class by class (as many recordings do), else interleaved.
Synthetic categoricalData(std::size_t trials, std::size_t bins, std::size_t units, int classes, double separation,
                          std::uint64_t seed, bool sortedByClass = false) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd means(classes, units);
  for (Eigen::Index i = 0; i < means.size(); ++i) means.data()[i] = separation * normal(generator);
  Synthetic data;
  data.features = FloatArray({trials, bins, units});
  data.target.name = "trials:condition";
  for (std::size_t t = 0; t < trials; ++t) {
    const int label = sortedByClass
                          ? static_cast<int>(t * static_cast<std::size_t>(classes) / trials)
                          : static_cast<int>((t * 7 + t / 3) % static_cast<std::size_t>(classes));
    data.target.labels.push_back("cond" + std::to_string(label));
    for (std::size_t b = 0; b < bins; ++b)
      for (std::size_t u = 0; u < units; ++u)
        data.features(t, b, u) = static_cast<float>(means(label, static_cast<Eigen::Index>(u)) + normal(generator));
  }
  return data;
}

QJsonObject metaOf(const ProbeRows& rows, std::size_t folds, const std::vector<double>& alphas, Eigen::Index dims) {
  QJsonArray groupEnd;
  QJsonArray groupLabels;  // a categorical target: one label per trial, for StratifiedKFold
  for (const std::size_t end : rows.groupEnd) {
    groupEnd.append(static_cast<qint64>(end));
    if (!rows.labels.empty()) groupLabels.append(rows.labels[end - 1]);
  }
  QJsonObject meta{{"rows", static_cast<qint64>(rows.features.rows())},
                   {"features", static_cast<qint64>(rows.features.cols())},
                   {"dims", static_cast<qint64>(dims)},
                   {"group_end", groupEnd},
                   {"folds", static_cast<qint64>(folds)},
                   {"alphas", toJsonArray(alphas)}};
  if (!rows.labels.empty()) meta["group_labels"] = groupLabels;
  return meta;
}

}  // namespace

class TestProbe : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void foldsMatchKFoldSizes() {
    const auto folds = contiguousFolds(10, 3);
    QCOMPARE(folds.size(), std::size_t{3});
    QCOMPARE(folds[0].size(), std::size_t{4});
    QCOMPARE(folds[1].begin, std::size_t{4});
    QCOMPARE(folds[2].end, std::size_t{10});
    QVERIFY_THROWS_EXCEPTION(InputError, contiguousFolds(2, 5));
    QVERIFY_THROWS_EXCEPTION(InputError, contiguousFolds(10, 1));
  }

  void lagPairsFeaturesWithLaterTargets() {
    FloatArray features({2, 5, 1});
    ProbeTarget target;
    target.name = "behavior:t";
    target.numeric = FloatArray({2, 5, 1});
    for (std::size_t t = 0; t < 2; ++t)
      for (std::size_t b = 0; b < 5; ++b) {
        features(t, b, 0) = static_cast<float>(10 * t + b);
        target.numeric(t, b, 0) = static_cast<float>(100 + 10 * t + b);
      }
    const ProbeRows later = buildProbeRows(features, target, 2);
    QCOMPARE(later.features.rows(), Eigen::Index{6});  // 3 partners per trial
    for (Eigen::Index r = 0; r < later.features.rows(); ++r)
      QCOMPARE(later.targets(r, 0), later.features(r, 0) + 100.0 + 2.0);
    QCOMPARE(later.groupEnd, (std::vector<std::size_t>{3, 6}));
    const ProbeRows earlier = buildProbeRows(features, target, -1);
    QCOMPARE(earlier.features.rows(), Eigen::Index{8});
    QCOMPARE(earlier.targets(0, 0), earlier.features(0, 0) + 100.0 - 1.0);
    QCOMPARE(lagInBins(100.0, 20.0), 5);
    QCOMPARE(lagInBins(-40.0, 20.0), -2);
    QVERIFY_THROWS_EXCEPTION(InputError, (void)lagInBins(30.0, 20.0));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)buildProbeRows(features, target, 5));
    // A single continuous trial: every bin is its own fold group.
    FloatArray one({1, 5, 1});
    ProbeTarget oneTarget;
    oneTarget.numeric = FloatArray({1, 5, 1});
    QCOMPARE(buildProbeRows(one, oneTarget, 1).groupEnd, (std::vector<std::size_t>{1, 2, 3, 4}));
  }

  void perfectPredictorScoresOne() {
    const Synthetic data = numericData(12, 10, 6, 3, 0.0, 0, 1);
    ProbeOptions options;
    options.alphas = {1e-8, 1e-6};
    const ProbeResult result = runProbe(data.features, data.target, options);
    QCOMPARE(result.r2PerDim.size(), std::size_t{3});
    for (const double r2 : result.r2PerDim) QVERIFY2(r2 > 0.999999, qPrintable(QString::number(r2, 'g', 10)));
    QVERIFY(std::abs(result.r2 - 1.0) < 1e-6);
  }

  void ridgeMatchesSklearnAcrossTrials() { compareRidgeWithSklearn(30, 12, 15, 2, 1, 3.0, 5); }
  void ridgeMatchesSklearnOnContinuousRecording() { compareRidgeWithSklearn(1, 400, 10, 2, 0, 6.0, 4); }

  void stratifiedFoldsAreScikitLearns() {
    // Worked by hand and checked against StratifiedKFold(3).split (scikit-learn 1.2):
    // classes in blocks, each class's members dealt to the folds in order.
    QCOMPARE(stratifiedKFold({0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2}, 3),
             (std::vector<std::size_t>{0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2, 0, 1, 2}));
    QCOMPARE(stratifiedKFold({2, 2, 0, 1, 0, 1, 1, 0, 2, 2, 1, 0, 0}, 3),
             (std::vector<std::size_t>{0, 0, 0, 0, 1, 0, 1, 1, 1, 2, 2, 2, 2}));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)stratifiedKFold({0, 1, 2}, 2));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)stratifiedKFold({0, 1, 0, 1}, 1));
  }

  void logisticMatchesSklearn() {
    compareLogisticWithSklearn(categoricalData(40, 4, 6, 3, 0.6, 3), {1e-2, 1.0, 100.0, 1e4}, 0.02);
  }

  void logisticMatchesSklearnOnTrialsSortedByCondition() {
    // 7 conditions x 10 trials listed condition by condition: contiguous folds would
    // hold out whole classes; stratified ones keep every class in every training fold.
    compareLogisticWithSklearn(categoricalData(70, 5, 8, 7, 0.5, 21, true), defaultAlphas(), 1e-3);
  }

  void plantedClassIsFoundWhateverTheTrialOrder() {
    for (const bool sorted : {false, true}) {
      const Synthetic data = categoricalData(60, 4, 10, 4, 2.0, 17, sorted);
      ProbeOptions options;
      options.alphas = {1e-2, 1.0, 1e2};
      const ProbeResult result = runProbe(data.features, data.target, options);
      qInfo("planted classes, trials %s: accuracy %.4f (chance %.4f), folds %s", sorted ? "sorted" : "interleaved",
            result.accuracy, result.chance, foldsKindName(result.foldsKind));
      QCOMPARE(result.foldsKind, FoldsKind::Stratified);
      QVERIFY(result.accuracy > 0.9);
    }
    // A numeric target keeps contiguous folds.
    const Synthetic numeric = numericData(10, 5, 3, 1, 1.0, 0, 2);
    QCOMPARE(runProbe(numeric.features, numeric.target, ProbeOptions{}).foldsKind, FoldsKind::Contiguous);
  }

  void rowsPerTrialAverageTheWindow() {
    FloatArray features({3, 4, 2});
    ProbeTarget target;
    target.name = "behavior:t";
    target.numeric = FloatArray({3, 4, 1});
    for (std::size_t t = 0; t < 3; ++t)
      for (std::size_t b = 0; b < 4; ++b) {
        features(t, b, 0) = static_cast<float>(t * 10 + b);
        features(t, b, 1) = static_cast<float>(b * b);
        target.numeric(t, b, 0) = static_cast<float>(t + (b == 3 ? 100 : 0));
      }
    const ProbeRows perTrial = averageRowsPerTrial(buildProbeRows(features, target, 0));
    QCOMPARE(perTrial.features.rows(), Eigen::Index{3});
    QCOMPARE(perTrial.features(2, 0), 21.5);  // mean of 20, 21, 22, 23
    QCOMPARE(perTrial.features(1, 1), 3.5);   // mean of 0, 1, 4, 9
    QCOMPARE(perTrial.targets(1, 0), 26.0);   // (1 + 1 + 1 + 101) / 4
    QCOMPARE(perTrial.groupEnd, (std::vector<std::size_t>{1, 2, 3}));
    QCOMPARE(perTrial.trial, (std::vector<std::size_t>{0, 1, 2}));
    // With a lag, only the bins with a partner are averaged.
    const ProbeRows lagged = averageRowsPerTrial(buildProbeRows(features, target, 1));
    QCOMPARE(lagged.features(2, 0), 21.0);  // 20, 21, 22
    QVERIFY(std::abs(lagged.targets(0, 0) - 100.0 / 3.0) < 1e-12);  // partners of bins 0..2: bins 1..3 (0, 0, 100)
    // A single continuous trial has no trials to make rows of.
    QVERIFY_THROWS_EXCEPTION(InputError, (void)averageRowsPerTrial(buildProbeRows(FloatArray({1, 6, 1}),
                                                                                  ProbeTarget{"behavior:x",
                                                                                              FloatArray({1, 6, 1}),
                                                                                              {}},
                                                                                  0)));
    // Categorical: decoded per trial, same stratified folds, planted classes found.
    const Synthetic data = categoricalData(60, 5, 10, 4, 1.0, 31, true);
    ProbeOptions options;
    options.rows = ProbeRowsKind::Trials;
    options.alphas = {1e-2, 1.0, 1e2};
    const ProbeResult result = runProbe(data.features, data.target, options);
    QCOMPARE(result.rows, std::size_t{60});
    QCOMPARE(result.predictions.shape(), (std::vector<std::size_t>{60, 1, 1}));
    QVERIFY2(result.accuracy > 0.9, qPrintable(QString::number(result.accuracy)));
    compareLogisticWithSklearn(data, options.alphas, 1e-3, ProbeRowsKind::Trials);
  }

  void classWithFewerTrialsThanFoldsIsNamed() {
    Synthetic data = categoricalData(30, 2, 3, 3, 1.0, 5);
    data.target.labels[0] = "rare";
    data.target.labels[1] = "rare";
    ProbeOptions options;
    options.alphas = {1.0};
    try {
      (void)runProbe(data.features, data.target, options);
      QFAIL("a class with 2 trials and 5 folds must be refused");
    } catch (const InputError& error) {
      QVERIFY2(QString(error.what()).contains("'rare'"), error.what());
      QVERIFY2(QString(error.what()).contains("2 trials"), error.what());
    }
    options.folds = 2;
    QVERIFY(runProbe(data.features, data.target, options).accuracy > 0.0);
  }

  void logisticFitMatchesKnownOptimumConditions() {
    // At the optimum the gradient vanishes: X^T (P - Y) + alpha W = 0 and sum(P - Y) = 0.
    const Synthetic data = categoricalData(30, 3, 4, 4, 0.5, 9);
    const ProbeRows rows = buildProbeRows(data.features, data.target, 0);
    LogisticFitOptions options;
    options.alpha = 0.7;
    const LogisticModel model = fitMultinomialLogistic(rows.features, rows.labels, 4, options);
    Eigen::MatrixXd scores = model.decision(rows.features);
    for (Eigen::Index i = 0; i < scores.rows(); ++i) {
      scores.row(i).array() = (scores.row(i).array() - scores.row(i).maxCoeff()).exp();
      scores.row(i) /= scores.row(i).sum();
      scores(i, rows.labels[static_cast<std::size_t>(i)]) -= 1.0;
    }
    const Eigen::MatrixXd gradient = rows.features.transpose() * scores + options.alpha * model.weights;
    QVERIFY2(gradient.cwiseAbs().maxCoeff() < 1e-5 * static_cast<double>(rows.features.rows()),
             qPrintable(QString::number(gradient.cwiseAbs().maxCoeff())));
    QVERIFY(scores.colwise().sum().cwiseAbs().maxCoeff() < 1e-5 * static_cast<double>(rows.features.rows()));
  }

  void permutationNullSitsAtChance() {
    // Targets unrelated to the features: the observed R2 is one more draw from the null.
    Synthetic noise = numericData(20, 10, 5, 1, 1.0, 0, 11);
    std::mt19937_64 generator(5);
    std::normal_distribution<float> normal(0.0F, 1.0F);
    for (auto& value : noise.target.numeric.values()) value = normal(generator);
    ProbeOptions options;
    options.permutations = 19;
    options.seed = 3;
    options.alphas = {1e-2, 1.0, 1e2, 1e4};
    const ProbeResult result = runProbe(noise.features, noise.target, options);
    QCOMPARE(result.nullScores.size(), std::size_t{19});
    QVERIFY(std::abs(meanOf(result.nullScores)) < 0.05);
    QVERIFY(result.r2 < 0.05);
    QVERIFY2(result.pValue > 0.05, qPrintable(QString::number(result.pValue)));
    // Real signal: every shuffle scores below the observed R2.
    const Synthetic signal = numericData(20, 10, 5, 1, 1.0, 0, 12);
    const ProbeResult strong = runProbe(signal.features, signal.target, options);
    QCOMPARE(strong.pValue, 1.0 / 20.0);
    // Same seed, same null.
    const ProbeResult again = runProbe(signal.features, signal.target, options);
    QCOMPARE(again.nullScores, strong.nullScores);
    // Categorical: shuffled conditions decode at chance.
    const Synthetic conditions = categoricalData(30, 3, 4, 3, 0.0, 13);
    ProbeOptions fewer = options;
    fewer.permutations = 5;
    const ProbeResult categorical = runProbe(conditions.features, conditions.target, fewer);
    qInfo("categorical null: accuracy %.3f, null mean %.3f, chance %.3f", categorical.accuracy,
          meanOf(categorical.nullScores), categorical.chance);
    // Labels shuffled between whole trials, folds stratified again on the shuffled
    // labels: the null sits at chance and pure noise is not significant.
    QVERIFY(std::abs(meanOf(categorical.nullScores) - 1.0 / 3.0) < 0.1);
    QVERIFY(std::abs(categorical.accuracy - 1.0 / 3.0) < 0.15);
  }

  void rejectsOptionsThatDoNotFit() {
    const Synthetic data = numericData(3, 4, 2, 1, 1.0, 0, 1);
    ProbeOptions options;
    QVERIFY_THROWS_EXCEPTION(InputError, (void)runProbe(data.features, data.target, options));  // 3 trials, 5 folds
    options.folds = 2;
    options.alphas = {-1.0};
    QVERIFY_THROWS_EXCEPTION(InputError, (void)runProbe(data.features, data.target, options));
    options.alphas = {1.0};
    ProbeTarget oneClass;
    oneClass.name = "trials:x";
    oneClass.labels = {"a", "a", "a"};
    QVERIFY_THROWS_EXCEPTION(InputError, (void)runProbe(data.features, oneClass, options));
    FloatArray broken = data.features;
    broken(0, 0, 0) = std::numeric_limits<float>::quiet_NaN();
    QVERIFY_THROWS_EXCEPTION(InputError, (void)runProbe(broken, data.target, options));
  }

  void handVelocityDecodesFromRealM1Counts() {
    // Binned independently with h5py + numpy (20 ms, continuous), decoded here and by sklearn.
    const QString nwb = QStringLiteral(NEUROLENS_SHARED_DATA "/m1_stevenson2011.nwb");
    if (!QFile::exists(nwb)) QSKIP("m1_stevenson2011.nwb is not in NEUROLENS_SHARED_DATA");
    QTemporaryDir dir;
    QString errors;
    int code = runPythonReference("probe_reference.py", {"m1", nwb, dir.path()}, &errors);
    if (code == 77) QSKIP(qPrintable("h5py/numpy missing from NEUROLENS_TEST_PYTHON: " + errors));
    QVERIFY2(code == 0, qPrintable(errors));
    const QJsonObject binned = readJson(dir.filePath("out.json"));
    const Eigen::Index rowsCount = binned["rows"].toInt();
    const Eigen::MatrixXd x = readMatrix(dir.filePath("x.f64"), rowsCount, binned["features"].toInt());
    const Eigen::MatrixXd y = readMatrix(dir.filePath("y.f64"), rowsCount, binned["dims"].toInt());
    QCOMPARE(binned["total_bins"].toInt(), 39469);
    QCOMPARE(x.cols(), Eigen::Index{171});
    std::vector<std::size_t> groupEnd(static_cast<std::size_t>(rowsCount));
    std::iota(groupEnd.begin(), groupEnd.end(), std::size_t{1});
    const auto start = std::chrono::steady_clock::now();
    const CrossValidatedRidge cv = crossValidateRidge(x, y, groupEnd, 5, defaultAlphas());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::vector<double> r2 = r2PerColumn(y, cv.predictions);
    qInfo("M1 hand velocity from 171 units x %lld bins: R2 x %.4f, y %.4f, mean %.4f in %.2f s",
          static_cast<long long>(rowsCount), r2[0], r2[1], meanOf(r2), seconds);
    QVERIFY(meanOf(r2) > 0.3);
    // Speed is measured in benchmarks, not asserted here (sanitizer builds are many times slower).
    // scikit-learn on the same real rows (GridSearchCV(Ridge), inner contiguous folds). sklearn needs
    // about 10 minutes for the whole recording on 2 cores, so it checks a 1500-bin stretch, all units.
    const Eigen::Index stretch = std::min<Eigen::Index>(1500, rowsCount);
    const Eigen::MatrixXd xPart = x.topRows(stretch);
    const Eigen::MatrixXd yPart = y.topRows(stretch);
    std::vector<std::size_t> partEnd(static_cast<std::size_t>(stretch));
    std::iota(partEnd.begin(), partEnd.end(), std::size_t{1});
    const CrossValidatedRidge partCv = crossValidateRidge(xPart, yPart, partEnd, 5, defaultAlphas());
    const std::vector<double> partR2 = r2PerColumn(yPart, partCv.predictions);
    writeMatrix(dir.filePath("x.f64"), xPart);
    writeMatrix(dir.filePath("y.f64"), yPart);
    QJsonArray partGroups;
    for (const std::size_t end : partEnd) partGroups.append(static_cast<qint64>(end));
    writeJson(dir.filePath("meta.json"), QJsonObject{{"rows", static_cast<qint64>(stretch)},
                                                     {"features", static_cast<qint64>(x.cols())},
                                                     {"dims", static_cast<qint64>(y.cols())},
                                                     {"group_end", partGroups},
                                                     {"folds", 5},
                                                     {"alphas", toJsonArray(defaultAlphas())}});
    code = runPythonReference("probe_reference.py", {"ridge", dir.path()}, &errors, 300000);
    if (code == 77) QSKIP(qPrintable("scikit-learn is missing from NEUROLENS_TEST_PYTHON: " + errors));
    QVERIFY2(code == 0, qPrintable(errors));
    const QJsonArray sklearnR2 = readJson(dir.filePath("out.json"))["r2_per_dim"].toArray();
    for (int d = 0; d < 2; ++d) {
      qInfo("M1 first %lld bins, dim %d: R2 %.6f (sklearn %.6f)", static_cast<long long>(stretch), d,
            partR2[static_cast<std::size_t>(d)], sklearnR2[d].toDouble());
      QVERIFY(std::abs(partR2[static_cast<std::size_t>(d)] - sklearnR2[d].toDouble()) < 0.005);
    }
  }

 private:
  // Nested cross-validated logistic regression here and in scikit-learn (GridSearchCV over
  // C = 1/alpha, StratifiedKFold over trials outer and inner) on the same rows.
  static void compareLogisticWithSklearn(const Synthetic& data, const std::vector<double>& alphas, double tolerance,
                                         ProbeRowsKind rowsKind = ProbeRowsKind::Bins) {
    ProbeOptions options;
    options.alphas = alphas;
    options.rows = rowsKind;
    const ProbeResult result = runProbe(data.features, data.target, options);
    QVERIFY(result.categorical);
    QCOMPARE(result.foldsKind, FoldsKind::Stratified);
    const ProbeRows binRows = buildProbeRows(data.features, data.target, 0);
    const ProbeRows rows = rowsKind == ProbeRowsKind::Trials ? averageRowsPerTrial(binRows) : binRows;
    Eigen::MatrixXd labels(rows.features.rows(), 1);
    for (Eigen::Index r = 0; r < labels.rows(); ++r) labels(r, 0) = rows.labels[static_cast<std::size_t>(r)];
    QTemporaryDir dir;
    writeMatrix(dir.filePath("x.f64"), rows.features);
    writeMatrix(dir.filePath("y.f64"), labels);
    writeJson(dir.filePath("meta.json"), metaOf(rows, options.folds, options.alphas, 1));
    QString errors;
    const int code = runPythonReference("probe_reference.py", {"logistic", dir.path()}, &errors, 300000);
    if (code == 77) QSKIP(qPrintable("scikit-learn is missing from NEUROLENS_TEST_PYTHON: " + errors));
    QVERIFY2(code == 0, qPrintable(errors));
    const QJsonObject reference = readJson(dir.filePath("out.json"));
    const double sklearnAccuracy = reference["accuracy"].toDouble();
    qInfo("logistic probe: accuracy %.4f (sklearn %.4f), chance %.4f", result.accuracy, sklearnAccuracy, result.chance);
    QVERIFY(std::abs(result.accuracy - sklearnAccuracy) <= tolerance);
    QCOMPARE(result.chance, reference["chance"].toDouble());
    QVERIFY(result.accuracy > result.chance + 0.2);
    // Row-by-row agreement of the out-of-fold predictions.
    const Eigen::MatrixXd predicted = readMatrix(dir.filePath("pred.f64"), rows.features.rows(), 1);
    std::size_t same = 0;
    for (std::size_t r = 0; r < rows.trial.size(); ++r)
      same += static_cast<int>(predicted(static_cast<Eigen::Index>(r), 0)) ==
                      static_cast<int>(result.predictions(rows.trial[r], rows.bin[r], 0))
                  ? 1
                  : 0;
    QVERIFY(static_cast<double>(same) / static_cast<double>(rows.trial.size()) >= 0.98);
  }

  static void compareRidgeWithSklearn(std::size_t trials, std::size_t bins, std::size_t units, std::size_t dims,
                                      int lagBins, double noise, std::uint64_t seed) {
    const Synthetic data = numericData(trials, bins, units, dims, noise, lagBins, seed);
    ProbeOptions options;
    options.lagMs = 20.0 * lagBins;
    const ProbeResult result = runProbe(data.features, data.target, options);
    const ProbeRows rows = buildProbeRows(data.features, data.target, lagBins);
    QTemporaryDir dir;
    writeMatrix(dir.filePath("x.f64"), rows.features);
    writeMatrix(dir.filePath("y.f64"), rows.targets);
    writeJson(dir.filePath("meta.json"), metaOf(rows, options.folds, options.alphas, rows.targets.cols()));
    QString errors;
    const int code = runPythonReference("probe_reference.py", {"ridge", dir.path()}, &errors);
    if (code == 77) QSKIP(qPrintable("scikit-learn is missing from NEUROLENS_TEST_PYTHON: " + errors));
    QVERIFY2(code == 0, qPrintable(errors));
    const QJsonObject reference = readJson(dir.filePath("out.json"));
    const QJsonArray sklearnR2 = reference["r2_per_dim"].toArray();
    QCOMPARE(static_cast<std::size_t>(sklearnR2.size()), result.r2PerDim.size());
    for (std::size_t d = 0; d < result.r2PerDim.size(); ++d) {
      qInfo("ridge probe dim %zu: R2 %.6f (sklearn %.6f)", d, result.r2PerDim[d],
            sklearnR2[static_cast<int>(d)].toDouble());
      QVERIFY(std::abs(result.r2PerDim[d] - sklearnR2[static_cast<int>(d)].toDouble()) < 0.005);
    }
    QVERIFY(result.r2 > 0.2);  // the planted signal is found
    const QJsonArray sklearnAlphas = reference["alpha_per_fold"].toArray();
    for (std::size_t f = 0; f < result.alphaPerFold.size(); ++f)
      QVERIFY(std::abs(std::log10(result.alphaPerFold[f]) - std::log10(sklearnAlphas[static_cast<int>(f)].toDouble())) <
              1e-9);
    const Eigen::MatrixXd predicted = readMatrix(dir.filePath("pred.f64"), rows.targets.rows(), rows.targets.cols());
    double worst = 0.0;
    for (std::size_t r = 0; r < rows.trial.size(); ++r)
      for (Eigen::Index d = 0; d < predicted.cols(); ++d)
        worst = std::max(worst, std::abs(predicted(static_cast<Eigen::Index>(r), d) -
                                         result.predictions(rows.trial[r], rows.bin[r], static_cast<std::size_t>(d))));
    const double scale = rows.targets.cwiseAbs().maxCoeff();
    QVERIFY2(worst < 1e-4 * scale, qPrintable(QString("largest prediction difference %1").arg(worst)));
  }
};

QTEST_GUILESS_MAIN(TestProbe)
#include "test_probe.moc"
