#include "neurolens/core/probe.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <sstream>

#include "neurolens/core/errors.h"

namespace neurolens {

namespace {

// Rows of the given (ascending) groups as ranges, adjacent groups merged.
RowSet rowsOfGroups(const std::vector<std::size_t>& groups, const std::vector<std::size_t>& groupEnd) {
  RowSet rows;
  for (const std::size_t group : groups) {
    const std::size_t begin = group == 0 ? 0 : groupEnd[group - 1];
    const std::size_t end = groupEnd[group];
    if (begin == end) continue;
    if (!rows.empty() && rows.back().end == begin)
      rows.back().end = end;
    else
      rows.push_back({begin, end});
  }
  return rows;
}

Eigen::MatrixXd gatherRows(const Eigen::MatrixXd& matrix, const RowSet& rows) {
  Eigen::MatrixXd gathered(static_cast<Eigen::Index>(rowCount(rows)), matrix.cols());
  Eigen::Index next = 0;
  for (const auto& range : rows) {
    const auto length = static_cast<Eigen::Index>(range.size());
    gathered.middleRows(next, length) = matrix.middleRows(static_cast<Eigen::Index>(range.begin), length);
    next += length;
  }
  return gathered;
}

template <typename T>
std::vector<T> gatherValues(const std::vector<T>& values, const RowSet& rows) {
  std::vector<T> gathered;
  gathered.reserve(rowCount(rows));
  for (const auto& range : rows)
    gathered.insert(gathered.end(), values.begin() + static_cast<std::ptrdiff_t>(range.begin),
                    values.begin() + static_cast<std::ptrdiff_t>(range.end));
  return gathered;
}

// One outer split: held-out groups and the inner folds of the remaining groups.
struct OuterSplit {
  RowSet test;
  RowSet train;
  std::vector<RowSet> innerTest;  // partitions `train`
};

// Groups of each fold: contiguous runs (KFold), or StratifiedKFold's assignment
// given one label per group.
std::vector<std::vector<std::size_t>> foldGroups(std::size_t groups, std::size_t folds,
                                                 const std::vector<int>* groupLabels) {
  std::vector<std::vector<std::size_t>> result(folds);
  if (groupLabels == nullptr) {
    const std::vector<IndexRange> ranges = contiguousFolds(groups, folds);
    for (std::size_t f = 0; f < folds; ++f)
      for (std::size_t g = ranges[f].begin; g < ranges[f].end; ++g) result[f].push_back(g);
  } else {
    if (groups < folds)
      throw InputError("cannot split " + std::to_string(groups) + " trials into " + std::to_string(folds) +
                       " folds: use fewer --folds or more data");
    const std::vector<std::size_t> fold = stratifiedKFold(*groupLabels, folds);
    for (std::size_t g = 0; g < groups; ++g) result[fold[g]].push_back(g);
  }
  return result;
}

// groupLabels (one per group) makes the folds stratified, outer and inner; null keeps them contiguous.
std::vector<OuterSplit> nestedSplits(const std::vector<std::size_t>& groupEnd, std::size_t folds,
                                     const std::vector<int>* groupLabels = nullptr) {
  const std::size_t groups = groupEnd.size();
  std::vector<OuterSplit> splits;
  for (const std::vector<std::size_t>& testGroups : foldGroups(groups, folds, groupLabels)) {
    OuterSplit split;
    std::vector<bool> held(groups, false);
    for (const std::size_t g : testGroups) held[g] = true;
    std::vector<std::size_t> trainGroups;
    std::vector<int> trainLabels;
    for (std::size_t g = 0; g < groups; ++g)
      if (!held[g]) {
        trainGroups.push_back(g);
        if (groupLabels != nullptr) trainLabels.push_back((*groupLabels)[g]);
      }
    split.test = rowsOfGroups(testGroups, groupEnd);
    split.train = rowsOfGroups(trainGroups, groupEnd);
    if (trainGroups.size() < folds)
      throw InputError("the inner cross-validation cannot split " + std::to_string(trainGroups.size()) +
                       " training trials (or bins) into " + std::to_string(folds) +
                       " folds: use fewer --folds or more data");
    for (const std::vector<std::size_t>& inner :
         foldGroups(trainGroups.size(), folds, groupLabels != nullptr ? &trainLabels : nullptr)) {
      std::vector<std::size_t> innerGroups;
      for (const std::size_t i : inner) innerGroups.push_back(trainGroups[i]);
      split.innerTest.push_back(rowsOfGroups(innerGroups, groupEnd));
    }
    splits.push_back(std::move(split));
  }
  return splits;
}

// 30 -> "30", 0.25 -> "0.25" (std::to_string pads to six decimals).
std::string plainNumber(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

void checkAlphas(const std::vector<double>& alphas) {
  if (alphas.empty()) throw InputError("--alphas: give at least one penalty");
  for (const double alpha : alphas)
    if (!(alpha > 0.0) || !std::isfinite(alpha))
      throw InputError("--alphas: every penalty must be a positive number (got " + plainNumber(alpha) + ")");
}

std::size_t bestIndex(const std::vector<double>& scores) {
  // First of the best, as GridSearchCV's rank_test_score ties resolve.
  std::size_t best = 0;
  for (std::size_t i = 1; i < scores.size(); ++i)
    if (scores[i] > scores[best]) best = i;
  return best;
}

}  // namespace

const char* probeRowsKindName(ProbeRowsKind kind) { return kind == ProbeRowsKind::Trials ? "trials" : "bins"; }

ProbeRowsKind parseProbeRowsKind(const std::string& text) {
  if (text == "bins") return ProbeRowsKind::Bins;
  if (text == "trials") return ProbeRowsKind::Trials;
  throw InputError("--rows must be bins or trials (got '" + text + "')");
}

ProbeRows averageRowsPerTrial(const ProbeRows& rows) {
  std::set<std::size_t> trials(rows.trial.begin(), rows.trial.end());
  if (trials.size() < 2)
    throw InputError("--rows trials: the recording is one continuous trial (no trials table, or no --chunk-ms), so "
                     "there are no trials to make rows of: use --rows bins");
  ProbeRows averaged;
  averaged.classes = rows.classes;
  const auto groups = static_cast<Eigen::Index>(rows.groupEnd.size());
  averaged.features.resize(groups, rows.features.cols());
  if (rows.targets.size() > 0) averaged.targets.resize(groups, rows.targets.cols());
  std::size_t begin = 0;
  for (Eigen::Index g = 0; g < groups; ++g) {
    const std::size_t end = rows.groupEnd[static_cast<std::size_t>(g)];
    const auto first = static_cast<Eigen::Index>(begin);
    const auto count = static_cast<Eigen::Index>(end - begin);
    averaged.features.row(g) = rows.features.middleRows(first, count).colwise().mean();
    if (rows.targets.size() > 0) averaged.targets.row(g) = rows.targets.middleRows(first, count).colwise().mean();
    if (!rows.labels.empty()) averaged.labels.push_back(rows.labels[begin]);
    averaged.trial.push_back(rows.trial[begin]);
    averaged.bin.push_back(0);
    averaged.groupEnd.push_back(static_cast<std::size_t>(g) + 1);
    begin = end;
  }
  return averaged;
}

const char* foldsKindName(FoldsKind kind) { return kind == FoldsKind::Stratified ? "stratified" : "contiguous"; }

int lagInBins(double lagMs, double binMs) {
  if (!(binMs > 0.0)) throw InputError("the bin size must be positive");
  const double bins = lagMs / binMs;
  const double rounded = std::round(bins);
  if (!std::isfinite(bins) || std::abs(bins - rounded) > 1e-6)
    throw InputError("--lag-ms " + plainNumber(lagMs) + " is not a whole number of " + plainNumber(binMs) + " ms bins");
  return static_cast<int>(rounded);
}

ProbeTarget probeTargetFromSpec(const BinnedRecording& recording, const std::string& spec) {
  const auto colon = spec.find(':');
  if (colon == std::string::npos) throw InputError("--target '" + spec + "': expected behavior:NAME or trials:COLUMN");
  const std::string kind = spec.substr(0, colon);
  const std::string name = spec.substr(colon + 1);
  ProbeTarget target;
  target.name = spec;
  const std::size_t trials = recording.trialCount();
  const std::size_t bins = recording.binCount();
  if (kind == "behavior") {
    const auto found = recording.behavior.find(name);
    if (found == recording.behavior.end())
      throw InputError(recording.source + ": no behavioural series '" + name +
                       "' was binned (is it under /processing/behavior?)");
    target.numeric = found->second;
    return target;
  }
  if (kind != "trials") throw InputError("--target '" + spec + "': expected behavior:NAME or trials:COLUMN");
  const Column* column = recording.trials.find(name);
  if (column == nullptr || recording.trials.rows() != trials)
    throw InputError(recording.source + ": the trials table has no column '" + name + "'" +
                     (recording.trials.rows() == 0 ? " (the recording has no trials table)" : ""));
  if (column->isRagged()) throw InputError(recording.source + ": trial column '" + name + "' is ragged");
  if (column->isText()) {
    target.labels = column->texts();
    if (target.labels.size() != trials)
      throw InputError(recording.source + ": trial column '" + name + "' does not have one value per trial");
    return target;
  }
  const auto& numbers = column->numbers();
  if (numbers.size() != trials)
    throw InputError(recording.source + ": trial column '" + name + "' does not have one value per trial");
  target.numeric = FloatArray({trials, bins, 1});
  for (std::size_t t = 0; t < trials; ++t)
    for (std::size_t b = 0; b < bins; ++b) target.numeric(t, b, 0) = static_cast<float>(numbers[t]);
  return target;
}

ProbeRows buildProbeRows(const FloatArray& features, const ProbeTarget& target, int lagBins) {
  if (features.rank() != 3) throw InputError("probe: features must be [trials, bins, features]");
  const std::size_t trials = features.dim(0);
  const std::size_t bins = features.dim(1);
  const std::size_t width = features.dim(2);
  if (trials == 0 || bins == 0 || width == 0) throw InputError("probe: the features are empty");
  const bool categorical = target.categorical();
  std::size_t dims = 1;
  if (categorical) {
    if (target.labels.size() != trials)
      throw InputError("probe: " + std::to_string(target.labels.size()) + " trial labels for " +
                       std::to_string(trials) + " trials");
  } else {
    if (target.numeric.rank() != 3 || target.numeric.dim(0) != trials || target.numeric.dim(1) != bins)
      throw InputError("probe: target '" + target.name + "' does not have one value per trial and bin");
    dims = target.numeric.dim(2);
    if (dims == 0) throw InputError("probe: target '" + target.name + "' has no dimensions");
  }
  ProbeRows rows;
  if (categorical) {
    const std::set<std::string> unique(target.labels.begin(), target.labels.end());
    rows.classes.assign(unique.begin(), unique.end());  // sorted, as sklearn's LabelEncoder
  }
  // Rows whose target is missing (NaN behaviour) are dropped like rows without a lag partner.
  std::vector<std::pair<std::size_t, std::size_t>> kept;
  for (std::size_t t = 0; t < trials; ++t) {
    for (std::size_t b = 0; b < bins; ++b) {
      const long partner = static_cast<long>(b) + lagBins;
      if (partner < 0 || partner >= static_cast<long>(bins)) continue;
      bool finite = true;
      for (std::size_t d = 0; d < dims && !categorical; ++d)
        finite = finite && std::isfinite(target.numeric(t, static_cast<std::size_t>(partner), d));
      if (finite) kept.emplace_back(t, b);
    }
  }
  if (kept.empty())
    throw InputError("probe: no (trial, bin) pairs are left after the --lag-ms shift of " + std::to_string(lagBins) +
                     " bins (trials have " + std::to_string(bins) + " bins)");
  const auto count = static_cast<Eigen::Index>(kept.size());
  rows.features.resize(count, static_cast<Eigen::Index>(width));
  if (!categorical) rows.targets.resize(count, static_cast<Eigen::Index>(dims));
  for (Eigen::Index r = 0; r < count; ++r) {
    const auto [t, b] = kept[static_cast<std::size_t>(r)];
    const std::size_t partner = static_cast<std::size_t>(static_cast<long>(b) + lagBins);
    for (std::size_t f = 0; f < width; ++f) {
      const float value = features(t, b, f);
      if (!std::isfinite(value))
        throw InputError("probe: feature " + std::to_string(f) + " of trial " + std::to_string(t) + ", bin " +
                         std::to_string(b) + " is not a finite number");
      rows.features(r, static_cast<Eigen::Index>(f)) = value;
    }
    if (categorical) {
      const auto found = std::lower_bound(rows.classes.begin(), rows.classes.end(), target.labels[t]);
      rows.labels.push_back(static_cast<int>(found - rows.classes.begin()));
    } else {
      for (std::size_t d = 0; d < dims; ++d)
        rows.targets(r, static_cast<Eigen::Index>(d)) = target.numeric(t, partner, d);
    }
    rows.trial.push_back(t);
    rows.bin.push_back(b);
  }
  // Fold groups: trials, or single bins when the recording is one continuous trial.
  for (std::size_t r = 0; r < kept.size(); ++r) {
    const bool lastOfGroup = trials == 1 || r + 1 == kept.size() || kept[r + 1].first != kept[r].first;
    if (lastOfGroup) rows.groupEnd.push_back(r + 1);
  }
  return rows;
}

namespace {

// The moments of every row set the nested splits use, from one pass over the
// data: the rows are cut at every fold boundary into "atoms", each summarised
// once; a fold's moments are the sum of its atoms'.
class AtomMoments {
 public:
  AtomMoments(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, const std::vector<OuterSplit>& splits) {
    std::set<std::size_t> cuts{0, static_cast<std::size_t>(x.rows())};
    const auto addCuts = [&](const RowSet& rows) {
      for (const auto& range : rows) {
        cuts.insert(range.begin);
        cuts.insert(range.end);
      }
    };
    for (const auto& split : splits) {
      addCuts(split.test);
      for (const auto& inner : split.innerTest) addCuts(inner);
    }
    starts_.assign(cuts.begin(), cuts.end());
    for (std::size_t a = 0; a + 1 < starts_.size(); ++a)
      atoms_.push_back(RidgeMoments::of(x, y, {{starts_[a], starts_[a + 1]}}));
  }

