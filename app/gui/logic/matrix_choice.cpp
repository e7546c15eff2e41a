#include "logic/matrix_choice.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace neurolens::gui {

MatrixChoice chooseMatrixPairs(const std::vector<AlignPairInput>& pairs) {
  MatrixChoice choice;
  std::vector<std::string> recordings;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (!pairs[i].ready) continue;
    choice.pairs.push_back(i);
    choice.sides.push_back({pairs[i].recording, pairs[i].model.value_or(std::string()), pairs[i].session});
    recordings.push_back(pairs[i].recording);
  }
  if (choice.pairs.size() < 3) {
    choice.error =
        "Matrix needs three or more pairs that are ready (open three recordings, or recordings and models "
        "that make three pairs); " +
        std::to_string(choice.pairs.size()) + " of " + std::to_string(pairs.size()) + " are";
    choice.pairs.clear();
    choice.sides.clear();
    return choice;
  }
  choice.labels = app::alignMatrixLabels(recordings);
  for (std::size_t k = 0; k < choice.sides.size(); ++k)
    if (!choice.sides[k].model.empty())
      choice.labels[k] += " \u00b7 " + std::filesystem::path(choice.sides[k].model).stem().string();
  return choice;
}

bool matrixAvailable(const std::vector<AlignPairInput>& pairs) {
  return std::count_if(pairs.begin(), pairs.end(), [](const AlignPairInput& pair) { return pair.ready; }) >= 3;
}

app::AlignMatrixOptions defaultMatrixOptions() {
  app::AlignMatrixOptions options;
  options.study = defaultAlignOptions();
  options.statistic = "cca_heldout_mean";
  return options;
}

nlohmann::json matrixNumbers(const app::AlignMatrixResult& result) {
  return {{"sides", result.files},
          {"statistic", result.statistic},
          {"match", result.match},
          {"matrix", app::alignMatrixJson(result.matrix)},
          {"p_values", app::alignMatrixJson(result.pValues)},
          {"order", result.order}};
}

std::optional<std::size_t> matrixSlotAt(const std::vector<std::pair<std::size_t, double>>& centres, std::size_t count,
                                        double position) {
  if (centres.size() < 2 || count == 0) return std::nullopt;
  const auto [low, high] = std::minmax_element(centres.begin(), centres.end());
  if (high->first == low->first) return std::nullopt;
  const double spacing =
      (high->second - low->second) / (static_cast<double>(high->first) - static_cast<double>(low->first));
  if (!(std::abs(spacing) > 0.0)) return std::nullopt;
  const double slot = std::floor((position - low->second) / spacing + 0.5) + static_cast<double>(low->first);
  if (slot < 0.0 || slot >= static_cast<double>(count)) return std::nullopt;
  return static_cast<std::size_t>(slot);
}

std::optional<std::pair<std::size_t, std::size_t>> matrixCellSides(const std::vector<std::size_t>& order,
                                                                   std::size_t row, std::size_t column) {
  if (row >= order.size() || column >= order.size() || row == column) return std::nullopt;
  return std::make_pair(order[row], order[column]);
}

}  // namespace neurolens::gui
