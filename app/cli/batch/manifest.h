#pragma once
// The batch manifest (../shared/spec/cli.md, "batch") and the tasks it expands to.
// Plain data and pure functions: no Qt, no processes, no LibTorch (tested alone).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace neurolens::cli::batch {

struct ManifestCommand {
  std::string name;               // a command of the contract (info, bin, infer, ...)
  std::vector<std::string> args;  // its options, as on its own command line
  bool withModel = false;         // run once per model (with --model) or once per recording
};

struct Resources {
  int cpus = 1;
  std::string memory;                    // Slurm's --mem text ("2G"); empty: the cluster's default
  int gpus = 0;                          // --gres=gpu:N when > 0
  std::string time;                      // Slurm's --time text ("00:30:00"); empty: the partition's default
  std::optional<std::string> partition;  // null: the cluster's default partition
};

struct Manifest {
  std::filesystem::path file;                     // absolute
  std::vector<std::filesystem::path> recordings;  // absolute, each glob's matches sorted, in manifest order
  std::vector<std::filesystem::path> models;      // absolute, as listed
  std::vector<ManifestCommand> commands;
  Resources resources;
  std::vector<std::string> warnings;  // keys the contract does not know (ignored)
};

// Commands a manifest may list, and whether each needs --model / writes an --out file.
bool isBatchCommand(const std::string& name);
bool commandNeedsModel(const std::string& name);
// "result.h5", "result.png" (figure) or "" (no output file: info, evaluate).
std::string commandOutputName(const std::string& name);

// Reads and checks a manifest (JSON). Paths are relative to the manifest's folder; a glob
// (a path with * ? or [) is expanded and its matches sorted; a plain path must exist.
// Throws InputError ("manifest 'FILE': ...") for every problem: unreadable file, bad JSON,
// missing or mistyped key, glob matching nothing, unknown command.
Manifest readManifest(const std::filesystem::path& file);
// The same from text, with `folder` the base of relative paths (tests).
Manifest parseManifest(const std::string& text, const std::filesystem::path& file);

struct Task {
  std::size_t index = 0;
  std::string id;  // NNNN-<recording stem>-<model stem or none>-<command>
  std::string command;
  std::filesystem::path recording;
  std::filesystem::path model;  // empty: none
  std::vector<std::string> args;
  std::string outputName;  // result.h5 / result.png / empty
};

// recordings x models for each command with a model, recordings for each without; numbered in the order:
// commands as listed, then recordings, then models.
std::vector<Task> expandTasks(const Manifest& manifest);

// The task's id (exposed for tests): NNNN (at least 4 digits) and the stems, each stem's characters
// outside [A-Za-z0-9._+] replaced by '_' so the id is a safe folder name.
std::string taskId(std::size_t index, const std::filesystem::path& recording, const std::filesystem::path& model,
                   const std::string& command);

// The command line of a task (without the program): COMMAND [--model M] ARGS... --json [--out DIR/ID/OUT] RECORDING.
std::vector<std::string> taskArguments(const Task& task, const std::filesystem::path& batchDir);

}  // namespace neurolens::cli::batch
