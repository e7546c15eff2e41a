#include "logic/selection.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace neurolens::gui {

namespace {

std::string numberText(double value) {
  std::ostringstream out;
  if (std::isfinite(value) && value == std::floor(value) && std::abs(value) < 1e15) {
    out << static_cast<long long>(value);
  } else {
    out << value;
  }
  return out.str();
}

}  // namespace

std::string typeColumnFor(const std::string& chosen, const Table* units) {
  if (!chosen.empty()) return chosen;
  return units != nullptr ? defaultTypeColumn(*units) : std::string();
}

std::vector<std::size_t> unitsOfType(const std::vector<std::string>& types, const std::string& type) {
  std::vector<std::size_t> rows;
  for (std::size_t unit = 0; unit < types.size(); ++unit)
    if (types[unit] == type) rows.push_back(unit);
  return rows;
}

std::optional<std::string> typeOfFirst(const std::vector<std::string>& types, const std::vector<std::size_t>& rows) {
  if (rows.empty() || rows.front() >= types.size()) return std::nullopt;
  return types[rows.front()];
}

UnitChoice attributionUnits(const std::vector<std::size_t>& selected, const Table& unitsTable,
                            const std::vector<std::string>& types, const std::string& selectedType) {
  UnitChoice choice;
  choice.units = selected;
  if (selected.empty()) {
    choice.name = "all units";
    return choice;
  }
  if (selected.size() == 1 && unitsTable.rows() > selected.front()) {
    choice.name = "unit " + std::to_string(selected.front());
    if (const Column* id = unitsTable.find("id");
        id != nullptr && id->isNumeric() && id->numbers().size() > selected.front())
      choice.name = "unit id " + numberText(id->numbers()[selected.front()]);
  } else if (selected.size() > 1) {
    choice.name = std::to_string(selected.size()) + " selected units";
  }
  // Exactly the selected type's units (a type picked in the heatmap or the type list): name the type.
  if (!selectedType.empty() && selected.size() > 1 && !types.empty() && unitsOfType(types, selectedType) == selected)
    choice.name = "the " + selectedType + " units";
  return choice;
}

std::optional<std::size_t> drawnRowOfTrial(const Trajectories& shown, std::size_t trial) {
  const auto& rows = shown.rowTrial;
  const auto found = std::find(rows.begin(), rows.end(), trial);
  if (found == rows.end()) return std::nullopt;
  return static_cast<std::size_t>(found - rows.begin());
}

}  // namespace neurolens::gui
