#pragma once
// Writes a Recording as NWB 2.x in the layout pynwb writes (/units with ragged
// spike_times, /intervals/trials, /processing/behavior/<name>/{data,timestamps}),
// so that pynwb and NeuroLens's own reader can read it back. Used by the demo
// and by tests. Atomic: a failed write leaves nothing behind.
#include <filesystem>

#include "neurolens/core/recording.h"

namespace neurolens::io {

void writeNwb(const Recording& recording, const std::filesystem::path& file);

}  // namespace neurolens::io
