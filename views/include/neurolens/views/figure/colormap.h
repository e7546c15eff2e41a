#pragma once
// Colour maps for heatmaps and colour bars: perceptually uniform sequential maps
// (viridis, cividis, magma) and a diverging blue-white-red map (Moreland's
// "cool-warm") for signed values around zero. Plain types, no Qt.
#include <string>
#include <vector>

#include "neurolens/views/palette.h"

namespace neurolens::views::figure {

class Colormap {
 public:
  // `stops` are evenly spaced over [0, 1] (at least two).
  Colormap(std::string name, std::vector<Rgb> stops, bool diverging);

  // Colour at t in [0, 1] (clamped; NaN maps to the centre), linearly interpolated.
  [[nodiscard]] Rgb at(double t) const;
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] bool diverging() const { return diverging_; }

 private:
  std::string name_;
  std::vector<Rgb> stops_;
  bool diverging_;
};

// "viridis", "cividis", "magma" (sequential), "coolwarm" (diverging) or "cyclic"
// (constant-lightness hue circle for angles: at(0) == at(1)).
// Throws InputError naming the map and the known ones for any other name.
[[nodiscard]] Colormap colormapByName(const std::string& name);
[[nodiscard]] std::vector<std::string> colormapNames();

}  // namespace neurolens::views::figure
