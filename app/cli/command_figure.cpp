// `figure --view V --out F FILE`: publication figures, headless. The recording is
// binned, the model (when given) run, projections / attribution / link / probe
// computed with the core, and the plain results handed to the figure model in
// views/figure, which the GUI's export uses too. PNG, SVG or PDF by --out's
// extension; 3-D views are rendered offscreen by VTK (an X display is needed for
// those: without DISPLAY a private Xvfb is started for the command), 2-D views need
// no display at all. --json says what was drawn (mode, conditions, lines, panels).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QFileInfo>
#include <QGuiApplication>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>

#include "cli_common.h"
#include "command_summaries.h"
#include "commands.h"
#include "figures/align_figure.h"
#include "figures/embedding_figure.h"
#include "figures/figure_application.h"
#include "figures/lesion_figure.h"
#include "model_cli.h"
#include "neurolens/app/recording_source.h"
#include "neurolens/core/attribution.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/link.h"
#include "neurolens/core/model.h"
#include "neurolens/core/probe.h"
#include "neurolens/core/projection.h"
#include "neurolens/scene/scene_builder.h"
#include "neurolens/views/figure/figure.h"
#include "neurolens/views/figure/figure_builders.h"
#include "neurolens/views/figure/figure_style.h"
#include "neurolens/views/figure/scene_view_options.h"
#include "neurolens/views/figure/trajectory_figure.h"

