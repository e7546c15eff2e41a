// `info FILE`: what a recording holds (units, trials, duration, columns,
// behavioural series), read without loading the spike times into memory; on a model file (a TorchScript
// archive) what the model is, answered by the compute module (command_info_model.cpp).
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "neurolens/io/recording_reader.h"

namespace neurolens::cli {
namespace {

struct InfoOptions {
  CommonOptions common;
  std::string file;
  bool readAll = false;
};

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text.empty() ? "(none)" : text;
}

// A TorchScript file is a zip archive ("PK\3\4"); recordings (HDF5, MAT-files) are not.
bool isModelFile(const std::string& file) {
  std::ifstream stream(file, std::ios::binary);
  char magic[4] = {};
  return stream.read(magic, sizeof magic) && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

int runInfo(const InfoOptions& options, const ModelInfoRunner& modelInfo) {
  if (modelInfo && isModelFile(options.file)) return modelInfo(options.file, options.common.json);
  const io::RecordingSummary summary = readRecordingSummary(options.file);
  if (options.readAll) readWholeRecording(options.file);
  if (options.common.json) {
    nlohmann::json behavior = nlohmann::json::object();
    for (const auto& [name, series] : summary.behavior)
      behavior[name] = {{"dims", series.dims}, {"samples", series.samples}, {"unit", series.unit}};
    Reporter(options.common)
        .summary({{"units", summary.units},
                  {"trials", summary.trials},
                  {"duration_s", summary.durationS},
                  {"unit_columns", summary.unitColumns},
                  {"trial_columns", summary.trialColumns},
                  {"behavior", behavior}});
    return kSuccess;
  }
  std::cout << options.file << "\n";
  if (!summary.sessionDescription.empty()) std::cout << "  session:      " << summary.sessionDescription << "\n";
  std::cout << "  units:        " << summary.units << "\n"
            << "  trials:       "
            << (summary.trials == 0 ? std::string("none (continuous recording)") : std::to_string(summary.trials))
            << "\n"
            << "  duration:     " << std::fixed << std::setprecision(3) << summary.durationS << " s\n"
            << "  unit columns: " << joined(summary.unitColumns) << "\n"
            << "  trial columns: " << joined(summary.trialColumns) << "\n"
            << "  behaviour:    " << (summary.behavior.empty() ? "(none)" : "") << "\n";
  for (const auto& [name, series] : summary.behavior) {
    std::string shape;
    for (auto d : series.dims) shape += (shape.empty() ? "" : " x ") + std::to_string(d);
    std::cout << "    " << name << ": " << series.samples << " samples, shape " << shape
              << (series.unit.empty() ? "" : ", unit " + series.unit) << "\n";
  }
  return kSuccess;
}

}  // namespace

void addInfoCommand(CLI::App& root, CommandList& commands, ModelInfoRunner modelInfo) {
  auto options = std::make_shared<InfoOptions>();
  auto* command =
      root.add_subcommand("info", "What an NWB recording holds: units, trials, duration, columns, behaviour");
  addCommonOptions(*command, options->common);
  command->add_option("FILE", options->file, "NWB recording, or a model (name, units, latents, sessions)")->required();
  command->add_flag("--read-all", options->readAll,
                    "Also read every spike, trial and behavioural sample, as opening the file in the GUI does "
                    "(the GUI runs this first, so that a damaged file cannot take the session down)");
  commands.push_back({command, [options, modelInfo] { return runInfo(*options, modelInfo); }});
}

}  // namespace neurolens::cli
