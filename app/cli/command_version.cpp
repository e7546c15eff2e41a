// `version`: versions of NeuroLens and the libraries it was built with, and the
// compute devices LibTorch sees. Useful first line of any bug report.
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "command_summaries.h"
#include "commands.h"
#include "neurolens/core/device.h"
#include "neurolens/core/version.h"

namespace neurolens::cli {

void addVersionCommand(CLI::App& root, CommandList& commands) {
  auto options = std::make_shared<CommonOptions>();
  auto* command = root.add_subcommand(kVersionSummary.name, kVersionSummary.help);
  addCommonOptions(*command, *options);
  commands.push_back({command, [options] {
                        const DeviceInfo devices = queryDevices();
                        const nlohmann::json summary{{"neurolens", versionString()},
                                                     {"libtorch", devices.torchVersion},
                                                     {"cuda_available", devices.cudaAvailable},
                                                     {"cuda_devices", devices.cudaDeviceCount}};
                        if (options->json) {
                          Reporter(*options).summary(summary);
                        } else {
                          std::cout << "neurolens " << versionString() << "\nlibtorch " << devices.torchVersion
                                    << "\ncuda " << (devices.cudaAvailable ? "yes" : "no") << " ("
                                    << devices.cudaDeviceCount << " devices)\n";
                        }
                        return kSuccess;
                      }});
}

}  // namespace neurolens::cli
