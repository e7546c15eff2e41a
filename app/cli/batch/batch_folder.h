#pragma once
// A batch's output folder: the task list (tasks.json), each task's folder
// (summary.json, stderr.log, status.json, its --out file), the record of the last run
// (run.json: runner, the task indices it started, the Slurm job id), and running one task.
//
// A task is finished when its status.json says exit 0 for the same command line and its
// summary.json is there. Both are written atomically (temporary file beside, renamed), and
// status.json last, so a task killed half-way is never taken for finished.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "batch/manifest.h"

namespace neurolens::cli::batch {

struct TaskStatus {
  int exit = -1;
  std::string error;  // the task's `error:` line (without "error: "), empty on success
  double seconds = 0.0;
  std::vector<std::string> argv;  // the command line it ran (without the program)
  std::string host;
};

struct RunRecord {
  std::string runner;            // local | slurm
  std::string jobId;             // slurm
  std::vector<std::size_t> ran;  // task indices started by this run
  std::size_t skipped = 0;       // finished before it
};

class BatchFolder {
 public:
  explicit BatchFolder(std::filesystem::path dir);

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] std::filesystem::path taskDir(const Task& task) const { return dir_ / task.id; }

  // tasks.json: the expanded task list (absolute paths), written by `batch run`.
  void writeTasks(const std::vector<Task>& tasks, const std::filesystem::path& manifest) const;
  // Throws InputError when DIR holds no batch (no readable tasks.json).
  [[nodiscard]] std::vector<Task> readTasks() const;

  [[nodiscard]] std::optional<TaskStatus> status(const Task& task) const;
  // Finished: exit 0 with the same command line, summary.json present.
  [[nodiscard]] bool finished(const Task& task) const;
  // Removes the task's status, summary, --out file and stale temporaries (before it runs again).
  void clear(const Task& task) const;

  void writeRun(const RunRecord& run) const;
  [[nodiscard]] std::optional<RunRecord> readRun() const;

  // Runs one task to the end: `program` with the task's arguments, stdout -> summary.json
  // (kept only on exit 0), stderr -> stderr.log, then status.json. Never throws for the
  // task's own failure (that is its status); returns the status written.
  TaskStatus runTask(const Task& task, const std::filesystem::path& program) const;

 private:
  std::filesystem::path dir_;
};

// Writes `text` to `file` atomically (a temporary file beside it, then rename).
void writeFileAtomically(const std::filesystem::path& file, const std::string& text);
std::string readTextFile(const std::filesystem::path& file);
// The last line of a stderr log that starts with "error: " (without it), else its last non-empty line.
std::string errorLine(const std::string& stderrText);

}  // namespace neurolens::cli::batch
