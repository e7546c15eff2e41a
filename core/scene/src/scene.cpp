#include "neurolens/scene/scene.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <utility>

#include "neurolens/core/errors.h"

namespace neurolens::scene {

Rgb Palette::categoryColour(std::size_t index) const {
  if (categorical.empty()) return categoricalColour(index);
  return categorical[index % categorical.size()];
}

ColourBy parseColourBy(const std::string& text, std::string* behaviorName, std::string* behaviorPart) {
  if (text == "condition") return ColourBy::Condition;
  if (text == "time") return ColourBy::Time;
  if (text == "type") return ColourBy::Type;
  const std::string prefix = "behavior:";
  if (text.rfind(prefix, 0) == 0 && text.size() > prefix.size()) {
    std::string name = text.substr(prefix.size());
    std::string part;
    const std::size_t colon = name.rfind(':');
    if (colon != std::string::npos) {
      part = name.substr(colon + 1);
      name = name.substr(0, colon);
      const bool index =
          !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (name.empty() || (part != "direction" && part != "speed" && !index))
        throw InputError("--color-by '" + text +
                         "': after behavior:NAME comes :direction, :speed or a dimension index");
    }
    if (behaviorName != nullptr) *behaviorName = name;
    if (behaviorPart != nullptr) *behaviorPart = part;
    return ColourBy::Behavior;
  }
  throw InputError("--color-by '" + text +
                   "' is not one of condition, time, behavior:NAME[:direction|speed|DIM], type");
}

namespace {

void checkPoints(const FloatArray& points) {
  if (points.rank() != 3 || points.dim(2) != 3 || points.dim(0) == 0 || points.dim(1) == 0)
    throw InputError("trajectory figure: projected points must be [trials, bins, 3] with at least one trial and bin");
}

// A label as prefix + number + suffix (the first number in it), or nothing.
struct NumberedLabel {
  std::string prefix;
  double number = 0.0;
  std::string suffix;
};
std::optional<NumberedLabel> splitNumber(const std::string& label) {
  std::size_t begin = 0;
  while (begin < label.size() && !(std::isdigit(static_cast<unsigned char>(label[begin])) != 0)) ++begin;
  if (begin == label.size()) return std::nullopt;
  std::size_t numberStart = begin;
  if (numberStart > 0 && (label[numberStart - 1] == '-' || label[numberStart - 1] == '+') &&
      (numberStart == 1 || label[numberStart - 2] == ' '))
    --numberStart;
  std::size_t end = begin;
  while (end < label.size() && (std::isdigit(static_cast<unsigned char>(label[end])) != 0 || label[end] == '.')) ++end;
  try {
    NumberedLabel parsed;
    parsed.prefix = label.substr(0, numberStart);
    parsed.number = std::stod(label.substr(numberStart, end - numberStart));
    parsed.suffix = label.substr(end);
    return parsed;
  } catch (const std::logic_error&) {
    return std::nullopt;
  }
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// matplotlib's "tab20" (Tableau 20): ten hues, each dark then light.
const std::vector<Rgb>& tableau20() {
  static const std::vector<Rgb> colours = [] {
    const unsigned hex[] = {0x1f77b4, 0xaec7e8, 0xff7f0e, 0xffbb78, 0x2ca02c, 0x98df8a, 0xd62728,
                            0xff9896, 0x9467bd, 0xc5b0d5, 0x8c564b, 0xc49c94, 0xe377c2, 0xf7b6d2,
                            0x7f7f7f, 0xc7c7c7, 0xbcbd22, 0xdbdb8d, 0x17becf, 0x9edae5};
    std::vector<Rgb> out;
    for (const unsigned h : hex)
      out.push_back(Rgb{((h >> 16) & 0xff) / 255.0, ((h >> 8) & 0xff) / 255.0, (h & 0xff) / 255.0});
    return out;
  }();
  return colours;
}

Rgb blend(const Rgb& colour, const Rgb& background, double keep) {
  return Rgb{keep * colour.r + (1.0 - keep) * background.r, keep * colour.g + (1.0 - keep) * background.g,
             keep * colour.b + (1.0 - keep) * background.b};
}

// Single trials beneath condition means: this share of the condition's colour (the rest background),
// and these factors on the style's trajectory line width.
constexpr double kTrialColourShare = 0.35;
constexpr double kTrialWidth = 0.6;
constexpr double kMeanWidth = 3.0;

// Whole numbers of degrees on a regular grid that goes once around the circle (0, 45, ... 315:
// the reach directions of a centre-out task), some grid points possibly missing.
bool tileACircle(const std::vector<double>& sorted) {
  if (sorted.size() < 3 || sorted.front() < 0.0 || sorted.back() >= 360.0) return false;
  long step = 0;
  for (const double value : sorted)
    if (value != std::floor(value)) return false;
  for (std::size_t i = 1; i < sorted.size(); ++i) step = std::gcd(step, static_cast<long>(sorted[i] - sorted.front()));
  return step > 0 && 360 % step == 0 && static_cast<long>(sorted.back() - sorted.front()) + step == 360;
}

}  // namespace

ConditionColours conditionColours(const std::vector<std::string>& labels, const std::string& column,
                                  const Palette& style) {
  ConditionColours out;
  std::vector<std::string> names = labels;
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  // Ordered: every label one number in the same surrounding text.
  std::vector<NumberedLabel> numbered;
  for (const auto& name : names) {
    const auto parsed = splitNumber(name);
    if (!parsed || (!numbered.empty() &&
                    (parsed->prefix != numbered.front().prefix || parsed->suffix != numbered.front().suffix))) {
      numbered.clear();
      break;
    }
    numbered.push_back(*parsed);
  }
  std::vector<double> distinct;
  for (const auto& n : numbered) distinct.push_back(n.number);
  std::sort(distinct.begin(), distinct.end());
  const bool ordered =
      names.size() > 1 && !numbered.empty() && std::adjacent_find(distinct.begin(), distinct.end()) == distinct.end();
  if (ordered) {
    std::vector<std::size_t> order(names.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return numbered[a].number < numbered[b].number; });
    for (const std::size_t i : order) out.names.push_back(names[i]);
    const std::string unit = lower(numbered.front().suffix);
    const std::string columnName = lower(column);
    static const std::array<const char*, 5> kAngleWords = {"angle", "direction", "theta", "orientation", "heading"};
    const bool angles = unit.find("deg") != std::string::npos || unit.find("\u00b0") != std::string::npos ||
                        unit.find("rad") != std::string::npos ||
                        std::any_of(kAngleWords.begin(), kAngleWords.end(),
                                    [&](const char* word) { return columnName.find(word) != std::string::npos; });
    const std::size_t n = out.names.size();
    if (angles || tileACircle(distinct)) {
      // Around the circle: the last colour stops one step short of the first.
      const Colormap map = colormapByName("cyclic");
      for (std::size_t i = 0; i < n; ++i) out.colours.push_back(map.at(static_cast<double>(i) / n));
      out.scheme = "cyclic";
    } else {
      // Sequential, without the lightest end (a yellow line on white does not read).
      const Colormap map = colormapByName(style.sequentialColormap);
      for (std::size_t i = 0; i < n; ++i) out.colours.push_back(map.at(0.85 * static_cast<double>(i) / (n - 1)));
      out.scheme = "sequential";
    }
    return out;
  }
  out.names = names;
  out.scheme = "categorical";
  const std::size_t paletteSize = style.categorical.empty() ? okabeItoPalette().size() : style.categorical.size();
  for (std::size_t c = 0; c < names.size(); ++c)
    out.colours.push_back(names.size() <= paletteSize ? style.categoryColour(c) : tableau20()[c % tableau20().size()]);
  return out;
}

VertexValues behaviorValues(const FloatArray& behavior, const std::string& name, const std::string& part,
                            const Palette& style) {
  if (behavior.rank() != 3 || behavior.dim(2) == 0)
    throw InputError("behaviour '" + name + "' is not [trials, bins, dims]");
  const std::size_t rows = behavior.dim(0);
  const std::size_t bins = behavior.dim(1);
  const std::size_t dims = behavior.dim(2);
  VertexValues out;
  out.values = FloatArray({rows, bins});
  std::string what = part;
  if (what.empty()) what = dims == 2 ? "direction" : (dims == 1 ? "0" : "speed");
  if (what == "direction" && dims < 2)
    throw InputError("--color-by behavior:" + name + ":direction needs a 2-D series; '" + name + "' has " +
                     std::to_string(dims) + " dimension");
  std::size_t dim = 0;
  if (what != "direction" && what != "speed") {
    dim = static_cast<std::size_t>(std::stoul(what));
    if (dim >= dims)
      throw InputError("--color-by behavior:" + name + ":" + what + ": '" + name + "' has " + std::to_string(dims) +
                       " dimensions (0 .. " + std::to_string(dims - 1) + ")");
  }
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t b = 0; b < bins; ++b) {
      const float* v = behavior.data() + (r * bins + b) * dims;
      double value = 0.0;
      if (what == "direction") {
        value = std::atan2(static_cast<double>(v[1]), static_cast<double>(v[0])) * 180.0 / 3.14159265358979323846;
      } else if (what == "speed") {
        for (std::size_t d = 0; d < dims; ++d) value += static_cast<double>(v[d]) * v[d];
        value = std::sqrt(value);
      } else {
        value = v[dim];
      }
      out.values.values()[r * bins + b] =
          std::isfinite(value) ? static_cast<float>(value) : std::numeric_limits<float>::quiet_NaN();
    }
  if (what == "direction") {
    out.title = name + " direction (deg)";
    out.colormap = "cyclic";
    out.range = std::make_pair(-180.0, 180.0);
    out.part = "direction";
  } else if (what == "speed") {
    out.title = "|" + name + "|";
    out.colormap = style.sequentialColormap;
    out.part = "speed";
  } else {
    out.title = dims == 1 ? name : name + " dim " + std::to_string(dim);
    out.colormap = style.sequentialColormap;
    out.part = dims == 1 ? "value" : "dim " + std::to_string(dim);
  }
  return out;
}

