#include "logic/open_queue.h"

#include <algorithm>
#include <cctype>

#include "logic/file_kind.h"

namespace neurolens::gui {

namespace {

bool endsWithNoCase(const std::string& text, const std::string& suffix) {
  if (text.size() < suffix.size()) return false;
  return std::equal(suffix.rbegin(), suffix.rend(), text.rbegin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
}

}  // namespace

OpenRequest openRequestFor(const std::string& path) {
  if (endsWithNoCase(path, ".nlsession")) return {OpenKind::Session, path, {}};
  switch (classifyFile(path)) {
    case FileKind::Recording:
      return {OpenKind::Recording, path, {}};
    case FileKind::Model:
      return {OpenKind::Model, path, {}};
    case FileKind::Unknown:
      break;
  }
  return {OpenKind::Unknown, path, {}};
}

std::vector<OpenRequest> openRequestsFor(const std::vector<std::string>& paths) {
  std::vector<OpenRequest> requests;
  requests.reserve(paths.size());
  for (const std::string& path : paths) requests.push_back(openRequestFor(path));
  return requests;
}

std::optional<OpenRequest> OpenQueue::next(bool busy) {
  if (busy || pending_.empty()) return std::nullopt;
  OpenRequest request = std::move(pending_.front());
  pending_.pop_front();
  return request;
}

}  // namespace neurolens::gui
