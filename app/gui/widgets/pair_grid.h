#pragma once
// The centre of the window (issue 28 step 3): one 3-D view per pair, up to four, in a grid (two side by side in
// a wide centre, else one above the other; four 2x2). The pair the docks show (the focus) gets the window's own
// view area (colouring, time cursor, compare); every other pair gets a view of its own, drawn from its latents
// with the Trajectories dock's grouping, or a line saying why there is nothing to draw (loading, error + reason,
// a recording alone).
#include <QWidget>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "logic/pipeline.h"
#include "neurolens/workspace/workspace.h"

class QGridLayout;
class QLabel;
class QStackedWidget;

namespace neurolens::views {
class VtkViewWidget;
class TrajectoryScene;
}  // namespace neurolens::views

namespace neurolens::gui {

class WorkspaceController;

class PairGrid : public QWidget {
  Q_OBJECT

 public:
  static constexpr std::size_t kMaxViews = 4;
  using RequestSource = std::function<TrajectoryRequest()>;

  PairGrid(WorkspaceController& workspace, QWidget* focusArea, RequestSource request, QWidget* parent = nullptr);
  ~PairGrid() override;
  PairGrid(const PairGrid&) = delete;
  PairGrid& operator=(const PairGrid&) = delete;

  // Lays the cells out again for the first four pairs (after pairs came, went or changed, or the focus moved);
  // the workspace's signals call it from the event loop.
  void rebuild();
  void rebuildLater();
  // Pairs shown, in grid order.
  [[nodiscard]] std::vector<workspace::Id> shownPairs() const;
  // The grid's own views (not the focus's), for rendering before a screenshot.
  [[nodiscard]] std::vector<views::VtkViewWidget*> ownViews() const;
  // Trajectories drawn in a pair's own view (0 for the focus: the window draws that one).
  [[nodiscard]] std::size_t drawn(workspace::Id pair) const;
  // The condition colours of a pair's own view (the scene builder's, as `figure` gives them).
  [[nodiscard]] std::vector<std::pair<std::string, views::Rgb>> conditions(workspace::Id pair) const;

 private:
  struct Cell;
  void fill(Cell& cell, const workspace::PairItem& pair);

  WorkspaceController& workspace_;
  QWidget* focusArea_;
  QWidget* focusFrame_ = nullptr;
  QLabel* focusTitle_ = nullptr;
  RequestSource request_;
  QGridLayout* layout_ = nullptr;
  std::map<workspace::Id, std::unique_ptr<Cell>> cells_;
  std::vector<workspace::Id> shown_;
  bool rebuildPending_ = false;
};

}  // namespace neurolens::gui