  [[nodiscard]] RidgeMoments of(const RowSet& rows) const {
    RidgeMoments sum = atoms_.front();
    sum -= atoms_.front();
    for (const auto& range : rows) {
      auto a =
          static_cast<std::size_t>(std::lower_bound(starts_.begin(), starts_.end(), range.begin) - starts_.begin());
      for (; a < atoms_.size() && starts_[a + 1] <= range.end; ++a) sum += atoms_[a];
    }
    return sum;
  }

 private:
  std::vector<std::size_t> starts_;  // atom a is rows [starts_[a], starts_[a + 1])
  std::vector<RidgeMoments> atoms_;
};

}  // namespace

CrossValidatedRidge crossValidateRidge(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                                       const std::vector<std::size_t>& groupEnd, std::size_t folds,
                                       const std::vector<double>& alphas, const Progress& progress) {
  checkAlphas(alphas);
  if (x.rows() != y.rows()) throw InputError("probe: features and targets have different row counts");
  // Centring on the overall means changes no ridge solution (the intercept absorbs
  // it) but keeps the sums of squares free of cancellation.
  const Eigen::RowVectorXd meanY = y.colwise().mean();
  const Eigen::MatrixXd centredX = x.rowwise() - x.colwise().mean();
  const Eigen::MatrixXd centredY = y.rowwise() - meanY;
  const std::vector<OuterSplit> splits = nestedSplits(groupEnd, folds);
  const AtomMoments moments(centredX, centredY, splits);
  progress.report(0.5, "ridge cross-validation");
  CrossValidatedRidge result;
  result.predictions = Eigen::MatrixXd::Zero(y.rows(), y.cols());
  for (std::size_t s = 0; s < splits.size(); ++s) {
    const OuterSplit& split = splits[s];
    const RidgeMoments total = moments.of(split.train);
    std::vector<double> meanScore(alphas.size(), 0.0);
    for (const RowSet& inner : split.innerTest) {
      const RidgeMoments held = moments.of(inner);
      RidgeMoments training = total;
      training -= held;
      const RidgePath path(training);
      for (std::size_t a = 0; a < alphas.size(); ++a)
        meanScore[a] += meanOf(path.r2PerColumn(held, alphas[a])) / static_cast<double>(split.innerTest.size());
    }
    const double alpha = alphas[bestIndex(meanScore)];
    result.alphaPerFold.push_back(alpha);
    const RidgePath path(total);
    const Eigen::MatrixXd weights = path.coefficients(alpha);
    const Eigen::RowVectorXd offset = path.intercept(alpha) + meanY;
    for (const auto& range : split.test) {
      const auto begin = static_cast<Eigen::Index>(range.begin);
      const auto length = static_cast<Eigen::Index>(range.size());
      result.predictions.middleRows(begin, length) = centredX.middleRows(begin, length) * weights;
      result.predictions.middleRows(begin, length).rowwise() += offset;
    }
    progress.report(0.5 + 0.5 * static_cast<double>(s + 1) / static_cast<double>(splits.size()),
                    "ridge cross-validation");
  }
  return result;
}

namespace {

// Runs task(0) .. task(count - 1) on up to one worker thread per core (the tasks
// must not depend on each other's order). This thread reports progress as tasks
// finish; a cancel (report() throwing) or a task's exception stops the workers
// after their current task and is rethrown here.
void parallelFor(std::size_t count, const std::function<void(std::size_t)>& task, const Progress& progress,
                 const std::string& stage) {
  const std::size_t threads =
      std::max<std::size_t>(1, std::min<std::size_t>(count, std::thread::hardware_concurrency()));
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t next = 0;
  std::size_t finished = 0;
  std::size_t running = threads;
  std::exception_ptr failure;
  const auto work = [&] {
    for (;;) {
      std::size_t index = 0;
      {
        const std::lock_guard<std::mutex> lock(mutex);
        if (next >= count || failure) break;
        index = next++;
      }
      try {
        task(index);
        const std::lock_guard<std::mutex> lock(mutex);
        ++finished;
      } catch (...) {
        const std::lock_guard<std::mutex> lock(mutex);
        if (!failure) failure = std::current_exception();
      }
      changed.notify_all();
    }
    {
      const std::lock_guard<std::mutex> lock(mutex);
      --running;
    }
    changed.notify_all();
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(work);
  {
    std::unique_lock<std::mutex> lock(mutex);
    std::size_t reported = 0;
    while (running > 0) {
      changed.wait(lock, [&] { return running == 0 || finished > reported; });
      if (finished > reported && !failure) {
        reported = finished;
        lock.unlock();
        try {
          progress.report(static_cast<double>(reported) / static_cast<double>(count), stage);
        } catch (...) {
          lock.lock();
          if (!failure) failure = std::current_exception();
          continue;
        }
        lock.lock();
      }
    }
  }
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
}

// One inner fold of one outer split: the held-out accuracy at every penalty, and
// (fold 0) the solutions, which start the outer refits.
struct InnerFoldResult {
  std::vector<double> accuracy;           // per alpha
  std::vector<LogisticModel> solutions;  // per alpha, kept for inner fold 0 only
};

InnerFoldResult fitInnerFold(const Eigen::MatrixXd& x, const std::vector<int>& labels, int classes,
                             const OuterSplit& split, std::size_t k, const std::vector<double>& alphas) {
  // Fit from the strongest penalty down, each fit starting from the previous
  // solution: the path is smooth in alpha, so this saves most iterations.
  std::vector<std::size_t> order(alphas.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return alphas[a] > alphas[b]; });
  RowSet innerTrain;
  for (std::size_t j = 0; j < split.innerTest.size(); ++j)
    if (j != k) innerTrain.insert(innerTrain.end(), split.innerTest[j].begin(), split.innerTest[j].end());
  std::sort(innerTrain.begin(), innerTrain.end(),
            [](const IndexRange& a, const IndexRange& b) { return a.begin < b.begin; });
  const Eigen::MatrixXd trainX = gatherRows(x, innerTrain);
  const std::vector<int> trainLabels = gatherValues(labels, innerTrain);
  const Eigen::MatrixXd testX = gatherRows(x, split.innerTest[k]);
  const std::vector<int> testLabels = gatherValues(labels, split.innerTest[k]);
  InnerFoldResult result;
  result.accuracy.assign(alphas.size(), 0.0);
  if (k == 0) result.solutions.resize(alphas.size());
  LogisticModel previous;
  for (const std::size_t a : order) {
    LogisticFitOptions options;
    options.alpha = alphas[a];
    options.warmStart = previous.weights.size() > 0 ? &previous : nullptr;
    LogisticModel model = fitMultinomialLogistic(trainX, trainLabels, classes, options);
    result.accuracy[a] = accuracyOf(testLabels, model.predict(testX));
    if (k == 0) result.solutions[a] = model;
    previous = std::move(model);
  }
  return result;
}

}  // namespace

CrossValidatedLogistic crossValidateLogistic(const Eigen::MatrixXd& x, const std::vector<int>& labels, int classes,
                                             const std::vector<std::size_t>& groupEnd, std::size_t folds,
                                             const std::vector<double>& alphas, const Progress& progress) {
  checkAlphas(alphas);
  // One label per group (a trial's rows share its label): stratified folds over whole groups.
  std::vector<int> groupLabels;
  for (const std::size_t end : groupEnd)
    if (end > 0) groupLabels.push_back(labels[end - 1]);
  const std::vector<OuterSplit> splits = nestedSplits(groupEnd, folds, &groupLabels);
  // Every (outer, inner) fold is independent: they run in parallel, then each outer
  // split's refit at its chosen penalty, started from inner fold 0's solution there.
  const std::size_t inner = folds;
  std::vector<InnerFoldResult> innerResults(splits.size() * inner);
  parallelFor(
      innerResults.size(),
      [&](std::size_t task) {
        innerResults[task] = fitInnerFold(x, labels, classes, splits[task / inner], task % inner, alphas);
      },
      progress.sub(0.0, 0.9), "logistic cross-validation");
  std::vector<double> chosenAlpha(splits.size());
  std::vector<std::vector<int>> predicted(splits.size());
  parallelFor(
      splits.size(),
      [&](std::size_t s) {
        std::vector<double> meanScore(alphas.size(), 0.0);
        for (std::size_t k = 0; k < inner; ++k)
          for (std::size_t a = 0; a < alphas.size(); ++a)
            meanScore[a] += innerResults[s * inner + k].accuracy[a] / static_cast<double>(inner);
        const std::size_t chosen = bestIndex(meanScore);
        chosenAlpha[s] = alphas[chosen];
        LogisticFitOptions options;
        options.alpha = alphas[chosen];
        options.warmStart = &innerResults[s * inner].solutions[chosen];  // same penalty, most of the same rows
        const LogisticModel model =
            fitMultinomialLogistic(gatherRows(x, splits[s].train), gatherValues(labels, splits[s].train), classes,
                                   options);
        predicted[s] = model.predict(gatherRows(x, splits[s].test));
      },
      progress.sub(0.9, 1.0), "logistic refits");
  CrossValidatedLogistic result;
  result.predictions.assign(labels.size(), 0);
  for (std::size_t s = 0; s < splits.size(); ++s) {
    result.alphaPerFold.push_back(chosenAlpha[s]);
    std::size_t row = 0;
    for (const auto& range : splits[s].test)
      for (std::size_t r = range.begin; r < range.end; ++r) result.predictions[r] = predicted[s][row++];
  }
  return result;
}

namespace {

double modeOf(const std::vector<double>& values) {
  std::map<double, std::size_t> counts;
  for (const double value : values) ++counts[value];
  double best = values.front();
  std::size_t bestCount = 0;
  for (const auto& [value, count] : counts)  // ascending: ties keep the smaller penalty
    if (count > bestCount) {
      best = value;
      bestCount = count;
    }
  return best;
}

// A permutation of rows that moves whole blocks: trials (all of equal length
// after the lag), or, for one continuous trial, 20 equal runs of bins (the
// remainder stays in place). Keeps the targets' temporal structure intact.
std::vector<std::size_t> blockPermutation(const ProbeRows& rows, std::mt19937_64& generator) {
  const std::size_t count = rows.trial.size();
  std::vector<std::size_t> blockEnd;
  if (count > 0 && rows.trial.front() == rows.trial.back()) {  // single trial: bins are the groups
    const std::size_t blocks = std::min<std::size_t>(20, count);
    const std::size_t length = count / blocks;
    for (std::size_t b = 1; b <= blocks; ++b) blockEnd.push_back(b * length);
  } else {
    blockEnd = rows.groupEnd;
  }
  // Only blocks of one common length can trade places.
  std::map<std::size_t, std::vector<std::size_t>> blocksByLength;
  for (std::size_t b = 0; b < blockEnd.size(); ++b) {
    const std::size_t begin = b == 0 ? 0 : blockEnd[b - 1];
    blocksByLength[blockEnd[b] - begin].push_back(b);
  }
  std::vector<std::size_t> source(count);
  std::iota(source.begin(), source.end(), 0);
  for (auto& [length, blocks] : blocksByLength) {
    std::vector<std::size_t> shuffled = blocks;
    std::shuffle(shuffled.begin(), shuffled.end(), generator);
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const std::size_t to = blocks[i] == 0 ? 0 : blockEnd[blocks[i] - 1];
      const std::size_t from = shuffled[i] == 0 ? 0 : blockEnd[shuffled[i] - 1];
      for (std::size_t j = 0; j < length; ++j) source[to + j] = from + j;
    }
  }
  return source;
}

}  // namespace

ProbeResult runProbe(const FloatArray& features, const ProbeTarget& target, const ProbeOptions& options,
                     const Progress& progress) {
  const int lag = lagInBins(options.lagMs, options.binMs);
  const ProbeRows rows = options.rows == ProbeRowsKind::Trials ? averageRowsPerTrial(buildProbeRows(features, target, lag))
                                                               : buildProbeRows(features, target, lag);
  ProbeResult result;
  result.rowsKind = options.rows;
  result.categorical = target.categorical();
  result.foldsKind = result.categorical ? FoldsKind::Stratified : FoldsKind::Contiguous;
  result.rows = rows.trial.size();
  const std::size_t trials = features.dim(0);
  const std::size_t bins = options.rows == ProbeRowsKind::Trials ? 1 : features.dim(1);
  const double permutationShare = options.permutations > 0 ? 0.2 : 1.0;
  const Progress main = progress.sub(0.0, permutationShare);

  double observed = 0.0;
  if (!result.categorical) {
    const CrossValidatedRidge cv =
        crossValidateRidge(rows.features, rows.targets, rows.groupEnd, options.folds, options.alphas, main);
    result.r2PerDim = r2PerColumn(rows.targets, cv.predictions);
    result.r2 = meanOf(result.r2PerDim);
    result.alphaPerFold = cv.alphaPerFold;
    result.alpha = modeOf(cv.alphaPerFold);
    const RowSet all{{0, result.rows}};
    const RidgePath path(RidgeMoments::of(rows.features, rows.targets, all));
    result.weights = path.coefficients(result.alpha);
    result.intercept = path.intercept(result.alpha);
    const std::size_t dims = static_cast<std::size_t>(rows.targets.cols());
    result.predictions = FloatArray({trials, bins, dims}, std::numeric_limits<float>::quiet_NaN());
    for (std::size_t r = 0; r < result.rows; ++r)
      for (std::size_t d = 0; d < dims; ++d)
        result.predictions(rows.trial[r], rows.bin[r], d) =
            static_cast<float>(cv.predictions(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(d)));
    observed = result.r2;
  } else {
    const int classes = static_cast<int>(rows.classes.size());
    if (classes < 2)
      throw InputError("probe: target '" + target.name + "' has a single class ('" + rows.classes.front() +
                       "'): nothing to decode");
    // Stratified folds put every class in every training fold: each class needs at least K trials.
    std::vector<std::size_t> trialsOfClass(rows.classes.size(), 0);
    for (const std::size_t end : rows.groupEnd) ++trialsOfClass[static_cast<std::size_t>(rows.labels[end - 1])];
    for (std::size_t c = 0; c < trialsOfClass.size(); ++c)
      if (trialsOfClass[c] < options.folds)
        throw InputError("probe: class '" + rows.classes[c] + "' of '" + target.name + "' has " +
                         std::to_string(trialsOfClass[c]) + " trial" + (trialsOfClass[c] == 1 ? "" : "s") +
                         ", fewer than the " + std::to_string(options.folds) +
                         " stratified folds: use --folds " + std::to_string(std::max<std::size_t>(2, trialsOfClass[c])) +
                         " or leave that class out");
    const CrossValidatedLogistic cv =
        crossValidateLogistic(rows.features, rows.labels, classes, rows.groupEnd, options.folds, options.alphas, main);
    result.accuracy = accuracyOf(rows.labels, cv.predictions);
    result.chance = majorityRate(rows.labels);
    result.classes = rows.classes;
    result.alphaPerFold = cv.alphaPerFold;
    result.alpha = modeOf(cv.alphaPerFold);
    result.predictions = FloatArray({trials, bins, 1}, std::numeric_limits<float>::quiet_NaN());
    for (std::size_t r = 0; r < result.rows; ++r)
      result.predictions(rows.trial[r], rows.bin[r], 0) = static_cast<float>(cv.predictions[r]);
    observed = result.accuracy;
  }

  if (options.permutations > 0) {
    std::mt19937_64 generator(options.seed);
    std::size_t atLeast = 0;
    for (std::size_t p = 0; p < options.permutations; ++p) {
      const std::vector<std::size_t> source = blockPermutation(rows, generator);
      double score = 0.0;
      if (!result.categorical) {
        Eigen::MatrixXd shuffled(rows.targets.rows(), rows.targets.cols());
        for (std::size_t r = 0; r < source.size(); ++r)
          shuffled.row(static_cast<Eigen::Index>(r)) = rows.targets.row(static_cast<Eigen::Index>(source[r]));
        const auto cv = crossValidateRidge(rows.features, shuffled, rows.groupEnd, options.folds, options.alphas);
        score = meanOf(r2PerColumn(shuffled, cv.predictions));
      } else {
        std::vector<int> shuffled(source.size());
        for (std::size_t r = 0; r < source.size(); ++r) shuffled[r] = rows.labels[source[r]];
        const auto cv = crossValidateLogistic(rows.features, shuffled, static_cast<int>(rows.classes.size()),
                                              rows.groupEnd, options.folds, options.alphas);
        score = accuracyOf(shuffled, cv.predictions);
      }
      result.nullScores.push_back(score);
      atLeast += score >= observed ? 1 : 0;
      progress.report(permutationShare + (1.0 - permutationShare) * static_cast<double>(p + 1) /
                                             static_cast<double>(options.permutations),
                      "permutation null");
    }
    result.pValue = static_cast<double>(1 + atLeast) / static_cast<double>(1 + options.permutations);
  }
  return result;
}

}  // namespace neurolens
