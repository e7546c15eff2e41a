#pragma once
// Two aligned sides in one common space (issue 29 step 2): each matched trajectory (a condition, a sector, or
// a trial under time) of side A drawn solid and of side B dashed over the first two canonical variates of
// `align`'s transforms, one colour per condition, a legend naming the conditions and which side is which.
// `figure --view align` and the GUI's Compare > Align draw this same plot (plain data in, QPainter out).
#include <QPainter>
#include <array>
#include <string>
#include <vector>

#include "neurolens/views/figure/figure_style.h"
#include "neurolens/views/figure/plots.h"

namespace neurolens::views::figure {

struct AlignOverlayInput {
  std::vector<std::string> labels;                    // one per trajectory (its condition)
  std::vector<std::vector<std::array<double, 2>>> a;  // per trajectory: side A's points (CC 1, CC 2)
  std::vector<std::vector<std::array<double, 2>>> b;  // per trajectory: side B's points
  std::string nameA = "A";                            // legend: "A: <nameA>" (solid)
  std::string nameB = "B";                            // legend: "B: <nameB>" (dashed)
  std::string title;
  std::string xTitle = "CC 1";
  std::string yTitle = "CC 2";
  std::string conditionColumn = "condition";  // for telling angles from other ordered labels (colours)
  std::string prefixA = "A: ";                // before nameA in the legend ("" for figure --view lesion's "intact")
  std::string prefixB = "B: ";
};

class AlignOverlayPlot : public Plot {
 public:
  // Colours the conditions as the trajectory views do (scene::conditionColours with the style's palette).
  // Throws InputError when A and B do not have one point list per label.
  AlignOverlayPlot(AlignOverlayInput input, const FigureStyle& style);
  void paint(QPainter& painter, const QRectF& area, const PaintContext& context) const override;
  [[nodiscard]] std::vector<std::string> labels() const override;
  // Polylines drawn: side A's and side B's (each trajectory with at least one point).
  [[nodiscard]] std::size_t linesA() const;
  [[nodiscard]] std::size_t linesB() const;
  // The condition names in legend order and their colours.
  [[nodiscard]] const std::vector<LegendEntry>& conditionLegend() const { return conditionLegend_; }
  [[nodiscard]] const AlignOverlayInput& input() const { return input_; }

 private:
  AlignOverlayInput input_;
  std::vector<Rgb> colours_;  // one per trajectory
  std::vector<LegendEntry> conditionLegend_;
};

}  // namespace neurolens::views::figure