TrajectoryParts colourTrajectories(const TrajectoryInput& input, const Palette& style) {
  checkPoints(input.points);
  const std::size_t rows = input.points.dim(0);
  const std::size_t bins = input.points.dim(1);
  if (input.colourBy == ColourBy::Type)
    throw InputError("--color-by type colours units by their type: use it with --view raster or attribution");
  std::vector<std::string> labels = input.trialCondition;
  if (labels.empty()) labels.assign(rows, "all trials");
  if (labels.size() != rows)
    throw InputError("trajectory figure: " + std::to_string(labels.size()) + " condition labels for " +
                     std::to_string(rows) + " trials");
  if (!input.rowIsMean.empty() && input.rowIsMean.size() != rows)
    throw InputError("trajectory figure: " + std::to_string(input.rowIsMean.size()) + " mean flags for " +
                     std::to_string(rows) + " rows");
  TrajectoryParts parts;
  parts.data.axisTitles = input.axisTitles;
  parts.data.points = input.points;
  parts.lines = rows;
  parts.conditions = conditionColours(labels, input.conditionColumn, style);
  const std::size_t conditions = parts.conditions.names.size();
  const bool layered = !input.rowIsMean.empty();
  // Groups: one per condition; layered, the single trials of condition c in group c and its mean in C + c.
  for (std::size_t r = 0; r < rows; ++r) {
    const auto c =
        static_cast<std::size_t>(std::find(parts.conditions.names.begin(), parts.conditions.names.end(), labels[r]) -
                                 parts.conditions.names.begin());
    parts.data.condition.push_back(static_cast<int>(layered && input.rowIsMean[r] ? conditions + c : c));
  }
  for (std::size_t c = 0; c < conditions; ++c) {
    const Rgb colour = parts.conditions.colours[c];
    parts.data.conditionNames.push_back(parts.conditions.names[c] + (layered ? " (trials)" : ""));
    parts.data.colours.push_back(layered ? blend(colour, style.background, kTrialColourShare) : colour);
    parts.legend.push_back({parts.conditions.names[c], colour});
  }
  if (layered) {
    for (std::size_t c = 0; c < conditions; ++c) {
      parts.data.conditionNames.push_back(parts.conditions.names[c]);
      parts.data.colours.push_back(parts.conditions.colours[c]);
    }
    parts.data.lineWidthScale.assign(conditions, kTrialWidth);
    parts.data.lineWidthScale.resize(2 * conditions, kMeanWidth);
    parts.data.groupMarkers.assign(conditions, false);
    parts.data.groupMarkers.resize(2 * conditions, true);
  }
  parts.legendTitle = input.conditionColumn.empty() ? "condition" : input.conditionColumn;
  if (input.colourBy == ColourBy::Time) {
    ScalarColouring scalars;
    scalars.values = FloatArray({rows, bins});
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t b = 0; b < bins; ++b)
        scalars.values.values()[r * bins + b] =
            static_cast<float>(input.windowStartMs + static_cast<double>(b) * input.binMs);
    scalars.title = "time (ms)";
    scalars.colormap = style.sequentialColormap;
    parts.scalars = std::move(scalars);
  } else if (input.colourBy == ColourBy::Behavior) {
    if (!input.behavior || input.behavior->values.rank() != 2 || input.behavior->values.dim(0) != rows ||
        input.behavior->values.dim(1) != bins)
      throw InputError("trajectory figure: the behaviour colouring needs one value per row and bin");
    ScalarColouring scalars;
    scalars.values = input.behavior->values;
    scalars.title = input.behavior->title;
    scalars.colormap = input.behavior->colormap;
    scalars.range = input.behavior->range;
    parts.scalars = std::move(scalars);
  }
  if (parts.scalars && layered) {
    // The means carry the colour; their single trials are drawn grey beneath them (the colour
    // map's missing-value grey), so the colour is read where it is an average, not noise.
    for (std::size_t r = 0; r < rows; ++r)
      if (!input.rowIsMean[r])
        std::fill_n(parts.scalars->values.values().begin() + static_cast<std::ptrdiff_t>(r * bins), bins,
                    std::numeric_limits<float>::quiet_NaN());
  }
  return parts;
}

}  // namespace neurolens::scene
