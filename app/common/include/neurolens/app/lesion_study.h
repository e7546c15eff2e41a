#pragma once
// The lesion study (../shared/spec/cli.md "lesion"; issue 29 step 3), shared by `neurolens-cli lesion`,
// `figure --view lesion` and the GUI's Lesion panel: the recording read and the model bound to it, the
// selection (unit ids or COLUMN=VALUE, or one lesion per value of a column) turned into core's lesion requests,
// the condition labels, core's runLesionStudy (intact, lesioned, random-lesion nulls), the JSON entries under the
// CLI's keys, and the intact and lesioned condition means for drawing. No Qt: the GUI runs it on a worker thread
// with a Progress that can cancel.
#include <array>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "neurolens/core/binning.h"
#include "neurolens/core/device.h"
#include "neurolens/core/lesion.h"
#include "neurolens/core/progress.h"

namespace neurolens::app {

struct LesionStudySpec {
  std::string file;
  std::string model;
  std::string session;  // multi-session models (empty: the recording's identifier)
  std::string lesion;   // "3,7,12" (unit ids) or "COLUMN=VALUE"; or
  std::string perType;  // one lesion per value of this unit column
  std::string mode = "mean";
  std::string target;  // behavior:NAME | trials:COLUMN (empty: no probe)
  double lagMs = 0.0;
  std::size_t folds = 5;
  std::string rows = "bins";
  std::vector<double> alphas;
  std::size_t randomRepeats = 100;
  bool matchRate = false;
  std::string condition = "condition";
  bool conditionGiven = false;  // --condition given: its absence is an error, not a warning
  BinningOptions binning;
  DeviceChoice device = DeviceChoice::Auto;
  std::uint64_t seed = 0;
};

using LesionWarn = std::function<void(const std::string&)>;

struct LesionStudyResult {
  LesionStudySpec spec;
  LesionStudyOptions options;  // as run (manipulation, conditions, probe)
  BinnedRecording binned;
  LesionStudy study;
  double seconds = 0.0;  // the computation itself, after loading and binning
  [[nodiscard]] bool boost() const { return options.manipulation.mode == LesionMode::Boost; }
  [[nodiscard]] std::string probeKey() const { return study.categoricalProbe ? "probe_accuracy" : "probe_r2"; }
};

// `lesion`'s defaults (cli.md "lesion"): mode mean, 100 random lesions, seed 0, bin 20 ms, the default window.
[[nodiscard]] LesionStudySpec defaultLesionSpec(const std::string& file, const std::string& model,
                                                const std::string& lesion);

// The whole study: reads the recording (0-0.05 of progress), binds the model, checks the selection (every
// problem with it before the model runs), runs core's runLesionStudy (0.05-1). Throws UsageError when neither or
// both of lesion and perType are given, InputError naming the file and option for bad input, Cancelled, or
// ComputeError.
[[nodiscard]] LesionStudyResult runLesionStudyFor(const LesionStudySpec& spec, const Progress& progress = {},
                                                  const LesionWarn& warn = {});

// One entry of `lesions` (cli.md "lesion"): label, units, latent_variance_lost, condition_shift, the probe and
// bits-per-spike keys where computed, steering (boost) and `random` {percentile, p} per effect.
[[nodiscard]] nlohmann::json lesionEntryJson(const LesionStudyResult& result, std::size_t lesion);

// `lesion --json`'s summary: lesions, mode, random_repeats, match_rate, conditions, trials, units, latents,
// seconds; with a target: target, probe_folds_kind, probe_rows_kind (and behavior_rows_dropped).
[[nodiscard]] nlohmann::json lesionStudyJson(const LesionStudyResult& result);

// The lines printed without --json.
[[nodiscard]] std::string lesionStudyText(const LesionStudyResult& result);

// For drawing (figure --view lesion, the Lesion panel): per condition (one group "all trials" without condition
// labels) the mean trajectory of the intact latents and of one lesion's latents, both in the first two
// principal components of the intact condition means.
struct LesionTrajectories {
  std::vector<std::string> labels;                           // one per condition
  std::vector<std::vector<std::array<double, 2>>> intact;    // per condition, its points (PC 1, PC 2)
  std::vector<std::vector<std::array<double, 2>>> lesioned;  // the same conditions, lesioned
};
[[nodiscard]] LesionTrajectories lesionTrajectories(const LesionStudyResult& result, std::size_t lesion = 0);

// The drawing's texts: the lesioned side's legend name ("lesioned cell_type=tuned (mean)") and the title
// ("cell_type=tuned (40 units): shift 0.28, p 0.0099", the condition shift and its p against the random
// lesions); a label longer than 24 characters (a list of unit ids) reads "N units by id".
[[nodiscard]] std::string lesionedName(const LesionStudyResult& result, std::size_t lesion = 0);
[[nodiscard]] std::string lesionTitle(const LesionStudyResult& result, std::size_t lesion = 0);

}  // namespace neurolens::app
