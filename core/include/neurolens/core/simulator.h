#pragma once
// The bundled demo: a simulated centre-out reaching session whose structure is
// known, so every view and analysis has a ground truth to be checked against.
//
// Latent dynamics (per trial, time s in [0, trialS)):
//   rot1, rot2  a rotation in a plane, angular speed rotationHz, phase = the reach angle
//   ramp        a condition-invariant ramp from -1 to +1
//   dir_x/y     a direction-tuned pair: speed profile g(s) * (cos angle, sin angle)
// Units of four types (unit column `cell_type`): rotational, ramping, tuned load
// ONLY on their own latents, with loadings of both signs; untuned units fire at a
// constant rate. Poisson spikes at continuous times (piecewise-constant rate per
// bin). Hand velocity /processing/behavior/hand_vel (cm/s) is the tuned pair
// `behaviorLagMs` later (the arm follows the neurons). Deterministic from the seed
// with the same numbers on every platform (own uniform/normal/Poisson draws, not
// the implementation-defined std distributions).
#include <cstdint>
#include <string>
#include <vector>

#include "neurolens/core/ndarray.h"
#include "neurolens/core/progress.h"
#include "neurolens/core/recording.h"

namespace neurolens {

struct DemoOptions {
  std::uint64_t seed = 1;
  int conditions = 8;  // reach angles 0, 360/conditions, ...
  int trialsPerCondition = 40;
  double trialS = 1.0;
  double gapS = 0.25;   // between trials (units fire at their baseline there)
  double binMs = 20.0;  // resolution of the simulated rates
  int rotationalUnits = 48;
  int rampingUnits = 32;
  int tunedUnits = 40;
  int untunedUnits = 30;
  double rotationHz = 1.25;
  double behaviorLagMs = 100.0;
  double behaviorSampleMs = 10.0;
  double peakSpeedCmS = 25.0;
};

struct DemoData {
  Recording recording;
  std::vector<std::string> latentNames;  // rot1, rot2, ramp, dir_x, dir_y
  FloatArray latents;                    // [trials, bins, 5] true latents at bin centres
  FloatArray expectedCounts;             // [trials, bins, units] Poisson means per bin
  FloatArray loadings;                   // [units, 5] log-rate loadings (zero off a unit's own latents)
  std::vector<double> baselineHz;        // per unit
};

// Throws InputError on options that make no sense (no trials, bins longer than a trial ...).
[[nodiscard]] DemoData simulateDemo(const DemoOptions& options = {}, const Progress& progress = {});

// "reach_045" for 45 degrees (the demo's condition labels).
[[nodiscard]] std::string reachConditionName(double angleDegrees);

}  // namespace neurolens
