#pragma once
// Qt-free: what a selection in the Units and Trials tables (or a unit type picked in the Analysis dock) means
// for the views: the unit column that names types, the units of a type, the units whose attribution colours
// the trajectories and how to name them, and the drawn row of a selected trial.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "logic/pipeline.h"
#include "neurolens/core/table.h"

namespace neurolens::gui {

// The unit column that names types: the one chosen in the Analysis dock, else the recording's default ("" none).
[[nodiscard]] std::string typeColumnFor(const std::string& chosen, const Table* units);
// The units (rows) whose type is `type`, in order.
[[nodiscard]] std::vector<std::size_t> unitsOfType(const std::vector<std::string>& types, const std::string& type);
// The type of the first selected unit; none without a selection or when it is out of range.
[[nodiscard]] std::optional<std::string> typeOfFirst(const std::vector<std::string>& types,
                                                     const std::vector<std::size_t>& rows);

// The units whose attribution colours the trajectories, and their name in the colour note.
struct UnitChoice {
  std::vector<std::size_t> units;  // empty: all units
  std::string name;                // "unit id 7", "3 selected units", "the E units", "all units"
};
// `selected`: the Units table's selected rows; `unitsTable` the table shown (its "id" column names one unit);
// `types` one type per unit (empty without a recording); `selectedType` the type picked in the Analysis dock.
[[nodiscard]] UnitChoice attributionUnits(const std::vector<std::size_t>& selected, const Table& unitsTable,
                                          const std::vector<std::string>& types, const std::string& selectedType);

// The drawn row of a selected trial (single trials come first, under any condition means); none when the trial
// is not drawn (condition means alone, or out of range).
[[nodiscard]] std::optional<std::size_t> drawnRowOfTrial(const Trajectories& shown, std::size_t trial);

}  // namespace neurolens::gui
