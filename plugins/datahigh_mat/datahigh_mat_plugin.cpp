#include "datahigh_mat_plugin.h"

#include "datahigh_mat_reader.h"

namespace neurolens::plugins {

PluginInfo DataHighMatPlugin::info() const {
  return {"datahigh-mat", "DataHigh MATLAB files (struct array D with .data and .condition), v5/v7/v7.3", "1.0"};
}

std::vector<std::string> DataHighMatPlugin::fileExtensions() const { return {".mat"}; }

bool DataHighMatPlugin::canRead(const std::filesystem::path& file) const { return datahigh::looksLikeMatFile(file); }

Recording DataHighMatPlugin::read(const std::filesystem::path& file, const Progress& progress) const {
  return datahigh::readDataHighMat(file, progress);
}

}  // namespace neurolens::plugins
