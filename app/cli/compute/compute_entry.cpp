// The compute module's entry points (compute_module_abi.h): the launcher hands
// over its command line when a command that needs LibTorch is named, and this
// module runs the whole CLI, every command included, exactly as one program would.
#include <exception>
#include <iostream>
#include <type_traits>

#include "cli_common.h"
#include "command_registry.h"
#include "compute_module_abi.h"
#include "neurolens/app/crash_report.h"

extern "C" {

__attribute__((visibility("default"))) const char* neurolens_cli_compute_version() { return NEUROLENS_VERSION; }

__attribute__((visibility("default"))) int neurolens_cli_compute_run(int argc, char** argv) {
  // This module's copy of app_common formats its own crash messages: its handler replaces the launcher's.
  neurolens::app::installCrashReport();
  try {
    return neurolens::cli::runCli(argc, argv);
  } catch (const std::exception& e) {  // runCli maps every error itself; this is the last guard
    std::cerr << "error: internal error: " << e.what() << std::endl;
  } catch (...) {
    std::cerr << "error: internal error" << std::endl;
  }
  return neurolens::cli::kComputeFailed;
}

}  // extern "C"

// The function types the launcher casts dlsym's results to must match.
static_assert(std::is_same_v<decltype(&neurolens_cli_compute_version), neurolens::cli::ComputeVersionFunction>);
static_assert(std::is_same_v<decltype(&neurolens_cli_compute_run), neurolens::cli::ComputeRunFunction>);
