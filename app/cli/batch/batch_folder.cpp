#include "batch/batch_folder.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "batch/process.h"
#include "neurolens/core/atomic_file.h"
#include "neurolens/core/errors.h"

namespace neurolens::cli::batch {
namespace fs = std::filesystem;
namespace {

constexpr int kFormatVersion = 1;

std::string hostName() {
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0) return {};
  return name.data();
}

nlohmann::json readJsonFile(const fs::path& file) {
  return nlohmann::json::parse(readTextFile(file), nullptr, /*allow_exceptions=*/false);
}

// Reading our own small files by pointer (no from_json conversions): a missing or mistyped
// member is std::nullopt, never an exception.
const nlohmann::json* member(const nlohmann::json& json, const char* key) {
  if (!json.is_object()) return nullptr;
  const auto it = json.find(key);
  return it == json.end() ? nullptr : &*it;
}

std::optional<std::string> textOf(const nlohmann::json* value) {
  const auto* text = value == nullptr ? nullptr : value->get_ptr<const std::string*>();
  return text == nullptr ? std::nullopt : std::optional<std::string>(*text);
}

std::optional<std::int64_t> integerOf(const nlohmann::json* value) {
  if (value == nullptr) return std::nullopt;
  if (const auto* i = value->get_ptr<const std::int64_t*>()) return *i;
  if (const auto* u = value->get_ptr<const std::uint64_t*>()) return static_cast<std::int64_t>(*u);
  return std::nullopt;
}

std::optional<double> numberOf(const nlohmann::json* value) {
  if (value == nullptr) return std::nullopt;
  if (const auto* d = value->get_ptr<const double*>()) return *d;
  if (const auto i = integerOf(value)) return static_cast<double>(*i);
  return std::nullopt;
}

std::optional<std::vector<std::string>> textsOf(const nlohmann::json* value) {
  if (value == nullptr || !value->is_array()) return std::nullopt;
  std::vector<std::string> texts;
  for (const auto& item : *value) {
    const auto text = textOf(&item);
    if (!text) return std::nullopt;
    texts.push_back(*text);
  }
  return texts;
}

std::optional<std::vector<std::size_t>> indicesOf(const nlohmann::json* value) {
  if (value == nullptr || !value->is_array()) return std::nullopt;
  std::vector<std::size_t> indices;
  for (const auto& item : *value) {
    const auto index = integerOf(&item);
    if (!index || *index < 0) return std::nullopt;
    indices.push_back(static_cast<std::size_t>(*index));
  }
  return indices;
}

}  // namespace

void writeFileAtomically(const fs::path& file, const std::string& text) {
  AtomicFile atomic(file);
  {
    std::ofstream out(atomic.temporaryPath(), std::ios::binary);
    out << text;
    out.flush();
    if (!out) throw ComputeError("cannot write " + file.string());
  }
  atomic.commit();
}

std::string readTextFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string errorLine(const std::string& stderrText) {
  std::istringstream lines(stderrText);
  std::string line;
  std::string lastError;
  std::string lastLine;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("error: ", 0) == 0) lastError = line.substr(7);
    if (line.find_first_not_of(" \t") != std::string::npos) lastLine = line;
  }
  return lastError.empty() ? lastLine : lastError;
}

BatchFolder::BatchFolder(fs::path dir) : dir_(fs::absolute(std::move(dir)).lexically_normal()) {}

void BatchFolder::writeTasks(const std::vector<Task>& tasks, const fs::path& manifest) const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& task : tasks)
    list.push_back({{"index", task.index},
                    {"id", task.id},
                    {"command", task.command},
                    {"recording", task.recording.string()},
                    {"model", task.model.string()},
                    {"args", task.args},
                    {"output", task.outputName}});
  const nlohmann::json json{
      {"format", kFormatVersion}, {"manifest", manifest.string()}, {"count", tasks.size()}, {"tasks", list}};
  writeFileAtomically(dir_ / "tasks.json", json.dump(1) + "\n");
}

std::vector<Task> BatchFolder::readTasks() const {
  const fs::path file = dir_ / "tasks.json";
  if (!fs::exists(file))
    throw InputError(dir_.string() + ": not a batch folder (no tasks.json; `batch run MANIFEST --out " + dir_.string() +
                     "` makes one)");
  const auto json = readJsonFile(file);
  std::vector<Task> tasks;
  const auto damaged = [&] {
    return InputError(file.string() + ": damaged or of another version (run `batch run` again to rewrite it)");
  };
  const auto* list = member(json, "tasks");
  if (integerOf(member(json, "format")) != kFormatVersion || list == nullptr || !list->is_array()) throw damaged();
  for (const auto& entry : *list) {
    const auto index = integerOf(member(entry, "index"));
    const auto id = textOf(member(entry, "id"));
    const auto command = textOf(member(entry, "command"));
    const auto recording = textOf(member(entry, "recording"));
    const auto model = textOf(member(entry, "model"));
    const auto args = textsOf(member(entry, "args"));
    const auto output = textOf(member(entry, "output"));
    if (!index || *index != static_cast<std::int64_t>(tasks.size()) || !id || !command || !recording || !model ||
        !args || !output)
      throw damaged();
    Task task;
    task.index = tasks.size();
    task.id = *id;
    task.command = *command;
    task.recording = *recording;
    task.model = *model;
    task.args = *args;
    task.outputName = *output;
    tasks.push_back(std::move(task));
  }
  return tasks;
}

