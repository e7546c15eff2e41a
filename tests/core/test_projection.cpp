// Projections: PCA against numpy's SVD, CCA against scikit-learn and a
// hand-solved case, Procrustes against scipy.linalg.orthogonal_procrustes
// (tests/core/python/projection_reference.py), condition means, smoothing,
// probe axes and latent alignment.
#include <QtTest/QtTest>
#include <random>

#include "neurolens/core/errors.h"
#include "neurolens/core/projection.h"
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

Eigen::MatrixXd rotation(Eigen::Index size, std::mt19937_64& generator) {
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(gaussianMatrix(size, size, generator));
  return qr.householderQ() * Eigen::MatrixXd::Identity(size, size);
}

Eigen::MatrixXd fromJson(const QJsonArray& rows) {
  Eigen::MatrixXd m(rows.size(), rows.isEmpty() ? 0 : rows[0].toArray().size());
  for (int r = 0; r < rows.size(); ++r)
    for (int c = 0; c < rows[r].toArray().size(); ++c) m(r, c) = rows[r].toArray()[c].toDouble();
  return m;
}

}  // namespace

class TestProjection : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void matchesNumpySklearnAndScipy() {
    std::mt19937_64 generator(3);
    // Latents with a few strong directions: [trials 12, bins 15, features 6].
    const Eigen::MatrixXd mixing =
        gaussianMatrix(6, 6, generator) * Eigen::VectorXd::LinSpaced(6, 3.0, 0.2).asDiagonal();
    const Eigen::MatrixXd a = gaussianMatrix(180, 6, generator) * mixing.transpose();
    const Eigen::MatrixXd r0 = rotation(6, generator);
    const Eigen::MatrixXd b = a * r0 + 0.3 * gaussianMatrix(180, 6, generator);
    const FloatArray latents = unflattenRows(a, 12, 15);
    const Eigen::MatrixXd aFloat = flattenRows(latents);  // what the C++ side sees (float32)
    const std::size_t k = 3;
    const PcaResult fitted = pca(latents, k);

    QTemporaryDir dir;
    writeMatrix(dir.filePath("a.f64"), aFloat);
    writeMatrix(dir.filePath("b.f64"), b);
    writeJson(dir.filePath("meta.json"), QJsonObject{{"rows", 180}, {"cols_a", 6}, {"cols_b", 6}, {"k", 3}});
    QString errors;
    const int code = runPythonReference("projection_reference.py", {dir.path()}, &errors);
    if (code == 77) QSKIP(qPrintable("numpy/scipy/scikit-learn missing from NEUROLENS_TEST_PYTHON: " + errors));
    QVERIFY2(code == 0, qPrintable(errors));
    const QJsonObject reference = readJson(dir.filePath("out.json"));

    // PCA: variances, components and scores up to each component's sign.
    const Eigen::MatrixXd components = fromJson(reference["components"].toArray());
    const Eigen::MatrixXd projected = fromJson(reference["projected"].toArray());
    const Eigen::MatrixXd ours = flattenRows(fitted.projected);
    for (std::size_t c = 0; c < k; ++c) {
      const auto i = static_cast<Eigen::Index>(c);
      QVERIFY(std::abs(fitted.explainedVariance[c] /
                           reference["explained_variance"].toArray()[static_cast<int>(c)].toDouble() -
                       1.0) < 1e-9);
      QVERIFY(std::abs(fitted.explainedVarianceRatio[c] -
                       reference["ratio"].toArray()[static_cast<int>(c)].toDouble()) < 1e-9);
      const double sign = fitted.components.row(i).dot(components.row(i)) < 0.0 ? -1.0 : 1.0;
      QVERIFY((fitted.components.row(i) - sign * components.row(i)).cwiseAbs().maxCoeff() < 1e-9);
      QVERIFY((ours.col(i) - sign * projected.col(i)).cwiseAbs().maxCoeff() < 1e-4 * projected.cwiseAbs().maxCoeff());
    }
    QVERIFY(fitted.explainedVarianceRatio[0] > fitted.explainedVarianceRatio[1]);

    // CCA: canonical correlations of sklearn's (iterative) CCA.
    const CcaResult canonical = cca(aFloat, b, k);
    const QJsonArray sklearnCorrelations = reference["canonical_correlations"].toArray();
    for (std::size_t c = 0; c < k; ++c) {
      qInfo("canonical correlation %zu: %.6f (sklearn %.6f)", c, canonical.correlations[c],
            sklearnCorrelations[static_cast<int>(c)].toDouble());
      QVERIFY(std::abs(canonical.correlations[c] - sklearnCorrelations[static_cast<int>(c)].toDouble()) < 1e-3);
    }
    // The canonical variates have unit variance and the reported correlations.
    const Eigen::MatrixXd u = (aFloat.rowwise() - canonical.meanA) * canonical.weightsA;
    const Eigen::MatrixXd v = (b.rowwise() - canonical.meanB) * canonical.weightsB;
    for (Eigen::Index c = 0; c < 3; ++c) {
      QVERIFY(std::abs(u.col(c).squaredNorm() / 179.0 - 1.0) < 1e-9);
      QVERIFY(std::abs(u.col(c).dot(v.col(c)) / 179.0 - canonical.correlations[static_cast<std::size_t>(c)]) < 1e-9);
    }

