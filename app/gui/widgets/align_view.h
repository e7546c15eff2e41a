#pragma once
// Compare > Align's view (issue 29 step 2): the two aligned pairs overlaid in one common space, drawn by the same
// plot as `figure --view align` (views/figure/align_overlay.h: A solid, B dashed, one colour per condition), and
// the numbers panel beside it (held-out CCA per dimension and its mean, Procrustes, consistency, each with its
// permutation p-value and its null's 95th percentile). Above them the options row (issue 29 step 6: match,
// condition column, dims, permutations, folds, smoothing, seed, as `align` takes them) and Run; the status line
// names the options that produced the numbers. While the study runs: a progress bar and Cancel.
// The widget only shows what it is given; AlignAction runs the study.
#include <QWidget>
#include <memory>
#include <nlohmann/json.hpp>

#include "logic/align_choice.h"
#include "neurolens/app/align_study.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QPushButton;
class QTableWidget;

namespace neurolens::views::figure {
class AlignOverlayPlot;
}

namespace neurolens::gui {

class StudyBar;

class AlignOverlayWidget : public QWidget {
  Q_OBJECT

 public:
  explicit AlignOverlayWidget(QWidget* parent = nullptr);
  ~AlignOverlayWidget() override;
  void setPlot(std::unique_ptr<views::figure::AlignOverlayPlot> plot);
  [[nodiscard]] const views::figure::AlignOverlayPlot* plot() const { return plot_.get(); }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::unique_ptr<views::figure::AlignOverlayPlot> plot_;
};

class AlignView : public QWidget {
  Q_OBJECT

 public:
  explicit AlignView(QWidget* parent = nullptr);
  ~AlignView() override;

  // The options row: shows `options`; options() reads what is entered there.
  void setOptions(const AlignViewOptions& options);
  [[nodiscard]] AlignViewOptions options() const;

  void showRunning(const QString& what);
  void setProgress(double fraction, const QString& stage);
  // `pairs`: the workspace indices of sides A and B; `options`: those the study ran with.
  void showResult(const app::AlignStudyResult& result, std::pair<std::size_t, std::size_t> pairs,
                  const AlignViewOptions& options = {});
  void showError(const QString& message);

  [[nodiscard]] bool hasResult() const { return hasResult_; }
  [[nodiscard]] QTableWidget* numbersTable() const { return table_; }
  // align --json's keys for what is shown (alignStudyJson, `seconds` left out).
  [[nodiscard]] const nlohmann::json& numbers() const { return numbers_; }
  [[nodiscard]] const std::vector<AlignNumberRow>& rows() const { return rows_; }
  [[nodiscard]] std::pair<std::size_t, std::size_t> pairs() const { return pairs_; }
  // The options of the numbers shown (alignOptionsText), empty without a result.
  [[nodiscard]] const QString& shownOptions() const { return shownOptions_; }
  // Lines drawn: side A's and side B's.
  [[nodiscard]] std::size_t trajectories() const;
  [[nodiscard]] AlignOverlayWidget* overlay() const { return overlay_; }

 Q_SIGNALS:
  // Run: align again with the options entered.
  void runRequested();
  void cancelRequested();
  // Close: back to the view grid.
  void closeRequested();

 private:
  QComboBox* match_ = nullptr;
  QLineEdit* conditionColumn_ = nullptr;
  QSpinBox* dims_ = nullptr;
  QSpinBox* permutations_ = nullptr;
  QSpinBox* folds_ = nullptr;
  QDoubleSpinBox* smooth_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QPushButton* run_ = nullptr;
  AlignOverlayWidget* overlay_ = nullptr;
  QTableWidget* table_ = nullptr;
  StudyBar* bar_ = nullptr;  // status, progress with Cancel, Back to the Views
  nlohmann::json numbers_;
  std::vector<AlignNumberRow> rows_;
  std::pair<std::size_t, std::size_t> pairs_{0, 1};
  QString shownOptions_;
  bool hasResult_ = false;
};

}  // namespace neurolens::gui
