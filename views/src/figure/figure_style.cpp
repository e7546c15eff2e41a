#include "neurolens/views/figure/figure_style.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>
#include <cmath>
#include <functional>
#include <map>

#include "builtin_styles.h"
#include "neurolens/core/errors.h"
#include "neurolens/views/figure/colormap.h"

namespace neurolens::views::figure {

Rgb FigureStyle::categoryColour(std::size_t index) const {
  if (categorical.empty()) return categoricalColour(index);
  return categorical[index % categorical.size()];
}

FigureStyle defaultFigureStyle() {
  FigureStyle style;
  style.categorical.assign(okabeItoPalette().begin(), okabeItoPalette().end());
  return style;
}

namespace {

Rgb parseColour(const QJsonValue& value, const std::string& source, const std::string& key) {
  static const QRegularExpression hex("^#[0-9a-fA-F]{6}$");
  if (!value.isString() || !hex.match(value.toString()).hasMatch())
    throw InputError(source + ": '" + key + "' must be a colour written \"#rrggbb\"");
  const unsigned rgb = value.toString().mid(1).toUInt(nullptr, 16);
  return Rgb{((rgb >> 16U) & 0xFFU) / 255.0, ((rgb >> 8U) & 0xFFU) / 255.0, (rgb & 0xFFU) / 255.0};
}

}  // namespace

FigureStyle figureStyleFromJson(const std::string& json, const std::string& sourceName) {
  QJsonParseError error{};
  const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromStdString(json), &error);
  if (error.error != QJsonParseError::NoError)
    throw InputError(sourceName + ": not a valid JSON style file (" + error.errorString().toStdString() +
                     " at character " + std::to_string(error.offset) + ")");
  if (!document.isObject()) throw InputError(sourceName + ": a style file must hold one JSON object");
  FigureStyle style = defaultFigureStyle();

