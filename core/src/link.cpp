#include "neurolens/core/link.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "neurolens/core/errors.h"
#include "neurolens/core/linear_models.h"

namespace neurolens {

ProfileKind parseProfileKind(const std::string& text) {
  if (text == "signed") return ProfileKind::Signed;
  if (text == "abs") return ProfileKind::Abs;
  throw InputError("--profile '" + text + "': expected signed or abs");
}

void ProfileAccumulator::add(const FloatArray& attributions) {
  if (attributions.rank() != 4)
    throw InputError("attributions must be [trials, latents, bins, units] (got rank " +
                     std::to_string(attributions.rank()) + ")");
  const std::size_t trials = attributions.dim(0);
  const std::size_t latents = attributions.dim(1);
  const std::size_t bins = attributions.dim(2);
  const std::size_t units = attributions.dim(3);
  if (profiles_.size() == 0) {
    profiles_ = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(units), static_cast<Eigen::Index>(latents));
    mass_ = profiles_;
  } else if (profiles_.rows() != static_cast<Eigen::Index>(units) ||
             profiles_.cols() != static_cast<Eigen::Index>(latents)) {
    throw InputError("attribution chunks disagree on the number of latents or units");
  }
  const float* data = attributions.data();
  for (std::size_t t = 0; t < trials; ++t)
    for (std::size_t d = 0; d < latents; ++d)
      for (std::size_t b = 0; b < bins; ++b) {
        const float* row = data + ((t * latents + d) * bins + b) * units;
        for (std::size_t u = 0; u < units; ++u) {
          const double value = row[u];
          const auto unit = static_cast<Eigen::Index>(u);
          const auto latent = static_cast<Eigen::Index>(d);
          profiles_(unit, latent) += kind_ == ProfileKind::Signed ? value : std::abs(value);
          mass_(unit, latent) += std::abs(value);
        }
      }
}

Eigen::MatrixXd normaliseRows(const Eigen::MatrixXd& profiles) {
  Eigen::MatrixXd normalised = profiles;
  for (Eigen::Index u = 0; u < normalised.rows(); ++u) {
    const double norm = normalised.row(u).norm();
    if (norm > 0.0) normalised.row(u) /= norm;
  }
  return normalised;
}

Eigen::MatrixXd signFreeFeatures(const Eigen::MatrixXd& normalisedProfiles) {
  const Eigen::Index latents = normalisedProfiles.cols();
  Eigen::MatrixXd features(normalisedProfiles.rows(), latents * (latents + 1) / 2);
  const double root2 = std::sqrt(2.0);
  for (Eigen::Index u = 0; u < normalisedProfiles.rows(); ++u) {
    Eigen::Index column = 0;
    for (Eigen::Index i = 0; i < latents; ++i)
      for (Eigen::Index j = i; j < latents; ++j) {
        const double product = normalisedProfiles(u, i) * normalisedProfiles(u, j);
        features(u, column++) = i == j ? product : root2 * product;
      }
  }
  return features;
}

Eigen::MatrixXd absCosineSimilarity(const Eigen::MatrixXd& normalisedProfiles) {
  return (normalisedProfiles * normalisedProfiles.transpose()).cwiseAbs();
}

TypeLabels encodeTypes(const std::vector<std::string>& unitTypes) {
  TypeLabels labels;
  const std::set<std::string> unique(unitTypes.begin(), unitTypes.end());
  labels.names.assign(unique.begin(), unique.end());
  for (const auto& type : unitTypes)
    labels.index.push_back(
        static_cast<int>(std::lower_bound(labels.names.begin(), labels.names.end(), type) - labels.names.begin()));
  return labels;
}

Eigen::MatrixXd typeAssociation(const Eigen::MatrixXd& normalisedProfiles, const std::vector<int>& types,
                                int typeCount) {
  Eigen::MatrixXd association = Eigen::MatrixXd::Zero(typeCount, normalisedProfiles.cols());
  Eigen::VectorXd members = Eigen::VectorXd::Zero(typeCount);
  for (Eigen::Index u = 0; u < normalisedProfiles.rows(); ++u) {
    const int type = types[static_cast<std::size_t>(u)];
    association.row(type) += normalisedProfiles.row(u).array().square().matrix();
    members(type) += 1.0;
  }
  for (Eigen::Index t = 0; t < typeCount; ++t)
    if (members(t) > 0.0) association.row(t) /= members(t);
  return association;
}

std::vector<int> crossValidatedTypePrediction(const Eigen::MatrixXd& features, const std::vector<int>& types,
                                              int typeCount, const std::vector<std::size_t>& foldOfUnit, double alpha) {
  const std::size_t folds = foldOfUnit.empty() ? 0 : *std::max_element(foldOfUnit.begin(), foldOfUnit.end()) + 1;
  std::vector<int> predicted(types.size(), 0);
  for (std::size_t fold = 0; fold < folds; ++fold) {
    std::vector<Eigen::Index> train;
    std::vector<Eigen::Index> test;
    for (std::size_t u = 0; u < types.size(); ++u)
      (foldOfUnit[u] == fold ? test : train).push_back(static_cast<Eigen::Index>(u));
    if (test.empty() || train.empty()) continue;
    std::vector<int> trainTypes;
    for (const auto u : train) trainTypes.push_back(types[static_cast<std::size_t>(u)]);
    LogisticFitOptions options;
    options.alpha = alpha;
    const LogisticModel model = fitMultinomialLogistic(features(train, Eigen::all), trainTypes, typeCount, options);
    const std::vector<int> guesses = model.predict(features(test, Eigen::all));
    for (std::size_t i = 0; i < test.size(); ++i) predicted[static_cast<std::size_t>(test[i])] = guesses[i];
  }
  return predicted;
}

