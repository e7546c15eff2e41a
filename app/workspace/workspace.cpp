#include "neurolens/workspace/workspace.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace neurolens::workspace {

namespace {

std::string fileName(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  return name.empty() ? path : name;
}

std::string quoted(const std::string& path) { return "\"" + fileName(path) + "\""; }

std::string number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

template <typename Items>
auto* findById(Items& items, Id id) {
  const auto found = std::find_if(items.begin(), items.end(), [id](const auto& item) { return item.id == id; });
  return found == items.end() ? nullptr : &*found;
}

}  // namespace

const char* stateName(State state) {
  switch (state) {
    case State::Loading:
      return "loading";
    case State::Ready:
      return "ready";
    case State::Error:
      return "error";
  }
  return "error";
}

const SessionFacts* sessionFor(const BinnedRecording& recording, const ModelFacts& model,
                               const std::string& requested) {
  const std::string& wanted = requested.empty() ? recording.identifier : requested;
  const auto found = std::find_if(model.sessions.begin(), model.sessions.end(),
                                  [&](const SessionFacts& session) { return session.id == wanted; });
  return found == model.sessions.end() ? nullptr : &*found;
}

std::optional<std::string> mismatch(const std::string& recordingPath, const BinnedRecording& recording,
                                    const std::string& modelPath, const ModelFacts& facts, const std::string& session) {
  ModelFacts model = facts;
  if (!facts.sessions.empty()) {
    const SessionFacts* bound = sessionFor(recording, facts, session);
    if (bound == nullptr) {
      std::string known;
      for (const auto& item : facts.sessions) known += (known.empty() ? "" : ", ") + item.id;
      if (!session.empty())
        return "model " + quoted(modelPath) + " has no session \"" + session + "\"; it knows " + known;
      return "model " + quoted(modelPath) + " knows the sessions " + known + "; the recording " +
             quoted(recordingPath) + " (identifier \"" + recording.identifier +
             "\") is none of them (choose one with Session... in the Workspace dock; neurolens-cli takes --session ID)";
    }
    model.units = bound->units;
    model.unitIds = bound->unitIds;
  } else if (!session.empty()) {
    return "model " + quoted(modelPath) + " has no sessions (session \"" + session +
           "\" was chosen): it is a single-session model";
  }
  const auto units = static_cast<std::int64_t>(recording.unitCount());
  if (model.units && *model.units != units)
    return "model " + quoted(modelPath) + " expects " + std::to_string(*model.units) + " units but the recording " +
           quoted(recordingPath) + " has " + std::to_string(units);
  if (model.binMs && std::abs(*model.binMs - recording.binMs) > 1e-6)
    return "model " + quoted(modelPath) + " was trained on " + number(*model.binMs) + " ms bins but the recording " +
           quoted(recordingPath) + " is binned at " + number(recording.binMs) + " ms; re-bin it at " +
           number(*model.binMs) + " ms";
  if (!model.unitIds.empty() && model.unitIds.size() == recording.unitIds.size()) {
    for (std::size_t i = 0; i < model.unitIds.size(); ++i)
      if (model.unitIds[i] != recording.unitIds[i])
        return "model " + quoted(modelPath) + " was trained on unit id " + std::to_string(model.unitIds[i]) +
               " in position " + std::to_string(i) + " but the recording " + quoted(recordingPath) + " has unit id " +
               std::to_string(recording.unitIds[i]) + " there";
  }
  return std::nullopt;
}

RecordingItem* Workspace::recordingEntry(Id id) { return findById(recordings_, id); }
ModelItem* Workspace::modelEntry(Id id) { return findById(models_, id); }
PairItem* Workspace::pairEntry(Id id) { return findById(pairs_, id); }
const RecordingItem* Workspace::recording(Id id) const { return findById(recordings_, id); }
const ModelItem* Workspace::model(Id id) const { return findById(models_, id); }
const PairItem* Workspace::pair(Id id) const { return findById(pairs_, id); }

std::optional<Kind> Workspace::kindOf(Id id) const {
  if (recording(id) != nullptr) return Kind::Recording;
  if (model(id) != nullptr) return Kind::Model;
  if (pair(id) != nullptr) return Kind::Pair;
  return std::nullopt;
}

