#pragma once
// One registration function per command (command_<name>.cpp).
#include "command_registry.h"

namespace neurolens::cli {

void addVersionCommand(CLI::App& root, CommandList& commands);
void addInfoCommand(CLI::App& root, CommandList& commands);
void addBinCommand(CLI::App& root, CommandList& commands);
void addInferCommand(CLI::App& root, CommandList& commands);
void addEvaluateCommand(CLI::App& root, CommandList& commands);
void addDemoCommand(CLI::App& root, CommandList& commands);
void addBatchCommand(CLI::App& root, CommandList& commands);  // no LibTorch: run by the launcher itself
void addAttributeCommand(CLI::App& root, CommandList& commands);
void addProbeCommand(CLI::App& root, CommandList& commands);
void addLinkCommand(CLI::App& root, CommandList& commands);
void addAlignCommand(CLI::App& root, CommandList& commands);
void addLesionCommand(CLI::App& root, CommandList& commands);
void addFigureCommand(CLI::App& root, CommandList& commands);  // only with NEUROLENS_HAVE_FIGURE (GUI builds)

}  // namespace neurolens::cli
