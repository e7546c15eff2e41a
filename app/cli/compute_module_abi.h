#pragma once
// What the launcher (neurolens-cli, no LibTorch) and the compute module (the
// commands that need LibTorch, loaded with dlopen) agree on: the module's file
// name and the two C functions it exports. Plain C types only, so nothing about
// the module's C++ internals crosses the boundary.

namespace neurolens::cli {

// <program>/../<libdir>/neurolens/ in an install, build/lib/neurolens/ in a build tree.
inline constexpr const char* kComputeModuleFile = "neurolens_cli_compute.so";

// const char* neurolens_cli_compute_version(): the NeuroLens version the module
// was built as; the launcher refuses a module from another version.
inline constexpr const char* kComputeVersionSymbol = "neurolens_cli_compute_version";
using ComputeVersionFunction = const char* (*)();

// int neurolens_cli_compute_run(int argc, char** argv): the whole CLI with every
// command (runCli) on the launcher's own argv; returns the exit code, never throws.
inline constexpr const char* kComputeRunSymbol = "neurolens_cli_compute_run";
using ComputeRunFunction = int (*)(int, char**);

}  // namespace neurolens::cli
