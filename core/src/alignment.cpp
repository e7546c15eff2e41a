#include "neurolens/core/alignment.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <numeric>
#include <random>
#include <set>

#include "neurolens/core/errors.h"
#include "neurolens/core/probe.h"
#include "neurolens/core/projection.h"

namespace neurolens {

namespace {

constexpr double kPi = 3.14159265358979323846;

void requireRank3(const FloatArray& data, const std::string& what) {
  if (data.rank() != 3) throw InputError(what + " must be [trials, bins, features]");
}

std::string shapeText(const FloatArray& data) {
  return std::to_string(data.dim(0)) + " trials x " + std::to_string(data.dim(1)) + " bins";
}

std::string joinedLabels(const std::vector<std::string>& labels) {
  std::string text;
  constexpr std::size_t kShown = 8;
  for (std::size_t i = 0; i < labels.size() && i < kShown; ++i) text += (i == 0 ? "" : ", ") + labels[i];
  if (labels.size() > kShown) text += ", ... (" + std::to_string(labels.size()) + " in all)";
  return text.empty() ? "none" : text;
}

// Rows [begin, end) of a matrix.
Eigen::MatrixXd rowsOf(const Eigen::MatrixXd& m, std::size_t begin, std::size_t end) {
  return m.middleRows(static_cast<Eigen::Index>(begin), static_cast<Eigen::Index>(end - begin));
}

double pearson(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  const Eigen::VectorXd cx = x.array() - x.mean();
  const Eigen::VectorXd cy = y.array() - y.mean();
  const double denominator = std::sqrt(cx.squaredNorm() * cy.squaredNorm());
  return denominator > 0.0 ? cx.dot(cy) / denominator : 0.0;
}

// Uniform integer in [0, n) from a 64-bit generator, without modulo bias (the same on every platform).
std::uint64_t uniformBelow(std::mt19937_64& generator, std::uint64_t n) {
  const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
  std::uint64_t x = 0;
  do x = generator();
  while (x < threshold);
  return x % n;
}

// The K-dimensional PCA projection of rows, with the fit to project other rows.
struct Projection {
  RowPca pca;
  Eigen::MatrixXd projected;
  [[nodiscard]] Eigen::MatrixXd apply(const Eigen::MatrixXd& rows) const {
    return (rows.rowwise() - pca.mean) * pca.components.transpose();
  }
};

Projection project(const Eigen::MatrixXd& rows, std::size_t k) {
  Projection result;
  result.pca = pcaOfRows(rows, k);
  result.projected = result.apply(rows);
  return result;
}

// One side of one held-out direction: PCA fitted on the training rows, both halves projected with it.
struct HeldoutSide {
  Eigen::MatrixXd train;  // [training rows, k]
  Eigen::MatrixXd test;   // [test rows, k]
};

HeldoutSide heldoutSide(const Eigen::MatrixXd& rows, std::size_t trainBegin, std::size_t trainEnd,
                        std::size_t testBegin, std::size_t testEnd, std::size_t k) {
  const Projection fitted = project(rowsOf(rows, trainBegin, trainEnd), k);
  return {fitted.projected, fitted.apply(rowsOf(rows, testBegin, testEnd))};
}

struct Halves {
  std::size_t split = 0;  // first half [0, split), second [split, rows)
  std::size_t rows = 0;
};

// Both directions (fit on the first half, score on the second; then swapped) of one side.
struct HeldoutPair {
  HeldoutSide forward;
  HeldoutSide backward;
};

HeldoutPair heldoutPair(const Eigen::MatrixXd& rows, const Halves& halves, std::size_t k) {
  return {heldoutSide(rows, 0, halves.split, halves.split, halves.rows, k),
          heldoutSide(rows, halves.split, halves.rows, 0, halves.split, k)};
}

// Held-out canonical correlations, one direction: means and weights fitted on the
// training rows (PCA already fitted there), correlations of the projected test rows per component.
std::vector<double> heldoutDirection(const HeldoutSide& a, const HeldoutSide& b) {
  const CanonicalFit fit = fitCanonical(a.train, b.train);
  const Eigen::MatrixXd variatesA = (a.test.rowwise() - fit.meanA) * fit.weightsA;
  const Eigen::MatrixXd variatesB = (b.test.rowwise() - fit.meanB) * fit.weightsB;
  std::vector<double> correlations;
  for (Eigen::Index c = 0; c < variatesA.cols(); ++c)
    correlations.push_back(pearson(variatesA.col(c), variatesB.col(c)));
  return correlations;
}

std::vector<double> heldoutCca(const HeldoutPair& a, const HeldoutPair& b) {
  const std::vector<double> forward = heldoutDirection(a.forward, b.forward);
  const std::vector<double> backward = heldoutDirection(a.backward, b.backward);
  std::vector<double> mean(forward.size());
  for (std::size_t c = 0; c < mean.size(); ++c) mean[c] = 0.5 * (forward[c] + backward[c]);
  return mean;
}

double consistencyR2(const Eigen::MatrixXd& from, const Eigen::MatrixXd& to, const AlignOptions& options) {
  // Contiguous folds over the matched rows (each row its own fold group), the penalty chosen as probe does.
  std::vector<std::size_t> groupEnd(static_cast<std::size_t>(from.rows()));
  std::iota(groupEnd.begin(), groupEnd.end(), std::size_t{1});
  const CrossValidatedRidge cv = crossValidateRidge(from, to, groupEnd, options.folds, options.alphas);
  return meanOf(r2PerColumn(to, cv.predictions));
}

// Every statistic asked for, on side A's rows and a (possibly permuted) side B.
struct Values {
  std::vector<double> canonical;
  std::vector<double> heldout;
  double disparity = 0.0;
  double aToB = 0.0;
  double bToA = 0.0;
};

// Side A never moves under the null, so its held-out projections are computed once (heldoutA); heldoutB is
// side B's (rearranged) held-out pair, read only with options.cca.
Values statistics(const HeldoutPair& heldoutA, const Eigen::MatrixXd& projectedA, const HeldoutPair* heldoutB,
                  const Eigen::MatrixXd& projectedB, const AlignOptions& options) {
  Values values;
  if (options.cca) {
    values.canonical = fitCanonical(projectedA, projectedB).correlations;
    values.heldout = heldoutCca(heldoutA, *heldoutB);
  }
  if (options.procrustes) values.disparity = procrustesDisparity(projectedA, projectedB).disparity;
  if (options.consistency) {
    values.aToB = consistencyR2(projectedA, projectedB, options);
    values.bToA = consistencyR2(projectedB, projectedA, options);
  }
  return values;
}

std::uint64_t factorialCapped(std::size_t n, std::uint64_t cap) {
  std::uint64_t value = 1;
  for (std::size_t i = 2; i <= n; ++i) {
    if (value > cap / i) return cap + 1;
    value *= i;
  }
  return value;
}

// The null's rearrangements of side B's rows: each is a row order.
std::vector<std::vector<std::size_t>> nullOrders(const MatchedRows& matched, const AlignOptions& options,
                                                 bool* exhaustive) {
  const auto rows = static_cast<std::size_t>(matched.b.rows());
  std::vector<std::vector<std::size_t>> orders;
  *exhaustive = false;
  if (options.permutations == 0) return orders;
  std::mt19937_64 generator(options.seed);
  if (matched.match == AlignMatch::Time) {
    // Circular shifts by at least 10 % of the rows, never a multiple of the trial length.
    const auto least = static_cast<std::size_t>(std::ceil(0.1 * static_cast<double>(rows)));
    std::vector<std::size_t> offsets;
    for (std::size_t o = std::max<std::size_t>(least, 1); o + least <= rows && o < rows; ++o)
      if (matched.trialRows == 0 || matched.trialRows >= rows || o % matched.trialRows != 0) offsets.push_back(o);
    if (offsets.empty())
      throw InputError("--match time: " + std::to_string(rows) +
                       " rows leave no circular shift of at least 10 % that is not a whole number of trials "
                       "for the permutation null (use --permutations 0)");
    const auto addShift = [&orders, rows](std::size_t offset) {
      std::vector<std::size_t> order(rows);
      for (std::size_t r = 0; r < rows; ++r) order[r] = (r + offset) % rows;
      orders.push_back(std::move(order));
    };
    // (No copy of `offsets` into a second vector: GCC 12 at -O3 with C++20 flagged its loop as a possible null
    // dereference, an error under -Werror.)
    *exhaustive = offsets.size() <= options.permutations;
    if (*exhaustive) {
      for (const std::size_t offset : offsets) addShift(offset);
    } else {
      for (std::size_t p = 0; p < options.permutations; ++p)
        addShift(offsets[static_cast<std::size_t>(uniformBelow(generator, offsets.size()))]);
    }
    return orders;
  }
  // Group labels of B permuted: group g of the null takes B's group perm[g].
  const std::size_t groups = matched.labels.size();
  const auto toOrder = [&](const std::vector<std::size_t>& permutation) {
    std::vector<std::size_t> order;
    order.reserve(rows);
    for (std::size_t g = 0; g < groups; ++g)
      for (std::size_t r = 0; r < matched.groupRows; ++r) order.push_back(permutation[g] * matched.groupRows + r);
    return order;
  };
  std::vector<std::size_t> permutation(groups);
  std::iota(permutation.begin(), permutation.end(), std::size_t{0});
  const std::uint64_t distinct = factorialCapped(groups, options.permutations + 1);
  if (distinct <= options.permutations + 1) {
    // Every permutation but the identity: an exact test.
    *exhaustive = true;
    while (std::next_permutation(permutation.begin(), permutation.end())) orders.push_back(toOrder(permutation));
    return orders;
  }
  for (std::size_t p = 0; p < options.permutations; ++p) {
    std::iota(permutation.begin(), permutation.end(), std::size_t{0});
    for (std::size_t i = groups - 1; i > 0; --i)
      std::swap(permutation[i], permutation[static_cast<std::size_t>(uniformBelow(generator, i + 1))]);
    orders.push_back(toOrder(permutation));
  }
  return orders;
}

Eigen::MatrixXd reordered(const Eigen::MatrixXd& m, const std::vector<std::size_t>& order) {
  Eigen::MatrixXd out(m.rows(), m.cols());
  for (std::size_t r = 0; r < order.size(); ++r)
    out.row(static_cast<Eigen::Index>(r)) = m.row(static_cast<Eigen::Index>(order[r]));
  return out;
}

// Rows per matched trajectory: a group (condition mean, sector window) or, under time, a trial.
std::size_t trajectoryRows(const MatchedRows& matched) {
  const auto rows = static_cast<std::size_t>(matched.a.rows());
  const std::size_t length = matched.match == AlignMatch::Time ? matched.trialRows : matched.groupRows;
  return length == 0 || length > rows || rows % length != 0 ? rows : length;
}

}  // namespace

// One side's own work for one set of matched rows, K, halves, trajectories and DSA options: each part computed
// once (a race computes it twice, with the same result, and keeps the first).
struct AlignSideCache::Impl {
  struct Entry {
    Eigen::MatrixXd rows;  // the matched rows (a copy: the key; empty for a side without a cache)
    std::size_t k = 0;
    Halves halves;
    std::size_t trajectory = 0;
    DsaOptions dsa;
    std::mutex mutex;
    std::shared_ptr<const Projection> projection;
    std::shared_ptr<const HeldoutPair> heldout;
    std::shared_ptr<const DmdFit> dmd;
    // The nulls' rearrangements, by row order: held-out pairs (label null) and DMD fits (DSA's null).
    std::map<std::vector<std::size_t>, std::shared_ptr<const HeldoutPair>> nullHeldout;
    std::map<std::vector<std::size_t>, std::shared_ptr<const DmdFit>> nullDmd;
  };

