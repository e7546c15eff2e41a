#pragma once
// A model's unit embeddings in 2-D (issue 18 step 4): one dot per unit at its first two principal components,
// coloured by a unit column: categorical (one colour per value, a legend) or numeric (a sequential colour map
// and a colour bar; a unit whose value is NaN is grey). `figure --view embedding` and the GUI's "Unit embeddings"
// tab draw it (plain data in, QPainter out); the tab finds the unit under the mouse from paintedCentres().
#include <QPainter>
#include <QPointF>
#include <array>
#include <string>
#include <vector>

#include "neurolens/views/figure/figure_style.h"
#include "neurolens/views/figure/plots.h"

namespace neurolens::views::figure {

struct EmbeddingScatterInput {
  std::vector<std::array<double, 2>> points;  // one per unit: (PC 1, PC 2)
  std::vector<std::string> categories;        // categorical colouring: one label per unit (or empty)
  std::vector<double> values;                 // numeric colouring: one value per unit (or empty)
  std::string column;                         // the unit column: legend or colour-bar title
  std::string title;
  std::string xTitle = "PC 1";
  std::string yTitle = "PC 2";
};

class EmbeddingScatterPlot : public Plot {
 public:
  // Throws InputError unless exactly one of categories / values has one entry per point.
  EmbeddingScatterPlot(EmbeddingScatterInput input, const FigureStyle& style);
  void paint(QPainter& painter, const QRectF& area, const PaintContext& context) const override;
  [[nodiscard]] std::vector<std::string> labels() const override;
  [[nodiscard]] const std::vector<LegendEntry>& legend() const { return legend_; }
  [[nodiscard]] const EmbeddingScatterInput& input() const { return input_; }
  // Where the last paint() put each unit's dot, in the painter's device coordinates (NaN: not drawn); empty before
  // the first paint. Found by painting, so it follows the painter's own layout.
  [[nodiscard]] const std::vector<QPointF>& paintedCentres() const { return painted_; }

 private:
  EmbeddingScatterInput input_;
  std::vector<Rgb> colours_;  // one per point (categorical); numeric points are coloured when painted
  std::vector<LegendEntry> legend_;
  std::pair<double, double> range_{0.0, 1.0};  // numeric colouring's range
  mutable std::vector<QPointF> painted_;       // a record of the last paint, not state that changes the drawing
};

}  // namespace neurolens::views::figure
