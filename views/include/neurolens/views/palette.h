#pragma once
// The scene's colours (neurolens/scene/colour.h) under the names views has always used.
#include "neurolens/scene/colour.h"

namespace neurolens::views {

using scene::categoricalColour;
using scene::okabeItoPalette;
using scene::Rgb;
using scene::toHex;

}  // namespace neurolens::views
