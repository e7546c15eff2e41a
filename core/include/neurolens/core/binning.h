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
  std::string align = "start_time";          // a time column of the trials table
  std::optional<double> windowStartMs;       // default 0
  std::optional<double> windowEndMs;         // default: shortest trial, whole bins
  std::optional<double> chunkMs;             // continuous recordings: pseudo-trials of C ms
  std::string units;                         // "" (all), "id,id,..." or "COLUMN=VALUE"
  std::vector<std::string> behavior;         // names under /processing/behavior
};

struct BinnedRecording {
  std::string source;
  double binMs = 20.0;
  FloatArray counts;                          // [trials, bins, units]
  std::vector<std::int64_t> unitIds;          // kept units, file order
  std::vector<std::int64_t> trialIds;
  std::vector<double> binStartS;              // time of bin 0 of each trial, seconds
  Table units;                                // rows of the kept units
  Table trials;                               // one row per trial (empty columns for continuous data)
  std::map<std::string, FloatArray> behavior;  // name -> [trials, bins, dims]
  std::uint64_t spikesCounted = 0;

  [[nodiscard]] std::size_t trialCount() const { return counts.rank() == 3 ? counts.dim(0) : 0; }
  [[nodiscard]] std::size_t binCount() const { return counts.rank() == 3 ? counts.dim(1) : 0; }
  [[nodiscard]] std::size_t unitCount() const { return counts.rank() == 3 ? counts.dim(2) : 0; }
};

// Throws InputError when the options do not fit the recording (unknown align
// column, empty window, unknown unit id or behaviour ...).
BinnedRecording binRecording(const Recording& recording, const BinningOptions& options,
                             const Progress& progress = {});

}  // namespace neurolens
