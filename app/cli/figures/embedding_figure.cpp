// A model's unit embeddings on their first two principal components (embedding_figure.h).
#include "figures/embedding_figure.h"

#include <Eigen/Dense>
#include <algorithm>
#include <set>

#include "neurolens/core/errors.h"
#include "neurolens/views/figure/embedding_scatter.h"

namespace neurolens::cli {
namespace {

constexpr std::size_t kMaxNumericCategories = 12;

// Mean spikes per second of each unit over every bin of the binned counts [trials, bins, units].
std::vector<double> firingRates(const BinnedRecording& binned) {
  const std::size_t units = binned.unitCount();
  const std::size_t rows = binned.counts.size() / std::max<std::size_t>(units, 1);
  std::vector<double> rates(units, 0.0);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t u = 0; u < units; ++u) rates[u] += binned.counts.values()[r * units + u];
  const double seconds = static_cast<double>(rows) * binned.binMs / 1000.0;
  for (double& rate : rates) rate /= std::max(seconds, 1e-12);
  return rates;
}

}  // namespace

std::unique_ptr<views::figure::Plot> embeddingScatterPanel(const Model& model, const BinnedRecording& binned,
                                                           const std::string& unitColumn,
                                                           const views::figure::FigureStyle& style) {
  const std::optional<FloatArray> embeddings = model.unitEmbeddings(static_cast<std::int64_t>(binned.unitCount()));
  if (!embeddings)
    throw InputError("model '" + model.file().string() +
                     "' has no unit embeddings (neither a unit_embeddings(session) method nor a \"unit_embeddings\" "
                     "output key, see the model contract): --view embedding draws them");
  const auto units = static_cast<Eigen::Index>(embeddings->dim(0));
  const auto dims = static_cast<Eigen::Index>(embeddings->dim(1));
  Eigen::MatrixXd x(units, dims);
  for (Eigen::Index u = 0; u < units; ++u)
    for (Eigen::Index d = 0; d < dims; ++d) x(u, d) = embeddings->values()[static_cast<std::size_t>(u * dims + d)];
  x.rowwise() -= x.colwise().mean();
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(x, Eigen::ComputeThinV);
  const Eigen::VectorXd variance = svd.singularValues().array().square();
  const double total = std::max(variance.sum(), 1e-300);
  views::figure::EmbeddingScatterInput input;
  for (Eigen::Index u = 0; u < units; ++u) {
    const double pc1 = x.row(u).dot(svd.matrixV().col(0));
    const double pc2 = dims > 1 ? x.row(u).dot(svd.matrixV().col(1)) : 0.0;
    input.points.push_back({pc1, pc2});
  }
  const auto share = [&](Eigen::Index i) {
    return i < variance.size() ? std::to_string(static_cast<int>(std::round(100.0 * variance(i) / total))) : "0";
  };
  input.xTitle = "PC 1 (" + share(0) + " %)";
  input.yTitle = "PC 2 (" + share(1) + " %)";
  input.column = unitColumn;

  const Column* column = binned.units.find(unitColumn);
  if (column == nullptr && unitColumn == "firing_rate") {
    input.values = firingRates(binned);
    input.column = "firing rate (spikes/s)";
  } else if (column == nullptr || column->rows() != binned.unitCount() || column->isRagged()) {
    std::string known;
    for (const auto& name : binned.units.columnNames()) known += (known.empty() ? "" : ", ") + name;
    throw InputError(binned.source + ": the units table has no column '" + unitColumn + "' with one value per unit" +
                     " (columns: " + (known.empty() ? std::string("none") : known) +
                     "; firing_rate is computed from the counts)");
  } else if (column->isNumeric() &&
             std::set<double>(column->numbers().begin(), column->numbers().end()).size() > kMaxNumericCategories) {
    input.values = column->numbers();
  } else {
    for (std::size_t u = 0; u < binned.unitCount(); ++u) input.categories.push_back(column->cellText(u));
  }
  input.title = "unit embeddings (" + std::to_string(units) + " units, d = " + std::to_string(dims) + ") by " +
                (input.values.empty() ? unitColumn : input.column);
  return std::make_unique<views::figure::EmbeddingScatterPlot>(std::move(input), style);
}

}  // namespace neurolens::cli
