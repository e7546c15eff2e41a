#include "logic/bin_size_choice.h"

#include <cmath>
#include <sstream>

namespace neurolens::gui {

namespace {

bool same(double a, double b) { return std::abs(a - b) <= 1e-6; }

}  // namespace

std::optional<double> binSizeToFollow(const workspace::Workspace& space, workspace::Id id, double currentMs) {
  const workspace::ModelItem* model = space.model(id);
  if (model == nullptr || model->state != workspace::State::Ready || !model->facts.binMs) return std::nullopt;
  const double ms = *model->facts.binMs;
  for (const workspace::ModelItem& other : space.models())
    if (other.state == workspace::State::Ready && other.facts.binMs && !same(*other.facts.binMs, ms))
      return std::nullopt;  // the models disagree: nothing automatic
  if (!same(currentMs, ms) || !recordingsBinnedOtherwise(space, ms).empty()) return ms;
  return std::nullopt;
}

std::vector<std::string> recordingsBinnedOtherwise(const workspace::Workspace& space, double ms) {
  std::vector<std::string> paths;
  for (const workspace::RecordingItem& recording : space.recordings())
    if (recording.state == workspace::State::Ready && recording.data != nullptr && !same(recording.data->binMs, ms))
      paths.push_back(recording.path);
  return paths;
}

std::optional<double> rebinOffer(const workspace::Workspace& space, workspace::Id id) {
  const workspace::PairItem* pair = space.pair(id);
  if (pair == nullptr || !pair->model || pair->state != workspace::State::Error) return std::nullopt;
  const workspace::RecordingItem* recording = space.recording(pair->recording);
  const workspace::ModelItem* model = space.model(*pair->model);
  if (recording == nullptr || model == nullptr || recording->state != workspace::State::Ready ||
      model->state != workspace::State::Ready || recording->data == nullptr || !model->facts.binMs ||
      same(recording->data->binMs, *model->facts.binMs))
    return std::nullopt;
  return *model->facts.binMs;
}

std::string binText(double ms) {
  std::ostringstream out;
  out << ms;
  return out.str();
}

}  // namespace neurolens::gui
