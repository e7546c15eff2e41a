#include "logic/run_state.h"

#include <algorithm>

namespace neurolens::gui {

const char* fileStateName(FileState state) {
  switch (state) {
    case FileState::Loading:
      return "loading";
    case FileState::Ready:
      return "ready";
    case FileState::Error:
      return "error";
  }
  return "error";
}

OpenedFile& RunState::entry(const std::string& path, bool recording) {
  const auto found = std::find_if(files_.begin(), files_.end(), [&](const OpenedFile& file) {
    return file.path == path && file.recording == recording;
  });
  if (found != files_.end()) return *found;
  OpenedFile file;
  file.path = path;
  file.recording = recording;
  files_.push_back(file);
  return files_.back();
}

void RunState::asked(const std::string& path, bool recording) { entry(path, recording); }

void RunState::recordingOpened(const std::string& path, std::size_t units, std::size_t trials) {
  OpenedFile& file = entry(path, true);
  file.state = FileState::Ready;
  file.units = units;
  file.trials = trials;
  file.error.clear();
}

void RunState::modelLoaded(const std::string& path, std::int64_t latents) {
  OpenedFile& file = entry(path, false);
  file.state = FileState::Ready;
  file.latents = latents;
  file.error.clear();
}

void RunState::failed(const std::string& path, bool recording, const std::string& error) {
  OpenedFile& file = entry(path, recording);
  file.state = FileState::Error;
  file.error = error;
}

void RunState::problem(const std::string& message) { problems_.push_back(message); }

std::optional<std::string> RunState::firstError() const {
  for (const OpenedFile& file : files_) {
    if (file.state == FileState::Error) return file.path + ": " + file.error;
  }
  for (const PairState& pair : pairs_) {
    if (!pair.ready)
      return pair.recording + (pair.model ? " with " + *pair.model : std::string()) + ": " +
             (pair.error.empty() ? std::string("not ready") : pair.error);
  }
  if (!problems_.empty()) return problems_.front();
  return std::nullopt;
}

}  // namespace neurolens::gui
