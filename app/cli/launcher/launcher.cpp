#include "launcher/launcher.h"

#include <string>

#include "cli_program.h"
#include "command_summaries.h"
#include "commands.h"
#include "launcher/compute_module.h"

namespace neurolens::cli {
namespace {

// A command of the compute module, known here by name and help line only
// (command_summaries.h; test_cli_launcher checks the lists agree). It
// takes any arguments, so that its options, --help and usage errors all come
// from the module's own parse of the same command line.
void addForwardedCommand(CLI::App& root, CommandList& commands, const std::string& name, const std::string& help,
                         int argc, char** argv) {
  auto* command = root.add_subcommand(name, help);
  command->set_help_flag();
  command->prefix_command();
  commands.push_back({command, [name, argc, argv] { return runInComputeModule(name, argc, argv); }, true});
}

}  // namespace

void addLauncherCommands(CLI::App& root, CommandList& commands, int argc, char** argv) {
  const auto forward = [&](const CommandSummary& summary) {
    addForwardedCommand(root, commands, summary.name, summary.help, argc, argv);
  };
  forward(kVersionSummary);
  addInfoCommand(root, commands, [argc, argv](const std::string&, bool) {
    return runInComputeModule("info", argc, argv);  // a model: the module loads it
  });
  addBinCommand(root, commands);
  forward(kInferSummary);
  forward(kAttributeSummary);
  forward(kEvaluateSummary);
  forward(kProbeSummary);
  forward(kLinkSummary);
  forward(kAlignSummary);
  forward(kLesionSummary);
  addBatchCommand(root, commands);
  addDemoCommand(root, commands);
#ifdef NEUROLENS_HAVE_FIGURE
  forward(kFigureSummary);
#endif
}

int runLauncher(int argc, char** argv) {
  CLI::App root;
  configureRoot(root);
  CommandList commands;
  addLauncherCommands(root, commands, argc, argv);
  return parseAndRun(root, commands, argc, argv);
}

}  // namespace neurolens::cli
