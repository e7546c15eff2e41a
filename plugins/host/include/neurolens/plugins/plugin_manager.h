#pragma once
// Finds, version-checks and loads NeuroLens plugins: loadable modules from the
// install's plugin folder, the user's plugin folder and $NEUROLENS_PLUGIN_PATH,
// plus plugins linked statically (tests). A plugin built for another API version,
// or one that fails to load, becomes a problem message, never a crash.
#include <QPluginLoader>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "neurolens/plugins/attribution_method_plugin.h"
#include "neurolens/plugins/probe_plugin.h"
#include "neurolens/plugins/recording_reader_plugin.h"

namespace neurolens::plugins {

struct PluginProblem {
  std::string file;
  std::string message;
};

struct PluginEntry {
  std::string file;  // "(static)" for statically linked plugins
  std::string name;
  std::string kind;  // "recording-reader", "attribution-method", "probe"
  std::string apiVersion;
  std::string description;
};

class PluginManager {
 public:
  // Scans `folders` (non-existent ones are skipped) and the static plugins.
  explicit PluginManager(const std::vector<std::filesystem::path>& folders);
  ~PluginManager();
  PluginManager(const PluginManager&) = delete;
  PluginManager& operator=(const PluginManager&) = delete;

  // <program dir>/../lib/neurolens/plugins (build tree and install), the user's
  // plugin folder (~/.local/share/NeuroLens/plugins) and $NEUROLENS_PLUGIN_PATH (':'-separated).
  [[nodiscard]] static std::vector<std::filesystem::path> defaultFolders();

  [[nodiscard]] const std::vector<PluginEntry>& plugins() const { return entries_; }
  [[nodiscard]] const std::vector<PluginProblem>& problems() const { return problems_; }

  [[nodiscard]] const std::vector<const RecordingReaderPlugin*>& recordingReaders() const { return readers_; }
  // The reader claiming this file's extension whose canRead() accepts it, or nullptr.
  [[nodiscard]] const RecordingReaderPlugin* readerFor(const std::filesystem::path& file) const;
  [[nodiscard]] const std::vector<const AttributionMethodPlugin*>& attributionMethods() const { return methods_; }
  [[nodiscard]] const AttributionMethodPlugin* attributionMethod(const std::string& name) const;
  [[nodiscard]] const std::vector<const ProbePlugin*>& probes() const { return probes_; }

 private:
  void consider(QObject* instance, const QJsonObject& metaData, const std::string& file);

  std::vector<std::unique_ptr<QPluginLoader>> loaders_;  // keep loaded modules alive
  std::vector<PluginEntry> entries_;
  std::vector<PluginProblem> problems_;
  std::vector<const RecordingReaderPlugin*> readers_;
  std::vector<const AttributionMethodPlugin*> methods_;
  std::vector<const ProbePlugin*> probes_;
};

}  // namespace neurolens::plugins
