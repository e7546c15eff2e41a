#pragma once
// The "File > Recent Files" list as plain logic (no Qt): most recent first, no
// duplicates, bounded. The window persists it with QSettings.
#include <cstddef>
#include <string>
#include <vector>

namespace neurolens::gui {

class RecentFiles {
 public:
  explicit RecentFiles(std::size_t capacity = 10) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Moves `path` to the front (adding it if new) and drops the oldest beyond capacity.
  void add(const std::string& path);
  void remove(const std::string& path);
  void clear() { paths_.clear(); }
  // Replaces the list (e.g. from settings), keeping the first occurrence of each path.
  void assign(const std::vector<std::string>& paths);

  [[nodiscard]] const std::vector<std::string>& paths() const { return paths_; }
  [[nodiscard]] std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  std::vector<std::string> paths_;
};

}  // namespace neurolens::gui
