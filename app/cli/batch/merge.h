#pragma once
// `batch merge`: the tasks' --json summaries as one table, one row per task: id, recording,
// model, command, exit, then every summary key (nested objects flattened with dots, lists
// as JSON text, numbers with 17 significant digits), in order of first appearance.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "batch/batch_folder.h"

namespace neurolens::cli::batch {

// One cell: a number (NaN-free), or text; absent when the task's summary has no such key.
struct Cell {
  std::optional<double> number;  // set for JSON numbers (and the exit column)
  std::string text;              // the CSV text (numbers with 17 significant digits)
  bool present = false;
};

struct Column {
  std::string name;
  bool numeric = true;  // every present cell is a number
  std::vector<Cell> cells;
};

struct ResultsTable {
  std::vector<Column> columns;
  std::size_t rows = 0;
};

// Text of a number as the table writes it: integers exactly, others with 17 significant digits.
std::string numberText(const nlohmann::ordered_json& value);
// Flattens a summary: {"a": {"b": 1}, "c": [1, 2]} -> ("a.b", 1), ("c", "[1,2]").
std::vector<std::pair<std::string, Cell>> flattenSummary(const nlohmann::ordered_json& summary);

ResultsTable buildTable(const BatchFolder& folder, const std::vector<Task>& tasks);
std::string csvText(const ResultsTable& table);
// DIR/results.csv and DIR/results.h5 (layout in docs/batch.md), each written atomically.
void writeResults(const ResultsTable& table, const std::filesystem::path& dir);

}  // namespace neurolens::cli::batch
