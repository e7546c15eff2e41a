#pragma once
// A read-only Qt item model over a neurolens::Table (units, trials): one column
// per table column, numbers sort as numbers (Qt::UserRole holds the value).
#include <QAbstractTableModel>

#include "neurolens/core/table.h"

namespace neurolens::gui {

class TableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  explicit TableModel(QObject* parent = nullptr) : QAbstractTableModel(parent) {}
  void setTable(Table table);
  [[nodiscard]] const Table& table() const { return table_; }
  // Index of a column by name, -1 when absent.
  [[nodiscard]] int columnIndex(const std::string& name) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  Table table_;
};

}  // namespace neurolens::gui
