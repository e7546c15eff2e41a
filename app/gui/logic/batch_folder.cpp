#include "logic/batch_folder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <system_error>

#include "batch/batch_folder.h"
#include "batch/merge.h"

namespace neurolens::gui {
namespace fs = std::filesystem;
namespace {

constexpr double kAbsent = std::numeric_limits<double>::quiet_NaN();

// The columns `batch merge` always writes first; their cells are paths, names and ids, never numbers to sort
// (but `exit`, which is).
bool isTextColumn(const std::string& name) {
  return name == "id" || name == "recording" || name == "model" || name == "command";
}

// A CSV cell that holds a number, as `batch merge` writes them (integers, %.17g): the whole text parses.
std::optional<double> numberIn(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const char first = text.front();
  if (std::isdigit(static_cast<unsigned char>(first)) == 0 && first != '-' && first != '+' && first != '.')
    return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::vector<BatchColumn> columnsOf(const cli::batch::ResultsTable& merged) {
  std::vector<BatchColumn> columns;
  for (const auto& source : merged.columns) {
    BatchColumn column;
    column.name = source.name;
    const bool anyPresent =
        std::any_of(source.cells.begin(), source.cells.end(), [](const auto& cell) { return cell.present; });
    column.numeric = source.numeric && anyPresent && !isTextColumn(source.name);
    for (const auto& cell : source.cells) {
      column.text.push_back(cell.text);
      if (column.numeric) column.numbers.push_back(cell.number ? *cell.number : kAbsent);
    }
    columns.push_back(std::move(column));
  }
  return columns;
}

// The table of results.csv, or a reason it cannot stand for the tasks (empty optional and `why` set).
std::optional<std::vector<BatchColumn>> columnsOfCsv(const fs::path& file, const std::vector<BatchRow>& rows,
                                                     std::string& why) {
  const auto lines = parseCsv(cli::batch::readTextFile(file));
  if (lines.empty() || lines.front().empty() || lines.front().front() != "id") {
    why = file.string() + " is empty or not a table of `batch merge`";
    return std::nullopt;
  }
  const auto& header = lines.front();
  if (lines.size() - 1 != rows.size()) {
    why = file.string() + " has " + std::to_string(lines.size() - 1) + " rows for " + std::to_string(rows.size()) +
          " tasks in tasks.json";
    return std::nullopt;
  }
  std::vector<BatchColumn> columns(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) columns[c].name = header[c];
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& line = lines[r + 1];
    if (line.size() != header.size()) {
      why = file.string() + ": row " + std::to_string(r + 1) + " has " + std::to_string(line.size()) + " fields for " +
            std::to_string(header.size()) + " columns";
      return std::nullopt;
    }
    if (line.front() != rows[r].id) {
      why = file.string() + " lists task " + line.front() + " where tasks.json has " + rows[r].id;
      return std::nullopt;
    }
    for (std::size_t c = 0; c < header.size(); ++c) columns[c].text.push_back(line[c]);
  }
  // A task cleared for a rerun (or run since without a newer status.json) no longer has the exit the CSV shows.
  const auto exit = std::find(header.begin(), header.end(), "exit");
  if (exit == header.end()) {
    why = file.string() + " has no exit column";
    return std::nullopt;
  }
  const auto& exits = columns[static_cast<std::size_t>(exit - header.begin())].text;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string now = rows[r].exit ? std::to_string(*rows[r].exit) : std::string();
    if (exits[r] != now) {
      why = "task " + rows[r].id + " has exit '" + now + "' where " + file.string() + " has '" + exits[r] + "'";
      return std::nullopt;
    }
  }
  for (auto& column : columns) {
    if (isTextColumn(column.name)) continue;
    const auto& cells = column.text;
    const bool anyPresent = std::any_of(cells.begin(), cells.end(), [](const auto& text) { return !text.empty(); });
    const bool allNumbers = std::all_of(cells.begin(), cells.end(),
                                        [](const auto& text) { return text.empty() || numberIn(text).has_value(); });
    column.numeric = anyPresent && allNumbers;
    if (!column.numeric) continue;
    for (const std::string& text : cells) column.numbers.push_back(numberIn(text).value_or(kAbsent));
  }
  return columns;
}

// Whether a task's status.json was written after `time` (the task ended after the merge).
bool endedAfter(const std::vector<BatchRow>& rows, fs::file_time_type time, std::string& which) {
  for (const BatchRow& row : rows) {
    std::error_code error;
    const auto written = fs::last_write_time(fs::path(row.folder) / "status.json", error);
    if (!error && written > time) {
      which = row.id;
      return true;
    }
  }
  return false;
}

}  // namespace

