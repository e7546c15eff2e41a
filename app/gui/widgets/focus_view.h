#pragma once
// The window's own view area (the focus: the pair the docks hold): the 3-D trajectory view, the trial
// highlight over it and, in compare mode, a second linked view beside it with its own group ticks. Cameras
// follow each other when an interaction ends; time and colouring apply to both. It draws what it is given
// (Trajectories from logic/focus_drawing.h, or the synthetic demo) and decides nothing.
#include <QSplitter>
#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "logic/pipeline.h"

class QListWidget;

namespace neurolens::views {
class TrajectoryScene;
class VtkViewWidget;
}  // namespace neurolens::views

namespace neurolens::gui {

class TrialHighlight;

class FocusView : public QSplitter {
  Q_OBJECT

 public:
  explicit FocusView(QWidget* parent = nullptr);
  ~FocusView() override;
  FocusView(const FocusView&) = delete;
  FocusView& operator=(const FocusView&) = delete;

  [[nodiscard]] views::VtkViewWidget* view() const { return view_; }
  [[nodiscard]] views::VtkViewWidget* compareView() const { return compareView_; }
  [[nodiscard]] views::TrajectoryScene* scene() const { return scene_.get(); }
  [[nodiscard]] views::TrajectoryScene* compareScene() const { return compareScene_.get(); }
  [[nodiscard]] const TrialHighlight* highlight() const { return highlight_.get(); }
  [[nodiscard]] bool comparing() const;

  // Draws `shown` in the view (and the compare view while comparing), at bin `time`.
  void show(const Trajectories& shown, std::size_t time, bool resetCamera);
  // Help > Show Demo Trajectories: synthetic data, no groups of a recording.
  void showSynthetic(views::TrajectoryData synthetic, std::size_t time);
  // Nothing drawn any more (the pair's trajectories no longer belong to the recording open).
  void clear();
  void setColouring(const std::optional<views::ScalarColouring>& colouring);
  // Condition `condition` of the last trajectories shown (its single trials and its mean).
  void setConditionVisible(std::size_t condition, bool visible);
  void setTime(std::size_t bin);
  // Draws row `row` of `points` (the trajectories shown) thick and dark; clearHighlight() hides it.
  void highlight(const FloatArray& points, std::size_t row);
  void clearHighlight();
  // Shows or hides the compare view; shown, it starts from the main view's camera (after a show()).
  void setComparing(bool on);
  void matchCompareCamera();
  void setCamera(const std::array<double, 9>& camera);
  void render();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void fillCompareLegend(const Trajectories& shown);

  views::VtkViewWidget* view_ = nullptr;
  views::VtkViewWidget* compareView_ = nullptr;
  QWidget* comparePane_ = nullptr;
  QListWidget* compareLegend_ = nullptr;
  std::unique_ptr<views::TrajectoryScene> scene_;
  std::unique_ptr<views::TrajectoryScene> compareScene_;
  std::unique_ptr<TrialHighlight> highlight_;
  std::vector<std::vector<std::size_t>> sceneGroups_;  // per condition of the trajectories shown
  bool syncingCameras_ = false;
};

}  // namespace neurolens::gui
