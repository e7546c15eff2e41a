#pragma once
// DataHigh-layout MATLAB files (v5/v7 and v7.3/HDF5, through libmatio): a struct
// array `D` whose `.data` is [units x 1 ms bins] spike counts per trial and whose
// `.condition` names the trial's condition. A plain library: no Qt, tested on its own;
// the plugin is a thin shell around it.
#include <filesystem>

#include "neurolens/core/progress.h"
#include "neurolens/core/recording.h"

namespace neurolens::datahigh {

// Gap inserted between consecutive trials on the recording's time axis (DataHigh
// trials are separate segments; pmd_reach_yu2009.nwb was converted the same way).
constexpr double kTrialGapS = 0.2;
constexpr double kBinS = 0.001;  // DataHigh .data bins are 1 ms

// True when the file starts with a MATLAB 5/7/7.3 header ("MATLAB 5.0 MAT-file", "MATLAB 7.3 MAT-file").
[[nodiscard]] bool looksLikeMatFile(const std::filesystem::path& file);

// Spike counts become spike times at the centre of their 1 ms bin; trial i starts
// where trial i-1 stopped plus kTrialGapS. Throws InputError naming the file and
// the problem (not a MAT file, no struct array D, no .data, ragged unit counts,
// negative or non-integer counts ...).
[[nodiscard]] Recording readDataHighMat(const std::filesystem::path& file, const Progress& progress = {});

}  // namespace neurolens::datahigh
