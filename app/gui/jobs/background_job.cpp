#include "jobs/background_job.h"

#include <QMetaObject>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>
#include <exception>
#include <new>

#include "neurolens/core/errors.h"

namespace neurolens::gui {

BackgroundJob::BackgroundJob(QString title, QObject* parent) : QObject(parent), title_(std::move(title)) {
  connect(&watcher_, &QFutureWatcher<void>::finished, this, &BackgroundJob::onFinished);
}

BackgroundJob::~BackgroundJob() {
  // Cancel and wait: the work's captures may refer to objects our owner destroys next.
  cancel();
  watcher_.waitForFinished();
}

bool BackgroundJob::start(Work work) {
  if (isRunning()) return false;
  shared_ = std::make_shared<Shared>();
  active_ = true;
  outcome_ = Outcome::None;
  error_.clear();
  const std::shared_ptr<Shared> shared = shared_;
  QPointer<BackgroundJob> self(this);
  // Progress is posted with a queued call to this object; Qt drops queued calls to
  // a destroyed receiver, and the destructor waits for the worker anyway.
  Progress progress([shared, self](double fraction, const std::string& stage) {
    const int percent = static_cast<int>(fraction * 1000.0);
    // Post only when the value moved (0.1% steps): thousands of reports must not flood the event loop.
    if (shared->lastPercent.exchange(percent) != percent && self != nullptr) {
      const QString text = QString::fromStdString(stage);
      QMetaObject::invokeMethod(
          self.data(),
          [self, fraction, text] {
            if (self) Q_EMIT self->progressChanged(fraction, text);
          },
          Qt::QueuedConnection);
    }
    return !shared->cancelRequested.load();
  });
  watcher_.setFuture(QtConcurrent::run([shared, progress, work = std::move(work)] {
    try {
      if (shared->cancelRequested.load()) throw Cancelled();
      work(progress);
      shared->outcome = shared->cancelRequested.load() ? Outcome::Cancelled : Outcome::Succeeded;
    } catch (const Cancelled&) {
      shared->outcome = Outcome::Cancelled;
    } catch (const std::bad_alloc&) {
      shared->outcome = Outcome::Failed;
      shared->error = QObject::tr("Out of memory. Try fewer trials, larger bins or a smaller selection of units.");
    } catch (const std::exception& error) {
      shared->outcome = Outcome::Failed;
      shared->error = QString::fromStdString(error.what());
    } catch (...) {
      shared->outcome = Outcome::Failed;
      shared->error = QObject::tr("An unknown error stopped the work.");
    }
  }));
  Q_EMIT started();
  return true;
}

void BackgroundJob::cancel() {
  if (shared_ != nullptr) shared_->cancelRequested.store(true);
}

void BackgroundJob::waitForFinished() { watcher_.waitForFinished(); }

void BackgroundJob::onFinished() {
  outcome_ = shared_ != nullptr ? shared_->outcome : Outcome::None;
  error_ = shared_ != nullptr ? shared_->error : QString();
  active_ = false;
  Q_EMIT finished();
}

}  // namespace neurolens::gui
