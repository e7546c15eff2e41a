#include "neurolens/core/simulator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <random>

#include "neurolens/core/errors.h"

namespace neurolens {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kLatents = 5;
enum Latent { kRot1 = 0, kRot2, kRamp, kDirX, kDirY };
using LatentVector = std::array<double, kLatents>;

double dot(const LatentVector& a, const LatentVector& b) {
  double sum = 0.0;
  for (int d = 0; d < kLatents; ++d) sum += a[static_cast<std::size_t>(d)] * b[static_cast<std::size_t>(d)];
  return sum;
}

// Random draws built on std::mt19937_64 alone (whose output the standard fixes),
// so a seed gives the same demo with every standard library.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  double normal() {                     // Box-Muller; one value per call keeps the stream simple
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
  }
  // Inversion; the demo's means per bin are small (< 10), far from any precision trouble.
  std::uint64_t poisson(double mean) {
    if (mean <= 0.0) return 0;
    const double u = uniform();
    double p = std::exp(-mean);
    double cumulative = p;
    std::uint64_t k = 0;
    while (u > cumulative && k < 10000) {
      ++k;
      p *= mean / static_cast<double>(k);
      cumulative += p;
      if (p == 0.0 && cumulative < u) break;  // tail underflow: stop where the mass ends
    }
    return k;
  }
  template <typename T>
  void shuffle(std::vector<T>& values) {  // Fisher-Yates with our own draws
    for (std::size_t i = values.size(); i > 1; --i) {
      const auto j = static_cast<std::size_t>(uniform() * static_cast<double>(i));
      std::swap(values[i - 1], values[std::min(j, i - 1)]);
    }
  }

 private:
  std::mt19937_64 engine_;
};

// Per-trial variability of the latent trajectories.
struct TrialShape {
  double angle = 0.0;         // radians
  double phaseJitter = 0.0;   // radians
  double movementCenter = 0;  // seconds into the trial
  double gain = 1.0;
};

constexpr double kMovementWidthS = 0.12;

double speedProfile(double s, const TrialShape& shape) {
  const double z = (s - shape.movementCenter) / kMovementWidthS;
  return shape.gain * std::exp(-0.5 * z * z);
}

LatentVector latentsAt(double s, const TrialShape& shape, const DemoOptions& options) {
  LatentVector z{};
  const double phase = 2.0 * kPi * options.rotationHz * s + shape.angle + shape.phaseJitter;
  z[kRot1] = std::cos(phase);
  z[kRot2] = std::sin(phase);
  z[kRamp] = 2.0 * s / options.trialS - 1.0;
  const double g = speedProfile(s, shape);
  z[kDirX] = g * std::cos(shape.angle);
  z[kDirY] = g * std::sin(shape.angle);
  return z;
}

void validate(const DemoOptions& o) {
  const int units = o.rotationalUnits + o.rampingUnits + o.tunedUnits + o.untunedUnits;
  if (o.conditions < 1 || o.trialsPerCondition < 1) throw InputError("demo: needs at least one condition and trial");
  if (o.rotationalUnits < 0 || o.rampingUnits < 0 || o.tunedUnits < 0 || o.untunedUnits < 0 || units < 1)
    throw InputError("demo: unit counts must be >= 0 and at least one unit");
  if (!(o.binMs > 0.0) || !(o.trialS * 1000.0 >= o.binMs))
    throw InputError("demo: the bin must be positive and no longer than a trial");
  if (!(o.gapS >= 0.0) || !(o.behaviorSampleMs > 0.0) || !(o.behaviorLagMs >= 0.0))
    throw InputError("demo: gap, behaviour sampling and lag must be non-negative (sampling positive)");
}

}  // namespace

std::string reachConditionName(double angleDegrees) {
  char name[32];
  std::snprintf(name, sizeof(name), "reach_%03d", static_cast<int>(std::lround(angleDegrees)));
  return name;
}

