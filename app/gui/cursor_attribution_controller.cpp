#include "cursor_attribution_controller.h"

#include <QPointer>
#include <utility>

#include "pipeline_controller.h"
#include "widgets/analysis_panel.h"
#include "widgets/table_panel.h"
#include "widgets/trajectory_controls.h"
#include "widgets/window_attribution_view.h"

namespace neurolens::gui {

// What a job hands back to the main thread.
struct CursorAttributionController::Output {
  std::optional<ReceptiveField> field;
  std::shared_ptr<const std::vector<float>> means;
  std::shared_ptr<const WindowAttribution> result;
  AttributionWindow window;
};

CursorAttributionController::CursorAttributionController(QObject* parent)
    : QObject(parent), job_(tr("Cursor window attribution")) {
  setObjectName("cursorAttribution");
  connect(&job_, &BackgroundJob::finished, this, &CursorAttributionController::onFinished);
}

CursorAttributionController::~CursorAttributionController() {
  pending_.reset();
  job_.cancel();
  job_.waitForFinished();
}

std::string CursorAttributionController::contextKey(const CursorWindowRequest& request) const {
  const double binMs = request.recording != nullptr ? request.recording->binMs : 0.0;
  return request.pair + '\n' + request.model + '\n' +
         std::to_string(windowPolicyFor(request.windowMs, binMs > 0.0 ? binMs : 1.0).windowBins);
}

void CursorAttributionController::request(CursorWindowRequest request) {
  if (request.modelData == nullptr || request.recording == nullptr || request.recording->trialCount() == 0) {
    stop();
    return;
  }
  process(Stamped{std::move(request), Clock::now(), ++latest_, std::nullopt});
}

void CursorAttributionController::stop() {
  ++latest_;  // whatever runs now is stale
  pending_.reset();
  job_.cancel();
}

void CursorAttributionController::process(Stamped stamped) {
  const CursorWindowRequest& request = stamped.request;
  try {
    cache_.setContext(request.pair, request.model, optionsKey(request.options));
    const auto field = fields_.find(contextKey(request));
    if (field != fields_.end()) {
      const BinnedRecording& recording = *request.recording;
      const AttributionWindow window =
          chooseWindow(recording.trialCount(), recording.binCount(), request.trial, request.cursorBin,
                       windowPolicyFor(request.windowMs, recording.binMs), field->second.before, field->second.after);
      const WindowKey key{request.pair, request.model,      optionsKey(request.options),
                          window.trial, window.targetBegin, window.targetEnd};
      if (auto cached = cache_.find(key)) {
        pending_.reset();
        Q_EMIT shown(cached, std::chrono::duration<double>(Clock::now() - stamped.at).count(), true);
        return;
      }
      // Already being computed: let it finish and count as the latest.
      if (job_.isRunning() && running_ && running_->window) {
        const CursorWindowRequest& r = running_->request;
        const AttributionWindow& w = *running_->window;
        if (r.pair == request.pair && r.model == request.model &&
            optionsKey(r.options) == optionsKey(request.options) && w.trial == window.trial &&
            w.targetBegin == window.targetBegin && w.targetEnd == window.targetEnd) {
          running_->serial = stamped.serial;
          running_->at = std::min(running_->at, stamped.at);
          pending_.reset();
          return;
        }
      }
    }
  } catch (const std::exception& error) {
    Q_EMIT failed(QString::fromStdString(error.what()));
    return;
  }
  if (job_.isRunning()) {
    // The running window is kept (it is cached when done) unless its pair, model or options are no longer asked
    // for: then its result would be dropped anyway.
    if (running_ && (running_->request.pair != request.pair || running_->request.model != request.model ||
                     optionsKey(running_->request.options) != optionsKey(request.options)))
      job_.cancel();
    pending_ = std::move(stamped);  // replaces any older waiting request
    return;
  }
  start(std::move(stamped));
}

void CursorAttributionController::start(Stamped stamped) {
  const CursorWindowRequest& request = stamped.request;
  auto output = std::make_shared<Output>();
  std::optional<ReceptiveField> field;
  if (const auto known = fields_.find(contextKey(request)); known != fields_.end()) field = known->second;
  output->field = field;
  std::shared_ptr<const std::vector<float>> means;
  if (const auto known = means_.find(request.pair); known != means_.end()) means = known->second;
  const BinnedRecording& recording = *request.recording;
  const WindowPolicy policy = windowPolicyFor(request.windowMs, recording.binMs);
  if (field)
    output->window = chooseWindow(recording.trialCount(), recording.binCount(), request.trial, request.cursorBin,
                                  policy, field->before, field->after);
  running_ = stamped;
  if (field) running_->window = output->window;  // else the worker finds it (after measuring the context)
  output_ = output;
  ++jobsStarted_;
  if (field) Q_EMIT computing(output->window);
  const std::shared_ptr<const Model> model = request.modelData;
  const std::shared_ptr<const BinnedRecording> data = request.recording;
  const AttributionOptions options = request.options;
  const std::size_t trial = request.trial, cursor = request.cursorBin;
  job_.start([output, model, data, options, policy, trial, cursor, means](const Progress& progress) {
    if (!output->field) {
      output->field = windowContext(*model, data->counts, policy.windowBins, progress.sub(0.0, 0.5));
      output->window = chooseWindow(data->trialCount(), data->binCount(), trial, cursor, policy, output->field->before,
                                    output->field->after);
    }
    output->means = means;
    if (options.baseline == AttributionBaseline::Mean && output->means == nullptr)
      output->means = std::make_shared<const std::vector<float>>(unitMeans(data->counts));
    WindowAttribution result =
        attributeWindow(*model, data->counts, output->window, options,
                        output->means ? *output->means : std::vector<float>{}, progress.sub(0.5, 1.0));
    result.field = *output->field;
    output->result = std::make_shared<const WindowAttribution>(std::move(result));
  });
}

void CursorAttributionController::onFinished() {
  const std::optional<Stamped> finished = std::exchange(running_, std::nullopt);
  const std::shared_ptr<Output> output = std::exchange(output_, nullptr);
  if (finished && output) {
    const CursorWindowRequest& request = finished->request;
    if (output->field) fields_[contextKey(request)] = *output->field;
    if (output->means) means_[request.pair] = output->means;
    if (job_.outcome() == BackgroundJob::Outcome::Succeeded && output->result) {
      const WindowKey key{request.pair,
                          request.model,
                          optionsKey(request.options),
                          output->window.trial,
                          output->window.targetBegin,
                          output->window.targetEnd};
      cache_.insert(key, output->result);
      if (finished->serial == latest_)
        Q_EMIT shown(output->result, std::chrono::duration<double>(Clock::now() - finished->at).count(), false);
    } else if (job_.outcome() == BackgroundJob::Outcome::Failed && finished->serial == latest_) {
      Q_EMIT failed(job_.errorMessage());
    }
  }
  if (pending_) {
    Stamped next = std::move(*pending_);
    pending_.reset();
    process(std::move(next));
  }
}

namespace {

AttributionOptions windowOptions(const AttributionRequest& request, DeviceChoice device) {
  AttributionOptions options;
  // Plugin methods see only forward passes over whole trials; the cursor window uses the core methods.
  options.method = request.pluginMethod.empty() ? request.method : AttributionMethod::IntegratedGradients;
  options.steps = request.steps > 0 ? request.steps : options.steps;
  options.autoSteps = request.steps <= 0 && options.method == AttributionMethod::IntegratedGradients;
  options.tolerance = request.tolerance;
  options.baseline = request.baseline;
  options.device = device;  // all latents: targets stay empty
  return options;
}

}  // namespace

void connectCursorAttribution(CursorAttributionController& controller, PipelineController& pipeline,
                              TrajectoryControls& controls, TablePanel& trials, AnalysisPanel& analysis) {
  WindowAttributionView* view = analysis.windowAttributionView();
  // A new model or recording object is a new identity even under the same path (reopened, re-binned).
  struct Identity {
    std::weak_ptr<const Model> model;
    std::weak_ptr<const BinnedRecording> recording;
    int modelGeneration = 0;
    int recordingGeneration = 0;
  };
  auto identity = std::make_shared<Identity>();
  // Guards: while the window is torn down, a widget's last signals must not reach objects already gone.
  const QPointer<PipelineController> pipelineGuard(&pipeline);
  const QPointer<TrajectoryControls> controlsGuard(&controls);
  const QPointer<TablePanel> trialsGuard(&trials);
  const QPointer<AnalysisPanel> analysisGuard(&analysis);
  const QPointer<WindowAttributionView> viewGuard(view);
  const auto ask = [&controller, &pipeline, &controls, &trials, &analysis, view, identity, pipelineGuard, controlsGuard,
                    trialsGuard, analysisGuard, viewGuard] {
    if (pipelineGuard.isNull() || controlsGuard.isNull() || trialsGuard.isNull() || analysisGuard.isNull() ||
        viewGuard.isNull())
      return;
    if (!analysis.cursorWindowShown()) {
      controller.stop();
      return;
    }
    const auto& recording = pipeline.recordingData();
    if (recording == nullptr || pipeline.modelData() == nullptr || pipeline.latents() == nullptr) {
      controller.stop();
      view->clear(
          QObject::tr("Open a recording and a model that fits it: the window under the time cursor is "
                      "attributed here."));
      return;
    }
    view->setTiming(recording->binStartS, recording->binMs, recording->continuous);
    CursorWindowRequest request;
    if (identity->model.lock() != pipeline.modelData()) {
      identity->model = pipeline.modelData();
      ++identity->modelGeneration;
    }
    if (identity->recording.lock() != recording) {
      identity->recording = recording;
      ++identity->recordingGeneration;
    }
    request.pair = pipeline.recordingPath().toStdString() + "@" + std::to_string(recording->binMs) + "ms#" +
                   std::to_string(identity->recordingGeneration);
    request.model = pipeline.modelPath().toStdString() + "#" + std::to_string(identity->modelGeneration);
    request.modelData = pipeline.modelData();
    request.recording = recording;
    request.options = windowOptions(analysis.attributionRequest(), pipeline.device());
    const std::vector<std::size_t> selected = trials.selectedRows();
    request.trial = !selected.empty() && selected.front() < recording->trialCount() ? selected.front() : 0;
    request.cursorBin = static_cast<std::size_t>(std::max(0, controls.time()));
    controller.request(std::move(request));
  };
  QObject::connect(&controls, &TrajectoryControls::timeChanged, &controller, ask);
  QObject::connect(&trials, &TablePanel::rowsSelected, &controller, ask);
  QObject::connect(&pipeline, &PipelineController::latentsChanged, &controller, ask);
  QObject::connect(&pipeline, &PipelineController::modelChanged, &controller, ask);
  QObject::connect(&analysis, &AnalysisPanel::attributionOptionsChanged, &controller, ask);
  QObject::connect(&analysis, &AnalysisPanel::cursorWindowShownChanged, &controller, ask);
  QObject::connect(&controller, &CursorAttributionController::computing, view, &WindowAttributionView::showComputing);
  QObject::connect(&controller, &CursorAttributionController::shown, view, &WindowAttributionView::showResult);
  QObject::connect(&controller, &CursorAttributionController::failed, view, &WindowAttributionView::showProblem);
}

}  // namespace neurolens::gui
