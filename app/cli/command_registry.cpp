#include "command_registry.h"

#include "cli_program.h"
#include "commands.h"

namespace neurolens::cli {

void addAllCommands(CLI::App& root, CommandList& commands) {
  addVersionCommand(root, commands);
  addInfoCommand(root, commands, runModelInfo);
  addBinCommand(root, commands);
  addInferCommand(root, commands);
  addAttributeCommand(root, commands);
  addEvaluateCommand(root, commands);
  addProbeCommand(root, commands);
  addLinkCommand(root, commands);
  addAlignCommand(root, commands);
  addLesionCommand(root, commands);
  addBatchCommand(root, commands);
  addDemoCommand(root, commands);
#ifdef NEUROLENS_HAVE_FIGURE
  addFigureCommand(root, commands);
#endif
}

int runCli(int argc, char** argv) {
  CLI::App root;
  configureRoot(root);
  CommandList commands;
  addAllCommands(root, commands);
  return parseAndRun(root, commands, argc, argv);
}

}  // namespace neurolens::cli
