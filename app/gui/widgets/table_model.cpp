#include "widgets/table_model.h"

namespace neurolens::gui {

void TableModel::setTable(Table table) {
  beginResetModel();
  table_ = std::move(table);
  endResetModel();
}

int TableModel::columnIndex(const std::string& name) const {
  const auto& columns = table_.columns();
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return static_cast<int>(i);
  return -1;
}

int TableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(table_.rows());
}

int TableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(table_.columns().size());
}

QVariant TableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid()) return {};
  const Column& column = table_.columns().at(static_cast<std::size_t>(index.column()));
  const auto row = static_cast<std::size_t>(index.row());
  switch (role) {
    case Qt::DisplayRole:
      return QString::fromStdString(column.cellText(row));
    case Qt::UserRole:  // sort key
      if (column.isNumeric() && !column.isRagged()) return column.numbers().at(row);
      return QString::fromStdString(column.cellText(row));
    case Qt::TextAlignmentRole:
      return column.isNumeric() ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    default:
      return {};
  }
}

QVariant TableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation == Qt::Vertical) {
    return role == Qt::DisplayRole ? QVariant(section + 1) : QVariant();
  }
  if (section < 0 || section >= static_cast<int>(table_.columns().size())) return {};
  const Column& column = table_.columns()[static_cast<std::size_t>(section)];
  if (role == Qt::DisplayRole) return QString::fromStdString(column.name);
  if (role == Qt::ToolTipRole && !column.description.empty()) return QString::fromStdString(column.description);
  return {};
}

}  // namespace neurolens::gui
