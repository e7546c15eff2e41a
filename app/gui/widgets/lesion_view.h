#pragma once
// The Lesion panel's view (issue 29 step 3): the pair's intact condition means solid and the lesioned ones
// dashed in the intact latents' first two principal components, drawn by the plot of `figure --view lesion`
// (views/figure/align_overlay.h, one colour per condition), and the effects table beside it (variance lost,
// condition shift, bits per spike and probe, each with its percentile among the random lesions and p-value).
// Above them: the units (a unit column's value, or the units selected in any view), the mode (zero, mean,
// shuffle, boost:F), the random lesions of the null and the seed (remembered, issue 29 step 6), Lesion and Undo. While
// the study runs: a progress bar and Cancel. The widget only shows what it is given; LesionAction runs the study.
#include <QStringList>
#include <QWidget>
#include <nlohmann/json.hpp>

#include "logic/lesion_choice.h"
#include "neurolens/app/lesion_study.h"

class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace neurolens::gui {

class StudyBar;

class AlignOverlayWidget;

class LesionView : public QWidget {
  Q_OBJECT

 public:
  explicit LesionView(QWidget* parent = nullptr);
  ~LesionView() override;

  // The choices of the units box ("COLUMN=VALUE" ...); the text typed or chosen is kept when it is among them.
  void setUnitChoices(const QStringList& choices);
  void setUnits(const QString& units);
  void setMode(const QString& mode);
  [[nodiscard]] QString units() const;
  [[nodiscard]] QString mode() const;
  void setOptions(const LesionViewOptions& options);
  [[nodiscard]] LesionViewOptions options() const;

  void showRunning(const QString& what);
  void setProgress(double fraction, const QString& stage);
  // One lesion of a study on the workspace pair `pair`: intact solid, lesioned dashed, the effects table.
  void showResult(const app::LesionStudyResult& result, std::size_t pair);
  // The intact view of a study (after Undo past the first lesion): intact solid only, no effects.
  void showIntact(const app::LesionStudyResult& result, std::size_t pair);
  void showError(const QString& message);
  void setUndoEnabled(bool enabled);

  [[nodiscard]] bool hasResult() const { return hasResult_; }
  // The `lesions` entry of lesion --json for what is shown (empty when the intact view is shown).
  [[nodiscard]] const nlohmann::json& numbers() const { return numbers_; }
  [[nodiscard]] const std::vector<LesionNumberRow>& rows() const { return rows_; }
  [[nodiscard]] std::size_t pair() const { return pair_; }
  [[nodiscard]] QTableWidget* effectsTable() const { return table_; }
  [[nodiscard]] AlignOverlayWidget* overlay() const { return overlay_; }
  // Lines drawn: intact and lesioned.
  [[nodiscard]] std::size_t trajectories() const;
  [[nodiscard]] std::size_t lesionedLines() const;

 Q_SIGNALS:
  void runRequested();
  void useSelectedRequested();
  void undoRequested();
  void cancelRequested();
  void closeRequested();  // Back to the Views

 private:
  void fillTable();

  QComboBox* units_ = nullptr;
  QComboBox* mode_ = nullptr;
  QPushButton* selected_ = nullptr;
  QSpinBox* repeats_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QPushButton* run_ = nullptr;
  QPushButton* undo_ = nullptr;
  AlignOverlayWidget* overlay_ = nullptr;
  QTableWidget* table_ = nullptr;
  StudyBar* bar_ = nullptr;  // status, progress with Cancel, Back to the Views
  nlohmann::json numbers_;
  std::vector<LesionNumberRow> rows_;
  std::size_t pair_ = 0;
  bool hasResult_ = false;
};

}  // namespace neurolens::gui