DemoData simulateDemo(const DemoOptions& options, const Progress& progress) {
  validate(options);
  Random random(options.seed);
  const double binS = options.binMs / 1000.0;
  const auto bins = static_cast<std::size_t>(std::floor(options.trialS / binS + 1e-9));
  const auto trials = static_cast<std::size_t>(options.conditions * options.trialsPerCondition);

  // Units: types, baselines, loadings on their own latents only.
  struct TypeSpec {
    const char* name;
    int count;
  };
  const std::vector<TypeSpec> types{{"rotational", options.rotationalUnits},
                                    {"ramping", options.rampingUnits},
                                    {"tuned", options.tunedUnits},
                                    {"untuned", options.untunedUnits}};
  std::vector<std::string> cellType;
  std::vector<double> baselineHz;
  std::vector<LatentVector> loading;
  for (const auto& type : types) {
    for (int i = 0; i < type.count; ++i) {
      LatentVector w{};
      const double strength = random.uniform(0.6, 1.2);
      const double direction = random.uniform(0.0, 2.0 * kPi);  // any direction in the plane: both signs
      const std::string name = type.name;
      if (name == "rotational") {
        w[kRot1] = strength * std::cos(direction);
        w[kRot2] = strength * std::sin(direction);
      } else if (name == "ramping") {
        w[kRamp] = (i % 2 == 0 ? 1.0 : -1.0) * strength;  // rising and falling ramps
      } else if (name == "tuned") {
        w[kDirX] = 1.5 * strength * std::cos(direction);
        w[kDirY] = 1.5 * strength * std::sin(direction);
      }
      cellType.push_back(name);
      baselineHz.push_back(random.uniform(4.0, 20.0));
      loading.push_back(w);
    }
  }
  const std::size_t units = cellType.size();

  // Trials: conditions in a seeded random order, separated by gaps.
  std::vector<int> conditionOfTrial;
  for (int c = 0; c < options.conditions; ++c)
    for (int r = 0; r < options.trialsPerCondition; ++r) conditionOfTrial.push_back(c);
  random.shuffle(conditionOfTrial);

  DemoData out;
  out.latentNames = {"rot1", "rot2", "ramp", "dir_x", "dir_y"};
  out.latents = FloatArray({trials, bins, static_cast<std::size_t>(kLatents)});
  out.expectedCounts = FloatArray({trials, bins, units});
  out.loadings = FloatArray({units, static_cast<std::size_t>(kLatents)});
  for (std::size_t u = 0; u < units; ++u)
    for (int d = 0; d < kLatents; ++d)
      out.loadings.values()[u * kLatents + static_cast<std::size_t>(d)] =
          static_cast<float>(loading[u][static_cast<std::size_t>(d)]);
  out.baselineHz = baselineHz;

  std::vector<double> start(trials), stop(trials), angleDeg(trials);
  std::vector<std::string> conditionName(trials);
  std::vector<TrialShape> shapes(trials);
  const double trialLength = static_cast<double>(bins) * binS;
  for (std::size_t t = 0; t < trials; ++t) {
    start[t] = options.gapS + static_cast<double>(t) * (trialLength + options.gapS);
    stop[t] = start[t] + trialLength;
    angleDeg[t] = 360.0 * conditionOfTrial[t] / options.conditions;
    conditionName[t] = reachConditionName(angleDeg[t]);
    TrialShape& shape = shapes[t];
    shape.angle = angleDeg[t] * kPi / 180.0;
    shape.phaseJitter = 0.15 * random.normal();
    shape.movementCenter = 0.55 * options.trialS + 0.03 * random.normal();
    shape.gain = std::max(0.5, 1.0 + 0.1 * random.normal());
  }
  const double sessionEnd = trials == 0 ? 0.0 : stop.back() + options.gapS;

  // Spikes, per unit in time order: gaps at baseline, trials bin by bin.
  std::vector<std::vector<double>> spikes(units);
  auto drawSpikes = [&](std::size_t unit, double from, double to, double rateHz) {
    const std::uint64_t n = random.poisson(rateHz * (to - from));
    const std::size_t first = spikes[unit].size();
    for (std::uint64_t k = 0; k < n; ++k) spikes[unit].push_back(from + (to - from) * random.uniform());
    std::sort(spikes[unit].begin() + static_cast<std::ptrdiff_t>(first), spikes[unit].end());
  };
  double previousEnd = 0.0;
  for (std::size_t t = 0; t < trials; ++t) {
    for (std::size_t u = 0; u < units; ++u) drawSpikes(u, previousEnd, start[t], baselineHz[u]);
    for (std::size_t b = 0; b < bins; ++b) {
      const double s = (static_cast<double>(b) + 0.5) * binS;
      const auto z = latentsAt(s, shapes[t], options);
      for (int d = 0; d < kLatents; ++d)
        out.latents(t, b, static_cast<std::size_t>(d)) = static_cast<float>(z[static_cast<std::size_t>(d)]);
      const double binStart = start[t] + static_cast<double>(b) * binS;
      for (std::size_t u = 0; u < units; ++u) {
        const double rateHz = baselineHz[u] * std::exp(dot(loading[u], z));
        out.expectedCounts(t, b, u) = static_cast<float>(rateHz * binS);
        drawSpikes(u, binStart, binStart + binS, rateHz);
      }
    }
    previousEnd = stop[t];
    progress.report(static_cast<double>(t + 1) / static_cast<double>(trials + 1), "simulating demo");
  }
  for (std::size_t u = 0; u < units; ++u) drawSpikes(u, previousEnd, sessionEnd, baselineHz[u]);

  Recording& rec = out.recording;
  rec.source = "NeuroLens demo (seed " + std::to_string(options.seed) + ")";
  rec.sessionDescription = "NeuroLens demo: simulated centre-out reaching, " + std::to_string(options.conditions) +
                           " conditions x " + std::to_string(options.trialsPerCondition) +
                           " trials; latent rotation, ramp and direction-tuned pair; seed " +
                           std::to_string(options.seed);
  for (std::size_t u = 0; u < units; ++u) {
    rec.unitIds.push_back(static_cast<std::int64_t>(u));
    rec.spikes.times.insert(rec.spikes.times.end(), spikes[u].begin(), spikes[u].end());
    rec.spikes.end.push_back(rec.spikes.times.size());
  }
  rec.units.add(Column{"cell_type", "simulated cell type: rotational, ramping, tuned or untuned", cellType, {}});
  rec.units.add(Column{"baseline_rate", "firing rate with all latents at zero (Hz)", baselineHz, {}});

  Table trialsTable;
  trialsTable.add(Column{"start_time", "start of the trial (s)", start, {}});
  trialsTable.add(Column{"stop_time", "end of the trial (s)", stop, {}});
  trialsTable.add(Column{"condition", "reach target, reach_<angle in degrees>", conditionName, {}});
  trialsTable.add(Column{"target_angle", "reach angle (degrees)", angleDeg, {}});
  rec.trials = std::move(trialsTable);
  for (std::size_t t = 0; t < trials; ++t) rec.trialIds.push_back(static_cast<std::int64_t>(t));

  // Hand velocity: the tuned pair behaviorLagMs later, zero between trials.
  BehaviorSeries velocity;
  velocity.name = "hand_vel";
  velocity.unit = "cm/s";
  velocity.dims = 2;
  const double sampleS = options.behaviorSampleMs / 1000.0;
  const double lagS = options.behaviorLagMs / 1000.0;
  const auto samples = static_cast<std::size_t>(std::floor(sessionEnd / sampleS));
  std::size_t trial = 0;
  for (std::size_t i = 0; i < samples; ++i) {
    const double time = static_cast<double>(i) * sampleS;
    velocity.timestamps.push_back(time);
    while (trial + 1 < trials && time - lagS >= stop[trial] + options.gapS / 2.0) ++trial;
    double vx = 0.0;
    double vy = 0.0;
    const double s = time - lagS - (trials ? start[trial] : 0.0);
    if (trials && s >= 0.0 && s < trialLength) {
      const double g = speedProfile(s, shapes[trial]);
      vx = options.peakSpeedCmS * g * std::cos(shapes[trial].angle);
      vy = options.peakSpeedCmS * g * std::sin(shapes[trial].angle);
    }
    velocity.data.push_back(vx);
    velocity.data.push_back(vy);
  }
  rec.behavior.push_back(std::move(velocity));
  progress.report(1.0, "simulating demo");
  return out;
}

}  // namespace neurolens
