#pragma once
// Reading recordings from files. NWB (HDF5) is built in; other formats come from
// reader plugins registered at run time (see plugins/sdk).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/core/binning.h"
#include "neurolens/core/progress.h"
#include "neurolens/core/recording.h"

namespace neurolens::io {

// What `info` reports, read without loading spike times into memory where the
// file allows it.
struct BehaviorInfo {
  std::vector<std::size_t> dims;  // e.g. {samples, 2}
  std::size_t samples = 0;
  std::string unit;
};
struct RecordingSummary {
  std::size_t units = 0;
  std::size_t trials = 0;  // 0 for continuous recordings
  double durationS = 0.0;
  std::vector<std::string> unitColumns;
  std::vector<std::string> trialColumns;
  std::map<std::string, BehaviorInfo> behavior;
  std::string sessionDescription;
};

// Throws InputError naming the file and the problem (not HDF5, truncated,
// missing /units, ragged index out of range, NaN spike times, ...).
[[nodiscard]] RecordingSummary readRecordingSummary(const std::filesystem::path& file);
[[nodiscard]] Recording readRecording(const std::filesystem::path& file, const Progress& progress = {});

// Reads the tables and behaviour of a recording, then bins its spike times
// straight from the file one unit at a time (never the whole spike-time array
// in memory): what `neurolens-cli bin` uses. Same results as
// binRecording(readRecording(file), options).
[[nodiscard]] BinnedRecording binRecordingFile(const std::filesystem::path& file, const BinningOptions& options,
                                               const Progress& progress = {});

// Binning a continuous recording whose counts may not fit in memory (issue 20 step 5): as binRecordingFile,
// but a block of `blockUnits` kept units at a time, each block's counts [trials, bins, block units] handed to
// `sink` (firstUnit = the block's first kept unit, totalUnits = all kept units) and then dropped, so memory
// holds one block (2 x trials x bins x blockUnits floats) and one unit's spike times, never all the counts.
// The blocks are exactly the columns binRecordingFile gives. The result holds everything else: its counts stay
// empty (their shape is in trials/bins/units). nullopt, before any binning, when the recording has a trials
// table or repeated unit ids: bin those with binRecordingFile.
struct BinnedBlocks {
  BinnedRecording binned;  // counts empty; unitIds, tables, behaviour, spikesCounted as binRecordingFile
  std::size_t trials = 0;
  std::size_t bins = 0;
  std::size_t units = 0;
};
using CountsBlockSink = std::function<void(std::size_t firstUnit, std::size_t totalUnits, const FloatArray& counts)>;
[[nodiscard]] std::optional<BinnedBlocks> binRecordingFileInBlocks(const std::filesystem::path& file,
                                                                   const BinningOptions& options,
                                                                   std::size_t blockUnits, const CountsBlockSink& sink,
                                                                   const Progress& progress = {});

}  // namespace neurolens::io
