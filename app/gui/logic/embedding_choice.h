#pragma once
// Qt-free: what the Analysis results' "Unit embeddings" tab shows for the focused pair (issue 18 step 4). The
// pair's embedding space (the model's unit embeddings for the bound session, on their principal components, or
// the one line saying why there is none), the colour columns offered, and the picture for one colour column and
// one pair of components. The PCA, colourings and titles are core's (unit_embedding.h), as in
// `neurolens-cli figure --view embedding`, so the tab and the exported figure show the same numbers.
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "neurolens/core/binning.h"
#include "neurolens/core/model.h"
#include "neurolens/core/unit_embedding.h"

namespace neurolens::gui {

// A model without unit embeddings (one line).
[[nodiscard]] std::string noEmbeddingsMessage();

struct EmbeddingSpace {
  std::string message;  // non-empty: nothing to draw, and why (no pair, no embeddings, a broken model)
  EmbeddingPca pca;
  [[nodiscard]] bool ready() const { return message.empty(); }
};
// Reads the model's unit embeddings for the recording's units and projects them (may run one forward pass of the
// model: call it off the GUI thread). Never throws: a problem becomes the message, naming the model's file.
[[nodiscard]] EmbeddingSpace embeddingSpace(const Model* model, const BinnedRecording* recording);

// The components drawn against each other (0 = PC 1): PC 1 x PC 2, PC 1 x PC 3, PC 2 x PC 3.
using ComponentPair = std::array<std::size_t, 2>;
[[nodiscard]] std::vector<ComponentPair> componentPairs(const EmbeddingPca& pca);

// The colour column chosen first: the recording's unit-type column when it has one, else firing_rate.
[[nodiscard]] std::string defaultEmbeddingColumn(const BinnedRecording& recording);

struct EmbeddingPicture {
  std::vector<std::array<double, 2>> points;  // one per unit
  UnitColouring colouring;
  std::string title;
  std::string xTitle;
  std::string yTitle;
};
// Throws InputError (from unitColouring) for a column the units table lacks.
[[nodiscard]] EmbeddingPicture embeddingPicture(const EmbeddingPca& pca, const BinnedRecording& recording,
                                                const std::string& column, ComponentPair components = {0, 1});

// PC 1-3 turned and seen from the front (the tab's 3-D view, turned by dragging): first `yawDeg` about the
// vertical axis (PC 1 toward PC 3), then `pitchDeg` about the horizontal one; yaw = pitch = 0 is PC 1 x PC 2.
struct Turn {
  double yawDeg = 30.0;
  double pitchDeg = 20.0;
};
// Throws InputError when the PCA has fewer than three components.
[[nodiscard]] EmbeddingPicture turnedPicture(const EmbeddingPca& pca, const BinnedRecording& recording,
                                             const std::string& column, Turn turn);

// "unit id 17 (row 4): firing rate (spikes/s) 12.3" for the hover text; "" when out of range.
[[nodiscard]] std::string describeUnit(const BinnedRecording& recording, const EmbeddingPicture& picture,
                                       std::size_t unit);

}  // namespace neurolens::gui
