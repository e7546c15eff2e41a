#pragma once
// `neurolens FILES --screenshot OUT.png --state-json OUT.json`: opens every file
// through the window's queue, waits until every job has ended, saves the whole
// window and the state (../shared/spec/cli.md, "GUI command line") and ends the
// event loop with 0 (all ready) or 3 (one `error:` line on stderr). No dialogs: the
// window reports problems in its status bar. A watchdog ends a run still working
// after --timeout seconds with exit 4 and the state so far.
#include <QJsonArray>
#include <QObject>
#include <QTimer>
#include <vector>

#include "headless/gui_options.h"
#include "logic/run_state.h"

namespace neurolens::views {
class VtkViewWidget;
}

namespace neurolens::gui {

class MainWindow;

class HeadlessRun : public QObject {
  Q_OBJECT

 public:
  HeadlessRun(MainWindow& window, GuiOptions options);
  // Shows the window at the asked size and opens the files (call once, before the event loop).
  void start();
  [[nodiscard]] const RunState& state() const { return state_; }

 private:
  void observe();
  void onAllEnded();
  void onFramePoll();
  void finish(bool timedOut);
  void describeWorkspace();
  [[nodiscard]] std::vector<views::VtkViewWidget*> views() const;
  [[nodiscard]] bool writeOutputs(QString& problem);
  // --view align: Compare > Align once every file has opened; the run finishes when it has.
  void startAlign();
  // --view lesion:COLUMN=VALUE: Compare > Lesion on the first pair with those units (lesion's defaults).
  void startLesion();
  // --view matrix: Compare > Matrix likewise.
  void startMatrix();

  MainWindow& window_;
  GuiOptions options_;
  RunState state_;
  QTimer watchdog_;
  QTimer frameWait_;  // polls for a frame drawn after the last job
  std::vector<long long> framesBefore_;
  int framePolls_ = 0;
  bool finishing_ = false;
  bool alignStarted_ = false;
  bool lesionStarted_ = false;
  bool matrixStarted_ = false;
  QJsonArray views_;  // the state's `views`
};

// --view align in a window that stays open: Compare > Align runs once the files have opened.
void openAlignViewWhenIdle(MainWindow& window);
// --view lesion:COLUMN=VALUE in a window that stays open: Compare > Lesion runs once the files have opened.
void openLesionViewWhenIdle(MainWindow& window, const QString& view);
// "COLUMN=VALUE" of "lesion:COLUMN=VALUE", else empty.
[[nodiscard]] QString lesionViewUnits(const QString& view);
// --view matrix in a window that stays open: Compare > Matrix runs once the files have opened.
void openMatrixViewWhenIdle(MainWindow& window);

}  // namespace neurolens::gui
