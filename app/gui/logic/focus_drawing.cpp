#include "logic/focus_drawing.h"

#include <filesystem>

namespace neurolens::gui {

namespace {

std::string fileName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

}  // namespace

std::string htmlEscaped(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::optional<FocusDrawing> focusDrawing(const FocusInputs& inputs, const TrajectoryRequest& request) {
  const BinnedRecording* recording = inputs.recording;
  const bool recordingAlone = recording != nullptr && !inputs.modelOpen;
  if (recording == nullptr || (inputs.latents == nullptr && !recordingAlone)) return std::nullopt;
  FocusDrawing drawing;
  drawing.recordingAlone = recordingAlone;
  drawing.trajectories = inputs.latents != nullptr ? buildTrajectories(*inputs.latents, true, *recording, request)
                                                   : buildTrajectories(recording->counts, false, *recording, request);
  drawing.summary = focusSummary(drawing.trajectories, recordingAlone, inputs.modelPath, inputs.recordingPath);
  return drawing;
}

std::string focusSummary(const Trajectories& shown, bool recordingAlone, const std::string& modelPath,
                         const std::string& recordingPath) {
  const std::size_t rows = shown.data.points.rank() > 0 ? shown.data.points.dim(0) : 0;
  const std::string what = shown.means ? "condition means over their single trials"
                           : rows == 1 ? "trajectory"
                                       : "trials";
  const std::string column = shown.groups.column.empty() ? "nothing (one group)" : shown.groups.column;
  return "<b>" + (recordingAlone ? std::string("Smoothed rates (PCA)") : htmlEscaped(fileName(modelPath))) +
         "</b> on <b>" + htmlEscaped(fileName(recordingPath)) +
         "</b>: " + std::to_string(shown.means ? shown.conditionCount() : rows) + " " + what + ", grouped by " +
         htmlEscaped(column) + ".";
}

}  // namespace neurolens::gui
