#include "neurolens/views/demo_trajectories.h"

#include <cmath>
#include <random>

namespace neurolens::views {

DemoTrajectories makeRotationalTrajectories(std::size_t conditions, std::size_t trialsPerCondition, std::size_t bins,
                                            std::uint32_t seed) {
  constexpr double kPi = 3.14159265358979323846;
  DemoTrajectories demo;
  const std::size_t trials = conditions * trialsPerCondition;
  demo.points = FloatArray({trials, bins, 3});
  demo.condition.resize(trials);
  std::mt19937 generator(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  for (std::size_t trial = 0; trial < trials; ++trial) {
    const std::size_t group = trial / (trialsPerCondition == 0 ? 1 : trialsPerCondition);
    demo.condition[trial] = static_cast<int>(group);
    const double startAngle = 2.0 * kPi * static_cast<double>(group) / static_cast<double>(conditions);
    // Smooth trial-to-trial variability: a random offset plus a slow random wobble.
    const double offsetX = 0.05 * noise(generator);
    const double offsetY = 0.05 * noise(generator);
    const double wobblePhase = 2.0 * kPi * std::uniform_real_distribution<double>(0.0, 1.0)(generator);
    const double speed = 1.0 + 0.05 * noise(generator);
    for (std::size_t bin = 0; bin < bins; ++bin) {
      const double t = bins > 1 ? static_cast<double>(bin) / static_cast<double>(bins - 1) : 0.0;
      const double angle = startAngle + 1.5 * kPi * t * speed;
      const double radius = 1.0 - 0.55 * t;
      const double wobble = 0.04 * std::sin(6.0 * t + wobblePhase);
      demo.points(trial, bin, 0) = static_cast<float>(radius * std::cos(angle) + offsetX + wobble);
      demo.points(trial, bin, 1) = static_cast<float>(radius * std::sin(angle) + offsetY - wobble);
      demo.points(trial, bin, 2) = static_cast<float>(0.8 * t + 0.25 * std::sin(startAngle) * t);
    }
  }
  return demo;
}

}  // namespace neurolens::views
