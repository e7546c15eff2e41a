#pragma once
// The Analysis dock: attribution (method, steps, baseline, targets, trials) with
// the type-latent link (type column, permutations) behind it, and a probe (target,
// features). Results are drawn with the figure painters: attribution profiles
// units x latents grouped by type with the link's p-values, the type x latent
// association, and the probe's R2 per dimension. A unit type can be selected here
// (list beside the heatmap) or from outside (setSelectedType): the heatmap marks it.
#include <QString>
#include <QWidget>
#include <memory>
#include <optional>
#include <vector>

#include "pipeline_controller.h"

class QComboBox;
class QSpinBox;
class QLineEdit;
class QPushButton;
class QListWidget;
class QLabel;
class QTabWidget;

namespace neurolens::gui {

class PlotWidget;
class WindowAttributionView;
class EmbeddingView;

class AnalysisPanel : public QWidget {
  Q_OBJECT

 public:
  explicit AnalysisPanel(QWidget* parent = nullptr);

  // Fills the choices from the open recording and model (type columns, probe targets, latent count).
  void setInputs(const BinnedRecording* recording, std::int64_t latentCount, bool hasLatents);
  void showAttribution(std::shared_ptr<const AttributionOutcome> outcome);
  void showProbe(const std::shared_ptr<const ProbeOutcome>& outcome);
  void setBusy(bool busy);

  // The request the controls describe (InputError-free: bad target text falls back to all).
  [[nodiscard]] AttributionRequest attributionRequest() const;
  [[nodiscard]] ProbeRequest probeRequest() const;
  void setAttributionRequest(const AttributionRequest& request);

  // The highlighted unit type ("" none). Emits typeSelected only for changes made here.
  void setSelectedType(const QString& type);
  // The unit outlined in the attribution heatmap (nullopt: none).
  void setSelectedUnit(std::optional<std::size_t> unit);
  [[nodiscard]] const QString& selectedType() const { return selectedType_; }
  // The result plots (attribution heatmap, link, probe) and summary: a widget of
  // their own so the window can give them room (a dock under the 3-D view).
  [[nodiscard]] QWidget* resultsWidget() const { return resultsPage_; }
  [[nodiscard]] PlotWidget* attributionPlot() const { return attributionPlot_; }
  [[nodiscard]] PlotWidget* associationPlot() const { return associationPlot_; }
  [[nodiscard]] PlotWidget* probePlot() const { return probePlot_; }
  [[nodiscard]] QPushButton* attributionButton() const { return runAttribution_; }
  // The "Cursor window" tab: the attribution of the window under the time cursor (issue 21 step 4).
  [[nodiscard]] WindowAttributionView* windowAttributionView() const { return windowView_; }
  // True while that tab is the one shown (only then is the window attributed).
  [[nodiscard]] bool cursorWindowShown() const;
  void showCursorWindow();
  [[nodiscard]] QPushButton* probeButton() const { return runProbe_; }
  // The "Unit embeddings" tab: the model's unit embeddings, PCA (issue 18 step 4); a click on a dot is unitClicked.
  [[nodiscard]] EmbeddingView* embeddingView() const { return embeddingView_; }
  void showEmbeddings();

 Q_SIGNALS:
  void attributionRequested(const neurolens::gui::AttributionRequest& request);
  void probeRequested(const neurolens::gui::ProbeRequest& request);
  void typeSelected(const QString& type);
  // A unit's cell in the attribution heatmap, or its dot in the unit embeddings, was clicked.
  void unitClicked(std::size_t unit);
  // The method, steps or baseline changed (the cursor window is attributed again).
  void attributionOptionsChanged();
  void cursorWindowShownChanged(bool shown);

 private:
  void redrawAttribution();

  QComboBox* method_ = nullptr;
  QSpinBox* steps_ = nullptr;
  QComboBox* baseline_ = nullptr;
  QLineEdit* targets_ = nullptr;
  QSpinBox* trials_ = nullptr;
  QComboBox* typeColumn_ = nullptr;
  QSpinBox* permutations_ = nullptr;
  QPushButton* runAttribution_ = nullptr;
  QComboBox* probeTarget_ = nullptr;
  QComboBox* probeFeatures_ = nullptr;
  QComboBox* probeRows_ = nullptr;
  QPushButton* runProbe_ = nullptr;
  QWidget* resultsPage_ = nullptr;
  QTabWidget* results_ = nullptr;
  QListWidget* types_ = nullptr;
  QLabel* summary_ = nullptr;
  PlotWidget* attributionPlot_ = nullptr;
  PlotWidget* associationPlot_ = nullptr;
  PlotWidget* probePlot_ = nullptr;
  WindowAttributionView* windowView_ = nullptr;
  EmbeddingView* embeddingView_ = nullptr;
  std::shared_ptr<const AttributionOutcome> shown_;
  QString selectedType_;
  bool hasLatents_ = false;
  bool busy_ = false;
};

}  // namespace neurolens::gui
