#include "logic/pipeline.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "neurolens/core/atomic_file.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/projection.h"
#include "neurolens/io/nwb_writer.h"
#include "neurolens/resources/demo_model.h"
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

Trajectories buildTrajectories(const FloatArray& latents, const Table& trials, const TrajectoryRequest& request) {
  if (latents.rank() != 3 || latents.dim(0) == 0 || latents.dim(1) == 0 || latents.dim(2) == 0)
    throw InputError("the model's latents are not [trials, bins, latents]; nothing to draw");
  const std::size_t trialCount = latents.dim(0);
  const std::size_t bins = latents.dim(1);
  const std::size_t dims = latents.dim(2);
  Trajectories out;
  out.groups = trialGroups(trials, request.groupColumn, trialCount);
  out.means = request.conditionMeans;
  std::vector<std::string> trialLabels;
  trialLabels.reserve(trialCount);
  for (int index : out.groups.index) trialLabels.push_back(out.groups.names[static_cast<std::size_t>(index)]);

  FloatArray means;
  std::vector<std::string> meanNames;
  if (request.conditionMeans || out.groups.names.size() > 1) means = conditionAverage(latents, trialLabels, &meanNames);
  const FloatArray& shown = request.conditionMeans ? means : latents;

  FloatArray points({shown.dim(0), bins, 3}, 0.0F);
  if (request.projection == Projection::Pca && dims >= 2) {
    const std::size_t k = std::min<std::size_t>(3, dims);
    const bool fitOnMeans = out.groups.names.size() > 1 && means.dim(0) >= 2;
    const PcaResult fitted = pca(fitOnMeans ? means : latents, k);
    const FloatArray projected = request.conditionMeans && fitOnMeans ? fitted.projected : applyPca(fitted, shown);
    for (std::size_t t = 0; t < shown.dim(0); ++t)
      for (std::size_t b = 0; b < bins; ++b)
        for (std::size_t d = 0; d < k; ++d) points(t, b, d) = projected(t, b, d);
    out.explainedVarianceRatio = fitted.explainedVarianceRatio;
    out.data.axisTitles = {"PC 1", "PC 2", "PC 3"};
  } else {
    for (std::size_t t = 0; t < shown.dim(0); ++t)
      for (std::size_t b = 0; b < bins; ++b)
        for (std::size_t d = 0; d < std::min<std::size_t>(3, dims); ++d) points(t, b, d) = shown(t, b, d);
    out.data.axisTitles = {"latent 1", "latent 2", "latent 3"};
  }
  out.data.points = std::move(points);
  if (request.conditionMeans) {
    // conditionAverage sorts names as text; map them back to our group order.
    std::map<std::string, int> indexOf;
    for (std::size_t i = 0; i < out.groups.names.size(); ++i) indexOf[out.groups.names[i]] = static_cast<int>(i);
    for (const std::string& name : meanNames) out.data.condition.push_back(indexOf[name]);
  } else {
    out.data.condition = out.groups.index;
  }
  out.data.conditionNames = out.groups.names;
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
