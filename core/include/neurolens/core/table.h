#pragma once
// A column-oriented table (NWB DynamicTable in memory): units, trials.
// Columns are numeric or text; a column may be ragged (NWB VectorIndex), in which
// case row r holds the elements [raggedEnd[r-1], raggedEnd[r]) of its values.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace neurolens {

struct Column {
  std::string name;
  std::string description;
  std::variant<std::vector<double>, std::vector<std::string>> values;
  std::vector<std::uint64_t> raggedEnd;  // empty unless ragged; one entry per row

  [[nodiscard]] bool isNumeric() const { return std::holds_alternative<std::vector<double>>(values); }
  [[nodiscard]] bool isText() const { return std::holds_alternative<std::vector<std::string>>(values); }
  [[nodiscard]] bool isRagged() const { return !raggedEnd.empty(); }
  [[nodiscard]] std::size_t rows() const;
  [[nodiscard]] const std::vector<double>& numbers() const { return std::get<std::vector<double>>(values); }
  [[nodiscard]] const std::vector<std::string>& texts() const { return std::get<std::vector<std::string>>(values); }
  // Row r as display text (ragged rows joined with ", ").
  [[nodiscard]] std::string cellText(std::size_t row) const;
};

class Table {
 public:
  [[nodiscard]] std::size_t rows() const { return rows_; }
  [[nodiscard]] const std::vector<Column>& columns() const { return columns_; }
  [[nodiscard]] const Column* find(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> columnNames() const;
  // Throws std::invalid_argument when the column's row count disagrees with the table's.
  void add(Column column);
  // A table of the given rows, in the given order (non-ragged and ragged columns alike).
  [[nodiscard]] Table select(const std::vector<std::size_t>& rowIndices) const;

 private:
  std::size_t rows_ = 0;
  std::vector<Column> columns_;
};

}  // namespace neurolens
