#pragma once
// One piece of long work run off the GUI thread, as Qt Creator's Utils::Async:
// start() hands a function to the thread pool; the core Progress it receives reads
// an atomic cancel flag (so core code stops at its next report()) and posts
// progress to this object through queued signals. Results come back through the
// work function's own captures, read on the main thread once finished() fires.
// Destroying a running job cancels it and waits, so nothing outlives its owner.
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>

#include "neurolens/core/progress.h"

namespace neurolens::gui {

class BackgroundJob : public QObject {
  Q_OBJECT

 public:
  using Work = std::function<void(const Progress& progress)>;
  enum class Outcome { None, Succeeded, Failed, Cancelled };

  explicit BackgroundJob(QString title, QObject* parent = nullptr);
  ~BackgroundJob() override;
  BackgroundJob(const BackgroundJob&) = delete;
  BackgroundJob& operator=(const BackgroundJob&) = delete;

  // Runs `work` on the global thread pool. Refused (returns false) while running.
  bool start(Work work);
  // Asks the work to stop at its next progress report; finished-handling still
  // happens (with Outcome::Cancelled) on the main thread.
  void cancel();
  void waitForFinished();
  // True from start() until finished() has been emitted (not merely until the
  // worker returns), so a new start never overtakes the previous finished().
  [[nodiscard]] bool isRunning() const { return active_; }
  [[nodiscard]] const QString& title() const { return title_; }
  [[nodiscard]] Outcome outcome() const { return outcome_; }
  // The error's text after Outcome::Failed.
  [[nodiscard]] const QString& errorMessage() const { return error_; }

 Q_SIGNALS:
  void started();
  void progressChanged(double fraction, const QString& stage);
  // Always emitted once per start(), on the main thread; see outcome().
  void finished();

 private:
  // Shared with the worker: it may finish after a cancel() while this object lives on.
  struct Shared {
    std::atomic<bool> cancelRequested{false};
    std::atomic<int> lastPercent{-1};
    Outcome outcome = Outcome::None;  // written by the worker before its future finishes
    QString error;
  };
  void onFinished();

  QString title_;
  QFutureWatcher<void> watcher_;
  std::shared_ptr<Shared> shared_;
  Outcome outcome_ = Outcome::None;
  QString error_;
  bool active_ = false;
};

}  // namespace neurolens::gui
