#pragma once
// The two-sided align study (../shared/spec/cli.md "align"; issue 29 step 2), shared by `neurolens-cli align`,
// `figure --view align` and the GUI's Compare > Align: each side read (a recording, through its model or as
// smoothed counts, or an `infer` results file holding /latents), the rows matched (time, conditions,
// behaviour), the statistics of core/alignment.h with their permutation nulls, and the JSON summary under
// the CLI's keys. No Qt: the GUI runs it on a worker thread with a Progress that can cancel.
#include <array>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/core/alignment.h"
#include "neurolens/core/binning.h"
#include "neurolens/core/device.h"
#include "neurolens/core/ndarray.h"
#include "neurolens/core/progress.h"

namespace neurolens::app {

// One side of an alignment as given: a recording (with or without a model) or a results file.
struct AlignSideSpec {
  std::string file;
  std::string model;    // empty: no model (PCA of the smoothed counts)
  std::string session;  // multi-session models: the session id (empty: the recording's identifier)
};

struct AlignStudyOptions {
  BinningOptions binning;
  std::string match;  // time | conditions | behavior:NAME; empty: conditions when both sides have trials, else time
  std::string conditionColumn = "condition";
  SectorOptions sectors;
  double smoothMs = 40.0;
  AlignOptions statistics;  // dims, which statistics, permutations, folds, DSA, seed
  DeviceChoice device = DeviceChoice::Auto;
};

// One side once read: its features [trials, bins, features] and what matching needs.
struct AlignSide {
  std::string label;  // "side A"
  std::string name;   // "side A (file)"
  std::string file;
  std::string model;
  std::string features;  // what the features are, for the summary
  FloatArray data;
  bool hasTrials = false;
  std::vector<std::string> conditions;  // one per trial, when the trials table has the condition column
  std::string conditionProblem;         // why there are no condition labels, else empty
  FloatArray behavior;                  // [trials, bins, dims], with --match behavior:NAME
  double binMs = 0.0;
  double modelSeconds = 0.0;  // the model's own computation (inference), for `seconds`
};

// The recording last binned, so that one recording on both sides is read once.
class AlignBinnedCache {
 public:
  AlignBinnedCache();
  ~AlignBinnedCache();
  AlignBinnedCache(const AlignBinnedCache&) = delete;
  AlignBinnedCache& operator=(const AlignBinnedCache&) = delete;
  AlignBinnedCache(AlignBinnedCache&&) = delete;
  AlignBinnedCache& operator=(AlignBinnedCache&&) = delete;
  void clear();
  std::string file;
  std::optional<BinnedRecording> binned;
};

using AlignWarn = std::function<void(const std::string&)>;

// "time", "conditions" or "behavior" for a --match text.
[[nodiscard]] std::string alignMatchName(const std::string& match);
// NAME of "behavior:NAME", else empty.
[[nodiscard]] std::string alignBehaviorName(const std::string& match);

// Reads side A or B: a results file holding /latents, else a recording (NWB, or any format a reader plugin
// reads). A results file with a model is refused unless `modelForRecordingsOnly` (--matrix: the model applies
// to every recording side and not to results files). Throws InputError naming the side and the file.
[[nodiscard]] AlignSide readAlignSide(const std::string& label, const AlignSideSpec& spec,
                                      const AlignStudyOptions& options, const Progress& progress, const AlignWarn& warn,
                                      AlignBinnedCache& cache, bool modelForRecordingsOnly = false);

// The matched rows of two read sides, with the checks of the two-sided form (errors name the sides).
[[nodiscard]] MatchedRows matchAlignSides(const AlignSide& a, const AlignSide& b, const std::string& match,
                                          const AlignStudyOptions& options);

// The match used when none is asked for: conditions when both sides have trials, else time.
[[nodiscard]] std::string defaultAlignMatch(const AlignSide& a, const AlignSide& b);

struct AlignStudyResult {
  AlignSide a;
  AlignSide b;
  std::string match;  // as used (after the default)
  MatchedRows matched;
  AlignStatistics stats;
  double seconds = 0.0;  // the models' inference and the alignment itself
  // Statistic name -> the 95th percentile of its null (numpy.percentile(null, 95), linear interpolation).
  std::map<std::string, double> null95;
};

// The whole two-sided study: read both sides (0-0.6 of progress), match, align (0.6-1).
// Throws InputError (bad input), Cancelled (the progress asked to stop) or ComputeError.
[[nodiscard]] AlignStudyResult runAlignStudy(const AlignSideSpec& a, const AlignSideSpec& b,
                                             const AlignStudyOptions& options, const Progress& progress = {},
                                             const AlignWarn& warn = {});

// numpy.percentile(values, q) with linear interpolation; NaN when empty.
[[nodiscard]] double nullPercentile(std::vector<double> values, double q);

// `align --json`'s summary (cli.md "align"): match, rows, dims, permutations, exhaustive, p_min, seconds,
// conditions, the statistics computed, p_values; and `null_95` (statistic -> its null's 95th percentile).
// `dsaScore` names the DSA score for the `dsa` entry.
[[nodiscard]] nlohmann::json alignStudyJson(const AlignStudyResult& result, const AlignStudyOptions& options,
                                            const std::string& dsaScore);

// The aligned trajectories for drawing (the overlay of `figure --view align` and Compare > Align): per matched
// group (a condition or a sector; under time a trial, labelled with side A's condition when known, else
// "trial N") the rows of side A's and side B's first two canonical variates (alignedA / alignedB), in the
// matched order. Throws InputError without the CCA (--method without cca).
struct AlignedTrajectories {
  std::vector<std::string> labels;                    // one per trajectory
  std::vector<std::vector<std::array<double, 2>>> a;  // per trajectory, its points (CC 1, CC 2)
  std::vector<std::vector<std::array<double, 2>>> b;
};
[[nodiscard]] AlignedTrajectories alignedTrajectories(const AlignStudyResult& result);

// The sides' names for a legend: "file.nwb" or "file.nwb + model.pt"; where both would read the same, each
// file (and model) with its parent folder ("d1/demo.nwb + d1/demo_model.pt").
[[nodiscard]] std::pair<std::string, std::string> alignSideNames(const AlignSideSpec& a, const AlignSideSpec& b);

}  // namespace neurolens::app