  explicit Impl(std::size_t keep) : keepBytes(keep) {}

  // The entry for these rows and parameters (bit-exact comparison of the rows), created when there is none;
  // null when a new one (its copy of the rows, its PCA and held-out pair) would exceed what may be kept.
  Entry* find(const Eigen::MatrixXd& rows, std::size_t k, const Halves& halves, std::size_t trajectory,
              const DsaOptions& dsa) {
    const std::lock_guard<std::mutex> lock(mutex);
    for (const auto& entry : entries) {
      if (entry->k != k || entry->halves.split != halves.split || entry->halves.rows != halves.rows ||
          entry->trajectory != trajectory || entry->dsa.delays != dsa.delays ||
          entry->dsa.delayInterval != dsa.delayInterval || entry->dsa.rank != dsa.rank ||
          std::memcmp(&entry->dsa.lambda, &dsa.lambda, sizeof(double)) != 0 || entry->rows.rows() != rows.rows() ||
          entry->rows.cols() != rows.cols())
        continue;
      if (std::memcmp(entry->rows.data(), rows.data(), sizeof(double) * static_cast<std::size_t>(rows.size())) == 0)
        return entry.get();
    }
    const auto count = static_cast<std::size_t>(rows.rows());
    if (!keep(sizeof(double) *
              (static_cast<std::size_t>(rows.size()) + 3 * count * k + k * static_cast<std::size_t>(rows.cols()))))
      return nullptr;
    auto entry = std::make_unique<Entry>();
    entry->rows = rows;
    entry->k = k;
    entry->halves = halves;
    entry->trajectory = trajectory;
    entry->dsa = dsa;
    entries.push_back(std::move(entry));
    return entries.back().get();
  }

