#pragma once
// The workbench's state and long work: the open recording (read and binned), the
// model and its latents, and the analyses (attribution -> type-latent link, probe).
// Every step runs as a BackgroundJob; results are published on the main thread
// through signals that the docks and the 3-D view observe (logic/widget pairs).
#include <Eigen/Dense>
#include <QObject>
#include <QString>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jobs/background_job.h"
#include "neurolens/core/attribution.h"
#include "neurolens/core/binning.h"
#include "neurolens/core/device.h"
#include "neurolens/core/link.h"
#include "neurolens/core/model.h"
#include "neurolens/core/probe.h"
#include "neurolens/core/simulator.h"

namespace neurolens::gui {

struct AttributionRequest {
  AttributionMethod method = AttributionMethod::IntegratedGradients;
  std::string pluginMethod;  // non-empty: an attribution method from a plugin (e.g. "occlusion")
  int steps = 20;            // 0: automatic (doubled from 16 until completeness is within `tolerance`)
  double tolerance = 0.01;   // the completeness a result is warned against
  AttributionBaseline baseline = AttributionBaseline::Zero;
  std::vector<std::int64_t> targets;  // empty: every latent
  std::size_t trials = 16;            // first N trials (attribution is costly on a CPU)
  std::string typeColumn;             // unit column naming types ("" -> the default)
  std::size_t permutations = 200;     // for the link's p-values
};

struct AttributionOutcome {
  AttributionRequest request;
  std::size_t trialsUsed = 0;
  std::vector<std::int64_t> targets;
  Eigen::MatrixXd profiles;  // [units, targets] signed sum over trials and bins
  // [trials used, bins, units]: sum over the targets of |attribution| (the trajectory
  // view colours each bin by it for the selected units)
  FloatArray perBinMagnitude;
  std::vector<std::string> unitTypes;
  std::optional<LinkResult> link;  // none when fewer than two types
  QString linkProblem;             // why there is no link result
  double maxRelCompleteness = 0.0;
  int maxStepsUsed = 0;         // integration steps the most demanding chunk used
  std::size_t unconverged = 0;  // automatic steps: trials still above the tolerance at the cap
};

struct ProbeRequest {
  std::string target;      // "behavior:NAME" or "trials:COLUMN"
  bool useLatents = true;  // features: the model's latents, else the binned counts
  std::size_t folds = 5;
  bool rowsPerTrial = false;  // one row per trial (features averaged over the window), else per bin
};

struct ProbeOutcome {
  ProbeRequest request;
  ProbeResult result;
};

class PipelineController : public QObject {
  Q_OBJECT

 public:
  explicit PipelineController(QObject* parent = nullptr);
  ~PipelineController() override;
  PipelineController(const PipelineController&) = delete;
  PipelineController& operator=(const PipelineController&) = delete;

  // Reads and bins in the background; an open model is rerun on the new counts.
  void openRecording(const QString& path);
  // Loads the model in the background; with a recording, checks and runs it.
  void openModel(const QString& path);
  // Opens the recording, then the model on it (restoring a session or the last files).
  // With `savedLatents` (a session's results whose inputs are unchanged) the model is
  // loaded but not run: the saved latents are used when their shape fits.
  void openRecordingWithModel(const QString& recording, const QString& model,
                              std::shared_ptr<const FloatArray> savedLatents = nullptr);
  // Holds a recording (and a model with its latents on it) that the workspace already opened and ran, without
  // reading or running anything: the docks and the main view then show that pair. Refused while a job runs.
  bool adopt(const QString& recordingPath, std::shared_ptr<const BinnedRecording> recording, const QString& description,
             const QString& modelPath, std::shared_ptr<const Model> model, std::shared_ptr<const FloatArray> latents);
  // Lets go of the recording and model (their files were closed in the workspace and nothing else is open).
  void release();
  // Shows probe results computed earlier (a reopened session's results file).
  void restoreProbe(std::shared_ptr<const ProbeOutcome> outcome);
  // Shows attribution results computed earlier (a reopened session's results file).
  void restoreAttribution(std::shared_ptr<const AttributionOutcome> outcome);
  // The recording last asked for (also when opening it failed).
  [[nodiscard]] const QString& attemptedRecording() const { return attemptedRecording_; }
  // The model last asked for (also when loading or running it failed).
  [[nodiscard]] const QString& attemptedModel() const { return attemptedModel_; }
  // Why the open model cannot run on the open recording (units, bin size); empty when it fits.
  [[nodiscard]] const QString& fitProblem() const { return fitProblem_; }
  // Writes the demo into `folder` if missing, then opens its recording and model.
  void openDemo(const QString& folder, const DemoOptions& options = {});
  void runAttribution(const AttributionRequest& request);
  void runProbe(const ProbeRequest& request);
  // Cancels every running job (they report Outcome::Cancelled).
  void cancelAll();
  [[nodiscard]] bool busy() const;