namespace neurolens::cli {
namespace {

namespace fig = views::figure;

struct FigureCliOptions {
  CommonOptions common;
  BinningCliOptions binning;
  std::vector<std::string> files;  // FILES: one recording; --view align: sides A and B
  std::string file;
  std::string model;
  std::string session;
  std::string out;
  // --view align: align's options (../shared/spec/cli.md "align").
  std::string modelB;
  std::string sessionB;
  std::string match;
  std::size_t dims = 0;
  // --view lesion: lesion's options (../shared/spec/cli.md "lesion").
  std::string lesion;
  std::string lesionMode = "mean";
  std::size_t randomRepeats = 100;
  bool matchRate = false;
  bool permutationsGiven = false;  // align's default is 200, the association's 1000
  std::string view = "trajectories";
  std::string size;  // empty: from the style, else 1600x1200
  double dpi = 0.0;  // 0: from the style, else 300
  std::string projection = "pca";
  std::string colorBy = "condition";
  std::string conditions;
  std::string trials;
  bool means = false;
  std::string style;
  bool transparent = false;
  std::string conditionColumn = "condition";
  std::string unitColumn;
  std::string target;
  std::string referenceModel;
  int steps = 50;
  std::size_t permutations = 1000;
  double smoothMs = 40.0;
  std::string animate;
  int frames = 0;
  double fps = 24.0;
};

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

std::pair<int, int> parseSize(const std::string& text) {
  const auto x = text.find_first_of("xX");
  try {
    if (x == std::string::npos) throw std::invalid_argument(text);
    std::size_t usedW = 0;
    std::size_t usedH = 0;
    const int width = std::stoi(text.substr(0, x), &usedW);
    const int height = std::stoi(text.substr(x + 1), &usedH);
    if (usedW != x || usedH != text.size() - x - 1 || width < 1 || height < 1) throw std::invalid_argument(text);
    return {width, height};
  } catch (const std::logic_error&) {
    throw InputError("--size '" + text + "' is not WIDTHxHEIGHT in pixels (e.g. 1600x1200)");
  }
}

// Per-trial text of a trials-table column ("" for a continuous recording without it).
std::vector<std::string> trialLabels(const BinnedRecording& binned, const std::string& column, bool required) {
  const Column* found = binned.trials.find(column);
  if (found == nullptr || found->rows() != binned.trialCount()) {
    if (required)
      throw InputError(binned.source + ": the trials table has no column '" + column +
                       "' (choose one with --condition-column)");
    return std::vector<std::string>(binned.trialCount(), binned.continuous ? "recording" : "all trials");
  }
  std::vector<std::string> labels;
  for (std::size_t r = 0; r < found->rows(); ++r) labels.push_back(found->cellText(r));
  return labels;
}

std::vector<std::string> unitLabels(const BinnedRecording& binned, const std::string& column) {
  const Column* found = binned.units.find(column);
  if (found == nullptr || found->rows() != binned.unitCount()) {
    std::string known;
    for (const auto& name : binned.units.columnNames()) known += (known.empty() ? "" : ", ") + name;
    throw InputError(binned.source + ": the units table has no column '" + column + "' (columns: " + known + ")");
  }
  std::vector<std::string> labels;
  for (std::size_t r = 0; r < found->rows(); ++r) labels.push_back(found->cellText(r));
  return labels;
}

// The trials kept by --trials (trial ids) and --conditions (labels), in file order.
std::vector<std::size_t> selectTrials(const BinnedRecording& binned, const FigureCliOptions& options,
                                      const std::vector<std::string>& conditions) {
  std::vector<std::size_t> kept;
  const auto wantedIds = splitList(options.trials);
  const auto wantedConditions = splitList(options.conditions);
  std::set<std::string> seenIds;
  for (std::size_t t = 0; t < binned.trialCount(); ++t) {
    const std::string id = t < binned.trialIds.size() ? std::to_string(binned.trialIds[t]) : std::to_string(t);
    if (!wantedIds.empty() && std::find(wantedIds.begin(), wantedIds.end(), id) == wantedIds.end()) continue;
    if (!wantedConditions.empty() &&
        std::find(wantedConditions.begin(), wantedConditions.end(), conditions[t]) == wantedConditions.end())
      continue;
    seenIds.insert(id);
    kept.push_back(t);
  }
  for (const auto& id : wantedIds)
    if (seenIds.count(id) == 0 && wantedConditions.empty())
      throw InputError(binned.source + ": --trials names trial id " + id + ", which the recording does not have");
  for (const auto& condition : wantedConditions)
    if (std::find(conditions.begin(), conditions.end(), condition) == conditions.end())
      throw InputError(binned.source + ": --conditions names '" + condition + "', which no trial has in column '" +
                       options.conditionColumn + "'");
  if (kept.empty()) throw InputError(binned.source + ": --trials / --conditions leave no trial to draw");
  return kept;
}

template <typename T>
std::vector<T> selectItems(const std::vector<T>& items, const std::vector<std::size_t>& trials) {
  std::vector<T> out;
  for (const std::size_t t : trials) out.push_back(items.at(t));
  return out;
}

// Everything computed once and shared by the panels of a view or a sheet.
struct FigureData {
  BinnedRecording binned;
  std::optional<Model> model;
  std::vector<std::string> conditions;  // per trial of the recording
  std::vector<std::size_t> selected;    // trials drawn
  FloatArray features;                  // [trials, bins, features]: latents or smoothed counts
  std::string featureName;              // "latent" or "unit"
  bool labelled = false;                // the trials table has the condition column
  double windowStartMs = 0.0;
};

using scene::DrawMode;

std::string formatValue(double value) {
  std::ostringstream text;
  text << std::setprecision(value >= 100.0 ? 4 : 3) << value;
  return text.str();
}

// The drawn trajectories: the scene builder the GUI's views use too (neurolens/scene), from the
// recording's counts (smoothed there) or the model's latents; --projection aligned and probe
// hand it the aligned latents or the probe's axes.
scene::Scene project(const FigureData& data, const FigureCliOptions& options, const fig::FigureStyle& style,
                     const Progress& progress) {
  scene::PairData pair;
  pair.fromModel = data.model.has_value();
  pair.features = data.model ? data.features : data.binned.counts;
  pair.trialConditions = data.conditions;
  pair.labelled = data.labelled;
  pair.continuous = data.binned.continuous;
  pair.binMs = data.binned.binMs;
  pair.windowStartMs = data.windowStartMs;
  scene::DisplayOptions display;
  display.smoothMs = options.smoothMs;
  display.meansOnly = options.means;
  display.singleTrialsOnly = !options.trials.empty();
  display.trials = data.selected;
  display.colourBy = options.colorBy;
  display.conditionColumn = options.conditionColumn;
  display.palette = fig::paletteOf(style);
  // The behaviour that colours the vertices.
  std::string behaviorName;
  const FloatArray* behavior = nullptr;
  if (fig::parseColourBy(options.colorBy, &behaviorName) == fig::ColourBy::Behavior) {
    const auto found = data.binned.behavior.find(behaviorName);
    if (found == data.binned.behavior.end())
      throw InputError(data.binned.source + ": no behaviour '" + behaviorName + "' was binned");
    behavior = &found->second;
    pair.behavior = *behavior;
  }
  if (options.projection == "pca") {
    display.projection = scene::Projection::Pca;
  } else if (options.projection == "latents") {
    if (!data.model) throw InputError("--projection latents needs --model");
    display.projection = scene::Projection::Latents;
  } else if (options.projection == "aligned") {
    if (!data.model) throw InputError("--projection aligned needs --model (and --reference-model)");
    if (options.referenceModel.empty())
      throw InputError("--projection aligned needs --reference-model: the latents are aligned onto that model's");
    // The drawn trials' latents, smoothed as asked, aligned onto the reference model's.
    FloatArray latents = selectFirstAxis(data.features, data.selected);
    if (options.smoothMs > 0.0) latents = smoothAlongBins(latents, options.smoothMs / data.binned.binMs);
    // A multi-session reference takes the recording's own session (by its identifier).
    const Model reference = bindModel(Model::load(options.referenceModel), data.binned, {});
    reference.checkAgainst(data.binned);
    const FloatArray referenceLatents = selectFirstAxis(
        reference.infer(data.binned.counts, parseDeviceChoice(options.common.device), progress).latents, data.selected);
    pair.features = alignLatents(latents, referenceLatents, AlignMethod::Procrustes).aligned;
    pair.trialConditions = selectItems(data.conditions, data.selected);
    if (behavior != nullptr) pair.behavior = selectFirstAxis(*behavior, data.selected);
    display.trials.clear();
    display.smoothMs = 0.0;
    display.axisPrefix = "aligned ";
  } else if (options.projection == "probe") {
    if (options.target.empty())
      throw InputError("--projection probe needs --target behavior:NAME or trials:COLUMN to fit the probe axes");
    const ProbeTarget target = probeTargetFromSpec(data.binned, options.target);
    if (target.categorical())
      throw InputError("--projection probe needs a numeric target (" + options.target + " is categorical)");
    ProbeOptions probeOptions;
    probeOptions.binMs = data.binned.binMs;
    const ProbeResult probe = runProbe(data.features, target, probeOptions, progress);
    // Probe weight columns first, then principal axes to fill three dimensions.
    const Eigen::MatrixXd rows = flattenRows(data.features);
    const std::size_t fill = probe.weights.cols() >= 3 ? 0 : 3 - static_cast<std::size_t>(probe.weights.cols());
    Eigen::MatrixXd axes(rows.cols(),
                         std::min<Eigen::Index>(3, probe.weights.cols()) + static_cast<Eigen::Index>(fill));
    axes.leftCols(std::min<Eigen::Index>(3, probe.weights.cols())) =
        probe.weights.leftCols(std::min<Eigen::Index>(3, probe.weights.cols()));
    if (fill > 0) {
      const PcaResult principal = pca(data.features, std::min<std::size_t>(rows.cols(), fill + 1));
      for (std::size_t f = 0; f < fill && f < static_cast<std::size_t>(principal.components.rows()); ++f)
        axes.col(axes.cols() - static_cast<Eigen::Index>(fill) + static_cast<Eigen::Index>(f)) =
            principal.components.row(static_cast<Eigen::Index>(f)).transpose();
    }
    display.projection = scene::Projection::Axes;
    display.axes = scene::GivenAxes{axes,
                                    rows.colwise().mean(),
                                    {"probe axis 1", probe.weights.cols() > 1 ? "probe axis 2" : "PC 1",
                                     probe.weights.cols() > 2 ? "probe axis 3" : "PC 2"}};
  } else {
    throw InputError("--projection '" + options.projection + "' is not one of pca, latents, probe, aligned");
  }
  return scene::buildScene(pair, display);
}

// What the trajectory panels drew, for --json.
struct DrawnSummary {
  bool drewTrajectories = false;
  DrawMode mode = DrawMode::Trials;
  bool singleTrials = false;
  std::size_t lines = 0;
  nlohmann::json conditions = nlohmann::json::array();
};

void summarise(const scene::Scene& drawnScene, const FigureData& data, DrawnSummary* summary) {
  if (summary == nullptr) return;
  const fig::TrajectoryParts& parts = drawnScene.parts;
  summary->drewTrajectories = true;
  summary->mode = drawnScene.mode;
  summary->singleTrials =
      std::find(drawnScene.rowIsMean.begin(), drawnScene.rowIsMean.end(), false) != drawnScene.rowIsMean.end() ||
      (drawnScene.rowIsMean.empty() && drawnScene.mode != DrawMode::Continuous);
  summary->lines = parts.lines;
  summary->conditions = nlohmann::json::array();
  const std::vector<std::string> selected = selectItems(data.conditions, data.selected);
  for (std::size_t c = 0; c < parts.conditions.names.size(); ++c) {
    const std::string& label = parts.conditions.names[c];
    summary->conditions.push_back({{"label", label},
                                   {"trials", std::count(selected.begin(), selected.end(), label)},
                                   {"color", views::toHex(parts.conditions.colours[c])}});
  }
}

using fig::viewOptions;  // views/figure/scene_view_options.h: the window's "Export view..." uses it too

std::unique_ptr<fig::Plot> trajectoryPanel(const scene::Scene& drawnScene, const FigureData& data,
                                           const FigureCliOptions& options, const std::string& title,
                                           DrawnSummary* summary) {
  summarise(drawnScene, data, summary);
  fig::TrajectoryViewOptions view = viewOptions(drawnScene);
  view.title = title;
  auto plot = std::make_unique<fig::TrajectoryPlot>(drawnScene.parts.data, view);
  plot->setTransparentBackground(options.transparent);
  return plot;
}

// A title that says what the trajectory panel drew.
std::string trajectoryTitle(const scene::Scene& projected, const FigureData& data, const FigureCliOptions& options) {
  std::size_t means = 0;
  for (const bool isMean : projected.rowIsMean) means += isMean ? 1 : 0;
  switch (projected.mode) {
    case DrawMode::Means:
      return std::to_string(means) + " condition means" +
             (options.means ? std::string() : ", " + std::to_string(data.selected.size()) + " trials");
    case DrawMode::Trials:
      return std::to_string(data.selected.size()) + " single trials";
    case DrawMode::Continuous: {
      const double seconds = static_cast<double>(data.binned.binCount()) * data.binned.binMs / 1000.0;
      return data.selected.size() == 1
                 ? "recording, " + formatValue(std::round(seconds)) + " s"
                 : std::to_string(data.selected.size()) + " chunks of " + formatValue(seconds) + " s";
    }
  }
  return {};
}

// At most 10 s of a long trial or recording, from the whole second before its first spike
// (a recording's clock need not start with its spikes): first bin and number of bins.
std::pair<std::size_t, std::size_t> shownBins(const FigureData& data, std::size_t trial) {
  const std::size_t bins = data.binned.binCount();
  const auto maxBins = static_cast<std::size_t>(std::max(1.0, std::floor(10000.0 / data.binned.binMs)));
  if (bins <= maxBins) return {0, bins};
  const std::size_t units = data.binned.unitCount();
  std::size_t first = 0;
  while (first < bins) {
    const float* row = data.binned.counts.data() + (trial * bins + first) * units;
    if (std::any_of(row, row + units, [](float c) { return c > 0.0F; })) break;
    ++first;
  }
  if (first == bins) first = 0;
  const double firstMs = static_cast<double>(first) * data.binned.binMs;
  auto start = static_cast<std::size_t>(std::floor(std::floor(firstMs / 1000.0) * 1000.0 / data.binned.binMs));
  start = std::min(start, bins - maxBins);
  return {start, maxBins};
}

std::string secondsSpan(const FigureData& data, std::pair<std::size_t, std::size_t> shown) {
  const double from = (data.windowStartMs + static_cast<double>(shown.first) * data.binned.binMs) / 1000.0;
  const double to = from + static_cast<double>(shown.second) * data.binned.binMs / 1000.0;
  return formatValue(from) + "\u2013" + formatValue(to) + " s";
}

// The drawn state along time: per condition mean (first drawn axis), or for single trials and
// continuous recordings the three drawn axes of the first row over at most 10 s.
std::unique_ptr<fig::Plot> timecoursePanel(const scene::Scene& projected, const FigureData& data) {
  fig::LineData lines;
  lines.xStart = data.windowStartMs;
  lines.xStep = data.binned.binMs;
  const std::size_t bins = projected.parts.data.points.dim(1);
  if (projected.mode == DrawMode::Means) {
    const fig::ConditionColours& colours = projected.parts.conditions;
    for (std::size_t c = 0; c < colours.names.size(); ++c)
      for (std::size_t r = 0; r < projected.rowConditions.size(); ++r) {
        if (!projected.rowIsMean[r] || projected.rowConditions[r] != colours.names[c]) continue;
        fig::Series series;
        series.name = colours.names[c];
        series.colour = colours.colours[c];
        for (std::size_t b = 0; b < bins; ++b) series.values.push_back(projected.parts.data.points(r, b, 0));
        lines.series.push_back(std::move(series));
      }
    lines.title = projected.parts.data.axisTitles[0] + " of each condition mean";
    lines.yTitle = projected.parts.data.axisTitles[0];
  } else {
    const auto shown = shownBins(data, data.selected.front());
    lines.xStart = data.windowStartMs + static_cast<double>(shown.first) * data.binned.binMs;
    for (std::size_t d = 0; d < 3; ++d) {
      fig::Series series;
      series.name = projected.parts.data.axisTitles[d];
      series.colourIndex = d;
      for (std::size_t b = shown.first; b < std::min(bins, shown.first + shown.second); ++b)
        series.values.push_back(projected.parts.data.points(0, b, d));
      lines.series.push_back(std::move(series));
    }
    const std::string trial =
        projected.mode == DrawMode::Continuous ? (data.selected.size() > 1 ? "chunk " : "") : "trial ";
    const std::string which =
        trial.empty()
            ? "recording"
            : trial + std::to_string(data.binned.trialIds.empty() ? static_cast<std::int64_t>(data.selected.front())
                                                                  : data.binned.trialIds[data.selected.front()]);
    lines.title = which + (shown.second < bins ? ", " + secondsSpan(data, shown) : std::string());
    lines.yTitle = "projection";
  }
  return std::make_unique<fig::LinePlot>(std::move(lines));
}

// Share of the variance of what the projection was fitted on, along each drawn axis.
std::unique_ptr<fig::Plot> variancePanel(const scene::Scene& projected) {
  fig::BarData bars;
  bars.values = projected.axisShare;
  for (std::size_t d = 0; d < bars.values.size(); ++d) bars.barLabels.push_back(projected.parts.data.axisTitles[d]);
  bars.title = "variance per axis";
  bars.xTitle = "fitted on the " + projected.fittedOn;
  bars.yTitle = "share of variance";
  bars.range = std::make_pair(0.0, 1.0);
  return std::make_unique<fig::BarPlot>(std::move(bars));
}

struct LinkPanels {
  std::unique_ptr<fig::Plot> attribution;
  std::unique_ptr<fig::Plot> association;
};

LinkPanels linkPanels(const FigureData& data, const FigureCliOptions& options, const Progress& progress) {
  if (!data.model) throw InputError("--view " + options.view + " needs --model (attribution is computed from it)");
  if (options.unitColumn.empty())
    throw InputError("--view " + options.view + " needs --unit-column COLUMN: the unit types to compare");
  const std::vector<std::string> unitTypes = unitLabels(data.binned, options.unitColumn);
  AttributionOptions attribution;
  attribution.steps = options.steps;
  attribution.device = parseDeviceChoice(options.common.device);
  attribution.seed = options.common.seed.value_or(0);
  ProfileAccumulator profiles(ProfileKind::Signed);
  const FloatArray counts = selectFirstAxis(data.binned.counts, data.selected);
  (void)attribute(
      *data.model, counts, attribution, [&](const AttributionChunk& chunk) { profiles.add(chunk.attributions); },
      progress.sub(0.0, 0.8));
  LinkOptions link;
  link.permutations = options.permutations;
  link.seed = options.common.seed.value_or(0);
  const LinkResult result = runLink(profiles.profiles(), profiles.mass(), unitTypes, link, progress.sub(0.8, 1.0));
  const auto toArray = [](const Eigen::MatrixXd& matrix) {
    FloatArray array({static_cast<std::size_t>(matrix.rows()), static_cast<std::size_t>(matrix.cols())});
    for (Eigen::Index r = 0; r < matrix.rows(); ++r)
      for (Eigen::Index c = 0; c < matrix.cols(); ++c)
        array.values()[static_cast<std::size_t>(r * matrix.cols() + c)] = static_cast<float>(matrix(r, c));
    return array;
  };
  LinkPanels panels;
  panels.attribution =
      fig::attributionHeatmap(toArray(result.profiles), unitTypes, result.types, toArray(result.pValues),
                              "attribution profiles by " + options.unitColumn);
  panels.association = fig::associationHeatmap(toArray(result.association), result.types, toArray(result.pValues),
                                               options.unitColumn + " x latent association");
  return panels;
}

struct ProbePanels {
  std::unique_ptr<fig::Plot> bars;
  std::unique_ptr<fig::Plot> series;
};

ProbePanels probePanels(const FigureData& data, const FigureCliOptions& options, const Progress& progress) {
  if (options.target.empty()) throw InputError("--view probe needs --target behavior:NAME or trials:COLUMN");
  const ProbeTarget target = probeTargetFromSpec(data.binned, options.target);
  ProbeOptions probeOptions;
  probeOptions.binMs = data.binned.binMs;
  probeOptions.seed = options.common.seed.value_or(0);
  const ProbeResult probe = runProbe(data.features, target, probeOptions, progress);
  ProbePanels panels;
  const std::string what = data.model ? "latents" : "binned counts";
  if (target.categorical()) {
    panels.bars = fig::probeR2Bars(
        {probe.accuracy, probe.chance}, {"accuracy", "chance"},
        "decoding " + options.target + " from " + what + " (" + foldsKindName(probe.foldsKind) + " folds)");
    return panels;
  }
  std::vector<std::string> dims;
  for (std::size_t d = 0; d < probe.r2PerDim.size(); ++d)
    dims.push_back(probe.r2PerDim.size() == 1 ? options.target : "dim " + std::to_string(d + 1));
  const std::string targetName = options.target.substr(options.target.find(':') + 1);
  panels.bars = fig::probeR2Bars(probe.r2PerDim, dims, targetName + " from " + what);
  // Predicted vs actual over the first drawn trial; over a whole continuous recording (one long "trial"), 10 s
  // from the first bin the behaviour covers, so that both lines can be read.
  const std::size_t trial = data.selected.front();
  const std::size_t width = target.numeric.dim(2);
  std::size_t first = 0;
  std::size_t bins = target.numeric.dim(1);
  std::string title;
  const auto finiteRow = [&](std::size_t b) {
    for (std::size_t d = 0; d < width; ++d)
      if (!std::isfinite(target.numeric(trial, b, d))) return false;
    return true;
  };
  if (data.binned.continuous && data.binned.trialCount() == 1 && bins * data.binned.binMs > 30000.0) {
    while (first < bins && !finiteRow(first)) ++first;
    if (first == bins) first = 0;
    bins = std::min(bins - first, static_cast<std::size_t>(std::llround(10000.0 / data.binned.binMs)));
    title = "10 s: predicted vs actual";  // the time axis says which 10 s
  } else {
    title =
        "trial " +
        (trial < data.binned.trialIds.size() ? std::to_string(data.binned.trialIds[trial]) : std::to_string(trial)) +
        ": predicted vs actual";
  }
  FloatArray actual({bins, width});
  FloatArray predicted({bins, width});
  for (std::size_t b = 0; b < bins; ++b)
    for (std::size_t d = 0; d < width; ++d) {
      actual.values()[b * width + d] = target.numeric(trial, first + b, d);
      predicted.values()[b * width + d] = probe.predictions(trial, first + b, d);
    }
  panels.series =
      fig::probeSeries(actual, predicted, dims, data.binned.binMs,
                       data.windowStartMs + static_cast<double>(first) * data.binned.binMs, targetName, title);
  return panels;
}

// Spike rasters stack at most this many trials per unit: beyond it each trial's row
// would be thinner than a pixel at the default size.
constexpr std::size_t kMaxRasterTrials = 20;
// And span at most this much time: a whole continuous recording (M1: 171 units over 13 min)
// is a solid block at any printable width. Longer windows show 10 s from their first spike.
constexpr double kMaxRasterSpanMs = 10000.0;

// `--view raster`: the spike times themselves, read back from the recording for the
// kept units and the drawn trials, on the binning window's time axis (ms after the
// alignment event), units grouped by --unit-column, trials stacked inside each unit.
std::unique_ptr<fig::Plot> spikeRasterPanel(const FigureData& data, const FigureCliOptions& options,
                                            std::string* note) {
  std::vector<std::string> groups;
  if (!options.unitColumn.empty()) groups = unitLabels(data.binned, options.unitColumn);
  const Recording recording = app::RecordingSource().read(options.file);
  std::vector<std::size_t> unitRows;  // recording row of each kept unit
  for (const std::int64_t id : data.binned.unitIds) {
    const auto found = std::find(recording.unitIds.begin(), recording.unitIds.end(), id);
    if (found == recording.unitIds.end())
      throw ComputeError(options.file + ": unit " + std::to_string(id) + " was binned but its spike times are missing");
    unitRows.push_back(static_cast<std::size_t>(found - recording.unitIds.begin()));
  }
  std::vector<std::size_t> trials = data.selected;
  if (trials.size() > kMaxRasterTrials) {
    trials.resize(kMaxRasterTrials);
    if (note != nullptr)
      *note = "the raster shows the first " + std::to_string(kMaxRasterTrials) + " of " +
              std::to_string(data.selected.size()) + " trials; choose others with --trials or --conditions";
  }
  const double fullWindowMs = static_cast<double>(data.binned.binCount()) * data.binned.binMs;
  const double fullEndMs = data.windowStartMs + fullWindowMs;
  fig::RasterData raster;
  raster.startMs = data.windowStartMs;
  raster.endMs = fullEndMs;
  if (fullWindowMs > kMaxRasterSpanMs) {
    // From the whole second before the first spike drawn: a recording's clock need not start with its spikes.
    double firstMs = fullEndMs;
    for (const std::size_t row : unitRows) {
      const auto first = recording.spikes.times.begin() + static_cast<std::ptrdiff_t>(recording.spikes.begin(row));
      const auto last = recording.spikes.times.begin() + static_cast<std::ptrdiff_t>(recording.spikes.end[row]);
      for (const std::size_t t : trials) {
        const double startS = data.binned.binStartS.at(t);
        const auto spike = std::lower_bound(first, last, startS);
        if (spike != last) firstMs = std::min(firstMs, data.windowStartMs + (*spike - startS) * 1000.0);
      }
    }
    if (firstMs < fullEndMs) raster.startMs = std::max(data.windowStartMs, std::floor(firstMs / 1000.0) * 1000.0);
    raster.endMs = std::min(fullEndMs, raster.startMs + kMaxRasterSpanMs);
    if (note != nullptr) {
      std::ostringstream said;
      said << "the raster shows " << (raster.startMs - data.windowStartMs) / 1000.0 << "-"
           << (raster.endMs - data.windowStartMs) / 1000.0 << " s of the " << fullWindowMs / 1000.0
           << " s window; choose another part with "
           << (data.binned.continuous ? "--chunk-ms and --trials (--chunk-ms 10000 --trials 6 shows 60-70 s)"
                                      : "--window START_MS:END_MS");
      *note += (note->empty() ? "" : "; ") + said.str();
    }
  }
  raster.trialsPerUnit = trials.size();
  raster.unitGroups = groups;
  std::size_t spikes = 0;
  for (const std::size_t row : unitRows) {
    const SpikeTrains& trains = recording.spikes;
    const auto* first = trains.times.data() + trains.begin(row);
    const auto* last = trains.times.data() + trains.end[row];
    for (const std::size_t t : trials) {
      // binStartS is the time of bin 0 (the window start) of trial t.
      const double startS = data.binned.binStartS.at(t);
      std::vector<double> times;
      for (const auto* spike = first; spike != last; ++spike) {
        const double ms = data.windowStartMs + (*spike - startS) * 1000.0;
        if (ms >= raster.startMs && ms < raster.endMs) times.push_back(ms);
      }
      spikes += times.size();
      raster.spikeTimesMs.push_back(std::move(times));
    }
  }
  const auto trialName = [&](std::size_t t) {
    return t < data.binned.trialIds.size() ? std::to_string(data.binned.trialIds[t]) : std::to_string(t);
  };
  // A continuous recording's trials are --chunk-ms chunks, or the whole recording.
  const std::string trial = data.binned.continuous ? "chunk" : "trial";
  std::string which;
  if (data.binned.continuous && data.binned.trialCount() == 1) {
    which = "recording";
  } else if (trials.size() == 1) {
    which = trial + " " + trialName(trials.front());
  } else if (trials.size() <= 4) {
    which = trial + "s ";
    for (std::size_t i = 0; i < trials.size(); ++i) which += (i > 0 ? ", " : "") + trialName(trials[i]);
  } else {
    which = std::to_string(trials.size()) + " " + trial + "s (" + trialName(trials.front()) + " .. " +
            trialName(trials.back()) + ")";
  }
  raster.title = which + ": " + std::to_string(unitRows.size()) + " units, " + std::to_string(spikes) + " spikes";
  const std::string stacked = trials.size() > 1 ? " (" + trial + "s stacked)" : "";
  raster.yTitle = (options.unitColumn.empty() ? "unit" : options.unitColumn) + stacked;
  return std::make_unique<fig::RasterPlot>(std::move(raster));
}

std::unique_ptr<fig::Plot> rasterPanel(const FigureData& data, const FigureCliOptions& options) {
  std::vector<std::string> groups;
  if (!options.unitColumn.empty()) {
    groups = unitLabels(data.binned, options.unitColumn);
  } else if (options.colorBy == "type") {
    throw InputError("--color-by type needs --unit-column COLUMN (the units table column holding the type)");
  }
  const auto shown = shownBins(data, data.selected.front());
  if (shown.second < data.binned.binCount()) {
    // A long window (a continuous recording): 10 s of the first drawn trial or chunk, said in the title.
    const std::size_t trial = data.selected.front();
    const std::size_t units = data.binned.unitCount();
    const std::size_t bins = data.binned.binCount();
    FloatArray part({1, shown.second, units});
    std::copy_n(data.binned.counts.data() + (trial * bins + shown.first) * units, shown.second * units, part.data());
    const std::string which = data.binned.continuous && data.binned.trialCount() == 1
                                  ? std::string("recording")
                                  : (data.binned.continuous ? "chunk " : "trial ") +
                                        std::to_string(data.binned.trialIds.empty() ? static_cast<std::int64_t>(trial)
                                                                                    : data.binned.trialIds[trial]);
    return fig::firingRateHeatmap(part, {0}, groups, data.binned.binMs,
                                  data.windowStartMs + static_cast<double>(shown.first) * data.binned.binMs,
                                  "firing rates, " + which + ", " + secondsSpan(data, shown));
  }
  const std::string title =
      data.selected.size() == 1
          ? "trial " + std::to_string(data.binned.trialIds.empty() ? static_cast<std::int64_t>(data.selected.front())
                                                                   : data.binned.trialIds[data.selected.front()])
          : "mean over " + std::to_string(data.selected.size()) + " trials";
  return fig::firingRateHeatmap(data.binned.counts, data.selected, groups, data.binned.binMs, data.windowStartMs,
                                title);
}

struct PanelSummary {
  std::string kind;
  std::string title;
};

std::unique_ptr<fig::Figure> buildFigure(const FigureData& data, const FigureCliOptions& options,
                                         const fig::FigureStyle& style, const Progress& progress, std::string* note,
                                         DrawnSummary* drawn, std::vector<PanelSummary>* panelList) {
  auto figure = std::make_unique<fig::Figure>(1);
  const std::string& view = options.view;
  if (view == "trajectories") {
    const scene::Scene projected = project(data, options, style, progress);
    figure->add(trajectoryPanel(projected, data, options, {}, drawn));
  } else if (view == "raster") {
    figure->add(spikeRasterPanel(data, options, note));
  } else if (view == "attribution") {
    figure->add(std::move(linkPanels(data, options, progress).attribution));
  } else if (view == "association") {
    figure->add(std::move(linkPanels(data, options, progress).association));
  } else if (view == "probe") {
    ProbePanels panels = probePanels(data, options, progress);
    if (panels.series) figure = std::make_unique<fig::Figure>(2);
    figure->add(std::move(panels.bars));
    if (panels.series) figure->add(std::move(panels.series));
  } else if (view == "sheet") {
    // Chosen from what the data holds: every condition's trajectories (means over their single
    // trials, or a continuous recording coloured as asked), the drawn state along time, the firing
    // rates, then the type x latent association (--model and --unit-column) and the probe
    // (--target) when given; the variance along the drawn axes fills the grid to an even count,
    // so no cell of the 2-column grid is left empty.
    const scene::Scene projected = project(data, options, style, progress.sub(0.0, 0.3));
    std::vector<std::pair<PanelSummary, std::unique_ptr<fig::Plot>>> panels;
    const auto add = [&](const std::string& kind, std::unique_ptr<fig::Plot> plot) {
      const std::vector<std::string> texts = plot->labels();
      panels.emplace_back(PanelSummary{kind, texts.empty() ? std::string() : texts.front()}, std::move(plot));
    };
    add("trajectories", trajectoryPanel(projected, data, options, trajectoryTitle(projected, data, options), drawn));
    add("timecourse", timecoursePanel(projected, data));
    add("rates", rasterPanel(data, options));
    if (data.model && !options.unitColumn.empty())
      add("association", std::move(linkPanels(data, options, progress.sub(0.3, 0.8)).association));
    if (!options.target.empty()) add("probe", std::move(probePanels(data, options, progress.sub(0.8, 1.0)).bars));
    if (panels.size() % 2 == 1) add("variance", variancePanel(projected));
    figure = std::make_unique<fig::Figure>(2);
    for (auto& [summary, plot] : panels) {
      if (panelList != nullptr) panelList->push_back(summary);
      figure->add(std::move(plot));
    }
  } else if (view == "embedding") {
    figure->add(embeddingScatterPanel(*data.model, data.binned, options.unitColumn, style));
  } else {
    throw InputError("--view '" + view +
                     "' is not one of trajectories, raster, attribution, association, probe, sheet, embedding");
  }
  return figure;
}

// Option combinations that cannot work are reported before any file is read.
void checkOptionCombinations(const FigureCliOptions& options) {
  const std::vector<std::string> views = {"trajectories", "raster", "attribution", "association", "probe",
                                          "sheet",        "align",  "lesion",      "embedding"};
  if (std::find(views.begin(), views.end(), options.view) == views.end())
    throw InputError("--view '" + options.view +
                     "' is not one of trajectories, raster, attribution, association, probe, sheet, align, lesion, "
                     "embedding");
  if (options.view == "lesion" && (options.model.empty() || options.lesion.empty()))
    throw InputError("--view lesion needs --model and --lesion LIST|COLUMN=VALUE (the units to lesion)");
  if (options.view != "lesion" && !options.lesion.empty())
    throw InputError("--lesion, --mode, --random-repeats and --match-rate apply to --view lesion");
  if (options.view == "embedding" && (options.model.empty() || options.unitColumn.empty()))
    throw InputError("--view embedding needs --model (its unit embeddings) and --unit-column COLUMN (the colours)");
  if (options.files.size() > 1 && options.view != "align")
    throw InputError("--view " + options.view + " draws one recording; two files (sides A and B) are for --view align");
  if (options.view != "align" &&
      (!options.modelB.empty() || !options.sessionB.empty() || !options.match.empty() || options.dims > 0))
    throw InputError("--model-b, --session-b, --match and --dims apply to --view align");
  const std::vector<std::string> projections = {"pca", "latents", "probe", "aligned"};
  if (std::find(projections.begin(), projections.end(), options.projection) == projections.end())
    throw InputError("--projection '" + options.projection + "' is not one of pca, latents, probe, aligned");
  const fig::ColourBy colourBy = fig::parseColourBy(options.colorBy);
  const bool drawsTrajectories = options.view == "trajectories" || options.view == "sheet";
  if (colourBy == fig::ColourBy::Type && options.unitColumn.empty())
    throw InputError("--color-by type needs --unit-column COLUMN (the units table column holding the type)");
  if (colourBy == fig::ColourBy::Type && drawsTrajectories)
    throw InputError("--color-by type colours units by their type: use it with --view raster or attribution");
  const bool needsLink = options.view == "attribution" || options.view == "association";
  if (needsLink && options.model.empty())
    throw InputError("--view " + options.view + " needs --model (attribution is computed from it)");
  if (needsLink && options.unitColumn.empty())
    throw InputError("--view " + options.view + " needs --unit-column COLUMN: the unit types to compare");
  if (options.view == "probe" && options.target.empty())
    throw InputError("--view probe needs --target behavior:NAME or trials:COLUMN");
  if (drawsTrajectories && (options.projection == "latents" || options.projection == "aligned") &&
      options.model.empty())
    throw InputError("--projection " + options.projection + " needs --model");
  if (drawsTrajectories && options.projection == "probe" && options.target.empty())
    throw InputError("--projection probe needs --target behavior:NAME or trials:COLUMN to fit the probe axes");
  if (options.steps < 1) throw InputError("--steps must be at least 1");
  if (!(options.smoothMs >= 0.0)) throw InputError("--smooth-ms must not be negative");
}

// A private X server for the 3-D views when there is no DISPLAY (cluster nodes): `Xvfb
// -displayfd` picks a free display number and writes it to a pipe once it accepts clients;
// DISPLAY points at it while the command runs. The destructor stops it (SIGTERM, then
// SIGKILL) and waits for it, so no Xvfb outlives the command, on errors neither; and the
// server gets SIGTERM from the kernel should this process die without unwinding.
class PrivateXServer {
 public:
  static std::unique_ptr<PrivateXServer> start(const std::string& what) {
    int fds[2] = {-1, -1};
    if (pipe2(fds, O_CLOEXEC) != 0) throw ComputeError("cannot start a private X server: no pipe");
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) {
      close(fds[0]);
      close(fds[1]);
      throw ComputeError("cannot start a private X server: fork failed");
    }
    if (pid == 0) {
      // The child: dies with its parent, keeps the write end across exec, nothing on our terminal.
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(1);
      rlimit unlimited{};
      if (getrlimit(RLIMIT_AS, &unlimited) == 0) {
        unlimited.rlim_cur = unlimited.rlim_max;
        setrlimit(RLIMIT_AS, &unlimited);
      }
      const int writeEnd = dup(fds[1]);  // without O_CLOEXEC
      const int devNull = open("/dev/null", O_RDWR);
      if (devNull >= 0) {
        dup2(devNull, STDIN_FILENO);
        dup2(devNull, STDOUT_FILENO);
        dup2(devNull, STDERR_FILENO);
      }
      const std::string fd = std::to_string(writeEnd);
      execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-nolisten", "tcp", "-screen", "0", "1920x1080x24", "-noreset",
             static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    auto server = std::unique_ptr<PrivateXServer>(new PrivateXServer(pid));
    // The display number, then a newline; EOF when Xvfb is missing or failed.
    std::string number;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd poll_fd{fds[0], POLLIN, 0};
      if (poll(&poll_fd, 1, 200) < 0 && errno != EINTR) break;
      if ((poll_fd.revents & (POLLIN | POLLHUP)) == 0) continue;
      char c = 0;
      const ssize_t got = read(fds[0], &c, 1);
      if (got <= 0 || c == '\n') break;
      number.push_back(c);
    }
    close(fds[0]);
    const bool numeric =
        !number.empty() && std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!numeric) {
      int status = 0;
      const bool exited = waitpid(pid, &status, WNOHANG) == pid;
      const bool missing = exited && WIFEXITED(status) && WEXITSTATUS(status) == 127;
      if (exited) server->pid_ = -1;
      throw ComputeError(what + " renders 3-D views with OpenGL, which needs an X display; there is none (DISPLAY " +
                         "is unset) and " +
                         (missing ? std::string("Xvfb is not installed (apt-get install xvfb)")
                                  : std::string("a private Xvfb did not start")) +
                         ": install Xvfb or run under xvfb-run -a (2-D views such as raster, attribution, "
                         "association and probe need no display)");
    }
    server->display_ = ":" + number;
    setenv("DISPLAY", server->display_.c_str(), 1);
    return server;
  }