std::size_t BatchTable::count(BatchTaskState state) const {
  return static_cast<std::size_t>(
      std::count_if(rows.begin(), rows.end(), [state](const BatchRow& row) { return row.state == state; }));
}

std::vector<BatchColumn> BatchTable::shownColumns() const {
  BatchColumn status{"status", false, {}, {}};
  BatchColumn error{"error", false, {}, {}};
  for (const BatchRow& row : rows) {
    status.text.push_back(stateText(row));
    error.text.push_back(row.error);
  }
  std::vector<BatchColumn> shown = merged;
  const auto exit = std::find_if(shown.begin(), shown.end(), [](const BatchColumn& c) { return c.name == "exit"; });
  const auto at = exit == shown.end() ? shown.end() : std::next(exit);
  const auto inserted = shown.insert(at, std::move(status));
  shown.insert(std::next(inserted), std::move(error));
  return shown;
}

std::string stateText(const BatchRow& row) {
  switch (row.state) {
    case BatchTaskState::Done:
      return "done";
    case BatchTaskState::Failed:
      return "failed (exit " + std::to_string(row.exit.value_or(-1)) + ")";
    case BatchTaskState::NotRun:
      break;
  }
  return "not run";
}

std::vector<std::string> BatchPair::files() const {
  std::vector<std::string> paths{recording};
  if (!model.empty()) paths.push_back(model);
  return paths;
}

BatchTable readBatchFolder(const fs::path& dir) {
  const cli::batch::BatchFolder folder(dir);
  const std::vector<cli::batch::Task> tasks = folder.readTasks();  // InputError: no batch here, or damaged
  BatchTable table;
  table.dir = folder.dir();
  for (const auto& task : tasks) {
    BatchRow row;
    row.id = task.id;
    row.command = task.command;
    row.recording = task.recording.string();
    row.model = task.model.string();
    row.folder = folder.taskDir(task).string();
    if (const auto status = folder.status(task)) {
      row.exit = status->exit;
      row.state = status->exit == 0 ? BatchTaskState::Done : BatchTaskState::Failed;
      row.error = status->error;
    }
    std::error_code missing;
    if (!task.outputName.empty() && fs::exists(folder.taskDir(task) / task.outputName, missing))
      row.output = (folder.taskDir(task) / task.outputName).string();
    table.rows.push_back(std::move(row));
  }

  const fs::path csv = table.dir / "results.csv";
  const std::string merge = "`neurolens-cli batch merge " + table.dir.string() + "`";
  std::error_code noFile;
  const auto merged = fs::last_write_time(csv, noFile);
  if (noFile) {
    table.note = "not merged yet: the table was merged now, in memory; " + merge + " writes results.csv and results.h5";
  } else {
    std::string why;
    std::string ended;
    if (endedAfter(table.rows, merged, ended)) {
      why = "task " + ended + " ended after it was written";
    } else if (auto columns = columnsOfCsv(csv, table.rows, why)) {
      table.merged = std::move(*columns);
      table.fromMergedFile = true;
      table.note = "read from " + csv.string();
      return table;
    }
    table.note = "results.csv is out of date (" + why + "): the table was merged now, in memory; " + merge +
                 " rewrites results.csv and results.h5";
  }
  table.merged = columnsOf(cli::batch::buildTable(folder, tasks));
  return table;
}

BatchPair pairOfRow(const BatchTable& table, std::size_t row) {
  if (row >= table.rows.size())
    throw std::out_of_range("row " + std::to_string(row) + " of a batch of " + std::to_string(table.rows.size()) +
                            " tasks");
  const BatchRow& task = table.rows[row];
  BatchPair pair{task.recording, task.model, task.id, task.folder, task.output, {}};
  std::error_code error;
  for (const std::string& file : pair.files())
    if (!fs::exists(file, error)) {
      pair.problem = "task " + task.id + ": " + file + " no longer exists";
      break;
    }
  return pair;
}

std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool pending = false;  // a row has begun
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    pending = true;
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      pending = false;
    } else {
      field += c;
    }
  }
  if (pending) {  // a last line without its line break
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace neurolens::gui
