#pragma once
// Colour-blind-safe categorical colours for conditions (Okabe & Ito 2008,
// "Color Universal Design"). Plain types: usable from Qt, VTK and tests alike.
#include <array>
#include <cstddef>
#include <string>

namespace neurolens::views {

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

// "#rrggbb", for Qt widgets and legends.
[[nodiscard]] std::string toHex(const Rgb& colour);

}  // namespace neurolens::views
