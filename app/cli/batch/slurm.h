#pragma once
// The Slurm side of `batch`: the job array's sbatch script (pure text), and reading what
// squeue / scontrol say about it. Slurm schedules and limits; the tasks' own files
// (status.json) are the record, since scontrol forgets a job after MinJobAge and there may
// be no accounting (sacct) at all.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "batch/manifest.h"

namespace neurolens::cli::batch {

// "0-3,5,7-8": sorted indices as Slurm's --array ranges.
std::string arrayRanges(std::vector<std::size_t> indices);

struct SbatchOptions {
  std::filesystem::path program;   // neurolens-cli (absolute)
  std::filesystem::path batchDir;  // absolute
  std::vector<std::size_t> indices;
  int maxParallel = 0;  // 0: no throttle
  Resources resources;
};

// The sbatch script of the job array: one array index per task, whose body runs
// `neurolens-cli batch task DIR --index $SLURM_ARRAY_TASK_ID`.
std::string sbatchScript(const SbatchOptions& options);

// `sbatch --parsable` prints "JOBID" or "JOBID;CLUSTER".
std::optional<std::string> parseSbatchJobId(const std::string& out);

// Whether a job (any of its array tasks) is still pending or running, by `squeue -h -j JOB -o %i|%T`.
// std::nullopt: squeue could not say (not installed, controller down).
std::optional<bool> jobActive(const std::string& jobId);

// Array task index -> exit status from `scontrol -o show job JOB` (ExitCode=STATUS:SIGNAL; 128 + SIGNAL when a
// signal ended it, e.g. 143 for scancel); empty once Slurm forgot the job (MinJobAge).
std::map<std::size_t, int> scontrolExitCodes(const std::string& scontrolText);
std::map<std::size_t, int> jobExitCodes(const std::string& jobId);

// Array task index -> state (PENDING, RUNNING, ...), from `squeue` lines "ID|STATE".
// A pending range ("123_[4-8%2]") yields every index in it.
std::map<std::size_t, std::string> parseSqueue(const std::string& squeueText);
std::map<std::size_t, std::string> jobTaskStates(const std::string& jobId);

}  // namespace neurolens::cli::batch
