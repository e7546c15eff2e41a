#pragma once
// Plugin API version. A plugin records the version it was built against; the
// host refuses a plugin whose major version differs, with a message naming both.
namespace neurolens::plugins {

constexpr int kPluginApiMajor = 1;
constexpr int kPluginApiMinor = 0;

}  // namespace neurolens::plugins
