#pragma once
// The list of neurolens-cli commands. Each command lives in its own
// command_<name>.cpp and exposes add<Name>Command(); runCli() parses, runs the
// chosen command and maps every failure to the exit codes of the contract.
#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace neurolens::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;  // returns the exit code; throws InputError / ComputeError
};
using CommandList = std::vector<Command>;

// One line per command (keep in the order of the spec's table).
void addAllCommands(CLI::App& root, CommandList& commands);

// The whole program: parse argv, run, print `error: ...` and return an exit code.
int runCli(int argc, char** argv);

}  // namespace neurolens::cli
