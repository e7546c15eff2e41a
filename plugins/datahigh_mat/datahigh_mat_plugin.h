#pragma once
// Thin Qt plugin shell around the DataHigh MAT-file reader library.
#include <QObject>

#include "neurolens/plugins/recording_reader_plugin.h"

namespace neurolens::plugins {

class DataHighMatPlugin : public QObject, public RecordingReaderPlugin {
  Q_OBJECT
  Q_PLUGIN_METADATA(IID NEUROLENS_RECORDING_READER_IID FILE "datahigh_mat.json")
  Q_INTERFACES(neurolens::plugins::RecordingReaderPlugin)

 public:
  [[nodiscard]] PluginInfo info() const override;
  [[nodiscard]] std::vector<std::string> fileExtensions() const override;
  [[nodiscard]] bool canRead(const std::filesystem::path& file) const override;
  [[nodiscard]] Recording read(const std::filesystem::path& file, const Progress& progress) const override;
};

}  // namespace neurolens::plugins
