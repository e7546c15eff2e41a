#pragma once
// Reading recordings from files. NWB (HDF5) is built in; other formats come from
// reader plugins registered at run time (see plugins/sdk).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
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

// The counts of a continuous recording binned window by window straight from the file, for `infer --stream-ms`
// on a recording larger than memory (issue 20 step 5; a CountsReader of streaming.h): read(trial, begin, end)
// gives bins [begin, end) of one trial [end - begin, units], exactly those binRecordingFile gives. Opening reads
// the spike times once (the extent, and every 256th time of each unit as an index); memory then holds that
// index (1/256 of the spike times) and one window's spike times and counts.
class WindowedCounts {
 public:
  // nullptr, before any binning, for a recording with a trials table, repeated unit ids or a unit whose spike
  // times are not in time order: bin those with binRecordingFile. Throws InputError as binRecordingFile does.
  [[nodiscard]] static std::unique_ptr<WindowedCounts> open(const std::filesystem::path& file,
                                                            const BinningOptions& options,
                                                            const Progress& progress = {});
  ~WindowedCounts();
  WindowedCounts(const WindowedCounts&) = delete;
  WindowedCounts& operator=(const WindowedCounts&) = delete;

  // Everything binRecordingFile gives but the counts (empty) and spikesCounted (0).
  [[nodiscard]] const BinnedRecording& binned() const;
  [[nodiscard]] std::size_t trials() const;
  [[nodiscard]] std::size_t bins() const;
  [[nodiscard]] std::size_t units() const;
  // Throws InputError for bins outside the trial.
  [[nodiscard]] FloatArray read(std::size_t trial, std::size_t begin, std::size_t end) const;

 private:
  struct Impl;
  explicit WindowedCounts(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace neurolens::io
