#pragma once
// The figure styles shipped in resources/styles/*.json, compiled in by CMake (views/CMakeLists.txt generates
// builtin_styles.cpp from the files), so a named --style needs no installed resource folder.
#include <string>
#include <utility>
#include <vector>

namespace neurolens::views::figure {

// (name, JSON text) of each built-in style, default first.
[[nodiscard]] const std::vector<std::pair<std::string, std::string>>& builtinFigureStyles();

}  // namespace neurolens::views::figure
