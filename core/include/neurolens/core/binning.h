#pragma once
// Binning a recording into counts [trials, bins, units], exactly as
// ../shared/spec/cli.md defines it ("Binning options").
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/core/ndarray.h"
#include "neurolens/core/progress.h"
#include "neurolens/core/recording.h"
#include "neurolens/core/table.h"

namespace neurolens {

struct BinningOptions {
  double binMs = 20.0;
  std::string align = "start_time";     // a time column of the trials table
  std::optional<double> windowStartMs;  // default 0
  std::optional<double> windowEndMs;    // default: shortest trial, whole bins
  std::optional<double> chunkMs;        // continuous recordings: pseudo-trials of C ms
  std::string units;                    // "" (all), "id,id,..." or "COLUMN=VALUE"
  std::vector<std::string> behavior;    // names under /processing/behavior
};

struct BinnedRecording {
  std::string source;
  std::string identifier;  // the recording's (NWB /identifier), for multi-session models
  double binMs = 20.0;
  FloatArray counts;                  // [trials, bins, units]
  std::vector<std::int64_t> unitIds;  // kept units, file order
  std::vector<std::int64_t> trialIds;
  std::vector<double> binStartS;               // time of bin 0 of each trial, seconds
  Table units;                                 // rows of the kept units
  Table trials;                                // one row per trial (start/stop only for continuous data)
  bool continuous = false;                     // no trials table: the trials are the whole recording or chunks
  std::map<std::string, FloatArray> behavior;  // name -> [trials, bins, dims]
  std::uint64_t spikesCounted = 0;

  [[nodiscard]] std::size_t trialCount() const { return counts.rank() == 3 ? counts.dim(0) : 0; }
  [[nodiscard]] std::size_t binCount() const { return counts.rank() == 3 ? counts.dim(1) : 0; }
  [[nodiscard]] std::size_t unitCount() const { return counts.rank() == 3 ? counts.dim(2) : 0; }
};

// Where spike times come from while binning: the recording in memory, or a file
// read one unit at a time (io::binRecordingFile) so that memory stays near the
// size of the counts however many spikes the file holds.
class SpikeSource {
 public:
  virtual ~SpikeSource() = default;
  [[nodiscard]] virtual std::size_t units() const = 0;
  // Latest spike time over all units; nullopt when no unit has a spike.
  [[nodiscard]] virtual std::optional<double> lastSpikeTime() const = 0;
  // Replaces `out` with the unit's spike times, in file order (not necessarily sorted).
  virtual void readUnit(std::size_t unit, std::vector<double>& out) const = 0;
};

// Bin edges as computed everywhere (and by the Python references): bin k of a
// trial spans [origin + k * binS, origin + (k + 1) * binS), with
// origin = align + windowStartMs / 1000 and binS = binMs / 1000 in double precision.
[[nodiscard]] inline double binEdgeSeconds(double origin, double binSeconds, std::size_t k) {
  return origin + static_cast<double>(k) * binSeconds;
}

// Rows (trial, bin) of a binned behavioural series [trials, bins, dims] with any NaN:
// bins outside the series' time span, left out of every fit (`behavior_rows_dropped`).
[[nodiscard]] std::size_t behaviorRowsMissing(const FloatArray& behavior);

// Throws InputError when the options do not fit the recording (unknown align
// column, empty window, unknown unit id or behaviour ...).
BinnedRecording binRecording(const Recording& recording, const BinningOptions& options, const Progress& progress = {});
// The same with spike times taken from `spikes` (recording.spikes is ignored;
// the recording supplies unit ids, tables and behaviour).
BinnedRecording binRecording(const Recording& recording, const SpikeSource& spikes, const BinningOptions& options,
                             const Progress& progress = {});

}  // namespace neurolens
