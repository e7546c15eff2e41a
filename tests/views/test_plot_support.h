#pragma once
// Helpers for the figure tests: pixel measures and text extracted from SVG/PDF.
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QString>
#include <cmath>
#include <string>
#include <vector>

namespace neurolens::testing {

// Bounding box of pixels within `tolerance` of `colour` (null when none).
inline QRect boxOfColour(const QImage& image, const QColor& colour, int tolerance) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGBA8888);
  QRect box;
  for (int y = 0; y < rgb.height(); ++y) {
    const uchar* line = rgb.constScanLine(y);
    for (int x = 0; x < rgb.width(); ++x) {
      const uchar* p = line + 4 * x;
      if (std::abs(p[0] - colour.red()) <= tolerance && std::abs(p[1] - colour.green()) <= tolerance &&
          std::abs(p[2] - colour.blue()) <= tolerance)
        box = box.united(QRect(x, y, 1, 1));
    }
  }
  return box;
}

inline int countColour(const QImage& image, const QColor& colour, int tolerance) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGBA8888);
  int count = 0;
  for (int y = 0; y < rgb.height(); ++y) {
    const uchar* line = rgb.constScanLine(y);
    for (int x = 0; x < rgb.width(); ++x) {
      const uchar* p = line + 4 * x;
      if (std::abs(p[0] - colour.red()) <= tolerance && std::abs(p[1] - colour.green()) <= tolerance &&
          std::abs(p[2] - colour.blue()) <= tolerance)
        ++count;
    }
  }
  return count;
}

// Mean absolute difference per channel (0-255) of two images of one size.
inline double meanAbsoluteDifference(const QImage& a, const QImage& b) {
  const QImage x = a.convertToFormat(QImage::Format_RGBA8888);
  const QImage y = b.convertToFormat(QImage::Format_RGBA8888);
  double total = 0.0;
  for (int row = 0; row < x.height(); ++row) {
    const uchar* p = x.constScanLine(row);
    const uchar* q = y.constScanLine(row);
    for (int i = 0; i < 4 * x.width(); ++i) total += std::abs(p[i] - q[i]);
  }
  return total / (4.0 * x.width() * x.height());
}

// Text of a PDF: pdftotext (poppler-utils) when installed, else Ghostscript's
// txtwrite device. Empty `tool` when neither exists.
struct PdfText {
  QString tool;
  QString text;
  QString error;
};

inline PdfText pdfText(const QString& pdfPath) {
  PdfText result;
  QProcess process;
  const QString pdftotext = QStandardPaths::findExecutable("pdftotext");
  const QString gs = QStandardPaths::findExecutable("gs");
  if (!pdftotext.isEmpty()) {
    result.tool = "pdftotext";
    process.start(pdftotext, {pdfPath, "-"});
  } else if (!gs.isEmpty()) {
    result.tool = "gs";
    process.start(gs, {"-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=txtwrite", "-sOutputFile=-", pdfPath});
  } else {
    return result;
  }
  if (!process.waitForFinished(60000) || process.exitCode() != 0) {
    result.error = QString::fromLocal8Bit(process.readAllStandardError());
    return result;
  }
  result.text = QString::fromUtf8(process.readAllStandardOutput());
  return result;
}

// Whitespace collapsed to single spaces (extracted text breaks lines anywhere).
inline QString collapsed(QString text) { return text.replace(QRegularExpression("\\s+"), " "); }

inline QString readAll(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  return QString::fromUtf8(file.readAll());
}

}  // namespace neurolens::testing
