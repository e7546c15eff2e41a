#pragma once
// Shared by the views, render and app tests: a test main for tests that need an
// X display, and pixel checks on rendered images.
#include <QApplication>
#include <QColor>
#include <QImage>
#include <QRect>
#include <QSurfaceFormat>
#include <QtTest/QtTest>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "neurolens/views/palette.h"
#include "neurolens/views/vtk_view_widget.h"

namespace neurolens::testing {

inline bool hasXDisplay() {
  const char* display = std::getenv("DISPLAY");
  return display != nullptr && display[0] != '\0';
}

inline QColor toQColor(const views::Rgb& rgb) { return QColor::fromRgbF(rgb.r, rgb.g, rgb.b); }

// Pixels within `tolerance` (per channel, 0-255) of `colour`, inside `region`
// (the whole image when region is empty).
inline int countPixelsNear(const QImage& image, const QColor& colour, int tolerance, QRect region = {}) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGBA8888);
  if (region.isNull()) region = rgb.rect();
  region = region.intersected(rgb.rect());
  int count = 0;
  for (int y = region.top(); y <= region.bottom(); ++y) {
    const uchar* line = rgb.constScanLine(y);
    for (int x = region.left(); x <= region.right(); ++x) {
      const uchar* pixel = line + 4 * x;
      if (std::abs(pixel[0] - colour.red()) <= tolerance && std::abs(pixel[1] - colour.green()) <= tolerance &&
          std::abs(pixel[2] - colour.blue()) <= tolerance)
        ++count;
    }
  }
  return count;
}

// Bounding box of the pixels near `colour` (null when there are none).
inline QRect boxOfPixelsNear(const QImage& image, const QColor& colour, int tolerance) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGBA8888);
  QRect box;
  for (int y = 0; y < rgb.height(); ++y) {
    const uchar* line = rgb.constScanLine(y);
    for (int x = 0; x < rgb.width(); ++x) {
      const uchar* pixel = line + 4 * x;
      if (std::abs(pixel[0] - colour.red()) <= tolerance && std::abs(pixel[1] - colour.green()) <= tolerance &&
          std::abs(pixel[2] - colour.blue()) <= tolerance)
        box = box.united(QRect(x, y, 1, 1));
    }
  }
  return box;
}

inline double fractionNear(const QImage& image, const QColor& colour, int tolerance) {
  return static_cast<double>(countPixelsNear(image, colour, tolerance)) / (image.width() * image.height());
}

}  // namespace neurolens::testing

// main() for tests that need an X server: exit 77 (ctest: skipped) without one,
// instead of letting Qt's xcb plugin or VTK's X window abort the process.
#define NEUROLENS_DISPLAY_TEST_MAIN(TestClass)                                                \
  int main(int argc, char** argv) {                                                           \
    if (!neurolens::testing::hasXDisplay()) {                                                 \
      std::fprintf(stderr, "SKIP: this test needs an X display; run it under xvfb-run -a\n"); \
      return 77;                                                                              \
    }                                                                                         \
    QSurfaceFormat::setDefaultFormat(neurolens::views::VtkViewWidget::defaultFormat());       \
    QApplication app(argc, argv);                                                             \
    app.setAttribute(Qt::AA_Use96Dpi, true);                                                  \
    TestClass test;                                                                           \
    QTEST_SET_MAIN_SOURCE_PATH                                                                \
    return QTest::qExec(&test, argc, argv);                                                   \
  }