    // Procrustes against scipy on the centred sets.
    const Eigen::MatrixXd ac = aFloat.rowwise() - aFloat.colwise().mean();
    const Eigen::MatrixXd bc = b.rowwise() - b.colwise().mean();
    const ProcrustesResult fit = orthogonalProcrustes(ac, bc);
    const Eigen::MatrixXd scipyRotation = fromJson(reference["procrustes_rotation"].toArray());
    QVERIFY((fit.rotation - scipyRotation).cwiseAbs().maxCoeff() < 1e-9);
    QVERIFY(std::abs(fit.scale / reference["procrustes_scale"].toDouble() - 1.0) < 1e-9);
    QVERIFY((fit.rotation - r0).cwiseAbs().maxCoeff() < 0.05);  // the planted rotation
  }

  void ccaOfAnInvertibleMapIsPerfect() {
    // Hand-solved: b = a M (+ offset) with M invertible -> every canonical correlation is 1;
    // an independent extra column adds a correlation near 0.
    std::mt19937_64 generator(9);
    const Eigen::MatrixXd a = gaussianMatrix(500, 3, generator);
    Eigen::MatrixXd b(500, 4);
    b.leftCols(3) = a * (Eigen::MatrixXd::Identity(3, 3) + 0.5 * gaussianMatrix(3, 3, generator));
    b.leftCols(3).array() += 7.0;
    b.col(3) = gaussianMatrix(500, 1, generator);
    const CcaResult canonical = cca(a, b);
    QCOMPARE(canonical.correlations.size(), std::size_t{3});
    for (const double r : canonical.correlations) QVERIFY(std::abs(r - 1.0) < 1e-9);
    QVERIFY(std::abs(linearConsistencyR2(a, b.leftCols(3)) - 1.0) < 1e-9);
    QVERIFY(linearConsistencyR2(b.col(3), a) < 0.05);
  }

  void alignmentUndoesARotation() {
    std::mt19937_64 generator(12);
    const Eigen::MatrixXd reference = gaussianMatrix(200, 4, generator);
    Eigen::MatrixXd source = reference * rotation(4, generator).transpose();
    source.array() += 3.0;
    const FloatArray referenceArray = unflattenRows(reference, 10, 20);
    const Alignment procrustes = alignLatents(unflattenRows(source, 10, 20), referenceArray, AlignMethod::Procrustes);
    QVERIFY(procrustes.residual < 1e-5);
    QVERIFY((flattenRows(procrustes.aligned) - flattenRows(referenceArray)).cwiseAbs().maxCoeff() < 1e-4);
    QVERIFY(std::abs(procrustes.consistencyR2 - 1.0) < 1e-6);
    QVERIFY(std::abs(procrustes.canonicalCorrelations.front() - 1.0) < 1e-6);
    // CCA alignment: the source's canonical variates.
    const Alignment canonical = alignLatents(unflattenRows(source, 10, 20), referenceArray, AlignMethod::Cca);
    QCOMPARE(canonical.aligned.dim(2), std::size_t{4});
    QVERIFY_THROWS_EXCEPTION(InputError, (void)alignLatents(unflattenRows(source, 10, 20),
                                                            unflattenRows(reference, 20, 10), AlignMethod::Cca));
  }

  void conditionMeansSmoothingAndProbeAxes() {
    FloatArray data({4, 3, 2});
    for (std::size_t t = 0; t < 4; ++t)
      for (std::size_t b = 0; b < 3; ++b) {
        data(t, b, 0) = static_cast<float>(t);
        data(t, b, 1) = static_cast<float>(b);
      }
    std::vector<std::string> names;
    const FloatArray means = conditionAverage(data, {"right", "left", "right", "left"}, &names);
    QCOMPARE(names, (std::vector<std::string>{"left", "right"}));
    QCOMPARE(means(0, 1, 0), 2.0F);  // trials 1 and 3
    QCOMPARE(means(1, 2, 0), 1.0F);  // trials 0 and 2
    QCOMPARE(means(1, 2, 1), 2.0F);
    QVERIFY_THROWS_EXCEPTION(InputError, (void)conditionAverage(data, {"a"}));
    // Smoothing keeps constants and linear ramps away from the edges, and the total of a spike.
    FloatArray spike({1, 41, 1}, 0.0F);
    spike(0, 20, 0) = 1.0F;
    const FloatArray smoothed = smoothAlongBins(spike, 2.0);
    double total = 0.0;
    for (std::size_t b = 0; b < 41; ++b) total += smoothed(0, b, 0);
    QVERIFY(std::abs(total - 1.0) < 1e-5);
    QVERIFY(smoothed(0, 20, 0) > smoothed(0, 22, 0));
    const FloatArray constant = smoothAlongBins(FloatArray({2, 10, 1}, 3.0F), 1.5);
    for (const float value : constant.values()) QVERIFY(std::abs(value - 3.0F) < 1e-5F);
    // Probe axes: the projection on the first (normalised) axis is the dot product with it.
    Eigen::MatrixXd axes(2, 2);
    axes << 3.0, 1.0, 4.0, 1.0;
    const Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(2);
    const FloatArray onAxes = projectOntoAxes(data, axes, mean);
    QCOMPARE(onAxes.dim(2), std::size_t{2});
    for (std::size_t t = 0; t < 4; ++t)
      for (std::size_t b = 0; b < 3; ++b)
        QVERIFY(std::abs(onAxes(t, b, 0) - (0.6F * data(t, b, 0) + 0.8F * data(t, b, 1))) < 1e-5F);
  }
};

QTEST_GUILESS_MAIN(TestProjection)
#include "test_projection.moc"