  ~PrivateXServer() {
    unsetenv("DISPLAY");
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {  // up to 5 s, then SIGKILL
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      usleep(100000);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  PrivateXServer(const PrivateXServer&) = delete;
  PrivateXServer& operator=(const PrivateXServer&) = delete;

 private:
  explicit PrivateXServer(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  std::string display_;
};

bool needsDisplay(const FigureCliOptions& options) {
  return options.view == "trajectories" || options.view == "sheet" || !options.animate.empty();
}

// Every text drawn and its box in output pixels, origin top left (cli.md: labels).
nlohmann::json labelsJson(const std::vector<fig::DrawnLabel>& labels) {
  const auto rounded = [](double value) { return std::round(value * 100.0) / 100.0; };
  nlohmann::json list = nlohmann::json::array();
  for (const fig::DrawnLabel& label : labels)
    list.push_back({{"text", label.text},
                    {"kind", scene::labelKindName(label.kind)},
                    {"box",
                     {rounded(label.box.left()), rounded(label.box.top()), rounded(label.box.right()),
                      rounded(label.box.bottom())}}});
  return list;
}

// The summary with the seconds taken: as --json, else one line naming the view, the page and the file.
int reportFigure(Reporter& reporter, const FigureCliOptions& options, nlohmann::json summary,
                 std::chrono::steady_clock::time_point started) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  summary["seconds"] = seconds;
  if (options.common.json) {
    reporter.summary(summary);
  } else {
    std::cout << options.view << " figure " << summary.value("width", 0) << "x" << summary.value("height", 0) << " at "
              << options.dpi << " dpi -> " << options.out << " in " << seconds << " s\n";
  }
  return kSuccess;
}

// The --json keys an overlay figure (align, lesion) shares: condition means drawn two ways, no single trials.
nlohmann::json overlaySummary(int width, int height, nlohmann::json labels, const char* view, const char* projection,
                              const nlohmann::json& conditions, std::size_t trajectories) {
  return {{"width", width},
          {"height", height},
          {"labels", std::move(labels)},
          {"view", view},
          {"projection", projection},
          {"mode", "means"},
          {"single_trials", false},
          {"color_by", "condition"},
          {"conditions", conditions},
          {"trajectories", trajectories}};
}

// --view align: sides A and B (two files, or one recording with --model-b), aligned as `align` does with its
// options and defaults, drawn in one common space (figures/align_figure.h).
int runAlignFigure(const FigureCliOptions& options, const fig::FigureStyle& style, int width, int height,
                   std::chrono::steady_clock::time_point started) {
  Reporter reporter(options.common);
  if (options.files.size() == 1 && options.modelB.empty())
    throw UsageError("--view align needs two sides: A B, or one recording with --model and --model-b");
  if (!options.match.empty() && options.match != "time" && options.match != "conditions" &&
      options.match.rfind("behavior:", 0) != 0)
    throw UsageError("--match '" + options.match + "': expected time, conditions or behavior:NAME");
  const auto app = ensureGuiApplication();
  AlignFigureRequest request;
  request.a = {options.files[0], options.model, options.session};
  request.b = {options.files.size() == 2 ? options.files[1] : options.files[0],
               options.modelB.empty() ? options.model : options.modelB,
               !options.sessionB.empty() || !options.modelB.empty() ? options.sessionB : options.session};
  // The models' bin sizes from their metadata alone: the study loads them once it has binned the recordings.
  std::vector<DeclaredBinMs> declared = declaredBinMsOfFile(options.model, "--model");
  for (auto& modelB : declaredBinMsOfFile(options.modelB, "--model-b")) declared.push_back(std::move(modelB));
  request.study.binning = toBinningOptions(options.binning, declared);
  request.study.match = options.match;
  request.study.conditionColumn = options.conditionColumn;
  request.study.smoothMs = options.smoothMs;
  request.study.statistics.dims = options.dims;
  request.study.statistics.permutations = options.permutationsGiven ? options.permutations : 200;
  request.study.statistics.seed = options.common.seed.value_or(0);
  request.study.device = parseDeviceChoice(options.common.device);
  request.out = options.out;
  request.exportOptions = {width, height, options.dpi, options.transparent};
  const AlignFigureResult drawn = writeAlignFigure(request, style, reporter.progress(),
                                                   [&reporter](const std::string& note) { reporter.warn(note); });
  reporter.finishProgress();
  nlohmann::json summary =
      overlaySummary(width, height, labelsJson(drawn.labels), "align", "aligned", drawn.conditions, drawn.trajectories);
  summary["trajectories_a"] = drawn.linesA;
  summary["trajectories_b"] = drawn.linesB;
  summary["align"] = drawn.numbers;
  return reportFigure(reporter, options, summary, started);
}

// --view lesion: one lesion as `lesion` runs it with its options and defaults, intact solid, lesioned dashed
// (figures/lesion_figure.h).
int runLesionFigure(const FigureCliOptions& options, const fig::FigureStyle& style, int width, int height,
                    std::chrono::steady_clock::time_point started) {
  Reporter reporter(options.common);
  const auto app = ensureGuiApplication();
  LesionFigureRequest request;
  request.study = app::defaultLesionSpec(options.file, options.model, options.lesion);
  request.study.session = options.session;
  request.study.mode = options.lesionMode;
  request.study.target = options.target;
  request.study.randomRepeats = options.randomRepeats;
  request.study.matchRate = options.matchRate;
  request.study.condition = options.conditionColumn;
  request.study.conditionGiven = options.conditionColumn != "condition";
  request.study.binning = toBinningOptions(options.binning, declaredBinMsOfFile(options.model, "--model"));
  request.study.device = parseDeviceChoice(options.common.device);
  request.study.seed = options.common.seed.value_or(0);
  request.conditionColumn = options.conditionColumn;
  request.out = options.out;
  request.exportOptions = {width, height, options.dpi, options.transparent};
  const LesionFigureResult drawn = writeLesionFigure(request, style, reporter.progress(),
                                                     [&reporter](const std::string& note) { reporter.warn(note); });
  reporter.finishProgress();
  nlohmann::json summary =
      overlaySummary(width, height, labelsJson(drawn.labels), "lesion", "pca", drawn.conditions, drawn.trajectories);
  summary["trajectories_intact"] = drawn.linesIntact;
  summary["trajectories_lesioned"] = drawn.linesLesioned;
  summary["lesion"] = drawn.numbers;
  return reportFigure(reporter, options, summary, started);
}

int runFigureSized(const FigureCliOptions& options, const fig::FigureStyle& style,
                   std::chrono::steady_clock::time_point started);

int runFigure(const FigureCliOptions& given) {
  const auto started = std::chrono::steady_clock::now();
  FigureCliOptions options = given;
  if (options.files.empty() || options.files.size() > 2)
    throw UsageError("figure takes one recording (two sides A and B with --view align)");
  options.file = options.files[0];
  // A style (resources/styles, or a file) may set the page in mm and the DPI; --size and --dpi given on the
  // command line win. Without either, 1600x1200 pixels at 300 dpi.
  const fig::FigureStyle style =
      options.style.empty() ? fig::defaultFigureStyle() : fig::figureStyleNamed(options.style);
  // The page as the GUI's export dialog computes it (views/figure/figure_style.h).
  FigureCliOptions sized = options;
  const fig::FigurePage page = fig::figurePage(style, std::nullopt, std::nullopt,
                                               sized.dpi > 0.0 ? std::optional<double>(sized.dpi) : std::nullopt);
  sized.dpi = page.dpi;
  if (sized.size.empty()) sized.size = std::to_string(page.width) + "x" + std::to_string(page.height);
  return runFigureSized(sized, style, started);
}

int runFigureSized(const FigureCliOptions& options, const fig::FigureStyle& style,
                   std::chrono::steady_clock::time_point started) {
  Reporter reporter(options.common);
  const auto [width, height] = parseSize(options.size);
  if (!(options.dpi >= 10.0 && options.dpi <= 2400.0))
    throw InputError("--dpi " + std::to_string(options.dpi) + " is outside 10 .. 2400");
  if (!options.animate.empty() && options.animate != "sweep" && options.animate != "orbit")
    throw InputError("--animate '" + options.animate + "' is not sweep or orbit");
  if (!options.animate.empty() && options.view != "trajectories")
    throw InputError("--animate works with --view trajectories");
  if (options.animate.empty()) (void)fig::formatForPath(options.out);  // a bad extension fails before the work
  checkOptionCombinations(options);
  if (options.view == "align") return runAlignFigure(options, style, width, height, started);
  if (options.view == "lesion") return runLesionFigure(options, style, width, height, started);
  // 3-D views need an X display for OpenGL (Debian's VTK is GLX-only): without one, a private
  // Xvfb lives for this command and is shut down when it ends, on errors too.
  std::unique_ptr<PrivateXServer> xserver;
  if (needsDisplay(options)) {
    const char* display = std::getenv("DISPLAY");
    if (display == nullptr || display[0] == '\0') xserver = PrivateXServer::start("--view " + options.view);
  }
  const auto app = ensureGuiApplication();

  // Behaviour series that colouring or the probe needs are binned with the counts.
  BinningCliOptions binningCli = options.binning;
  std::string behaviorName;
  std::string colourBehavior;
  if (fig::parseColourBy(options.colorBy, &colourBehavior) == fig::ColourBy::Behavior)
    binningCli.behavior.push_back(colourBehavior);
  if (options.target.rfind("behavior:", 0) == 0) binningCli.behavior.push_back(options.target.substr(9));
  std::sort(binningCli.behavior.begin(), binningCli.behavior.end());
  binningCli.behavior.erase(std::unique(binningCli.behavior.begin(), binningCli.behavior.end()),
                            binningCli.behavior.end());
  // The model is loaded before binning, for its bin size (the default of --bin-ms); the reference model's is read
  // from its metadata alone (it is loaded where it is used).
  std::optional<Model> model;
  std::vector<DeclaredBinMs> declared;
  if (!options.model.empty()) {
    model = Model::load(options.model);
    declared.push_back(declaredBinMs(*model));
  }
  for (auto& reference : declaredBinMsOfFile(options.referenceModel, "--reference-model"))
    declared.push_back(std::move(reference));
  const BinningOptions binning = toBinningOptions(binningCli, declared);

  Progress progress = reporter.progress();
  FigureData data;
  data.binned = readBinnedRecording(options.file, binning, progress.sub(0.0, 0.2));
  data.windowStartMs = binning.windowStartMs.value_or(0.0);
  const bool conditionRequired = options.conditionColumn != "condition" || !options.conditions.empty();
  data.conditions = trialLabels(data.binned, options.conditionColumn, conditionRequired);
  {
    const Column* column = data.binned.trials.find(options.conditionColumn);
    data.labelled = !data.binned.continuous && column != nullptr && column->rows() == data.binned.trialCount();
  }
  data.selected = selectTrials(data.binned, options, data.conditions);
  if (model) {
    data.model = bindModel(*model, data.binned, options.session);
    data.model->checkAgainst(data.binned);
    if (options.view != "embedding")  // draws the model's unit embeddings, not its latents
      data.features =
          data.model->infer(data.binned.counts, parseDeviceChoice(options.common.device), progress.sub(0.2, 0.5))
              .latents;
    data.featureName = "latent";
  } else {
    // Without a model: smoothed counts (Gaussian, --smooth-ms) stand in for the latent state.
    data.features = smoothAlongBins(data.binned.counts, options.smoothMs / data.binned.binMs);
    data.featureName = "unit";
  }

  nlohmann::json summary;
  DrawnSummary drawn;
  std::vector<PanelSummary> panels;
  if (!options.animate.empty()) {
    const scene::Scene projected = project(data, options, style, progress.sub(0.5, 0.6));
    if (fig::parseColourBy(options.colorBy) == fig::ColourBy::Time)
      throw InputError("--animate sweeps the time cursor: colour by condition or behaviour instead of time");
    summarise(projected, data, &drawn);
    fig::TrajectoryViewOptions view = viewOptions(projected);
    view.showMarkers = true;  // the time cursor sweeps from the start marker to the end marker
    fig::AnimationOptions animation;
    animation.kind =
        options.animate == "orbit" ? fig::AnimationOptions::Kind::Orbit : fig::AnimationOptions::Kind::TimeSweep;
    animation.frames = options.frames;
    animation.width = width;
    animation.height = height;
    animation.dpi = options.dpi;
    animation.framesPerSecond = options.fps;
    animation.binMs = data.binned.binMs;
    animation.windowStartMs = data.windowStartMs;
    const QFileInfo out(QString::fromStdString(options.out));
    if (out.suffix().toLower() == "mp4") {
      animation.mp4 = options.out;
      animation.directory = (out.path() + "/" + out.completeBaseName() + "_frames").toStdString();
    } else {
      animation.directory = options.out;
    }
    const fig::AnimationResult result =
        fig::exportTrajectoryAnimation(projected.parts.data, view, animation, style, progress.sub(0.6, 1.0));
    reporter.finishProgress();
    if (!result.note.empty()) reporter.warn(result.note);
    summary = {{"width", width},
               {"height", height},
               {"frames", result.frames.size()},
               {"frames_dir", animation.directory},
               {"mp4", result.mp4.empty() ? nlohmann::json() : nlohmann::json(result.mp4)}};
  } else {
    std::string note;
    const auto figure = buildFigure(data, options, style, progress.sub(0.5, 0.95), &note, &drawn, &panels);
    std::vector<fig::DrawnLabel> labels;
    fig::exportFigure(*figure, options.out, {width, height, options.dpi, options.transparent}, style, &labels);
    reporter.finishProgress();
    if (!note.empty()) reporter.warn(note);
    summary = {{"width", width}, {"height", height}};
    summary["labels"] = labelsJson(labels);
  }
  // What was drawn (contract: cli.md, the figure row).
  summary["view"] = options.view;
  summary["projection"] = drawn.drewTrajectories ? nlohmann::json(options.projection) : nlohmann::json();
  summary["mode"] = drawn.drewTrajectories ? nlohmann::json(scene::drawModeName(drawn.mode)) : nlohmann::json();
  summary["single_trials"] = drawn.drewTrajectories && drawn.singleTrials;
  summary["color_by"] = options.colorBy;
  summary["conditions"] = drawn.conditions;
  summary["trajectories"] = drawn.lines;
  if (options.view == "sheet") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& panel : panels) list.push_back({{"kind", panel.kind}, {"title", panel.title}});
    summary["panels"] = list;
  }
  return reportFigure(reporter, options, summary, started);
}

}  // namespace

