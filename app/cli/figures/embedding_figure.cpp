// A model's unit embeddings on their first two principal components (embedding_figure.h).
#include "figures/embedding_figure.h"

#include "neurolens/core/errors.h"
#include "neurolens/core/unit_embedding.h"
#include "neurolens/views/figure/embedding_scatter.h"

namespace neurolens::cli {

std::unique_ptr<views::figure::Plot> embeddingScatterPanel(const Model& model, const BinnedRecording& binned,
                                                           const std::string& unitColumn,
                                                           const views::figure::FigureStyle& style) {
  const std::optional<FloatArray> embeddings = model.unitEmbeddings(static_cast<std::int64_t>(binned.unitCount()));
  if (!embeddings)
    throw InputError("model '" + model.file().string() +
                     "' has no unit embeddings (neither a unit_embeddings(session) method nor a \"unit_embeddings\" "
                     "output key, see the model contract): --view embedding draws them");
  // The PCA and the colouring are core's (unit_embedding.h), shared with the GUI's "Unit embeddings" tab.
  const EmbeddingPca pca = embeddingPca(*embeddings);
  UnitColouring colouring = unitColouring(binned, unitColumn);
  views::figure::EmbeddingScatterInput input;
  for (const auto& score : pca.scores) input.points.push_back({score[0], score[1]});
  input.xTitle = pcAxisTitle(pca, 0);
  input.yTitle = pcAxisTitle(pca, 1);
  input.title = embeddingTitle(pca, colouring);
  input.column = colouring.title;
  input.categories = std::move(colouring.categories);
  input.values = std::move(colouring.values);
  return std::make_unique<views::figure::EmbeddingScatterPlot>(std::move(input), style);
}

}  // namespace neurolens::cli
