// NWB 2.x reader (HDF5 C API). Reads /units (ragged spike times and every other
// column), /intervals/trials, /processing/behavior/* and the session description.
// What is read and what is refused: docs/nwb-reading.md.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "h5_util.h"
#include "neurolens/core/errors.h"
#include "neurolens/io/recording_reader.h"

namespace neurolens::io {
namespace {

constexpr hsize_t kSlab = hsize_t{1} << 20;  // 8 MB of doubles per read
constexpr const char* kUnits = "/units";
constexpr const char* kTrials = "/intervals/trials";
constexpr const char* kBehavior = "/processing/behavior";

h5::Handle openDataset(hid_t file, const std::string& path, const std::string& where) {
  h5::Handle access = h5::plistHandle(H5Pcreate(H5P_DATASET_ACCESS));
  // A chunk cache that holds a few compressed chunks, so reading unit by unit
  // does not inflate the same gzip chunk twice.
  H5Pset_chunk_cache(access.get(), 1021, std::size_t{32} << 20, 0.75);
  h5::Handle dataset = h5::datasetHandle(H5Dopen2(file, path.c_str(), access.get()));
  if (!dataset.valid()) throw InputError(where + ": " + path + " cannot be opened (damaged file?)");
  return dataset;
}

// ---- units: ragged spike times ------------------------------------------------

struct UnitsLayout {
  std::string where;  // the file, for messages
  h5::Handle file;
  h5::Handle spikeTimes;
  std::uint64_t spikeCount = 0;
  std::vector<std::uint64_t> ends;  // validated: non-decreasing, <= spikeCount
  std::vector<std::int64_t> ids;

  [[nodiscard]] std::uint64_t begin(std::size_t unit) const { return unit == 0 ? 0 : ends[unit - 1]; }
};

UnitsLayout openUnits(const std::filesystem::path& path) {
  UnitsLayout layout;
  layout.where = path.string();
  layout.file = h5::openFileReadOnly(layout.where);
  const hid_t file = layout.file.get();
  const std::string& where = layout.where;
  if (!h5::isGroup(file, kUnits)) throw InputError(where + ": no /units table (this file holds no sorted units)");
  if (!h5::isDataset(file, "/units/spike_times"))
    throw InputError(where + ": /units has no spike_times column (no spike times to read)");
  layout.spikeTimes = openDataset(file, "/units/spike_times", where);
  const auto info = h5::describe(layout.spikeTimes.get(), where + ": /units/spike_times");
  if (!h5::isNumericClass(info.typeClass))
    throw InputError(where + ": /units/spike_times holds text or other non-numeric values, not times in seconds");
  if (info.shape.size() != 1)
    throw InputError(where + ": /units/spike_times is not a one-dimensional list of times (shape has " +
                     std::to_string(info.shape.size()) + " axes)");
  layout.spikeCount = info.shape[0];

  if (h5::isDataset(file, "/units/spike_times_index")) {
    h5::Handle index = openDataset(file, "/units/spike_times_index", where);
    const auto indexInfo = h5::describe(index.get(), where + ": /units/spike_times_index");
    if (indexInfo.shape.size() != 1) throw InputError(where + ": /units/spike_times_index is not one-dimensional");
    layout.ends = h5::readIndex(index.get(), where + ": /units/spike_times_index");
  } else {
    layout.ends = {layout.spikeCount};  // a single unit owns every spike
  }
  std::uint64_t previous = 0;
  for (std::size_t u = 0; u < layout.ends.size(); ++u) {
    if (layout.ends[u] < previous)
      throw InputError(where + ": /units/spike_times_index decreases at unit row " + std::to_string(u) +
                       " (the ragged index must not decrease)");
    if (layout.ends[u] > layout.spikeCount)
      throw InputError(where + ": /units/spike_times_index points past the end of spike_times at unit row " +
                       std::to_string(u) + " (" + std::to_string(layout.ends[u]) + " > " +
                       std::to_string(layout.spikeCount) + " spike times)");
    previous = layout.ends[u];
  }

  if (h5::isDataset(file, "/units/id")) {
    h5::Handle ids = openDataset(file, "/units/id", where);
    layout.ids = h5::readInt64s(ids.get(), where + ": /units/id");
    if (layout.ids.size() != layout.ends.size())
      throw InputError(where + ": /units/id has " + std::to_string(layout.ids.size()) +
                       " rows but spike_times_index has " + std::to_string(layout.ends.size()));
  } else {
    layout.ids.resize(layout.ends.size());
    for (std::size_t u = 0; u < layout.ids.size(); ++u) layout.ids[u] = static_cast<std::int64_t>(u);
  }
  return layout;
}

void checkFinite(const double* values, std::size_t count, std::uint64_t offset, const std::string& where) {
  for (std::size_t i = 0; i < count; ++i)
    if (!std::isfinite(values[i]))
      throw InputError(where + ": /units/spike_times holds a NaN or infinite spike time at position " +
                       std::to_string(offset + i));
}

// Reads spike_times in slabs: validates every time and returns the latest.
std::optional<double> scanSpikeTimes(const UnitsLayout& layout, const Progress& progress) {
  std::optional<double> latest;
  const std::uint64_t used = layout.ends.empty() ? 0 : layout.ends.back();
  std::vector<double> slab(static_cast<std::size_t>(std::min<std::uint64_t>(kSlab, used)));
  for (std::uint64_t first = 0; first < used; first += kSlab) {
    const hsize_t count = std::min<std::uint64_t>(kSlab, used - first);
    h5::readDoubleSlab(layout.spikeTimes.get(), first, count, slab.data(), layout.where + ": /units/spike_times");
    checkFinite(slab.data(), count, first, layout.where);
    const double slabMax = *std::max_element(slab.begin(), slab.begin() + static_cast<std::ptrdiff_t>(count));
    latest = latest ? std::max(*latest, slabMax) : slabMax;
    progress.report(static_cast<double>(first + count) / static_cast<double>(used), "checking spike times");
  }
  return latest;
}

// Spike times straight from the file. The full scan (for the last spike time)
// runs only when binning needs it (continuous recordings); every unit read is
// checked for NaN / infinite times.
class FileSpikeSource : public SpikeSource {
 public:
  FileSpikeSource(const UnitsLayout& layout, Progress progress) : layout_(layout), progress_(std::move(progress)) {}
  [[nodiscard]] std::size_t units() const override { return layout_.ends.size(); }
  [[nodiscard]] std::optional<double> lastSpikeTime() const override {
    if (!scanned_) {
      latest_ = scanSpikeTimes(layout_, progress_);
      scanned_ = true;
    }
    return latest_;
  }
  void readUnit(std::size_t unit, std::vector<double>& out) const override {
    const std::uint64_t begin = layout_.begin(unit);
    const std::uint64_t count = layout_.ends.at(unit) - begin;
    out.resize(static_cast<std::size_t>(count));
    h5::readDoubleSlab(layout_.spikeTimes.get(), begin, count, out.data(), layout_.where + ": /units/spike_times");
    checkFinite(out.data(), out.size(), begin, layout_.where);
  }