const RecordingItem* Workspace::findRecording(const std::string& path) const {
  const auto found = std::find_if(recordings_.begin(), recordings_.end(),
                                  [&](const RecordingItem& item) { return item.path == path; });
  return found == recordings_.end() ? nullptr : &*found;
}

const ModelItem* Workspace::findModel(const std::string& path) const {
  const auto found =
      std::find_if(models_.begin(), models_.end(), [&](const ModelItem& item) { return item.path == path; });
  return found == models_.end() ? nullptr : &*found;
}

const PairItem* Workspace::findPair(Id recording, std::optional<Id> model) const {
  const auto found = std::find_if(pairs_.begin(), pairs_.end(), [&](const PairItem& item) {
    return item.recording == recording && item.model == model;
  });
  return found == pairs_.end() ? nullptr : &*found;
}

std::optional<std::string> Workspace::whyNoModelRuns(const std::string& path) const {
  const RecordingItem* item = findRecording(path);
  if (item == nullptr) return std::nullopt;
  for (const PairItem& pair : pairs_) {
    if (pair.recording != item->id || !pair.model) continue;
    if (pair.state != State::Error) return std::nullopt;  // a model runs, or will
  }
  for (const PairItem& pair : pairs_)
    if (pair.recording == item->id && pair.model) return pair.error;  // it names the model
  return std::nullopt;
}

std::string Workspace::label(Id id) const {
  if (const RecordingItem* item = recording(id)) return fileName(item->path);
  if (const ModelItem* item = model(id)) return fileName(item->path);
  if (const PairItem* item = pair(id)) {
    const std::string name = label(item->recording);
    return item->model ? name + " with " + label(*item->model) : name + " alone";
  }
  return {};
}

void Workspace::emitChanged(Kind kind, Id id) const {
  if (callbacks_.changed) callbacks_.changed(kind, id);
}

Id Workspace::addRecording(const std::string& path) {
  if (const RecordingItem* existing = findRecording(path)) return existing->id;
  RecordingItem item;
  item.id = nextId_++;
  item.path = path;
  recordings_.push_back(item);
  if (callbacks_.added) callbacks_.added(Kind::Recording, item.id);
  syncPairs();
  return item.id;
}

Id Workspace::addModel(const std::string& path) {
  if (const ModelItem* existing = findModel(path)) return existing->id;
  ModelItem item;
  item.id = nextId_++;
  item.path = path;
  models_.push_back(item);
  if (callbacks_.added) callbacks_.added(Kind::Model, item.id);
  syncPairs();
  return item.id;
}

void Workspace::recordingLoaded(Id id, std::shared_ptr<const BinnedRecording> data, std::string description) {
  RecordingItem* item = recordingEntry(id);
  if (item == nullptr) return;
  item->state = State::Ready;
  item->error.clear();
  item->data = std::move(data);
  item->description = std::move(description);
  // New data: what its pairs computed before no longer stands.
  for (PairItem& pair : pairs_) {
    if (pair.recording != id) continue;
    if (pair.running && callbacks_.cancel) callbacks_.cancel(pair.id);
    pair.running = false;
    pair.latents.reset();
    pair.runError.clear();
    pair.trajectories = 0;
  }
  emitChanged(Kind::Recording, id);
  syncPairs();
}

void Workspace::modelLoaded(Id id, std::shared_ptr<const Model> model, const ModelFacts& facts) {
  ModelItem* item = modelEntry(id);
  if (item == nullptr) return;
  item->state = State::Ready;
  item->error.clear();
  item->model = std::move(model);
  item->facts = facts;
  for (PairItem& pair : pairs_) {
    if (pair.model != id) continue;
    if (pair.running && callbacks_.cancel) callbacks_.cancel(pair.id);
    pair.running = false;
    pair.latents.reset();
    pair.runError.clear();
    pair.trajectories = 0;
  }
  emitChanged(Kind::Model, id);
  syncPairs();
}

void Workspace::fileFailed(Id id, const std::string& error) {
  if (RecordingItem* item = recordingEntry(id)) {
    item->state = State::Error;
    item->error = error;
    item->data.reset();
    emitChanged(Kind::Recording, id);
  } else if (ModelItem* model = modelEntry(id)) {
    model->state = State::Error;
    model->error = error;
    model->model.reset();
    emitChanged(Kind::Model, id);
  } else {
    return;
  }
  syncPairs();
}

