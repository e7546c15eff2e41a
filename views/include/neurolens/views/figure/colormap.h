#pragma once
// Colour maps for heatmaps and colour bars: the scene's (neurolens/scene/colour.h).
#include "neurolens/scene/colour.h"
#include "neurolens/views/palette.h"

namespace neurolens::views::figure {

using scene::Colormap;
using scene::colormapByName;
using scene::colormapNames;

}  // namespace neurolens::views::figure
