#include "logic/linked_views.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "neurolens/scene/colour.h"

namespace neurolens::gui {

namespace {

bool sameColour(const scene::Rgb& a, const scene::Rgb& b) {
  return std::abs(a.r - b.r) < 1e-6 && std::abs(a.g - b.g) < 1e-6 && std::abs(a.b - b.b) < 1e-6;
}

bool taken(const std::map<std::string, scene::Rgb>& colours, const scene::Rgb& colour) {
  return std::any_of(colours.begin(), colours.end(),
                     [&](const auto& entry) { return sameColour(entry.second, colour); });
}

}  // namespace

std::map<std::string, scene::Rgb> sharedConditionColours(const std::vector<LabelledColours>& views) {
  std::map<std::string, scene::Rgb> colours;
  for (const LabelledColours& view : views) {
    for (const auto& [label, colour] : view) {
      if (colours.count(label) != 0) continue;
      scene::Rgb chosen = colour;
      for (std::size_t index = 0; taken(colours, chosen) && index < 64; ++index)
        chosen = scene::categoricalColour(index);
      colours.emplace(label, chosen);
    }
  }
  return colours;
}

LabelledColours sharedLegend(const std::vector<LabelledColours>& views,
                             const std::map<std::string, scene::Rgb>& colours) {
  LabelledColours legend;
  std::set<std::string> seen;
  for (const LabelledColours& view : views) {
    for (const auto& entry : view) {
      if (!seen.insert(entry.first).second) continue;
      const auto found = colours.find(entry.first);
      legend.emplace_back(entry.first, found != colours.end() ? found->second : entry.second);
    }
  }
  return legend;
}

void recolourByLabel(scene::TrajectoryData& data, const std::vector<std::string>& names,
                     const std::map<std::string, scene::Rgb>& colours) {
  const std::size_t conditions = names.size();
  if (conditions == 0) return;
  const bool layered = data.colours.size() == 2 * conditions;
  for (std::size_t c = 0; c < conditions && c < data.colours.size(); ++c) {
    const auto found = colours.find(names[c]);
    if (found == colours.end()) continue;
    if (!layered) {
      data.colours[c] = found->second;
      continue;
    }
    // The builder draws single trials in the mean's colour blended into the background (keeping
    // kTrialColourShare of it): the trials' colour moves with the mean's by that share.
    scene::Rgb& trials = data.colours[c];
    scene::Rgb& mean = data.colours[conditions + c];
    const auto shifted = [](double trial, double from, double to) {
      return std::clamp(trial + kTrialColourShare * (to - from), 0.0, 1.0);
    };
    trials = {shifted(trials.r, mean.r, found->second.r), shifted(trials.g, mean.g, found->second.g),
              shifted(trials.b, mean.b, found->second.b)};
    mean = found->second;
  }
}

bool samePose(const CameraPose& a, const CameraPose& b, double tolerance) {
  double distance = 0.0;
  for (std::size_t i = 0; i < 3; ++i) distance += std::pow(a.position[i] - a.focalPoint[i], 2);
  const double scale = std::max(1.0, std::sqrt(distance)) * tolerance;
  for (std::size_t i = 0; i < 3; ++i) {
    if (std::abs(a.position[i] - b.position[i]) > scale || std::abs(a.focalPoint[i] - b.focalPoint[i]) > scale ||
        std::abs(a.viewUp[i] - b.viewUp[i]) > tolerance)
      return false;
  }
  return a.parallel == b.parallel && std::abs(a.viewAngle - b.viewAngle) <= tolerance &&
         std::abs(a.parallelScale - b.parallelScale) <= scale;
}

}  // namespace neurolens::gui