  // Every size key maps to its field; all must be positive numbers of points.
  const std::map<std::string, double*> sizes = {{"title_pt", &style.titlePt},
                                                {"label_pt", &style.labelPt},
                                                {"tick_pt", &style.tickPt},
                                                {"legend_pt", &style.legendPt},
                                                {"panel_letter_pt", &style.panelLetterPt},
                                                {"axis_line_pt", &style.axisLinePt},
                                                {"data_line_pt", &style.dataLinePt},
                                                {"trajectory_line_pt", &style.trajectoryLinePt},
                                                {"separator_line_pt", &style.separatorLinePt},
                                                {"tick_length_pt", &style.tickLengthPt},
                                                {"margin_pt", &style.marginPt}};
  const QJsonObject object = document.object();
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string key = it.key().toStdString();
    const QJsonValue value = it.value();
    if (key.rfind("_", 0) == 0 || key == "comment") continue;  // comments
    if (auto size = sizes.find(key); size != sizes.end()) {
      if (!value.isDouble() || !(value.toDouble() > 0.0) || value.toDouble() > 200.0)
        throw InputError(sourceName + ": '" + key + "' must be a size in points between 0 and 200");
      *size->second = value.toDouble();
    } else if (key == "font_family") {
      if (!value.isString() || value.toString().isEmpty())
        throw InputError(sourceName + ": 'font_family' must be a font name");
      style.fontFamily = value.toString().toStdString();
    } else if (key == "categorical") {
      if (!value.isArray() || value.toArray().isEmpty())
        throw InputError(sourceName + ": 'categorical' must be a list of colours \"#rrggbb\"");
      style.categorical.clear();
      for (const QJsonValue& colour : value.toArray())
        style.categorical.push_back(parseColour(colour, sourceName, key));
    } else if (key == "sequential_colormap" || key == "diverging_colormap") {
      if (!value.isString()) throw InputError(sourceName + ": '" + key + "' must be a colour map name");
      const std::string name = value.toString().toStdString();
      Colormap map = [&] {
        try {
          return colormapByName(name);
        } catch (const InputError& e) {
          throw InputError(sourceName + ": '" + key + "': " + e.what());
        }
      }();
      const bool wantDiverging = key == "diverging_colormap";
      if (map.diverging() != wantDiverging || name == "cyclic")
        throw InputError(sourceName + ": '" + key + "' must name a " + (wantDiverging ? "diverging" : "sequential") +
                         " colour map, not '" + name + "'");
      (wantDiverging ? style.divergingColormap : style.sequentialColormap) = name;
    } else if (key == "multisamples_3d") {
      // "auto" or a sample count; OpenGL offers 0 (off), 2, 4, 8 or 16.
      if (value.isString() && value.toString() == QStringLiteral("auto")) {
        style.multiSamples3d = -1;
      } else if (value.isDouble() && value.toDouble() == std::floor(value.toDouble()) && value.toDouble() >= 0.0 &&
                 value.toDouble() <= 16.0) {
        style.multiSamples3d = static_cast<int>(value.toDouble());
      } else {
        throw InputError(sourceName + ": 'multisamples_3d' must be \"auto\" or a whole number from 0 (off) to 16");
      }
    } else if (key == "width_mm" || key == "height_mm") {
      if (!value.isDouble() || !(value.toDouble() > 0.0) || value.toDouble() > 2000.0)
        throw InputError(sourceName + ": '" + key + "' must be a number of millimetres from 0 to 2000");
      (key == "width_mm" ? style.widthMm : style.heightMm) = value.toDouble();
    } else if (key == "dpi") {
      if (!value.isDouble() || !(value.toDouble() >= 10.0) || value.toDouble() > 2400.0)
        throw InputError(sourceName + ": 'dpi' must be a number from 10 to 2400");
      style.dpi = value.toDouble();
    } else if (key == "background") {
      style.background = parseColour(value, sourceName, key);
    } else if (key == "foreground") {
      style.foreground = parseColour(value, sourceName, key);
    } else {
      throw InputError(sourceName + ": unknown style key '" + key + "'");
    }
  }
  return style;
}

std::vector<std::string> builtinFigureStyleNames() {
  std::vector<std::string> names;
  for (const auto& [name, text] : builtinFigureStyles()) names.push_back(name);
  return names;
}

FigureStyle figureStyleNamed(const std::string& nameOrPath) {
  for (const auto& [name, text] : builtinFigureStyles())
    if (name == nameOrPath) return figureStyleFromJson(text, "style " + name);
  if (!QFile::exists(QString::fromStdString(nameOrPath))) {
    std::string names;
    for (const auto& name : builtinFigureStyleNames()) names += (names.empty() ? "" : ", ") + name;
    throw InputError("--style " + nameOrPath + ": neither a built-in style (" + names + ") nor a style file");
  }
  return loadFigureStyle(nameOrPath);
}

FigurePage figurePage(const FigureStyle& style, std::optional<int> widthPx, std::optional<int> heightPx,
                      std::optional<double> dpi) {
  FigurePage page;
  page.dpi = dpi.value_or(style.dpi.value_or(300.0));
  if (widthPx && heightPx) {
    page.width = *widthPx;
    page.height = *heightPx;
  } else if (style.widthMm) {
    const double width = std::round(*style.widthMm / 25.4 * page.dpi);
    const double height = style.heightMm ? std::round(*style.heightMm / 25.4 * page.dpi) : std::round(width * 0.75);
    page.width = static_cast<int>(width);
    page.height = static_cast<int>(height);
  }
  return page;
}

FigureStyle loadFigureStyle(const std::string& path) {
  QFile file(QString::fromStdString(path));
  if (!file.open(QIODevice::ReadOnly))
    throw InputError(path + ": cannot read the style file (" + file.errorString().toStdString() + ")");
  return figureStyleFromJson(file.readAll().toStdString(), path);
}

}  // namespace neurolens::views::figure
