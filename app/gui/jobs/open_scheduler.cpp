#include "jobs/open_scheduler.h"

#include <QMetaObject>

#include "jobs/background_job.h"

namespace neurolens::gui {

OpenScheduler::OpenScheduler(Busy busy, Start start, QObject* parent)
    : QObject(parent), busy_(std::move(busy)), start_(std::move(start)) {}

void OpenScheduler::watch(BackgroundJob& job) {
  // Queued: the job's owner handles finished() first and may start a follow-up job (a model rerun),
  // which must end before the next request starts.
  connect(&job, &BackgroundJob::finished, this, &OpenScheduler::pumpLater);
}

void OpenScheduler::enqueue(const std::vector<OpenRequest>& requests) {
  queue_.push(requests);
  pump();
}

void OpenScheduler::pumpLater() {
  if (pumpPending_) return;
  pumpPending_ = true;
  QMetaObject::invokeMethod(
      this,
      [this] {
        pumpPending_ = false;
        pump();
      },
      Qt::QueuedConnection);
}

void OpenScheduler::pump() {
  if (pumping_) return;  // a request started from start_() that enqueues more: the loop below takes them
  pumping_ = true;
  while (const auto request = queue_.next(busy_())) start_(*request);
  pumping_ = false;
  if (isIdle()) {
    QMetaObject::invokeMethod(
        this,
        [this] {
          if (isIdle()) Q_EMIT idle();
        },
        Qt::QueuedConnection);
  }
}

}  // namespace neurolens::gui
