#pragma once
// Colours of what is drawn, as plain data (no Qt, no VTK): the colour-blind-safe
// categorical palette for conditions (Okabe & Ito 2008, "Color Universal Design")
// and colour maps for values (perceptually uniform sequential maps viridis, cividis,
// magma; Moreland's diverging cool-warm; a constant-lightness cyclic map for angles).
// The scene builder, the 3-D view, the figure painters and tests all read these.
#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace neurolens::scene {

struct Rgb {
  double r = 0.0;  // each channel in [0, 1]
  double g = 0.0;
  double b = 0.0;
};

// The eight Okabe-Ito colours, ordered for a light background: the colours that
// stay distinct for all three common colour-vision deficiencies come first and
// black (which reads as "axes") comes last.
[[nodiscard]] const std::array<Rgb, 8>& okabeItoPalette();

// Colour of condition `index`. More than eight conditions cycle through the palette
// (callers that need more distinct groups should merge or hide conditions).
[[nodiscard]] Rgb categoricalColour(std::size_t index);

// "#rrggbb", for Qt widgets, legends and JSON.
[[nodiscard]] std::string toHex(const Rgb& colour);

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

}  // namespace neurolens::scene
