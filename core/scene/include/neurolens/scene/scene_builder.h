#pragma once
// The one way from a pair's data to what its trajectory view draws (issue 28 step 4):
// buildScene(pair data, display options) -> Scene. Smoothing (Gaussian, sd in ms),
// condition means over single trials, the projection (PCA fitted on the condition means,
// the first latents, or given axes) and the colours (scene.h). The GUI's 3-D views and
// `neurolens-cli figure` both call it, so a pair looks the same in the window and in the
// exported figure. No Qt, no VTK (neurolens_scene_builder links the core for the maths).
#include <Eigen/Dense>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/core/ndarray.h"
#include "neurolens/scene/scene.h"

namespace neurolens::scene {

// A pair's data as the builder needs it: a recording's binned counts (no model) or a
// model's latents on it, and the recording's trial labels.
struct PairData {
  FloatArray features;                       // [trials, bins, features]: latents, or binned counts
  bool fromModel = false;                    // latents (axes "PC n"); counts give "rate PC n"
  std::vector<std::string> trialConditions;  // one per trial; empty: unlabelled
  bool labelled = false;                     // the trials carry condition labels (a trials-table column)
  bool continuous = false;                   // a continuous recording (one trial, or --chunk-ms chunks)
  double binMs = 20.0;
  double windowStartMs = 0.0;
  FloatArray behavior;  // [trials, bins, dims] of the behaviour that colours the vertices, when it does
};

// What a trajectory panel draws: condition means (over their single trials, unless meansOnly),
// single trials only (asked, or trials without condition labels), or a continuous recording.
enum class DrawMode { Means, Trials, Continuous };
[[nodiscard]] const char* drawModeName(DrawMode mode);

enum class Projection { Pca, Latents, Axes };

// Given projection axes (a probe's weights): [features, k <= 3], centred on `mean`.
struct GivenAxes {
  Eigen::MatrixXd axes;
  Eigen::RowVectorXd mean;
  std::array<std::string, 3> titles;
};

struct DisplayOptions {
  Projection projection = Projection::Pca;
  std::optional<GivenAxes> axes;  // Projection::Axes
  // Gaussian sd in ms along bins, within each trial: of the counts without a model (the
  // rates whose principal components are drawn), of the latents with one. 0: none.
  double smoothMs = 40.0;
  bool meansOnly = false;              // condition means without their single trials beneath
  bool singleTrialsOnly = false;       // single trials, coloured by condition (no means)
  std::vector<std::size_t> trials;     // rows of the pair drawn, in order; empty: all
  std::string colourBy = "condition";  // parseColourBy's words (type is refused)
  std::string conditionColumn = "condition";
  std::string axisPrefix;  // "" : "rate " for counts, "" for latents; else this (e.g. "aligned ")
  Palette palette;
};

struct Scene {
  TrajectoryParts parts;  // polylines, groups, colours, legend, colour values
  DrawMode mode = DrawMode::Trials;
  std::vector<std::string> rowConditions;  // condition of each drawn row
  std::vector<bool> rowIsMean;             // empty unless means are drawn
  std::vector<std::size_t> rowTrial;       // the pair's trial of each single-trial row (means: none)
  std::vector<double> axisShare;           // share of the fitted data's variance along each drawn axis
  std::string fittedOn;                    // "condition means", "single trials", "chunks", "recording"
  bool showLegend = true;                  // a condition legend says something
  bool showMarkers = true;                 // start / end markers mean events (not chunk cuts)
  [[nodiscard]] std::size_t lines() const { return parts.lines; }
};

// Throws InputError for shapes that disagree, an unknown colouring, or a projection the data
// cannot give (latents without a model, axes without axes).
[[nodiscard]] Scene buildScene(const PairData& pair, const DisplayOptions& options);

}  // namespace neurolens::scene
