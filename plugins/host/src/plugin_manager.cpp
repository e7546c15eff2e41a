#include "neurolens/plugins/plugin_manager.h"

#include <QJsonObject>
#include <QStandardPaths>
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

namespace neurolens::plugins {
namespace {

std::filesystem::path programFolder() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : exe.parent_path();
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool isPluginFile(const std::filesystem::path& file) {
  return file.extension() == ".so" && std::filesystem::is_regular_file(file);
}

}  // namespace

PluginManager::PluginManager(const std::vector<std::filesystem::path>& folders) {
  for (const QStaticPlugin& plugin : QPluginLoader::staticPlugins())
    consider(plugin.instance(), plugin.metaData(), "(static)");

  std::vector<std::filesystem::path> seen;
  for (const auto& folder : folders) {
    std::error_code ec;
    const auto canonical = std::filesystem::weakly_canonical(folder, ec);
    if (ec || !std::filesystem::is_directory(canonical, ec)) continue;
    if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) continue;
    seen.push_back(canonical);
    std::vector<std::filesystem::path> files;
    for (const auto& item : std::filesystem::directory_iterator(canonical, ec))
      if (isPluginFile(item.path())) files.push_back(item.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      auto loader = std::make_unique<QPluginLoader>(QString::fromStdString(file.string()));
      const QJsonObject metaData = loader->metaData();
      if (metaData.isEmpty()) {
        problems_.push_back({file.string(), "not a NeuroLens plugin (no Qt plugin metadata)"});
        continue;
      }
      // Check the API version before loading: a plugin for another version must not run.
      const QString api = metaData.value("MetaData").toObject().value("apiVersion").toString();
      const int major = api.section('.', 0, 0).toInt();
      if (api.isEmpty() || major != kPluginApiMajor) {
        problems_.push_back({file.string(), "built for NeuroLens plugin API " +
                                                (api.isEmpty() ? std::string("(unknown)") : api.toStdString()) +
                                                ", this NeuroLens provides " + pluginApiVersion() +
                                                ": rebuild the plugin against this SDK"});
        continue;
      }
      QObject* instance = loader->instance();
      if (instance == nullptr) {
        problems_.push_back({file.string(), "could not be loaded: " + loader->errorString().toStdString()});
        continue;
      }
      const auto before = entries_.size();
      consider(instance, metaData, file.string());
      if (entries_.size() > before) loaders_.push_back(std::move(loader));
    }
  }
}

PluginManager::~PluginManager() = default;  // loaders are not unloaded: objects from them may outlive us

std::vector<std::filesystem::path> PluginManager::defaultFolders() {
  const auto program = programFolder();
  std::vector<std::filesystem::path> folders{program / NEUROLENS_PLUGIN_RELATIVE_DIR,
                                             program / "../lib/neurolens/plugins"};
  const QString user = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
  if (!user.isEmpty()) folders.push_back(std::filesystem::path(user.toStdString()) / "NeuroLens" / "plugins");
  if (const char* extra = std::getenv("NEUROLENS_PLUGIN_PATH")) {
    std::stringstream list(extra);
    std::string item;
    while (std::getline(list, item, ':'))
      if (!item.empty()) folders.emplace_back(item);
  }
  return folders;
}

void PluginManager::consider(QObject* instance, const QJsonObject& metaData, const std::string& file) {
  if (instance == nullptr) return;
  const QJsonObject own = metaData.value("MetaData").toObject();
  PluginEntry entry{file, own.value("name").toString().toStdString(), own.value("kind").toString().toStdString(),
                    own.value("apiVersion").toString().toStdString(),
                    own.value("description").toString().toStdString()};
  if (const auto* reader = qobject_cast<RecordingReaderPlugin*>(instance)) {
    readers_.push_back(reader);
  } else if (const auto* method = qobject_cast<AttributionMethodPlugin*>(instance)) {
    if (attributionMethod(method->methodName()) != nullptr) {
      problems_.push_back({file, "attribution method '" + method->methodName() + "' is already provided; ignored"});
      return;
    }
    methods_.push_back(method);
  } else if (const auto* probe = qobject_cast<ProbePlugin*>(instance)) {
    probes_.push_back(probe);
  } else {
    problems_.push_back({file, "implements no NeuroLens plugin interface of API " + pluginApiVersion() + " (IID " +
                                   metaData.value("IID").toString().toStdString() + ")"});
    return;
  }
  entries_.push_back(std::move(entry));
}

const RecordingReaderPlugin* PluginManager::readerFor(const std::filesystem::path& file) const {
  const std::string extension = lower(file.extension().string());
  for (const auto* reader : readers_) {
    const auto extensions = reader->fileExtensions();
    if (std::find(extensions.begin(), extensions.end(), extension) != extensions.end() && reader->canRead(file))
      return reader;
  }
  return nullptr;
}

const AttributionMethodPlugin* PluginManager::attributionMethod(const std::string& name) const {
  for (const auto* method : methods_)
    if (method->methodName() == name) return method;
  return nullptr;
}

}  // namespace neurolens::plugins
