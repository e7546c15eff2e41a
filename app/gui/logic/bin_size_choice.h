#pragma once
// A model's own bin size in the window (issue 18 step 3), Qt-free: when a model that declares bin_ms opens and
// the recordings are binned otherwise, the bin size follows it (the Recording pane shows it and the recordings
// are binned again), unless the open models disagree; then nothing is automatic and a pair in error for its bin
// size offers "Re-bin at N ms".
#include <optional>
#include <string>
#include <vector>

#include "neurolens/workspace/workspace.h"

namespace neurolens::gui {

// The bin size to follow now that `model` is ready: its bin_ms, when it declares one, every other ready model
// that declares one agrees, and the window's bin size (`currentMs`) or a ready recording's differs; else none.
[[nodiscard]] std::optional<double> binSizeToFollow(const workspace::Workspace& space, workspace::Id model,
                                                    double currentMs);

// The ready recordings binned at other than `ms` (their paths, in the order opened): the ones to bin again.
[[nodiscard]] std::vector<std::string> recordingsBinnedOtherwise(const workspace::Workspace& space, double ms);

// The bin size a pair in error would fit at: its model's bin_ms when its recording is binned otherwise and the
// pair is in error; none else (the button "Re-bin at N ms").
[[nodiscard]] std::optional<double> rebinOffer(const workspace::Workspace& space, workspace::Id pair);

// "20", "12.5": a bin size as the status bar and the buttons say it.
[[nodiscard]] std::string binText(double ms);

}  // namespace neurolens::gui
