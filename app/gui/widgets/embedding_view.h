#pragma once
// The Analysis results' "Unit embeddings" tab (issue 18 step 4): the focused pair's unit embeddings (a model with
// a unit vocabulary, as POYO's) on two of their first three principal components, or PC 1-3 in 3-D turned by
// dragging, one dot per unit coloured by a unit column chosen in a combo (categorical: legend, numeric and
// firing_rate: colour bar, NaN grey), drawn by the figure's painter (views/figure/embedding_scatter.h). Hovering
// a dot names its unit; clicking it emits unitClicked (the window selects it in the Units table); the selected
// unit is ringed. A model without embeddings gets one line saying so. The decisions are logic/embedding_choice.h; the
// embeddings are read in the background when the tab is shown (connectEmbeddingView).
#include <QPointF>
#include <QString>
#include <QWidget>
#include <memory>
#include <optional>

#include "jobs/background_job.h"
#include "logic/embedding_choice.h"

class QComboBox;
class QLabel;

namespace neurolens::gui {

class PipelineController;
class PlotWidget;

class EmbeddingView : public QWidget {
  Q_OBJECT

 public:
  explicit EmbeddingView(QWidget* parent = nullptr);
  ~EmbeddingView() override;
  EmbeddingView(const EmbeddingView&) = delete;
  EmbeddingView& operator=(const EmbeddingView&) = delete;

  // The focused pair (either may be null). Its embeddings are read when the tab is visible (at once if it is).
  void setPair(std::shared_ptr<const BinnedRecording> recording, std::shared_ptr<const Model> model);
  void setSelectedUnit(std::optional<std::size_t> unit);
  // Chooses a colour column by name (false when not offered).
  bool setColourColumn(const QString& column);

  // Tests and the status line.
  [[nodiscard]] bool busy() const { return job_.isRunning(); }
  [[nodiscard]] const std::shared_ptr<const EmbeddingSpace>& space() const { return space_; }
  [[nodiscard]] const std::optional<EmbeddingPicture>& picture() const { return picture_; }
  // The line shown instead of the scatter ("" while it is drawn).
  [[nodiscard]] const QString& message() const { return message_; }
  [[nodiscard]] QString hoverText() const;
  [[nodiscard]] QComboBox* colourCombo() const { return colour_; }
  [[nodiscard]] QComboBox* axesCombo() const { return axes_; }
  [[nodiscard]] PlotWidget* canvas() const;
  // True in the 3-D view (PC 1-3 turned by dragging); turn() is how it is turned.
  [[nodiscard]] bool turning() const;
  [[nodiscard]] const Turn& turn() const { return turn_; }
  [[nodiscard]] std::optional<std::size_t> selectedUnit() const { return selected_; }
  // Where unit `unit`'s dot was last drawn, in canvas coordinates (nullopt: not drawn).
  [[nodiscard]] std::optional<QPointF> unitCentre(std::size_t unit) const;

 Q_SIGNALS:
  void unitClicked(std::size_t unit);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  void computeIfNeeded();
  void onComputed();
  void showSpace();
  void redraw();
  void hover(std::optional<std::size_t> unit);
  void showMessage(const QString& text);

  QComboBox* colour_ = nullptr;
  QComboBox* axes_ = nullptr;
  QLabel* hover_ = nullptr;
  class Canvas;
  Canvas* canvas_ = nullptr;
  std::shared_ptr<const BinnedRecording> recording_;
  std::shared_ptr<const Model> model_;
  bool stale_ = false;  // the pair changed since its embeddings were read
  std::shared_ptr<const EmbeddingSpace> space_;
  std::shared_ptr<EmbeddingSpace> computed_;  // written by the job
  std::shared_ptr<const BinnedRecording> computedFor_;
  std::optional<EmbeddingPicture> picture_;
  std::optional<std::size_t> selected_;
  QString message_;
  Turn turn_;
  BackgroundJob job_;  // last: cancelled and waited for before the state above goes
};

// Feeds the view the pipeline's focused pair (recording, bound model) whenever either changes.
void connectEmbeddingView(EmbeddingView& view, PipelineController& pipeline);

}  // namespace neurolens::gui
