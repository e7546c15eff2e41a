#pragma once
// The program around the commands, shared by the launcher (the neurolens-cli
// executable, no LibTorch) and the compute module (the commands that need
// LibTorch): the root's help text and --version, parsing, running the chosen
// command, and mapping every failure to the contract's exit codes and `error:` line.
#include <CLI/CLI.hpp>

#include "command_registry.h"

namespace neurolens::cli {

// Name, description, --version flag, footer: identical in both, so `--help` reads the same.
void configureRoot(CLI::App& root);

// Parses argv against `root`, runs the chosen command and returns the exit code.
// A command with `forwardsArguments` set runs as soon as it appears on the command
// line, whatever the parse made of the rest: it re-parses argv itself.
int parseAndRun(CLI::App& root, const CommandList& commands, int argc, char** argv);

}  // namespace neurolens::cli
