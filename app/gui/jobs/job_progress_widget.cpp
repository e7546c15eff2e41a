#include "jobs/job_progress_widget.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>
#include <algorithm>

namespace neurolens::gui {

JobProgressWidget::JobProgressWidget(QWidget* parent) : QWidget(parent) {
  setObjectName("jobProgress");
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  label_ = new QLabel(this);
  bar_ = new QProgressBar(this);
  bar_->setObjectName("jobProgressBar");
  bar_->setRange(0, 1000);
  bar_->setTextVisible(false);
  bar_->setFixedWidth(160);
  cancel_ = new QToolButton(this);
  cancel_->setObjectName("jobCancelButton");
  cancel_->setText(tr("Cancel"));
  cancel_->setToolTip(tr("Stop the running work (Esc)"));
  cancel_->setShortcut(QKeySequence(Qt::Key_Escape));
  layout->addWidget(label_);
  layout->addWidget(bar_);
  layout->addWidget(cancel_);
  connect(cancel_, &QToolButton::clicked, this, [this] {
    if (job_ != nullptr) {
      job_->cancel();
      label_->setText(tr("%1: cancelling...").arg(job_->title()));
      cancel_->setEnabled(false);
    }
  });
  hide();
}

void JobProgressWidget::follow(BackgroundJob* job) {
  if (job_ != nullptr) disconnect(job_, nullptr, this, nullptr);
  job_ = job;
  if (job == nullptr || !job->isRunning()) {
    hide();
    return;
  }
  connect(job, &BackgroundJob::progressChanged, this, &JobProgressWidget::onProgress);
  connect(job, &BackgroundJob::finished, this, &JobProgressWidget::onFinished);
  label_->setText(job->title());
  bar_->setValue(0);
  cancel_->setEnabled(true);
  show();
}

void JobProgressWidget::onProgress(double fraction, const QString& stage) {
  const BackgroundJob* job = job_.data();
  if (job == nullptr) return;
  bar_->setValue(std::clamp(static_cast<int>(fraction * 1000.0), 0, 1000));
  if (cancel_->isEnabled()) label_->setText(stage.isEmpty() ? job->title() : tr("%1: %2").arg(job->title(), stage));
}

void JobProgressWidget::onFinished() {
  if (job_ != nullptr) disconnect(job_, nullptr, this, nullptr);
  job_ = nullptr;
  hide();
}

}  // namespace neurolens::gui
