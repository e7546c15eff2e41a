#include "logic/colouring.h"

#include <cmath>
#include <limits>

#include "neurolens/core/errors.h"

namespace neurolens::gui {

namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::string dimensionName(int dimension) {
  if (dimension < 0) return "magnitude";
  static const char* const names[] = {"x", "y", "z"};
  return dimension < 3 ? names[dimension] : "dim " + std::to_string(dimension + 1);
}
}  // namespace

std::string ColourChoice::spec() const {
  switch (mode) {
    case ColourMode::Condition:
      return "condition";
    case ColourMode::Time:
      return "time";
    case ColourMode::Behaviour:
      return "behavior:" + behaviour + ":" + std::to_string(dimension);
    case ColourMode::Attribution:
      return "attribution";
  }
  return "condition";
}

ColourChoice ColourChoice::parse(const std::string& spec) {
  ColourChoice choice;
  if (spec == "time") {
    choice.mode = ColourMode::Time;
  } else if (spec == "attribution") {
    choice.mode = ColourMode::Attribution;
  } else if (spec.rfind("behavior:", 0) == 0) {
    const std::string rest = spec.substr(9);
    const std::size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0) return choice;
    try {
      choice.dimension = std::stoi(rest.substr(colon + 1));
    } catch (const std::exception&) {
      return ColourChoice{};
    }
    choice.mode = ColourMode::Behaviour;
    choice.behaviour = rest.substr(0, colon);
  }
  return choice;
}

std::string ColourChoice::title() const {
  switch (mode) {
    case ColourMode::Condition:
      return "condition groups";
    case ColourMode::Time:
      return "time (ms)";
    case ColourMode::Behaviour:
      // Short: it is the colour bar's title.
      return dimension < 0 ? "|" + behaviour + "|" : behaviour + " " + dimensionName(dimension);
    case ColourMode::Attribution:
      return "|attribution|";
  }
  return {};
}

std::vector<ColourChoice> behaviourChoices(const BinnedRecording& recording) {
  std::vector<ColourChoice> choices;
  for (const auto& [name, values] : recording.behavior) {
    if (values.rank() != 3) continue;
    const std::size_t dims = values.dim(2);
    for (std::size_t d = 0; d < dims; ++d) choices.push_back({ColourMode::Behaviour, name, static_cast<int>(d)});
    if (dims > 1) choices.push_back({ColourMode::Behaviour, name, -1});
  }
  return choices;
}

FloatArray perShownTrajectory(const Trajectories& shown, const FloatArray& perTrial) {
  const FloatArray& points = shown.data.points;
  const std::size_t rows = points.dim(0);
  const std::size_t bins = points.dim(1);
  if (perTrial.rank() != 2 || perTrial.dim(1) != bins)
    throw InputError("colour values do not have one value per bin of the trajectories");
  const std::vector<int>& groupOfTrial = shown.groups.index;
  if (groupOfTrial.size() != perTrial.dim(0)) throw InputError("colour values do not have one row per trial");
  FloatArray out({rows, bins}, kNaN);
  for (std::size_t row = 0; row < rows; ++row) {
    const bool isMean = row < shown.rowIsMean.size() && shown.rowIsMean[row];
    if (!isMean) {
      // Single trials beneath condition means stay grey (the colour is read on the means, as in
      // `figure`); single trials alone carry their own values.
      if (shown.means || row >= shown.rowTrial.size()) continue;
      std::copy_n(perTrial.values().begin() + static_cast<std::ptrdiff_t>(shown.rowTrial[row] * bins), bins,
                  out.values().begin() + static_cast<std::ptrdiff_t>(row * bins));
      continue;
    }
    const int group = shown.data.condition[row] - static_cast<int>(shown.conditionCount());
    for (std::size_t bin = 0; bin < bins; ++bin) {
      double sum = 0.0;
      std::size_t count = 0;
      for (std::size_t trial = 0; trial < groupOfTrial.size(); ++trial) {
        if (groupOfTrial[trial] != group) continue;
        const float value = perTrial.values()[trial * bins + bin];
        if (!std::isfinite(value)) continue;
        sum += value;
        ++count;
      }
      if (count > 0) out.values()[row * bins + bin] = static_cast<float>(sum / static_cast<double>(count));
    }
  }
  return out;
}

FloatArray timeValues(std::size_t trials, std::size_t bins, double binMs) {
  FloatArray out({trials, bins});
  for (std::size_t trial = 0; trial < trials; ++trial)
    for (std::size_t bin = 0; bin < bins; ++bin)
      out.values()[trial * bins + bin] = static_cast<float>(static_cast<double>(bin) * binMs);
  return out;
}

