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
#include "model_cli.h"
#ifdef NEUROLENS_HAVE_FIGURE
#include "figures/figure_application.h"
#include "neurolens/views/figure/matrix_heatmap.h"
#endif
#include "neurolens/app/align_matrix.h"
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
  // The models' bin sizes from their metadata alone: the study loads them once it has binned the recordings.
  std::vector<DeclaredBinMs> declared = declaredBinMsOfFile(cli.model, "--model");
  for (auto& modelB : declaredBinMsOfFile(cli.modelB, "--model-b")) declared.push_back(std::move(modelB));
  options.binning = toBinningOptions(cli.binning, declared);
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
  app::AlignMatrixOptions matrixOptions;
  matrixOptions.study = studyOptions(cli, cli.match);  // --method, DSA's and the device's usage errors first
  matrixOptions.statistic = cli.statistic.empty() ? "cca_heldout_mean" : cli.statistic;
  const std::string& statistic = matrixOptions.statistic;
  if (!app::alignMatrixStatistic(statistic))
    throw UsageError("--statistic '" + statistic + "': expected " + app::alignMatrixStatisticNames());
  checkMatch(cli.match);
  const std::size_t n = cli.files.size();
  if (n < 3)
    throw InputError("--matrix needs three or more sides, got " + std::to_string(n) +
                     (n == 2 ? " (for two sides leave out --matrix)" : ""));
  checkMatrixFigurePath(cli.figure);
  std::unique_ptr<io::ResultsWriter> writer;
  if (!cli.out.empty()) writer = std::make_unique<io::ResultsWriter>(cli.out);

  // The study (neurolens/app/align_matrix.h, shared with the GUI's Compare > Matrix): each side read once.
  std::vector<app::AlignSideSpec> specs;
  for (const auto& file : cli.files) specs.push_back({file, cli.model, cli.session});
  const app::AlignMatrixResult result = app::runAlignMatrix(
      specs, matrixOptions, reporter.progress(), [&reporter](const std::string& note) { reporter.warn(note); });
  reporter.finishProgress();
  const Eigen::MatrixXd& matrix = result.matrix;
  const Eigen::MatrixXd& pValues = result.pValues;
  const std::vector<std::size_t>& order = result.order;
  const std::string& match = result.match;
  const double seconds = result.seconds;

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
    figure.labels = result.labels;
    const auto size = static_cast<Eigen::Index>(n);
    for (Eigen::Index i = 0; i < size; ++i)
      for (Eigen::Index j = 0; j < size; ++j) {
        figure.values.push_back(matrix(i, j));
        figure.pValues.push_back(pValues(i, j));
      }
    figure.order = order;
    figure.statistic = statistic;
    figure.largerIsMoreSimilar = result.largerIsMoreSimilar;
    const auto application = ensureGuiApplication();  // fonts and painting need one; none needs a display
    views::figure::writeMatrixHeatmap(figure, cli.figure, views::figure::defaultFigureStyle());
#endif
  }
  nlohmann::json json{{"sides", sideList},
                      {"statistic", statistic},
                      {"match", match},
                      {"matrix", app::alignMatrixJson(matrix)},
                      {"p_values", app::alignMatrixJson(pValues)},
                      {"order", order},
                      {"seconds", seconds}};
  if (statistic == "dsa_distance") json["dsa"] = {{"score", cli.dsaScore}, {"delays", cli.dsaDelays}};
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
