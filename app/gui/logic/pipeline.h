#pragma once
// Qt-free steps of the workbench pipeline (recording -> model -> trajectories ->
// analyses): what the GUI's background jobs call, testable without a window.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "neurolens/core/ndarray.h"
#include "neurolens/core/progress.h"
#include "neurolens/core/simulator.h"
#include "neurolens/core/table.h"
#include "neurolens/views/trajectory_scene.h"

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

struct TrajectoryRequest {
  Projection projection = Projection::Pca;
  bool conditionMeans = true;  // one trajectory per group instead of one per trial
  std::string groupColumn = "condition";
};

// What the 3-D view shows, plus how it was made (for the explained variance text).
struct Trajectories {
  views::TrajectoryData data;
  TrialGroups groups;
  std::vector<double> explainedVarianceRatio;  // PCA only
  bool means = false;
};

// PCA is fitted on the group means (the structure shared across trials; single
// trials are projected onto the same axes), or on every row when there is one group.
// Latents: the first three latent dimensions (zero-padded below three).
// Throws InputError when latents are not [trials, bins, latents] or the table disagrees.
[[nodiscard]] Trajectories buildTrajectories(const FloatArray& latents, const Table& trials,
                                             const TrajectoryRequest& request);

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
