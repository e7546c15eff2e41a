#include "neurolens/views/figure/figure.h"

#include <QBuffer>
#include <QFileInfo>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <algorithm>
#include <cmath>

#include "neurolens/core/errors.h"
#include "plot_support.h"
#include "png_encoder.h"

namespace neurolens::views::figure {

FigureFormat formatForPath(const std::string& path) {
  const QString suffix = QFileInfo(QString::fromStdString(path)).suffix().toLower();
  if (suffix == "png") return FigureFormat::Png;
  if (suffix == "svg") return FigureFormat::Svg;
  if (suffix == "pdf") return FigureFormat::Pdf;
  throw InputError(path + ": unknown figure format '" + suffix.toStdString() +
                   "' (the file name must end in .png, .svg or .pdf)");
}

Figure::Figure(int columns) : columns_(std::max(1, columns)) {}

void Figure::add(std::unique_ptr<Plot> plot) {
  if (!plot) throw InputError("figure: an empty panel cannot be added");
  panels_.push_back(std::move(plot));
}

QRectF Figure::panelRect(std::size_t index, const QRectF& page) const {
  const auto columns =
      static_cast<std::size_t>(std::min<std::size_t>(columns_, std::max<std::size_t>(1, panels_.size())));
  const std::size_t rows = (panels_.size() + columns - 1) / columns;
  const double width = page.width() / static_cast<double>(columns);
  const double height = page.height() / static_cast<double>(std::max<std::size_t>(rows, 1));
  return {page.left() + static_cast<double>(index % columns) * width,
          page.top() + static_cast<double>(index / columns) * height, width, height};
}

void Figure::paint(QPainter& painter, const QRectF& page, const PaintContext& context) const {
  const bool letters = panelLetters();
  painter.setFont(detail::roleFont(context, detail::TextRole::PanelLetter));
  const QFontMetricsF letterMetrics(painter.font(), painter.device());
  for (std::size_t i = 0; i < panels_.size(); ++i) {
    QRectF cell = panelRect(i, page);
    if (letters) {
      const QString letter = QString(QChar('A' + static_cast<int>(i % 26)));
      painter.save();
      painter.setFont(detail::roleFont(context, detail::TextRole::PanelLetter));
      painter.setPen(detail::toQColor(context.style.foreground));
      const double pad = context.px(context.style.marginPt);
      detail::drawLabel(painter,
                        QRectF(cell.left() + pad, cell.top() + pad, letterMetrics.horizontalAdvance(letter) * 2.0,
                               letterMetrics.height()),
                        Qt::AlignLeft | Qt::AlignTop, letter, scene::LabelKind::Title, context);
      painter.restore();
      // The letter sits in its own strip on the left so it never covers a title or an axis.
      cell.adjust(letterMetrics.horizontalAdvance(letter) + pad, 0, 0, 0);
    }
    painter.save();
    painter.setClipRect(panelRect(i, page));
    panels_[i]->paint(painter, cell, context);
    painter.restore();
  }
}

std::vector<std::string> Figure::labels() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < panels_.size(); ++i) {
    if (panelLetters()) out.emplace_back(1, static_cast<char>('A' + static_cast<int>(i % 26)));
    const auto panelLabels = panels_[i]->labels();
    out.insert(out.end(), panelLabels.begin(), panelLabels.end());
  }
  return out;
}

namespace {

void checkOptions(const ExportOptions& options) {
  if (options.width < 1 || options.height < 1 || options.width > 16384 || options.height > 16384)
    throw InputError("figure size " + std::to_string(options.width) + "x" + std::to_string(options.height) +
                     " is outside 1x1 .. 16384x16384 pixels");
  if (!(options.dpi >= 10.0 && options.dpi <= 2400.0))
    throw InputError("figure DPI " + std::to_string(options.dpi) + " is outside 10 .. 2400");
}

void paintPage(QPainter& painter, const Figure& figure, const ExportOptions& options, const FigureStyle& style,
               bool fillBackground, std::vector<DrawnLabel>* labels) {
  painter.setRenderHint(QPainter::Antialiasing, true);
  painter.setRenderHint(QPainter::TextAntialiasing, true);
  const QRectF page(0, 0, options.width, options.height);
  if (fillBackground) painter.fillRect(page, detail::toQColor(style.background));
  LabelRecorder recorder(painter.transform());
  figure.paint(painter, page, PaintContext{style, options.dpi, labels != nullptr ? &recorder : nullptr});
  if (labels != nullptr) *labels = recorder.labels();
}

}  // namespace

