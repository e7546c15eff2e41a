#pragma once
// The Model dock's text: what the open model states about itself and how its last run went.
#include <QString>

namespace neurolens::gui {

class PipelineController;

[[nodiscard]] QString modelPanelHtml(const PipelineController& controller);

}  // namespace neurolens::gui
