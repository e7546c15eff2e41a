#pragma once
// The neurolens-cli executable: every command of the contract, without LibTorch.
// Commands that need no model (info, bin, demo; --help and --version) run here;
// the others are stand-ins with the same name and one-line help that hand the
// command line to the compute module (compute_module.h), loaded only then.
#include <CLI/CLI.hpp>

#include "command_registry.h"

namespace neurolens::cli {

// The same commands, in the same order and with the same help lines, as
// addAllCommands(); argc/argv are what a forwarded command hands over.
void addLauncherCommands(CLI::App& root, CommandList& commands, int argc, char** argv);

// main(): parse, run here or in the compute module, return the exit code.
int runLauncher(int argc, char** argv);

}  // namespace neurolens::cli