void Workspace::close(Id id) {
  const std::optional<Kind> kind = kindOf(id);
  if (!kind || *kind == Kind::Pair) return;
  const bool loading =
      *kind == Kind::Recording ? recording(id)->state == State::Loading : model(id)->state == State::Loading;
  if (loading && callbacks_.cancel) callbacks_.cancel(id);
  for (std::size_t index = pairs_.size(); index-- > 0;) {
    const PairItem& pair = pairs_[index];
    if (pair.recording == id || pair.model == id) removePair(index);
  }
  if (callbacks_.removed) callbacks_.removed(*kind, id);
  if (*kind == Kind::Recording) {
    recordings_.erase(std::find_if(recordings_.begin(), recordings_.end(),
                                   [id](const RecordingItem& item) { return item.id == id; }));
  } else {
    models_.erase(std::find_if(models_.begin(), models_.end(), [id](const ModelItem& item) { return item.id == id; }));
  }
  syncPairs();
}

void Workspace::closeAll() {
  while (!models_.empty()) close(models_.back().id);
  while (!recordings_.empty()) close(recordings_.back().id);
}

void Workspace::removePair(std::size_t index) {
  const Id id = pairs_[index].id;
  if (pairs_[index].running && callbacks_.cancel) callbacks_.cancel(id);
  if (callbacks_.removed) callbacks_.removed(Kind::Pair, id);
  pairs_.erase(pairs_.begin() + static_cast<std::ptrdiff_t>(index));
}

void Workspace::syncPairs() {
  // Wanted: each recording with each model, or each recording alone while no model is open.
  std::vector<std::pair<Id, std::optional<Id>>> wanted;
  for (const RecordingItem& recording : recordings_) {
    if (models_.empty()) wanted.emplace_back(recording.id, std::nullopt);
    for (const ModelItem& model : models_) wanted.emplace_back(recording.id, model.id);
  }
  for (std::size_t index = pairs_.size(); index-- > 0;) {
    const PairItem& pair = pairs_[index];
    if (std::find(wanted.begin(), wanted.end(), std::make_pair(pair.recording, pair.model)) == wanted.end())
      removePair(index);
  }
  std::vector<PairItem> ordered;
  std::vector<Id> added;
  for (const auto& [recordingId, modelId] : wanted) {
    if (const PairItem* existing = findPair(recordingId, modelId)) {
      ordered.push_back(*existing);
      continue;
    }
    PairItem pair;
    pair.id = nextId_++;
    pair.recording = recordingId;
    pair.model = modelId;
    ordered.push_back(pair);
    added.push_back(pair.id);
  }
  pairs_ = std::move(ordered);
  for (PairItem& pair : pairs_) {
    const bool isNew = std::find(added.begin(), added.end(), pair.id) != added.end();
    const State before = pair.state;
    const std::string error = pair.error;
    refresh(pair);
    if (isNew) {
      if (callbacks_.added) callbacks_.added(Kind::Pair, pair.id);
    } else if (pair.state != before || pair.error != error) {
      emitChanged(Kind::Pair, pair.id);
    }
  }
}

void Workspace::refresh(PairItem& pair) {
  const RecordingItem* recording = this->recording(pair.recording);
  const ModelItem* model = pair.model ? this->model(*pair.model) : nullptr;
  pair.error.clear();
  pair.session.clear();
  if (recording->state == State::Error) {
    pair.state = State::Error;
    pair.error = "the recording " + quoted(recording->path) + " could not be opened: " + recording->error;
  } else if (model != nullptr && model->state == State::Error) {
    pair.state = State::Error;
    pair.error = "the model " + quoted(model->path) + " could not be loaded: " + model->error;
  } else if (recording->state == State::Loading || (model != nullptr && model->state == State::Loading)) {
    pair.state = State::Loading;
  } else if (model == nullptr) {
    pair.state = State::Ready;  // the recording alone
  } else if (const auto problem =
                 mismatch(recording->path, *recording->data, model->path, model->facts, pair.requestedSession)) {
    pair.state = State::Error;
    pair.error = *problem;
  } else {
    // The files fit: a multi-session model runs with the session found (Model::forRecording binds it).
    if (const SessionFacts* bound = sessionFor(*recording->data, model->facts, pair.requestedSession))
      pair.session = bound->id;
    if (!pair.runError.empty()) {
      pair.state = State::Error;
      pair.error = pair.runError;
    } else {
      pair.state = pair.latents != nullptr ? State::Ready : State::Loading;
    }
  }
}

