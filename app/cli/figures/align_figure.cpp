// `figure --view align` (align_figure.h).
#include "figures/align_figure.h"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <memory>
#include <sstream>
#include <tuple>

#include "neurolens/views/figure/align_overlay.h"
#include "neurolens/views/palette.h"

namespace neurolens::cli {

AlignFigureResult writeAlignFigure(const AlignFigureRequest& request, const views::figure::FigureStyle& style,
                                   const Progress& progress, const app::AlignWarn& warn) {
  namespace fig = views::figure;
  const app::AlignStudyResult study = app::runAlignStudy(request.a, request.b, request.study, progress, warn);
  const app::AlignedTrajectories trajectories = app::alignedTrajectories(study);
  fig::AlignOverlayInput input;
  input.labels = trajectories.labels;
  input.a = trajectories.a;
  input.b = trajectories.b;
  std::tie(input.nameA, input.nameB) = app::alignSideNames(request.a, request.b);
  std::ostringstream title;
  title << "aligned (" << study.match << ", " << study.stats.dims << " dims): held-out CCA " << std::fixed
        << std::setprecision(2) << study.stats.ccaHeldoutMean;
  input.title = title.str();
  input.conditionColumn = request.study.conditionColumn;
  auto plot = std::make_unique<fig::AlignOverlayPlot>(input, style);

  AlignFigureResult result;
  result.linesA = plot->linesA();
  result.linesB = plot->linesB();
  result.trajectories = result.linesA + result.linesB;
  for (const auto& entry : plot->conditionLegend()) {
    const auto trials = std::count(study.a.conditions.begin(), study.a.conditions.end(), entry.text);
    result.conditions.push_back({{"label", entry.text}, {"trials", trials}, {"color", views::toHex(entry.colour)}});
  }
  result.numbers = app::alignStudyJson(study, request.study, "angular");
  fig::Figure figure;
  figure.add(std::move(plot));
  fig::exportFigure(figure, request.out, request.exportOptions, style, &result.labels);
  return result;
}

}  // namespace neurolens::cli
