#pragma once
// Synthetic rotational population trajectories (the "rotations" seen in motor
// cortex, Churchland et al. 2012): for the empty-state demo, render tests and the
// render benchmark. Plain C++, deterministic for a given seed.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "neurolens/core/ndarray.h"

namespace neurolens::views {

struct DemoTrajectories {
  FloatArray points;           // [trials, bins, 3]
  std::vector<int> condition;  // one per trial, 0 .. conditions-1
};

// Each condition starts at its own angle on a unit circle and rotates about z while
// its radius decays and it drifts along z; trials add smooth per-trial noise.
[[nodiscard]] DemoTrajectories makeRotationalTrajectories(std::size_t conditions, std::size_t trialsPerCondition,
                                                          std::size_t bins, std::uint32_t seed = 7);

}  // namespace neurolens::views
