// `probe FILE`: how well a behavioural or trial variable can be read out linearly
// from counts, rates or latents (cross-validated ridge / multinomial logistic
// regression, ../shared/spec/cli.md "probe", docs/probes.md).
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <sstream>

#include "cli_common.h"
#include "command_summaries.h"
#include "commands.h"
#include "model_cli.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/model.h"
#include "neurolens/core/probe.h"
#include "neurolens/io/recording_reader.h"
#include "neurolens/io/results_store.h"

namespace neurolens::cli {
namespace {

struct ProbeCliOptions {
  CommonOptions common;
  BinningCliOptions binning;
  std::string file;
  std::string out;
  std::string model;
  std::string session;
  std::string features = "counts";
  std::string target;
  double lagMs = 0.0;
  std::size_t folds = 5;
  std::string rows = "bins";
  std::vector<double> alphas;
  std::size_t permutations = 0;
};

FloatArray matrixToArray(const Eigen::MatrixXd& matrix) {
  FloatArray array({static_cast<std::size_t>(matrix.rows()), static_cast<std::size_t>(matrix.cols())});
  for (Eigen::Index r = 0; r < matrix.rows(); ++r)
    for (Eigen::Index c = 0; c < matrix.cols(); ++c)
      array.values()[static_cast<std::size_t>(r * matrix.cols() + c)] = static_cast<float>(matrix(r, c));
  return array;
}

int runProbeCommand(ProbeCliOptions cli) {
  Reporter reporter(cli.common);
  const auto started = std::chrono::steady_clock::now();
  if (cli.features != "counts" && cli.model.empty())
    throw InputError("--features " + cli.features + " needs --model (the model gives latents and rates)");
  // A behavioural target must be binned alongside the counts.
  const std::string behaviorPrefix = "behavior:";
  if (cli.target.rfind(behaviorPrefix, 0) == 0) {
    const std::string name = cli.target.substr(behaviorPrefix.size());
    if (std::find(cli.binning.behavior.begin(), cli.binning.behavior.end(), name) == cli.binning.behavior.end())
      cli.binning.behavior.push_back(name);
  }
  std::unique_ptr<io::ResultsWriter> writer;
  if (!cli.out.empty()) writer = std::make_unique<io::ResultsWriter>(cli.out);

  const Progress progress = reporter.progress();
  std::optional<Model> model;
  if (!cli.model.empty()) model = Model::load(cli.model);
  std::vector<DeclaredBinMs> declared;
  if (model) declared.push_back(declaredBinMs(*model));
  const BinnedRecording binned =
      readBinnedRecording(cli.file, toBinningOptions(cli.binning, declared), progress.sub(0.0, 0.1));
  if (binned.trialCount() == 0 || binned.binCount() == 0 || binned.unitCount() == 0)
    throw InputError("recording '" + cli.file + "' gives no counts to probe");
  if (model) model = bindModel(*model, binned, cli.session);
  const ProbeTarget target = probeTargetFromSpec(binned, cli.target);

  FloatArray features;
  if (cli.features == "counts") {
    features = binned.counts;
  } else {
    model->checkAgainst(binned);
    RunReport run;
    ModelOutputs outputs =
        model->infer(binned.counts, parseDeviceChoice(cli.common.device), progress.sub(0.1, 0.4), &run);
    for (const auto& note : run.notes) reporter.warn(note);
    if (cli.features == "latents") {
      features = std::move(outputs.latents);
    } else {
      if (!outputs.rates)
        throw InputError("model '" + cli.model + "' gives no rates: use --features latents or counts");
      features = std::move(*outputs.rates);
    }
  }

  ProbeOptions options;
  options.folds = cli.folds;
  options.rows = parseProbeRowsKind(cli.rows);
  if (!cli.alphas.empty()) options.alphas = cli.alphas;
  options.binMs = binned.binMs;
  options.lagMs = cli.lagMs;
  options.permutations = cli.permutations;
  options.seed = cli.common.seed.value_or(0);
  const ProbeResult result = runProbe(features, target, options, progress.sub(0.4, 1.0));
  reporter.finishProgress();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (writer) {
    writer->writeArray("/predictions", result.predictions);
    writer->writeAttribute(
        "/predictions", "axes",
        std::string(result.rowsKind == ProbeRowsKind::Trials ? "trials, 1 (one row per trial), " : "trials, bins, ") +
            (result.categorical ? "1 (predicted class index into /classes; NaN: no row)"
                                : "target dims (out-of-fold; NaN: no row after the lag)"));
    writer->writeDoubles("/alpha_per_fold", result.alphaPerFold);
    if (result.categorical) {
      writer->writeStrings("/classes", result.classes);
      writer->writeDoubles("/accuracy", {result.accuracy});
      writer->writeDoubles("/chance", {result.chance});
    } else {
      writer->writeDoubles("/r2_per_dim", result.r2PerDim);
      writer->writeArray("/weights", matrixToArray(result.weights));
      writer->writeAttribute("/weights", "axes", "features, target dims (refit on all rows with the chosen alpha)");
      writer->writeDoubles("/intercept", std::vector<double>(result.intercept.data(),
                                                             result.intercept.data() + result.intercept.size()));
    }
    if (!result.nullScores.empty()) writer->writeDoubles("/null_scores", result.nullScores);
    writer->writeInt64s("/trial_ids", binned.trialIds);
    writer->writeAttribute("/", "command", "probe");
    writer->writeAttribute("/", "source", cli.file);
    writer->writeAttribute("/", "features", cli.features);
    writer->writeAttribute("/", "target", cli.target);
    writer->writeAttribute("/", "lag_ms", cli.lagMs);
    writer->writeAttribute("/", "bin_ms", binned.binMs);
    writer->writeAttribute("/", "folds", static_cast<double>(cli.folds));
    writer->writeAttribute("/", "folds_kind", foldsKindName(result.foldsKind));
    writer->writeAttribute("/", "rows_kind", probeRowsKindName(result.rowsKind));
    if (!cli.model.empty()) writer->writeAttribute("/", "model", cli.model);
    writer->commit();
  }

  nlohmann::json json{{"target", cli.target},
                      {"features", cli.features},
                      {"rows", result.rows},
                      {"folds", cli.folds},
                      {"folds_kind", foldsKindName(result.foldsKind)},
                      {"rows_kind", probeRowsKindName(result.rowsKind)},
                      {"lag_ms", cli.lagMs},
                      {"bin_ms", binned.binMs},
                      {"alpha", result.alpha},
                      {"alpha_per_fold", result.alphaPerFold},
                      {"seconds", seconds}};
  if (result.categorical) {
    json["accuracy"] = result.accuracy;
    json["chance"] = result.chance;
    json["chance_rule"] = "majority class";
    json["classes"] = result.classes;
  } else {
    json["r2"] = result.r2;
    json["r2_per_dim"] = result.r2PerDim;
  }
  // Bins outside the behavioural series' time span are NaN and left out of the fit (cli.md, binning).
  if (cli.target.rfind("behavior:", 0) == 0)
    json["behavior_rows_dropped"] = behaviorRowsMissing(binned.behavior.at(cli.target.substr(9)));
  if (cli.permutations > 0) {
    json["permutations"] = cli.permutations;
    json["p_value"] = result.pValue;
  }
  std::ostringstream line;
  line << cli.file << ": " << cli.target << " from " << cli.features << " (" << result.rows
       << (result.rowsKind == ProbeRowsKind::Trials ? " trial rows, " : " rows, ") << cli.folds << ' '
       << foldsKindName(result.foldsKind) << " folds over "
       << (result.foldsKind == FoldsKind::Stratified || binned.trialCount() > 1 ? "trials" : "bins") << "): ";
  if (result.categorical)
    line << "accuracy " << result.accuracy << " (chance " << result.chance << ")";
  else
    line << "R2 " << result.r2;
  line << ", alpha " << result.alpha;
  if (cli.permutations > 0) line << ", p " << result.pValue;
  reporter.result(json, line.str(), cli.out);
  return kSuccess;
}

}  // namespace

void addProbeCommand(CLI::App& root, CommandList& commands) {
  auto options = std::make_shared<ProbeCliOptions>();
  auto* command = root.add_subcommand(kProbeSummary.name, kProbeSummary.help);
  addCommonOptions(*command, options->common);
  addBinningOptions(*command, options->binning);
  command->add_option("FILE", options->file, "NWB recording")->required();
  command
      ->add_option("--target", options->target,
                   "behavior:NAME (a series under /processing/behavior) or trials:COLUMN (numeric -> ridge, "
                   "text -> logistic)")
      ->required();
  command->add_option("--features", options->features, "counts, latents or rates (latents/rates need --model)")
      ->check(CLI::IsMember({"counts", "latents", "rates"}));
  command->add_option("--model", options->model, "TorchScript model file (for --features latents|rates)");
  addSessionOption(*command, options->session);
  command->add_option("--lag-ms", options->lagMs, "Take the target this many ms after the features (whole bins)");
  command
      ->add_option("--rows", options->rows,
                   "bins: one row per (trial, bin) (default); trials: one row per trial, its features averaged over "
                   "the window")
      ->check(CLI::IsMember({"bins", "trials"}));
  command
      ->add_option("--folds", options->folds,
                   "Cross-validation folds, outer and inner (default 5): contiguous for a numeric target, "
                   "stratified over whole trials for a categorical one (as scikit-learn's StratifiedKFold)")
      ->check(CLI::Range(2, 1000));
  command
      ->add_option("--alphas", options->alphas,
                   "Penalties to choose from, comma-separated (default logspace(-4, 4, 17))")
      ->delimiter(',');
  command->add_option(
      "--permutations", options->permutations,
      "Permutation null: shuffles of the target between whole trials (in blocks of bins for a continuous "
      "recording), the folds drawn the same way (default 0: none)");
  command->add_option("--out", options->out, "HDF5 results file (/predictions, /r2_per_dim, /weights, ...)");
  commands.push_back({command, [options] { return runProbeCommand(*options); }});
}

}  // namespace neurolens::cli