LinkResult runLink(const Eigen::MatrixXd& rawProfiles, const Eigen::MatrixXd& mass,
                   const std::vector<std::string>& unitTypes, const LinkOptions& options, const Progress& progress) {
  const auto units = static_cast<std::size_t>(rawProfiles.rows());
  if (unitTypes.size() != units)
    throw InputError("link: " + std::to_string(unitTypes.size()) + " unit type labels for " + std::to_string(units) +
                     " units");
  if (mass.rows() != rawProfiles.rows() || mass.cols() != rawProfiles.cols())
    throw InputError("link: attribution mass and profiles differ in shape");
  if (rawProfiles.cols() == 0) throw InputError("link: the model has no latents");
  if (!rawProfiles.allFinite() || !mass.allFinite())
    throw ComputeError("link: the attribution profiles contain NaN or Inf");
  const TypeLabels labels = encodeTypes(unitTypes);
  const int typeCount = static_cast<int>(labels.names.size());
  if (typeCount < 2)
    throw InputError("link: the unit column holds a single type" +
                     (labels.names.empty() ? std::string() : " ('" + labels.names.front() + "')") +
                     ": nothing to link");

  LinkResult result;
  result.types = labels.names;
  result.typeSizes.assign(labels.names.size(), 0);
  for (const int type : labels.index) ++result.typeSizes[static_cast<std::size_t>(type)];
  result.profiles = normaliseRows(rawProfiles);
  for (Eigen::Index u = 0; u < rawProfiles.rows(); ++u) result.silentUnits += rawProfiles.row(u).isZero(0.0) ? 1 : 0;

  // Association and its permutation p-values.
  result.association = typeAssociation(result.profiles, labels.index, typeCount);
  Eigen::MatrixXd atLeast = Eigen::MatrixXd::Zero(result.association.rows(), result.association.cols());
  std::mt19937_64 generator(options.seed);
  std::vector<int> shuffled = labels.index;
  for (std::size_t p = 0; p < options.permutations; ++p) {
    std::shuffle(shuffled.begin(), shuffled.end(), generator);
    const Eigen::MatrixXd null = typeAssociation(result.profiles, shuffled, typeCount);
    // Ties count as "at least as large": a tolerance keeps rounding from breaking them.
    atLeast += (null.array() >= result.association.array() - 1e-12).cast<double>().matrix();
    if (p % 64 == 0)
      progress.report(0.5 * static_cast<double>(p + 1) / static_cast<double>(options.permutations),
                      "permuting type labels");
  }
  result.pValues = (atLeast.array() + 1.0) / (static_cast<double>(options.permutations) + 1.0);

  // Type prediction: sign-free features versus plain magnitudes, same folds.
  result.foldOfUnit = stratifiedFoldAssignment(labels.index, options.folds, options.seed);
  result.chance = majorityRate(labels.index);
  result.predictedTypes = crossValidatedTypePrediction(signFreeFeatures(result.profiles), labels.index, typeCount,
                                                       result.foldOfUnit, options.alpha);
  result.typeAccuracy = accuracyOf(labels.index, result.predictedTypes);
  progress.report(0.8, "predicting types");
  const std::vector<int> fromMagnitudes = crossValidatedTypePrediction(result.profiles.cwiseAbs(), labels.index,
                                                                       typeCount, result.foldOfUnit, options.alpha);
  result.absAccuracy = accuracyOf(labels.index, fromMagnitudes);

  // Per-type principal direction of the profiles (sign-free: an eigenvector of sum p p^T).
  const Eigen::Index latents = rawProfiles.cols();
  result.principalDirections = Eigen::MatrixXd::Zero(typeCount, latents);
  result.principalShare.assign(static_cast<std::size_t>(typeCount), 0.0);
  for (int t = 0; t < typeCount; ++t) {
    Eigen::MatrixXd scatter = Eigen::MatrixXd::Zero(latents, latents);
    for (Eigen::Index u = 0; u < result.profiles.rows(); ++u)
      if (labels.index[static_cast<std::size_t>(u)] == t)
        scatter.noalias() += result.profiles.row(u).transpose() * result.profiles.row(u);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(scatter);
    Eigen::VectorXd direction = solver.eigenvectors().col(latents - 1);
    Eigen::Index largest = 0;  // a readable sign: largest entry positive
    for (Eigen::Index i = 1; i < direction.size(); ++i)
      if (std::abs(direction(i)) > std::abs(direction(largest))) largest = i;
    if (direction(largest) < 0.0) direction = -direction;
    result.principalDirections.row(t) = direction.transpose();
    const double trace = scatter.trace();
    result.principalShare[static_cast<std::size_t>(t)] = trace > 0.0 ? solver.eigenvalues()(latents - 1) / trace : 0.0;
  }

  // Share of the summed |attribution| each type carries.
  result.attributionShare = Eigen::MatrixXd::Zero(typeCount, latents);
  for (Eigen::Index u = 0; u < mass.rows(); ++u)
    result.attributionShare.row(labels.index[static_cast<std::size_t>(u)]) += mass.row(u);
  const double totalMass = result.attributionShare.sum();
  result.attributionShareTotal.assign(static_cast<std::size_t>(typeCount), 0.0);
  for (int t = 0; t < typeCount; ++t)
    result.attributionShareTotal[static_cast<std::size_t>(t)] =
        totalMass > 0.0 ? result.attributionShare.row(t).sum() / totalMass : 0.0;
  const Eigen::RowVectorXd perLatent = result.attributionShare.colwise().sum();
  for (Eigen::Index d = 0; d < latents; ++d)
    if (perLatent(d) > 0.0) result.attributionShare.col(d) /= perLatent(d);
  progress.report(1.0, "link done");
  return result;
}

}  // namespace neurolens
