#pragma once
// Opens a recording with whichever reader fits: a reader plugin that claims the
// file (MAT-files ...), else the built-in NWB reader. Shared by the GUI and the
// CLI so that every command accepts every format.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "neurolens/core/binning.h"
#include "neurolens/core/progress.h"
#include "neurolens/core/recording.h"
#include "neurolens/io/recording_reader.h"

namespace neurolens::plugins {
class PluginManager;
}

namespace neurolens::app {

class RecordingSource {
 public:
  // Loads plugins from PluginManager::defaultFolders().
  RecordingSource();
  explicit RecordingSource(const std::vector<std::filesystem::path>& pluginFolders);
  ~RecordingSource();
  RecordingSource(const RecordingSource&) = delete;
  RecordingSource& operator=(const RecordingSource&) = delete;

  [[nodiscard]] io::RecordingSummary summary(const std::filesystem::path& file) const;
  [[nodiscard]] Recording read(const std::filesystem::path& file, const Progress& progress = {}) const;
  // NWB files are binned straight from the file (low memory); others read then binned.
  [[nodiscard]] BinnedRecording readBinned(const std::filesystem::path& file, const BinningOptions& options,
                                           const Progress& progress = {}) const;

  [[nodiscard]] const plugins::PluginManager& plugins() const { return *plugins_; }
  // One line per plugin that could not be used (for warnings on stderr or in the GUI).
  [[nodiscard]] std::vector<std::string> pluginProblems() const;

 private:
  std::unique_ptr<plugins::PluginManager> plugins_;
};

// What `info` reports, computed from a recording already in memory.
[[nodiscard]] io::RecordingSummary summarize(const Recording& recording);

}  // namespace neurolens::app
