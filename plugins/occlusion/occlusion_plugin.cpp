#include "occlusion_plugin.h"

#include "occlusion.h"

namespace neurolens::plugins {

PluginInfo OcclusionPlugin::info() const {
  return {"occlusion", "Occlusion attribution: mean drop of the target when a (bins x units) window is baselined",
          "1.0"};
}

FloatArray OcclusionPlugin::attribute(const LatentFunction& latents, const AttributionRequest& request,
                                      const Progress& progress) const {
  return occlusion::occlusionAttribution(latents, request, occlusion::parseWindow(request.parameters), progress);
}

}  // namespace neurolens::plugins
