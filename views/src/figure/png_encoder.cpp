#include "png_encoder.h"

#include <png.h>
#include <zlib.h>

#include <QtGlobal>
#include <csetjmp>
#include <string>

#include "neurolens/core/errors.h"

namespace neurolens::views {
namespace {

// Owns libpng's write and info structures.
class PngWriteStructs {
 public:
  PngWriteStructs() : png_(png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr)) {
    if (png_ != nullptr) info_ = png_create_info_struct(png_);
  }
  ~PngWriteStructs() { png_destroy_write_struct(&png_, info_ != nullptr ? &info_ : nullptr); }
  PngWriteStructs(const PngWriteStructs&) = delete;
  PngWriteStructs& operator=(const PngWriteStructs&) = delete;
  [[nodiscard]] bool valid() const { return png_ != nullptr && info_ != nullptr; }
  [[nodiscard]] png_structp png() const { return png_; }
  [[nodiscard]] png_infop info() const { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

void appendToBuffer(png_structp png, png_bytep data, png_size_t length) {
  static_cast<QByteArray*>(png_get_io_ptr(png))
      ->append(reinterpret_cast<const char*>(data), static_cast<qsizetype>(length));
}

// libpng reports errors by longjmp to this frame, so it holds nothing with a destructor.
bool writeRows(const PngWriteStructs& structs, const QImage& image, bool alpha, QByteArray* out) {
  png_structp png = structs.png();
  png_infop info = structs.info();
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  png_set_write_fn(png, out, appendToBuffer, nullptr);
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width()), static_cast<png_uint_32>(image.height()), 8,
               alpha ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (image.dotsPerMeterX() > 0 && image.dotsPerMeterY() > 0)
    png_set_pHYs(png, info, static_cast<png_uint_32>(image.dotsPerMeterX()),
                 static_cast<png_uint_32>(image.dotsPerMeterY()), PNG_RESOLUTION_METER);
  // libpng's default tries all five row filters on every row, which costs more than the
  // compression itself on a 2400x1800 figure; mostly flat figures compress as well with
  // "Sub" everywhere and zlib level 1, in a fraction of the time.
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
  png_set_compression_level(png, 1);
  png_set_compression_strategy(png, Z_RLE);
  png_write_info(png, info);
  // Rows stay in Qt's 32-bit pixels (0xAARRGGBB words): libpng reorders the bytes and,
  // for opaque images, drops the unused one, which saves a conversion pass.
#if Q_BYTE_ORDER == Q_LITTLE_ENDIAN
  png_set_bgr(png);
  if (!alpha) png_set_filler(png, 0, PNG_FILLER_AFTER);
#else
  if (alpha)
    png_set_swap_alpha(png);
  else
    png_set_filler(png, 0, PNG_FILLER_BEFORE);
#endif
  for (int y = 0; y < image.height(); ++y) png_write_row(png, image.constScanLine(y));
  png_write_end(png, nullptr);
  return true;
}

}  // namespace

QByteArray encodePng(const QImage& image) {
  const bool alpha = image.hasAlphaChannel();
  const QImage rows = image.convertToFormat(alpha ? QImage::Format_ARGB32 : QImage::Format_RGB32);
  const PngWriteStructs structs;
  QByteArray out;
  if (!structs.valid() || !writeRows(structs, rows, alpha, &out))
    throw ComputeError("could not encode a " + std::to_string(image.width()) + "x" + std::to_string(image.height()) +
                       " PNG image (libpng failed)");
  return out;
}

}  // namespace neurolens::views
