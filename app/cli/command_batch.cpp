// `batch run MANIFEST --out DIR`, `batch status|wait|merge DIR`: the same analysis over many
// recordings x models (../shared/spec/cli.md, "batch"). Each task is the real neurolens-cli
// run as a child process, locally (N workers) or as one index of a Slurm job array; the
// tasks' own files in DIR are the record (docs/batch.md). No LibTorch here: the launcher runs it.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "batch/batch_folder.h"
#include "batch/manifest.h"
#include "batch/merge.h"
#include "batch/process.h"
#include "batch/slurm.h"
#include "cli_common.h"
#include "commands.h"
#include "neurolens/core/errors.h"

namespace neurolens::cli {
namespace {

namespace fs = std::filesystem;
using namespace neurolens::cli::batch;  // NOLINT: this file is the batch command

struct BatchOptions {
  CommonOptions common;
  // run
  std::string manifest;
  std::string out;
  std::string runner = "local";
  int jobs = 0;
  int maxParallel = 0;
  bool force = false;
  // status / wait / merge / task
  std::string dir;
  double timeoutS = 0.0;
  double pollS = 2.0;
  std::size_t index = 0;
};

struct Failure {
  std::string id;
  int exit = 0;
  std::string error;
};

nlohmann::json failuresJson(const std::vector<Failure>& failures) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : failures) list.push_back({{"id", f.id}, {"exit", f.exit}, {"error", f.error}});
  return list;
}

// The outcome of a run (or of the run that `wait` waited for), as `--json` prints it.
struct Outcome {
  std::size_t tasks = 0;
  std::size_t done = 0;
  std::size_t skipped = 0;
  std::vector<Failure> failed;
  std::string runner;
  std::string jobId;
};

int report(const BatchOptions& options, const Outcome& outcome) {
  nlohmann::json json{{"tasks", outcome.tasks},
                      {"done", outcome.done},
                      {"skipped", outcome.skipped},
                      {"failed", outcome.failed.size()},
                      {"runner", outcome.runner}};
  if (outcome.runner == "slurm")
    json["job_id"] = outcome.jobId.empty() ? nlohmann::json(nullptr) : nlohmann::json(outcome.jobId);
  json["failed_tasks"] = failuresJson(outcome.failed);
  if (options.common.json) {
    std::cout << json.dump() << std::endl;
  } else {
    std::cout << outcome.tasks << " tasks: " << outcome.done << " done, " << outcome.skipped << " skipped, "
              << outcome.failed.size() << " failed (" << outcome.runner << " runner"
              << (outcome.jobId.empty() ? std::string() : ", Slurm job " + outcome.jobId) << ")\n";
    for (const auto& f : outcome.failed) std::cout << "  " << f.id << ": exit " << f.exit << ": " << f.error << "\n";
  }
  return outcome.failed.empty() ? kSuccess : kComputeFailed;
}

void refuseIfSlurmJobActive(const BatchFolder& folder) {
  const auto run = folder.readRun();
  if (!run || run->runner != "slurm" || run->jobId.empty()) return;
  if (jobActive(run->jobId).value_or(false))
    throw InputError(folder.dir().string() + ": Slurm job " + run->jobId +
                     " of this batch is still queued or running; `batch wait` for it (or scancel it) first");
}

int localJobs(const BatchOptions& options, const Resources& resources) {
  if (options.jobs > 0) return options.jobs;
  const auto cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  return std::max(1, cores / std::max(1, resources.cpus));
}

Outcome runLocal(const BatchOptions& options, const BatchFolder& folder, const std::vector<Task>& tasks,
                 const std::vector<std::size_t>& pending, const Resources& resources) {
  Outcome outcome;
  outcome.runner = "local";
  const fs::path program = selfExecutable();
  std::atomic<std::size_t> next{0};
  std::mutex mutex;  // guards outcome and stderr lines
  std::size_t ended = 0;
  const auto worker = [&] {
    for (std::size_t k = next++; k < pending.size(); k = next++) {
      const Task& task = tasks[pending[k]];
      const TaskStatus status = folder.runTask(task, program);
      const std::lock_guard<std::mutex> lock(mutex);
      ++ended;
      if (status.exit == 0) {
        ++outcome.done;
      } else {
        outcome.failed.push_back({task.id, status.exit, status.error});
      }
      if (!options.common.quiet) {
        std::cerr << "[" << ended << "/" << pending.size() << "] " << task.id << ": "
                  << (status.exit == 0 ? "done" : "failed (exit " + std::to_string(status.exit) + "): " + status.error)
                  << " (" << static_cast<long long>(status.seconds * 1000.0) << " ms)" << std::endl;
      }
    }
  };
  const int workers = std::min<int>(localJobs(options, resources), static_cast<int>(pending.size()));
  {
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(std::max(workers, 0)));
    for (int i = 0; i < workers; ++i) threads.emplace_back(worker);
    for (auto& thread : threads) thread.join();
  }
  std::sort(outcome.failed.begin(), outcome.failed.end(),
            [](const Failure& a, const Failure& b) { return a.id < b.id; });
  return outcome;
}

