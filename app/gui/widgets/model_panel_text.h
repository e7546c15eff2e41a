#pragma once
// The Model dock's text: what the open model states about itself and how its last run went; the Recording
// dock's: the open recording's summary and binning.
#include <QString>

namespace neurolens::gui {

class PipelineController;

[[nodiscard]] QString modelPanelHtml(const PipelineController& controller);
[[nodiscard]] QString recordingPanelHtml(const PipelineController& controller);

}  // namespace neurolens::gui
