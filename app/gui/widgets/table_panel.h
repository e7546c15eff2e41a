#pragma once
// A filterable, sortable view of a Table: a filter line edit above a QTableView
// (QSortFilterProxyModel over TableModel). Selection is by whole rows; rowsSelected
// reports table rows (source order), not view rows.
#include <QWidget>
#include <vector>

#include "neurolens/core/table.h"

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace neurolens::gui {

class TableModel;

class TablePanel : public QWidget {
  Q_OBJECT

 public:
  explicit TablePanel(const QString& filterHint, QWidget* parent = nullptr);
  void setTable(Table table);
  [[nodiscard]] const Table& table() const;
  // Selects exactly these table rows (signals blocked: no echo back to the caller).
  void selectRows(const std::vector<std::size_t>& rows);
  [[nodiscard]] std::vector<std::size_t> selectedRows() const;
  [[nodiscard]] QTableView* view() const { return view_; }
  [[nodiscard]] QLineEdit* filter() const { return filter_; }
  [[nodiscard]] int visibleRows() const;

 Q_SIGNALS:
  void rowsSelected(const std::vector<std::size_t>& rows);

 private:
  TableModel* model_ = nullptr;
  QSortFilterProxyModel* proxy_ = nullptr;
  QTableView* view_ = nullptr;
  QLineEdit* filter_ = nullptr;
  bool selecting_ = false;
};

}  // namespace neurolens::gui
