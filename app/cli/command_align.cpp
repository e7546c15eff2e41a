// `align A B`: how similar two sides are (two animals, two models, a model and its
// recording) after matching their rows by time, condition or behaviour: CCA,
// held-out CCA, Procrustes disparity, linear consistency and Dynamical Similarity
// Analysis (DSA), each with its permutation null (../shared/spec/cli.md "align", core/alignment.h, docs/alignment.md).
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <memory>
#include <sstream>
#include <thread>

#include "cli_common.h"
#include "command_summaries.h"
#include "commands.h"
#ifdef NEUROLENS_HAVE_FIGURE
#include "figures/figure_application.h"
#include "neurolens/views/figure/matrix_heatmap.h"
#endif
#include "neurolens/app/align_study.h"
#include "neurolens/core/alignment.h"
#include "neurolens/core/device.h"
#include "neurolens/core/errors.h"
#include "neurolens/io/results_store.h"

namespace neurolens::cli {
namespace {

struct AlignCliOptions {
  CommonOptions common;
  BinningCliOptions binning;
  std::vector<std::string> files;
  std::string model;
  std::string modelB;
  std::string session;
  std::string sessionB;
  std::string match;
  std::string conditionColumn = "condition";
  std::size_t sectors = 8;
  std::size_t windowBins = 10;
  std::size_t dims = 0;
  std::string method;
  std::size_t permutations = 200;
  std::size_t folds = 5;
  std::size_t dsaDelays = 1;
  std::size_t dsaRank = 0;
  std::string dsaScore = "angular";
  bool matrix = false;
  std::string statistic;
  std::string figure;
  double smoothMs = 40.0;
  std::string out;
};

using Side = app::AlignSide;

// The study's options from the command line (align_study.h); the statistics from --method and DSA's options.
AlignOptions statisticsOptions(const AlignCliOptions& cli);

app::AlignStudyOptions studyOptions(const AlignCliOptions& cli, const std::string& match) {
  app::AlignStudyOptions options;
  options.binning = toBinningOptions(cli.binning);
  options.match = match;
  options.conditionColumn = cli.conditionColumn;
  options.sectors.sectors = cli.sectors;
  options.sectors.windowBins = cli.windowBins;
  options.smoothMs = cli.smoothMs;
  options.statistics = statisticsOptions(cli);
  options.device = parseDeviceChoice(cli.common.device);
  return options;
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, ','))
    if (!part.empty()) parts.push_back(part);
  return parts;
}

FloatArray matrixToArray(const Eigen::MatrixXd& matrix) {
  FloatArray array({static_cast<std::size_t>(matrix.rows()), static_cast<std::size_t>(matrix.cols())});
  for (Eigen::Index r = 0; r < matrix.rows(); ++r)
    for (Eigen::Index c = 0; c < matrix.cols(); ++c)
      array.values()[static_cast<std::size_t>(r * matrix.cols() + c)] = static_cast<float>(matrix(r, c));
  return array;
}

std::vector<double> rowVector(const Eigen::RowVectorXd& v) { return {v.data(), v.data() + v.size()}; }

// The statistics asked for by --method, and DSA's options.
AlignOptions statisticsOptions(const AlignCliOptions& cli) {
  AlignOptions options;
  if (!cli.method.empty()) {
    options.cca = options.procrustes = options.consistency = false;
    for (const auto& word : splitList(cli.method)) {
      if (word == "all") {
        options.cca = options.procrustes = options.consistency = options.dsa = true;
      } else if (word == "cca") {
        options.cca = true;
      } else if (word == "procrustes") {
        options.procrustes = true;
      } else if (word == "consistency") {
        options.consistency = true;
      } else if (word == "dsa") {
        options.dsa = true;
      } else {
        throw UsageError("--method '" + word + "': expected all, cca, procrustes, consistency or dsa");
      }
    }
  }
  if (cli.dsaScore != "angular" && cli.dsaScore != "wasserstein")
    throw UsageError("--dsa-score '" + cli.dsaScore + "': expected angular or wasserstein");
  options.dsaOptions.delays = cli.dsaDelays;
  options.dsaOptions.rank = cli.dsaRank;
  options.dsaOptions.score = cli.dsaScore == "angular" ? DsaScore::Angular : DsaScore::Wasserstein;
  options.dims = cli.dims;
  options.permutations = cli.permutations;
  options.folds = cli.folds;
  options.seed = cli.common.seed.value_or(0);
  return options;
}

