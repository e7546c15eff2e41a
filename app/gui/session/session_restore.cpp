#include "session/session_restore.h"

#include <QFileInfo>

namespace neurolens::gui {

namespace {
QString absolute(const QString& path) { return path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath(); }
}  // namespace

SessionState pipelineSessionState(const PipelineController& controller, const std::vector<std::string>& recordings,
                                  const std::vector<std::string>& models) {
  SessionState state;
  state.recording = {absolute(controller.recordingPath()), {}};
  state.model = {absolute(controller.modelPath()), {}};
  state.recordings = inputsFor(recordings);
  state.models = inputsFor(models);
  if (!state.recording.path.isEmpty()) state.recording.sha256 = sha256OfFile(state.recording.path);
  if (!state.model.path.isEmpty()) state.model.sha256 = sha256OfFile(state.model.path);
  state.binning = controller.binning();
  state.device = controller.device();
  if (controller.attribution() != nullptr) state.attribution = controller.attribution()->request;
  return state;
}

SessionRestore::Start SessionRestore::begin(LoadedSession session) {
  Start start;
  const SessionState& state = session.state;
  if (state.recording.path.isEmpty() || !QFileInfo::exists(state.recording.path)) {
    start.problem = QString("The session's recording is missing: %1").arg(state.recording.path);
    session_.reset();
    return start;
  }
  start.requests = otherInputs(state);
  start.requests.push_back(
      {OpenKind::RecordingWithModel, state.recording.path.toStdString(), state.model.path.toStdString()});
  session_ = std::move(session);
  return start;
}

std::shared_ptr<const FloatArray> SessionRestore::savedLatentsFor(const QString& recordingPath) const {
  if (!session_ || !resultsStand(*session_) || session_->state.recording.path != recordingPath) return nullptr;
  return session_->latents;
}

bool SessionRestore::readyFor(const QString& recordingPath, bool hasLatents) const {
  return session_ && hasLatents && recordingPath == session_->state.recording.path;
}

LoadedSession SessionRestore::take() {
  if (!session_) return {};
  LoadedSession session = std::move(*session_);
  session_.reset();
  return session;
}

}  // namespace neurolens::gui
