#include "cli_program.h"

#include <iostream>
#include <new>
#include <string>

#include "cli_common.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/version.h"

namespace neurolens::cli {
namespace {

int fail(int code, const std::string& message) {
  std::cerr << "error: " << message << std::endl;
  return code;
}

int runCommand(const Command& command) {
  try {
    return command.run();
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

const Command* forwardingCommand(const CommandList& commands) {
  for (const auto& command : commands)
    if (command.forwardsArguments && command.app->parsed()) return &command;
  return nullptr;
}

}  // namespace

void configureRoot(CLI::App& root) {
  root.name("neurolens-cli");
  root.description("neurolens-cli: headless NeuroLens (same core as the GUI)");
  root.set_version_flag("--version", versionString());
  root.require_subcommand(1);
  root.footer(
      "Run 'neurolens-cli COMMAND --help' for a command's options.\n"
      "Exit status: 0 success, 2 usage error, 3 bad input, 4 failure while computing.");
}

int parseAndRun(CLI::App& root, const CommandList& commands, int argc, char** argv) {
  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help, version and usage errors of a forwarded command are its own to give.
    if (const Command* forwarded = forwardingCommand(commands)) return runCommand(*forwarded);
    if (dynamic_cast<const CLI::CallForHelp*>(&e) != nullptr) {
      std::cout << root.help();
      return kSuccess;
    }
    if (dynamic_cast<const CLI::CallForAllHelp*>(&e) != nullptr) {
      std::cout << root.help("", CLI::AppFormatMode::All);
      return kSuccess;
    }
    if (dynamic_cast<const CLI::CallForVersion*>(&e) != nullptr) {
      std::cout << versionString() << std::endl;
      return kSuccess;
    }
    // Help requested on a subcommand is thrown from the subcommand's parse.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      root.exit(e);
      return kSuccess;
    }
    std::string what = e.what();
    if (what.empty()) what = "invalid command line";
    return fail(kUsage, what + " (see neurolens-cli --help)");
  }

  for (const auto& command : commands)
    if (command.app->parsed()) return runCommand(command);
  return fail(kUsage, "no command given (see neurolens-cli --help)");
}

}  // namespace neurolens::cli
