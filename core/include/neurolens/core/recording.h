#pragma once
// A recording as read from a file (NWB, MAT ...): spike times per unit, the unit
// and trial tables, and behavioural time series. Times are in seconds.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/core/table.h"

namespace neurolens {

// Ragged spike times: unit u owns times[end[u-1] .. end[u]).
struct SpikeTrains {
  std::vector<double> times;
  std::vector<std::uint64_t> end;  // one per unit

  [[nodiscard]] std::size_t units() const { return end.size(); }
  [[nodiscard]] std::uint64_t begin(std::size_t unit) const { return unit == 0 ? 0 : end[unit - 1]; }
};

// A behavioural series, e.g. /processing/behavior/hand_vel: samples x dims, row-major.
struct BehaviorSeries {
  std::string name;
  std::string unit;                // physical unit as written in the file (e.g. "cm/s")
  std::vector<double> timestamps;  // one per sample
  std::vector<double> data;        // samples * dims
  std::size_t dims = 1;

  [[nodiscard]] std::size_t samples() const { return timestamps.size(); }
};

struct Recording {
  std::string source;  // file the recording came from (for messages)
  std::string sessionDescription;
  std::string identifier;             // NWB /identifier (picks a multi-session model's session); may be empty
  std::vector<std::int64_t> unitIds;  // one per unit, file order
  SpikeTrains spikes;
  Table units;                         // every unit column except spike times (includes "location" when known)
  std::optional<Table> trials;         // with numeric "start_time" and "stop_time"; none for continuous recordings
  std::vector<std::int64_t> trialIds;  // one per trial row
  std::vector<BehaviorSeries> behavior;

  [[nodiscard]] const BehaviorSeries* findBehavior(const std::string& name) const {
    for (const auto& series : behavior)
      if (series.name == name) return &series;
    return nullptr;
  }
};

}  // namespace neurolens
