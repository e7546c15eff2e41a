#pragma once
// Compare > Lesion (issue 29 step 3): opens the Lesion panel (widgets/lesion_view.h) on a pair of the workspace
// (logic/lesion_choice.h says which) in the centre of the window, and on Lesion runs `neurolens-cli lesion` with
// its defaults and the units, mode, random lesions and seed chosen there (the last three remembered in the app's
// settings), in the background with progress and Cancel; Undo goes back to
// the previous lesion, then to the intact view. `--view lesion:COLUMN=VALUE` runs it headless.
#include <QAction>
#include <QObject>
#include <QPointer>
#include <memory>

#include "jobs/background_job.h"
#include "logic/lesion_choice.h"
#include "session/app_settings.h"

class QStackedWidget;

namespace neurolens::gui {

class MainWindow;
class LesionView;

class LesionAction : public QObject {
  Q_OBJECT

 public:
  LesionAction(QAction* action, MainWindow& window, QStackedWidget& centre);
  // Shows the panel on the chosen pair (the focused one when `focused` and usable, else the first ready pair
  // with a model; the unit choices from its recording); false (and why) without one.
  bool open(bool focused = true);
  // Opens the panel and lesions `units` ("COLUMN=VALUE" or ids) with `mode`; false when nothing can run.
  // `focused` false: the first usable pair (--view lesion:COLUMN=VALUE), whatever view has the focus.
  bool run(const QString& units, const QString& mode = "mean", bool focused = true);
  // Back to the previous lesion, or the intact view.
  void undo();
  // The units selected in the Units table (the focused recording's), by id, into the units box.
  void useSelectedUnits();
  // `--view` on the command line (cli.md: the CLI's defaults): the view starts with the CLI's defaults, not the
  // remembered options, and what this window runs is not remembered. Call before the first run.
  void startWithDefaults() { startWithDefaults_ = true; }
  [[nodiscard]] bool isRunning() const { return job_.isRunning(); }
  [[nodiscard]] LesionView* view() const { return view_; }
  [[nodiscard]] const QString& error() const { return error_; }
  [[nodiscard]] const LesionHistory& history() const { return history_; }

 Q_SIGNALS:
  void lesionFinished(bool ok);

 private:
  void onFinished();
  void ensureView();
  void fail(const QString& message);

  MainWindow& window_;
  QStackedWidget& centre_;
  LesionView* view_ = nullptr;
  QPointer<QWidget> previous_;
  BackgroundJob job_;
  struct Pending;
  std::shared_ptr<Pending> pending_;
  LesionChoice choice_;
  LesionHistory history_;
  QString error_;
  AppSettings settings_;
  bool startWithDefaults_ = false;
};

}  // namespace neurolens::gui
