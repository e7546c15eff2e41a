#include "headless/headless_run.h"

#include <QApplication>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <cstdio>
#include <cstdlib>

#include "logic/open_queue.h"
#include "main_window.h"
#include "neurolens/views/vtk_view_widget.h"

namespace neurolens::gui {

namespace {

std::string absolute(const QString& path) { return QFileInfo(path).absoluteFilePath().toStdString(); }

QJsonValue text(const std::string& value) { return QString::fromStdString(value); }

QJsonObject stateJson(const RunState& state) {
  QJsonArray recordings, models, pairs;
  for (const OpenedFile& file : state.files()) {
    QJsonObject entry{{"path", text(file.path)}, {"state", fileStateName(file.state)}};
    if (!file.error.empty()) entry["error"] = text(file.error);
    if (file.recording) {
      entry["units"] = static_cast<qint64>(file.units);
      entry["trials"] = static_cast<qint64>(file.trials);
      recordings.append(entry);
    } else {
      entry["latents"] = static_cast<qint64>(file.latents);
      models.append(entry);
    }
  }
  for (const PairState& pair : state.pairs()) {
    pairs.append(QJsonObject{{"recording", text(pair.recording)},
                             {"model", pair.model ? text(*pair.model) : QJsonValue(QJsonValue::Null)},
                             {"state", pair.ready ? "ready" : "error"},
                             {"error", pair.error.empty() ? QJsonValue(QJsonValue::Null) : text(pair.error)},
                             {"trajectories", static_cast<qint64>(pair.trajectories)}});
  }
  return QJsonObject{{"recordings", recordings}, {"models", models}, {"pairs", pairs}};
}

}  // namespace

HeadlessRun::HeadlessRun(MainWindow& window, GuiOptions options) : window_(window), options_(std::move(options)) {
  watchdog_.setSingleShot(true);
  connect(&watchdog_, &QTimer::timeout, this, [this] { finish(true); });
  frameWait_.setInterval(50);
  connect(&frameWait_, &QTimer::timeout, this, &HeadlessRun::onFramePoll);
}

void HeadlessRun::start() {
  window_.setDialogsShown(false);
  window_.resize(options_.size);
  window_.show();
  observe();
  watchdog_.start(options_.timeoutSeconds * 1000);
  for (const QString& path : options_.files) {
    const OpenRequest request = openRequestFor(path.toStdString());
    if (request.kind == OpenKind::Recording || request.kind == OpenKind::Model)
      state_.asked(absolute(path), request.kind == OpenKind::Recording);
  }
  if (options_.demo) window_.showDemoTrajectories();
  if (!options_.files.isEmpty()) {
    window_.openFiles(options_.files);
  } else if (!options_.demo && options_.restore) {
    window_.startUp();
  }
  // Nothing to wait for (no files, or none that starts a job): finish from the event loop.
  if (window_.opener().isIdle()) QTimer::singleShot(0, this, [this] { onAllEnded(); });
}

void HeadlessRun::observe() {
  PipelineController* controller = &window_.controller();
  connect(controller, &PipelineController::recordingChanged, this, [this, controller](bool ok) {
    if (ok) {
      const BinnedRecording* recording = controller->recording();
      state_.recordingOpened(absolute(controller->recordingPath()), recording->unitCount(), recording->trialCount());
      return;
    }
    const BackgroundJob& job = controller->recordingJob();
    const std::string path = absolute(controller->attemptedRecording());
    state_.failed(path, true,
                  job.outcome() == BackgroundJob::Outcome::Failed ? job.errorMessage().toStdString() : "cancelled");
  });
  connect(controller, &PipelineController::modelChanged, this, [this, controller](bool ok) {
    if (ok) {
      state_.modelLoaded(absolute(controller->modelPath()), controller->model()->latentCount());
      return;
    }
    // A held model that fails to rerun on a new recording is that pair's error, not the file's.
    if (controller->attemptedModel() == controller->modelPath() && controller->model() != nullptr) return;
    const BackgroundJob& job = controller->modelJob();
    state_.failed(absolute(controller->attemptedModel()), false,
                  job.outcome() == BackgroundJob::Outcome::Failed ? job.errorMessage().toStdString() : "cancelled");
  });
  connect(&window_, &MainWindow::fileRefused, this, [this](const QString& path, const QString& reason) {
    state_.problem(absolute(path) + ": " + reason.toStdString());
  });
  connect(&window_, &MainWindow::problemReported, this, [this](const QString& title, const QString& message) {
    state_.problem(title.toStdString() + ": " + QString(message).replace('\n', ' ').toStdString());
  });
  connect(&window_.opener(), &OpenScheduler::idle, this, &HeadlessRun::onAllEnded);
}

void HeadlessRun::onAllEnded() {
  if (finishing_ || frameWait_.isActive()) return;
  // Let the view draw what the last job produced before grabbing the window (at most 5 s).
  views::VtkViewWidget* view = window_.trajectoryView();
  framesBefore_ = view->framesRendered();
  framePolls_ = 0;
  view->requestRender();
  frameWait_.start();
}

void HeadlessRun::onFramePoll() {
  views::VtkViewWidget* view = window_.trajectoryView();
  const bool drawn = view->framesRendered() > framesBefore_ || !view->isVisible();
  if (!drawn && ++framePolls_ < 100) return;
  frameWait_.stop();
  QTimer::singleShot(200, this, [this] { finish(false); });
}

void HeadlessRun::describePairs() {
  PipelineController& controller = window_.controller();
  std::vector<PairState> pairs;
  if (controller.recording() != nullptr) {
    PairState pair;
    pair.recording = absolute(controller.recordingPath());
    if (controller.model() == nullptr) {
      pair.ready = true;  // a recording alone: ready (its own trajectories come with issue 28 step 4)
    } else {
      pair.model = absolute(controller.modelPath());
      if (!controller.fitProblem().isEmpty()) {
        pair.error = controller.fitProblem().toStdString();
      } else if (controller.latents() == nullptr) {
        const BackgroundJob& job = controller.modelJob();
        pair.error = job.outcome() == BackgroundJob::Outcome::Failed
                         ? "the model did not run on this recording: " + job.errorMessage().toStdString()
                         : "the model has not run on this recording";
      } else {
        pair.ready = true;
      }
    }
    const Trajectories* drawn = window_.trajectories();
    if (drawn != nullptr && !window_.emptyStateShown()) pair.trajectories = drawn->data.points.dim(0);
    if (pair.ready && pair.model && pair.trajectories == 0) {
      pair.ready = false;
      pair.error = "no trajectories were drawn";
    }
    pairs.push_back(std::move(pair));
  }
  state_.setPairs(std::move(pairs));
}

bool HeadlessRun::writeOutputs(QString& problem) {
  if (!options_.screenshot.isEmpty()) {
    const QImage image = window_.grab().toImage();
    QSaveFile file(options_.screenshot);
    if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit()) {
      problem = QString("%1: could not write the screenshot").arg(options_.screenshot);
      return false;
    }
  }
  if (!options_.stateJson.isEmpty()) {
    QSaveFile file(options_.stateJson);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(QJsonDocument(stateJson(state_)).toJson(QJsonDocument::Indented)) < 0 || !file.commit()) {
      problem = QString("%1: could not write the state").arg(options_.stateJson);
      return false;
    }
  }
  return true;
}