  void setBinning(const BinningOptions& options) { binning_ = options; }
  [[nodiscard]] const BinningOptions& binning() const { return binning_; }
  void setDevice(DeviceChoice device) { device_ = device; }
  // Something in the window that mends a model's fit problem itself (issue 18 step 3: the bin size follows the
  // model, a session is asked for) answers true for (model path, recording path): that problem is then said in
  // the status bar only, not reported as a problem. Called after modelChanged(true).
  using FitMender = std::function<bool(const QString& model, const QString& recording)>;
  void addFitMender(FitMender mender) { fitMenders_.push_back(std::move(mender)); }
  // The session a multi-session model runs with on a recording, as the user chose it (the workspace's pair;
  // empty: the recording's own), so that a model run again here (after Re-bin, say) keeps the choice.
  using SessionSource = std::function<std::string(const QString& recording, const QString& model)>;
  void setSessionSource(SessionSource source) { sessionSource_ = std::move(source); }
  [[nodiscard]] DeviceChoice device() const { return device_; }

  [[nodiscard]] const QString& recordingPath() const { return recordingPath_; }
  [[nodiscard]] const QString& modelPath() const { return modelPath_; }
  [[nodiscard]] const QString& recordingDescription() const { return description_; }
  [[nodiscard]] const BinnedRecording* recording() const { return recording_.get(); }
  [[nodiscard]] const Model* model() const { return model_.get(); }
  [[nodiscard]] const FloatArray* latents() const { return latents_.get(); }
  [[nodiscard]] const std::shared_ptr<const BinnedRecording>& recordingData() const { return recording_; }
  [[nodiscard]] const std::shared_ptr<const Model>& modelData() const { return model_; }
  [[nodiscard]] const std::shared_ptr<const FloatArray>& latentsData() const { return latents_; }
  [[nodiscard]] const RunReport& runReport() const { return runReport_; }
  [[nodiscard]] const std::shared_ptr<const AttributionOutcome>& attribution() const { return attribution_; }
  [[nodiscard]] const std::shared_ptr<const ProbeOutcome>& probe() const { return probe_; }

  [[nodiscard]] BackgroundJob& recordingJob() { return recordingJob_; }
  [[nodiscard]] BackgroundJob& modelJob() { return modelJob_; }
  [[nodiscard]] BackgroundJob& analysisJob() { return analysisJob_; }
  // How many times a model ran inference on a recording (restored sessions reuse saved latents).
  [[nodiscard]] int inferenceRuns() const { return inferenceRuns_; }

 Q_SIGNALS:
  void jobStarted(neurolens::gui::BackgroundJob* job);
  void recordingChanged(bool ok);
  void modelChanged(bool ok);
  void latentsChanged();
  void attributionChanged();
  void probeChanged();
  // Something failed: a title and a message in words, for a message box.
  void problem(const QString& title, const QString& message);
  void status(const QString& message);

 private:
  void startModelRun();
  [[nodiscard]] bool mended(const QString& model) const;
  bool startJob(BackgroundJob& job, BackgroundJob::Work work);

  BinningOptions binning_;
  DeviceChoice device_ = DeviceChoice::Auto;
  QString recordingPath_;
  QString modelPath_;
  QString attemptedRecording_;
  QString attemptedModel_;
  QString fitProblem_;
  std::vector<FitMender> fitMenders_;
  SessionSource sessionSource_;
  QString pendingModelPath_;                        // the demo's model, opened once its recording is in
  std::shared_ptr<const FloatArray> savedLatents_;  // a session's latents, used by the next model open
  QString description_;
  std::shared_ptr<const BinnedRecording> recording_;
  std::shared_ptr<const Model> model_;
  std::shared_ptr<const FloatArray> latents_;
  RunReport runReport_;
  int inferenceRuns_ = 0;
  std::shared_ptr<const AttributionOutcome> attribution_;
  std::shared_ptr<const ProbeOutcome> probe_;
  // Declared last: destroyed (cancelled and waited for) before the state above.
  BackgroundJob recordingJob_;
  BackgroundJob modelJob_;
  BackgroundJob analysisJob_;
};

}  // namespace neurolens::gui
