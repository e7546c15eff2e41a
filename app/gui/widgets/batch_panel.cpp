#include "widgets/batch_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

#include "widgets/batch_table_model.h"

namespace neurolens::gui {

namespace {
constexpr int kWidestColumn = 360;  // long paths and error lines are cut (the tooltip and the cell hold all)
}  // namespace

BatchPanel::BatchPanel(QWidget* parent) : QWidget(parent) {
  setObjectName("batchPanel");
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  summary_ = new QLabel(tr("No batch folder open: <b>File &gt; Open Batch Folder...</b>"), this);
  summary_->setObjectName("batchSummary");
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* bar = new QHBoxLayout;
  filter_ = new QLineEdit(this);
  filter_->setPlaceholderText(tr("Filter tasks (any column)"));
  filter_->setClearButtonEnabled(true);
  openPair_ = new QPushButton(tr("Open Pair"), this);
  openPair_->setObjectName("batchOpenPair");
  openPair_->setToolTip(tr("Open the selected task's recording and model in the workspace (or double-click a row)"));
  openPair_->setEnabled(false);
  reload_ = new QPushButton(tr("Reload"), this);
  reload_->setObjectName("batchReload");
  reload_->setToolTip(tr("Read the batch folder again (tasks that ended since, a new batch merge)"));
  reload_->setEnabled(false);
  bar->addWidget(filter_, 1);
  bar->addWidget(openPair_);
  bar->addWidget(reload_);

  model_ = new BatchTableModel(this);
  proxy_ = new QSortFilterProxyModel(this);
  proxy_->setSourceModel(model_);
  proxy_->setSortRole(Qt::UserRole);
  proxy_->setFilterKeyColumn(-1);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  view_ = new QTableView(this);
  view_->setObjectName("batchTable");
  view_->setModel(proxy_);
  view_->setSortingEnabled(true);
  view_->sortByColumn(-1, Qt::AscendingOrder);  // task order until the user sorts
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setSelectionMode(QAbstractItemView::SingleSelection);
  view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  view_->setWordWrap(false);
  view_->verticalHeader()->setDefaultSectionSize(view_->fontMetrics().height() + 6);
  view_->horizontalHeader()->setStretchLastSection(true);

  layout->addWidget(summary_);
  layout->addLayout(bar);
  layout->addWidget(view_, 1);

  connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);
  connect(view_, &QTableView::doubleClicked, this,
          [this](const QModelIndex& index) { Q_EMIT pairRequested(tableRow(index.row())); });
  connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          [this] { openPair_->setEnabled(selectedRow().has_value()); });
  connect(openPair_, &QPushButton::clicked, this, [this] {
    if (const auto row = selectedRow()) Q_EMIT pairRequested(*row);
  });
  connect(reload_, &QPushButton::clicked, this, [this] { Q_EMIT reloadRequested(folder_); });
}

void BatchPanel::showBatch(BatchTable table) {
  folder_ = QString::fromStdString(table.dir.string());
  const QString counts = tr("%1 tasks: %2 done, %3 failed, %4 not run")
                             .arg(table.rows.size())
                             .arg(table.count(BatchTaskState::Done))
                             .arg(table.count(BatchTaskState::Failed))
                             .arg(table.count(BatchTaskState::NotRun));
  summary_->setText(tr("<b>%1</b> &mdash; %2<br><small>%3. Double-click a row to open its pair.</small>")
                        .arg(folder_.toHtmlEscaped(), counts, QString::fromStdString(table.note).toHtmlEscaped()));
  model_->setTable(std::move(table));
  view_->resizeColumnsToContents();
  for (int c = 0; c < model_->columnCount(); ++c)
    view_->setColumnWidth(c, std::min(view_->columnWidth(c), kWidestColumn));
  reload_->setEnabled(true);
  openPair_->setEnabled(false);
}

void BatchPanel::showProblem(const QString& folder, const QString& message) {
  folder_ = folder;
  model_->setTable({});
  summary_->setText(
      tr("<b>%1</b><br>Cannot open it as a batch folder: %2").arg(folder.toHtmlEscaped(), message.toHtmlEscaped()));
  reload_->setEnabled(!folder.isEmpty());
  openPair_->setEnabled(false);
}

const BatchTable& BatchPanel::table() const { return model_->table(); }

std::size_t BatchPanel::tableRow(int viewRow) const {
  return static_cast<std::size_t>(proxy_->mapToSource(proxy_->index(viewRow, 0)).row());
}

int BatchPanel::viewRow(std::size_t tableRow) const {
  return proxy_->mapFromSource(model_->index(static_cast<int>(tableRow), 0)).row();
}

std::optional<std::size_t> BatchPanel::selectedRow() const {
  const QModelIndexList rows = view_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return std::nullopt;
  return tableRow(rows.front().row());
}

}  // namespace neurolens::gui