  // Whether `bytes` more may be kept; counts them when so.
  bool keep(std::size_t bytes) {
    std::size_t now = keptBytes.load();
    do {
      if (now + bytes > keepBytes) return false;
    } while (!keptBytes.compare_exchange_weak(now, now + bytes));
    return true;
  }

  const std::size_t keepBytes;
  std::atomic<std::size_t> keptBytes{0};
  std::atomic<std::size_t> computed{0};
  std::atomic<std::size_t> reused{0};
  std::mutex mutex;
  std::vector<std::unique_ptr<Entry>> entries;
};

AlignSideCache::AlignSideCache(std::size_t keepBytes) : impl_(std::make_unique<Impl>(keepBytes)) {}
AlignSideCache::~AlignSideCache() = default;

AlignSideCache::Counts AlignSideCache::counts() const { return {impl_->computed.load(), impl_->reused.load()}; }

namespace {

std::size_t bytesOf(const HeldoutPair& pair) {
  return sizeof(double) * static_cast<std::size_t>(pair.forward.train.size() + pair.forward.test.size() +
                                                   pair.backward.train.size() + pair.backward.test.size());
}

std::size_t bytesOf(const DmdFit& fit) {
  return sizeof(double) *
         static_cast<std::size_t>(fit.operatorV.size() + 2 * fit.eigenvalues.size() + fit.singularValues.size());
}

// One side of one alignment: its own work, from its cache's entry for these rows when it has a cache, else
// computed here (and the rearrangements' fits not kept).
class SideWork {
 public:
  SideWork(AlignSideCache::Impl* cache, const Eigen::MatrixXd& rows, std::size_t k, const Halves& halves,
           std::size_t trajectory, const DsaOptions& dsa)
      : cache_(cache), rows_(rows) {
    if (cache_ != nullptr) entry_ = cache_->find(rows, k, halves, trajectory, dsa);
    if (entry_ == nullptr) {
      cache_ = nullptr;  // nothing kept: computed here, as without a cache
      own_ = std::make_unique<AlignSideCache::Impl::Entry>();
      own_->k = k;
      own_->halves = halves;
      own_->trajectory = trajectory;
      own_->dsa = dsa;
      entry_ = own_.get();
    }
  }

