#include "widgets/batch_table_model.h"

#include <QBrush>
#include <QColor>
#include <cmath>
#include <limits>

namespace neurolens::gui {

void BatchTableModel::setTable(BatchTable table) {
  beginResetModel();
  table_ = std::move(table);
  shown_ = table_.shownColumns();
  endResetModel();
}

int BatchTableModel::columnIndex(const std::string& name) const {
  for (std::size_t i = 0; i < shown_.size(); ++i)
    if (shown_[i].name == name) return static_cast<int>(i);
  return -1;
}

int BatchTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(table_.rows.size());
}

int BatchTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(shown_.size());
}

QVariant BatchTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid()) return {};
  const BatchColumn& column = shown_.at(static_cast<std::size_t>(index.column()));
  const auto row = static_cast<std::size_t>(index.row());
  const BatchRow& task = table_.rows.at(row);
  switch (role) {
    case Qt::DisplayRole:
      return QString::fromStdString(column.text.at(row));
    case Qt::UserRole: {  // sort key: numbers as numbers, empty cells before every number
      if (!column.numeric) return QString::fromStdString(column.text.at(row));
      const double value = column.numbers.at(row);
      return std::isnan(value) ? std::numeric_limits<double>::lowest() : value;
    }
    case Qt::ToolTipRole:
      if (task.state == BatchTaskState::Failed)
        return tr("%1 failed (exit %2): %3")
            .arg(QString::fromStdString(task.id))
            .arg(task.exit.value_or(-1))
            .arg(QString::fromStdString(task.error));
      return tr("%1: double-click to open %2")
          .arg(QString::fromStdString(task.id),
               task.model.empty() ? tr("its recording") : tr("its recording and model"));
    case Qt::BackgroundRole:
      if (task.state == BatchTaskState::Failed) return QBrush(QColor(255, 225, 225));
      if (task.state == BatchTaskState::NotRun) return QBrush(QColor(240, 240, 240));
      return {};
    case Qt::TextAlignmentRole:
      return column.numeric ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    default:
      return {};
  }
}

QVariant BatchTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation == Qt::Vertical) return role == Qt::DisplayRole ? QVariant(section + 1) : QVariant();
  if (section < 0 || section >= static_cast<int>(shown_.size()) || role != Qt::DisplayRole) return {};
  return QString::fromStdString(shown_[static_cast<std::size_t>(section)].name);
}

}  // namespace neurolens::gui
