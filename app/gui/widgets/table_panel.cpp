#include "widgets/table_panel.h"

#include <QHeaderView>
#include <QItemSelection>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <set>

#include "widgets/table_model.h"

namespace neurolens::gui {

TablePanel::TablePanel(const QString& filterHint, QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  filter_ = new QLineEdit(this);
  filter_->setPlaceholderText(filterHint);
  filter_->setClearButtonEnabled(true);
  model_ = new TableModel(this);
  proxy_ = new QSortFilterProxyModel(this);
  proxy_->setSourceModel(model_);
  proxy_->setSortRole(Qt::UserRole);
  proxy_->setFilterKeyColumn(-1);  // any column
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  view_ = new QTableView(this);
  view_->setModel(proxy_);
  view_->setSortingEnabled(true);
  view_->sortByColumn(-1, Qt::AscendingOrder);  // file order until the user sorts
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  view_->verticalHeader()->setDefaultSectionSize(view_->fontMetrics().height() + 6);
  view_->horizontalHeader()->setStretchLastSection(true);
  layout->addWidget(filter_);
  layout->addWidget(view_);
  connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);
  connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
    if (!selecting_) Q_EMIT rowsSelected(selectedRows());
  });
}

void TablePanel::setTable(Table table) {
  model_->setTable(std::move(table));
  view_->resizeColumnsToContents();
}

const Table& TablePanel::table() const { return model_->table(); }

int TablePanel::visibleRows() const { return proxy_->rowCount(); }

void TablePanel::selectRows(const std::vector<std::size_t>& rows) {
  selecting_ = true;
  QItemSelection selection;
  for (std::size_t row : rows) {
    const QModelIndex source = model_->index(static_cast<int>(row), 0);
    const QModelIndex shown = proxy_->mapFromSource(source);
    if (shown.isValid()) selection.select(shown, shown);
  }
  view_->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  if (!selection.isEmpty()) view_->scrollTo(selection.indexes().first());
  selecting_ = false;
}

std::vector<std::size_t> TablePanel::selectedRows() const {
  std::set<std::size_t> rows;
  for (const QModelIndex& index : view_->selectionModel()->selectedRows())
    rows.insert(static_cast<std::size_t>(proxy_->mapToSource(index).row()));
  return {rows.begin(), rows.end()};
}

}  // namespace neurolens::gui