  [[nodiscard]] std::size_t rowCount() const { return static_cast<std::size_t>(rows_.rows()); }

  // PCA of all matched rows, and the rows projected.
  const Projection& projection() {
    return once(&AlignSideCache::Impl::Entry::projection, [&] { return project(rows_, entry_->k); });
  }
  // Both held-out directions of the rows as they are.
  const HeldoutPair& heldout() {
    return once(&AlignSideCache::Impl::Entry::heldout, [&] { return heldoutPair(rows_, entry_->halves, entry_->k); });
  }
  // DMD of the projected rows.
  const DmdFit& dmd() {
    return once(&AlignSideCache::Impl::Entry::dmd,
                [&] { return fitDmd(projection().projected, entry_->trajectory, entry_->dsa); });
  }
  // Both held-out directions of the rows rearranged in `order` (the label null's side B).
  std::shared_ptr<const HeldoutPair> nullHeldout(const std::vector<std::size_t>& order) {
    return rearranged(&AlignSideCache::Impl::Entry::nullHeldout, order,
                      [&] { return heldoutPair(reordered(rows_, order), entry_->halves, entry_->k); });
  }
  // DMD of the projected rows rearranged in `order` (DSA's null's side B).
  std::shared_ptr<const DmdFit> nullDmd(const std::vector<std::size_t>& order) {
    return rearranged(&AlignSideCache::Impl::Entry::nullDmd, order, [&] {
      return fitDmd(reordered(projection().projected, order), entry_->trajectory, entry_->dsa);
    });
  }

 private:
  using Entry = AlignSideCache::Impl::Entry;

  template <typename T, typename Compute>
  const T& once(std::shared_ptr<const T> Entry::*part, Compute compute) {
    {
      const std::lock_guard<std::mutex> lock(entry_->mutex);
      if (entry_->*part) {
        if (cache_ != nullptr) ++cache_->reused;
        return *(entry_->*part);
      }
    }
    auto value = std::make_shared<const T>(compute());
    if (cache_ != nullptr) ++cache_->computed;
    const std::lock_guard<std::mutex> lock(entry_->mutex);
    if (!(entry_->*part)) entry_->*part = std::move(value);
    return *(entry_->*part);
  }

  template <typename T, typename Compute>
  std::shared_ptr<const T> rearranged(std::map<std::vector<std::size_t>, std::shared_ptr<const T>> Entry::*parts,
                                      const std::vector<std::size_t>& order, Compute compute) {
    if (cache_ == nullptr) return std::make_shared<const T>(compute());
    {
      const std::lock_guard<std::mutex> lock(entry_->mutex);
      const auto found = (entry_->*parts).find(order);
      if (found != (entry_->*parts).end()) {
        ++cache_->reused;
        return found->second;
      }
    }
    auto value = std::make_shared<const T>(compute());
    ++cache_->computed;
    if (cache_->keep(bytesOf(*value) + sizeof(std::size_t) * order.size())) {
      const std::lock_guard<std::mutex> lock(entry_->mutex);
      return (entry_->*parts).emplace(order, std::move(value)).first->second;
    }
    return value;
  }

  AlignSideCache::Impl* cache_;
  const Eigen::MatrixXd& rows_;
  std::unique_ptr<Entry> own_;
  Entry* entry_ = nullptr;
};

// DSA between the K-dimensional sides, and its null: side B's bins permuted in time within each trajectory
// (its states kept, its flow destroyed); p counts null distances at least as small as the real one.
void dsaWithNull(SideWork& sideA, SideWork& sideB, std::size_t length, const AlignOptions& options,
                 const Progress& progress, AlignStatistics* result) {
  const DmdFit& fitA = sideA.dmd();
  const DmdFit& fitB = sideB.dmd();
  result->dsaDistance = dsaDistance(fitA, fitB, options.dsaOptions.score);
  if (options.permutations == 0) return;
  // Its own stream of draws, so that adding DSA leaves the other statistics' null unchanged.
  std::mt19937_64 generator(options.seed ^ 0x9e3779b97f4a7c15ULL);
  const std::size_t rows = sideB.rowCount();
  std::vector<double>& nulls = result->nullValues["dsa_distance"];
  std::size_t asSmall = 0;
  const double tolerance = 1e-12 * std::max(1.0, std::abs(result->dsaDistance));
  std::vector<std::size_t> order(rows);
  for (std::size_t p = 0; p < options.permutations; ++p) {
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t start = 0; start < rows; start += length)
      for (std::size_t i = length - 1; i > 0; --i)
        std::swap(order[start + i], order[start + static_cast<std::size_t>(uniformBelow(generator, i + 1))]);
    const std::shared_ptr<const DmdFit> nullB = sideB.nullDmd(order);
    const double value = dsaDistance(fitA, *nullB, options.dsaOptions.score);
    nulls.push_back(value);
    if (value <= result->dsaDistance + tolerance) ++asSmall;
    progress.report(static_cast<double>(p + 1) / static_cast<double>(options.permutations), "DSA null");
  }
  const double draws = static_cast<double>(options.permutations);
  result->pValues["dsa_distance"] = (1.0 + static_cast<double>(asSmall)) / (1.0 + draws);
  result->dsaPermutationsRun = options.permutations;
  result->dsaPMin = 1.0 / (1.0 + draws);
}

}  // namespace

