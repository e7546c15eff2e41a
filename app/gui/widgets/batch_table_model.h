#pragma once
// A read-only Qt item model over a batch's table (logic/batch_folder.h, issue 20 step 4): the columns
// BatchTable::shownColumns gives, each cell the merged CSV's text; numeric columns sort as numbers (Qt::UserRole,
// empty cells first), a failed task's row is tinted and its error is the row's tooltip.
#include <QAbstractTableModel>
#include <vector>

#include "logic/batch_folder.h"

namespace neurolens::gui {

class BatchTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  explicit BatchTableModel(QObject* parent = nullptr) : QAbstractTableModel(parent) {}
  void setTable(BatchTable table);
  [[nodiscard]] const BatchTable& table() const { return table_; }
  // Index of a shown column by name, -1 when absent.
  [[nodiscard]] int columnIndex(const std::string& name) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  BatchTable table_;
  std::vector<BatchColumn> shown_;
};

}  // namespace neurolens::gui
