#include "neurolens/core/table.h"

#include <sstream>
#include <stdexcept>

namespace neurolens {

std::size_t Column::rows() const {
  if (isRagged()) return raggedEnd.size();
  return std::visit([](const auto& v) { return v.size(); }, values);
}

std::string Column::cellText(std::size_t row) const {
  auto element = [this](std::size_t i) -> std::string {
    if (isText()) return texts().at(i);
    std::ostringstream out;
    out << numbers().at(i);
    return out.str();
  };
  if (!isRagged()) return element(row);
  const std::uint64_t begin = row == 0 ? 0 : raggedEnd.at(row - 1);
  const std::uint64_t end = raggedEnd.at(row);
  std::string joined;
  for (std::uint64_t i = begin; i < end; ++i) {
    if (i > begin) joined += ", ";
    joined += element(i);
  }
  return joined;
}

const Column* Table::find(const std::string& name) const {
  for (const auto& column : columns_)
    if (column.name == name) return &column;
  return nullptr;
}

std::vector<std::string> Table::columnNames() const {
  std::vector<std::string> names;
  names.reserve(columns_.size());
  for (const auto& column : columns_) names.push_back(column.name);
  return names;
}

void Table::add(Column column) {
  const std::size_t n = column.rows();
  if (columns_.empty()) {
    rows_ = n;
  } else if (n != rows_) {
    throw std::invalid_argument("column '" + column.name + "' has " + std::to_string(n) + " rows, the table has " +
                                std::to_string(rows_));
  }
  columns_.push_back(std::move(column));
}

Table Table::select(const std::vector<std::size_t>& rowIndices) const {
  Table out;
  for (const auto& column : columns_) {
    Column picked{column.name, column.description, {}, {}};
    std::visit(
        [&](const auto& source) {
          std::decay_t<decltype(source)> values;
          if (column.isRagged()) {
            for (auto r : rowIndices) {
              const std::uint64_t begin = r == 0 ? 0 : column.raggedEnd.at(r - 1);
              for (std::uint64_t i = begin; i < column.raggedEnd.at(r); ++i) values.push_back(source.at(i));
              picked.raggedEnd.push_back(values.size());
            }
          } else {
            for (auto r : rowIndices) values.push_back(source.at(r));
          }
          picked.values = std::move(values);
        },
        column.values);
    out.add(std::move(picked));
  }
  if (columns_.empty()) out.rows_ = rowIndices.size();
  return out;
}

}  // namespace neurolens
