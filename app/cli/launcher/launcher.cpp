#include "launcher/launcher.h"

#include <string>

#include "cli_program.h"
#include "commands.h"
#include "launcher/compute_module.h"

namespace neurolens::cli {
namespace {

// A command of the compute module, known here by name and help line only (the
// same line as its add<Name>Command; test_cli_launcher compares the two). It
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
  addForwardedCommand(root, commands, "version", "Versions and the compute devices LibTorch sees", argc, argv);
  addInfoCommand(root, commands);
  addBinCommand(root, commands);
  addForwardedCommand(root, commands, "infer", "A model's latents (and rates) for every trial of a recording", argc,
                      argv);
  addForwardedCommand(root, commands, "attribute",
                      "Attribution of each latent (summed over target bins) to every input bin and unit", argc, argv);
  addForwardedCommand(root, commands, "evaluate",
                      "Bits per spike (and PSTH R2) of a model's rates, as the Neural Latents Benchmark computes them",
                      argc, argv);
  addForwardedCommand(
      root, commands, "probe",
      "Cross-validated linear read-out of a behavioural or trial variable (ridge / logistic regression)", argc, argv);
  addForwardedCommand(root, commands, "link",
                      "Which unit types drive which latents (attribution profiles, sign/basis-free)", argc, argv);
  addDemoCommand(root, commands);
#ifdef NEUROLENS_HAVE_FIGURE
  addForwardedCommand(root, commands, "figure", "Publication figures (PNG, SVG, PDF) and animations, headless", argc,
                      argv);
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
