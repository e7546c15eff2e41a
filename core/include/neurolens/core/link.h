#pragma once
// The type-latent link: which kinds of units (cell types, areas, tuning classes
// from a unit column) drive which latents of a model, measured on attribution
// profiles, as ../shared/spec/cli.md ("link") and docs/probes.md define it.
//
// Units of one type may drive a pattern with opposite signs, and a model's latent
// basis is an arbitrary rotation, so type prediction uses sign- and basis-free
// features: the upper triangle of p p^T (off-diagonal entries scaled by sqrt 2,
// which makes the map an isometry of symmetric matrices). A rotation R of the
// latents turns these features by an orthogonal matrix, and an L2-penalised
// logistic regression is unchanged by orthogonal turns of its features, so
// type_accuracy does not depend on the latent basis at all.
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "neurolens/core/ndarray.h"
#include "neurolens/core/progress.h"

namespace neurolens {

enum class ProfileKind { Signed, Abs };
// "signed" | "abs"; throws InputError otherwise.
[[nodiscard]] ProfileKind parseProfileKind(const std::string& text);

// Sums attributions [trials, latents, bins, units] chunk by chunk (so they can be
// streamed): the raw profile [units, latents] (signed sum or sum of magnitudes)
// and the attribution mass sum |a| [units, latents] behind the per-type shares.
class ProfileAccumulator {
 public:
  explicit ProfileAccumulator(ProfileKind kind) : kind_(kind) {}
  // Throws InputError when a chunk's latents/units differ from the first one's.
  void add(const FloatArray& attributions);
  [[nodiscard]] const Eigen::MatrixXd& profiles() const { return profiles_; }
  [[nodiscard]] const Eigen::MatrixXd& mass() const { return mass_; }

 private:
  ProfileKind kind_;
  Eigen::MatrixXd profiles_;
  Eigen::MatrixXd mass_;
};

// Each row scaled to unit length (rows of zeros stay zero).
[[nodiscard]] Eigen::MatrixXd normaliseRows(const Eigen::MatrixXd& profiles);
// [units, latents * (latents + 1) / 2]: upper triangle of p p^T, off-diagonals times sqrt(2).
[[nodiscard]] Eigen::MatrixXd signFreeFeatures(const Eigen::MatrixXd& normalisedProfiles);
// [units, units] |cosine| between profiles (sign- and basis-free similarity).
[[nodiscard]] Eigen::MatrixXd absCosineSimilarity(const Eigen::MatrixXd& normalisedProfiles);

// Type names (sorted) and each unit's type index.
struct TypeLabels {
  std::vector<std::string> names;
  std::vector<int> index;  // one per unit
};
[[nodiscard]] TypeLabels encodeTypes(const std::vector<std::string>& unitTypes);

// association[t, d]: mean over the units of type t of the squared normalised profile
// along latent d (the share of the type's profiles lying along that latent).
[[nodiscard]] Eigen::MatrixXd typeAssociation(const Eigen::MatrixXd& normalisedProfiles, const std::vector<int>& types,
                                              int typeCount);

// Cross-validated multinomial logistic regression from features to type:
// stratified k-fold (seeded), fixed penalty alpha (C = 1/alpha). Returns the
// out-of-fold predictions.
[[nodiscard]] std::vector<int> crossValidatedTypePrediction(const Eigen::MatrixXd& features,
                                                            const std::vector<int>& types, int typeCount,
                                                            const std::vector<std::size_t>& foldOfUnit, double alpha);

struct LinkOptions {
  std::size_t permutations = 1000;
  std::size_t folds = 5;
  std::uint64_t seed = 0;
  double alpha = 1.0;  // L2 penalty of the type classifier (sklearn's default C = 1)
};

struct LinkResult {
  std::vector<std::string> types;
  std::vector<std::size_t> typeSizes;
  Eigen::MatrixXd profiles;         // [units, latents], unit norm
  Eigen::MatrixXd association;      // [types, latents]
  Eigen::MatrixXd pValues;          // [types, latents], (1 + #{null >= observed}) / (1 + permutations)
  double typeAccuracy = 0.0;        // sign- and basis-free features
  double absAccuracy = 0.0;         // plain per-latent magnitudes |p_d| (basis-dependent, for comparison)
  double chance = 0.0;              // rate of the most common type
  std::vector<int> predictedTypes;  // out-of-fold, from the sign-free features
  std::vector<std::size_t> foldOfUnit;
  Eigen::MatrixXd principalDirections;  // [types, latents]: top eigenvector of the type's sum of p p^T
  std::vector<double> principalShare;   // its eigenvalue over the trace (1 = one pattern explains the type)
  // Fraction of the summed |attribution| (not of F(x) - F(b)) each type carries,
  // per latent [types, latents] and over all latents [types].
  Eigen::MatrixXd attributionShare;
  std::vector<double> attributionShareTotal;
  std::size_t silentUnits = 0;  // units whose profile is all zero (kept, with a zero profile)
};

// rawProfiles, mass: [units, latents] (from ProfileAccumulator); unitTypes one per
// unit. Throws InputError when there are fewer than two types or sizes disagree.
[[nodiscard]] LinkResult runLink(const Eigen::MatrixXd& rawProfiles, const Eigen::MatrixXd& mass,
                                 const std::vector<std::string>& unitTypes, const LinkOptions& options,
                                 const Progress& progress = {});

}  // namespace neurolens
