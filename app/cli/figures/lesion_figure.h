#pragma once
// `figure --view lesion` (../shared/spec/cli.md "figure"; issue 29 step 3): the condition means of the intact
// latents solid and of the lesioned latents dashed, both in the first two principal components of the intact
// condition means, one colour per condition, a legend naming both; the study is the CLI's own
// (neurolens/app/lesion_study.h), drawn by the overlay plot of `--view align` (views/figure/align_overlay.h).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "neurolens/app/lesion_study.h"
#include "neurolens/views/figure/figure.h"
#include "neurolens/views/figure/figure_style.h"

namespace neurolens::cli {

struct LesionFigureRequest {
  app::LesionStudySpec study;
  std::string conditionColumn = "condition";  // for the colours (angles on a cyclic map)
  std::string out;
  views::figure::ExportOptions exportOptions;
};

struct LesionFigureResult {
  nlohmann::json conditions = nlohmann::json::array();  // {label, trials, color}
  std::size_t trajectories = 0;                         // lines drawn, intact and lesioned
  std::size_t linesIntact = 0;
  std::size_t linesLesioned = 0;
  nlohmann::json numbers;  // lesion --json's keys for the same study (`seconds` left out)
  std::vector<views::figure::DrawnLabel> labels;
};

// Runs the study, draws the overlay and writes `out` (PNG, SVG, PDF by extension).
[[nodiscard]] LesionFigureResult writeLesionFigure(const LesionFigureRequest& request,
                                                   const views::figure::FigureStyle& style, const Progress& progress,
                                                   const app::LesionWarn& warn);

}  // namespace neurolens::cli
