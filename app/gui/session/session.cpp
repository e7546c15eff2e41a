#include "session/session.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <fstream>
#include <sstream>
#include <tuple>

#include "neurolens/core/atomic_file.h"
#include "neurolens/core/errors.h"
#include "neurolens/io/results_store.h"

namespace neurolens::gui {

namespace {

constexpr int kSessionVersion = 1;

FloatArray toFloatArray(const Eigen::MatrixXd& matrix) {
  FloatArray array({static_cast<std::size_t>(matrix.rows()), static_cast<std::size_t>(matrix.cols())});
  for (Eigen::Index r = 0; r < matrix.rows(); ++r)
    for (Eigen::Index c = 0; c < matrix.cols(); ++c)
      array.values()[static_cast<std::size_t>(r * matrix.cols() + c)] = static_cast<float>(matrix(r, c));
  return array;
}

Eigen::MatrixXd toMatrix(const FloatArray& array) {
  if (array.rank() != 2) throw InputError("a saved matrix is not two-dimensional");
  Eigen::MatrixXd matrix(static_cast<Eigen::Index>(array.dim(0)), static_cast<Eigen::Index>(array.dim(1)));
  for (Eigen::Index r = 0; r < matrix.rows(); ++r)
    for (Eigen::Index c = 0; c < matrix.cols(); ++c)
      matrix(r, c) = array.values()[static_cast<std::size_t>(r * matrix.cols() + c)];
  return matrix;
}

QJsonObject inputJson(const SessionInput& input) { return QJsonObject{{"path", input.path}, {"sha256", input.sha256}}; }

std::string exactText(double value) {
  std::ostringstream text;
  text.precision(17);
  text << value;
  return text.str();
}

SessionInput inputFrom(const QJsonValue& value) {
  const QJsonObject object = value.toObject();
  return {object["path"].toString(), object["sha256"].toString()};
}

}  // namespace

QString sha256OfFile(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  QCryptographicHash hash(QCryptographicHash::Sha256);
  if (!hash.addData(&file)) return {};
  return QString::fromLatin1(hash.result().toHex());
}

QString resultsPathFor(const QString& sessionPath) { return sessionPath + ".h5"; }

std::vector<OpenRequest> otherInputs(const SessionState& state) {
  std::vector<OpenRequest> requests;
  for (const SessionInput& input : state.recordings)
    if (input.path != state.recording.path) requests.push_back({OpenKind::Recording, input.path.toStdString(), {}});
  for (const SessionInput& input : state.models)
    if (input.path != state.model.path) requests.push_back({OpenKind::Model, input.path.toStdString(), {}});
  return requests;
}

std::vector<SessionInput> inputsFor(const std::vector<std::string>& paths) {
  std::vector<SessionInput> inputs;
  for (const std::string& path : paths) {
    const QString file = QString::fromStdString(path);
    inputs.push_back({file, sha256OfFile(file)});
  }
  return inputs;
}

void saveSession(const QString& path, const SessionState& state, const FloatArray* latents,
                 const AttributionOutcome* attribution, const ProbeOutcome* probe) {
  QJsonObject root;
  root["format"] = "neurolens-session";
  root["version"] = kSessionVersion;
  QJsonObject inputs;
  if (!state.recording.path.isEmpty()) inputs["recording"] = inputJson(state.recording);
  if (!state.model.path.isEmpty()) inputs["model"] = inputJson(state.model);
  for (const auto& [key, list] : {std::pair{"recordings", &state.recordings}, std::pair{"models", &state.models}}) {
    QJsonArray array;
    for (const SessionInput& input : *list) array.append(inputJson(input));
    if (!array.isEmpty()) inputs[key] = array;
  }
  root["inputs"] = inputs;
  QJsonObject binning{{"bin_ms", state.binning.binMs},
                      {"align", QString::fromStdString(state.binning.align)},
                      {"units", QString::fromStdString(state.binning.units)}};
  if (state.binning.windowStartMs) binning["window_start_ms"] = *state.binning.windowStartMs;
  if (state.binning.windowEndMs) binning["window_end_ms"] = *state.binning.windowEndMs;
  root["binning"] = binning;
  root["device"] = QString::fromStdString(deviceName(state.device));
  QJsonArray visible;
  for (bool shown : state.groupVisible) visible.append(shown);
  QJsonObject view{{"projection", state.trajectory.projection == Projection::Pca ? "pca" : "latents"},
                   {"group_column", QString::fromStdString(state.trajectory.groupColumn)},
                   {"means", state.trajectory.conditionMeans},
                   {"smooth_ms", state.trajectory.smoothMs},
                   {"group_visible", visible},
                   {"time_bin", state.time},
                   {"selected_type", state.selectedType},
                   {"colour", QString::fromStdString(state.colour)}};
  if (state.camera) {
    QJsonArray camera;
    for (double value : *state.camera) camera.append(value);
    view["camera"] = camera;
  }
  root["view"] = view;
  QJsonArray pairSessions;
  for (const PairSessionChoice& choice : state.pairSessions)
    pairSessions.append(QJsonObject{
        {"recording", choice.recording}, {"model", choice.model}, {"session", QString::fromStdString(choice.session)}});
  if (!pairSessions.isEmpty()) root["pair_sessions"] = pairSessions;
  if (state.attribution) {
    const AttributionRequest& request = *state.attribution;
    QJsonArray targets;
    for (std::int64_t target : request.targets) targets.append(static_cast<qint64>(target));
    root["attribution"] = QJsonObject{{"method", QString::fromStdString(methodName(request.method))},
                                      {"method_index", static_cast<int>(request.method)},
                                      {"steps", request.steps},
                                      {"baseline", request.baseline == AttributionBaseline::Zero ? "zero" : "mean"},
                                      {"targets", targets},
                                      {"trials", static_cast<qint64>(request.trials)},
                                      {"type_column", QString::fromStdString(request.typeColumn)},
                                      {"permutations", static_cast<qint64>(request.permutations)}};
  }
  if (probe != nullptr) {
    root["probe"] = QJsonObject{{"target", QString::fromStdString(probe->request.target)},
                                {"use_latents", probe->request.useLatents},
                                {"folds", static_cast<qint64>(probe->request.folds)},
                                {"rows", probe->request.rowsPerTrial ? "trials" : "bins"}};
  }
  const QString results = resultsPathFor(path);
  root["results"] = QFileInfo(results).fileName();

  // Results first: a session file never names a results file that is not there.
  {
    io::ResultsWriter writer(results.toStdString());
    writer.writeAttribute("/", "written_by", "neurolens session");
    if (latents != nullptr && !latents->empty()) writer.writeArray("/latents", *latents);
    if (attribution != nullptr) {
      writer.writeArray("/attribution/profiles", toFloatArray(attribution->profiles));
      writer.writeStrings("/attribution/unit_types", attribution->unitTypes);
      writer.writeInt64s("/attribution/targets", attribution->targets);
      writer.writeAttribute("/attribution", "trials_used", static_cast<double>(attribution->trialsUsed));
      writer.writeAttribute("/attribution", "max_rel_completeness", attribution->maxRelCompleteness);
      if (!attribution->perBinMagnitude.empty())
        writer.writeArray("/attribution/per_bin_magnitude", attribution->perBinMagnitude);
      if (attribution->link) {
        const LinkResult& link = *attribution->link;
        writer.writeStrings("/link/types", link.types);
        writer.writeArray("/link/association", toFloatArray(link.association));
        writer.writeArray("/link/p_values", toFloatArray(link.pValues));
        // As text with full precision: the reader reads string attributes.
        writer.writeAttribute("/link", "type_accuracy", exactText(link.typeAccuracy));
        writer.writeAttribute("/link", "chance", exactText(link.chance));
      }
    }
    if (probe != nullptr) {
      const ProbeResult& result = probe->result;
      // [categorical, r2, accuracy, chance, p-value, alpha, rows]
      writer.writeDoubles("/probe/scores", {result.categorical ? 1.0 : 0.0, result.r2, result.accuracy, result.chance,
                                            result.pValue, result.alpha, static_cast<double>(result.rows)});
      writer.writeDoubles("/probe/r2_per_dim", result.r2PerDim);
      if (!result.classes.empty()) writer.writeStrings("/probe/classes", result.classes);
      if (!result.predictions.empty()) writer.writeArray("/probe/predictions", result.predictions);
    }
    writer.commit();
  }
  AtomicFile file(path.toStdString());
  {
    std::ofstream out(file.temporaryPath(), std::ios::binary);
    const QByteArray json = QJsonDocument(root).toJson(QJsonDocument::Indented);
    out.write(json.constData(), json.size());
    if (!out) throw InputError("cannot write the session '" + path.toStdString() + "' (disk full? read-only?)");
  }
  file.commit();
}

LoadedSession loadSession(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) throw InputError("cannot read the session '" + path.toStdString() + "'");
  QJsonParseError parseError;
  const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
  if (document.isNull() || !document.isObject())
    throw InputError("'" + path.toStdString() +
                     "' is not a NeuroLens session (JSON: " + parseError.errorString().toStdString() + ")");
  const QJsonObject root = document.object();
  if (root["format"].toString() != "neurolens-session")
    throw InputError("'" + path.toStdString() + "' is not a NeuroLens session (no \"format\": \"neurolens-session\")");
  if (root["version"].toInt() > kSessionVersion)
    throw InputError("'" + path.toStdString() + "' was written by a newer NeuroLens (session version " +
                     std::to_string(root["version"].toInt()) + ")");
  LoadedSession loaded;
  SessionState& state = loaded.state;
  const QJsonObject inputs = root["inputs"].toObject();
  state.recording = inputFrom(inputs["recording"]);
  state.model = inputFrom(inputs["model"]);
  for (const auto& [key, single, list] : {std::tuple{"recordings", &state.recording, &state.recordings},
                                          std::tuple{"models", &state.model, &state.models}}) {
    for (const QJsonValue& value : inputs[key].toArray()) list->push_back(inputFrom(value));
    if (list->empty() && !single->path.isEmpty()) list->push_back(*single);  // a session from before the lists
  }
  for (const SessionInput* input : {&state.recording, &state.model}) {
    if (input->path.isEmpty()) continue;
    const QString now = sha256OfFile(input->path);
    if (now.isEmpty()) {
      loaded.changedInputs << QObject::tr("%1 (missing or unreadable)").arg(input->path);
    } else if (now != input->sha256) {
      loaded.changedInputs << QObject::tr("%1 (content changed since the session was saved)").arg(input->path);
    }
  }
  const QJsonObject binning = root["binning"].toObject();
  state.binning.binMs = binning["bin_ms"].toDouble(20.0);
  state.binning.align = binning["align"].toString("start_time").toStdString();
  state.binning.units = binning["units"].toString().toStdString();
  if (binning.contains("window_start_ms")) state.binning.windowStartMs = binning["window_start_ms"].toDouble();
  if (binning.contains("window_end_ms")) state.binning.windowEndMs = binning["window_end_ms"].toDouble();
  try {
    state.device = parseDeviceChoice(root["device"].toString("auto").toStdString());
  } catch (const InputError&) {
    state.device = DeviceChoice::Auto;
  }
  const QJsonObject view = root["view"].toObject();
  state.trajectory.projection = view["projection"].toString() == "latents" ? Projection::Latents : Projection::Pca;
  state.trajectory.groupColumn = view["group_column"].toString("condition").toStdString();
  state.trajectory.conditionMeans = view["means"].toBool(true);
  state.trajectory.smoothMs = std::max(0.0, view["smooth_ms"].toDouble(40.0));
  for (const QJsonValue& value : view["group_visible"].toArray()) state.groupVisible.push_back(value.toBool(true));
  state.time = view["time_bin"].toInt();
  state.selectedType = view["selected_type"].toString();
  state.colour = view["colour"].toString("condition").toStdString();
  const QJsonArray camera = view["camera"].toArray();
  if (camera.size() == 9) {
    std::array<double, 9> values{};
    for (int i = 0; i < 9; ++i) values[static_cast<std::size_t>(i)] = camera[i].toDouble();
    state.camera = values;
  }
  for (const QJsonValue& value : root["pair_sessions"].toArray()) {
    const QJsonObject object = value.toObject();
    PairSessionChoice choice{object["recording"].toString(), object["model"].toString(),
                             object["session"].toString().toStdString()};
    if (!choice.recording.isEmpty() && !choice.model.isEmpty() && !choice.session.empty())
      state.pairSessions.push_back(std::move(choice));
  }
  if (root.contains("attribution")) {
    const QJsonObject object = root["attribution"].toObject();
    AttributionRequest request;
    request.method = static_cast<AttributionMethod>(std::clamp(object["method_index"].toInt(), 0, 3));
    request.steps = object["steps"].toInt(20);
    request.baseline = object["baseline"].toString() == "mean" ? AttributionBaseline::Mean : AttributionBaseline::Zero;
    for (const QJsonValue& value : object["targets"].toArray()) request.targets.push_back(value.toInteger());
    request.trials = static_cast<std::size_t>(object["trials"].toInteger(16));
    request.typeColumn = object["type_column"].toString().toStdString();
    request.permutations = static_cast<std::size_t>(object["permutations"].toInteger(200));
    state.attribution = request;
  }
  const QString results = QFileInfo(path).dir().filePath(root["results"].toString());
  if (root["results"].toString().isEmpty() || !QFileInfo::exists(results)) return loaded;
  const io::ResultsReader reader(results.toStdString());
  if (reader.has("/latents")) loaded.latents = std::make_shared<FloatArray>(reader.readArray("/latents"));
  if (root.contains("probe") && reader.has("/probe/scores")) {
    const QJsonObject object = root["probe"].toObject();
    auto probe = std::make_shared<ProbeOutcome>();
    probe->request.target = object["target"].toString().toStdString();
    probe->request.useLatents = object["use_latents"].toBool(true);
    probe->request.folds = static_cast<std::size_t>(object["folds"].toInteger(5));
    probe->request.rowsPerTrial = object["rows"].toString() == QLatin1String("trials");
    const std::vector<double> scores = reader.readDoubles("/probe/scores");
    if (scores.size() >= 7) {
      ProbeResult& result = probe->result;
      result.categorical = scores[0] != 0.0;
      result.r2 = scores[1];
      result.accuracy = scores[2];
      result.chance = scores[3];
      result.pValue = scores[4];
      result.alpha = scores[5];
      result.rows = static_cast<std::size_t>(scores[6]);
      result.r2PerDim = reader.readDoubles("/probe/r2_per_dim");
      if (reader.has("/probe/classes")) result.classes = reader.readStrings("/probe/classes");
      if (reader.has("/probe/predictions")) result.predictions = reader.readArray("/probe/predictions");
      loaded.probe = std::move(probe);
    }
  }
  if (state.attribution) {
    if (reader.has("/attribution/profiles")) {
      auto outcome = std::make_shared<AttributionOutcome>();
      outcome->request = *state.attribution;
      outcome->profiles = toMatrix(reader.readArray("/attribution/profiles"));
      outcome->unitTypes = reader.readStrings("/attribution/unit_types");
      outcome->targets = reader.readInt64s("/attribution/targets");
      outcome->trialsUsed = state.attribution->trials;
      if (reader.has("/attribution/per_bin_magnitude")) {
        outcome->perBinMagnitude = reader.readArray("/attribution/per_bin_magnitude");
        outcome->trialsUsed = outcome->perBinMagnitude.dim(0);
      }
      if (reader.has("/link/association")) {
        LinkResult link;
        link.types = reader.readStrings("/link/types");
        link.association = toMatrix(reader.readArray("/link/association"));
        link.pValues = toMatrix(reader.readArray("/link/p_values"));
        link.typeAccuracy = std::stod(reader.readStringAttribute("/link", "type_accuracy"));
        link.chance = std::stod(reader.readStringAttribute("/link", "chance"));
        outcome->link = std::move(link);
      }
      loaded.attribution = std::move(outcome);
    }
  }
  return loaded;
}

}  // namespace neurolens::gui
