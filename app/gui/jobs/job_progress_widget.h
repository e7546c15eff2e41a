#pragma once
// The status bar's progress: the running job's title and stage, a progress bar
// and a Cancel button. Follows one job at a time (the latest started).
#include <QPointer>
#include <QWidget>

#include "jobs/background_job.h"

class QLabel;
class QProgressBar;
class QToolButton;

namespace neurolens::gui {

class JobProgressWidget : public QWidget {
  Q_OBJECT

 public:
  explicit JobProgressWidget(QWidget* parent = nullptr);
  // Shows `job` while it runs (replaces any job followed before).
  void follow(BackgroundJob* job);
  [[nodiscard]] BackgroundJob* followed() const { return job_; }

 private:
  void onProgress(double fraction, const QString& stage);
  void onFinished();

  QPointer<BackgroundJob> job_;
  QLabel* label_ = nullptr;
  QProgressBar* bar_ = nullptr;
  QToolButton* cancel_ = nullptr;
};

}  // namespace neurolens::gui
