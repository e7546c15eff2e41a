// Binning exactly as ../shared/spec/cli.md defines it. Spikes are counted per
// unit with one floor division each (corrected against the exact bin edges so
// that a spike on an edge always falls in the later bin), O(spikes) overall.
#include "neurolens/core/binning.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>
#include <numeric>
#include <set>
#include <sstream>

#include "neurolens/core/errors.h"

namespace neurolens {
namespace {

// A bin count from a length in bins, tolerant of the rounding of times stored in
// seconds (0.4 s - 0.0 s read as 399.99999999999994 ms must still give 20 bins of 20 ms).
std::size_t wholeBins(double lengthInBins) {
  constexpr double kTolerance = 1e-6;  // a millionth of a bin
  if (!(lengthInBins > 0.0)) return 0;
  return static_cast<std::size_t>(std::floor(lengthInBins + kTolerance));
}

// k such that origin + k*binS <= t < origin + (k+1)*binS, edges computed exactly as binEdgeSeconds.
// Returns false when t is too far away to index.
bool binIndex(double t, double origin, double binS, std::int64_t& k) {
  const double q = std::floor((t - origin) / binS);
  if (!(std::abs(q) < 1e15)) return false;
  k = static_cast<std::int64_t>(q);
  while (origin + static_cast<double>(k) * binS > t) --k;
  while (origin + static_cast<double>(k + 1) * binS <= t) ++k;
  return true;
}

class MemorySpikeSource : public SpikeSource {
 public:
  explicit MemorySpikeSource(const SpikeTrains& spikes) : spikes_(spikes) {}
  [[nodiscard]] std::size_t units() const override { return spikes_.units(); }
  [[nodiscard]] std::optional<double> lastSpikeTime() const override {
    if (spikes_.times.empty() || spikes_.end.empty() || spikes_.end.back() == 0) return std::nullopt;
    const auto last = spikes_.times.begin() + static_cast<std::ptrdiff_t>(spikes_.end.back());
    return *std::max_element(spikes_.times.begin(), last);
  }
  void readUnit(std::size_t unit, std::vector<double>& out) const override {
    const auto begin = spikes_.times.begin() + static_cast<std::ptrdiff_t>(spikes_.begin(unit));
    const auto end = spikes_.times.begin() + static_cast<std::ptrdiff_t>(spikes_.end.at(unit));
    out.assign(begin, end);
  }

