#pragma once
// The Recording panel's text for a recording summary: plain, no Qt.
#include <string>

#include "neurolens/io/recording_reader.h"

namespace neurolens::gui {

// e.g. "61 units\n210 trials\nduration 84.2 s\ntrial columns: start_time, ..."
[[nodiscard]] std::string describeRecording(const io::RecordingSummary& summary);

}  // namespace neurolens::gui
