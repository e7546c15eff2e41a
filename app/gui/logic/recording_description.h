#pragma once
// The Recording panel's text for a recording summary: plain, no Qt.
#include <string>

#include "neurolens/core/binning.h"
#include "neurolens/core/table.h"
#include "neurolens/io/recording_reader.h"

namespace neurolens::gui {

// e.g. "61 units\n210 trials\nduration 84.2 s\ntrial columns: start_time, ..."
[[nodiscard]] std::string describeRecording(const io::RecordingSummary& summary);

// The Units tab leads with each unit's id in the file (NWB units/id, a MAT-file's row), so that a recording
// without unit metadata still lists its units. Rows stay the binned recording's units, in its order.
[[nodiscard]] Table unitsWithIds(const BinnedRecording& recording);

}  // namespace neurolens::gui
