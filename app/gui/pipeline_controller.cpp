#include "pipeline_controller.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <algorithm>
#include <chrono>
#include <cmath>

#include "logic/pipeline.h"
#include "logic/recording_description.h"
#include "neurolens/app/crash_report.h"
#include "neurolens/app/recording_source.h"
#include "neurolens/core/errors.h"
#include "neurolens/plugins/plugin_manager.h"

namespace neurolens::gui {

namespace {

struct RecordingLoad {
  QString description;
  std::shared_ptr<const BinnedRecording> binned;
  QString note;
};

struct ModelLoad {
  std::shared_ptr<const Model> model;
  QString checkProblem;  // the model does not fit the recording
  std::shared_ptr<const FloatArray> latents;
  RunReport report;
  bool ran = false;       // inference ran
  bool restored = false;  // latents came from a saved session instead
};

QString fileName(const QString& path) { return QFileInfo(path).fileName(); }

// libhdf5 1.10 crashes or hangs on some damaged files; the command-line program reads the file first, in
// its own process, so that such a file costs an error message instead of the user's unsaved work.
constexpr std::chrono::seconds kReadCheckTimeout{120};

// Adds sum over targets of |attribution| of a chunk [trials, targets, bins, units]
// into `magnitude` [all trials, bins, units] from row `firstTrial` on.
void addMagnitude(FloatArray& magnitude, const FloatArray& attributions, std::size_t firstTrial) {
  if (attributions.rank() != 4) return;
  const std::size_t trials = attributions.dim(0), targets = attributions.dim(1), bins = attributions.dim(2),
                    units = attributions.dim(3);
  if (magnitude.rank() != 3 || magnitude.dim(1) != bins || magnitude.dim(2) != units ||
      magnitude.dim(0) < firstTrial + trials)
    return;
  for (std::size_t t = 0; t < trials; ++t)
    for (std::size_t k = 0; k < targets; ++k)
      for (std::size_t b = 0; b < bins; ++b) {
        const float* in = attributions.data() + ((t * targets + k) * bins + b) * units;
        float* out = magnitude.data() + ((firstTrial + t) * bins + b) * units;
        for (std::size_t u = 0; u < units; ++u) out[u] += std::abs(in[u]);
      }
}

}  // namespace

PipelineController::PipelineController(QObject* parent)
    : QObject(parent),
      recordingJob_(tr("Opening recording")),
      modelJob_(tr("Running model")),
      analysisJob_(tr("Analysis")) {}

PipelineController::~PipelineController() { cancelAll(); }

bool PipelineController::busy() const {
  return recordingJob_.isRunning() || modelJob_.isRunning() || analysisJob_.isRunning();
}

void PipelineController::cancelAll() {
  recordingJob_.cancel();
  modelJob_.cancel();
  analysisJob_.cancel();
}

bool PipelineController::startJob(BackgroundJob& job, BackgroundJob::Work work) {
  // One job at a time: the model and the recording are shared by every step.
  if (busy()) {
    Q_EMIT status(tr("Still working on \"%1\"; wait for it or cancel it first")
                      .arg(recordingJob_.isRunning() ? recordingJob_.title()
                           : modelJob_.isRunning()   ? modelJob_.title()
                                                     : analysisJob_.title()));
    return false;
  }
  const bool started = job.start(std::move(work));
  if (started) Q_EMIT jobStarted(&job);
  return started;
}

void PipelineController::openRecording(const QString& path) {
  auto load = std::make_shared<RecordingLoad>();
  BinningOptions options = binning_;
  const std::string file = path.toStdString();
  const std::filesystem::path cli =
      std::filesystem::path(QCoreApplication::applicationDirPath().toStdString()) / "neurolens-cli";
  const bool started = startJob(recordingJob_, [load, options, file, cli](const Progress& progress) mutable {
    if (const auto problem = app::checkReadableInChildProcess(file, cli, kReadCheckTimeout, progress))
      throw InputError(*problem);
    // Plugins are loaded here, off the GUI thread, and used by this job only.
    const app::RecordingSource source;
    const io::RecordingSummary summary = source.summary(file);
    load->description = QString::fromStdString(describeRecording(summary));
    const bool chooseBehaviour = options.behavior.empty();
    if (chooseBehaviour)
      for (const auto& entry : summary.behavior) options.behavior.push_back(entry.first);
    try {
      load->binned = std::make_shared<const BinnedRecording>(source.readBinned(file, options, progress));
    } catch (const InputError& error) {
      if (!chooseBehaviour || options.behavior.empty()) throw;
      // A behavioural series that does not cover the trials must not stop the recording from opening.
      load->note = QObject::tr("Behaviour left out: %1").arg(QString::fromStdString(error.what()));
      options.behavior.clear();
      load->binned = std::make_shared<const BinnedRecording>(source.readBinned(file, options, progress));
    }
  });
  if (!started) return;
  attemptedRecording_ = path;
  Q_EMIT status(tr("Opening %1 ...").arg(fileName(path)));
  connect(
      &recordingJob_, &BackgroundJob::finished, this,
      [this, load, path] {
        switch (recordingJob_.outcome()) {
          case BackgroundJob::Outcome::Succeeded:
            recordingPath_ = path;
            recording_ = load->binned;
            description_ = load->description;
            if (!load->note.isEmpty()) description_ += "\n" + load->note;
            latents_.reset();
            fitProblem_.clear();
            attribution_.reset();
            probe_.reset();
            Q_EMIT status(tr("Opened %1: %2 trials x %3 bins x %4 units")
                              .arg(fileName(path))
                              .arg(recording_->trialCount())
                              .arg(recording_->binCount())
                              .arg(recording_->unitCount()));
            Q_EMIT recordingChanged(true);
            Q_EMIT latentsChanged();
            Q_EMIT attributionChanged();
            Q_EMIT probeChanged();
            if (!pendingModelPath_.isEmpty()) {
              const QString model = pendingModelPath_;
              pendingModelPath_.clear();
              openModel(model);
            } else if (model_ != nullptr) {
              startModelRun();
            }
            break;
          case BackgroundJob::Outcome::Cancelled:
            pendingModelPath_.clear();
            savedLatents_.reset();
            Q_EMIT status(tr("Opening %1 was cancelled").arg(fileName(path)));
            Q_EMIT recordingChanged(false);
            break;
          default:
            // The window reports it (panel text and message box) from recordingChanged(false).
            pendingModelPath_.clear();
            savedLatents_.reset();
            Q_EMIT recordingChanged(false);
            break;
        }
      },
      Qt::SingleShotConnection);
}

void PipelineController::openModel(const QString& path) {
  auto load = std::make_shared<ModelLoad>();
  const std::shared_ptr<const BinnedRecording> recording = recording_;
  const DeviceChoice device = device_;
  const std::string file = path.toStdString();
  std::shared_ptr<const FloatArray> saved = std::move(savedLatents_);
  savedLatents_.reset();
  const std::string session =
      recording != nullptr && sessionSource_ ? sessionSource_(recordingPath_, path) : std::string();
  const bool started = startJob(modelJob_, [load, recording, device, file, saved, session](const Progress& progress) {
    progress.report(0.0, "loading the model");
    load->model = std::make_shared<const Model>(Model::load(file));
    if (recording == nullptr) return;
    try {
      // A multi-session model runs the session chosen, else the recording's (its NWB identifier); none matching
      // is the problem.
      load->model = std::make_shared<const Model>(load->model->forRecording(*recording, session));
      load->model->checkAgainst(*recording);
    } catch (const InputError& error) {
      load->checkProblem = QString::fromStdString(error.what());
      return;
    }
    if (saved != nullptr && saved->rank() == 3 && saved->dim(0) == recording->trialCount() &&
        saved->dim(1) == recording->binCount() &&
        static_cast<std::int64_t>(saved->dim(2)) == load->model->latentCount()) {
      // Same recording, model and binning as when the session was saved: its latents stand.
      load->latents = saved;
      load->restored = true;
      load->report.notes.push_back("latents read from the session's results (model not rerun)");
      return;
    }
    InferOptions options;
    options.device = device;
    load->ran = true;
    load->latents = std::make_shared<const FloatArray>(
        load->model->infer(recording->counts, options, progress.sub(0.05, 1.0), &load->report).latents);
  });
  if (!started) return;
  attemptedModel_ = path;
  Q_EMIT status(tr("Loading model %1 ...").arg(fileName(path)));
  connect(
      &modelJob_, &BackgroundJob::finished, this,
      [this, load, path] {
        switch (modelJob_.outcome()) {
          case BackgroundJob::Outcome::Succeeded:
            if (load->ran) ++inferenceRuns_;
            modelPath_ = path;
            model_ = load->model;
            latents_ = load->latents;
            runReport_ = load->report;
            fitProblem_ = load->checkProblem;
            attribution_.reset();
            probe_.reset();
            Q_EMIT modelChanged(true);
            Q_EMIT latentsChanged();
            Q_EMIT attributionChanged();
            Q_EMIT probeChanged();
            if (!load->checkProblem.isEmpty() && mended(path)) {
              Q_EMIT status(
                  tr("%1 does not fit %2 yet: %3").arg(fileName(path), fileName(recordingPath_), load->checkProblem));
            } else if (!load->checkProblem.isEmpty()) {
              Q_EMIT problem(
                  tr("The model does not fit the recording"),
                  tr("%1 cannot run on %2:\n\n%3").arg(fileName(path), fileName(recordingPath_), load->checkProblem));
            } else if (load->restored) {
              Q_EMIT status(tr("Model %1 loaded; its latents on %2 were read from the session (not rerun)")
                                .arg(fileName(path), fileName(recordingPath_)));
            } else if (latents_ != nullptr) {
              Q_EMIT status(tr("Model %1 ran on %2 (%3)")
                                .arg(fileName(path), fileName(recordingPath_),
                                     QString::fromStdString(deviceName(runReport_.device))));
            } else {
              Q_EMIT status(tr("Model %1 loaded; open a recording to run it").arg(fileName(path)));
            }
            break;
          case BackgroundJob::Outcome::Cancelled:
            Q_EMIT status(tr("Running %1 was cancelled").arg(fileName(path)));
            Q_EMIT modelChanged(false);
            break;
          default:
            fitProblem_.clear();
            Q_EMIT problem(tr("Could not run the model"), tr("%1\n\n%2").arg(fileName(path), modelJob_.errorMessage()));
            Q_EMIT modelChanged(false);
            break;
        }
      },
      Qt::SingleShotConnection);
}

bool PipelineController::mended(const QString& model) const {
  return std::any_of(fitMenders_.begin(), fitMenders_.end(),
                     [&](const FitMender& mender) { return mender(model, recordingPath_); });
}

void PipelineController::openRecordingWithModel(const QString& recording, const QString& model,
                                                std::shared_ptr<const FloatArray> savedLatents) {
  if (busy()) {
    Q_EMIT status(tr("Still working; wait for it or cancel it first"));
    return;
  }
  pendingModelPath_ = model;
  savedLatents_ = model.isEmpty() ? nullptr : std::move(savedLatents);
  openRecording(recording);
}

bool PipelineController::adopt(const QString& recordingPath, std::shared_ptr<const BinnedRecording> recording,
                               const QString& description, const QString& modelPath, std::shared_ptr<const Model> model,
                               std::shared_ptr<const FloatArray> latents) {
  if (busy() || recording == nullptr) return false;
  recordingPath_ = attemptedRecording_ = recordingPath;
  recording_ = std::move(recording);
  description_ = description;
  modelPath_ = attemptedModel_ = model != nullptr ? modelPath : QString();
  model_ = std::move(model);
  latents_ = model_ != nullptr ? std::move(latents) : nullptr;
  runReport_ = {};
  fitProblem_.clear();
  attribution_.reset();
  probe_.reset();
  Q_EMIT recordingChanged(true);
  Q_EMIT modelChanged(model_ != nullptr);
  Q_EMIT latentsChanged();
  Q_EMIT attributionChanged();
  Q_EMIT probeChanged();
  Q_EMIT status(model_ != nullptr ? tr("Showing %1 with %2").arg(fileName(recordingPath_), fileName(modelPath_))
                                  : tr("Showing %1").arg(fileName(recordingPath_)));
  return true;
}

void PipelineController::release() {
  if (busy()) return;
  const QString name = fileName(recordingPath_);
  recordingPath_.clear();
  attemptedRecording_.clear();
  modelPath_.clear();
  attemptedModel_.clear();
  recording_.reset();
  model_.reset();
  latents_.reset();
  fitProblem_.clear();
  attribution_.reset();
  probe_.reset();
  Q_EMIT modelChanged(false);
  Q_EMIT latentsChanged();
  Q_EMIT attributionChanged();
  Q_EMIT probeChanged();
  Q_EMIT status(tr("Closed %1").arg(name));
}

void PipelineController::restoreProbe(std::shared_ptr<const ProbeOutcome> outcome) {
  probe_ = std::move(outcome);
  Q_EMIT probeChanged();
}

void PipelineController::restoreAttribution(std::shared_ptr<const AttributionOutcome> outcome) {
  attribution_ = std::move(outcome);
  Q_EMIT attributionChanged();
}

void PipelineController::startModelRun() {
  if (!modelPath_.isEmpty()) openModel(modelPath_);
}

void PipelineController::openDemo(const QString& folder, const DemoOptions& options) {
  auto files = std::make_shared<DemoFiles>();
  const std::filesystem::path dir = folder.toStdString();
  const bool started = startJob(recordingJob_, [files, dir, options](const Progress& progress) {
    *files = ensureDemoFiles(dir, options, progress);
  });
  if (!started) return;
  Q_EMIT status(tr("Preparing the demo in %1 ...").arg(folder));
  connect(
      &recordingJob_, &BackgroundJob::finished, this,
      [this, files] {
        if (recordingJob_.outcome() == BackgroundJob::Outcome::Succeeded) {
          pendingModelPath_ = QString::fromStdString(files->model.string());
          openRecording(QString::fromStdString(files->recording.string()));
        } else if (recordingJob_.outcome() == BackgroundJob::Outcome::Failed) {
          Q_EMIT problem(tr("Could not prepare the demo"), recordingJob_.errorMessage());
          Q_EMIT recordingChanged(false);
        } else {
          Q_EMIT status(tr("Preparing the demo was cancelled"));
          Q_EMIT recordingChanged(false);
        }
      },
      Qt::SingleShotConnection);
}

void PipelineController::runAttribution(const AttributionRequest& request) {
  if (model_ == nullptr || recording_ == nullptr || latents_ == nullptr) {
    Q_EMIT problem(tr("Nothing to attribute"), tr("Open a recording and a model that fits it first."));
    return;
  }
  auto outcome = std::make_shared<AttributionOutcome>();
  outcome->request = request;
  const std::shared_ptr<const Model> model = model_;
  const std::shared_ptr<const BinnedRecording> recording = recording_;
  const DeviceChoice device = device_;
  const bool started = startJob(analysisJob_, [outcome, model, recording, device](const Progress& progress) {
    const AttributionRequest& req = outcome->request;
    const FloatArray counts = firstTrials(recording->counts, req.trials == 0 ? recording->trialCount() : req.trials);
    outcome->trialsUsed = counts.dim(0);
    outcome->perBinMagnitude = FloatArray({counts.dim(0), counts.dim(1), counts.dim(2)}, 0.0F);
    ProfileAccumulator accumulator(ProfileKind::Signed);
    if (!req.pluginMethod.empty()) {
      // A plugin method sees the model only through forward passes (plugins/sdk).
      const plugins::PluginManager plugins(plugins::PluginManager::defaultFolders());
      const auto* method = plugins.attributionMethod(req.pluginMethod);
      if (method == nullptr) throw InputError("the attribution plugin '" + req.pluginMethod + "' is no longer found");
      outcome->targets = req.targets;
      if (outcome->targets.empty())
        for (std::int64_t d = 0; d < model->latentCount(); ++d) outcome->targets.push_back(d);
      const std::size_t bins = counts.dim(1), units = counts.dim(2);
      FloatArray baseline({bins, units}, 0.0F);
      if (req.baseline == AttributionBaseline::Mean)
        for (std::size_t u = 0; u < units; ++u) {
          double sum = 0.0;
          for (std::size_t t = 0; t < recording->trialCount(); ++t)
            for (std::size_t b = 0; b < bins; ++b) sum += recording->counts(t, b, u);
          const auto mean = static_cast<float>(sum / static_cast<double>(recording->trialCount() * bins));
          for (std::size_t b = 0; b < bins; ++b) baseline.data()[b * units + u] = mean;
        }
      plugins::AttributionRequest pluginRequest;
      pluginRequest.counts = &counts;
      pluginRequest.baseline = &baseline;
      pluginRequest.targets = outcome->targets;
      pluginRequest.targetBinEnd = bins;
      const plugins::LatentFunction latents = [model, device](const FloatArray& x) {
        return model->infer(x, device).latents;
      };
      const FloatArray attributions = method->attribute(latents, pluginRequest, progress.sub(0.0, 0.8));
      accumulator.add(attributions);
      addMagnitude(outcome->perBinMagnitude, attributions, 0);
    } else {
      AttributionOptions options;
      options.method = req.method;
      options.steps = req.steps > 0 ? req.steps : options.steps;
      options.autoSteps = req.steps <= 0;
      options.tolerance = req.tolerance;
      options.baseline = req.baseline;
      options.targets = req.targets;
      options.device = device;
      const AttributionSummary summary = attribute(
          *model, counts, options,
          [&accumulator, &outcome](const AttributionChunk& chunk) {
            accumulator.add(chunk.attributions);
            addMagnitude(outcome->perBinMagnitude, chunk.attributions, chunk.firstTrial);
          },
          progress.sub(0.0, 0.8));
      outcome->targets = summary.targets;
      outcome->maxRelCompleteness = summary.maxRelCompleteness;
      outcome->maxStepsUsed = summary.maxStepsUsed;
      outcome->unconverged = summary.unconverged;
    }
    outcome->profiles = accumulator.profiles();
    const std::string column = req.typeColumn.empty() ? defaultTypeColumn(recording->units) : req.typeColumn;
    outcome->unitTypes = unitTypes(recording->units, column, recording->unitCount());
    try {
      LinkOptions link;
      link.permutations = req.permutations;
      outcome->link =
          runLink(accumulator.profiles(), accumulator.mass(), outcome->unitTypes, link, progress.sub(0.8, 1.0));
    } catch (const InputError& error) {
      outcome->linkProblem = QString::fromStdString(error.what());
    }
  });
  if (!started) return;
  connect(
      &analysisJob_, &BackgroundJob::finished, this,
      [this, outcome] {
        if (analysisJob_.outcome() == BackgroundJob::Outcome::Succeeded) {
          attribution_ = outcome;
          Q_EMIT attributionChanged();
          Q_EMIT status(tr("Attribution done on %1 trials").arg(outcome->trialsUsed));
        } else if (analysisJob_.outcome() == BackgroundJob::Outcome::Failed) {
          Q_EMIT problem(tr("Attribution failed"), analysisJob_.errorMessage());
        } else {
          Q_EMIT status(tr("Attribution cancelled"));
        }
      },
      Qt::SingleShotConnection);
}

void PipelineController::runProbe(const ProbeRequest& request) {
  if (recording_ == nullptr || (request.useLatents && latents_ == nullptr)) {
    Q_EMIT problem(tr("Nothing to probe"),
                   request.useLatents ? tr("Open a recording and run a model first.") : tr("Open a recording first."));
    return;
  }
  auto outcome = std::make_shared<ProbeOutcome>();
  outcome->request = request;
  const std::shared_ptr<const BinnedRecording> recording = recording_;
  const std::shared_ptr<const FloatArray> latents = latents_;
  const bool started = startJob(analysisJob_, [outcome, recording, latents](const Progress& progress) {
    const ProbeTarget target = probeTargetFromSpec(*recording, outcome->request.target);
    ProbeOptions options;
    options.folds = outcome->request.folds;
    options.rows = outcome->request.rowsPerTrial ? ProbeRowsKind::Trials : ProbeRowsKind::Bins;
    options.binMs = recording->binMs;
    const FloatArray& features = outcome->request.useLatents ? *latents : recording->counts;
    outcome->result = neurolens::runProbe(features, target, options, progress);
  });
  if (!started) return;
  connect(
      &analysisJob_, &BackgroundJob::finished, this,
      [this, outcome] {
        if (analysisJob_.outcome() == BackgroundJob::Outcome::Succeeded) {
          probe_ = outcome;
          Q_EMIT probeChanged();
          Q_EMIT status(tr("Probe of %1 done").arg(QString::fromStdString(outcome->request.target)));
        } else if (analysisJob_.outcome() == BackgroundJob::Outcome::Failed) {
          Q_EMIT problem(tr("Probe failed"), analysisJob_.errorMessage());
        } else {
          Q_EMIT status(tr("Probe cancelled"));
        }
      },
      Qt::SingleShotConnection);
}

}  // namespace neurolens::gui