std::string submitSlurm(const BatchOptions& options, const BatchFolder& folder, const std::vector<std::size_t>& pending,
                        const Resources& resources) {
  if (folder.dir().string().find_first_of(" \t\n'\"") != std::string::npos)
    throw InputError(folder.dir().string() + ": the Slurm runner needs an output folder without spaces or quotes");
  fs::create_directories(folder.dir() / "slurm");
  SbatchOptions sbatch;
  sbatch.program = selfExecutable();
  sbatch.batchDir = folder.dir();
  sbatch.indices = pending;
  sbatch.maxParallel = options.maxParallel;
  sbatch.resources = resources;
  const fs::path script = folder.dir() / "batch.sbatch";
  writeFileAtomically(script, sbatchScript(sbatch));
  const auto submitted = runCaptured({"sbatch", "--parsable", script.string()});
  if (!submitted.started)
    throw InputError("sbatch cannot be run (" + submitted.err + "): the Slurm runner needs Slurm's client tools");
  if (submitted.exit.code != 0) throw InputError("sbatch refused " + script.string() + ": " + errorLine(submitted.err));
  const auto jobId = parseSbatchJobId(submitted.out);
  if (!jobId) throw ComputeError("sbatch printed no job id for " + script.string() + ": " + submitted.out);
  return *jobId;
}

int runBatch(const BatchOptions& options) {
  const Manifest manifest = readManifest(options.manifest);
  if (!options.common.quiet)
    for (const auto& warning : manifest.warnings)
      std::cerr << "warning: manifest '" << manifest.file.string() << "': " << warning << std::endl;
  const auto tasks = expandTasks(manifest);
  const BatchFolder folder(options.out);
  std::error_code error;
  fs::create_directories(folder.dir(), error);
  if (error || !fs::is_directory(folder.dir()))
    throw InputError(folder.dir().string() + ": cannot create the batch folder (" + error.message() + ")");
  refuseIfSlurmJobActive(folder);
  folder.writeTasks(tasks, manifest.file);

  std::vector<std::size_t> pending;
  std::size_t skipped = 0;
  for (const auto& task : tasks) {
    if (options.force) {
      folder.clear(task);
    } else if (folder.finished(task)) {
      ++skipped;
      continue;
    }
    pending.push_back(task.index);
  }

  RunRecord record{options.runner, "", pending, skipped};
  Outcome outcome;
  if (options.runner == "local") {
    folder.writeRun(record);
    outcome = runLocal(options, folder, tasks, pending, manifest.resources);
  } else {
    outcome.runner = "slurm";
    if (!pending.empty()) record.jobId = submitSlurm(options, folder, pending, manifest.resources);
    folder.writeRun(record);
    outcome.jobId = record.jobId;
    if (!options.common.quiet && !pending.empty())
      std::cerr << "submitted Slurm job " << record.jobId << ": " << pending.size() << " array task(s) ["
                << arrayRanges(pending) << "]; `neurolens-cli batch wait " << folder.dir().string() << "`" << std::endl;
  }
  outcome.tasks = tasks.size();
  outcome.skipped = skipped;
  return report(options, outcome);
}

