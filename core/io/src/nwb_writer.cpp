// NWB 2.x writer in pynwb's layout. Every group and dataset carries the
// neurodata_type / namespace / object_id attributes pynwb needs to build its
// objects back; no cached specification is written (pynwb then uses the core
// namespace it ships with).
#include "neurolens/io/nwb_writer.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iomanip>
#include <random>
#include <set>
#include <sstream>

#include "h5_util.h"
#include "neurolens/core/atomic_file.h"
#include "neurolens/core/errors.h"
#include "neurolens/io/hdf5_session.h"

namespace neurolens::io {
namespace {

constexpr const char* kNwbVersion = "2.7.0";

class UuidSource {
 public:
  UuidSource() : engine_(std::random_device{}()) {}
  std::string next() {
    std::uniform_int_distribution<int> nibble(0, 15);
    const char* hex = "0123456789abcdef";
    std::string id;
    for (int i = 0; i < 36; ++i) {
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        id += '-';
      } else if (i == 14) {
        id += '4';  // version 4
      } else if (i == 19) {
        id += hex[8 + nibble(engine_) % 4];  // variant 10xx
      } else {
        id += hex[nibble(engine_)];
      }
    }
    return id;
  }

 private:
  std::mt19937_64 engine_;
};

std::string nowIso8601() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::ostringstream text;
  text << std::put_time(&utc, "%Y-%m-%dT%H:%M:%S") << "+00:00";
  return text.str();
}

class Writer {
 public:
  Writer(hid_t file, std::string where) : file_(file), where_(std::move(where)) {}

  void typed(hid_t object, const char* type, const char* ns) {
    h5::writeStringAttribute(object, "namespace", ns);
    h5::writeStringAttribute(object, "neurodata_type", type);
    h5::writeStringAttribute(object, "object_id", uuids_.next());
  }

  h5::Handle group(const std::string& path) { return h5::createGroups(file_, path); }

  void vectorData(hid_t table, const Column& column) {
    const std::string where = where_ + ": column " + column.name;
    h5::Handle dataset;
    if (column.isNumeric()) {
      const auto& v = column.numbers();
      dataset = h5::writeDataset(table, column.name, H5T_NATIVE_DOUBLE, {v.size()}, v.data(), where);
    } else {
      dataset = h5::writeStringDataset(table, column.name, column.texts(), false, where);
    }
    h5::writeStringAttribute(dataset.get(), "description",
                             column.description.empty() ? column.name : column.description);
    typed(dataset.get(), "VectorData", "hdmf-common");
    if (column.isRagged()) vectorIndex(table, column.name, column.raggedEnd);
  }

  void vectorIndex(hid_t table, const std::string& target, const std::vector<std::uint64_t>& ends) {
    const std::string name = target + "_index";
    const std::uint64_t maximum = ends.empty() ? 0 : ends.back();
    // The narrowest unsigned type that holds the ends, as pynwb chooses.
    h5::Handle dataset;
    const std::string where = where_ + ": " + name;
    if (maximum <= 0xFFU) {
      std::vector<std::uint8_t> v(ends.begin(), ends.end());
      dataset = h5::writeDataset(table, name, H5T_NATIVE_UINT8, {v.size()}, v.data(), where);
    } else if (maximum <= 0xFFFFU) {
      std::vector<std::uint16_t> v(ends.begin(), ends.end());
      dataset = h5::writeDataset(table, name, H5T_NATIVE_UINT16, {v.size()}, v.data(), where);
    } else if (maximum <= 0xFFFFFFFFU) {
      std::vector<std::uint32_t> v(ends.begin(), ends.end());
      dataset = h5::writeDataset(table, name, H5T_NATIVE_UINT32, {v.size()}, v.data(), where);
    } else {
      dataset = h5::writeDataset(table, name, H5T_NATIVE_UINT64, {ends.size()}, ends.data(), where);
    }
    h5::writeStringAttribute(dataset.get(), "description", "Index for VectorData '" + target + "'");
    typed(dataset.get(), "VectorIndex", "hdmf-common");
    char tablePath[1024] = {0};
    H5Iget_name(table, tablePath, sizeof(tablePath));
    h5::writeReferenceAttribute(dataset.get(), "target", file_, std::string(tablePath) + "/" + target);
  }

  void ids(hid_t table, const std::vector<std::int64_t>& values) {
    h5::Handle dataset =
        h5::writeDataset(table, "id", H5T_NATIVE_INT64, {values.size()}, values.data(), where_ + ": id");
    typed(dataset.get(), "ElementIdentifiers", "hdmf-common");
  }

  void scalarText(const std::string& path, const std::string& value) {
    h5::writeStringDataset(file_, path, {value}, true, where_ + ": " + path);
  }

 private:
  hid_t file_;
  std::string where_;
  UuidSource uuids_;
};

