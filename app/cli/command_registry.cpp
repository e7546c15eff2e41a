#include "command_registry.h"

#include <iostream>
#include <new>

#include "cli_common.h"
#include "commands.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/version.h"

namespace neurolens::cli {

void addAllCommands(CLI::App& root, CommandList& commands) {
  addVersionCommand(root, commands);
  addInfoCommand(root, commands);
  addBinCommand(root, commands);
  addInferCommand(root, commands);
  addAttributeCommand(root, commands);
  addEvaluateCommand(root, commands);
  addProbeCommand(root, commands);
  addLinkCommand(root, commands);
  addDemoCommand(root, commands);
#ifdef NEUROLENS_HAVE_FIGURE
  addFigureCommand(root, commands);
#endif
}

namespace {

int fail(int code, const std::string& message) {
  std::cerr << "error: " << message << std::endl;
  return code;
}

}  // namespace

int runCli(int argc, char** argv) {
  CLI::App root{"neurolens-cli: headless NeuroLens (same core as the GUI)", "neurolens-cli"};
  root.set_version_flag("--version", versionString());
  root.require_subcommand(1);
  root.footer("Run 'neurolens-cli COMMAND --help' for a command's options.\n"
              "Exit status: 0 success, 2 usage error, 3 bad input, 4 failure while computing.");
  CommandList commands;
  addAllCommands(root, commands);

  try {
    root.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << root.help();
    return kSuccess;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << root.help("", CLI::AppFormatMode::All);
    return kSuccess;
  } catch (const CLI::CallForVersion&) {
    std::cout << versionString() << std::endl;
    return kSuccess;
  } catch (const CLI::ParseError& e) {
    // Help requested on a subcommand is thrown from the subcommand's parse.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      root.exit(e);
      return kSuccess;
    }
    std::string what = e.what();
    if (what.empty()) what = "invalid command line";
    return fail(kUsage, what + " (see neurolens-cli --help)");
  }

  try {
    for (const auto& command : commands)
      if (command.app->parsed()) return command.run();
    return fail(kUsage, "no command given (see neurolens-cli --help)");
  } catch (const UsageError& e) {
    return fail(kUsage, std::string(e.what()) + " (see neurolens-cli --help)");
  } catch (const InputError& e) {
    return fail(kBadInput, e.what());
  } catch (const ComputeError& e) {
    return fail(kComputeFailed, e.what());
  } catch (const Cancelled&) {
    return fail(kCancelled, "cancelled");
  } catch (const std::bad_alloc&) {
    return fail(kComputeFailed, "out of memory");
  } catch (const std::exception& e) {
    return fail(kComputeFailed, std::string("internal error: ") + e.what());
  }
}

}  // namespace neurolens::cli
