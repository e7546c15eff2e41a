#pragma once
// Render tests against committed PNG baselines (f3d style): an image matches when
// few pixels differ by more than a small amount (fonts and anti-aliasing differ a
// little between Mesa and FreeType builds). A missing baseline is written next to
// the build for review and the test fails saying where.
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QString>
#include <cmath>

namespace neurolens::testing {

struct BaselineResult {
  bool ok = false;
  QString message;
};

// Fraction of pixels whose largest channel difference exceeds `pixelTolerance`
// (0-255), after both images are blurred by a 3x3 box (one-pixel shifts of
// anti-aliased edges are not differences).
inline double differingFraction(const QImage& actual, const QImage& expected, int pixelTolerance,
                                QImage* diff = nullptr) {
  const QImage a = actual.convertToFormat(QImage::Format_RGBA8888);
  const QImage b = expected.convertToFormat(QImage::Format_RGBA8888);
  const int w = a.width();
  const int h = a.height();
  const auto blurred = [w, h](const QImage& image, int x, int y, int channel) {
    int total = 0;
    int count = 0;
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) {
        const int xx = x + dx;
        const int yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        total += image.constScanLine(yy)[4 * xx + channel];
        ++count;
      }
    return total / count;
  };
  if (diff != nullptr) *diff = QImage(w, h, QImage::Format_RGB32);
  long differing = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      int worst = 0;
      for (int c = 0; c < 4; ++c) worst = std::max(worst, std::abs(blurred(a, x, y, c) - blurred(b, x, y, c)));
      if (worst > pixelTolerance) ++differing;
      if (diff != nullptr) diff->setPixel(x, y, worst > pixelTolerance ? qRgb(255, 0, 0) : qRgb(worst, worst, worst));
    }
  return static_cast<double>(differing) / (static_cast<double>(w) * h);
}

inline BaselineResult compareWithBaseline(const QImage& actual, const QString& name, double maxFraction = 0.005,
                                          int pixelTolerance = 48) {
  const QString baseline = QString(NEUROLENS_SOURCE_DIR) + "/tests/render/baselines/" + name + ".png";
  const QString outDir = QString(NEUROLENS_BINARY_DIR) + "/render-output";
  QDir().mkpath(outDir);
  const QString actualPath = outDir + "/" + name + ".png";
  actual.save(actualPath);
  if (!QFileInfo::exists(baseline))
    return {false, "no baseline " + baseline + ": the rendered image was written to " + actualPath +
                       "; look at it and copy it there if it is right"};
  const QImage expected(baseline);
  if (expected.size() != actual.size())
    return {false, QString("%1: size %2x%3, baseline %4x%5 (rendered image: %6)")
                       .arg(name)
                       .arg(actual.width())
                       .arg(actual.height())
                       .arg(expected.width())
                       .arg(expected.height())
                       .arg(actualPath)};
  QImage diff;
  const double fraction = differingFraction(actual, expected, pixelTolerance, &diff);
  if (fraction > maxFraction) {
    const QString diffPath = outDir + "/" + name + ".diff.png";
    diff.save(diffPath);
    return {false, QString("%1: %2% of pixels differ from the baseline (allowed %3%); rendered %4, difference %5")
                       .arg(name)
                       .arg(100.0 * fraction, 0, 'f', 3)
                       .arg(100.0 * maxFraction, 0, 'f', 3)
                       .arg(actualPath, diffPath)};
  }
  return {true, {}};
}

}  // namespace neurolens::testing
