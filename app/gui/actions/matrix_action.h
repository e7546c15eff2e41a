#pragma once
// Compare > Matrix (issue 29 step 4): `align --matrix` over every ready pair of the workspace (three or more;
// logic/matrix_choice.h) with align's defaults, in the background with progress and Cancel, shown as the
// clustered heatmap (widgets/matrix_view.h) in the centre of the window. A click on a cell opens Compare > Align
// on that cell's two pairs. Enabled while three or more pairs are ready. `--view matrix` runs it headless.
#include <QAction>
#include <QObject>
#include <QPointer>
#include <memory>

#include "jobs/background_job.h"

class QStackedWidget;

namespace neurolens::gui {

class MainWindow;
class MatrixView;

class MatrixAction : public QObject {
  Q_OBJECT

 public:
  MatrixAction(QAction* action, MainWindow& window, QStackedWidget& centre);
  // Chooses the pairs and starts the study; false (and the reason in the view and the status bar) when fewer
  // than three pairs are ready or a study is already running.
  bool run();
  [[nodiscard]] bool isRunning() const { return job_.isRunning(); }
  [[nodiscard]] MatrixView* view() const { return view_; }
  // The reason of the last failure (empty after a success).
  [[nodiscard]] const QString& error() const { return error_; }

 Q_SIGNALS:
  // After run(): the study ended (ok: the heatmap is shown).
  void matrixFinished(bool ok);

 private:
  void onFinished();
  void updateEnabled();
  void openAligned(std::size_t first, std::size_t second);

  QAction* action_;
  MainWindow& window_;
  QStackedWidget& centre_;
  MatrixView* view_ = nullptr;  // a page of the centre, created on first use
  QPointer<QWidget> previous_;  // the page shown before (the view grid), for Back
  BackgroundJob job_;
  struct Pending;
  std::shared_ptr<Pending> pending_;
  QString error_;
};

}  // namespace neurolens::gui
