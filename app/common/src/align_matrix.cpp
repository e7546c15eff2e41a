#include "neurolens/app/align_matrix.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <memory>
#include <thread>

#include "neurolens/core/alignment.h"
#include "neurolens/core/errors.h"

namespace neurolens::app {
namespace {

void selectStatistics(const std::string& name, AlignOptions* options) {
  options->cca = options->procrustes = options->consistency = options->dsa = false;
  if (name == "cca_mean" || name == "cca_heldout_mean") options->cca = true;
  if (name == "procrustes_disparity") options->procrustes = true;
  if (name == "consistency_r2_a_to_b" || name == "consistency_r2_b_to_a") options->consistency = true;
  if (name == "dsa_distance") options->dsa = true;
}

double statisticValue(const AlignStatistics& stats, const std::string& name) {
  if (name == "cca_mean") return stats.ccaMean;
  if (name == "cca_heldout_mean") return stats.ccaHeldoutMean;
  if (name == "procrustes_disparity") return stats.procrustesDisparity;
  if (name == "consistency_r2_a_to_b") return stats.consistencyAToB;
  if (name == "consistency_r2_b_to_a") return stats.consistencyBToA;
  return stats.dsaDistance;
}

// One cell pair of the matrix: side i (as A) against side j (as B), i <= j.
struct MatrixTask {
  std::size_t i = 0;
  std::size_t j = 0;
  double value = 0.0;
  double mirrorValue = 0.0;
  double p = std::nan("");
  double mirrorP = std::nan("");
  std::exception_ptr error;
};

}  // namespace

std::optional<AlignMatrixStatistic> alignMatrixStatistic(const std::string& name) {
  if (name == "cca_mean" || name == "cca_heldout_mean") return AlignMatrixStatistic{true, name};
  if (name == "procrustes_disparity") return AlignMatrixStatistic{false, name};
  if (name == "consistency_r2_a_to_b") return AlignMatrixStatistic{true, "consistency_r2_b_to_a"};
  if (name == "consistency_r2_b_to_a") return AlignMatrixStatistic{true, "consistency_r2_a_to_b"};
  if (name == "dsa_distance") return AlignMatrixStatistic{false, name};
  return std::nullopt;
}

std::string alignMatrixStatisticNames() {
  return "cca_mean, cca_heldout_mean, procrustes_disparity, consistency_r2_a_to_b, consistency_r2_b_to_a or "
         "dsa_distance";
}

std::vector<std::string> alignMatrixLabels(const std::vector<std::string>& files) {
  std::vector<std::string> stems;
  for (const auto& file : files) stems.push_back(std::filesystem::path(file).stem().string());
  std::vector<std::string> labels = stems;
  for (std::size_t i = 0; i < files.size(); ++i)
    if (std::count(stems.begin(), stems.end(), stems[i]) > 1)
      labels[i] = std::filesystem::path(files[i]).parent_path().filename().string() + "/" + stems[i];
  return labels;
}

nlohmann::json alignMatrixJson(const Eigen::MatrixXd& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index c = 0; c < m.cols(); ++c)
      row.push_back(std::isfinite(m(r, c)) ? nlohmann::json(m(r, c)) : nlohmann::json(nullptr));
    rows.push_back(row);
  }
  return rows;
}