void addFigureCommand(CLI::App& root, CommandList& commands) {
  auto options = std::make_shared<FigureCliOptions>();
  auto* command = root.add_subcommand(kFigureSummary.name, kFigureSummary.help);
  addCommonOptions(*command, options->common);
  addBinningOptions(*command, options->binning);
  command
      ->add_option("--view", options->view,
                   "trajectories, raster, attribution, association, probe, sheet, align, lesion or embedding")
      ->capture_default_str();
  command->add_option("--out", options->out, "Figure file: .png, .svg or .pdf (with --animate: DIR or FILE.mp4)")
      ->required();
  command->add_option("--model", options->model, "TorchScript model (latents, attribution)");
  addSessionOption(*command, options->session);
  command->add_option("--size", options->size,
                      "WIDTHxHEIGHT in pixels (default: the style's width and height in mm at its DPI, else "
                      "1600x1200)");
  command->add_option("--dpi", options->dpi,
                      "Dots per inch: sets text and line scale (default: the style's, else 300)");
  command->add_option("--projection", options->projection, "pca, latents, probe or aligned")->capture_default_str();
  command
      ->add_option("--color-by", options->colorBy,
                   "condition, time, behavior:NAME[:direction|speed|DIM] (per time point) or type")
      ->capture_default_str();
  command->add_option("--conditions", options->conditions, "Comma-separated condition labels to draw");
  command->add_option("--trials", options->trials, "Comma-separated trial ids to draw");
  command->add_flag("--means", options->means, "Condition means only (default: means over their single trials)");
  command->add_option("--style", options->style,
                      "default, nature-1col (89 mm), nature-2col (183 mm), slides (1920x1080), or a JSON style file "
                      "(keys: resources/styles/default.json, plus width_mm, height_mm, dpi)");
  command->add_flag("--transparent", options->transparent, "No background (PNG, SVG)");
  command->add_option("--condition-column", options->conditionColumn, "Trials column naming the condition")
      ->capture_default_str();
  command->add_option("--unit-column", options->unitColumn, "Units column holding the unit type (e.g. cell_type)");
  command->add_option("--target", options->target, "Probe target: behavior:NAME or trials:COLUMN");
  command->add_option("--reference-model", options->referenceModel, "Model to align onto (--projection aligned)");
  command->add_option("--steps", options->steps, "Integrated-gradients steps (attribution, association)")
      ->capture_default_str();
  command->add_option("--permutations", options->permutations, "Label shuffles for the association p-values")
      ->capture_default_str();
  command
      ->add_option("--smooth-ms", options->smoothMs,
                   "Gaussian smoothing (sd, ms) of the counts, or of the latents with --model")
      ->capture_default_str();
  command->add_option("--animate", options->animate, "sweep (time cursor) or orbit (camera): PNG frames (+ MP4)");
  command->add_option("--frames", options->frames, "Animation frames (default: one per bin, or 72 for an orbit)");
  command->add_option("--fps", options->fps, "Frames per second of the MP4")->capture_default_str();
  command->add_option("--model-b", options->modelB, "--view align: TorchScript model for side B");
  addSessionOption(*command, options->sessionB, "--session-b");
  command->add_option("--match", options->match,
                      "--view align: time, conditions or behavior:NAME (default: conditions when both sides have "
                      "trials, else time)");
  command->add_option("--dims", options->dims, "--view align: K principal components per side (default min(10, ...))")
      ->check(CLI::Range(1, 100000));
  command->add_option("--lesion", options->lesion,
                      "--view lesion: the units to lesion, unit ids (comma-separated) or COLUMN=VALUE");
  command
      ->add_option("--mode", options->lesionMode,
                   "--view lesion: zero, mean, shuffle or boost:F (default mean; as lesion --mode)")
      ->check([](const std::string& text) {
        try {
          (void)parseLesionManipulation(text);
        } catch (const InputError& e) {
          return std::string(e.what());
        }
        return std::string();
      });
  command->add_option("--random-repeats", options->randomRepeats, "--view lesion: random lesions (default 100)")
      ->check(CLI::Range(1, 1000000));
  command->add_flag("--match-rate", options->matchRate, "--view lesion: random units matched by firing rate");
  command->add_option("FILES", options->files, "NWB recording (--view align: sides A and B)")->required();
  commands.push_back({command, [options, command] {
                        options->permutationsGiven = command->count("--permutations") > 0;
                        return runFigure(*options);
                      }});
}

}  // namespace neurolens::cli
