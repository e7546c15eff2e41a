#pragma once
// Files the user asks to open while the workbench is busy wait their turn here, in
// the order asked (command line, File > Open, drag and drop, recent files,
// sessions): each starts when the job before it has ended, so no file is dropped
// and none waits for ever. Plain logic, no Qt; OpenScheduler drives it from the
// window's jobs.
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace neurolens::gui {

enum class OpenKind {
  Recording,
  Model,
  Session,             // a saved .nlsession
  Demo,                // the bundled demo (recording + model)
  RecordingWithModel,  // the last recording and model of the previous run (startUp)
  Unknown              // neither: reported when its turn comes, so messages keep the order asked
};

struct OpenRequest {
  OpenKind kind = OpenKind::Unknown;
  std::string path;   // empty for Demo
  std::string model;  // RecordingWithModel only (may be empty)

  friend bool operator==(const OpenRequest& a, const OpenRequest& b) {
    return a.kind == b.kind && a.path == b.path && a.model == b.model;
  }
};

// What a path opens as: a session (.nlsession), a recording or a model by its name, else Unknown.
[[nodiscard]] OpenRequest openRequestFor(const std::string& path);
[[nodiscard]] std::vector<OpenRequest> openRequestsFor(const std::vector<std::string>& paths);

class OpenQueue {
 public:
  void push(OpenRequest request) { pending_.push_back(std::move(request)); }
  void push(const std::vector<OpenRequest>& requests) {
    pending_.insert(pending_.end(), requests.begin(), requests.end());
  }
  // The request to start now: the oldest one, unless a job is running (`busy`) or none waits.
  [[nodiscard]] std::optional<OpenRequest> next(bool busy);
  void clear() { pending_.clear(); }
  [[nodiscard]] bool empty() const { return pending_.empty(); }
  [[nodiscard]] std::size_t size() const { return pending_.size(); }
  [[nodiscard]] const std::deque<OpenRequest>& pending() const { return pending_; }

 private:
  std::deque<OpenRequest> pending_;
};

}  // namespace neurolens::gui
