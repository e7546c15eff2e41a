#include "neurolens/scene/scene_builder.h"

#include <algorithm>
#include <utility>

#include "neurolens/core/errors.h"
#include "neurolens/core/projection.h"

namespace neurolens::scene {

namespace {

// First three columns, zero-padded when there are fewer.
FloatArray firstThree(const FloatArray& data) {
  FloatArray out({data.dim(0), data.dim(1), 3});
  for (std::size_t t = 0; t < data.dim(0); ++t)
    for (std::size_t b = 0; b < data.dim(1); ++b)
      for (std::size_t d = 0; d < std::min<std::size_t>(3, data.dim(2)); ++d) out(t, b, d) = data(t, b, d);
  return out;
}

FloatArray stackRows(const FloatArray& top, const FloatArray& bottom) {
  if (top.rank() != 3 || top.dim(0) == 0) return bottom;
  FloatArray out({top.dim(0) + bottom.dim(0), top.dim(1), top.dim(2)});
  std::copy(top.values().begin(), top.values().end(), out.values().begin());
  std::copy(bottom.values().begin(), bottom.values().end(),
            out.values().begin() + static_cast<std::ptrdiff_t>(top.values().size()));
  return out;
}

// Variance of each column of `projected` over all its rows, as a share of the total variance of `source`.
// (Plain loops: GCC 12 at -O3 sees a "potential null dereference" inside Eigen's rowwise expression.)
double sumOfSquaredDeviations(const Eigen::MatrixXd& rows, Eigen::Index column) {
  if (rows.rows() == 0) return 0.0;
  double mean = 0.0;
  for (Eigen::Index r = 0; r < rows.rows(); ++r) mean += rows(r, column);
  mean /= static_cast<double>(rows.rows());
  double sum = 0.0;
  for (Eigen::Index r = 0; r < rows.rows(); ++r) sum += (rows(r, column) - mean) * (rows(r, column) - mean);
  return sum;
}

std::vector<double> varianceShares(const FloatArray& source, const FloatArray& projected) {
  const Eigen::MatrixXd rows = flattenRows(source);
  const Eigen::MatrixXd drawn = flattenRows(projected);
  double total = 0.0;
  for (Eigen::Index c = 0; c < rows.cols(); ++c) total += sumOfSquaredDeviations(rows, c);
  std::vector<double> shares;
  for (Eigen::Index c = 0; c < drawn.cols(); ++c)
    shares.push_back(total > 0.0 ? sumOfSquaredDeviations(drawn, c) / total : 0.0);
  return shares;
}

}  // namespace

const char* drawModeName(DrawMode mode) {
  switch (mode) {
    case DrawMode::Means:
      return "means";
    case DrawMode::Trials:
      return "trials";
    case DrawMode::Continuous:
      return "continuous";
  }
  return "trials";
}

Scene buildScene(const PairData& pair, const DisplayOptions& options) {
  const FloatArray& features = pair.features;
  if (features.rank() != 3 || features.dim(0) == 0 || features.dim(1) == 0 || features.dim(2) == 0)
    throw InputError(std::string("the ") + (pair.fromModel ? "latents" : "binned counts") +
                     " are not [trials, bins, features] with at least one of each; nothing to draw");
  const std::size_t trialCount = features.dim(0);
  std::vector<std::string> conditions = pair.trialConditions;
  if (conditions.empty()) conditions.assign(trialCount, pair.continuous ? "recording" : "all trials");
  if (conditions.size() != trialCount)
    throw InputError(std::to_string(conditions.size()) + " condition labels for " + std::to_string(trialCount) +
                     " trials");
  std::vector<std::size_t> selected = options.trials;
  if (selected.empty())
    for (std::size_t t = 0; t < trialCount; ++t) selected.push_back(t);
  for (const std::size_t t : selected)
    if (t >= trialCount)
      throw InputError("trial " + std::to_string(t) + " is beyond the pair's " + std::to_string(trialCount) +
                       " trials");

  Scene scene;
  scene.mode = pair.continuous ? DrawMode::Continuous
                               : (options.singleTrialsOnly || !pair.labelled ? DrawMode::Trials : DrawMode::Means);
  FloatArray source = selectFirstAxis(features, selected);
  if (options.smoothMs > 0.0) {
    if (!(pair.binMs > 0.0)) throw InputError("the bin size must be positive to smooth the trajectories");
    source = smoothAlongBins(source, options.smoothMs / pair.binMs);
  }
  std::vector<std::string> selectedConditions;
  for (const std::size_t t : selected) selectedConditions.push_back(conditions[t]);
  const std::string prefix = !options.axisPrefix.empty() ? options.axisPrefix : (pair.fromModel ? "" : "rate ");

  // The behaviour that colours the vertices, row for row with the points.
  std::string behaviorName;
  std::string behaviorPart;
  const ColourBy colourBy = parseColourBy(options.colourBy, &behaviorName, &behaviorPart);
  const bool byBehavior = colourBy == ColourBy::Behavior;
  FloatArray behavior;
  if (byBehavior) {
    if (pair.behavior.rank() != 3 || pair.behavior.dim(0) != trialCount || pair.behavior.dim(1) != features.dim(1))
      throw InputError("no behaviour '" + behaviorName + "' binned with the recording to colour by");
    behavior = selectFirstAxis(pair.behavior, selected);
  }
  FloatArray drawn = source;  // rows drawn
  FloatArray fitOn = source;  // rows the projection is fitted on
  scene.rowConditions = selectedConditions;
  scene.rowTrial = selected;
  scene.fittedOn =
      scene.mode == DrawMode::Continuous ? (selected.size() > 1 ? "chunks" : "recording") : "single trials";
  if (scene.mode == DrawMode::Means) {
    std::vector<std::string> names;
    const FloatArray means = conditionAverage(source, selectedConditions, &names);
    fitOn = means;
    scene.fittedOn = "condition means";
    if (options.meansOnly) {
      drawn = means;
      scene.rowConditions = names;
      scene.rowTrial.clear();
      scene.rowIsMean.assign(names.size(), true);
    } else {
      drawn = stackRows(source, means);
      scene.rowConditions.insert(scene.rowConditions.end(), names.begin(), names.end());
      scene.rowIsMean.assign(source.dim(0), false);
      scene.rowIsMean.resize(source.dim(0) + names.size(), true);
    }
    if (byBehavior) {
      const FloatArray behaviorMeans = conditionAverage(behavior, selectedConditions);
      behavior = options.meansOnly ? behaviorMeans : stackRows(behavior, behaviorMeans);
    }
  }

  TrajectoryInput input;
  switch (options.projection) {
    case Projection::Pca: {
      const std::size_t k = std::min<std::size_t>(3, fitOn.dim(2));
      const PcaResult fitted = pca(fitOn, k);
      input.points = firstThree(applyPca(fitted, drawn));
      scene.axisShare = fitted.explainedVarianceRatio;
      input.axisTitles = {prefix + "PC 1", prefix + "PC 2", prefix + "PC 3"};
      break;
    }
    case Projection::Latents:
      if (!pair.fromModel) throw InputError("--projection latents needs --model");
      input.points = firstThree(drawn);
      scene.axisShare = varianceShares(fitOn, firstThree(fitOn));
      input.axisTitles = {"latent 1", "latent 2", "latent 3"};
      break;
    case Projection::Axes:
      if (!options.axes || options.axes->axes.rows() != static_cast<Eigen::Index>(fitOn.dim(2)))
        throw InputError("the projection axes do not fit the data's " + std::to_string(fitOn.dim(2)) + " features");
      input.points = firstThree(projectOntoAxes(drawn, options.axes->axes, options.axes->mean));
      scene.axisShare =
          varianceShares(fitOn, firstThree(projectOntoAxes(fitOn, options.axes->axes, options.axes->mean)));
      input.axisTitles = options.axes->titles;
      break;
  }
  input.trialCondition = scene.rowConditions;
  input.rowIsMean = scene.rowIsMean;
  input.binMs = pair.binMs;
  input.windowStartMs = pair.windowStartMs;
  input.conditionColumn = scene.mode == DrawMode::Continuous ? "" : options.conditionColumn;
  input.colourBy = colourBy;
  if (byBehavior) input.behavior = behaviorValues(behavior, behaviorName, behaviorPart, options.palette);
  scene.parts = colourTrajectories(input, options.palette);
  // Colour per vertex: the colour bar says what the colours mean; a condition legend would repeat one grey.
  // A continuous recording's one line needs no legend either.
  scene.showLegend = !scene.parts.scalars && scene.mode != DrawMode::Continuous;
  // The ends of chunks are cuts, not events: no start / end markers on them.
  scene.showMarkers = scene.mode != DrawMode::Continuous || scene.parts.lines == 1;
  return scene;
}

}  // namespace neurolens::scene
