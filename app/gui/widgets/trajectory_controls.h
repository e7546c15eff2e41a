#pragma once
// Controls of the 3-D trajectory view: projection (PCA or the first three raw
// latents), the trial column that groups trajectories, what colours them (their
// group, time, a behaviour channel or attribution), single trials or group means,
// a legend whose checkboxes hide and show groups, and a time slider with
// play/pause that moves the cursor markers.
#include <QTimer>
#include <QWidget>
#include <string>
#include <vector>

#include "logic/colouring.h"
#include "logic/pipeline.h"

class QComboBox;
class QDoubleSpinBox;
class QCheckBox;
class QListWidget;
class QSlider;
class QToolButton;
class QLabel;

namespace neurolens::gui {

class TrajectoryControls : public QWidget {
  Q_OBJECT

 public:
  explicit TrajectoryControls(QWidget* parent = nullptr);

  // Offers the categorical columns of the trials table (keeps the choice when it still exists).
  void setColumns(const std::vector<std::string>& columns);
  // Fills the legend (all groups shown) and the time range.
  void setLegend(const std::vector<std::string>& names, const std::vector<views::Rgb>& colours, std::size_t bins);
  void setExplainedVariance(const std::vector<double>& ratios);

  // Offers condition, time, these behaviour channels and attribution.
  void setColourOptions(const std::vector<ColourChoice>& behaviour);
  // The colouring asked for (kept even while the recording does not offer it).
  [[nodiscard]] ColourChoice colourChoice() const;
  void setColourChoice(const ColourChoice& choice);
  // Why the view does not show the asked colouring now ("" none).
  void setColourNote(const QString& note);

  [[nodiscard]] TrajectoryRequest request() const;
  void setRequest(const TrajectoryRequest& request);
  [[nodiscard]] std::vector<bool> groupVisibility() const;
  void setGroupVisibility(const std::vector<bool>& visible);
  [[nodiscard]] int time() const;
  void setTime(int bin);
  [[nodiscard]] bool playing() const { return timer_.isActive(); }
  void setPlaying(bool play);

 Q_SIGNALS:
  void requestChanged();
  void colourChanged();
  void groupVisibilityChanged(std::size_t group, bool visible);
  void timeChanged(int bin);

 private:
  QComboBox* projection_ = nullptr;
  QComboBox* colourBy_ = nullptr;
  QComboBox* colourMode_ = nullptr;
  QLabel* colourNote_ = nullptr;
  ColourChoice wantedColour_;
  QCheckBox* means_ = nullptr;
  QDoubleSpinBox* smooth_ = nullptr;  // Gaussian sd (ms) of what is projected
  double lastSmooth_ = 40.0;
  QListWidget* legend_ = nullptr;
  QSlider* time_ = nullptr;
  QToolButton* play_ = nullptr;
  QLabel* timeLabel_ = nullptr;
  QLabel* variance_ = nullptr;
  QTimer timer_;
};

}  // namespace neurolens::gui
