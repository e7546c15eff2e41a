#!/usr/bin/env bash
# Run on the developer machine before bench/gpu/run.sh goes to the GPU machine (which has PyTorch, CMake,
# g++, nvcc and Eigen headers but no network and no nlohmann_json): copies the nlohmann_json headers into
# bench/gpu/deps (ignored by git) with small CMake package files for it and Eigen3, so a core-only build
# configures there. Pass bench/gpu/deps in the device tool's `carry` list.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
deps="$here/deps"
rm -rf "$deps"
mkdir -p "$deps/include" "$deps/lib/cmake/nlohmann_json" "$deps/lib/cmake/Eigen3"
cp -r /usr/include/nlohmann "$deps/include/"
cat > "$deps/lib/cmake/nlohmann_json/nlohmann_jsonConfig.cmake" <<'CMAKE'
# nlohmann_json headers carried from the developer machine (bench/gpu/prepare.sh).
set(nlohmann_json_VERSION 3.11.2)
if(NOT TARGET nlohmann_json::nlohmann_json)
  add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
  set_target_properties(nlohmann_json::nlohmann_json PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${CMAKE_CURRENT_LIST_DIR}/../../../include")
endif()
CMAKE
echo 'set(PACKAGE_VERSION 3.11.2)
set(PACKAGE_VERSION_COMPATIBLE TRUE)' > "$deps/lib/cmake/nlohmann_json/nlohmann_jsonConfigVersion.cmake"
cat > "$deps/lib/cmake/Eigen3/Eigen3Config.cmake" <<'CMAKE'
# Eigen 3 from the machine's headers (the GPU machine has /usr/include/eigen3 and maybe no CMake package).
set(Eigen3_VERSION 3.4.0)
find_path(NEUROLENS_EIGEN3_INCLUDE Eigen/Core PATHS /usr/include/eigen3 /usr/local/include/eigen3 REQUIRED)
if(NOT TARGET Eigen3::Eigen)
  add_library(Eigen3::Eigen INTERFACE IMPORTED)
  set_target_properties(Eigen3::Eigen PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${NEUROLENS_EIGEN3_INCLUDE}")
endif()
CMAKE
echo 'set(PACKAGE_VERSION 3.4.0)
set(PACKAGE_VERSION_COMPATIBLE TRUE)' > "$deps/lib/cmake/Eigen3/Eigen3ConfigVersion.cmake"
echo "bench/gpu/deps ready ($(du -sh "$deps" | cut -f1))"