MatchedRows matchByTime(const FloatArray& a, const FloatArray& b) {
  requireRank3(a, "side A");
  requireRank3(b, "side B");
  if (a.dim(0) != b.dim(0) || a.dim(1) != b.dim(1))
    throw InputError("--match time needs the same trials and bins on both sides: side A has " + shapeText(a) +
                     ", side B " + shapeText(b));
  MatchedRows matched;
  matched.match = AlignMatch::Time;
  matched.a = flattenRows(a);
  matched.b = flattenRows(b);
  matched.trialRows = a.dim(1);
  return matched;
}

MatchedRows matchByConditions(const FloatArray& a, const std::vector<std::string>& conditionsA, const FloatArray& b,
                              const std::vector<std::string>& conditionsB) {
  requireRank3(a, "side A");
  requireRank3(b, "side B");
  std::vector<std::string> namesA;
  std::vector<std::string> namesB;
  const FloatArray meansA = conditionAverage(a, conditionsA, &namesA);
  const FloatArray meansB = conditionAverage(b, conditionsB, &namesB);
  MatchedRows matched;
  matched.match = AlignMatch::Conditions;
  std::set_intersection(namesA.begin(), namesA.end(), namesB.begin(), namesB.end(), std::back_inserter(matched.labels));
  if (matched.labels.empty())
    throw InputError("no condition label is common to both sides (side A: " + joinedLabels(namesA) +
                     "; side B: " + joinedLabels(namesB) + ")");
  const std::size_t bins = std::min(a.dim(1), b.dim(1));
  matched.groupRows = bins;
  const auto rows = static_cast<Eigen::Index>(matched.labels.size() * bins);
  matched.a.resize(rows, static_cast<Eigen::Index>(a.dim(2)));
  matched.b.resize(rows, static_cast<Eigen::Index>(b.dim(2)));
  for (std::size_t c = 0; c < matched.labels.size(); ++c) {
    const auto ia =
        static_cast<std::size_t>(std::lower_bound(namesA.begin(), namesA.end(), matched.labels[c]) - namesA.begin());
    const auto ib =
        static_cast<std::size_t>(std::lower_bound(namesB.begin(), namesB.end(), matched.labels[c]) - namesB.begin());
    for (std::size_t t = 0; t < bins; ++t) {
      const auto r = static_cast<Eigen::Index>(c * bins + t);
      for (std::size_t f = 0; f < a.dim(2); ++f) matched.a(r, static_cast<Eigen::Index>(f)) = meansA(ia, t, f);
      for (std::size_t f = 0; f < b.dim(2); ++f) matched.b(r, static_cast<Eigen::Index>(f)) = meansB(ib, t, f);
    }
  }
  return matched;
}

int directionSector(double x, double y, std::size_t sectors) {
  if (!std::isfinite(x) || !std::isfinite(y) || (x == 0.0 && y == 0.0) || sectors == 0) return -1;
  double angle = std::atan2(y, x);
  if (angle < 0.0) angle += 2.0 * kPi;
  const auto sector = static_cast<std::size_t>(angle / (2.0 * kPi / static_cast<double>(sectors)));
  return static_cast<int>(std::min(sector, sectors - 1));
}

FloatArray sectorTrajectories(const FloatArray& features, const FloatArray& behavior, const SectorOptions& options,
                              std::vector<std::size_t>* entries) {
  requireRank3(features, "features");
  requireRank3(behavior, "behaviour");
  if (options.sectors < 2) throw InputError("--sectors must be at least 2");
  if (options.windowBins == 0) throw InputError("--window-bins must be at least 1");
  if (behavior.dim(2) != 2)
    throw InputError("behaviour matching needs a 2-D series (x, y); this one has " + std::to_string(behavior.dim(2)) +
                     " dimensions");
  if (behavior.dim(0) != features.dim(0) || behavior.dim(1) != features.dim(1))
    throw InputError("the behavioural series was not binned like the features");
  const std::size_t trials = features.dim(0);
  const std::size_t bins = features.dim(1);
  const std::size_t width = features.dim(2);
  const std::size_t window = options.windowBins;
  std::vector<double> sums(options.sectors * window * width, 0.0);
  std::vector<std::size_t> counts(options.sectors, 0);
  for (std::size_t t = 0; t < trials; ++t) {
    int previous = -1;
    for (std::size_t k = 0; k < bins; ++k) {
      const int sector = directionSector(behavior(t, k, 0), behavior(t, k, 1), options.sectors);
      // An entry: the direction moves into this sector from another one, or from rest (no direction: a reach
      // from a standstill, as in trial-structured tasks).
      const bool entry = k > 0 && sector >= 0 && sector != previous;
      previous = sector;
      if (!entry || k + window > bins) continue;
      bool finite = true;
      for (std::size_t w = 0; w < window && finite; ++w)
        for (std::size_t f = 0; f < width && finite; ++f) finite = std::isfinite(features(t, k + w, f));
      if (!finite) continue;
      const auto s = static_cast<std::size_t>(sector);
      ++counts[s];
      for (std::size_t w = 0; w < window; ++w)
        for (std::size_t f = 0; f < width; ++f) sums[(s * window + w) * width + f] += features(t, k + w, f);
    }
  }
  FloatArray means({options.sectors, window, width});
  for (std::size_t s = 0; s < options.sectors; ++s)
    for (std::size_t i = 0; i < window * width; ++i)
      means.values()[s * window * width + i] =
          counts[s] == 0 ? 0.0F : static_cast<float>(sums[s * window * width + i] / static_cast<double>(counts[s]));
  if (entries != nullptr) *entries = counts;
  return means;
}

