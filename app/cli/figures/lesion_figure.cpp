// `figure --view lesion` (lesion_figure.h).
#include "figures/lesion_figure.h"

#include <algorithm>
#include <memory>

#include "neurolens/views/figure/align_overlay.h"
#include "neurolens/views/palette.h"

namespace neurolens::cli {

LesionFigureResult writeLesionFigure(const LesionFigureRequest& request, const views::figure::FigureStyle& style,
                                     const Progress& progress, const app::LesionWarn& warn) {
  namespace fig = views::figure;
  const app::LesionStudyResult study = app::runLesionStudyFor(request.study, progress, warn);
  const app::LesionTrajectories lines = app::lesionTrajectories(study);
  fig::AlignOverlayInput input;
  input.labels = lines.labels;
  input.a = lines.intact;
  input.b = lines.lesioned;
  input.prefixA.clear();
  input.prefixB.clear();
  input.nameA = "intact";
  input.nameB = app::lesionedName(study);
  input.title = app::lesionTitle(study);
  input.xTitle = "PC 1";
  input.yTitle = "PC 2";
  input.conditionColumn = request.conditionColumn;
  auto plot = std::make_unique<fig::AlignOverlayPlot>(input, style);

  LesionFigureResult result;
  result.linesIntact = plot->linesA();
  result.linesLesioned = plot->linesB();
  result.trajectories = result.linesIntact + result.linesLesioned;
  const std::vector<std::string>& groups = study.options.conditionOfTrial;
  for (const auto& entry : plot->conditionLegend()) {
    const auto trials = groups.empty() ? static_cast<std::ptrdiff_t>(study.binned.trialCount())
                                       : std::count(groups.begin(), groups.end(), entry.text);
    result.conditions.push_back({{"label", entry.text}, {"trials", trials}, {"color", views::toHex(entry.colour)}});
  }
  result.numbers = app::lesionStudyJson(study);
  result.numbers.erase("seconds");
  fig::Figure figure;
  figure.add(std::move(plot));
  fig::exportFigure(figure, request.out, request.exportOptions, style, &result.labels);
  return result;
}

}  // namespace neurolens::cli