 private:
  const SpikeTrains& spikes_;
};

std::vector<std::size_t> selectUnits(const Recording& recording, const std::string& spec, std::size_t unitCount) {
  std::vector<std::size_t> kept;
  if (spec.empty()) {
    kept.resize(unitCount);
    std::iota(kept.begin(), kept.end(), std::size_t{0});
    return kept;
  }
  const auto equals = spec.find('=');
  if (equals != std::string::npos) {
    const std::string name = spec.substr(0, equals);
    const std::string value = spec.substr(equals + 1);
    const Column* column = recording.units.find(name);
    if (column == nullptr) {
      std::string known;
      for (const auto& n : recording.units.columnNames()) known += (known.empty() ? "" : ", ") + n;
      throw InputError(recording.source + ": --units " + spec + ": the units table has no column '" + name +
                       "' (columns: " + (known.empty() ? "none" : known) + ")");
    }
    std::optional<double> number;
    if (column->isNumeric()) {
      try {
        std::size_t used = 0;
        number = std::stod(value, &used);
        if (used != value.size()) number.reset();
      } catch (const std::logic_error&) {
        number.reset();
      }
      if (!number)
        throw InputError("--units " + spec + ": column '" + name + "' holds numbers and '" + value + "' is not one");
    }
    for (std::size_t row = 0; row < unitCount && row < column->rows(); ++row) {
      const std::uint64_t begin = column->isRagged() ? (row == 0 ? 0 : column->raggedEnd[row - 1]) : row;
      const std::uint64_t end = column->isRagged() ? column->raggedEnd[row] : row + 1;
      bool match = false;
      for (std::uint64_t i = begin; i < end && !match; ++i)
        match = number ? column->numbers().at(i) == *number : column->texts().at(i) == value;
      if (match) kept.push_back(row);
    }
    if (kept.empty())
      throw InputError(recording.source + ": --units " + spec + ": no unit has " + name + " = " + value);
    return kept;
  }
  std::set<std::size_t> rows;
  std::stringstream list(spec);
  std::string item;
  while (std::getline(list, item, ',')) {
    if (item.empty()) continue;
    std::int64_t id = 0;
    try {
      std::size_t used = 0;
      id = std::stoll(item, &used);
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::logic_error&) {
      throw InputError("--units: '" + item + "' is not a unit id (give ids like 3,7,12 or COLUMN=VALUE)");
    }
    const auto found = std::find(recording.unitIds.begin(), recording.unitIds.end(), id);
    if (found == recording.unitIds.end())
      throw InputError(recording.source + ": --units: there is no unit with id " + item);
    rows.insert(static_cast<std::size_t>(found - recording.unitIds.begin()));
  }
  if (rows.empty()) throw InputError("--units '" + spec + "' names no unit");
  return {rows.begin(), rows.end()};  // file order
}

// The trials (real or pseudo) to bin: where bin 0 starts and how many bins each has.
struct Layout {
  std::vector<double> origins;
  std::size_t bins = 0;
  double binS = 0.0;
  bool continuous = false;
  double chunkS = 0.0;  // > 0 for --chunk-ms pseudo-trials
  Table trials;
  std::vector<std::int64_t> trialIds;
};

Layout trialLayout(const Recording& recording, const BinningOptions& options) {
  Layout layout;
  layout.binS = options.binMs / 1000.0;
  const Table& trials = *recording.trials;
  if (trials.rows() == 0) throw InputError(recording.source + ": the trials table has no rows");
  if (options.chunkMs)
    throw InputError(recording.source + ": --chunk-ms is for continuous recordings; this one has a trials table");
  const Column* align = trials.find(options.align);
  if (align == nullptr || !align->isNumeric() || align->isRagged()) {
    std::string known;
    for (const auto& column : trials.columns())
      if (column.isNumeric() && !column.isRagged()) known += (known.empty() ? "" : ", ") + column.name;
    throw InputError(recording.source + ": --align " + options.align +
                     ": the trials table has no numeric time column of that name (time columns: " + known + ")");
  }
  const Column* stop = trials.find("stop_time");
  const double startMs = options.windowStartMs.value_or(0.0);
  double endMs = 0.0;
  if (options.windowEndMs) {
    endMs = *options.windowEndMs;
  } else {
    if (stop == nullptr || !stop->isNumeric() || stop->isRagged())
      throw InputError(recording.source + ": the trials table has no stop_time column; give --window");
    double shortest = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < trials.rows(); ++i)
      shortest = std::min(shortest, stop->numbers()[i] - align->numbers()[i]);
    endMs = shortest * 1000.0;
  }
  layout.bins = wholeBins((endMs - startMs) / options.binMs);
  if (layout.bins == 0) {
    std::ostringstream message;
    message << recording.source << ": the window " << startMs << ":" << endMs << " ms (aligned to " << options.align
            << ") holds no whole " << options.binMs << " ms bin";
    throw InputError(message.str());
  }
  for (std::size_t i = 0; i < trials.rows(); ++i) {
    const double a = align->numbers()[i];
    if (!std::isfinite(a))
      throw InputError(recording.source + ": trial row " + std::to_string(i) + " has no " + options.align +
                       " time (NaN)");
    layout.origins.push_back(a + startMs / 1000.0);
  }
  layout.trials = trials;
  layout.trialIds = recording.trialIds;
  if (layout.trialIds.size() != trials.rows()) {
    layout.trialIds.resize(trials.rows());
    std::iota(layout.trialIds.begin(), layout.trialIds.end(), std::int64_t{0});
  }
  return layout;
}

Layout continuousLayout(const Recording& recording, const SpikeSource& spikes, const BinningOptions& options) {
  Layout layout;
  layout.continuous = true;
  layout.binS = options.binMs / 1000.0;
  if (options.windowStartMs || options.windowEndMs)
    throw InputError(recording.source +
                     ": --window needs a trials table; this recording is continuous (use --chunk-ms)");
  const auto last = spikes.lastSpikeTime();
  if (!last || *last < 0.0)
    throw InputError(recording.source +
                     ": the recording has no trials table and no spike at or after time 0, "
                     "so it has no extent to bin");
  std::int64_t lastBin = 0;
  if (!binIndex(*last, 0.0, layout.binS, lastBin) || lastBin > std::int64_t{1} << 40)
    throw InputError(recording.source + ": the last spike time is too large to bin");
  const auto totalBins = static_cast<std::size_t>(lastBin) + 1;
  std::vector<double> starts;
  std::vector<double> stops;
  if (options.chunkMs) {
    const double chunkMs = *options.chunkMs;
    if (!(chunkMs > 0.0) || !std::isfinite(chunkMs)) throw InputError("--chunk-ms must be a positive number");
    layout.bins = wholeBins(chunkMs / options.binMs);
    if (layout.bins == 0) throw InputError("--chunk-ms is shorter than one bin (--bin-ms)");
    layout.chunkS = chunkMs / 1000.0;
    const std::size_t chunks = wholeBins(static_cast<double>(totalBins) * options.binMs / chunkMs);
    if (chunks == 0) throw InputError(recording.source + ": the recording is shorter than one --chunk-ms chunk");
    for (std::size_t i = 0; i < chunks; ++i) layout.origins.push_back(static_cast<double>(i) * layout.chunkS);
  } else {
    layout.bins = totalBins;
    layout.origins.push_back(0.0);
  }
  for (double origin : layout.origins) {
    starts.push_back(origin);
    stops.push_back(binEdgeSeconds(origin, layout.binS, layout.bins));
  }
  layout.trials.add(Column{"start_time", "start of the pseudo-trial", starts, {}});
  layout.trials.add(Column{"stop_time", "end of its last bin", stops, {}});
  layout.trialIds.resize(layout.origins.size());
  std::iota(layout.trialIds.begin(), layout.trialIds.end(), std::int64_t{0});
  return layout;
}

// Where countUnit adds: element (trial, bin, column) of a row-major
// [trials, bins, stride] float buffer.
struct CountTarget {
  float* data;
  std::size_t bins;
  std::size_t stride;
  std::size_t column;
  void add(std::size_t trial, std::int64_t k) const {
    data[(trial * bins + static_cast<std::size_t>(k)) * stride + column] += 1.0F;
  }
};

// Counts one unit's spikes into one column of the target.
std::uint64_t countUnit(std::vector<double>& times, const Layout& layout, const CountTarget& target) {
  std::uint64_t counted = 0;
  const std::size_t bins = layout.bins;
  const auto bump = [&](std::size_t trial, std::int64_t k) {
    target.add(trial, k);
    ++counted;
  };
  if (layout.continuous && layout.chunkS == 0.0) {
    for (double t : times) {
      std::int64_t k = 0;
      if (binIndex(t, 0.0, layout.binS, k) && k >= 0 && static_cast<std::size_t>(k) < bins) bump(0, k);
    }
    return counted;
  }
  if (layout.continuous) {
    const std::size_t chunks = layout.origins.size();
    for (double t : times) {
      std::int64_t chunk = 0;
      if (!binIndex(t, 0.0, layout.chunkS, chunk) || chunk < 0 || static_cast<std::size_t>(chunk) >= chunks) continue;
      // Chunk origins are i * chunkS; binIndex's edges are the same products.
      std::int64_t k = 0;
      const double origin = layout.origins[static_cast<std::size_t>(chunk)];
      if (binIndex(t, origin, layout.binS, k) && k >= 0 && static_cast<std::size_t>(k) < bins)
        bump(static_cast<std::size_t>(chunk), k);
    }
    return counted;
  }
  // Trials may overlap or leave gaps: per trial, find its spikes by binary search.
  if (!std::is_sorted(times.begin(), times.end())) std::sort(times.begin(), times.end());
  for (std::size_t trial = 0; trial < layout.origins.size(); ++trial) {
    const double origin = layout.origins[trial];
    const double end = binEdgeSeconds(origin, layout.binS, bins);
    auto it = std::lower_bound(times.begin(), times.end(), origin);
    for (; it != times.end() && *it < end; ++it) {
      std::int64_t k = 0;
      if (binIndex(*it, origin, layout.binS, k) && k >= 0 && static_cast<std::size_t>(k) < bins) bump(trial, k);
    }
  }
  return counted;
}

// Mean of the samples in each bin; where none falls, linear interpolation at the
// bin centre. Bins outside the series' time span (no sample, centre before the
// first or after the last timestamp) are NaN (../shared/spec/cli.md, binning).
FloatArray resampleBehavior(const BehaviorSeries& series, const Layout& layout, const std::string& source) {
  const std::size_t dims = series.dims;
  const std::size_t samples = series.samples();
  if (samples == 0) throw InputError(source + ": behavioural series '" + series.name + "' has no samples");
  if (series.data.size() != samples * dims)
    throw InputError(source + ": behavioural series '" + series.name +
                     "' has data and timestamps of different lengths");
  std::vector<std::size_t> order(samples);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (!std::is_sorted(series.timestamps.begin(), series.timestamps.end()))
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return series.timestamps[a] < series.timestamps[b]; });
  std::vector<double> stamps(samples);
  for (std::size_t i = 0; i < samples; ++i) stamps[i] = series.timestamps[order[i]];
  const auto value = [&](std::size_t sortedIndex, std::size_t d) { return series.data[order[sortedIndex] * dims + d]; };

  FloatArray out({layout.origins.size(), layout.bins, dims});
  std::vector<double> sum(dims);
  for (std::size_t trial = 0; trial < layout.origins.size(); ++trial) {
    const double origin = layout.origins[trial];
    auto first = static_cast<std::size_t>(std::lower_bound(stamps.begin(), stamps.end(), origin) - stamps.begin());
    for (std::size_t k = 0; k < layout.bins; ++k) {
      const double lo = binEdgeSeconds(origin, layout.binS, k);
      const double hi = binEdgeSeconds(origin, layout.binS, k + 1);
      while (first < samples && stamps[first] < lo) ++first;
      std::size_t last = first;
      std::fill(sum.begin(), sum.end(), 0.0);
      while (last < samples && stamps[last] < hi) {
        for (std::size_t d = 0; d < dims; ++d) sum[d] += value(last, d);
        ++last;
      }
      if (last > first) {
        for (std::size_t d = 0; d < dims; ++d)
          out(trial, k, d) = static_cast<float>(sum[d] / static_cast<double>(last - first));
      } else {
        const double centre = 0.5 * (lo + hi);
        // first = index of the first sample at or after centre's bin, i.e. after centre.
        for (std::size_t d = 0; d < dims; ++d) {
          double v = std::numeric_limits<double>::quiet_NaN();
          if (first == 0 || first >= samples) {
            // before the first or after the last sample: outside the series' span
          } else {
            const double t0 = stamps[first - 1];
            const double t1 = stamps[first];
            const double w = t1 > t0 ? (centre - t0) / (t1 - t0) : 0.0;
            v = value(first - 1, d) + w * (value(first, d) - value(first - 1, d));
          }
          out(trial, k, d) = static_cast<float>(v);
        }
      }
      first = last;
    }
  }
  return out;
}

}  // namespace