MatchedRows matchByBehavior(const FloatArray& a, const FloatArray& behaviorA, const FloatArray& b,
                            const FloatArray& behaviorB, const SectorOptions& options) {
  MatchedRows matched;
  matched.match = AlignMatch::Behavior;
  const FloatArray meansA = sectorTrajectories(a, behaviorA, options, &matched.entriesA);
  const FloatArray meansB = sectorTrajectories(b, behaviorB, options, &matched.entriesB);
  const std::size_t digits = std::to_string(options.sectors - 1).size();
  std::vector<std::size_t> used;
  for (std::size_t s = 0; s < options.sectors; ++s) {
    if (matched.entriesA[s] == 0 || matched.entriesB[s] == 0) continue;
    std::string index = std::to_string(s);
    matched.labels.push_back("sector_" + std::string(digits - index.size(), '0') + index);
    used.push_back(s);
  }
  if (used.empty())
    throw InputError("no direction sector is entered (with a whole window of " + std::to_string(options.windowBins) +
                     " bins after the entry) on both sides");
  const std::size_t window = options.windowBins;
  matched.groupRows = window;
  const auto rows = static_cast<Eigen::Index>(used.size() * window);
  matched.a.resize(rows, static_cast<Eigen::Index>(a.dim(2)));
  matched.b.resize(rows, static_cast<Eigen::Index>(b.dim(2)));
  for (std::size_t g = 0; g < used.size(); ++g)
    for (std::size_t w = 0; w < window; ++w) {
      const auto r = static_cast<Eigen::Index>(g * window + w);
      for (std::size_t f = 0; f < a.dim(2); ++f) matched.a(r, static_cast<Eigen::Index>(f)) = meansA(used[g], w, f);
      for (std::size_t f = 0; f < b.dim(2); ++f) matched.b(r, static_cast<Eigen::Index>(f)) = meansB(used[g], w, f);
    }
  return matched;
}

