#pragma once
// Writes a Recording as NWB 2.x in the layout pynwb writes (/units with ragged
// spike_times, /intervals/trials, /processing/behavior/<name>/{data,timestamps}),
// so that pynwb and NeuroLens's own reader can read it back. Used by the demo
// and by tests. Atomic: a failed write leaves nothing behind.
#include <filesystem>
#include <string>

#include "neurolens/core/recording.h"

namespace neurolens::io {

struct NwbWriteOptions {
  std::string identifier;        // empty: a fresh UUID
  std::string sessionStartTime;  // ISO 8601 with time zone; empty: "2020-01-01T00:00:00+00:00" (repeatable files)
  std::string unitsDescription = "units";
  std::string trialsDescription = "experimental trials";
  // /general/subject (nwbinspector counts a missing subject as critical).
  std::string subjectId = "subject";
  std::string species;                // Latin binomial, e.g. "Macaca mulatta"; empty: not written
  std::string sex = "U";              // M, F, U or O
  std::string age = "P0D/";           // ISO 8601 duration or range; "P0D/": unknown (at least 0 days)
  double spikeTimeResolutionS = 0.0;  // > 0: written as spike_times' resolution
};

// Unit columns that pynwb types as references ("electrodes", "electrode_group")
// cannot be written as plain columns and are left out; every other numeric or
// text column (ragged or not) is written. Each unit's spike times are written in
// ascending order, as NWB requires (sorted here if the recording holds them
// unsorted). Throws ComputeError when the file
// cannot be written, InputError when the recording is inconsistent.
void writeNwb(const Recording& recording, const std::filesystem::path& file, const NwbWriteOptions& options = {});

}  // namespace neurolens::io