void HeadlessRun::finish(bool timedOut) {
  if (finishing_) return;
  finishing_ = true;
  watchdog_.stop();
  frameWait_.stop();
  describePairs();
  QString problem;
  const bool written = writeOutputs(problem);
  int code = state_.exitCode();
  if (timedOut) {
    code = 4;
    QStringList waiting;
    for (const OpenedFile& file : state_.files())
      if (file.state == FileState::Loading) waiting << QFileInfo(QString::fromStdString(file.path)).fileName();
    problem = QString("not finished within --timeout %1 s%2; the state so far is written")
                  .arg(options_.timeoutSeconds)
                  .arg(waiting.isEmpty() ? QString() : " (still opening: " + waiting.join(", ") + ")");
  } else if (!written) {
    code = 4;
  } else if (const auto error = state_.firstError()) {
    problem = QString::fromStdString(*error);
  }
  if (!problem.isEmpty()) std::fprintf(stderr, "error: %s\n", qPrintable(problem));
  std::fflush(stderr);
  if (timedOut) {
    // A job still running may be one that cannot be interrupted (a model's forward pass): the window's
    // destructor would wait for it, so end the process here; every output is already written and closed.
    std::_Exit(code);
  }
  QCoreApplication::exit(code);
}

}  // namespace neurolens::gui
