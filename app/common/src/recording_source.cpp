#include "neurolens/app/recording_source.h"

#include <algorithm>

#include "neurolens/app/crash_report.h"
#include "neurolens/core/errors.h"
#include "neurolens/plugins/plugin_manager.h"

namespace neurolens::app {
namespace {

// Every read of a recording goes through here: bounded in time and memory where the program asked for it
// (crash_report.h), and an allocation that the memory limit refused is the file's fault, not the machine's.
template <typename Read>
auto readBounded(const std::filesystem::path& file, Read&& read) {
  const ReadingFile reading(file);
  try {
    return read();
  } catch (const std::bad_alloc&) {
    if (!reading.limited()) throw;
    throw InputError(reading.outOfMemory());
  }
}

}  // namespace

RecordingSource::RecordingSource() : RecordingSource(plugins::PluginManager::defaultFolders()) {}

RecordingSource::RecordingSource(const std::vector<std::filesystem::path>& pluginFolders)
    : plugins_(std::make_unique<plugins::PluginManager>(pluginFolders)) {}

RecordingSource::~RecordingSource() = default;

io::RecordingSummary RecordingSource::summary(const std::filesystem::path& file) const {
  return readBounded(file, [&] {
    if (const auto* reader = plugins_->readerFor(file)) return summarize(reader->read(file, {}));
    return io::readRecordingSummary(file);
  });
}

Recording RecordingSource::read(const std::filesystem::path& file, const Progress& progress) const {
  return readBounded(file, [&] {
    if (const auto* reader = plugins_->readerFor(file)) return reader->read(file, progress);
    return io::readRecording(file, progress);
  });
}

BinnedRecording RecordingSource::readBinned(const std::filesystem::path& file, const BinningOptions& options,
                                            const Progress& progress) const {
  return readBounded(file, [&] {
    if (const auto* reader = plugins_->readerFor(file))
      return binRecording(reader->read(file, progress.sub(0.0, 0.5)), options, progress.sub(0.5, 1.0));
    return io::binRecordingFile(file, options, progress);
  });
}

std::vector<std::string> RecordingSource::pluginProblems() const {
  std::vector<std::string> lines;
  for (const auto& problem : plugins_->problems()) lines.push_back("plugin " + problem.file + ": " + problem.message);
  return lines;
}

io::RecordingSummary summarize(const Recording& recording) {
  io::RecordingSummary summary;
  summary.units = recording.unitIds.size();
  summary.trials = recording.trials ? recording.trials->rows() : 0;
  summary.unitColumns = recording.units.columnNames();
  if (recording.trials) summary.trialColumns = recording.trials->columnNames();
  summary.sessionDescription = recording.sessionDescription;
  double last = 0.0;
  if (!recording.spikes.times.empty())
    last = *std::max_element(recording.spikes.times.begin(), recording.spikes.times.end());
  if (recording.trials) {
    if (const Column* stop = recording.trials->find("stop_time"); stop != nullptr && stop->isNumeric())
      for (double t : stop->numbers()) last = std::max(last, t);
  }
  summary.durationS = last;
  for (const auto& series : recording.behavior)
    summary.behavior[series.name] = io::BehaviorInfo{{series.samples(), series.dims}, series.samples(), series.unit};
  return summary;
}

}  // namespace neurolens::app
