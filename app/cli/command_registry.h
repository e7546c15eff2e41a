#pragma once
// The list of neurolens-cli commands. Each command lives in its own
// command_<name>.cpp and exposes add<Name>Command(); runCli() parses, runs the
// chosen command and maps every failure to the exit codes of the contract.
// Which command is built into which target: app/cli/CMakeLists.txt.
#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace neurolens::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;  // returns the exit code; throws InputError / ComputeError
  // The launcher's stand-in for a command of the compute module: it hands the
  // whole command line over as soon as it is named (see cli_program.h).
  bool forwardsArguments = false;
};
using CommandList = std::vector<Command>;

// One line per command (keep in the order of the spec's table). Every command,
// built into the compute module (LibTorch); the launcher (launcher/launcher.h)
// lists the same commands and forwards those that need LibTorch to the module.
void addAllCommands(CLI::App& root, CommandList& commands);

// The whole program with every command: parse argv, run, print `error: ...` and
// return an exit code. The compute module's entry point runs this.
int runCli(int argc, char** argv);

}  // namespace neurolens::cli
