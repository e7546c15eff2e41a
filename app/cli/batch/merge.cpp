#include "batch/merge.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "neurolens/io/results_store.h"

namespace neurolens::cli::batch {
namespace {

using ordered_json = nlohmann::ordered_json;

Cell textCell(std::string text) {
  Cell cell;
  cell.text = std::move(text);
  cell.present = true;
  return cell;
}

Cell numberCell(double value, std::string text) {
  Cell cell;
  cell.number = value;
  cell.text = std::move(text);
  cell.present = true;
  return cell;
}

void flatten(const ordered_json& value, const std::string& prefix, std::vector<std::pair<std::string, Cell>>& out) {
  if (value.is_object() && !value.empty() && !prefix.empty()) {
    for (const auto& [key, child] : value.items()) flatten(child, prefix + "." + key, out);
    return;
  }
  if (value.is_number()) {
    out.emplace_back(prefix, numberCell(value.get<double>(), numberText(value)));
  } else if (value.is_string()) {
    out.emplace_back(prefix, textCell(value.get<std::string>()));
  } else if (value.is_boolean()) {
    out.emplace_back(prefix, textCell(value.get<bool>() ? "true" : "false"));
  } else if (value.is_null()) {
    out.emplace_back(prefix, textCell(""));
  } else {  // a list, or an empty object
    out.emplace_back(prefix, textCell(value.dump()));
  }
}

std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// HDF5 object names cannot hold '/' (the path separator) nor be "." alone.
std::string datasetName(const std::string& column) {
  std::string name = column;
  for (auto& c : name)
    if (c == '/') c = '_';
  if (name.empty() || name == ".") name = "_" + name;
  return name;
}

}  // namespace

std::string numberText(const ordered_json& value) {
  if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  std::array<char, 64> text{};
  std::snprintf(text.data(), text.size(), "%.17g", value.get<double>());
  return text.data();
}

std::vector<std::pair<std::string, Cell>> flattenSummary(const ordered_json& summary) {
  std::vector<std::pair<std::string, Cell>> out;
  if (!summary.is_object()) return out;
  for (const auto& [key, value] : summary.items()) flatten(value, key, out);
  return out;
}

ResultsTable buildTable(const BatchFolder& folder, const std::vector<Task>& tasks) {
  ResultsTable table;
  table.rows = tasks.size();
  std::map<std::string, std::size_t> where;
  const auto column = [&](const std::string& name) -> Column& {
    auto [it, added] = where.emplace(name, table.columns.size());
    if (added) {
      table.columns.push_back(Column{name, true, std::vector<Cell>(tasks.size())});
    }
    return table.columns[it->second];
  };
  for (const char* name : {"id", "recording", "model", "command", "exit"}) column(name);
  column("exit").numeric = true;
  for (const char* name : {"id", "recording", "model", "command"}) column(name).numeric = false;

  for (std::size_t row = 0; row < tasks.size(); ++row) {
    const Task& task = tasks[row];
    column("id").cells[row] = textCell(task.id);
    column("recording").cells[row] = textCell(task.recording.string());
    column("model").cells[row] = textCell(task.model.string());
    column("command").cells[row] = textCell(task.command);
    const auto status = folder.status(task);
    if (status) column("exit").cells[row] = numberCell(status->exit, std::to_string(status->exit));
    if (!status || status->exit != 0) continue;
    const auto summary = ordered_json::parse(readTextFile(folder.taskDir(task) / "summary.json"), nullptr, false);
    for (auto& [key, cell] : flattenSummary(summary)) {
      // A summary key named like one of the task's own columns keeps its value under "summary.KEY".
      const bool taken = key == "id" || key == "recording" || key == "model" || key == "command" || key == "exit";
      Column& target = column(taken ? "summary." + key : key);
      if (!cell.number) target.numeric = false;
      target.cells[row] = std::move(cell);
    }
  }
  return table;
}

std::string csvText(const ResultsTable& table) {
  std::string text;
  for (std::size_t c = 0; c < table.columns.size(); ++c) text += (c == 0 ? "" : ",") + csvField(table.columns[c].name);
  text += "\n";
  for (std::size_t row = 0; row < table.rows; ++row) {
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      text += (c == 0 ? "" : ",") + csvField(table.columns[c].cells[row].text);
    text += "\n";
  }
  return text;
}

void writeResults(const ResultsTable& table, const std::filesystem::path& dir) {
  writeFileAtomically(dir / "results.csv", csvText(table));

  io::ResultsWriter writer(dir / "results.h5");
  std::vector<std::string> names;
  for (const auto& column : table.columns) {
    names.push_back(column.name);
    const std::string path = "/columns/" + datasetName(column.name);
    if (column.name == "exit") {
      std::vector<std::int64_t> values;
      for (const auto& cell : column.cells)
        values.push_back(cell.number ? static_cast<std::int64_t>(*cell.number) : -1);
      writer.writeInt64s(path, values);
    } else if (column.numeric) {
      std::vector<double> values;
      for (const auto& cell : column.cells)
        values.push_back(cell.number ? *cell.number : std::numeric_limits<double>::quiet_NaN());
      writer.writeDoubles(path, values);
    } else {
      std::vector<std::string> values;
      for (const auto& cell : column.cells) values.push_back(cell.text);
      writer.writeStrings(path, values);
    }
  }
  writer.writeStrings("/column_names", names);
  writer.writeAttribute("/", "neurolens_batch_results",
                        "one row per task; /column_names in order; /columns/<name> one dataset per column "
                        "('/' in a name becomes '_'); numbers float64 (NaN: absent), exit int64 (-1: not run), "
                        "the rest UTF-8 strings");
  writer.commit();
}

}  // namespace neurolens::cli::batch
