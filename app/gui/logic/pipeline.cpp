#include "logic/pipeline.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "neurolens/core/atomic_file.h"
#include "neurolens/core/errors.h"
#include "neurolens/io/nwb_writer.h"
#include "neurolens/resources/demo_model.h"
#include "neurolens/scene/scene_builder.h"
#include "neurolens/views/demo_trajectories.h"

namespace neurolens::gui {

namespace {

std::vector<std::string> columnLabels(const Column& column) {
  std::vector<std::string> labels;
  labels.reserve(column.rows());
  for (std::size_t row = 0; row < column.rows(); ++row) labels.push_back(column.cellText(row));
  return labels;
}

bool isTimeColumn(const std::string& name) { return name.find("time") != std::string::npos || name == "id"; }

}  // namespace

TrialGroups trialGroups(const Table& trials, const std::string& column, std::size_t trialCount) {
  TrialGroups groups;
  groups.column = column;
  const Column* found = column.empty() ? nullptr : trials.find(column);
  if (found == nullptr || found->rows() != trialCount) {
    groups.column.clear();
    groups.names = {"all trials"};
    groups.index.assign(trialCount, 0);
    return groups;
  }
  const std::vector<std::string> labels = columnLabels(*found);
  if (found->isNumeric()) {
    // Numeric labels sort by value ("45" before "135"), not as text.
    std::map<double, std::string> byValue;
    for (std::size_t row = 0; row < labels.size(); ++row) byValue.emplace(found->numbers()[row], labels[row]);
    for (const auto& entry : byValue) groups.names.push_back(entry.second);
  } else {
    const std::set<std::string> distinct(labels.begin(), labels.end());
    groups.names.assign(distinct.begin(), distinct.end());
  }
  std::map<std::string, int> indexOf;
  for (std::size_t i = 0; i < groups.names.size(); ++i) indexOf[groups.names[i]] = static_cast<int>(i);
  groups.index.reserve(labels.size());
  for (const std::string& label : labels) groups.index.push_back(indexOf[label]);
  return groups;
}

std::vector<std::string> categoricalColumns(const Table& trials, std::size_t maxDistinct) {
  std::vector<std::string> names;
  for (const Column& column : trials.columns()) {
    if (column.isRagged() || isTimeColumn(column.name)) continue;
    const std::vector<std::string> labels = columnLabels(column);
    const std::set<std::string> distinct(labels.begin(), labels.end());
    if (distinct.size() >= 2 && distinct.size() <= maxDistinct) names.push_back(column.name);
  }
  // The conventional column first.
  const auto condition = std::find(names.begin(), names.end(), "condition");
  if (condition != names.end()) std::rotate(names.begin(), condition, condition + 1);
  return names;
}

std::string defaultTypeColumn(const Table& units, std::size_t maxDistinct) {
  if (units.find("cell_type") != nullptr) return "cell_type";
  for (const Column& column : units.columns()) {
    if (!column.isText() || column.isRagged()) continue;
    const std::set<std::string> distinct(column.texts().begin(), column.texts().end());
    if (distinct.size() >= 2 && distinct.size() <= maxDistinct) return column.name;
  }
  return {};
}

std::vector<std::string> unitTypes(const Table& units, const std::string& column, std::size_t unitCount) {
  const Column* found = column.empty() ? nullptr : units.find(column);
  if (found == nullptr || found->rows() != unitCount) return std::vector<std::string>(unitCount, "unit");
  return columnLabels(*found);
}

std::vector<std::size_t> Trajectories::sceneGroups(std::size_t condition) const {
  if (means) return {condition, conditionCount() + condition};
  return {condition};
}

Trajectories buildTrajectories(const FloatArray& features, bool fromModel, const BinnedRecording& recording,
                               const TrajectoryRequest& request) {
  if (features.rank() != 3 || features.dim(0) == 0 || features.dim(1) == 0 || features.dim(2) == 0)
    throw InputError(std::string(fromModel ? "the model's latents" : "the binned counts") +
                     " are not [trials, bins, features]; nothing to draw");
  const std::size_t trialCount = features.dim(0);
  scene::PairData pair;
  pair.features = features;
  pair.fromModel = fromModel;
  pair.continuous = recording.continuous;
  pair.binMs = recording.binMs;
  const Column* column = request.groupColumn.empty() ? nullptr : recording.trials.find(request.groupColumn);
  if (column != nullptr && column->rows() == trialCount) {
    pair.trialConditions = columnLabels(*column);
    pair.labelled = !recording.continuous;
  }
  scene::DisplayOptions display;
  display.projection =
      request.projection == Projection::Latents && fromModel ? scene::Projection::Latents : scene::Projection::Pca;
  display.smoothMs = request.smoothMs;
  display.singleTrialsOnly = !request.conditionMeans;
  display.conditionColumn = request.groupColumn;
  const auto built = std::make_shared<const scene::Scene>(scene::buildScene(pair, display));
  const scene::Scene& drawn = *built;

  Trajectories out;
  out.data = drawn.parts.data;
  out.colours = drawn.parts.conditions.colours;
  out.colourScheme = drawn.parts.conditions.scheme;
  out.means = !drawn.rowIsMean.empty();
  out.rowIsMean = drawn.rowIsMean;
  out.rowTrial = drawn.rowTrial;
  out.scene = built;
  if (display.projection == scene::Projection::Pca) out.explainedVarianceRatio = drawn.axisShare;
  out.groups.column = pair.labelled ? request.groupColumn : std::string();
  out.groups.names = drawn.parts.conditions.names;
  std::map<std::string, int> indexOf;
  for (std::size_t i = 0; i < out.groups.names.size(); ++i) indexOf[out.groups.names[i]] = static_cast<int>(i);
  const std::string unlabelled = recording.continuous ? "recording" : "all trials";
  for (std::size_t t = 0; t < trialCount; ++t)
    out.groups.index.push_back(indexOf[pair.trialConditions.empty() ? unlabelled : pair.trialConditions[t]]);
  return out;
}

DemoFiles ensureDemoFiles(const std::filesystem::path& folder, const DemoOptions& options, const Progress& progress) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error || !std::filesystem::is_directory(folder))
    throw InputError("cannot create the demo folder '" + folder.string() + "' (" + error.message() + ")");
  DemoFiles files;
  files.recording = folder / "demo.nwb";
  if (!std::filesystem::exists(files.recording)) {
    const DemoData demo = simulateDemo(options, progress.sub(0.0, 0.8));
    io::NwbWriteOptions nwb;
    nwb.identifier = "neurolens-demo-seed-" + std::to_string(options.seed);
    nwb.unitsDescription = "simulated units; cell_type says which latents drive each";
    nwb.trialsDescription = "simulated centre-out reaches";
    io::writeNwb(demo.recording, files.recording, nwb);
  }
  const std::string_view bytes = resources::demoModelBytes();
  if (!bytes.empty()) {
    files.model = folder / "demo_model.pt";
    if (!std::filesystem::exists(files.model)) {
      AtomicFile file(files.model);
      {
        std::ofstream out(file.temporaryPath(), std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) throw InputError("cannot write '" + files.model.string() + "' (disk full? read-only folder?)");
      }
      file.commit();
    }
  }
  progress.report(1.0, "demo ready");
  return files;
}

FloatArray firstTrials(const FloatArray& data, std::size_t count) {
  if (data.rank() == 0 || count >= data.dim(0)) return data;
  std::vector<std::size_t> shape = data.shape();
  const std::size_t rowSize = data.size() / std::max<std::size_t>(1, data.dim(0));
  shape[0] = count;
  std::vector<float> values(data.values().begin(),
                            data.values().begin() + static_cast<std::ptrdiff_t>(count * rowSize));
  return FloatArray(std::move(shape), std::move(values));
}

views::TrajectoryData syntheticTrajectories() {
  views::DemoTrajectories demo = views::makeRotationalTrajectories(8, 20, 80);
  views::TrajectoryData trajectories;
  trajectories.points = std::move(demo.points);
  trajectories.condition = std::move(demo.condition);
  for (int condition = 0; condition < 8; ++condition)
    trajectories.conditionNames.push_back("demo direction " + std::to_string(condition * 45) + " deg");
  trajectories.axisTitles = {"latent 1", "latent 2", "latent 3"};
  return trajectories;
}

}  // namespace neurolens::gui
