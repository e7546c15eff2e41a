#pragma once
// One registration function per command (command_<name>.cpp).
#include <functional>
#include <string>

#include "command_registry.h"

namespace neurolens::cli {

void addVersionCommand(CLI::App& root, CommandList& commands);
// `info` on a model file (a TorchScript archive) needs LibTorch: `modelInfo` answers it (the compute module's
// runModelInfo; the launcher forwards the command line to the module).
using ModelInfoRunner = std::function<int(const std::string& file, bool json)>;
void addInfoCommand(CLI::App& root, CommandList& commands, ModelInfoRunner modelInfo);
int runModelInfo(const std::string& file, bool json);  // compute module only (command_info_model.cpp)
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
