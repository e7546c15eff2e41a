#pragma once
// The centre of the window (issue 28 step 3): one 3-D view per pair, up to four, in a grid (two side by side in
// a wide centre, else one above the other; four 2x2). The pair the docks show (the focus) gets the window's own
// view area (colouring, time cursor, compare); every other pair gets a view of its own, drawn from its latents
// with the Trajectories dock's grouping, or a line saying why there is nothing to draw (loading, error + reason,
// a recording alone).
#include <QWidget>
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "logic/pipeline.h"
#include "neurolens/workspace/workspace.h"
#include "widgets/view_export.h"

class QGridLayout;
class QLabel;
class QStackedWidget;
class vtkObject;

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

  // Linked views (issue 29 step 1): every view's camera and time cursor follow the others, each condition
  // label has one colour in every view, and one legend lists them all. Off: each view on its own.
  void setLinked(bool on);
  [[nodiscard]] bool linked() const { return linked_; }
  // The time cursor (the Trajectories dock's bin): the grid's own views follow it while linked.
  void setTime(std::size_t bin);
  void setTimeBin(int bin) { setTime(static_cast<std::size_t>(std::max(0, bin))); }
  // Where the time cursor of the view of `pair` is (none while it draws nothing).
  [[nodiscard]] std::optional<std::size_t> cursorOf(workspace::Id pair) const;
  // The 3-D view showing `pair` (the focus's view for the focus), or null while it draws nothing.
  [[nodiscard]] views::VtkViewWidget* viewOf(workspace::Id pair) const;
  // The condition colours a pair's view draws now (linked: the shared ones; the focus: its scene's).
  [[nodiscard]] std::vector<std::pair<std::string, views::Rgb>> drawnConditions(workspace::Id pair) const;
  // Writes the view of `pair` as `figure` draws it, with that view's camera (no dialog; throws as
  // exportFigure does, InputError when the pair draws nothing).
  void exportView(workspace::Id pair, const QString& path, const ViewExportOptions& options) const;
  // Asks for the size and the file, then exportView (the context menu of a view's title: "Export view...").
  void exportViewWithDialog(workspace::Id pair);
  // File > Export View: the focus pair's view that way; false (nothing asked) when there is no focus pair, it
  // draws nothing, or it is coloured by a value (the interactive view's colouring, which `figure` would not draw).
  bool exportFocusWithDialog();

 private:
  struct Cell;
  struct CameraWatch;
  void fill(Cell& cell, const workspace::PairItem& pair);
  [[nodiscard]] std::optional<Trajectories> trajectoriesOf(const workspace::PairItem& pair) const;
  void watchCameras();
  void onCameraModified(vtkObject* caller, unsigned long event, void* callData);
  void copyCamera(vtkObject* from);
  void applyLinking();
  void updateFocusConditions();
  void addContextMenu(QWidget* title, workspace::Id pair);

  WorkspaceController& workspace_;
  QWidget* focusArea_;
  QWidget* focusFrame_ = nullptr;
  QLabel* focusTitle_ = nullptr;
  RequestSource request_;
  QGridLayout* layout_ = nullptr;
  std::map<workspace::Id, std::unique_ptr<Cell>> cells_;
  std::vector<workspace::Id> shown_;
  bool rebuildPending_ = false;
  bool linked_ = false;
  bool syncing_ = false;
  std::size_t time_ = 0;
  std::vector<CameraWatch> watches_;
  std::map<std::string, views::Rgb> linkedColours_;  // empty unless linked
  // The focus pair's conditions and their colours, as the scene builder gives them, and what they were built from.
  std::vector<std::pair<std::string, views::Rgb>> focusConditions_;
  std::shared_ptr<const void> focusSource_;
  QLabel* legend_ = nullptr;  // the shared legend, below the views while linked
};

}  // namespace neurolens::gui