void checkMatch(const std::string& match) {
  if (!match.empty() && match != "time" && match != "conditions" &&
      !(match.rfind("behavior:", 0) == 0 && match.size() > std::string("behavior:").size()))
    throw UsageError("--match '" + match + "': expected time, conditions or behavior:NAME");
}

// Sides A and B as the command line names them: one recording with --model-b means it on both sides;
// without --session-b, side B takes --session when it shares side A's model, else its own recording's session.
std::pair<app::AlignSideSpec, app::AlignSideSpec> alignSideSpecs(const AlignCliOptions& cli) {
  app::AlignSideSpec a{cli.files[0], cli.model, cli.session};
  app::AlignSideSpec b{cli.files.size() == 2 ? cli.files[1] : cli.files[0], cli.modelB.empty() ? cli.model : cli.modelB,
                       !cli.sessionB.empty() || !cli.modelB.empty() ? cli.sessionB : cli.session};
  return {a, b};
}

int runMatrixCommand(const AlignCliOptions& cli);

int runAlignCommand(const AlignCliOptions& cli) {
  if (cli.matrix) return runMatrixCommand(cli);
  Reporter reporter(cli.common);
  if (cli.files.size() == 1 && cli.modelB.empty())
    throw UsageError("align needs two sides: A B, or one recording with --model and --model-b");
  if (cli.files.size() > 2)
    throw UsageError("align takes at most two files (A and B); for three or more sides use --matrix");
  if (!cli.statistic.empty()) throw UsageError("--statistic applies to --matrix");
  if (!cli.figure.empty()) throw UsageError("--figure applies to --matrix (for two sides: figure --view align)");
  AlignOptions options = statisticsOptions(cli);
  std::string match = cli.match;
  checkMatch(match);

  // Opened first so a bad --out is reported before any work; it appears only on success.
  std::unique_ptr<io::ResultsWriter> writer;
  if (!cli.out.empty()) writer = std::make_unique<io::ResultsWriter>(cli.out);

  const Progress progress = reporter.progress();
  const std::string fileA = cli.files[0];
  const std::string fileB = cli.files.size() == 2 ? cli.files[1] : cli.files[0];
  const auto [specA, specB] = alignSideSpecs(cli);
  const app::AlignStudyOptions study = studyOptions(cli, match);
  const app::AlignStudyResult result =
      app::runAlignStudy(specA, specB, study, progress, [&reporter](const std::string& note) { reporter.warn(note); });
  reporter.finishProgress();
  match = result.match;
  const MatchedRows& matched = result.matched;
  const AlignStatistics& stats = result.stats;
  const Side& a = result.a;
  const Side& b = result.b;

  if (writer) {
    if (options.cca) {
      writer->writeDoubles("/canonical_correlations", stats.canonicalCorrelations);
      writer->writeDoubles("/cca_heldout", stats.ccaHeldout);
      writer->writeArray("/transform_a", matrixToArray(stats.transformA));
      writer->writeAttribute("/transform_a", "axes",
                             "features of A, K: (A - /mean_a) @ /transform_a = canonical variates of A");
      writer->writeArray("/transform_b", matrixToArray(stats.transformB));
      writer->writeAttribute("/transform_b", "axes",
                             "features of B, K: (B - /mean_b) @ /transform_b = canonical variates of B");
      writer->writeDoubles("/mean_a", rowVector(stats.meanA));
      writer->writeDoubles("/mean_b", rowVector(stats.meanB));
      writer->writeArray("/aligned_a", matrixToArray(stats.alignedA));
      writer->writeAttribute("/aligned_a", "axes", "matched rows, K (canonical variates, unit variance)");
      writer->writeArray("/aligned_b", matrixToArray(stats.alignedB));
      writer->writeAttribute("/aligned_b", "axes", "matched rows, K (canonical variates, unit variance)");
    }
    if (!matched.labels.empty()) writer->writeStrings("/conditions", matched.labels);
    if (options.dsa) {
      writer->writeAttribute("/", "dsa_distance", stats.dsaDistance);
      writer->writeAttribute("/", "dsa_score", cli.dsaScore);
    }
    for (const auto& [name, values] : stats.nullValues) writer->writeDoubles("/null/" + name, values);
    writer->writeAttribute("/", "command", "align");
    writer->writeAttribute("/", "source_a", fileA);
    writer->writeAttribute("/", "source_b", fileB);
    writer->writeAttribute("/", "features_a", a.features);
    writer->writeAttribute("/", "features_b", b.features);
    writer->writeAttribute("/", "match", match);
    writer->writeAttribute("/", "dims", static_cast<double>(stats.dims));
    writer->writeAttribute("/", "rows", static_cast<double>(stats.rows));
    writer->commit();
  }

  const nlohmann::json json = app::alignStudyJson(result, study, cli.dsaScore);

  std::ostringstream line;
  line << fileA << " vs " << fileB << " (" << match << ", " << stats.rows << " rows, " << stats.dims << " dims)";
  const auto pText = [&](const std::string& name) {
    const auto found = stats.pValues.find(name);
    return found == stats.pValues.end() ? std::string() : " (p " + std::to_string(found->second) + ")";
  };
  if (options.cca)
    line << ": CCA mean " << stats.ccaMean << pText("cca_mean") << ", held-out " << stats.ccaHeldoutMean
         << pText("cca_heldout_mean");
  if (options.procrustes)
    line << "; Procrustes disparity " << stats.procrustesDisparity << pText("procrustes_disparity");
  if (options.consistency)
    line << "; consistency R2 A->B " << stats.consistencyAToB << pText("consistency_r2_a_to_b") << ", B->A "
         << stats.consistencyBToA << pText("consistency_r2_b_to_a");
  if (options.dsa) line << "; DSA " << cli.dsaScore << " distance " << stats.dsaDistance << pText("dsa_distance");
  if (stats.permutationsRun > 0) line << "; p_min " << stats.pMin;
  reporter.result(json, line.str(), cli.out);
  return kSuccess;
}

