#pragma once
// The bundled demo model (resources/demo/demo_model.pt), compiled in: a
// TorchScript file trained on the default demo recording (simulateDemo, seed 1).
#include <string_view>

namespace neurolens::resources {

// The bytes of demo_model.pt; empty when the build had no trained model.
[[nodiscard]] std::string_view demoModelBytes();

}  // namespace neurolens::resources
