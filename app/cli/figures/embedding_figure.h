#pragma once
// `figure --view embedding` (../shared/spec/cli.md "figure"; issue 18 step 4): a model's unit embeddings
// (model-contract.md) projected on their first two principal components, one dot per unit, coloured by
// --unit-column: a text column or a numeric one with at most 12 distinct values as categories (legend), other
// numeric columns on a colour bar; `firing_rate` (spikes/s over the binned counts) when the units table has no
// column of that name.
#include <memory>
#include <string>

#include "neurolens/core/binning.h"
#include "neurolens/core/model.h"
#include "neurolens/views/figure/figure_style.h"
#include "neurolens/views/figure/plots.h"

namespace neurolens::cli {

// Throws InputError when the model has no unit embeddings (naming the file) or the column does not exist.
[[nodiscard]] std::unique_ptr<views::figure::Plot> embeddingScatterPanel(const Model& model,
                                                                         const BinnedRecording& binned,
                                                                         const std::string& unitColumn,
                                                                         const views::figure::FigureStyle& style);

}  // namespace neurolens::cli