std::size_t behaviorRowsMissing(const FloatArray& behavior) {
  if (behavior.rank() != 3) return 0;
  const std::size_t dims = behavior.dim(2);
  const std::size_t rows = behavior.dim(0) * behavior.dim(1);
  std::size_t missing = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    bool nan = false;
    for (std::size_t d = 0; d < dims && !nan; ++d) nan = std::isnan(behavior.values()[r * dims + d]);
    missing += nan ? 1 : 0;
  }
  return missing;
}

BinnedRecording binRecording(const Recording& recording, const BinningOptions& options, const Progress& progress) {
  const MemorySpikeSource source(recording.spikes);
  return binRecording(recording, source, options, progress);
}

BinnedRecording binRecording(const Recording& recording, const SpikeSource& spikes, const BinningOptions& options,
                             const Progress& progress) {
  if (!(options.binMs > 0.0) || !std::isfinite(options.binMs)) throw InputError("--bin-ms must be a positive number");
  const std::size_t unitCount = spikes.units();
  if (recording.unitIds.size() != unitCount)
    throw InputError(recording.source + ": unit ids and spike trains disagree in number");
  for (const auto& name : options.behavior) {
    if (recording.findBehavior(name) == nullptr) {
      std::string known;
      for (const auto& series : recording.behavior) known += (known.empty() ? "" : ", ") + series.name;
      throw InputError(recording.source + ": --behavior " + name + ": there is no /processing/behavior/" + name +
                       " (available: " + (known.empty() ? "none" : known) + ")");
    }
  }
  const std::vector<std::size_t> kept = selectUnits(recording, options.units, unitCount);
  const Layout layout =
      recording.trials ? trialLayout(recording, options) : continuousLayout(recording, spikes, options);

  BinnedRecording binned;
  binned.source = recording.source;
  binned.identifier = recording.identifier;
  binned.binMs = options.binMs;
  try {
    // Refuse sizes whose element count would overflow before asking for memory.
    const long double elements = static_cast<long double>(layout.origins.size()) *
                                 static_cast<long double>(layout.bins) * static_cast<long double>(kept.size());
    if (elements > static_cast<long double>(std::numeric_limits<std::ptrdiff_t>::max() / 8)) throw std::bad_alloc();
    binned.counts = FloatArray({layout.origins.size(), layout.bins, kept.size()});
  } catch (const std::bad_alloc&) {
    std::ostringstream message;
    // Bad input (exit 3), not a failed computation: the options do not fit what the file holds, or a damaged
    // spike or stop time makes the recording seem to last for years.
    message << recording.source << ": counts of " << layout.origins.size() << " trials x " << layout.bins << " bins x "
            << kept.size() << " units do not fit in memory (a damaged spike or stop time? else use larger --bin-ms, "
            << "--chunk-ms or --units)";
    throw InputError(message.str());
  }
  // Each unit is counted into its own contiguous histogram (cache-resident),
  // kBlock units at a time, then the block is copied row by row into the counts:
  // writing each spike straight into [.., .., units] would touch a new memory
  // page per spike (stride = units). 64 units (256 bytes per row) make 4x fewer
  // sweeps over the counts than 16 (about 10 % less CPU for 1,000 units), for a
  // block of 64 x bins floats (46 MB for 180,000 bins).
  constexpr std::size_t kBlock = 64;
  const std::size_t rows = layout.origins.size() * layout.bins;
  std::vector<float> block;
  std::vector<double> times;
  for (std::size_t first = 0; first < kept.size(); first += kBlock) {
    const std::size_t width = std::min(kBlock, kept.size() - first);
    block.assign(rows * width, 0.0F);
    for (std::size_t j = 0; j < width; ++j) {
      spikes.readUnit(kept[first + j], times);
      binned.spikesCounted += countUnit(times, layout, CountTarget{block.data() + j * rows, layout.bins, 1, 0});
    }
    float* counts = binned.counts.data();
    const std::size_t units = kept.size();
    for (std::size_t row = 0; row < rows; ++row) {
      float* out = counts + row * units + first;
      for (std::size_t j = 0; j < width; ++j) out[j] = block[j * rows + row];
    }
    progress.report(static_cast<double>(first + width) / static_cast<double>(kept.size()), "binning spikes");
  }
  for (auto u : kept) binned.unitIds.push_back(recording.unitIds[u]);
  binned.units = recording.units.columns().empty() ? Table{} : recording.units.select(kept);
  binned.trials = layout.trials;
  binned.continuous = layout.continuous;
  binned.trialIds = layout.trialIds;
  binned.binStartS = layout.origins;
  for (const auto& name : options.behavior) {
    const BehaviorSeries* series = recording.findBehavior(name);
    if (series == nullptr) throw InputError(recording.source + ": no behavioural series " + name);
    binned.behavior[name] = resampleBehavior(*series, layout, recording.source);
  }
  return binned;
}

}  // namespace neurolens
