// Principal components of unit embeddings and unit colourings (unit_embedding.h).
#include "neurolens/core/unit_embedding.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <set>

#include "neurolens/core/errors.h"

namespace neurolens {
namespace {

constexpr std::size_t kMaxNumericCategories = 12;

bool colourable(const Column& column, std::size_t units) { return column.rows() == units && !column.isRagged(); }

}  // namespace

EmbeddingPca embeddingPca(const FloatArray& embeddings) {
  if (embeddings.rank() != 2 || embeddings.dim(0) == 0 || embeddings.dim(1) == 0)
    throw InputError("unit embeddings: expected a [units, d] array with at least one unit and one dimension");
  const auto units = static_cast<Eigen::Index>(embeddings.dim(0));
  const auto dims = static_cast<Eigen::Index>(embeddings.dim(1));
  Eigen::MatrixXd x(units, dims);
  for (Eigen::Index u = 0; u < units; ++u)
    for (Eigen::Index d = 0; d < dims; ++d) x(u, d) = embeddings.values()[static_cast<std::size_t>(u * dims + d)];
  x.rowwise() -= x.colwise().mean();
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(x, Eigen::ComputeThinV);
  const Eigen::VectorXd variance = svd.singularValues().array().square();
  const double total = std::max(variance.sum(), 1e-300);
  EmbeddingPca pca;
  pca.units = static_cast<std::size_t>(units);
  pca.dims = static_cast<std::size_t>(dims);
  for (Eigen::Index i = 0; i < variance.size(); ++i) pca.varianceShare.push_back(variance(i) / total);
  const Eigen::Index components = std::min<Eigen::Index>(3, svd.matrixV().cols());
  for (Eigen::Index u = 0; u < units; ++u) {
    std::array<double, 3> score{0.0, 0.0, 0.0};
    for (Eigen::Index c = 0; c < components; ++c)
      score[static_cast<std::size_t>(c)] = x.row(u).dot(svd.matrixV().col(c));
    pca.scores.push_back(score);
  }
  return pca;
}

std::string pcAxisTitle(const EmbeddingPca& pca, std::size_t component) {
  const std::string share = component < pca.varianceShare.size()
                                ? std::to_string(static_cast<int>(std::round(100.0 * pca.varianceShare[component])))
                                : "0";
  return "PC " + std::to_string(component + 1) + " (" + share + " %)";
}

std::vector<double> unitFiringRates(const BinnedRecording& binned) {
  const std::size_t units = binned.unitCount();
  const std::size_t rows = binned.counts.size() / std::max<std::size_t>(units, 1);
  std::vector<double> rates(units, 0.0);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t u = 0; u < units; ++u) rates[u] += binned.counts.values()[r * units + u];
  const double seconds = static_cast<double>(rows) * binned.binMs / 1000.0;
  for (double& rate : rates) rate /= std::max(seconds, 1e-12);
  return rates;
}

UnitColouring unitColouring(const BinnedRecording& binned, const std::string& column) {
  UnitColouring colouring;
  colouring.column = column;
  colouring.title = column;
  const Column* found = binned.units.find(column);
  if (found == nullptr && column == kFiringRateColumn) {
    colouring.values = unitFiringRates(binned);
    colouring.title = "firing rate (spikes/s)";
  } else if (found == nullptr || !colourable(*found, binned.unitCount())) {
    std::string known;
    for (const auto& name : binned.units.columnNames()) known += (known.empty() ? "" : ", ") + name;
    throw InputError(binned.source + ": the units table has no column '" + column + "' with one value per unit" +
                     " (columns: " + (known.empty() ? std::string("none") : known) +
                     "; firing_rate is computed from the counts)");
  } else if (found->isNumeric() &&
             std::set<double>(found->numbers().begin(), found->numbers().end()).size() > kMaxNumericCategories) {
    colouring.values = found->numbers();
  } else {
    for (std::size_t u = 0; u < binned.unitCount(); ++u) colouring.categories.push_back(found->cellText(u));
  }
  return colouring;
}

std::string embeddingTitle(const EmbeddingPca& pca, const UnitColouring& colouring) {
  return "unit embeddings (" + std::to_string(pca.units) + " units, d = " + std::to_string(pca.dims) + ") by " +
         colouring.title;
}

std::vector<std::string> unitColouringColumns(const BinnedRecording& binned) {
  std::vector<std::string> names;
  for (const Column& column : binned.units.columns())
    if (colourable(column, binned.unitCount())) names.push_back(column.name);
  if (binned.units.find(kFiringRateColumn) == nullptr) names.emplace_back(kFiringRateColumn);
  return names;
}

}  // namespace neurolens
