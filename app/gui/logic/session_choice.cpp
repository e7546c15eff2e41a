#include "logic/session_choice.h"

#include <filesystem>

namespace neurolens::gui {

namespace {

using workspace::Id;

struct PairFiles {
  const workspace::PairItem* pair = nullptr;
  const workspace::RecordingItem* recording = nullptr;
  const workspace::ModelItem* model = nullptr;
};

// The pair with its ready files and a model that has sessions; none otherwise.
std::optional<PairFiles> multiSessionPair(const workspace::Workspace& space, Id id) {
  const workspace::PairItem* pair = space.pair(id);
  if (pair == nullptr || !pair->model) return std::nullopt;
  const workspace::RecordingItem* recording = space.recording(pair->recording);
  const workspace::ModelItem* model = space.model(*pair->model);
  if (recording == nullptr || model == nullptr || recording->state != workspace::State::Ready ||
      model->state != workspace::State::Ready || recording->data == nullptr || model->facts.sessions.empty())
    return std::nullopt;
  return PairFiles{pair, recording, model};
}

std::string fileName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

std::string unitsText(const workspace::SessionFacts& session) {
  if (session.units) return std::to_string(*session.units) + " units";
  if (!session.unitIds.empty()) return std::to_string(session.unitIds.size()) + " units";
  return "units not stated";
}

bool fits(const workspace::SessionFacts& session, std::size_t units) {
  if (session.units) return *session.units == static_cast<std::int64_t>(units);
  return session.unitIds.empty() || session.unitIds.size() == units;
}

}  // namespace

std::vector<SessionOffer> sessionOffers(const workspace::Workspace& space, Id id) {
  const auto files = multiSessionPair(space, id);
  if (!files) return {};
  const auto& facts = files->model->facts;
  const BinnedRecording& data = *files->recording->data;
  const std::string& requested = files->pair->requestedSession;
  std::vector<SessionOffer> offers;
  if (const workspace::SessionFacts* own = workspace::sessionFor(data, facts)) {
    offers.push_back({std::string(), "the recording's own (" + own->id + ", " + unitsText(*own) + ")",
                      requested.empty(), fits(*own, data.unitCount())});
  }
  for (const workspace::SessionFacts& session : facts.sessions)
    offers.push_back({session.id, session.id + " (" + unitsText(session) + ")", requested == session.id,
                      fits(session, data.unitCount())});
  return offers;
}

bool needsSession(const workspace::Workspace& space, Id id) {
  const auto files = multiSessionPair(space, id);
  return files && files->pair->state == workspace::State::Error && files->pair->requestedSession.empty() &&
         workspace::sessionFor(*files->recording->data, files->model->facts) == nullptr;
}

std::string sessionQuestion(const workspace::Workspace& space, Id id) {
  const auto files = multiSessionPair(space, id);
  if (!files) return {};
  const BinnedRecording& data = *files->recording->data;
  std::string sessions;
  for (const auto& session : files->model->facts.sessions)
    sessions += (sessions.empty() ? "" : ", ") + session.id + " (" + unitsText(session) + ")";
  return "The recording " + fileName(files->recording->path) + " (identifier \"" + data.identifier + "\", " +
         std::to_string(data.unitCount()) + " units) is none of the sessions of the model " +
         fileName(files->model->path) + ": " + sessions + ". Which session should it run with?";
}

std::optional<std::size_t> preferredOffer(const std::vector<SessionOffer>& offers) {
  if (offers.empty()) return std::nullopt;
  for (std::size_t index = 0; index < offers.size(); ++index)
    if (offers[index].fits) return index;
  return 0;
}

std::vector<Id> SessionAsker::toAsk(const workspace::Workspace& space) {
  std::vector<Id> ids;
  for (const workspace::PairItem& pair : space.pairs())
    if (asked_.count(pair.id) == 0 && needsSession(space, pair.id)) {
      asked_.insert(pair.id);
      ids.push_back(pair.id);
    }
  return ids;
}

}  // namespace neurolens::gui