std::optional<TaskStatus> BatchFolder::status(const Task& task) const {
  const auto json = readJsonFile(taskDir(task) / "status.json");
  const auto exit = integerOf(member(json, "exit"));
  if (!exit) return std::nullopt;
  TaskStatus status;
  status.exit = static_cast<int>(*exit);
  status.error = textOf(member(json, "error")).value_or("");
  status.seconds = numberOf(member(json, "seconds")).value_or(0.0);
  status.host = textOf(member(json, "host")).value_or("");
  status.argv = textsOf(member(json, "argv")).value_or(std::vector<std::string>{});
  return status;
}

bool BatchFolder::finished(const Task& task) const {
  const auto done = status(task);
  return done && done->exit == 0 && done->argv == taskArguments(task, dir_) &&
         fs::exists(taskDir(task) / "summary.json");
}

void BatchFolder::clear(const Task& task) const {
  std::error_code ignored;
  fs::remove(taskDir(task) / "status.json", ignored);
  fs::remove(taskDir(task) / "summary.json", ignored);
  if (!task.outputName.empty()) fs::remove(taskDir(task) / task.outputName, ignored);
  // Temporaries of a run that was killed (Ctrl-C, Slurm's time limit) before it could remove them.
  for (fs::directory_iterator it(taskDir(task), ignored), end; !ignored && it != end; it.increment(ignored)) {
    const std::string name = it->path().filename().string();
    if (name.rfind('.', 0) == 0 && name.find(".partial-") != std::string::npos) fs::remove(it->path(), ignored);
  }
}

void BatchFolder::writeRun(const RunRecord& run) const {
  nlohmann::json json{{"runner", run.runner}, {"ran", run.ran}, {"skipped", run.skipped}};
  json["job_id"] = run.jobId.empty() ? nlohmann::json(nullptr) : nlohmann::json(run.jobId);
  writeFileAtomically(dir_ / "run.json", json.dump() + "\n");
}

std::optional<RunRecord> BatchFolder::readRun() const {
  const auto json = readJsonFile(dir_ / "run.json");
  const auto runner = textOf(member(json, "runner"));
  const auto ran = indicesOf(member(json, "ran"));
  const auto skipped = integerOf(member(json, "skipped"));
  if (!runner || !ran || !skipped || *skipped < 0) return std::nullopt;
  RunRecord run;
  run.runner = *runner;
  run.jobId = textOf(member(json, "job_id")).value_or("");
  run.ran = *ran;
  run.skipped = static_cast<std::size_t>(*skipped);
  return run;
}

TaskStatus BatchFolder::runTask(const Task& task, const fs::path& program) const {
  const fs::path folder = taskDir(task);
  fs::create_directories(folder);
  clear(task);
  TaskStatus status;
  status.argv = taskArguments(task, dir_);
  status.host = hostName();
  std::vector<std::string> argv{program.string()};
  argv.insert(argv.end(), status.argv.begin(), status.argv.end());

  const fs::path stderrLog = folder / "stderr.log";
  const auto start = std::chrono::steady_clock::now();
  {
    AtomicFile summary(folder / "summary.json");
    try {
      const ChildExit exit = runToFiles(argv, summary.temporaryPath(), stderrLog);
      status.exit = exit.code;
      if (exit.signal != 0) status.error = "killed by signal " + std::to_string(exit.signal);
    } catch (const std::exception& e) {
      status.exit = 127;
      status.error = e.what();
    }
    if (status.exit == 0) {
      // A summary is one JSON object; anything else is the task's failure, not a result.
      const auto json = readJsonFile(summary.temporaryPath());
      if (json.is_object()) {
        summary.commit();
      } else {
        status.exit = 4;
        status.error = "exit 0 but no JSON summary on stdout";
      }
    }
  }
  status.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (status.exit != 0 && status.error.empty()) status.error = errorLine(readTextFile(stderrLog));

  const nlohmann::json json{{"id", task.id},         {"exit", status.exit},
                            {"error", status.error}, {"seconds", status.seconds},
                            {"host", status.host},   {"argv", status.argv}};
  writeFileAtomically(folder / "status.json", json.dump() + "\n");
  return status;
}

}  // namespace neurolens::cli::batch