void checkConsistent(const Recording& recording, const std::string& where) {
  const auto& spikes = recording.spikes;
  if (recording.unitIds.size() != spikes.units())
    throw InputError(where + ": " + std::to_string(recording.unitIds.size()) + " unit ids for " +
                     std::to_string(spikes.units()) + " spike trains");
  std::uint64_t previous = 0;
  for (auto end : spikes.end) {
    if (end < previous || end > spikes.times.size())
      throw InputError(where + ": the spike-train ends are decreasing or beyond the spike times");
    previous = end;
  }
  if (!spikes.end.empty() && spikes.end.back() != spikes.times.size())
    throw InputError(where + ": the last spike train does not end at the last spike time");
  if (!recording.units.columns().empty() && recording.units.rows() != spikes.units())
    throw InputError(where + ": the units table has " + std::to_string(recording.units.rows()) + " rows for " +
                     std::to_string(spikes.units()) + " units");
  if (recording.trials) {
    const Column* start = recording.trials->find("start_time");
    const Column* stop = recording.trials->find("stop_time");
    if (start == nullptr || stop == nullptr || !start->isNumeric() || !stop->isNumeric() || start->isRagged() ||
        stop->isRagged())
      throw InputError(where + ": the trials table needs numeric start_time and stop_time columns");
    if (!recording.trialIds.empty() && recording.trialIds.size() != recording.trials->rows())
      throw InputError(where + ": trial ids and trials table disagree in length");
  }
  for (const auto& series : recording.behavior) {
    if (series.name.empty() || series.name.find('/') != std::string::npos)
      throw InputError(where + ": behavioural series name '" + series.name + "' is empty or contains '/'");
    if (series.dims == 0 || series.data.size() != series.samples() * series.dims)
      throw InputError(where + ": behavioural series '" + series.name + "' has " + std::to_string(series.data.size()) +
                       " values for " + std::to_string(series.samples()) + " samples x " + std::to_string(series.dims) +
                       " dims");
  }
}

std::vector<std::int64_t> defaultIds(std::size_t n) {
  std::vector<std::int64_t> ids(n);
  for (std::size_t i = 0; i < n; ++i) ids[i] = static_cast<std::int64_t>(i);
  return ids;
}

