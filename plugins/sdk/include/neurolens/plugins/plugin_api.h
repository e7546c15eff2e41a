#pragma once
// Plugin API version. The major version is part of every interface IID, so a
// plugin built against another major version is not even castable; the host
// reads the plugin's metadata ("apiVersion") first to say so in words.
#include <string>

namespace neurolens::plugins {

constexpr int kPluginApiMajor = 1;
constexpr int kPluginApiMinor = 0;

inline std::string pluginApiVersion() { return std::to_string(kPluginApiMajor) + "." + std::to_string(kPluginApiMinor); }

// What every plugin says about itself (also in its JSON metadata file).
struct PluginInfo {
  std::string name;         // short, unique: "datahigh-mat"
  std::string description;  // one line for the GUI's plugin list
  std::string version;      // the plugin's own version
};

}  // namespace neurolens::plugins