AlignMatrixResult runAlignMatrix(const std::vector<AlignSideSpec>& specs, const AlignMatrixOptions& options,
                                 const Progress& progress, const AlignWarn& warn) {
  const std::optional<AlignMatrixStatistic> kind = alignMatrixStatistic(options.statistic);
  if (!kind) throw InputError("statistic '" + options.statistic + "': expected " + alignMatrixStatisticNames());
  const std::size_t n = specs.size();
  if (n < 3)
    throw InputError("--matrix needs three or more sides, got " + std::to_string(n) +
                     (n == 2 ? " (for two sides leave out --matrix)" : ""));
  AlignStudyOptions study = options.study;
  selectStatistics(options.statistic, &study.statistics);
  const AlignOptions& statistics = study.statistics;

  // Each side is read (and run through the model) once.
  std::vector<AlignSide> sides;
  double modelSeconds = 0.0;
  for (std::size_t s = 0; s < n; ++s) {
    AlignBinnedCache cache;
    const double from = 0.4 * static_cast<double>(s) / static_cast<double>(n);
    const double to = 0.4 * static_cast<double>(s + 1) / static_cast<double>(n);
    sides.push_back(
        readAlignSide("side " + std::to_string(s + 1), specs[s], study, progress.sub(from, to), warn, cache, true));
    modelSeconds += sides.back().modelSeconds;
  }
  std::string match = study.match;
  if (match.empty())
    match = std::all_of(sides.begin(), sides.end(), [](const AlignSide& side) { return side.hasTrials; }) ? "conditions"
                                                                                                          : "time";
  const auto started = std::chrono::steady_clock::now();
  // Each side's own work (PCA, held-out PCAs, DMD fits, and those of the nulls' rearrangements of it) is kept
  // per side and shared by every pair in which its matched rows are the same (core/alignment.h), up to 1 GiB in
  // all; past it, per pair as before.
  constexpr std::size_t kKeptBytes = std::size_t{1} << 30U;
  std::vector<std::unique_ptr<AlignSideCache>> caches;
  for (std::size_t s = 0; s < n; ++s) caches.push_back(std::make_unique<AlignSideCache>(kKeptBytes / n));
  // Every pair i < j (with its null) and every side against itself (no null), on all cores.
  std::vector<MatrixTask> tasks;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i; j < n; ++j) {
      MatrixTask task;
      task.i = i;
      task.j = j;
      tasks.push_back(task);
    }
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::atomic<bool> stop{false};
  const auto work = [&] {
    for (;;) {
      if (stop.load()) return;
      const std::size_t t = next++;
      if (t >= tasks.size()) return;
      MatrixTask& task = tasks[t];
      try {
        const AlignSide& a = sides[task.i];
        const AlignSide& b = sides[task.j];
        const MatchedRows matched = matchAlignSides(a, b, match, study);
        AlignOptions pairOptions = statistics;
        if (task.i == task.j) pairOptions.permutations = 0;
        AlignStatistics stats;
        try {
          stats = alignSides(matched, pairOptions, {}, caches[task.i].get(), caches[task.j].get());
        } catch (const InputError& error) {
          throw InputError(a.name + " vs " + b.name + ": " + error.what());
        }
        task.value = statisticValue(stats, options.statistic);
        task.mirrorValue = statisticValue(stats, kind->mirror);
        if (const auto found = stats.pValues.find(options.statistic); found != stats.pValues.end())
          task.p = found->second;
        if (const auto found = stats.pValues.find(kind->mirror); found != stats.pValues.end())
          task.mirrorP = found->second;
      } catch (...) {
        task.error = std::current_exception();
      }
      ++done;
    }
  };
  const std::size_t workers =
      std::max<std::size_t>(1, std::min<std::size_t>(tasks.size(), std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (std::size_t w = 0; w < workers; ++w) pool.emplace_back(work);
  std::exception_ptr cancelled;
  while (done.load() < tasks.size() && !stop.load()) {
    try {
      progress.report(0.4 + 0.6 * static_cast<double>(done.load()) / static_cast<double>(tasks.size()),
                      "alignment matrix");
    } catch (...) {  // Cancelled: no new pairs start; the running ones end before it is passed on
      cancelled = std::current_exception();
      stop = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (auto& thread : pool) thread.join();
  if (cancelled) std::rethrow_exception(cancelled);
  for (const auto& task : tasks)
    if (task.error) std::rethrow_exception(task.error);

  AlignMatrixResult result;
  for (const auto& spec : specs) result.files.push_back(spec.file);
  result.labels = alignMatrixLabels(result.files);
  result.statistic = options.statistic;
  result.largerIsMoreSimilar = kind->larger;
  result.match = match;
  const auto size = static_cast<Eigen::Index>(n);
  result.matrix = Eigen::MatrixXd(size, size);
  result.pValues = Eigen::MatrixXd::Constant(size, size, std::nan(""));
  for (const auto& task : tasks) {
    const auto i = static_cast<Eigen::Index>(task.i);
    const auto j = static_cast<Eigen::Index>(task.j);
    result.matrix(i, j) = task.value;
    if (i == j) continue;
    result.matrix(j, i) = task.mirrorValue;
    result.pValues(i, j) = task.p;
    result.pValues(j, i) = task.mirrorP;
  }
  // Average-linkage clustering on a distance: 1 - value for correlations and R2, the value for disparities and
  // distances; both directions averaged.
  Eigen::MatrixXd distance = kind->larger ? Eigen::MatrixXd(1.0 - result.matrix.array()) : result.matrix;
  distance = 0.5 * (distance + distance.transpose()).eval();
  result.order = averageLinkageOrder(distance);
  result.seconds = modelSeconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace neurolens::app