// The outcome of the last run from the tasks' own files (after it ended).
Outcome lastOutcome(const BatchFolder& folder, const std::vector<Task>& tasks, const RunRecord& run) {
  Outcome outcome;
  outcome.tasks = tasks.size();
  outcome.skipped = run.skipped;
  outcome.runner = run.runner;
  outcome.jobId = run.jobId;
  std::map<std::size_t, int> slurmCodes;
  bool askedSlurm = false;
  for (std::size_t index : run.ran) {
    if (index >= tasks.size()) continue;
    const Task& task = tasks[index];
    const auto status = folder.status(task);
    if (status && status->exit == 0 && folder.finished(task)) {
      ++outcome.done;
    } else if (status) {
      outcome.failed.push_back({task.id, status->exit, status->error});
    } else {
      if (!askedSlurm && !run.jobId.empty()) {
        slurmCodes = jobExitCodes(run.jobId);
        askedSlurm = true;
      }
      const auto code = slurmCodes.find(index);
      const std::string log =
          run.jobId.empty()
              ? std::string()
              : " (see " + (folder.dir() / "slurm" / (run.jobId + "_" + std::to_string(index) + ".log")).string() + ")";
      outcome.failed.push_back({task.id, code == slurmCodes.end() ? -1 : code->second,
                                "ended without a status: killed or never started" + log});
    }
  }
  return outcome;
}

int waitBatch(const BatchOptions& options) {
  const BatchFolder folder(options.dir);
  const auto tasks = folder.readTasks();
  const auto run = folder.readRun();
  if (!run) throw InputError(folder.dir().string() + ": no run recorded (run.json): `batch run` first");
  if (run->runner == "slurm" && !run->jobId.empty()) {
    const auto start = std::chrono::steady_clock::now();
    int unanswered = 0;
    for (;;) {
      const auto active = jobActive(run->jobId);
      if (active && !*active) break;
      unanswered = active ? 0 : unanswered + 1;
      if (unanswered * options.pollS > 120.0)
        throw ComputeError("squeue has not answered about Slurm job " + run->jobId + " for 120 s");
      const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (options.timeoutS > 0 && waited > options.timeoutS)
        throw ComputeError("Slurm job " + run->jobId + " still queued or running after " +
                           std::to_string(static_cast<long long>(options.timeoutS)) + " s (--timeout)");
      std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.1, options.pollS)));
    }
  }
  return report(options, lastOutcome(folder, tasks, *run));
}

int statusBatch(const BatchOptions& options) {
  const BatchFolder folder(options.dir);
  const auto tasks = folder.readTasks();
  const auto run = folder.readRun();
  std::map<std::size_t, std::string> slurmStates;
  bool active = false;
  if (run && run->runner == "slurm" && !run->jobId.empty()) {
    slurmStates = jobTaskStates(run->jobId);
    active = !slurmStates.empty();
  }
  nlohmann::json list = nlohmann::json::array();
  std::map<std::string, std::size_t> counts;
  for (const auto& task : tasks) {
    const auto status = folder.status(task);
    nlohmann::json entry{{"id", task.id}};
    std::string state;
    if (const auto it = slurmStates.find(task.index); it != slurmStates.end()) {
      state = it->second == "RUNNING" ? "running" : it->second == "PENDING" ? "pending" : it->second;
      std::transform(state.begin(), state.end(), state.begin(), [](unsigned char c) { return std::tolower(c); });
    } else if (folder.finished(task)) {
      state = "done";
    } else if (status) {
      state = "failed";
      entry["exit"] = status->exit;
      entry["error"] = status->error;
    } else {
      state = "not_run";
    }
    entry["state"] = state;
    ++counts[state];
    list.push_back(entry);
  }
  const auto count = [&](const char* state) { return counts.count(state) ? counts[state] : std::size_t{0}; };
  if (options.common.json) {
    nlohmann::json json{{"tasks", tasks.size()},
                        {"done", count("done")},
                        {"failed", count("failed")},
                        {"running", count("running")},
                        {"pending", count("pending")},
                        {"not_run", count("not_run")},
                        {"runner", run ? run->runner : ""},
                        {"active", active},
                        {"task_states", list}};
    json["job_id"] = run && !run->jobId.empty() ? nlohmann::json(run->jobId) : nlohmann::json(nullptr);
    std::cout << json.dump() << std::endl;
    return kSuccess;
  }
  std::cout << folder.dir().string() << ": " << tasks.size() << " tasks: " << count("done") << " done, "
            << count("failed") << " failed, " << count("running") << " running, " << count("pending") << " pending, "
            << count("not_run") << " not run";
  if (run && !run->jobId.empty()) std::cout << " (Slurm job " << run->jobId << (active ? ", active" : "") << ")";
  std::cout << "\n";
  for (const auto& entry : list) {
    std::cout << "  " << entry["id"].get<std::string>() << "  " << entry["state"].get<std::string>();
    if (entry.contains("exit"))
      std::cout << " (exit " << entry["exit"].get<int>() << "): " << entry["error"].get<std::string>();
    std::cout << "\n";
  }
  return kSuccess;
}

