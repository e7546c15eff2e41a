#pragma once
// `figure --view align` (../shared/spec/cli.md "figure"; issue 29 step 2): the two sides of `align` in one
// common space (align's transforms: the first two canonical variates), side A solid, side B dashed, one colour
// per condition, the legend naming both; the study is the CLI's own (neurolens/app/align_study.h).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "neurolens/app/align_study.h"
#include "neurolens/views/figure/figure.h"
#include "neurolens/views/figure/figure_style.h"

namespace neurolens::cli {

struct AlignFigureRequest {
  app::AlignSideSpec a;
  app::AlignSideSpec b;
  app::AlignStudyOptions study;
  std::string out;
  views::figure::ExportOptions exportOptions;
};

struct AlignFigureResult {
  nlohmann::json conditions = nlohmann::json::array();  // {label, trials (side A's), color}
  std::size_t trajectories = 0;                         // lines drawn, both sides
  std::size_t linesA = 0;
  std::size_t linesB = 0;
  nlohmann::json numbers;  // align --json's keys for the same study
  std::vector<views::figure::DrawnLabel> labels;
};

// Runs the study, draws the overlay and writes `out` (PNG, SVG, PDF by extension).
[[nodiscard]] AlignFigureResult writeAlignFigure(const AlignFigureRequest& request,
                                                 const views::figure::FigureStyle& style, const Progress& progress,
                                                 const app::AlignWarn& warn);

}  // namespace neurolens::cli
