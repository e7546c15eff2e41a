#pragma once
// Compare > Matrix's view (issue 29 step 4): `align --matrix` over the workspace's ready pairs as the clustered
// heatmap `align --matrix --figure` draws (views/figure/matrix_heatmap.h: labels, p < 0.01 marked). A click on
// a cell off the diagonal asks for that pair's aligned overlay. While the study runs: a progress bar and Cancel;
// Back returns to the view grid. The widget only shows what it is given; MatrixAction runs the study.
#include <QJsonObject>
#include <QWidget>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "logic/matrix_choice.h"
#include "neurolens/app/align_matrix.h"

class QLabel;
class QPushButton;

namespace neurolens::views::figure {
class HeatmapPlot;
}

namespace neurolens::gui {

class StudyBar;

class MatrixHeatmapWidget : public QWidget {
  Q_OBJECT

 public:
  explicit MatrixHeatmapWidget(QWidget* parent = nullptr);
  ~MatrixHeatmapWidget() override;
  // `order`: the sides in display order (row r and column c show sides order[r] and order[c]).
  void setPlot(std::unique_ptr<views::figure::HeatmapPlot> plot, std::vector<std::size_t> order);
  [[nodiscard]] const views::figure::HeatmapPlot* plot() const { return plot_.get(); }
  // The display cell (row, column) under a point of the widget, from the labels the last paint drew.
  [[nodiscard]] std::optional<std::pair<std::size_t, std::size_t>> cellAt(const QPointF& point) const;
  // The centre of a display cell in widget coordinates (from the same labels), for tests.
  [[nodiscard]] std::optional<QPointF> cellCentre(std::size_t row, std::size_t column) const;

 Q_SIGNALS:
  // Sides (indices in the order given, not display order) of a clicked cell off the diagonal.
  void cellClicked(std::size_t sideA, std::size_t sideB);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;

 private:
  std::unique_ptr<views::figure::HeatmapPlot> plot_;
  std::vector<std::size_t> order_;
  std::vector<std::pair<std::size_t, double>> rowCentres_;     // display row -> y of its label
  std::vector<std::pair<std::size_t, double>> columnCentres_;  // display column -> x of its label
};

class MatrixView : public QWidget {
  Q_OBJECT

 public:
  explicit MatrixView(QWidget* parent = nullptr);
  ~MatrixView() override;

  void showRunning(const QString& what);
  void setProgress(double fraction, const QString& stage);
  // `choice`: the pairs the sides are (their labels, their workspace indices).
  void showResult(const app::AlignMatrixResult& result, const MatrixChoice& choice);
  void showError(const QString& message);

  [[nodiscard]] bool hasResult() const { return hasResult_; }
  // align --matrix --json's keys for what is shown (matrixNumbers).
  [[nodiscard]] const nlohmann::json& numbers() const { return numbers_; }
  // The workspace indices of the sides, in side order.
  [[nodiscard]] const std::vector<std::size_t>& pairs() const { return pairs_; }
  [[nodiscard]] MatrixHeatmapWidget* heatmap() const { return heatmap_; }

 Q_SIGNALS:
  void cancelRequested();
  // Back: to the view grid.
  void closeRequested();
  // A cell was clicked: the workspace indices of its two pairs (row's, column's).
  void pairsChosen(std::size_t first, std::size_t second);

 private:
  MatrixHeatmapWidget* heatmap_ = nullptr;
  StudyBar* bar_ = nullptr;  // status, progress with Cancel, Back to the Views
  nlohmann::json numbers_;
  std::vector<std::size_t> pairs_;
  bool hasResult_ = false;
};

// The state's `views` entry for a shown matrix (cli.md "GUI command line"): kind `matrix`, `pairs` (the sides'
// workspace indices), `trajectories` 0 (a heatmap draws none), `numbers` (align --matrix --json's keys).
[[nodiscard]] QJsonObject matrixViewJson(const MatrixView& view);

}  // namespace neurolens::gui
