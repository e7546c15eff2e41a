#pragma once
// Qt-free: what the trajectory view colours by, and the value per shown trajectory
// and bin for each choice (time, a behaviour channel, attribution magnitude). The
// scene maps these values through a perceptually uniform colour map.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "logic/pipeline.h"
#include "logic/selection.h"
#include "neurolens/core/binning.h"
#include "neurolens/core/ndarray.h"

namespace neurolens::gui {

enum class ColourMode { Condition, Time, Behaviour, Attribution };

struct ColourChoice {
  ColourMode mode = ColourMode::Condition;
  std::string behaviour;  // Behaviour: the channel's name (BinnedRecording::behavior key)
  int dimension = -1;     // Behaviour: the column of a multi-dimensional channel; -1 its magnitude

  // "condition", "time", "behavior:NAME:DIM" (DIM -1: magnitude), "attribution": for settings and sessions.
  [[nodiscard]] std::string spec() const;
  // Unknown text reads as "condition" (an old or foreign setting must not stop the view).
  [[nodiscard]] static ColourChoice parse(const std::string& spec);
  // The colour bar's title, e.g. "hand_vel x", "|hand_vel|" (magnitude) or "time (ms)".
  [[nodiscard]] std::string title() const;
  bool operator==(const ColourChoice& other) const {
    return mode == other.mode && behaviour == other.behaviour && dimension == other.dimension;
  }
};

// Every behaviour choice a recording offers: each column, and the magnitude of
// channels with more than one column (e.g. speed from x/y velocity).
[[nodiscard]] std::vector<ColourChoice> behaviourChoices(const BinnedRecording& recording);

// [trials, bins] -> [shown trajectories, bins]: single trials alone as they are; condition
// means as the mean over each condition's trials (NaN values left out; NaN when it has none),
// their single trials beneath them NaN (grey, as `figure` draws them). Throws InputError when
// the shapes disagree.
[[nodiscard]] FloatArray perShownTrajectory(const Trajectories& shown, const FloatArray& perTrial);

// Time since the trial's alignment point at each bin's start, in ms.
[[nodiscard]] FloatArray timeValues(std::size_t trials, std::size_t bins, double binMs);
// One behaviour column, or the Euclidean norm over the columns (dimension -1).
[[nodiscard]] FloatArray behaviourValues(const FloatArray& behaviour, int dimension);
// Sum over `units` of the per-bin attribution magnitude [attributed trials, bins, units]
// (all units when empty); trials beyond the attributed ones are NaN (not computed).
[[nodiscard]] FloatArray attributionValues(const FloatArray& perBinMagnitude, const std::vector<std::size_t>& units,
                                           std::size_t trialCount);

// What colours the trajectories shown, for a choice in the Trajectories dock.
struct ColouringInputs {
  const BinnedRecording* recording = nullptr;
  const Trajectories* shown = nullptr;
  const FloatArray* attribution = nullptr;  // per-bin |attribution| [attributed trials, bins, units]; null: none run
  UnitChoice units;                         // whose attribution colours (ColourMode::Attribution only)
};
struct ColouringOutcome {
  std::optional<views::ScalarColouring> colouring;  // none: the condition colours
  std::string note;                                 // the dock's note: what is shown, or why not what was asked
};
// Falls back to the condition colours, saying why, when the recording or the analyses cannot provide the
// choice (no such behaviour channel, no attribution run, an attribution on other bins, values that do not fit).
[[nodiscard]] ColouringOutcome colourTrajectories(const ColourChoice& choice, const ColouringInputs& inputs);

}  // namespace neurolens::gui
