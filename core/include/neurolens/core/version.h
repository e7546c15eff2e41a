#pragma once
#include <string>

namespace neurolens {
[[nodiscard]] std::string versionString();
}  // namespace neurolens
