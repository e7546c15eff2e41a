// The "Unit embeddings" tab's decisions (embedding_choice.h).
#include "logic/embedding_choice.h"

#include <cmath>
#include <exception>
#include <sstream>

#include "logic/pipeline.h"
#include "neurolens/core/errors.h"

namespace neurolens::gui {

std::string noEmbeddingsMessage() {
  return "This model has no unit embeddings (neither a unit_embeddings(session) method nor a \"unit_embeddings\" "
         "output key, see the model contract).";
}

EmbeddingSpace embeddingSpace(const Model* model, const BinnedRecording* recording) {
  EmbeddingSpace space;
  if (model == nullptr || recording == nullptr) {
    space.message = "Open a recording and a model with unit embeddings (as POYO's) to see the embedding space.";
    return space;
  }
  try {
    // A multi-session model not bound yet: the recording's session (its NWB identifier), as inference binds it.
    const Model bound =
        model->session() || model->metadata().sessions.empty() ? *model : model->forRecording(*recording);
    const std::optional<FloatArray> embeddings =
        bound.unitEmbeddings(static_cast<std::int64_t>(recording->unitCount()));
    if (!embeddings) {
      space.message = noEmbeddingsMessage();
      return space;
    }
    if (embeddings->rank() != 2 || embeddings->dim(0) != recording->unitCount()) {
      space.message = "The unit embeddings of " + model->file().filename().string() + " have " +
                      std::to_string(embeddings->rank() == 2 ? embeddings->dim(0) : 0) + " rows for the " +
                      std::to_string(recording->unitCount()) + " units of " + recording->source + ".";
      return space;
    }
    space.pca = embeddingPca(*embeddings);
  } catch (const std::exception& error) {
    space.message = std::string("Cannot show the unit embeddings: ") + error.what();
  }
  return space;
}

std::vector<ComponentPair> componentPairs(const EmbeddingPca& pca) {
  std::vector<ComponentPair> pairs = {{0, 1}};
  if (pca.varianceShare.size() >= 3) {
    pairs.push_back({0, 2});
    pairs.push_back({1, 2});
  }
  return pairs;
}

std::string defaultEmbeddingColumn(const BinnedRecording& recording) {
  const std::string type = defaultTypeColumn(recording.units);
  for (const std::string& name : unitColouringColumns(recording))
    if (!type.empty() && name == type) return type;
  return kFiringRateColumn;
}

EmbeddingPicture embeddingPicture(const EmbeddingPca& pca, const BinnedRecording& recording, const std::string& column,
                                  ComponentPair components) {
  if (pca.units != recording.unitCount())
    throw InputError("unit embeddings: " + std::to_string(pca.units) + " units for the " +
                     std::to_string(recording.unitCount()) + " of " + recording.source);
  EmbeddingPicture picture;
  picture.colouring = unitColouring(recording, column);
  picture.title = embeddingTitle(pca, picture.colouring);
  for (const auto& score : pca.scores) picture.points.push_back({score[components[0]], score[components[1]]});
  picture.xTitle = pcAxisTitle(pca, components[0]);
  picture.yTitle = pcAxisTitle(pca, components[1]);
  return picture;
}

EmbeddingPicture turnedPicture(const EmbeddingPca& pca, const BinnedRecording& recording, const std::string& column,
                               Turn turn) {
  if (pca.varianceShare.size() < 3)
    throw InputError("unit embeddings: a 3-D view needs three principal components, these have " +
                     std::to_string(pca.varianceShare.size()));
  EmbeddingPicture picture = embeddingPicture(pca, recording, column, {0, 1});
  constexpr double kRadians = 3.14159265358979323846 / 180.0;
  const double cy = std::cos(turn.yawDeg * kRadians), sy = std::sin(turn.yawDeg * kRadians);
  const double cp = std::cos(turn.pitchDeg * kRadians), sp = std::sin(turn.pitchDeg * kRadians);
  for (std::size_t u = 0; u < pca.scores.size(); ++u) {
    const auto& [x, y, z] = pca.scores[u];
    const double x1 = cy * x + sy * z;
    const double z1 = -sy * x + cy * z;
    picture.points[u] = {x1, cp * y - sp * z1};
  }
  const double shown = pca.varianceShare[0] + pca.varianceShare[1] + pca.varianceShare[2];
  std::ostringstream x;
  x << "PC 1-3 (" << static_cast<int>(std::round(100.0 * shown)) << " % of the variance) turned "
    << static_cast<int>(std::round(turn.yawDeg)) << "\u00b0, tilted " << static_cast<int>(std::round(turn.pitchDeg))
    << "\u00b0";
  picture.xTitle = x.str();
  picture.yTitle = "drag to turn";
  return picture;
}

std::string describeUnit(const BinnedRecording& recording, const EmbeddingPicture& picture, std::size_t unit) {
  if (unit >= picture.points.size()) return {};
  std::ostringstream text;
  if (unit < recording.unitIds.size())
    text << "unit id " << recording.unitIds[unit] << " (row " << unit + 1 << ")";
  else
    text << "unit " << unit + 1;
  const UnitColouring& colouring = picture.colouring;
  if (colouring.categorical()) {
    text << ": " << colouring.title << " " << colouring.categories[unit];
  } else if (unit < colouring.values.size()) {
    text << ": " << colouring.title << " ";
    if (std::isfinite(colouring.values[unit]))
      text << colouring.values[unit];
    else
      text << "unknown";
  }
  return text.str();
}

}  // namespace neurolens::gui