void writeContents(hid_t file, const Recording& recording, const NwbWriteOptions& options, const std::string& where) {
  Writer w(file, where);
  UuidSource uuids;
  h5::Handle root = h5::groupHandle(H5Gopen2(file, "/", H5P_DEFAULT));
  w.typed(root.get(), "NWBFile", "core");
  h5::writeStringAttribute(root.get(), "nwb_version", kNwbVersion);

  for (const char* path : {"/acquisition", "/analysis", "/general", "/intervals", "/processing",
                           "/stimulus/presentation", "/stimulus/templates"})
    w.group(path);
  const std::string now = nowIso8601();
  const std::string start = options.sessionStartTime.empty() ? "2020-01-01T00:00:00+00:00" : options.sessionStartTime;
  w.scalarText("/identifier", options.identifier.empty() ? uuids.next() : options.identifier);
  w.scalarText("/session_description",
               recording.sessionDescription.empty() ? "recording written by NeuroLens" : recording.sessionDescription);
  w.scalarText("/session_start_time", start);
  w.scalarText("/timestamps_reference_time", start);
  h5::writeStringDataset(file, "/file_create_date", {now}, false, where + ": file_create_date");
  {
    h5::Handle subject = w.group("/general/subject");
    w.typed(subject.get(), "Subject", "core");
    w.scalarText("/general/subject/subject_id", options.subjectId.empty() ? "subject" : options.subjectId);
    w.scalarText("/general/subject/sex", options.sex.empty() ? "U" : options.sex);
    if (!options.species.empty()) w.scalarText("/general/subject/species", options.species);
    if (!options.age.empty()) w.scalarText("/general/subject/age", options.age);
  }

  // /units
  {
    h5::Handle units = w.group("/units");
    w.typed(units.get(), "Units", "core");
    h5::writeStringAttribute(units.get(), "description", options.unitsDescription);
    std::vector<std::string> colnames;
    for (const auto& column : recording.units.columns()) {
      static const std::set<std::string> kReserved{"id", "spike_times", "spike_times_index", "electrodes",
                                                   "electrode_group"};
      if (kReserved.count(column.name) != 0 || column.name.empty() || column.name.find('/') != std::string::npos)
        continue;
      w.vectorData(units.get(), column);
      colnames.push_back(column.name);
    }
    {
      // NWB wants each unit's spike times ascending; sort a copy only when needed.
      std::vector<double> sorted;
      const std::vector<double>* source = &recording.spikes.times;
      for (std::size_t u = 0; u < recording.spikes.units() && source == &recording.spikes.times; ++u) {
        const auto begin = recording.spikes.times.begin() + static_cast<std::ptrdiff_t>(recording.spikes.begin(u));
        const auto end = recording.spikes.times.begin() + static_cast<std::ptrdiff_t>(recording.spikes.end[u]);
        if (!std::is_sorted(begin, end)) {
          sorted = recording.spikes.times;
          source = &sorted;
        }
      }
      if (source == &sorted)
        for (std::size_t u = 0; u < recording.spikes.units(); ++u)
          std::sort(sorted.begin() + static_cast<std::ptrdiff_t>(recording.spikes.begin(u)),
                    sorted.begin() + static_cast<std::ptrdiff_t>(recording.spikes.end[u]));
      const auto& times = *source;
      h5::Handle dataset = h5::writeDataset(units.get(), "spike_times", H5T_NATIVE_DOUBLE, {times.size()}, times.data(),
                                            where + ": spike_times");
      h5::writeStringAttribute(dataset.get(), "description", "the spike times for each unit in seconds");
      if (options.spikeTimeResolutionS > 0.0)
        h5::writeDoubleAttribute(dataset.get(), "resolution", options.spikeTimeResolutionS);
      w.typed(dataset.get(), "VectorData", "hdmf-common");
      w.vectorIndex(units.get(), "spike_times", recording.spikes.end);
    }
    colnames.push_back("spike_times");
    h5::writeStringArrayAttribute(units.get(), "colnames", colnames);
    w.ids(units.get(), recording.unitIds);
  }

  // /intervals/trials
  if (recording.trials) {
    const Table& trials = *recording.trials;
    h5::Handle group = w.group("/intervals/trials");
    w.typed(group.get(), "TimeIntervals", "core");
    h5::writeStringAttribute(group.get(), "description", options.trialsDescription);
    std::vector<std::string> colnames{"start_time", "stop_time"};
    w.vectorData(group.get(), *trials.find("start_time"));
    w.vectorData(group.get(), *trials.find("stop_time"));
    for (const auto& column : trials.columns()) {
      if (column.name == "start_time" || column.name == "stop_time" || column.name == "id" ||
          column.name == "timeseries" || column.name.empty() || column.name.find('/') != std::string::npos)
        continue;
      w.vectorData(group.get(), column);
      colnames.push_back(column.name);
    }
    h5::writeStringArrayAttribute(group.get(), "colnames", colnames);
    w.ids(group.get(), recording.trialIds.empty() ? defaultIds(trials.rows()) : recording.trialIds);
  }

  // /processing/behavior/<name>
  if (!recording.behavior.empty()) {
    h5::Handle module = w.group("/processing/behavior");
    w.typed(module.get(), "ProcessingModule", "core");
    h5::writeStringAttribute(module.get(), "description", "behavioral data");
    for (const auto& series : recording.behavior) {
      h5::Handle group = w.group("/processing/behavior/" + series.name);
      w.typed(group.get(), "TimeSeries", "core");
      h5::writeStringAttribute(group.get(), "description", series.name);
      h5::writeStringAttribute(group.get(), "comments", "no comments");
      std::vector<hsize_t> shape{series.samples()};
      if (series.dims > 1) shape.push_back(series.dims);
      h5::Handle data = h5::writeDataset(group.get(), "data", H5T_NATIVE_DOUBLE, shape, series.data.data(),
                                         where + ": " + series.name + "/data");
      h5::writeFloatAttribute(data.get(), "conversion", 1.0F);
      h5::writeFloatAttribute(data.get(), "offset", 0.0F);
      h5::writeFloatAttribute(data.get(), "resolution", -1.0F);
      h5::writeStringAttribute(data.get(), "unit", series.unit.empty() ? "a.u." : series.unit);
      h5::Handle stamps = h5::writeDataset(group.get(), "timestamps", H5T_NATIVE_DOUBLE, {series.samples()},
                                           series.timestamps.data(), where + ": " + series.name + "/timestamps");
      h5::writeInt32Attribute(stamps.get(), "interval", 1);
      h5::writeStringAttribute(stamps.get(), "unit", "seconds");
    }
  }
}

}  // namespace

void writeNwb(const Recording& recording, const std::filesystem::path& file, const NwbWriteOptions& options) {
  quietHdf5Errors();
  const std::string where = file.string();
  checkConsistent(recording, where);
  AtomicFile output(file);
  {
    h5::Handle handle =
        h5::fileHandle(H5Fcreate(output.temporaryPath().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    if (!handle.valid()) throw ComputeError(where + ": cannot create the file (permissions? disk full?)");
    writeContents(handle.get(), recording, options, where);
    if (H5Fflush(handle.get(), H5F_SCOPE_GLOBAL) < 0)
      throw ComputeError(where + ": cannot flush the file (disk full?)");
  }
  output.commit();
}

}  // namespace neurolens::io
