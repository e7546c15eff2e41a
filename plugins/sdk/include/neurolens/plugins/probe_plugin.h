#pragma once
// Interface for plugins that add a probe (a decoder from features to a target).
#include <QtPlugin>
#include <string>
#include <vector>

#include "neurolens/core/ndarray.h"
#include "neurolens/plugins/plugin_api.h"

namespace neurolens::plugins {

struct ProbeFold {
  std::vector<std::size_t> trainRows;
  std::vector<std::size_t> testRows;
};

class ProbePlugin {
 public:
  virtual ~ProbePlugin() = default;
  [[nodiscard]] virtual PluginInfo info() const = 0;
  [[nodiscard]] virtual std::string probeName() const = 0;
  // features [rows, features], targets [rows, dims]; returns out-of-fold predictions [rows, dims].
  [[nodiscard]] virtual FloatArray crossValidatedPredictions(const FloatArray& features, const FloatArray& targets,
                                                             const std::vector<ProbeFold>& folds) const = 0;
};

}  // namespace neurolens::plugins

#define NEUROLENS_PROBE_IID "org.neurolens.Probe/1"
Q_DECLARE_INTERFACE(neurolens::plugins::ProbePlugin, NEUROLENS_PROBE_IID)