// --matrix: the statistics each name needs, whether larger means more similar, and its mirror (the same
// statistic with the sides' roles swapped).
struct MatrixStatistic {
  bool larger = true;
  std::string mirror;
};

MatrixStatistic matrixStatistic(const std::string& name, AlignOptions* options) {
  options->cca = options->procrustes = options->consistency = options->dsa = false;
  if (name == "cca_mean" || name == "cca_heldout_mean") {
    options->cca = true;
    return {true, name};
  }
  if (name == "procrustes_disparity") {
    options->procrustes = true;
    return {false, name};
  }
  if (name == "consistency_r2_a_to_b" || name == "consistency_r2_b_to_a") {
    options->consistency = true;
    return {true, name == "consistency_r2_a_to_b" ? "consistency_r2_b_to_a" : "consistency_r2_a_to_b"};
  }
  if (name == "dsa_distance") {
    options->dsa = true;
    return {false, name};
  }
  throw UsageError("--statistic '" + name +
                   "': expected cca_mean, cca_heldout_mean, procrustes_disparity, consistency_r2_a_to_b, "
                   "consistency_r2_b_to_a or dsa_distance");
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

nlohmann::json matrixJson(const Eigen::MatrixXd& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index c = 0; c < m.cols(); ++c)
      row.push_back(std::isfinite(m(r, c)) ? nlohmann::json(m(r, c)) : nlohmann::json(nullptr));
    rows.push_back(row);
  }
  return rows;
}

