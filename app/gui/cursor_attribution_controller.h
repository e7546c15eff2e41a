#pragma once
// Attribution of the window under the time cursor, in the background (issue 21 step 4). Each cursor move (or
// trial selection, model or option change) is a request; the latest request wins: a request made while a
// window is computed replaces any waiting one and cancels the running one (a moving cursor never queues more
// than one job), a finished job whose request is no longer the latest is cached but not shown. Results are
// cached per pair (logic/window_attribution.h), so returning to a window shows it at once.
#include <QObject>
#include <QString>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jobs/background_job.h"
#include "logic/window_attribution.h"
#include "neurolens/core/binning.h"

namespace neurolens::gui {

class PipelineController;
class TrajectoryControls;
class TablePanel;
class AnalysisPanel;

struct CursorWindowRequest {
  std::string pair;   // the recording's identity (path and binning)
  std::string model;  // the model's identity (path)
  std::shared_ptr<const Model> modelData;
  std::shared_ptr<const BinnedRecording> recording;
  AttributionOptions options;  // targets empty: all latents
  std::size_t trial = 0;
  std::size_t cursorBin = 0;
  double windowMs = 1000.0;
};

class CursorAttributionController : public QObject {
  Q_OBJECT

 public:
  explicit CursorAttributionController(QObject* parent = nullptr);
  ~CursorAttributionController() override;
  CursorAttributionController(const CursorAttributionController&) = delete;
  CursorAttributionController& operator=(const CursorAttributionController&) = delete;

  void request(CursorWindowRequest request);
  // Forgets the waiting request and cancels the running one (nothing to show: no pair, or the tab is hidden).
  void stop();
  [[nodiscard]] bool busy() const { return job_.isRunning() || pending_.has_value(); }
  [[nodiscard]] WindowAttributionCache& cache() { return cache_; }
  // How many jobs started (tests: a moving cursor must not start one per move).
  [[nodiscard]] int jobsStarted() const { return jobsStarted_; }
  [[nodiscard]] BackgroundJob& job() { return job_; }

 Q_SIGNALS:
  void computing(const neurolens::gui::AttributionWindow& window);
  // The latest request's result; `latencySeconds` from that request to now.
  void shown(std::shared_ptr<const neurolens::gui::WindowAttribution> result, double latencySeconds, bool cached);
  void failed(const QString& message);

 private:
  using Clock = std::chrono::steady_clock;
  struct Stamped {
    CursorWindowRequest request;
    Clock::time_point at;
    unsigned long serial = 0;
    std::optional<AttributionWindow> window;  // known on the main thread when the job starts
  };
  void process(Stamped stamped);
  void start(Stamped stamped);
  void onFinished();
  [[nodiscard]] std::string contextKey(const CursorWindowRequest& request) const;

  WindowAttributionCache cache_;
  std::map<std::string, ReceptiveField> fields_;                            // per pair + model + window length
  std::map<std::string, std::shared_ptr<const std::vector<float>>> means_;  // per pair: the units' mean counts
  std::optional<Stamped> pending_;
  std::optional<Stamped> running_;
  struct Output;
  std::shared_ptr<Output> output_;
  unsigned long latest_ = 0;
  int jobsStarted_ = 0;
  BackgroundJob job_;  // last: cancelled and waited for before the state above goes
};

// Connects the controller to the window: the time cursor, the Trials table's selection, the open pair and the
// Analysis dock's options drive requests while the results' "Cursor window" tab is shown; results go to it.
void connectCursorAttribution(CursorAttributionController& controller, PipelineController& pipeline,
                              TrajectoryControls& controls, TablePanel& trials, AnalysisPanel& analysis);

}  // namespace neurolens::gui
