#pragma once
// Thin Qt plugin shell: `--method occlusion` in the CLI and the GUI.
#include <QObject>

#include "neurolens/plugins/attribution_method_plugin.h"

namespace neurolens::plugins {

class OcclusionPlugin : public QObject, public AttributionMethodPlugin {
  Q_OBJECT
  Q_PLUGIN_METADATA(IID NEUROLENS_ATTRIBUTION_METHOD_IID FILE "occlusion.json")
  Q_INTERFACES(neurolens::plugins::AttributionMethodPlugin)

 public:
  [[nodiscard]] PluginInfo info() const override;
  [[nodiscard]] std::string methodName() const override { return "occlusion"; }
  [[nodiscard]] FloatArray attribute(const LatentFunction& latents, const AttributionRequest& request,
                                     const Progress& progress) const override;
};

}  // namespace neurolens::plugins
