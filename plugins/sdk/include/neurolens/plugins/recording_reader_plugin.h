#pragma once
// Interface for plugins that read recordings from other file formats.
#include <QtPlugin>
#include <filesystem>
#include <string>
#include <vector>

#include "neurolens/core/progress.h"
#include "neurolens/core/recording.h"
#include "neurolens/plugins/plugin_api.h"

namespace neurolens::plugins {

class RecordingReaderPlugin {
 public:
  virtual ~RecordingReaderPlugin() = default;
  [[nodiscard]] virtual PluginInfo info() const = 0;
  // Lower-case extensions with the dot, e.g. {".mat"}.
  [[nodiscard]] virtual std::vector<std::string> fileExtensions() const = 0;
  // A cheap look at the file (magic bytes, top-level names); no full read.
  [[nodiscard]] virtual bool canRead(const std::filesystem::path& file) const = 0;
  // Throws neurolens::InputError naming the file and the problem.
  [[nodiscard]] virtual Recording read(const std::filesystem::path& file, const Progress& progress) const = 0;
};

}  // namespace neurolens::plugins

#define NEUROLENS_RECORDING_READER_IID "org.neurolens.RecordingReader/1"
Q_DECLARE_INTERFACE(neurolens::plugins::RecordingReaderPlugin, NEUROLENS_RECORDING_READER_IID)
