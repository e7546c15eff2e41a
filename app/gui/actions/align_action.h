#pragma once
// Compare > Align (issue 29 step 2): aligns two pairs of the workspace (logic/align_choice.h says which) as
// `neurolens-cli align` does with the options of the view's options row (the CLI's defaults until changed;
// remembered in the app's settings, issue 29 step 6), in the background with progress and Cancel, and shows the
// overlay and the numbers (widgets/align_view.h) in the centre of the window. `--view align` runs it headless.
#include <QAction>
#include <QObject>
#include <QPointer>
#include <memory>
#include <vector>

#include "jobs/background_job.h"
#include "session/app_settings.h"

class QStackedWidget;

namespace neurolens::gui {

class MainWindow;
class AlignView;

class AlignAction : public QObject {
  Q_OBJECT

 public:
  AlignAction(QAction* action, MainWindow& window, QStackedWidget& centre);
  // Chooses the pairs and starts the study; false (and the reason in the view and the status bar) when there
  // is nothing to align or a study is already running. `selected`: two workspace pair indices to align
  // (Compare > Matrix's clicked cell), else the first two ready pairs. The options are the view's (and are
  // remembered); the view's Run runs the same pairs again with them.
  bool run(const std::vector<std::size_t>& selected = {});
  // `--view` on the command line (cli.md: the CLI's defaults): the view starts with the CLI's defaults, not the
  // remembered options, and what this window runs is not remembered. Call before the first run.
  void startWithDefaults() { startWithDefaults_ = true; }
  [[nodiscard]] bool isRunning() const { return job_.isRunning(); }
  [[nodiscard]] AlignView* view() const { return view_; }
  // The reason of the last failure (empty after a success).
  [[nodiscard]] const QString& error() const { return error_; }

 Q_SIGNALS:
  // After run(): the study ended (ok: the overlay and numbers are shown).
  void alignFinished(bool ok);

 private:
  void onFinished();

  MainWindow& window_;
  QStackedWidget& centre_;
  AlignView* view_ = nullptr;   // a page of the centre, created on first use
  QPointer<QWidget> previous_;  // the page shown before (the view grid), for Close
  BackgroundJob job_;
  struct Pending;
  std::shared_ptr<Pending> pending_;
  QString error_;
  std::vector<std::size_t> selected_;  // the pairs asked for last, for Run
  AppSettings settings_;
  bool startWithDefaults_ = false;
};

}  // namespace neurolens::gui
