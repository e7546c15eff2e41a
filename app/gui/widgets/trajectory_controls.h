#pragma once
// Controls of the 3-D trajectory view: projection (PCA or the first three raw
// latents), the trial column that colours trajectories, single trials or group
// means, a legend whose checkboxes hide and show groups, and a time slider with
// play/pause that moves the cursor markers.
#include <QTimer>
#include <QWidget>
#include <string>
#include <vector>

#include "logic/pipeline.h"

class QComboBox;
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
  void groupVisibilityChanged(std::size_t group, bool visible);
  void timeChanged(int bin);

 private:
  QComboBox* projection_ = nullptr;
  QComboBox* colourBy_ = nullptr;
  QCheckBox* means_ = nullptr;
  QListWidget* legend_ = nullptr;
  QSlider* time_ = nullptr;
  QToolButton* play_ = nullptr;
  QLabel* timeLabel_ = nullptr;
  QLabel* variance_ = nullptr;
  QTimer timer_;
};

}  // namespace neurolens::gui
