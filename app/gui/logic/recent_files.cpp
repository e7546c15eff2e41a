#include "logic/recent_files.h"

#include <algorithm>

namespace neurolens::gui {

void RecentFiles::add(const std::string& path) {
  if (path.empty()) return;
  remove(path);
  paths_.insert(paths_.begin(), path);
  if (paths_.size() > capacity_) paths_.resize(capacity_);
}

void RecentFiles::remove(const std::string& path) {
  paths_.erase(std::remove(paths_.begin(), paths_.end(), path), paths_.end());
}

void RecentFiles::assign(const std::vector<std::string>& paths) {
  paths_.clear();
  for (const std::string& path : paths) {
    if (path.empty() || std::find(paths_.begin(), paths_.end(), path) != paths_.end()) continue;
    paths_.push_back(path);
    if (paths_.size() == capacity_) break;
  }
}

}  // namespace neurolens::gui
