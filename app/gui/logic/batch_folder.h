#pragma once
// A batch folder opened in the GUI (issue 20 step 4): what `neurolens-cli batch run` wrote (tasks.json, one
// folder per task with its status.json and summary.json; docs/batch.md) and the table `batch merge` makes of it.
// The table is read from DIR/results.csv when that file is up to date (its rows are the tasks of tasks.json, in
// order, and no task has ended after it was written); otherwise it is merged here, in memory, by the same code
// as `batch merge` (app/cli/batch/merge.h), and the note says so. Each row maps to its task: state, error line,
// and the (recording, model) pair to open in the workspace. No Qt (tests/app/test_batch_folder.cpp).
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace neurolens::gui {

enum class BatchTaskState { Done, Failed, NotRun };

// One task of the batch, one row of the table.
struct BatchRow {
  std::string id;
  std::string command;
  std::string recording;  // absolute path
  std::string model;      // absolute path; empty for a task without a model
  BatchTaskState state = BatchTaskState::NotRun;
  std::optional<int> exit;  // none: the task has not run (or is running)
  std::string error;        // a failed task's `error:` line (status.json), else empty
  std::string folder;       // DIR/<id>
  std::string output;       // DIR/<id>/result.h5 (or .png) when the task wrote it, else empty
};

// One column of the table as shown: the text of every row (the CSV's text), and numbers where every present
// cell of the column is one (NaN where a cell is empty), so the column sorts as numbers.
struct BatchColumn {
  std::string name;
  bool numeric = false;
  std::vector<std::string> text;
  std::vector<double> numbers;  // numeric columns only, one per row
};

struct BatchTable {
  std::filesystem::path dir;  // absolute
  std::vector<BatchRow> rows;
  // The merged table's columns, exactly as `batch merge` writes them (id, recording, model, command, exit,
  // then the summaries' keys).
  std::vector<BatchColumn> merged;
  bool fromMergedFile = false;  // read from DIR/results.csv; false: merged in memory
  std::string note;             // where the table comes from, and what to run when results.csv is missing or old

  [[nodiscard]] std::size_t count(BatchTaskState state) const;
  // The columns shown: the merged ones with `status` (done, failed, not run) and `error` after `exit`.
  [[nodiscard]] std::vector<BatchColumn> shownColumns() const;
};

// The pair a row stands for, as File > Open would open it.
struct BatchPair {
  std::string recording;
  std::string model;   // empty: the recording alone (a task without a model)
  std::string taskId;  // the task the pair came from, its folder and its --out file (may be empty)
  std::string folder;
  std::string output;
  std::string problem;  // non-empty when a file of the pair no longer exists (nothing to open)
  // The files to open, recording first.
  [[nodiscard]] std::vector<std::string> files() const;
};

// Reads the batch in DIR. Throws neurolens::InputError naming the folder when it holds no batch (no tasks.json)
// or its tasks.json is damaged.
[[nodiscard]] BatchTable readBatchFolder(const std::filesystem::path& dir);

// Row `row` (an index into table.rows) as a pair; throws std::out_of_range for a row that does not exist.
[[nodiscard]] BatchPair pairOfRow(const BatchTable& table, std::size_t row);

// Text of a row's state as the table shows it: "done", "failed (exit 3)", "not run".
[[nodiscard]] std::string stateText(const BatchRow& row);

// RFC 4180 CSV (quoted fields, doubled quotes, line breaks inside quotes) as rows of fields; the format
// `batch merge` writes. Exposed for tests.
[[nodiscard]] std::vector<std::vector<std::string>> parseCsv(const std::string& text);

}  // namespace neurolens::gui
