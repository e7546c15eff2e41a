// `demo --out DIR`: the bundled demo, DIR/demo.nwb (a simulated reaching session
// with known structure, core/simulator.h) and DIR/demo_model.pt (the model
// trained on it by tools/python/train_demo_model.py, compiled into the program).
#include <fstream>
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "neurolens/core/atomic_file.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/simulator.h"
#include "neurolens/io/nwb_writer.h"
#include "neurolens/resources/demo_model.h"

namespace neurolens::cli {
namespace {

struct DemoCliOptions {
  CommonOptions common;
  std::string out;
  bool recordingOnly = false;
};

void writeModel(const std::filesystem::path& target) {
  const std::string_view bytes = resources::demoModelBytes();
  AtomicFile file(target);
  {
    std::ofstream out(file.temporaryPath(), std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw InputError("cannot write '" + target.string() + "' (disk full? read-only folder?)");
  }
  file.commit();
}

int runDemo(const DemoCliOptions& options) {
  Reporter reporter(options.common);
  if (!options.recordingOnly && resources::demoModelBytes().empty())
    throw ComputeError(
        "this build has no bundled demo model (resources/demo/demo_model.pt was missing when it was "
        "built); use --recording-only or rebuild after tools/python/train_demo_model.py");
  const std::filesystem::path dir = options.out;
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error || !std::filesystem::is_directory(dir))
    throw InputError("--out '" + options.out + "': cannot create that folder (" + error.message() + ")");

  DemoOptions demoOptions;
  demoOptions.seed = options.common.seed.value_or(demoOptions.seed);
  const DemoData demo = simulateDemo(demoOptions, reporter.progress().sub(0.0, 0.7));
  io::NwbWriteOptions nwb;
  nwb.identifier = "neurolens-demo-seed-" + std::to_string(demoOptions.seed);  // same seed, same file
  nwb.unitsDescription = "simulated units; cell_type says which latents drive each";
  nwb.trialsDescription = "simulated centre-out reaches";
  const std::filesystem::path recording = dir / "demo.nwb";
  io::writeNwb(demo.recording, recording, nwb);
  const std::filesystem::path model = dir / "demo_model.pt";
  if (!options.recordingOnly) writeModel(model);
  reporter.progress().report(1.0, "writing demo");
  reporter.finishProgress();

  const Recording& rec = demo.recording;
  if (options.common.json) {
    nlohmann::json summary{{"recording", recording.string()},
                           {"units", rec.spikes.units()},
                           {"trials", rec.trials ? rec.trials->rows() : 0},
                           {"spikes", rec.spikes.times.size()},
                           {"seed", demoOptions.seed}};
    summary["model"] = options.recordingOnly ? nlohmann::json(nullptr) : nlohmann::json(model.string());
    reporter.summary(summary);
  } else {
    std::cout << "demo recording: " << recording.string() << " (" << rec.spikes.units() << " units, "
              << (rec.trials ? rec.trials->rows() : 0) << " trials, seed " << demoOptions.seed << ")\n";
    if (!options.recordingOnly) {
      std::cout << "demo model:     " << model.string() << " (trained on seed 1)\n";
      std::cout << "try: neurolens-cli evaluate --model " << model.string() << " " << recording.string()
                << " --condition condition\n";
    }
  }
  return kSuccess;
}

}  // namespace

void addDemoCommand(CLI::App& root, CommandList& commands) {
  auto options = std::make_shared<DemoCliOptions>();
  auto* command = root.add_subcommand(
      "demo", "Write the bundled demo: DIR/demo.nwb (simulated reaching, known structure) and DIR/demo_model.pt");
  addCommonOptions(*command, options->common);
  command->add_option("--out", options->out, "Folder to write demo.nwb and demo_model.pt into")->required();
  command->add_flag("--recording-only", options->recordingOnly, "Write demo.nwb only");
  commands.push_back({command, [options] { return runDemo(*options); }});
}

}  // namespace neurolens::cli