QImage renderFigure(const Figure& figure, const ExportOptions& options, const FigureStyle& style,
                    std::vector<DrawnLabel>* labels) {
  checkOptions(options);
  // Opaque pages paint into RGB32 (no alpha to blend or to encode); transparent ones need alpha.
  QImage image(options.width, options.height,
               options.transparentBackground ? QImage::Format_ARGB32_Premultiplied : QImage::Format_RGB32);
  // The DPI travels with the image (and into the PNG's pHYs chunk); fonts sized in
  // points are then scaled by it.
  const int dotsPerMeter = static_cast<int>(std::lround(options.dpi / 0.0254));
  image.setDotsPerMeterX(dotsPerMeter);
  image.setDotsPerMeterY(dotsPerMeter);
  image.fill(options.transparentBackground ? QColor(0, 0, 0, 0) : detail::toQColor(style.background));
  QPainter painter(&image);
  paintPage(painter, figure, options, style, false, labels);
  painter.end();
  return image;
}

void exportFigure(const Figure& figure, const std::string& path, const ExportOptions& options, const FigureStyle& style,
                  std::vector<DrawnLabel>* labels) {
  checkOptions(options);
  const FigureFormat format = formatForPath(path);
  QSaveFile file(QString::fromStdString(path));
  if (!file.open(QIODevice::WriteOnly))
    throw InputError(path + ": cannot write the figure (" + file.errorString().toStdString() + ")");
  switch (format) {
    case FigureFormat::Png: {
      const QByteArray png = encodePng(renderFigure(figure, options, style, labels));
      if (file.write(png) != png.size())
        throw InputError(path + ": could not write the PNG image (" + file.errorString().toStdString() + ")");
      break;
    }
    case FigureFormat::Svg: {
      QSvgGenerator generator;
      generator.setOutputDevice(&file);
      generator.setSize(QSize(options.width, options.height));
      generator.setViewBox(QRectF(0, 0, options.width, options.height));
      generator.setResolution(static_cast<int>(std::lround(options.dpi)));
      generator.setTitle(QStringLiteral("NeuroLens figure"));
      QPainter painter;
      if (!painter.begin(&generator)) throw InputError(path + ": could not start the SVG document");
      paintPage(painter, figure, options, style, !options.transparentBackground, labels);
      painter.end();
      break;
    }
    case FigureFormat::Pdf: {
      QPdfWriter writer(&file);
      writer.setResolution(static_cast<int>(std::lround(options.dpi)));
      writer.setPageSize(QPageSize(QSizeF(options.width / options.dpi, options.height / options.dpi), QPageSize::Inch,
                                   QStringLiteral("figure"), QPageSize::ExactMatch));
      writer.setPageMargins(QMarginsF(0, 0, 0, 0));
      writer.setTitle(QStringLiteral("NeuroLens figure"));
      writer.setCreator(QStringLiteral("NeuroLens"));
      QPainter painter;
      if (!painter.begin(&writer)) throw InputError(path + ": could not start the PDF document");
      // The page is width/dpi inches wide at `dpi` device pixels per inch: the same
      // coordinates as the PNG, so one painter code path serves all formats.
      const double sx = writer.width() / static_cast<double>(options.width);
      const double sy = writer.height() / static_cast<double>(options.height);
      painter.scale(sx, sy);
      paintPage(painter, figure, options, style, true, labels);
      painter.end();
      break;
    }
  }
  if (!file.commit())
    throw InputError(path + ": could not finish writing the figure (" + file.errorString().toStdString() + ")");
}

}  // namespace neurolens::views::figure
