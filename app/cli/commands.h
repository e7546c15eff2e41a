#pragma once
// One registration function per command (command_<name>.cpp).
#include "command_registry.h"

namespace neurolens::cli {

void addVersionCommand(CLI::App& root, CommandList& commands);

}  // namespace neurolens::cli
