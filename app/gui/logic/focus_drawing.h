#pragma once
// Qt-free: what the window's own view (the focus: the pair the docks hold) draws after a rebuild. A model's
// latents on its recording, or a recording alone (no model open) as its smoothed rates' principal components,
// through the scene builder (buildTrajectories); nothing while a model has not run on the recording. Also the
// Analysis dock's one-line summary of what is drawn.
#include <optional>
#include <string>

#include "logic/pipeline.h"

namespace neurolens::gui {

struct FocusInputs {
  const BinnedRecording* recording = nullptr;
  bool modelOpen = false;
  const FloatArray* latents = nullptr;  // the model's on the recording; null while it has not run
  std::string recordingPath;
  std::string modelPath;
};

struct FocusDrawing {
  Trajectories trajectories;
  std::string summary;  // HTML, for the Analysis dock
  bool recordingAlone = false;
};

// None: nothing to draw (no recording, or a model that has not run on it). Throws InputError when the
// trajectories cannot be built (shapes that disagree).
[[nodiscard]] std::optional<FocusDrawing> focusDrawing(const FocusInputs& inputs, const TrajectoryRequest& request);

// "<b>model.pt</b> on <b>rec.nwb</b>: 8 condition means over their single trials, grouped by condition."
[[nodiscard]] std::string focusSummary(const Trajectories& shown, bool recordingAlone, const std::string& modelPath,
                                       const std::string& recordingPath);

// Text for rich-text labels: & < > " escaped (as QString::toHtmlEscaped).
[[nodiscard]] std::string htmlEscaped(const std::string& text);

}  // namespace neurolens::gui
