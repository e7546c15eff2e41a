// `bin FILE`: spike counts [trials, bins, units] (and behaviour resampled to the
// bins) written to --out through the results store. Spike times are streamed
// from the file one unit at a time. A continuous NWB recording is binned a block
// of units at a time, each block written to a chunked /counts and dropped, so
// that counts larger than memory never sit in it whole (issue 20 step 5).
#include <algorithm>
#include <cmath>
#include <memory>
#include <new>
#include <optional>
#include <sstream>

#include "cli_common.h"
#include "commands.h"
#include "neurolens/app/crash_report.h"
#include "neurolens/app/recording_source.h"
#include "neurolens/core/errors.h"
#include "neurolens/io/recording_reader.h"
#include "neurolens/io/results_store.h"
#include "neurolens/plugins/plugin_manager.h"

namespace neurolens::cli {
namespace {

struct BinOptions {
  CommonOptions common;
  BinningCliOptions binning;
  std::string file;
  std::string out;
};

// /behavior [trials, bins, dims]: one series as is; several concatenated along
// the last axis in the order given, their names and widths in attributes.
FloatArray concatenatedBehavior(const BinnedRecording& binned, const std::vector<std::string>& names,
                                std::string& widths) {
  std::size_t dims = 0;
  for (const auto& name : names) dims += binned.behavior.at(name).dim(2);
  const FloatArray& firstSeries = binned.behavior.at(names.front());
  FloatArray all({firstSeries.dim(0), firstSeries.dim(1), dims});
  std::size_t offset = 0;
  for (const auto& name : names) {
    const FloatArray& series = binned.behavior.at(name);
    widths += (widths.empty() ? "" : ",") + std::to_string(series.dim(2));
    for (std::size_t t = 0; t < series.dim(0); ++t)
      for (std::size_t b = 0; b < series.dim(1); ++b)
        for (std::size_t d = 0; d < series.dim(2); ++d) all(t, b, offset + d) = series(t, b, d);
    offset += series.dim(2);
  }
  return all;
}

// Units per block when binning in blocks, and /counts' HDF5 chunk [1, kChunkBins, kBlockUnits] (1 MiB): each
// block covers whole chunks. A block costs 2 x trials x bins x 32 floats (184 MB for 4 h of 20 ms bins).
constexpr std::size_t kBlockUnits = 32;
constexpr std::size_t kChunkBins = 8192;

// Bins a continuous NWB recording a block of units at a time, writing each block straight into /counts;
// nullopt when the file is read by a plugin, has a trials table or repeated unit ids.
std::optional<io::BinnedBlocks> binInBlocks(const BinOptions& options, const BinningOptions& binning,
                                            io::ResultsWriter* writer, const Progress& progress) {
  {
    const app::RecordingSource source;
    if (source.plugins().readerFor(options.file) != nullptr) return std::nullopt;
  }
  std::optional<io::ResultsWriter::Stream> counts;
  const auto sink = [&](std::size_t firstUnit, std::size_t totalUnits, const FloatArray& block) {
    if (writer == nullptr) return;
    if (!counts)
      counts = writer->createStream("/counts", {block.dim(0), block.dim(1), totalUnits}, {1, kChunkBins, kBlockUnits});
    counts->writeBlock({0, 0, firstUnit}, block);
  };
  const app::ReadingFile reading(options.file);  // bounded as every read of a recording (recording_source.cpp)
  try {
    return io::binRecordingFileInBlocks(options.file, binning, kBlockUnits, sink, progress);
  } catch (const std::bad_alloc&) {
    if (!reading.limited()) throw;
    throw InputError(reading.outOfMemory());
  }
}

void writeBinned(io::ResultsWriter& writer, const BinnedRecording& binned, const BinOptions& options,
                 const std::vector<std::string>& names, bool countsWritten) {
  if (!countsWritten) writer.writeArray("/counts", binned.counts);
  writer.writeInt64s("/unit_ids", binned.unitIds);
  writer.writeInt64s("/trial_ids", binned.trialIds);
  writer.writeDoubles("/bin_start_s", binned.binStartS);
  writer.writeAttribute("/", "command", "bin");
  writer.writeAttribute("/", "source", options.file);
  writer.writeAttribute("/", "bin_ms", binned.binMs);
  writer.writeAttribute("/counts", "axes", "trials, bins, units");
  if (!names.empty()) {
    std::string widths;
    std::string joined;
    for (const auto& name : names) joined += (joined.empty() ? "" : ",") + name;
    writer.writeArray("/behavior", names.size() == 1 ? binned.behavior.at(names.front())
                                                     : concatenatedBehavior(binned, names, widths));
    if (widths.empty()) widths = std::to_string(binned.behavior.at(names.front()).dim(2));
    writer.writeAttribute("/behavior", "names", joined);
    writer.writeAttribute("/behavior", "dims_per_name", widths);
    writer.writeAttribute("/behavior", "axes", "trials, bins, dims");
  }
  writer.commit();
}

int runBin(const BinOptions& options) {
  BinningOptions binning = toBinningOptions(options.binning, {});  // no model: --bin-ms or 20
  std::vector<std::string> names;                                  // in the order given, each once
  for (const auto& name : binning.behavior)
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  binning.behavior = names;
  Reporter reporter(options.common);
  // Opened first so that a bad --out is reported before the work; nothing
  // appears under its name unless everything succeeds.
  std::unique_ptr<io::ResultsWriter> writer;
  if (!options.out.empty()) writer = std::make_unique<io::ResultsWriter>(options.out);
  std::optional<io::BinnedBlocks> blocks = binInBlocks(options, binning, writer.get(), reporter.progress());
  const BinnedRecording binned =
      blocks ? std::move(blocks->binned) : readBinnedRecording(options.file, binning, reporter.progress());
  const std::size_t trials = blocks ? blocks->trials : binned.trialCount();
  const std::size_t bins = blocks ? blocks->bins : binned.binCount();
  const std::size_t units = blocks ? blocks->units : binned.unitCount();
  if (writer) writeBinned(*writer, binned, options, names, blocks.has_value());
  reporter.finishProgress();
  std::ostringstream line;
  line << options.file << ": " << trials << " trials x " << bins << " bins of " << binned.binMs << " ms x " << units
       << " units, " << binned.spikesCounted << " spikes counted";
  nlohmann::json json{{"trials", trials}, {"bins", bins}, {"units", units}, {"spikes", binned.spikesCounted}};
  // Bins outside a behavioural series' time span are NaN (cli.md, binning): how many rows have any.
  if (!names.empty()) {
    std::size_t dropped = 0;
    const std::size_t rows = trials * bins;
    for (std::size_t r = 0; r < rows; ++r) {
      bool nan = false;
      for (const auto& name : names) {
        const FloatArray& series = binned.behavior.at(name);
        for (std::size_t d = 0; d < series.dim(2) && !nan; ++d)
          nan = std::isnan(series.values()[r * series.dim(2) + d]);
      }
      dropped += nan ? 1 : 0;
    }
    json["behavior_rows_dropped"] = dropped;
    if (dropped > 0) line << "; " << dropped << " bins outside the behaviour's time span are NaN";
  }
  reporter.result(json, line.str(), options.out);
  return kSuccess;
}

}  // namespace

void addBinCommand(CLI::App& root, CommandList& commands) {
  auto options = std::make_shared<BinOptions>();
  auto* command = root.add_subcommand("bin", "Spike counts [trials, bins, units] (+ behaviour) from a recording");
  addCommonOptions(*command, options->common);
  addBinningOptions(*command, options->binning);
  command->add_option("--out", options->out,
                      "HDF5 results file (/counts, /unit_ids, /trial_ids, /bin_start_s, /behavior)");
  command->add_option("FILE", options->file, "NWB recording")->required();
  commands.push_back({command, [options] { return runBin(*options); }});
}

}  // namespace neurolens::cli
