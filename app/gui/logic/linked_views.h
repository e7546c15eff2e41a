#pragma once
// Qt-free decisions of the linked grid (issue 29 step 1): one colour per condition label across the views, the
// one legend they share, and when two cameras are the same (so that a linked camera copy does not bounce back).
#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "neurolens/scene/scene.h"

namespace neurolens::gui {

using LabelledColours = std::vector<std::pair<std::string, scene::Rgb>>;

// One colour per condition label over `views` (each view's labels and the colours its scene gave them, the
// focus first): a label keeps the colour of the first view that draws it; a label first seen in a later view
// keeps its own colour unless another label already has it, then takes the first palette colour no label has.
[[nodiscard]] std::map<std::string, scene::Rgb> sharedConditionColours(const std::vector<LabelledColours>& views);

// The one legend of linked views: every label once, in the order the views draw them, in its shared colour.
[[nodiscard]] LabelledColours sharedLegend(const std::vector<LabelledColours>& views,
                                           const std::map<std::string, scene::Rgb>& colours);

// The share of a condition's colour its single trials keep when drawn beneath its mean (the scene builder's,
// core/scene/src/scene.cpp kTrialColourShare).
inline constexpr double kTrialColourShare = 0.35;

// `data`'s groups in the shared colour of their condition (`names`: the conditions in drawing order; groups c,
// or with means single trials in c and means in C + c). A mean takes the shared colour; its single trials'
// lighter colour moves with it. Conditions of other labels keep theirs.
void recolourByLabel(scene::TrajectoryData& data, const std::vector<std::string>& names,
                     const std::map<std::string, scene::Rgb>& colours);

// Where a camera is, what it looks at, which way is up and its lens.
struct CameraPose {
  std::array<double, 3> position{};
  std::array<double, 3> focalPoint{};
  std::array<double, 3> viewUp{};
  double viewAngle = 30.0;
  bool parallel = false;
  double parallelScale = 1.0;
};

// Equal within `tolerance` relative to the camera's distance (linked views copy only poses that differ).
[[nodiscard]] bool samePose(const CameraPose& a, const CameraPose& b, double tolerance = 1e-9);

}  // namespace neurolens::gui
