#pragma once
// Finds and loads the compute module (the commands that need LibTorch) only
// when such a command is run, so that `info`, `bin`, `demo` and `--help` never
// map LibTorch into the process.
#include <string>

namespace neurolens::cli {

// Loads the module beside this program and runs the whole command line there.
// Returns the module's exit code. Throws InputError (exit 3), naming `command`
// and the module's path, when the module is missing, cannot be loaded, is not a
// NeuroLens compute module or belongs to another NeuroLens version.
int runInComputeModule(const std::string& command, int argc, char** argv);

}  // namespace neurolens::cli