 private:
  const UnitsLayout& layout_;
  Progress progress_;
  mutable bool scanned_ = false;  // a cache: the scan is deterministic
  mutable std::optional<double> latest_;
};

// ---- dynamic tables -------------------------------------------------------------

enum class ValueKind { Number, Text, Reference, Unsupported };

ValueKind kindOf(const h5::DatasetInfo& info) {
  if (info.shape.size() != 1) return ValueKind::Unsupported;
  if (h5::isNumericClass(info.typeClass)) return ValueKind::Number;
  if (info.typeClass == H5T_STRING) return ValueKind::Text;
  if (info.typeClass == H5T_REFERENCE && info.referenceKind == H5R_OBJECT) return ValueKind::Reference;
  return ValueKind::Unsupported;
}

// Reads the 1-D columns of an NWB DynamicTable (plain or ragged; numbers, text,
// or object references shown by their target's name). Columns of other shapes or
// types (2-D waveforms, compound, doubly ragged) are left out. With namesOnly,
// only the names of the readable columns are collected.
Table readDynamicTable(hid_t file, const std::string& group, const std::string& where, std::size_t rows,
                       const std::set<std::string>& skip, bool namesOnly, std::vector<std::string>& names) {
  Table table;
  h5::Handle handle = h5::groupHandle(H5Gopen2(file, group.c_str(), H5P_DEFAULT));
  if (!handle.valid()) throw InputError(where + ": " + group + " cannot be opened (damaged file?)");
  const std::vector<std::string> members = h5::memberNames(handle.get(), where + ": " + group);
  for (const auto& name : members)
    if (h5::isDamagedMember(handle.get(), name))
      throw InputError(where + ": " + group + "/" + name + " cannot be read (damaged object header; damaged file?)");
  const std::set<std::string> memberSet(members.begin(), members.end());
  std::vector<std::string> order;
  for (const auto& name : h5::readStringArrayAttribute(handle.get(), "colnames")) {
    // The NWB schema lists every column here, so a name the table does not hold is damage (a fuzzer's file,
    // whose string heap libhdf5 1.10 read past, gave such names).
    if (memberSet.count(name) == 0)
      throw InputError(where + ": " + group + " lists a column '" + name +
                       "' in its colnames that it does not hold (damaged file?)");
    if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
  }
  for (const auto& name : members) {
    if (std::find(order.begin(), order.end(), name) != order.end()) continue;
    const bool isIndexOfColumn = name.size() > 6 && name.compare(name.size() - 6, 6, "_index") == 0 &&
                                 memberSet.count(name.substr(0, name.size() - 6)) != 0;
    if (!isIndexOfColumn) order.push_back(name);
  }

  for (const auto& name : order) {
    if (name == "id" || skip.count(name) != 0) continue;
    const std::string path = group + "/" + name;
    if (!h5::isDataset(file, path)) continue;
    if (memberSet.count(name + "_index_index") != 0) continue;  // doubly ragged: not representable
    const std::string columnWhere = where + ": " + path;
    h5::Handle dataset = openDataset(file, path, where);
    const auto info = h5::describe(dataset.get(), columnWhere);
    const ValueKind kind = kindOf(info);
    if (kind == ValueKind::Unsupported) continue;
    const bool ragged = memberSet.count(name + "_index") != 0 && h5::isDataset(file, path + "_index");
    h5::Handle index;
    std::size_t columnRows = info.shape[0];
    if (ragged) {
      index = openDataset(file, path + "_index", where);
      const auto indexInfo = h5::describe(index.get(), columnWhere + "_index");
      if (indexInfo.shape.size() != 1 || indexInfo.typeClass != H5T_INTEGER) continue;
      columnRows = indexInfo.shape[0];
    }
    if (columnRows != rows)
      throw InputError(columnWhere + ": the column has " + std::to_string(columnRows) + " rows but the table has " +
                       std::to_string(rows));
    names.push_back(name);
    if (namesOnly) continue;

    Column column;
    column.name = name;
    column.description = h5::readStringAttribute(dataset.get(), "description");
    if (kind == ValueKind::Number) {
      column.values = h5::readDoubles(dataset.get(), columnWhere);
    } else if (kind == ValueKind::Text) {
      column.values = h5::readStrings(dataset.get(), columnWhere);
    } else {
      column.values = h5::readReferenceNames(dataset.get(), columnWhere);
    }
    if (ragged) {
      column.raggedEnd = h5::readIndex(index.get(), columnWhere + "_index");
      std::uint64_t previous = 0;
      for (auto end : column.raggedEnd) {
        if (end < previous || end > info.shape[0])
          throw InputError(columnWhere + "_index: the ragged index decreases or points past the column's values");
        previous = end;
      }
    }
    table.add(std::move(column));
  }
  return table;
}

// The brain region of each unit from the electrodes it was recorded on
// (/units/electrodes indexes the electrodes table, whose `location` names regions).
std::optional<Column> electrodeLocations(hid_t file, const std::string& where, std::size_t rows, bool namesOnly) {
  if (!h5::isDataset(file, "/units/electrodes")) return std::nullopt;
  h5::Handle region = openDataset(file, "/units/electrodes", where);
  h5::Handle electrodes;
  if (h5::hasAttribute(region.get(), "table")) {
    h5::Handle attribute = h5::attributeHandle(H5Aopen(region.get(), "table", H5P_DEFAULT));
    hobj_ref_t ref{};
    h5::Handle type = h5::datatypeHandle(H5Aget_type(attribute.get()));
    if (attribute.valid() && H5Tget_class(type.get()) == H5T_REFERENCE &&
        H5Aread(attribute.get(), H5T_STD_REF_OBJ, &ref) >= 0) {
      const hid_t target = H5Rdereference2(region.get(), H5P_DEFAULT, H5R_OBJECT, &ref);
      if (target >= 0) {
        if (H5Iget_type(target) == H5I_GROUP) {
          electrodes = h5::groupHandle(target);
        } else {
          H5Oclose(target);
        }
      }
    }
  }
  if (!electrodes.valid() && h5::isGroup(file, "/general/extracellular_ephys/electrodes"))
    electrodes = h5::groupHandle(H5Gopen2(file, "/general/extracellular_ephys/electrodes", H5P_DEFAULT));
  if (!electrodes.valid() || H5Lexists(electrodes.get(), "location", H5P_DEFAULT) <= 0) return std::nullopt;
  h5::Handle locationSet = h5::datasetHandle(H5Dopen2(electrodes.get(), "location", H5P_DEFAULT));
  if (!locationSet.valid()) return std::nullopt;
  const auto locationInfo = h5::describe(locationSet.get(), where + ": electrodes/location");
  if (locationInfo.typeClass != H5T_STRING || locationInfo.shape.size() != 1) return std::nullopt;
  Column column;
  column.name = "location";
  column.description = "brain region of the unit's electrodes (from the electrodes table)";
  if (namesOnly) {
    column.values = std::vector<std::string>(rows);
    return column;
  }
  const auto locations = h5::readStrings(locationSet.get(), where + ": electrodes/location");
  const auto electrodeRows = h5::readIndex(region.get(), where + ": /units/electrodes");
  std::vector<std::uint64_t> ends;
  if (h5::isDataset(file, "/units/electrodes_index")) {
    h5::Handle index = openDataset(file, "/units/electrodes_index", where);
    ends = h5::readIndex(index.get(), where + ": /units/electrodes_index");
  } else {
    for (std::size_t r = 1; r <= electrodeRows.size(); ++r) ends.push_back(r);
  }
  if (ends.size() != rows) throw InputError(where + ": /units/electrodes has a different number of rows than /units");
  std::vector<std::string> perUnit;
  std::uint64_t begin = 0;
  for (auto end : ends) {
    if (end < begin || end > electrodeRows.size())
      throw InputError(where + ": /units/electrodes_index decreases or points past /units/electrodes");
    std::vector<std::string> unique;
    for (std::uint64_t i = begin; i < end; ++i) {
      if (electrodeRows[i] >= locations.size())
        throw InputError(where + ": /units/electrodes refers to electrode row " + std::to_string(electrodeRows[i]) +
                         " but the electrodes table has " + std::to_string(locations.size()) + " rows");
      const auto& name = locations[electrodeRows[i]];
      if (std::find(unique.begin(), unique.end(), name) == unique.end()) unique.push_back(name);
    }
    std::string joined;
    for (const auto& name : unique) joined += (joined.empty() ? "" : ", ") + name;
    perUnit.push_back(joined);
    begin = end;
  }
  column.values = std::move(perUnit);
  return column;
}

Table readUnitsTable(const UnitsLayout& layout, bool namesOnly, std::vector<std::string>& names) {
  const hid_t file = layout.file.get();
  Table table = readDynamicTable(file, kUnits, layout.where, layout.ends.size(), {"spike_times", "spike_times_index"},
                                 namesOnly, names);
  if (std::find(names.begin(), names.end(), "location") == names.end()) {
    if (auto location = electrodeLocations(file, layout.where, layout.ends.size(), namesOnly)) {
      names.push_back("location");
      if (!namesOnly) table.add(std::move(*location));
    }
  }
  return table;
}

struct TrialsRead {
  std::optional<Table> table;
  std::vector<std::int64_t> ids;
  std::vector<std::string> names;
  double lastStop = 0.0;
};

TrialsRead readTrials(hid_t file, const std::string& where, bool namesOnly) {
  TrialsRead out;
  if (!h5::isGroup(file, kTrials)) return out;
  const std::string group = kTrials;
  for (const char* required : {"start_time", "stop_time"})
    if (!h5::isDataset(file, group + "/" + required))
      throw InputError(where + ": the trials table has no " + required + " column");
  h5::Handle startSet = openDataset(file, group + "/start_time", where);
  h5::Handle stopSet = openDataset(file, group + "/stop_time", where);
  const auto start = h5::readDoubles(startSet.get(), where + ": " + group + "/start_time");
  const auto stop = h5::readDoubles(stopSet.get(), where + ": " + group + "/stop_time");
  if (start.size() != stop.size())
    throw InputError(where + ": the trials table has " + std::to_string(start.size()) + " start times but " +
                     std::to_string(stop.size()) + " stop times");
  for (std::size_t i = 0; i < start.size(); ++i) {
    if (!std::isfinite(start[i]) || !std::isfinite(stop[i]))
      throw InputError(where + ": trial row " + std::to_string(i) + " has a NaN or infinite start or stop time");
    if (stop[i] < start[i])
      throw InputError(where + ": trial row " + std::to_string(i) + " stops before it starts (start_time " +
                       std::to_string(start[i]) + " s, stop_time " + std::to_string(stop[i]) + " s)");
    out.lastStop = std::max(out.lastStop, stop[i]);
  }
  const std::size_t rows = start.size();
  out.table = readDynamicTable(file, group, where, rows, {}, namesOnly, out.names);
  if (h5::isDataset(file, group + "/id")) {
    h5::Handle ids = openDataset(file, group + "/id", where);
    out.ids = h5::readInt64s(ids.get(), where + ": " + group + "/id");
    if (out.ids.size() != rows)
      throw InputError(where + ": " + group + "/id has a different number of rows than start_time");
  } else {
    for (std::size_t i = 0; i < rows; ++i) out.ids.push_back(static_cast<std::int64_t>(i));
  }
  return out;
}

// ---- behaviour ----------------------------------------------------------------------

struct SeriesLocation {
  std::string name;
  std::string path;
};

std::vector<SeriesLocation> listBehavior(hid_t file, const std::string& where) {
  std::vector<SeriesLocation> found;
  if (!h5::isGroup(file, kBehavior)) return found;
  h5::Handle module = h5::groupHandle(H5Gopen2(file, kBehavior, H5P_DEFAULT));
  if (!module.valid()) return found;
  std::set<std::string> taken;
  std::vector<SeriesLocation> nested;
  for (const auto& name : h5::memberNames(module.get(), where + ": " + kBehavior)) {
    const std::string path = std::string(kBehavior) + "/" + name;
    if (!h5::isGroup(file, path)) continue;
    if (h5::isDataset(file, path + "/data")) {
      found.push_back({name, path});
      taken.insert(name);
      continue;
    }
    // pynwb's containers: BehavioralTimeSeries / Position / ... holding series.
    h5::Handle container = h5::groupHandle(H5Gopen2(file, path.c_str(), H5P_DEFAULT));
    if (!container.valid()) continue;
    for (const auto& child : h5::memberNames(container.get(), where + ": " + path))
      if (h5::isDataset(file, path + "/" + child + "/data")) nested.push_back({child, path + "/" + child});
  }
  for (auto& series : nested) {
    if (taken.count(series.name) != 0) series.name = series.path.substr(std::string(kBehavior).size() + 1);
    taken.insert(series.name);
    found.push_back(series);
  }
  return found;
}

BehaviorSeries readSeries(hid_t file, const SeriesLocation& location, const std::string& where, bool withValues,
                          std::vector<std::size_t>& shape) {
  const std::string seriesWhere = where + ": " + location.path;
  BehaviorSeries series;
  series.name = location.name;
  h5::Handle data = openDataset(file, location.path + "/data", where);
  const auto info = h5::describe(data.get(), seriesWhere + "/data");
  if (!h5::isNumericClass(info.typeClass))
    throw InputError(seriesWhere + "/data holds text or other non-numeric values");
  if (info.shape.empty() || info.shape.size() > 2)
    throw InputError(seriesWhere + "/data must be samples or samples x dims (it has " +
                     std::to_string(info.shape.size()) + " axes)");
  shape.assign(info.shape.begin(), info.shape.end());
  const std::size_t samples = info.shape[0];
  series.dims = info.shape.size() == 2 ? info.shape[1] : 1;
  series.unit = h5::readStringAttribute(data.get(), "unit");

  std::vector<double> timestamps;
  if (h5::isDataset(file, location.path + "/timestamps")) {
    h5::Handle stamps = openDataset(file, location.path + "/timestamps", where);
    const auto stampInfo = h5::describe(stamps.get(), seriesWhere + "/timestamps");
    if (stampInfo.shape.size() != 1 || stampInfo.shape[0] != samples)
      throw InputError(seriesWhere + ": timestamps has " + std::to_string(stampInfo.elements()) + " values for " +
                       std::to_string(samples) + " samples of data");
    if (withValues) timestamps = h5::readDoubles(stamps.get(), seriesWhere + "/timestamps");
  } else if (h5::isDataset(file, location.path + "/starting_time")) {
    h5::Handle startSet = openDataset(file, location.path + "/starting_time", where);
    const double rate = h5::readDoubleAttribute(startSet.get(), "rate", std::numeric_limits<double>::quiet_NaN());
    if (!std::isfinite(rate) || rate <= 0.0)
      throw InputError(seriesWhere + ": starting_time has no positive sampling rate");
    if (withValues) {
      const auto start = h5::readDoubles(startSet.get(), seriesWhere + "/starting_time");
      if (start.size() != 1 || !std::isfinite(start[0]))
        throw InputError(seriesWhere + ": starting_time is not one finite number");
      timestamps.resize(samples);
      for (std::size_t i = 0; i < samples; ++i) timestamps[i] = start[0] + static_cast<double>(i) / rate;
    }
  } else {
    throw InputError(seriesWhere + ": has neither timestamps nor starting_time with a rate");
  }
  if (!withValues) {
    series.timestamps.resize(samples);  // only the count is meaningful
    return series;
  }
  for (std::size_t i = 0; i < timestamps.size(); ++i)
    if (!std::isfinite(timestamps[i]))
      throw InputError(seriesWhere + ": timestamp " + std::to_string(i) + " is NaN or infinite");
  series.timestamps = std::move(timestamps);
  series.data = h5::readDoubles(data.get(), seriesWhere + "/data");
  // NWB stores raw values; data * conversion + offset is in `unit`.
  const double conversion = h5::readDoubleAttribute(data.get(), "conversion", 1.0);
  const double offset = h5::readDoubleAttribute(data.get(), "offset", 0.0);
  if (conversion != 1.0 || offset != 0.0)
    for (auto& value : series.data) value = value * conversion + offset;
  return series;
}

// A scalar text dataset such as /session_description or /identifier; empty when absent or not one text.
std::string readScalarText(hid_t file, const std::string& path, const std::string& where) {
  if (!h5::isDataset(file, path)) return {};
  h5::Handle dataset = openDataset(file, path, where);
  const auto info = h5::describe(dataset.get(), where + ": " + path);
  if (info.typeClass != H5T_STRING || info.elements() != 1) return {};
  const auto texts = h5::readStrings(dataset.get(), where + ": " + path);
  return texts.empty() ? std::string{} : texts.front();
}

std::string readSessionDescription(hid_t file, const std::string& where) {
  return readScalarText(file, "/session_description", where);
}

// Everything but the spike times.
Recording readMetadata(const UnitsLayout& layout) {
  Recording recording;
  const hid_t file = layout.file.get();
  recording.source = layout.where;
  recording.sessionDescription = readSessionDescription(file, layout.where);
  recording.identifier = readScalarText(file, "/identifier", layout.where);
  recording.unitIds = layout.ids;
  std::vector<std::string> names;
  recording.units = readUnitsTable(layout, false, names);
  TrialsRead trials = readTrials(file, layout.where, false);
  recording.trials = std::move(trials.table);
  recording.trialIds = std::move(trials.ids);
  for (const auto& location : listBehavior(file, layout.where)) {
    std::vector<std::size_t> shape;
    recording.behavior.push_back(readSeries(file, location, layout.where, true, shape));
  }
  recording.spikes.end = layout.ends;
  return recording;
}

}  // namespace

RecordingSummary readRecordingSummary(const std::filesystem::path& file) {
  const UnitsLayout layout = openUnits(file);
  const hid_t handle = layout.file.get();
  RecordingSummary summary;
  summary.units = layout.ends.size();
  summary.sessionDescription = readSessionDescription(handle, layout.where);
  // Every table value and behavioural sample is read, not only names and shapes, so that `info` finds damage
  // anywhere in a file (a fuzzer's damaged string column read without complaint by names alone); only the
  // spike times are scanned without being kept. No measurable cost on M1 (0.09 s either way).
  (void)readUnitsTable(layout, false, summary.unitColumns);
  const TrialsRead trials = readTrials(handle, layout.where, false);
  summary.trials = trials.table ? trials.table->rows() : 0;
  if (trials.table) summary.trials = trials.ids.size();
  summary.trialColumns = trials.names;
  for (const auto& location : listBehavior(handle, layout.where)) {
    std::vector<std::size_t> shape;
    const BehaviorSeries series = readSeries(handle, location, layout.where, true, shape);
    summary.behavior[series.name] = BehaviorInfo{shape, series.samples(), series.unit};
  }
  const auto lastSpike = scanSpikeTimes(layout, {});
  summary.durationS = std::max(lastSpike.value_or(0.0), trials.lastStop);
  return summary;
}

Recording readRecording(const std::filesystem::path& file, const Progress& progress) {
  const UnitsLayout layout = openUnits(file);
  Recording recording = readMetadata(layout);
  const std::uint64_t used = layout.ends.empty() ? 0 : layout.ends.back();
  recording.spikes.times.resize(static_cast<std::size_t>(used));
  for (std::uint64_t first = 0; first < used; first += kSlab) {
    const hsize_t count = std::min<std::uint64_t>(kSlab, used - first);
    double* out = recording.spikes.times.data() + first;
    h5::readDoubleSlab(layout.spikeTimes.get(), first, count, out, layout.where + ": /units/spike_times");
    checkFinite(out, count, first, layout.where);
    progress.report(static_cast<double>(first + count) / static_cast<double>(used), "reading spike times");
  }
  return recording;
}

BinnedRecording binRecordingFile(const std::filesystem::path& file, const BinningOptions& options,
                                 const Progress& progress) {
  const UnitsLayout layout = openUnits(file);
  const Recording metadata = readMetadata(layout);
  const FileSpikeSource source(layout, progress.sub(0.0, 0.3));
  return binRecording(metadata, source, options, progress.sub(0.3, 1.0));
}

namespace {

// The spike source seen by one block: rows `rows` of the file's units. The extent (last spike time) is the whole
// recording's, so every block has the same bins.
class UnitSubsetSource : public SpikeSource {
 public:
  UnitSubsetSource(const SpikeSource& all, std::vector<std::size_t> rows) : all_(all), rows_(std::move(rows)) {}
  [[nodiscard]] std::size_t units() const override { return rows_.size(); }
  [[nodiscard]] std::optional<double> lastSpikeTime() const override { return all_.lastSpikeTime(); }
  void readUnit(std::size_t unit, std::vector<double>& out) const override { all_.readUnit(rows_.at(unit), out); }