CanonicalFit fitCanonical(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  if (a.rows() != b.rows())
    throw InputError("CCA: side A has " + std::to_string(a.rows()) + " rows, side B " + std::to_string(b.rows()));
  if (a.rows() <= std::max(a.cols(), b.cols()))
    throw InputError("CCA: " + std::to_string(a.rows()) + " rows are too few for " +
                     std::to_string(std::max(a.cols(), b.cols())) + " dimensions");
  CanonicalFit fit;
  fit.meanA = a.colwise().mean();
  fit.meanB = b.colwise().mean();
  const auto factor = [](const Eigen::MatrixXd& centred, const char* side) {
    const Eigen::HouseholderQR<Eigen::MatrixXd> qr(centred);
    const Eigen::Index cols = centred.cols();
    Eigen::MatrixXd r = qr.matrixQR().topRows(cols).triangularView<Eigen::Upper>();
    const double largest = r.diagonal().cwiseAbs().maxCoeff();
    if (!(largest > 0.0) || r.diagonal().cwiseAbs().minCoeff() <= 1e-10 * largest)
      throw InputError(std::string("CCA: the dimensions of side ") + side +
                       " are linearly dependent on the matched rows (use fewer --dims)");
    Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(centred.rows(), cols);
    return std::make_pair(std::move(q), std::move(r));
  };
  const auto [qa, ra] = factor(a.rowwise() - fit.meanA, "A");
  const auto [qb, rb] = factor(b.rowwise() - fit.meanB, "B");
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(qa.transpose() * qb, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::Index k = svd.singularValues().size();
  for (Eigen::Index c = 0; c < k; ++c) fit.correlations.push_back(std::min(1.0, svd.singularValues()(c)));
  // A_c Ra^-1 = Qa, so Ra^-1 U maps centred A onto Qa U (unit norm); sqrt(rows - 1) makes unit variance.
  const double scale = std::sqrt(static_cast<double>(a.rows() - 1));
  fit.weightsA = scale * ra.triangularView<Eigen::Upper>().solve(svd.matrixU().leftCols(k));
  fit.weightsB = scale * rb.triangularView<Eigen::Upper>().solve(svd.matrixV().leftCols(k));
  return fit;
}

ProcrustesFit procrustesDisparity(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    throw InputError("Procrustes: both sides need the same shape (" + std::to_string(a.rows()) + " x " +
                     std::to_string(a.cols()) + " vs " + std::to_string(b.rows()) + " x " + std::to_string(b.cols()) +
                     ")");
  Eigen::MatrixXd standardA = a.rowwise() - a.colwise().mean();
  Eigen::MatrixXd standardB = b.rowwise() - b.colwise().mean();
  const double normA = standardA.norm();
  const double normB = standardB.norm();
  if (!(normA > 0.0) || !(normB > 0.0)) throw InputError("Procrustes: a side has no variance on the matched rows");
  standardA /= normA;
  standardB /= normB;
  const ProcrustesResult fit = orthogonalProcrustes(standardA, standardB);
  ProcrustesFit result;
  result.rotation = fit.rotation;
  result.scale = fit.scale;
  result.disparity = (standardA - standardB * fit.rotation.transpose() * fit.scale).squaredNorm();
  return result;
}

AlignStatistics alignSides(const MatchedRows& matched, const AlignOptions& options, const Progress& progress,
                           AlignSideCache* cacheA, AlignSideCache* cacheB) {
  const auto rows = static_cast<std::size_t>(matched.a.rows());
  const auto featuresA = static_cast<std::size_t>(matched.a.cols());
  const auto featuresB = static_cast<std::size_t>(matched.b.cols());
  if (static_cast<std::size_t>(matched.b.rows()) != rows)
    throw InputError("alignment: the sides have different numbers of matched rows");
  if (featuresA == 0 || featuresB == 0) throw InputError("alignment: a side has no dimensions");
  if (!matched.a.allFinite() || !matched.b.allFinite())
    throw InputError("alignment: the matched rows hold values that are not finite numbers");
  std::size_t k = options.dims;
  if (k == 0) {
    k = std::min<std::size_t>({10, featuresA, featuresB});
  } else if (k > featuresA || k > featuresB) {
    throw InputError(
        "--dims " + std::to_string(k) + " is more than " +
        (k > featuresA ? "side A's " + std::to_string(featuresA) : "side B's " + std::to_string(featuresB)) +
        " dimensions");
  }
  if (rows < 2 * k)
    throw InputError(std::to_string(rows) + " matched rows are fewer than 2 x " + std::to_string(k) +
                     " dimensions (use fewer --dims, or more conditions / bins)");
  const bool grouped = matched.match != AlignMatch::Time;
  // The statistics whose null permutes labels (or shifts rows); DSA has its own null.
  const bool labelStatistics = options.cca || options.procrustes || options.consistency;
  if (labelStatistics && grouped && matched.labels.size() < 2)
    throw InputError("only one " + std::string(matched.match == AlignMatch::Conditions ? "condition" : "sector") +
                     " (" + joinedLabels(matched.labels) +
                     ") is common to both sides: the held-out halves and the permutation null need at least two");
  Halves halves;
  halves.rows = rows;
  halves.split = grouped ? (matched.labels.size() / 2) * matched.groupRows : rows / 2;
  if (options.cca && std::min(halves.split, rows - halves.split) <= k)
    throw InputError("held-out CCA: the smaller half of the matched rows has " +
                     std::to_string(std::min(halves.split, rows - halves.split)) + " rows, not more than the " +
                     std::to_string(k) + " dimensions (use fewer --dims)");
  // Nested contiguous folds: every outer training set must still split into `folds` inner folds.
  if (options.consistency &&
      (options.folds < 2 || rows < options.folds || rows - (rows + options.folds - 1) / options.folds < options.folds))
    throw InputError("consistency: " + std::to_string(rows) + " matched rows are too few for " +
                     std::to_string(options.folds) + " nested contiguous folds (use fewer --folds)");

  AlignStatistics result;
  result.rows = rows;
  result.dims = k;
  // Each side's own work (its cache's, when it has one: align --matrix).
  const std::size_t length = trajectoryRows(matched);
  SideWork sideA(cacheA != nullptr ? cacheA->impl_.get() : nullptr, matched.a, k, halves, length, options.dsaOptions);
  SideWork sideB(cacheB != nullptr ? cacheB->impl_.get() : nullptr, matched.b, k, halves, length, options.dsaOptions);
  const Projection& pa = sideA.projection();
  const Projection& pb = sideB.projection();
  progress.report(0.0, "alignment");
  static const HeldoutPair kNone;
  const HeldoutPair& heldoutA = options.cca ? sideA.heldout() : kNone;
  const Values observed =
      statistics(heldoutA, pa.projected, options.cca ? &sideB.heldout() : nullptr, pb.projected, options);
  if (options.cca) {
    const CanonicalFit fit = fitCanonical(pa.projected, pb.projected);
    result.canonicalCorrelations = observed.canonical;
    result.ccaMean = meanOf(observed.canonical);
    result.ccaHeldout = observed.heldout;
    result.ccaHeldoutMean = meanOf(observed.heldout);
    result.transformA = pa.pca.components.transpose() * fit.weightsA;
    result.transformB = pb.pca.components.transpose() * fit.weightsB;
    result.meanA = pa.pca.mean + fit.meanA * pa.pca.components;
    result.meanB = pb.pca.mean + fit.meanB * pb.pca.components;
    result.alignedA = (pa.projected.rowwise() - fit.meanA) * fit.weightsA;
    result.alignedB = (pb.projected.rowwise() - fit.meanB) * fit.weightsB;
  }
  result.procrustesDisparity = observed.disparity;
  result.consistencyAToB = observed.aToB;
  result.consistencyBToA = observed.bToA;
  if (options.dsa) dsaWithNull(sideA, sideB, length, options, progress, &result);
  if (!labelStatistics) {
    result.permutationsRun = result.dsaPermutationsRun;
    result.pMin = result.dsaPMin;
    return result;
  }

  const std::vector<std::vector<std::size_t>> orders = nullOrders(matched, options, &result.exhaustive);
  result.permutationsRun = orders.size();
  if (orders.empty()) return result;
  std::map<std::string, std::size_t> asSimilar;
  const auto record = [&](const std::string& name, double value, double real, bool larger) {
    result.nullValues[name].push_back(value);
    // Rounding leaves an identical arrangement equal to within a few ulps: count it as tied.
    const double tolerance = 1e-12 * std::max(1.0, std::abs(real));
    if (larger ? value >= real - tolerance : value <= real + tolerance) ++asSimilar[name];
  };
  for (std::size_t p = 0; p < orders.size(); ++p) {
    const Eigen::MatrixXd projectedB = reordered(pb.projected, orders[p]);
    std::shared_ptr<const HeldoutPair> heldoutB;
    if (options.cca) heldoutB = sideB.nullHeldout(orders[p]);
    const Values null = statistics(heldoutA, pa.projected, heldoutB.get(), projectedB, options);
    if (options.cca) {
      record("cca_mean", meanOf(null.canonical), result.ccaMean, true);
      record("cca_heldout_mean", meanOf(null.heldout), result.ccaHeldoutMean, true);
    }
    if (options.procrustes) record("procrustes_disparity", null.disparity, result.procrustesDisparity, false);
    if (options.consistency) {
      record("consistency_r2_a_to_b", null.aToB, result.consistencyAToB, true);
      record("consistency_r2_b_to_a", null.bToA, result.consistencyBToA, true);
    }
    progress.report(static_cast<double>(p + 1) / static_cast<double>(orders.size()), "alignment null");
  }
  const double draws = static_cast<double>(orders.size());
  for (const auto& [name, values] : result.nullValues)
    if (name != "dsa_distance") result.pValues[name] = (1.0 + static_cast<double>(asSimilar[name])) / (1.0 + draws);
  result.pMin = 1.0 / (1.0 + draws);
  return result;
}

std::vector<std::size_t> averageLinkageOrder(const Eigen::MatrixXd& distance) {
  const auto n = static_cast<std::size_t>(distance.rows());
  if (n == 0) return {};
  // Active clusters: id, size, and the distance between every two of them.
  std::vector<std::size_t> ids(n);
  std::vector<std::size_t> sizes(n, 1);
  std::iota(ids.begin(), ids.end(), std::size_t{0});
  Eigen::MatrixXd between = distance.triangularView<Eigen::Upper>();
  between = between.selfadjointView<Eigen::Upper>();
  std::vector<std::pair<std::size_t, std::size_t>> children;  // of cluster n + k
  std::vector<std::size_t> active(n);
  std::iota(active.begin(), active.end(), std::size_t{0});  // slots into ids / between
  while (active.size() > 1) {
    std::size_t bestI = 0;
    std::size_t bestJ = 1;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < active.size(); ++i)
      for (std::size_t j = i + 1; j < active.size(); ++j) {
        const double d = between(static_cast<Eigen::Index>(active[i]), static_cast<Eigen::Index>(active[j]));
        if (d < best) {
          best = d;
          bestI = i;
          bestJ = j;
        }
      }
    const std::size_t slotA = active[bestI];
    const std::size_t slotB = active[bestJ];
    children.emplace_back(std::min(ids[slotA], ids[slotB]), std::max(ids[slotA], ids[slotB]));
    // The merged cluster takes slot A.
    const double weightA = static_cast<double>(sizes[slotA]);
    const double weightB = static_cast<double>(sizes[slotB]);
    for (const std::size_t other : active) {
      if (other == slotA || other == slotB) continue;
      const auto o = static_cast<Eigen::Index>(other);
      const double merged = (weightA * between(static_cast<Eigen::Index>(slotA), o) +
                             weightB * between(static_cast<Eigen::Index>(slotB), o)) /
                            (weightA + weightB);
      between(static_cast<Eigen::Index>(slotA), o) = merged;
      between(o, static_cast<Eigen::Index>(slotA)) = merged;
    }
    sizes[slotA] += sizes[slotB];
    ids[slotA] = n + children.size() - 1;
    active.erase(active.begin() + static_cast<std::ptrdiff_t>(bestJ));
  }
  std::vector<std::size_t> order;
  std::vector<std::size_t> stack{n == 1 ? 0 : n + children.size() - 1};
  while (!stack.empty()) {
    const std::size_t id = stack.back();
    stack.pop_back();
    if (id < n) {
      order.push_back(id);
    } else {
      stack.push_back(children[id - n].second);
      stack.push_back(children[id - n].first);
    }
  }
  return order;
}

}  // namespace neurolens
