// `link --model M FILE --unit-column COL`: which unit types drive which latents.
// Attributions are streamed chunk by chunk into per-unit profiles (never held
// whole), then the link math of core/link.h: association with permutation
// p-values, and sign- and basis-free type prediction (docs/probes.md). With --profile embedding the model's own
// unit embeddings (model-contract.md) are the profiles, and no attribution is run.
#include <chrono>
#include <memory>
#include <optional>
#include <sstream>

#include "cli_common.h"
#include "command_summaries.h"
#include "commands.h"
#include "model_cli.h"
#include "neurolens/core/attribution.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/link.h"
#include "neurolens/core/model.h"
#include "neurolens/io/recording_reader.h"
#include "neurolens/io/results_store.h"

namespace neurolens::cli {
namespace {

struct LinkCliOptions {
  CommonOptions common;
  BinningCliOptions binning;
  std::string file;
  std::string out;
  std::string model;
  std::string session;
  std::string unitColumn;
  std::string profile = "signed";
  std::size_t permutations = 1000;
  std::size_t folds = 5;
  std::string method = "integrated_gradients";
  int steps = 50;
};

FloatArray matrixToArray(const Eigen::MatrixXd& matrix) {
  FloatArray array({static_cast<std::size_t>(matrix.rows()), static_cast<std::size_t>(matrix.cols())});
  for (Eigen::Index r = 0; r < matrix.rows(); ++r)
    for (Eigen::Index c = 0; c < matrix.cols(); ++c)
      array.values()[static_cast<std::size_t>(r * matrix.cols() + c)] = static_cast<float>(matrix(r, c));
  return array;
}

// The unit column as one text label per kept unit (numbers written plainly: 1, 2.5).
std::vector<std::string> unitTypes(const BinnedRecording& binned, const std::string& column, const std::string& file) {
  const Column* found = binned.units.find(column);
  if (found == nullptr) {
    std::string known;
    for (const auto& name : binned.units.columnNames()) known += (known.empty() ? "" : ", ") + name;
    throw InputError(file + ": the units table has no column '" + column +
                     "' (columns: " + (known.empty() ? "none" : known) + ")");
  }
  if (found->isRagged()) throw InputError(file + ": unit column '" + column + "' holds several values per unit");
  std::vector<std::string> labels;
  for (std::size_t u = 0; u < binned.unitCount(); ++u) labels.push_back(found->cellText(u));
  return labels;
}

// --profile embedding: the model's own unit embeddings [units, d] as the raw profiles (runLink normalises each
// unit's row like the attribution profiles); their magnitudes stand in for the attribution mass.
struct RawProfiles {
  Eigen::MatrixXd profiles;
  Eigen::MatrixXd mass;
};

RawProfiles embeddingProfiles(const Model& model, const BinnedRecording& binned) {
  const std::optional<FloatArray> embeddings = model.unitEmbeddings(static_cast<std::int64_t>(binned.unitCount()));
  if (!embeddings)
    throw InputError(
        "model '" + model.file().string() +
        "' has no unit embeddings (neither a unit_embeddings(session) method nor a \"unit_embeddings\" "
        "output key, see the model contract): --profile embedding needs them; use --profile signed or abs");
  RawProfiles raw;
  raw.profiles.resize(static_cast<Eigen::Index>(embeddings->dim(0)), static_cast<Eigen::Index>(embeddings->dim(1)));
  for (Eigen::Index u = 0; u < raw.profiles.rows(); ++u)
    for (Eigen::Index d = 0; d < raw.profiles.cols(); ++d)
      raw.profiles(u, d) = embeddings->values()[static_cast<std::size_t>(u * raw.profiles.cols() + d)];
  raw.mass = raw.profiles.cwiseAbs();
  return raw;
}

int runLinkCommand(const LinkCliOptions& cli) {
  Reporter reporter(cli.common);
  const auto started = std::chrono::steady_clock::now();
  const bool fromEmbeddings = cli.profile == "embedding";
  const ProfileKind kind = fromEmbeddings ? ProfileKind::Signed : parseProfileKind(cli.profile);
  std::unique_ptr<io::ResultsWriter> writer;
  if (!cli.out.empty()) writer = std::make_unique<io::ResultsWriter>(cli.out);

  const Progress progress = reporter.progress();
  Model model = Model::load(cli.model);
  const BinnedRecording binned =
      readBinnedRecording(cli.file, toBinningOptions(cli.binning, {declaredBinMs(model)}), progress.sub(0.0, 0.1));
  if (binned.trialCount() == 0 || binned.binCount() == 0 || binned.unitCount() == 0)
    throw InputError("recording '" + cli.file + "' gives no counts to link");
  model = bindModel(model, binned, cli.session);
  model.checkAgainst(binned);
  const std::vector<std::string> types = unitTypes(binned, cli.unitColumn, cli.file);

  AttributionOptions attribution;
  attribution.method = parseAttributionMethod(cli.method);
  attribution.steps = cli.steps;
  attribution.device = parseDeviceChoice(cli.common.device);
  attribution.seed = cli.common.seed.value_or(0);
  RawProfiles raw;
  if (fromEmbeddings) {
    raw = embeddingProfiles(model, binned);
  } else {
    ProfileAccumulator accumulator(kind);
    const AttributionSummary summary = attribute(
        model, binned.counts, attribution, [&](const AttributionChunk& chunk) { accumulator.add(chunk.attributions); },
        progress.sub(0.1, 0.9));
    for (const auto& note : summary.run.notes) reporter.warn(note);
    raw.profiles = accumulator.profiles();
    raw.mass = accumulator.mass();
  }

  LinkOptions options;
  options.permutations = cli.permutations;
  options.folds = cli.folds;
  options.seed = cli.common.seed.value_or(0);
  const LinkResult result = runLink(raw.profiles, raw.mass, types, options, progress.sub(0.9, 1.0));
  reporter.finishProgress();
  if (result.silentUnits > 0)
    reporter.warn(std::to_string(result.silentUnits) + " units have an all-zero " +
                  (fromEmbeddings ? "unit embedding" : "attribution profile") + " (kept as zeros)");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (writer) {
    writer->writeArray("/profiles", matrixToArray(result.profiles));
    writer->writeAttribute(
        "/profiles", "axes",
        fromEmbeddings ? "units, embedding dimensions (unit norm per unit)" : "units, latents (unit norm per unit)");
    writer->writeArray("/association", matrixToArray(result.association));
    writer->writeAttribute("/association", "axes", "types (see /types), latents");
    writer->writeArray("/p_values", matrixToArray(result.pValues));
    writer->writeAttribute("/p_values", "axes", "types, latents");
    writer->writeArray("/principal_directions", matrixToArray(result.principalDirections));
    writer->writeArray("/attribution_share", matrixToArray(result.attributionShare));
    writer->writeAttribute("/attribution_share", "meaning",
                           fromEmbeddings ? "fraction of the summed |unit embedding| per dimension"
                                          : "fraction of the summed |attribution| per latent");
    writer->writeStrings("/types", result.types);
    writer->writeStrings("/unit_types", types);
    std::vector<std::int64_t> predicted(result.predictedTypes.begin(), result.predictedTypes.end());
    writer->writeInt64s("/predicted_types", predicted);
    writer->writeInt64s("/unit_ids", binned.unitIds);
    writer->writeAttribute("/", "command", "link");
    writer->writeAttribute("/", "source", cli.file);
    writer->writeAttribute("/", "model", cli.model);
    writer->writeAttribute("/", "unit_column", cli.unitColumn);
    writer->writeAttribute("/", "profile", cli.profile);
    writer->writeAttribute("/", "method",
                           fromEmbeddings ? std::string("unit_embeddings") : methodName(attribution.method));
    writer->writeAttribute("/", "permutations", static_cast<double>(cli.permutations));
    writer->commit();
  }

  std::vector<std::size_t> sizes(result.typeSizes.begin(), result.typeSizes.end());
  const nlohmann::json json{
      {"types", result.types},
      {"type_sizes", sizes},
      {"type_accuracy", result.typeAccuracy},
      {"abs_accuracy", result.absAccuracy},
      {"chance", result.chance},
      {"chance_rule", "majority type"},
      {"attribution_share", result.attributionShareTotal},
      {"principal_share", result.principalShare},
      {"latents", result.profiles.cols()},
      {"units", result.profiles.rows()},
      {"method", fromEmbeddings ? std::string("unit_embeddings") : methodName(attribution.method)},
      {"profile", cli.profile},
      {"bin_ms", binned.binMs},
      {"seconds", seconds}};
  std::ostringstream line;
  line << cli.file << ": " << result.types.size() << " types of '" << cli.unitColumn << "' over "
       << result.profiles.cols() << (fromEmbeddings ? " embedding dimensions" : " latents") << "; type accuracy "
       << result.typeAccuracy << " (per-latent " << result.absAccuracy << ", chance " << result.chance << ")";
  reporter.result(json, line.str(), cli.out);
  return kSuccess;
}

}  // namespace

void addLinkCommand(CLI::App& root, CommandList& commands) {
  auto options = std::make_shared<LinkCliOptions>();
  auto* command = root.add_subcommand(kLinkSummary.name, kLinkSummary.help);
  addCommonOptions(*command, options->common);
  addBinningOptions(*command, options->binning);
  command->add_option("FILE", options->file, "NWB recording")->required();
  command->add_option("--model", options->model, "TorchScript model file")->required();
  addSessionOption(*command, options->session);
  command->add_option("--unit-column", options->unitColumn, "Units-table column holding each unit's type")->required();
  command
      ->add_option("--profile", options->profile,
                   "signed or abs: how attributions are summed (default signed); embedding: the model's own unit "
                   "embeddings")
      ->check(CLI::IsMember({"signed", "abs", "embedding"}));
  command->add_option("--permutations", options->permutations, "Type-label shuffles for the p-values (default 1000)");
  command->add_option("--folds", options->folds, "Stratified folds for type_accuracy (default 5)")
      ->check(CLI::Range(2, 1000));
  command
      ->add_option("--method", options->method,
                   "Attribution method: saliency, input_x_gradient, integrated_gradients or smoothgrad")
      ->check(CLI::IsMember({"saliency", "input_x_gradient", "integrated_gradients", "smoothgrad"}));
  command->add_option("--steps", options->steps, "Integration steps for integrated gradients (default 50)")
      ->check(CLI::PositiveNumber);
  command->add_option("--out", options->out, "HDF5 results file (/profiles, /association, /p_values, ...)");
  commands.push_back({command, [options] { return runLinkCommand(*options); }});
}

}  // namespace neurolens::cli