FloatArray behaviourValues(const FloatArray& behaviour, int dimension) {
  if (behaviour.rank() != 3) throw InputError("a behaviour channel is not [trials, bins, columns]");
  const std::size_t trials = behaviour.dim(0), bins = behaviour.dim(1), dims = behaviour.dim(2);
  if (dimension >= static_cast<int>(dims))
    throw InputError("the behaviour channel has " + std::to_string(dims) + " columns, not " +
                     std::to_string(dimension + 1));
  FloatArray out({trials, bins});
  for (std::size_t trial = 0; trial < trials; ++trial) {
    for (std::size_t bin = 0; bin < bins; ++bin) {
      const float* row = behaviour.data() + (trial * bins + bin) * dims;
      if (dimension >= 0) {
        out.values()[trial * bins + bin] = row[dimension];
      } else {
        double squares = 0.0;
        for (std::size_t d = 0; d < dims; ++d) squares += static_cast<double>(row[d]) * row[d];
        out.values()[trial * bins + bin] = static_cast<float>(std::sqrt(squares));
      }
    }
  }
  return out;
}

FloatArray attributionValues(const FloatArray& perBinMagnitude, const std::vector<std::size_t>& units,
                             std::size_t trialCount) {
  if (perBinMagnitude.rank() != 3) throw InputError("the per-bin attribution is not [trials, bins, units]");
  const std::size_t attributed = perBinMagnitude.dim(0), bins = perBinMagnitude.dim(1),
                    unitCount = perBinMagnitude.dim(2);
  std::vector<std::size_t> chosen = units;
  if (chosen.empty())
    for (std::size_t unit = 0; unit < unitCount; ++unit) chosen.push_back(unit);
  for (std::size_t unit : chosen)
    if (unit >= unitCount)
      throw InputError("unit " + std::to_string(unit) + " is not among the " + std::to_string(unitCount) +
                       " attributed units");
  FloatArray out({trialCount, bins}, kNaN);
  for (std::size_t trial = 0; trial < std::min(attributed, trialCount); ++trial) {
    for (std::size_t bin = 0; bin < bins; ++bin) {
      const float* row = perBinMagnitude.data() + (trial * bins + bin) * unitCount;
      double sum = 0.0;
      for (std::size_t unit : chosen) sum += row[unit];
      out.values()[trial * bins + bin] = static_cast<float>(sum);
    }
  }
  return out;
}

namespace {

std::optional<views::ScalarColouring> scalarColouring(const ColourChoice& choice, const ColouringInputs& inputs,
                                                      std::string& note) {
  const BinnedRecording* recording = inputs.recording;
  const Trajectories* shown = inputs.shown;
  if (choice.mode == ColourMode::Condition || recording == nullptr || shown == nullptr) return std::nullopt;
  const std::size_t trials = recording->trialCount();
  const std::size_t bins = recording->binCount();
  views::ScalarColouring colouring;
  colouring.title = choice.title();
  switch (choice.mode) {
    case ColourMode::Condition:
      return std::nullopt;
    case ColourMode::Time:
      colouring.values = perShownTrajectory(*shown, timeValues(trials, bins, recording->binMs));
      return colouring;
    case ColourMode::Behaviour: {
      const auto found = recording->behavior.find(choice.behaviour);
      if (found == recording->behavior.end()) {
        note = "This recording has no behaviour channel \"" + choice.behaviour + "\": coloured by group.";
        return std::nullopt;
      }
      colouring.values = perShownTrajectory(*shown, behaviourValues(found->second, choice.dimension));
      return colouring;
    }
    case ColourMode::Attribution: {
      const FloatArray* magnitude = inputs.attribution;
      if (magnitude == nullptr || magnitude->empty()) {
        note = "Run attribution (Analysis dock) to colour by it: coloured by group meanwhile.";
        return std::nullopt;
      }
      if (magnitude->dim(1) != bins) {
        note = "The attribution was computed with other bins: run it again.";
        return std::nullopt;
      }
      colouring.values = perShownTrajectory(*shown, attributionValues(*magnitude, inputs.units.units, trials));
      colouring.title = "|attribution|";
      colouring.colormap = "magma";
      note = "Per bin: summed |attribution| of " + inputs.units.name + " to the attributed latents.";
      if (magnitude->dim(0) < trials)
        note += " Attribution covers the first " + std::to_string(magnitude->dim(0)) + " of " + std::to_string(trials) +
                " trials; " +
                (shown->means ? "group means average those trials; groups without any are" : "the other trials are") +
                " grey.";
      return colouring;
    }
  }
  return std::nullopt;
}

}  // namespace

ColouringOutcome colourTrajectories(const ColourChoice& choice, const ColouringInputs& inputs) {
  ColouringOutcome outcome;
  try {
    outcome.colouring = scalarColouring(choice, inputs, outcome.note);
  } catch (const std::exception& error) {
    outcome.note = "Cannot colour by " + choice.title() + ": " + error.what();
    outcome.colouring.reset();
  }
  return outcome;
}

}  // namespace neurolens::gui
