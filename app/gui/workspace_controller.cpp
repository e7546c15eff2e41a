#include "workspace_controller.h"

#include <QFileInfo>
#include <QMetaObject>

#include "neurolens/core/model.h"
#include "pipeline_controller.h"

namespace neurolens::gui {

namespace {

using workspace::Id;
using workspace::Kind;
using workspace::State;

std::string absolute(const QString& path) { return QFileInfo(path).absoluteFilePath().toStdString(); }

workspace::ModelFacts factsOf(const Model& model) {
  workspace::ModelFacts facts;
  facts.units = model.metadata().units;
  facts.binMs = model.metadata().binMs;
  facts.unitIds = model.metadata().unitIds;
  facts.latents = model.latentCount();
  for (const auto& session : model.metadata().sessions)
    facts.sessions.push_back({session.id, session.units, session.unitIds});
  return facts;
}

QString failure(const BackgroundJob& job, const QString& cancelled) {
  return job.outcome() == BackgroundJob::Outcome::Failed ? job.errorMessage() : cancelled;
}

}  // namespace

WorkspaceController::WorkspaceController(PipelineController& controller, QObject* parent)
    : QObject(parent), controller_(controller) {
  workspace::WorkspaceCallbacks callbacks;
  callbacks.added = [this](Kind kind, Id id) { Q_EMIT itemAdded(kind, id); };
  callbacks.changed = [this](Kind kind, Id id) { Q_EMIT itemChanged(kind, id); };
  callbacks.removed = [this](Kind kind, Id id) { Q_EMIT itemRemoved(kind, id); };
  callbacks.cancel = [this](Id id) { cancel(id); };
  workspace_.setCallbacks(std::move(callbacks));
  controller_.setSessionSource([this](const QString& recording, const QString& model) {
    const auto id = pairOf(recording, model);
    const workspace::PairItem* pair = id ? workspace_.pair(*id) : nullptr;
    return pair != nullptr ? pair->requestedSession : std::string();
  });
  connect(&controller_, &PipelineController::recordingChanged, this, &WorkspaceController::onRecordingChanged);
  connect(&controller_, &PipelineController::modelChanged, this, &WorkspaceController::onModelChanged);
  connect(&controller_, &PipelineController::latentsChanged, this, &WorkspaceController::focusChanged);
  // Pairs wait while the controller works (it may be about to run the model on the recording itself).
  for (BackgroundJob* job : {&controller_.recordingJob(), &controller_.modelJob(), &controller_.analysisJob()})
    connect(job, &BackgroundJob::finished, this, &WorkspaceController::startPairsLater);
}

WorkspaceController::~WorkspaceController() {
  workspace_.setCallbacks({});
  controller_.setSessionSource({});
  for (auto& [id, job] : jobs_) {
    disconnect(job.get(), nullptr, this, nullptr);  // no outcome is wanted any more
    job->cancel();
  }
  jobs_.clear();  // each waits for its worker
}

void WorkspaceController::asked(const QString& path, bool recording) {
  if (recording) {
    workspace_.addRecording(absolute(path));
  } else {
    workspace_.addModel(absolute(path));
  }
}

void WorkspaceController::close(Id id) {
  workspace_.close(id);
  startPairsLater();
}

void WorkspaceController::retry(Id id) {
  const std::optional<workspace::Retry> plan = workspace_.retry(id);
  if (!plan) return;
  if (plan->kind == workspace::RetryKind::RunPair) return startPairsLater();
  const auto* recording = workspace_.recording(plan->id);
  const auto* model = workspace_.model(plan->id);
  Q_EMIT openAgain(QString::fromStdString(recording != nullptr ? recording->path : model->path));
}

bool WorkspaceController::chooseSession(Id id, const std::string& session) {
  if (!workspace_.chooseSession(id, session)) return false;
  startPairsLater();
  return true;
}

std::vector<PairSessionChoice> WorkspaceController::chosenSessions() const {
  std::vector<PairSessionChoice> chosen;
  for (const auto& pair : workspace_.pairs())
    if (pair.model && !pair.requestedSession.empty())
      chosen.push_back({QString::fromStdString(workspace_.recording(pair.recording)->path),
                        QString::fromStdString(workspace_.model(*pair.model)->path), pair.requestedSession});
  return chosen;
}

void WorkspaceController::chooseWhenOpen(const std::vector<PairSessionChoice>& choices) {
  for (const PairSessionChoice& choice : choices)
    waitingSessions_[{absolute(choice.recording), absolute(choice.model)}] = choice.session;
  chooseWaitingSessions();
}

void WorkspaceController::chooseWaitingSessions() {
  for (auto waiting = waitingSessions_.begin(); waiting != waitingSessions_.end();) {
    const auto* recording = workspace_.findRecording(waiting->first.first);
    const auto* model = workspace_.findModel(waiting->first.second);
    const auto* pair =
        recording != nullptr && model != nullptr ? workspace_.findPair(recording->id, model->id) : nullptr;
    if (pair == nullptr || recording->state != State::Ready || model->state != State::Ready) {
      ++waiting;
      continue;
    }
    workspace_.chooseSession(pair->id, waiting->second);
    waiting = waitingSessions_.erase(waiting);
  }
}

void WorkspaceController::rebin(Id id) {
  const auto* pair = workspace_.pair(id);
  if (pair == nullptr || !pair->model) return;
  const auto* recording = workspace_.recording(pair->recording);
  const auto* model = workspace_.model(*pair->model);
  if (recording == nullptr || model == nullptr || !model->facts.binMs) return;
  Q_EMIT rebinRequested(*model->facts.binMs, QString::fromStdString(recording->path));
}

void WorkspaceController::cancel(Id id) {
  if (const auto found = jobs_.find(id); found != jobs_.end()) {
    found->second->cancel();
    return;
  }
  if (BackgroundJob* job = jobFor(id)) job->cancel();
}

BackgroundJob* WorkspaceController::jobFor(Id id) const {
  if (const auto found = jobs_.find(id); found != jobs_.end()) return found->second.get();
  if (const auto* recording = workspace_.recording(id); recording != nullptr && recording->state == State::Loading) {
    BackgroundJob& job = controller_.recordingJob();
    if (job.isRunning() && absolute(controller_.attemptedRecording()) == recording->path) return &job;
  }
  if (const auto* model = workspace_.model(id); model != nullptr && model->state == State::Loading) {
    BackgroundJob& job = controller_.modelJob();
    if (job.isRunning() && absolute(controller_.attemptedModel()) == model->path) return &job;
  }
  return nullptr;
}

std::vector<std::string> WorkspaceController::readyPaths(bool recordings) const {
  std::vector<std::string> paths;
  if (recordings) {
    for (const auto& item : workspace_.recordings())
      if (item.state == State::Ready) paths.push_back(item.path);
  } else {
    for (const auto& item : workspace_.models())
      if (item.state == State::Ready) paths.push_back(item.path);
  }
  return paths;
}

bool WorkspaceController::busy() const { return !jobs_.empty() || !workspace_.pairsToRun().empty(); }

std::optional<Id> WorkspaceController::pairOf(const QString& recording, const QString& model) const {
  const auto* recordingItem = workspace_.findRecording(absolute(recording));
  if (recordingItem == nullptr) return std::nullopt;
  std::optional<Id> modelId;
  if (!model.isEmpty()) {
    const auto* modelItem = workspace_.findModel(absolute(model));
    if (modelItem == nullptr) return std::nullopt;
    modelId = modelItem->id;
  }
  const auto* pair = workspace_.findPair(recordingItem->id, modelId);
  return pair != nullptr ? std::optional<Id>(pair->id) : std::nullopt;
}

std::optional<Id> WorkspaceController::focusedPair() const {
  if (controller_.recordingData() == nullptr) return std::nullopt;
  return pairOf(controller_.recordingPath(), controller_.modelData() != nullptr ? controller_.modelPath() : QString());
}

void WorkspaceController::onRecordingChanged(bool ok) {
  if (ok) {
    const Id id = workspace_.addRecording(absolute(controller_.recordingPath()));
    const auto* item = workspace_.recording(id);
    if (item->state != State::Ready || item->data != controller_.recordingData())
      workspace_.recordingLoaded(id, controller_.recordingData(), controller_.recordingDescription().toStdString());
  } else if (!controller_.attemptedRecording().isEmpty()) {
    const Id id = workspace_.addRecording(absolute(controller_.attemptedRecording()));
    if (workspace_.recording(id)->state == State::Loading)
      workspace_.fileFailed(id, failure(controller_.recordingJob(), tr("opening was cancelled")).toStdString());
  }
  chooseWaitingSessions();
  startPairsLater();
}

void WorkspaceController::onModelChanged(bool ok) {
  const bool rerunFailed =
      !ok && controller_.modelData() != nullptr && controller_.attemptedModel() == controller_.modelPath();
  if (ok || rerunFailed) {
    const Id id = workspace_.addModel(absolute(controller_.modelPath()));
    // The controller loads the file again for each recording it runs it on: the same model, whose other
    // pairs' results stand.
    if (workspace_.model(id)->state != State::Ready)
      workspace_.modelLoaded(id, controller_.modelData(), factsOf(*controller_.modelData()));
    // What the controller ran on its recording is that pair's result: it is not run twice.
    if (controller_.recordingData() != nullptr) {
      if (const auto pair = pairOf(controller_.recordingPath(), controller_.modelPath())) {
        if (rerunFailed) {
          workspace_.runFailed(*pair, tr("the model did not run on this recording: %1")
                                          .arg(failure(controller_.modelJob(), tr("cancelled")))
                                          .toStdString());
        } else if (!controller_.fitProblem().isEmpty()) {
          workspace_.runFailed(*pair, controller_.fitProblem().toStdString());
        } else if (controller_.latentsData() != nullptr &&
                   workspace_.pair(*pair)->latents != controller_.latentsData()) {
          workspace_.runFinished(*pair, controller_.latentsData());
        }
      }
    }
  } else if (!controller_.attemptedModel().isEmpty()) {
    const Id id = workspace_.addModel(absolute(controller_.attemptedModel()));
    if (workspace_.model(id)->state == State::Loading)
      workspace_.fileFailed(id, failure(controller_.modelJob(), tr("loading was cancelled")).toStdString());
  }
  chooseWaitingSessions();
  startPairsLater();
}

void WorkspaceController::startPairsLater() {
  if (startPending_) return;
  startPending_ = true;
  QMetaObject::invokeMethod(
      this,
      [this] {
        startPending_ = false;
        startPairs();
      },
      Qt::QueuedConnection);
}

void WorkspaceController::startPairs() {
  if (controller_.busy()) return;  // its jobs' ends call again
  for (const Id id : workspace_.pairsToRun()) startPair(id);
  refocus();
}

void WorkspaceController::startPair(Id id) {
  const workspace::PairItem* pair = workspace_.pair(id);
  if (pair == nullptr || pair->running || !pair->model) return;  // closed meanwhile
  const auto* recording = workspace_.recording(pair->recording);
  const auto* model = workspace_.model(*pair->model);
  if (model->model == nullptr || recording->data == nullptr) {
    workspace_.runFailed(id, "nothing to run");
    return;
  }
  auto job = std::make_unique<BackgroundJob>(tr("Running %1").arg(QString::fromStdString(workspace_.label(id))));
  auto latents = std::make_shared<std::shared_ptr<const FloatArray>>();
  const std::shared_ptr<const Model> runModel = model->model;
  const std::shared_ptr<const BinnedRecording> data = recording->data;
  const std::string session = pair->session;  // a multi-session model's session for this recording
  const DeviceChoice device = controller_.device();
  BackgroundJob* raw = job.get();
  connect(raw, &BackgroundJob::finished, this, [this, id, raw, latents] {
    switch (raw->outcome()) {
      case BackgroundJob::Outcome::Succeeded:
        workspace_.runFinished(id, *latents);
        break;
      case BackgroundJob::Outcome::Failed:
        workspace_.runFailed(id, raw->errorMessage().toStdString());
        break;
      default:
        workspace_.runFailed(id, tr("cancelled").toStdString());
        break;
    }
    if (auto found = jobs_.find(id); found != jobs_.end() && found->second.get() == raw) {
      std::unique_ptr<BackgroundJob> done = std::move(found->second);
      jobs_.erase(found);
      done.release()->deleteLater();  // not inside its own finished()
    }
    startPairsLater();
  });
  const bool started = job->start([latents, runModel, data, device, session](const Progress& progress) {
    progress.report(0.0, "checking the model against the recording");
    const Model bound = runModel->forRecording(*data, session);
    bound.checkAgainst(*data);
    InferOptions options;
    options.device = device;
    *latents = std::make_shared<const FloatArray>(bound.infer(data->counts, options, progress.sub(0.05, 1.0)).latents);
  });
  if (!started) return;
  jobs_[id] = std::move(job);
  workspace_.runStarted(id);
  Q_EMIT jobStarted(raw);
}

void WorkspaceController::refocus() {
  if (controller_.busy() || busy()) return;
  const std::optional<Id> current = focusedPair();
  const workspace::PairItem* target = nullptr;
  if (current) {
    const auto* pair = workspace_.pair(*current);
    // Run again here after the controller's own run was cancelled, or with another session: the controller takes
    // its latents.
    if (pair->state == State::Ready && pair->latents != nullptr && controller_.latentsData() != pair->latents) {
      target = pair;
    } else if (pair->state != State::Error) {
      return;  // drawn (or a recording alone): it stays
    }
  }
  const auto& pairs = workspace_.pairs();
  for (const auto& pair : pairs) {
    if (target != nullptr) break;
    if (pair.state == State::Ready && pair.latents != nullptr) target = &pair;
  }
  if (target == nullptr && !current) {
    // The controller's recording was closed: hold any recording still open.
    for (const auto& pair : pairs)
      if (pair.state == State::Ready) {
        target = &pair;
        break;
      }
  }
  if (target == nullptr) {
    // The controller's files were closed and nothing else can be shown.
    if (controller_.recordingData() != nullptr &&
        workspace_.findRecording(absolute(controller_.recordingPath())) == nullptr)
      controller_.release();
    return;
  }
  const auto* recording = workspace_.recording(target->recording);
  const auto* model = target->model ? workspace_.model(*target->model) : nullptr;
  std::shared_ptr<const Model> shown = model != nullptr ? model->model : nullptr;
  // A multi-session model is held bound to the session its pair ran with (the analyses use that session).
  if (shown != nullptr && !target->session.empty())
    shown = std::make_shared<const Model>(shown->forRecording(*recording->data, target->session));
  controller_.adopt(
      QString::fromStdString(recording->path), recording->data, QString::fromStdString(recording->description),
      model != nullptr ? QString::fromStdString(model->path) : QString(), std::move(shown), target->latents);
}

}  // namespace neurolens::gui
