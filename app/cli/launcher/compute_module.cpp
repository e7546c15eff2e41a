#include "launcher/compute_module.h"

#include <dlfcn.h>

#include <filesystem>
#include <system_error>
#include <vector>

#include "compute_module_abi.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/version.h"

namespace neurolens::cli {
namespace {

std::filesystem::path programFolder() {
  std::error_code error;
  const auto program = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::current_path() : program.parent_path();
}

// An install keeps the module in <prefix>/<libdir>/neurolens, a build tree in build/lib/neurolens.
std::vector<std::filesystem::path> candidates() {
  const auto program = programFolder();
  std::vector<std::filesystem::path> paths;
  for (const char* folder : {NEUROLENS_CLI_MODULE_RELATIVE_DIR, "../lib/neurolens"}) {
    const auto path = (program / folder / kComputeModuleFile).lexically_normal();
    bool seen = false;
    for (const auto& other : paths) seen = seen || other == path;
    if (!seen) paths.push_back(path);
  }
  return paths;
}

std::string joined(const std::vector<std::filesystem::path>& paths) {
  std::string text;
  for (const auto& path : paths) text += (text.empty() ? "" : " or ") + path.string();
  return text;
}

}  // namespace

int runInComputeModule(const std::string& command, int argc, char** argv) {
  const std::string needs = "'" + command + "' needs the part of NeuroLens that runs models (LibTorch), ";
  const auto paths = candidates();
  std::filesystem::path module;
  for (const auto& path : paths) {
    std::error_code error;
    if (std::filesystem::exists(path, error)) {
      module = path;
      break;
    }
  }
  if (module.empty())
    throw InputError(needs + "which is not installed: there is no " + joined(paths) +
                     ". Reinstall NeuroLens (in a build tree: build the target neurolens_cli_compute)");

  // Never closed: LibTorch and the objects the command made stay until the process ends.
  void* handle = dlopen(module.c_str(), RTLD_LAZY | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    throw InputError(needs + module.string() + ", which cannot be loaded (" + (why ? why : "unknown reason") +
                     "). Reinstall NeuroLens");
  }
  const auto version = reinterpret_cast<ComputeVersionFunction>(dlsym(handle, kComputeVersionSymbol));
  const auto run = reinterpret_cast<ComputeRunFunction>(dlsym(handle, kComputeRunSymbol));
  if (version == nullptr || run == nullptr)
    throw InputError(needs + "but " + module.string() + " is not a NeuroLens compute module. Reinstall NeuroLens");
  const std::string moduleVersion = version();
  if (moduleVersion != versionString())
    throw InputError(needs + "but " + module.string() + " belongs to NeuroLens " + moduleVersion +
                     " and this neurolens-cli is " + versionString() + ". Reinstall NeuroLens so that both match");
  return run(argc, argv);
}

}  // namespace neurolens::cli
