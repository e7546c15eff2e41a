#pragma once
// The Batch dock's content (issue 20 step 4): a batch folder's table, one row per task (logic/batch_folder.h):
// what the folder holds and where the table comes from above a filter line and a sortable table, Open Pair
// (or a double-click on a row) to open the row's recording and model in the workspace, and Reload. It only
// shows what it is given and says what is asked of it (actions/open_batch_action.h reacts).
#include <QString>
#include <QWidget>
#include <cstddef>
#include <optional>

#include "logic/batch_folder.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace neurolens::gui {

class BatchTableModel;

class BatchPanel : public QWidget {
  Q_OBJECT

 public:
  explicit BatchPanel(QWidget* parent = nullptr);
  void showBatch(BatchTable table);
  // The folder could not be read as a batch: the message instead of a table.
  void showProblem(const QString& folder, const QString& message);
  [[nodiscard]] const QString& folder() const { return folder_; }
  [[nodiscard]] const BatchTable& table() const;
  [[nodiscard]] const BatchTableModel& model() const { return *model_; }
  [[nodiscard]] QTableView* view() const { return view_; }
  [[nodiscard]] QLineEdit* filter() const { return filter_; }
  [[nodiscard]] QLabel* summary() const { return summary_; }
  // The table row (task order) shown at a view row, and the view row showing a table row (-1: filtered out).
  [[nodiscard]] std::size_t tableRow(int viewRow) const;
  [[nodiscard]] int viewRow(std::size_t tableRow) const;
  [[nodiscard]] std::optional<std::size_t> selectedRow() const;

 Q_SIGNALS:
  // Open this row's (recording, model) pair (double-click or Open Pair).
  void pairRequested(std::size_t row);
  void reloadRequested(const QString& folder);

 private:
  QString folder_;
  QLabel* summary_ = nullptr;
  QLineEdit* filter_ = nullptr;
  QTableView* view_ = nullptr;
  QPushButton* openPair_ = nullptr;
  QPushButton* reload_ = nullptr;
  BatchTableModel* model_ = nullptr;
  QSortFilterProxyModel* proxy_ = nullptr;
};

}  // namespace neurolens::gui