 private:
  const SpikeSource& all_;
  std::vector<std::size_t> rows_;
};

// A source with the file's units and no spikes, whose extent is one bin: binning with it checks the options
// against the recording and names the kept units without counting anything.
class NoSpikesSource : public SpikeSource {
 public:
  explicit NoSpikesSource(std::size_t units) : units_(units) {}
  [[nodiscard]] std::size_t units() const override { return units_; }
  [[nodiscard]] std::optional<double> lastSpikeTime() const override { return 0.0; }
  void readUnit(std::size_t /*unit*/, std::vector<double>& out) const override { out.clear(); }

 private:
  std::size_t units_;
};

}  // namespace

std::optional<BinnedBlocks> binRecordingFileInBlocks(const std::filesystem::path& file, const BinningOptions& options,
                                                     std::size_t blockUnits, const CountsBlockSink& sink,
                                                     const Progress& progress) {
  if (blockUnits == 0) throw ComputeError("binRecordingFileInBlocks: a block needs at least one unit");
  const UnitsLayout layout = openUnits(file);
  Recording metadata = readMetadata(layout);
  if (metadata.trials) return std::nullopt;
  std::map<std::int64_t, std::size_t> rowOfId;
  for (std::size_t row = 0; row < metadata.unitIds.size(); ++row)
    if (!rowOfId.emplace(metadata.unitIds[row], row).second) return std::nullopt;

  // The kept units (and every refusal of the options that does not depend on the spikes), from a pass with
  // one bin and no spikes; chunks and behaviour are checked by the first block.
  BinningOptions probe = options;
  probe.chunkMs.reset();
  probe.behavior.clear();
  const BinnedRecording kept = binRecording(metadata, NoSpikesSource(metadata.unitIds.size()), probe);
  std::vector<std::size_t> keptRows;
  for (const auto id : kept.unitIds) keptRows.push_back(rowOfId.at(id));
  if (keptRows.empty()) return std::nullopt;

  const FileSpikeSource source(layout, progress.sub(0.0, 0.3));
  Recording shell;  // the recording without its units table and behaviour, copied for each block
  shell.source = metadata.source;
  shell.sessionDescription = metadata.sessionDescription;
  shell.identifier = metadata.identifier;
  shell.trialIds = metadata.trialIds;
  const bool hasUnitColumns = !metadata.units.columns().empty();

  BinnedBlocks result;
  result.units = keptRows.size();
  std::uint64_t spikes = 0;
  for (std::size_t first = 0; first < keptRows.size(); first += blockUnits) {
    const std::size_t width = std::min(blockUnits, keptRows.size() - first);
    const std::vector<std::size_t> rows(keptRows.begin() + static_cast<std::ptrdiff_t>(first),
                                        keptRows.begin() + static_cast<std::ptrdiff_t>(first + width));
    Recording part = shell;
    for (const auto row : rows) part.unitIds.push_back(metadata.unitIds[row]);
    if (hasUnitColumns) part.units = metadata.units.select(rows);
    BinningOptions partOptions = options;
    partOptions.units.clear();
    if (first == 0) {
      part.behavior = std::move(metadata.behavior);  // resampled once, with the first block
    } else {
      partOptions.behavior.clear();
    }
    const double done = static_cast<double>(first) / static_cast<double>(keptRows.size());
    const double next = static_cast<double>(first + width) / static_cast<double>(keptRows.size());
    BinnedRecording block = binRecording(part, UnitSubsetSource(source, rows), partOptions,
                                         progress.sub(0.3 + 0.7 * done, 0.3 + 0.7 * next));
    spikes += block.spikesCounted;
    sink(first, keptRows.size(), block.counts);
    if (first == 0) {
      result.trials = block.trialCount();
      result.bins = block.binCount();
      block.counts = FloatArray();
      result.binned = std::move(block);
    }
  }
  result.binned.unitIds = kept.unitIds;
  result.binned.units = kept.units;
  result.binned.spikesCounted = spikes;
  return result;
}

// ---- windowed counts ----------------------------------------------------------------

namespace {

constexpr std::size_t kIndexStride = 256;  // every 256th spike time of a unit is kept as its index

// k such that origin + k*binS <= t < origin + (k+1)*binS, edges as binEdgeSeconds: the same function as
// core/src/binning.cpp's, so that a window's counts are exactly the whole binning's.
bool binIndexOf(double t, double origin, double binS, std::int64_t& k) {
  const double q = std::floor((t - origin) / binS);
  if (!(std::abs(q) < 1e15)) return false;
  k = static_cast<std::int64_t>(q);
  while (origin + static_cast<double>(k) * binS > t) --k;
  while (origin + static_cast<double>(k + 1) * binS <= t) ++k;
  return true;
}

// The extent of the recording from the file, no spikes read per unit: binning with it gives the layout.
class ExtentOnlySource : public SpikeSource {
 public:
  ExtentOnlySource(const SpikeSource& all, std::size_t units) : all_(all), units_(units) {}
  [[nodiscard]] std::size_t units() const override { return units_; }
  [[nodiscard]] std::optional<double> lastSpikeTime() const override { return all_.lastSpikeTime(); }
  void readUnit(std::size_t /*unit*/, std::vector<double>& out) const override { out.clear(); }

