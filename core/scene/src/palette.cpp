#include <cmath>
#include <cstdio>

#include "neurolens/scene/colour.h"

namespace neurolens::scene {

namespace {
constexpr Rgb fromBytes(int r, int g, int b) { return Rgb{r / 255.0, g / 255.0, b / 255.0}; }
}  // namespace

const std::array<Rgb, 8>& okabeItoPalette() {
  static const std::array<Rgb, 8> palette = {
      fromBytes(0xE6, 0x9F, 0x00),  // orange
      fromBytes(0x56, 0xB4, 0xE9),  // sky blue
      fromBytes(0x00, 0x9E, 0x73),  // bluish green
      fromBytes(0xD5, 0x5E, 0x00),  // vermillion
      fromBytes(0x00, 0x72, 0xB2),  // blue
      fromBytes(0xCC, 0x79, 0xA7),  // reddish purple
      fromBytes(0xF0, 0xE4, 0x42),  // yellow
      fromBytes(0x00, 0x00, 0x00),  // black
  };
  return palette;
}

Rgb categoricalColour(std::size_t index) { return okabeItoPalette()[index % okabeItoPalette().size()]; }

std::string toHex(const Rgb& colour) {
  const auto byte = [](double channel) {
    const double clamped = channel < 0.0 ? 0.0 : (channel > 1.0 ? 1.0 : channel);
    return static_cast<unsigned>(std::lround(clamped * 255.0));
  };
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", byte(colour.r), byte(colour.g), byte(colour.b));
  return text;
}

}  // namespace neurolens::scene