bool Workspace::chooseSession(Id id, const std::string& session) {
  PairItem* pair = pairEntry(id);
  if (pair == nullptr) return false;
  if (pair->requestedSession == session) return true;
  if (pair->running && callbacks_.cancel) callbacks_.cancel(id);  // its run used the session before
  pair->running = false;
  pair->requestedSession = session;
  pair->latents.reset();
  pair->runError.clear();
  refresh(*pair);
  emitChanged(Kind::Pair, id);
  return true;
}

std::vector<Id> Workspace::pairsToRun() const {
  std::vector<Id> ids;
  for (const PairItem& pair : pairs_) {
    if (pair.state != State::Loading || pair.running || !pair.model) continue;
    const RecordingItem* recording = this->recording(pair.recording);
    const ModelItem* model = this->model(*pair.model);
    if (recording->state == State::Ready && model->state == State::Ready) ids.push_back(pair.id);
  }
  return ids;
}

void Workspace::runStarted(Id id) {
  PairItem* pair = pairEntry(id);
  if (pair == nullptr || pair->running) return;
  pair->running = true;
  emitChanged(Kind::Pair, id);
}

void Workspace::runFinished(Id id, std::shared_ptr<const FloatArray> latents) {
  PairItem* pair = pairEntry(id);
  if (pair == nullptr) return;
  pair->running = false;
  pair->latents = std::move(latents);
  pair->runError.clear();
  refresh(*pair);
  emitChanged(Kind::Pair, id);
}

void Workspace::runFailed(Id id, const std::string& error) {
  PairItem* pair = pairEntry(id);
  if (pair == nullptr) return;
  pair->running = false;
  pair->latents.reset();
  pair->runError = error.empty() ? std::string("the model did not run on this recording") : error;
  refresh(*pair);
  emitChanged(Kind::Pair, id);
}

void Workspace::setTrajectories(Id id, std::size_t count) {
  PairItem* pair = pairEntry(id);
  if (pair == nullptr || pair->trajectories == count) return;
  pair->trajectories = count;
  emitChanged(Kind::Pair, id);
}

std::optional<Retry> Workspace::retryFor(Id id) const {
  if (const RecordingItem* item = recording(id))
    return item->state == State::Error ? std::optional<Retry>(Retry{RetryKind::OpenFile, id}) : std::nullopt;
  if (const ModelItem* item = model(id))
    return item->state == State::Error ? std::optional<Retry>(Retry{RetryKind::OpenFile, id}) : std::nullopt;
  const PairItem* item = pair(id);
  if (item == nullptr || item->state != State::Error || item->running) return std::nullopt;
  if (recording(item->recording)->state == State::Error) return Retry{RetryKind::OpenFile, item->recording};
  if (item->model && model(*item->model)->state == State::Error) return Retry{RetryKind::OpenFile, *item->model};
  if (!item->runError.empty() && item->error == item->runError) return Retry{RetryKind::RunPair, id};
  return std::nullopt;  // a mismatch: the same files would fail the same way
}

std::optional<Retry> Workspace::retry(Id id) {
  const std::optional<Retry> plan = retryFor(id);
  if (!plan) return plan;
  if (plan->kind == RetryKind::RunPair) {
    PairItem* item = pairEntry(plan->id);
    item->runError.clear();
    item->latents.reset();
    refresh(*item);
    emitChanged(Kind::Pair, plan->id);
    return plan;
  }
  if (RecordingItem* item = recordingEntry(plan->id)) {
    item->state = State::Loading;
    item->error.clear();
    emitChanged(Kind::Recording, plan->id);
  } else if (ModelItem* model = modelEntry(plan->id)) {
    model->state = State::Loading;
    model->error.clear();
    emitChanged(Kind::Model, plan->id);
  }
  syncPairs();
  return plan;
}

bool Workspace::settled() const {
  return std::none_of(pairs_.begin(), pairs_.end(),
                      [](const PairItem& pair) { return pair.state == State::Loading; }) &&
         std::none_of(recordings_.begin(), recordings_.end(),
                      [](const RecordingItem& item) { return item.state == State::Loading; }) &&
         std::none_of(models_.begin(), models_.end(),
                      [](const ModelItem& item) { return item.state == State::Loading; });
}

}  // namespace neurolens::workspace