int mergeBatch(const BatchOptions& options) {
  const BatchFolder folder(options.dir);
  const auto tasks = folder.readTasks();
  const ResultsTable table = buildTable(folder, tasks);
  writeResults(table, folder.dir());
  const fs::path csv = folder.dir() / "results.csv";
  const fs::path h5 = folder.dir() / "results.h5";
  if (options.common.json) {
    std::cout << nlohmann::json{{"rows", table.rows},
                                {"columns", table.columns.size()},
                                {"csv", csv.string()},
                                {"h5", h5.string()}}
                     .dump()
              << std::endl;
  } else {
    std::cout << "merged " << table.rows << " tasks (" << table.columns.size() << " columns) -> " << csv.string()
              << ", " << h5.string() << "\n";
  }
  return kSuccess;
}

int runOneTask(const BatchOptions& options) {
  const BatchFolder folder(options.dir);
  const auto tasks = folder.readTasks();
  if (options.index >= tasks.size())
    throw InputError(folder.dir().string() + ": no task " + std::to_string(options.index) + " (the batch has " +
                     std::to_string(tasks.size()) + ")");
  const TaskStatus status = folder.runTask(tasks[options.index], selfExecutable());
  if (status.exit != 0) std::cerr << "error: " << tasks[options.index].id << ": " << status.error << std::endl;
  return std::clamp(status.exit, 0, 255);
}

}  // namespace

void addBatchCommand(CLI::App& root, CommandList& commands) {
  auto options = std::make_shared<BatchOptions>();
  auto* batch = root.add_subcommand(
      "batch", "Run commands over many recordings x models, locally or as a Slurm job array, and merge the results");
  batch->require_subcommand(1);

  auto* run = batch->add_subcommand("run", "Run (or resume) the tasks of a manifest; finished tasks are skipped");
  run->add_option("MANIFEST", options->manifest, "JSON manifest: recordings, models, commands, resources")->required();
  run->add_option("--out", options->out, "The batch folder (one folder per task in it)")->required();
  run->add_option("--runner", options->runner, "local (default: N workers here) or slurm (a job array)")
      ->check(CLI::IsMember({"local", "slurm"}));
  run->add_option("--jobs", options->jobs, "Local workers (default: cores / the manifest's cpus)")
      ->check(CLI::PositiveNumber);
  run->add_option("--max-parallel", options->maxParallel, "Slurm: at most N array tasks at once (--array=...%N)")
      ->check(CLI::PositiveNumber);
  run->add_flag("--force", options->force, "Rerun the finished tasks too");
  run->add_flag("--json", options->common.json, "Print a one-line JSON summary on stdout");
  run->add_flag("--quiet", options->common.quiet, "No progress or warnings on stderr");

  auto* status = batch->add_subcommand("status", "Each task's state: done, failed (exit, error), running, pending");
  auto* wait = batch->add_subcommand("wait", "Wait until the last run's tasks have ended; report as `run` does");
  auto* merge = batch->add_subcommand("merge", "Gather the summaries into DIR/results.csv and DIR/results.h5");
  for (auto* sub : {status, wait, merge}) {
    sub->add_option("DIR", options->dir, "The batch folder (--out of batch run)")->required();
    sub->add_flag("--json", options->common.json, "Print a one-line JSON summary on stdout");
    sub->add_flag("--quiet", options->common.quiet, "No progress or warnings on stderr");
  }
  wait->add_option("--timeout", options->timeoutS,
                   "Give up after S seconds (exit 4; default: wait as long as it takes)")
      ->check(CLI::NonNegativeNumber);
  wait->add_option("--poll", options->pollS, "Ask squeue every S seconds (default 2)")->check(CLI::PositiveNumber);

  auto* task = batch->add_subcommand("task", "Run one task of a batch folder (what each Slurm array task runs)");
  task->group("");  // internal: not listed in --help
  task->add_option("DIR", options->dir, "The batch folder")->required();
  task->add_option("--index", options->index, "The task's index in DIR/tasks.json")->required();

  commands.push_back({batch, [options, run, status, wait, merge, task] {
                        if (run->parsed()) return runBatch(*options);
                        if (status->parsed()) return statusBatch(*options);
                        if (wait->parsed()) return waitBatch(*options);
                        if (merge->parsed()) return mergeBatch(*options);
                        if (task->parsed()) return runOneTask(*options);
                        throw UsageError("batch needs one of run, status, wait, merge");
                      }});
}

}  // namespace neurolens::cli
