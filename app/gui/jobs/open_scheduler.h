#pragma once
// Drives an OpenQueue from the workbench's jobs (no widgets): a request starts at
// once when nothing runs, else when the running job has ended and whatever that
// job started in turn (a model rerun on a new recording) has ended too. Requests
// that start no job (a file that cannot open at all) hand over to the next at once.
#include <QObject>
#include <functional>

#include "logic/open_queue.h"

namespace neurolens::gui {

class BackgroundJob;

class OpenScheduler : public QObject {
  Q_OBJECT

 public:
  using Busy = std::function<bool()>;
  using Start = std::function<void(const OpenRequest&)>;

  OpenScheduler(Busy busy, Start start, QObject* parent = nullptr);

  // Each of these jobs' ends lets the next request start.
  void watch(BackgroundJob& job);
  void enqueue(const std::vector<OpenRequest>& requests);
  void enqueue(const OpenRequest& request) { enqueue(std::vector<OpenRequest>{request}); }
  // Forgets the requests not started yet (running jobs are not touched).
  void clear() { queue_.clear(); }
  // Nothing waits and nothing runs.
  [[nodiscard]] bool isIdle() const { return queue_.empty() && !busy_(); }
  [[nodiscard]] const OpenQueue& queue() const { return queue_; }

 Q_SIGNALS:
  // Every request asked for has been handled and no job runs (emitted from the event loop).
  void idle();

 private:
  void pump();
  void pumpLater();

  Busy busy_;
  Start start_;
  OpenQueue queue_;
  bool pumping_ = false;
  bool pumpPending_ = false;
};

}  // namespace neurolens::gui
