#pragma once
// Qt-free steps of the workbench pipeline (recording -> model -> trajectories ->
// analyses): what the GUI's background jobs call, testable without a window.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "neurolens/core/binning.h"
#include "neurolens/core/ndarray.h"
#include "neurolens/core/progress.h"
#include "neurolens/core/simulator.h"
#include "neurolens/core/table.h"
#include "neurolens/views/trajectory_scene.h"

namespace neurolens::scene {
struct Scene;
}

namespace neurolens::gui {

// Trials grouped by a categorical column: names sorted, one index per trial.
struct TrialGroups {
  std::string column;
  std::vector<std::string> names;
  std::vector<int> index;
};
// Groups by `column` of the trials table; with no such column (or a continuous
// recording) every trial is in one group, "all trials".
[[nodiscard]] TrialGroups trialGroups(const Table& trials, const std::string& column, std::size_t trialCount);

// Trial columns fit to colour by: text columns, and numeric columns with few
// distinct values (at most `maxDistinct`), excluding times.
[[nodiscard]] std::vector<std::string> categoricalColumns(const Table& trials, std::size_t maxDistinct = 24);

// The unit column that names unit types: "cell_type" when present, else the first
// text column with 2..maxDistinct distinct values (e.g. "location"); "" if none.
[[nodiscard]] std::string defaultTypeColumn(const Table& units, std::size_t maxDistinct = 24);
// One type name per unit from `column` ("" -> every unit "unit").
[[nodiscard]] std::vector<std::string> unitTypes(const Table& units, const std::string& column, std::size_t unitCount);

enum class Projection { Pca, Latents };

// The 3-D views' line width in pixels: single trials alone draw at it; condition means at 3x over
// their single trials at 0.6x (the scene builder's factors, as `figure` draws them).
inline constexpr double kTrajectoryLineWidth = 1.5;

struct TrajectoryRequest {
  Projection projection = Projection::Pca;
  bool conditionMeans = true;  // condition means over their single trials; else single trials only
  std::string groupColumn = "condition";
  double smoothMs = 40.0;  // Gaussian sd along bins: of the counts without a model, of the latents with one
};

// What the 3-D view shows, plus how it was made (legend, explained variance, colouring).
struct Trajectories {
  views::TrajectoryData data;
  TrialGroups groups;                          // the conditions in drawing order (the scene's), one index per trial
  std::vector<views::Rgb> colours;             // one per condition: the legend's (and `figure`'s) colours
  std::string colourScheme;                    // "categorical", "sequential" or "cyclic"
  std::vector<double> explainedVarianceRatio;  // PCA only
  bool means = false;                          // condition means drawn, over their single trials
  std::vector<bool> rowIsMean;                 // per drawn row (empty without means)
  std::vector<std::size_t> rowTrial;           // the trial of each single-trial row (rows before the means)
  std::shared_ptr<const scene::Scene> scene;   // what the builder made (an exported view's figure options)
  [[nodiscard]] std::size_t conditionCount() const { return groups.names.size(); }
  // The scene groups that draw condition `c`: its trials (and, with means, its mean).
  [[nodiscard]] std::vector<std::size_t> sceneGroups(std::size_t condition) const;
};

// The scene builder's trajectories (neurolens/scene, the same as `figure` draws) for a pair:
// `features` are the model's latents (fromModel) or, for a recording alone, its binned counts,
// whose Gaussian-smoothed rates are projected on their principal components. Condition means
// over single trials when the recording's trials carry `groupColumn`; a continuous recording is
// its one trajectory (or chunks). Throws InputError when the shapes disagree.
[[nodiscard]] Trajectories buildTrajectories(const FloatArray& features, bool fromModel,
                                             const BinnedRecording& recording, const TrajectoryRequest& request);

// The bundled demo written into `folder`: demo.nwb (simulated with `options`) and
// demo_model.pt (compiled into the program). Existing files are kept.
struct DemoFiles {
  std::filesystem::path recording;
  std::filesystem::path model;  // empty when the build has no demo model
};
[[nodiscard]] DemoFiles ensureDemoFiles(const std::filesystem::path& folder, const DemoOptions& options,
                                        const Progress& progress = {});

// Help > Show Demo Trajectories: synthetic rotational dynamics, 8 directions x 20 trials x 80 bins.
[[nodiscard]] views::TrajectoryData syntheticTrajectories();

// First `count` trials' rows of a [trials, ...] array (attribution on a subset).
[[nodiscard]] FloatArray firstTrials(const FloatArray& data, std::size_t count);

}  // namespace neurolens::gui
