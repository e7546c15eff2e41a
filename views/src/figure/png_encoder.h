// PNG encoding tuned for print-size figures (libpng, fixed row filter, fast zlib).
#pragma once

#include <QByteArray>
#include <QImage>

namespace neurolens::views {

/// Encodes IMAGE as PNG: 8-bit RGB when opaque, RGBA when it has alpha; its DPI goes into
/// the pHYs chunk. Throws ComputeError if libpng fails.
[[nodiscard]] QByteArray encodePng(const QImage& image);

}  // namespace neurolens::views