 private:
  const SpikeSource& all_;
  std::size_t units_;
};

}  // namespace

struct WindowedCounts::Impl {
  UnitsLayout layout;
  BinnedRecording binned;
  std::size_t trials = 0;
  std::size_t bins = 0;
  double binS = 0.0;
  double chunkS = 0.0;                     // > 0 for --chunk-ms pseudo-trials
  std::vector<std::size_t> rows;           // kept units' rows in the file
  std::vector<std::vector<double>> index;  // per kept unit: its times at 0, 256, 512, ...
};

WindowedCounts::WindowedCounts(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WindowedCounts::~WindowedCounts() = default;
const BinnedRecording& WindowedCounts::binned() const { return impl_->binned; }
std::size_t WindowedCounts::trials() const { return impl_->trials; }
std::size_t WindowedCounts::bins() const { return impl_->bins; }
std::size_t WindowedCounts::units() const { return impl_->rows.size(); }

std::unique_ptr<WindowedCounts> WindowedCounts::open(const std::filesystem::path& file, const BinningOptions& options,
                                                     const Progress& progress) {
  auto impl = std::make_unique<Impl>();
  impl->layout = openUnits(file);
  const UnitsLayout& layout = impl->layout;
  Recording metadata = readMetadata(layout);
  if (metadata.trials) return nullptr;
  std::map<std::int64_t, std::size_t> rowOfId;
  for (std::size_t row = 0; row < metadata.unitIds.size(); ++row)
    if (!rowOfId.emplace(metadata.unitIds[row], row).second) return nullptr;
  BinningOptions probe = options;
  probe.chunkMs.reset();
  probe.behavior.clear();
  const BinnedRecording kept = binRecording(metadata, NoSpikesSource(metadata.unitIds.size()), probe);
  for (const auto id : kept.unitIds) impl->rows.push_back(rowOfId.at(id));
  if (impl->rows.empty()) return nullptr;

  // The index, checking that each unit's times are in order (else nullptr: the whole binning sorts them).
  const std::uint64_t total = layout.ends.empty() ? 0 : layout.ends.back();
  std::uint64_t done = 0;
  std::vector<double> slab;
  for (const auto row : impl->rows) {
    std::vector<double> index;
    const std::uint64_t begin = layout.begin(row);
    const std::uint64_t end = layout.ends[row];
    double previous = -std::numeric_limits<double>::infinity();
    for (std::uint64_t first = begin; first < end; first += kSlab) {
      const hsize_t count = std::min<std::uint64_t>(kSlab, end - first);
      slab.resize(static_cast<std::size_t>(count));
      h5::readDoubleSlab(layout.spikeTimes.get(), first, count, slab.data(), layout.where + ": /units/spike_times");
      checkFinite(slab.data(), slab.size(), first, layout.where);
      for (std::size_t i = 0; i < slab.size(); ++i) {
        if (slab[i] < previous) return nullptr;
        previous = slab[i];
        if ((first - begin + i) % kIndexStride == 0) index.push_back(slab[i]);
      }
      done += count;
      progress.report(0.5 * static_cast<double>(done) / static_cast<double>(std::max<std::uint64_t>(total, 1)),
                      "indexing spike times");
    }
    impl->index.push_back(std::move(index));
  }

  // The layout and everything but the counts, from a binning of one unit without its spikes.
  const FileSpikeSource source(layout, progress.sub(0.5, 1.0));
  Recording part;
  part.source = metadata.source;
  part.sessionDescription = metadata.sessionDescription;
  part.identifier = metadata.identifier;
  part.unitIds = {metadata.unitIds[impl->rows.front()]};
  if (!metadata.units.columns().empty()) part.units = metadata.units.select({impl->rows.front()});
  part.behavior = std::move(metadata.behavior);
  BinningOptions partOptions = options;
  partOptions.units.clear();
  BinnedRecording shape = binRecording(part, ExtentOnlySource(source, 1), partOptions);
  impl->trials = shape.trialCount();
  impl->bins = shape.binCount();
  shape.counts = FloatArray();
  shape.unitIds = kept.unitIds;
  shape.units = kept.units;
  shape.spikesCounted = 0;
  impl->binned = std::move(shape);
  impl->binS = options.binMs / 1000.0;
  impl->chunkS = options.chunkMs ? *options.chunkMs / 1000.0 : 0.0;
  return std::unique_ptr<WindowedCounts>(new WindowedCounts(std::move(impl)));
}

FloatArray WindowedCounts::read(std::size_t trial, std::size_t begin, std::size_t end) const {
  const Impl& d = *impl_;
  if (trial >= d.trials || begin > end || end > d.bins)
    throw InputError(d.layout.where + ": bins " + std::to_string(begin) + ".." + std::to_string(end) + " of trial " +
                     std::to_string(trial) + " are outside the recording's " + std::to_string(d.trials) + " x " +
                     std::to_string(d.bins) + " bins");
  const std::size_t units = d.rows.size();
  FloatArray counts({end - begin, units});
  if (begin == end) return counts;
  const double origin = d.binned.binStartS.at(trial);
  // The time span of the window's bins, with a bin of slack on each side (the edges decide, below).
  const double lo = binEdgeSeconds(origin, d.binS, begin) - d.binS;
  const double hi = binEdgeSeconds(origin, d.binS, end) + d.binS;
  std::vector<double> times;
  for (std::size_t u = 0; u < units; ++u) {
    const std::vector<double>& index = d.index[u];
    const std::uint64_t unitBegin = d.layout.begin(d.rows[u]);
    const std::uint64_t unitCount = d.layout.ends[d.rows[u]] - unitBegin;
    // Index entries below lo: the spikes before the last of them are before lo too (times in order).
    const auto below = static_cast<std::size_t>(std::lower_bound(index.begin(), index.end(), lo) - index.begin());
    const std::uint64_t first = below == 0 ? 0 : (below - 1) * kIndexStride;
    const auto upTo = static_cast<std::size_t>(std::lower_bound(index.begin(), index.end(), hi) - index.begin());
    const std::uint64_t last = std::min<std::uint64_t>(unitCount, upTo * kIndexStride);
    if (last <= first) continue;
    times.resize(static_cast<std::size_t>(last - first));
    h5::readDoubleSlab(d.layout.spikeTimes.get(), unitBegin + first, last - first, times.data(),
                       d.layout.where + ": /units/spike_times");
    for (const double t : times) {
      std::int64_t k = 0;
      if (d.chunkS > 0.0) {
        std::int64_t chunk = 0;
        if (!binIndexOf(t, 0.0, d.chunkS, chunk) || chunk != static_cast<std::int64_t>(trial)) continue;
      }
      if (!binIndexOf(t, origin, d.binS, k)) continue;
      if (k < static_cast<std::int64_t>(begin) || k >= static_cast<std::int64_t>(end)) continue;
      counts.values()[(static_cast<std::size_t>(k) - begin) * units + u] += 1.0F;
    }
  }
  return counts;
}

}  // namespace neurolens::io