// The sides' file stems; where two stems are the same, their parent folders too (d1/demo, d2/demo).
std::vector<std::string> sideLabels(const std::vector<std::string>& files) {
  std::vector<std::string> stems;
  for (const auto& file : files) stems.push_back(std::filesystem::path(file).stem().string());
  std::vector<std::string> labels = stems;
  for (std::size_t i = 0; i < files.size(); ++i)
    if (std::count(stems.begin(), stems.end(), stems[i]) > 1)
      labels[i] = std::filesystem::path(files[i]).parent_path().filename().string() + "/" + stems[i];
  return labels;
}

// --figure: refused before any work when this build cannot draw or the extension is not a figure format.
void checkMatrixFigurePath(const std::string& path) {
  if (path.empty()) return;
#ifdef NEUROLENS_HAVE_FIGURE
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension != ".png" && extension != ".svg" && extension != ".pdf")
    throw InputError("--figure " + path + ": unknown figure format (use .png, .svg or .pdf)");
#else
  throw UsageError("--figure: this build has no figure support (built without the GUI layer)");
#endif
}

int runMatrixCommand(const AlignCliOptions& cli) {
  Reporter reporter(cli.common);
  if (!cli.modelB.empty())
    throw UsageError("--model-b does not apply to --matrix: --model applies to every recording side");
  if (!cli.sessionB.empty())
    throw UsageError("--session-b does not apply to --matrix: --session applies to every recording side");
  const std::string statistic = cli.statistic.empty() ? "cca_heldout_mean" : cli.statistic;
  AlignOptions options = statisticsOptions(cli);
  const MatrixStatistic kind = matrixStatistic(statistic, &options);
  std::string match = cli.match;
  checkMatch(match);
  const std::size_t n = cli.files.size();
  if (n < 3)
    throw InputError("--matrix needs three or more sides, got " + std::to_string(n) +
                     (n == 2 ? " (for two sides leave out --matrix)" : ""));
  checkMatrixFigurePath(cli.figure);
  std::unique_ptr<io::ResultsWriter> writer;
  if (!cli.out.empty()) writer = std::make_unique<io::ResultsWriter>(cli.out);

  // Each side is read (and run through the model) once.
  const Progress progress = reporter.progress();
  const app::AlignStudyOptions study = studyOptions(cli, match);
  const app::AlignWarn warn = [&reporter](const std::string& note) { reporter.warn(note); };
  std::vector<Side> sides;
  double modelSeconds = 0.0;
  for (std::size_t s = 0; s < n; ++s) {
    app::AlignBinnedCache cache;
    const double from = 0.4 * static_cast<double>(s) / static_cast<double>(n);
    const double to = 0.4 * static_cast<double>(s + 1) / static_cast<double>(n);
    sides.push_back(app::readAlignSide("side " + std::to_string(s + 1), {cli.files[s], cli.model, cli.session}, study,
                                       progress.sub(from, to), warn, cache, true));
    modelSeconds += sides.back().modelSeconds;
  }
  if (match.empty())
    match = std::all_of(sides.begin(), sides.end(), [](const Side& side) { return side.hasTrials; }) ? "conditions"
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
  const auto work = [&] {
    for (;;) {
      const std::size_t t = next++;
      if (t >= tasks.size()) return;
      MatrixTask& task = tasks[t];
      try {
        const Side& a = sides[task.i];
        const Side& b = sides[task.j];
        const MatchedRows matched = app::matchAlignSides(a, b, match, study);
        AlignOptions pairOptions = options;
        if (task.i == task.j) pairOptions.permutations = 0;
        AlignStatistics stats;
        try {
          stats = alignSides(matched, pairOptions, {}, caches[task.i].get(), caches[task.j].get());
        } catch (const InputError& error) {
          throw InputError(a.name + " vs " + b.name + ": " + error.what());
        }
        task.value = statisticValue(stats, statistic);
        task.mirrorValue = statisticValue(stats, kind.mirror);
        if (const auto found = stats.pValues.find(statistic); found != stats.pValues.end()) task.p = found->second;
        if (const auto found = stats.pValues.find(kind.mirror); found != stats.pValues.end())
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
  while (done.load() < tasks.size()) {
    progress.report(0.4 + 0.6 * static_cast<double>(done.load()) / static_cast<double>(tasks.size()),
                    "alignment matrix");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (auto& thread : pool) thread.join();
  for (const auto& task : tasks)
    if (task.error) std::rethrow_exception(task.error);
  reporter.finishProgress();

  const auto size = static_cast<Eigen::Index>(n);
  Eigen::MatrixXd matrix(size, size);
  Eigen::MatrixXd pValues = Eigen::MatrixXd::Constant(size, size, std::nan(""));
  for (const auto& task : tasks) {
    const auto i = static_cast<Eigen::Index>(task.i);
    const auto j = static_cast<Eigen::Index>(task.j);
    matrix(i, j) = task.value;
    if (i == j) continue;
    matrix(j, i) = task.mirrorValue;
    pValues(i, j) = task.p;
    pValues(j, i) = task.mirrorP;
  }
  // Average-linkage clustering on a distance: 1 - value for correlations and R2, the value for disparities and
  // distances; both directions averaged.
  Eigen::MatrixXd distance = kind.larger ? Eigen::MatrixXd(1.0 - matrix.array()) : matrix;
  distance = 0.5 * (distance + distance.transpose()).eval();
  const std::vector<std::size_t> order = averageLinkageOrder(distance);
  const double seconds =
      modelSeconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const nlohmann::json sideList = cli.files;
  if (writer) {
    writer->writeArray("/matrix", matrixToArray(matrix));
    writer->writeAttribute("/matrix", "axes", "side i (row) against side j (column): " + statistic);
    writer->writeArray("/p_values", matrixToArray(pValues));
    std::vector<std::int64_t> orderValues(order.begin(), order.end());
    writer->writeInt64s("/order", orderValues);
    writer->writeStrings("/sides", cli.files);
    writer->writeAttribute("/", "command", "align --matrix");
    writer->writeAttribute("/", "sides", sideList.dump());
    writer->writeAttribute("/", "statistic", statistic);
    writer->writeAttribute("/", "match", match);
    writer->commit();
  }
  if (!cli.figure.empty()) {
#ifdef NEUROLENS_HAVE_FIGURE
    views::figure::MatrixHeatmapInput figure;
    figure.labels = sideLabels(cli.files);
    for (Eigen::Index i = 0; i < size; ++i)
      for (Eigen::Index j = 0; j < size; ++j) {
        figure.values.push_back(matrix(i, j));
        figure.pValues.push_back(pValues(i, j));
      }
    figure.order = order;
    figure.statistic = statistic;
    figure.largerIsMoreSimilar = kind.larger;
    const auto application = ensureGuiApplication();  // fonts and painting need one; none needs a display
    views::figure::writeMatrixHeatmap(figure, cli.figure, views::figure::defaultFigureStyle());
#endif
  }
  nlohmann::json json{{"sides", sideList},
                      {"statistic", statistic},
                      {"match", match},
                      {"matrix", matrixJson(matrix)},
                      {"p_values", matrixJson(pValues)},
                      {"order", order},
                      {"seconds", seconds}};
  if (options.dsa) json["dsa"] = {{"score", cli.dsaScore}, {"delays", cli.dsaDelays}};
  std::ostringstream line;
  line << n << " sides, " << statistic << " (" << match << "), clustered order";
  for (const std::size_t index : order) line << " " << std::filesystem::path(cli.files[index]).stem().string();
  if (!cli.figure.empty()) json["figure"] = cli.figure;
  reporter.result(json, line.str(), cli.out);
  return kSuccess;
}

}  // namespace

void addAlignCommand(CLI::App& root, CommandList& commands) {
  auto options = std::make_shared<AlignCliOptions>();
  auto* command = root.add_subcommand(kAlignSummary.name, kAlignSummary.help);
  addCommonOptions(*command, options->common);
  addBinningOptions(*command, options->binning);
  command
      ->add_option("FILES", options->files,
                   "Two sides, each a recording (NWB, DataHigh MAT) or an infer results file (/latents); "
                   "one recording with --model-b; three or more with --matrix")
      ->required();
  command->add_option("--model", options->model, "TorchScript model for side A (and side B without --model-b)");
  command->add_option("--model-b", options->modelB, "TorchScript model for side B");
  addSessionOption(*command, options->session);
  addSessionOption(*command, options->sessionB, "--session-b");
  command->add_flag("--matrix", options->matrix,
                    "Every pair of three or more sides: the matrix of one statistic, its p-values and a clustered "
                    "order");
  command->add_option("--statistic", options->statistic,
                      "--matrix: the statistic in the matrix (default cca_heldout_mean; procrustes_disparity, "
                      "dsa_distance, ...)");
  command->add_option("--figure", options->figure,
                      "--matrix: draw the matrix as a heatmap in the clustered order (PNG, SVG or PDF by extension)");
  command->add_option("--match", options->match,
                      "time, conditions or behavior:NAME (default: conditions when both sides have trials, else time)");
  command->add_option("--condition-column", options->conditionColumn,
                      "Trial column holding the condition labels (default condition)");
  command->add_option("--sectors", options->sectors, "behavior:NAME: direction sectors (default 8)")
      ->check(CLI::Range(2, 360));
  command->add_option("--window-bins", options->windowBins, "behavior:NAME: bins after each sector entry (default 10)")
      ->check(CLI::Range(1, 100000));
  command->add_option("--dims", options->dims, "K principal components per side (default min(10, dims of either))")
      ->check(CLI::Range(1, 100000));
  command->add_option(
      "--method", options->method,
      "all, cca, procrustes, consistency, dsa, comma-separated (default: cca,procrustes,consistency; all adds dsa)");
  command->add_option(
      "--permutations", options->permutations,
      "Null permutations of side B's condition labels (time: circular shifts; DSA: B's bins in time; default 200)");
  command
      ->add_option("--dsa-delays", options->dsaDelays,
                   "DSA: delays of the delay embedding, never across a trajectory (default 1, dsa-metric's DMD)")
      ->check(CLI::Range(1, 10000));
  command
      ->add_option("--dsa-rank", options->dsaRank,
                   "DSA: rank of the DMD (default: all of the embedding's dimensions, dsa-metric's DMD)")
      ->check(CLI::Range(1, 100000));
  command->add_option("--dsa-score", options->dsaScore,
                      "DSA: angular (default: the angle after the best orthogonal map) or wasserstein (the "
                      "distance between the two DMD spectra)");
  command->add_option("--folds", options->folds, "consistency: contiguous folds, outer and inner (default 5)")
      ->check(CLI::Range(2, 1000));
  command
      ->add_option("--smooth-ms", options->smoothMs,
                   "Gaussian sd in ms for a recording side without a model (default 40)")
      ->check(CLI::NonNegativeNumber);
  command->add_option(
      "--out", options->out,
      "HDF5 results file (/canonical_correlations, /transform_a, /transform_b, /aligned_a, /aligned_b)");
  commands.push_back({command, [options] { return runAlignCommand(*options); }});
}

}  // namespace neurolens::cli
