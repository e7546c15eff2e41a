// Streamed inference and attribution (`--stream-ms`): windows, their context, and the receptive-field probe.
// See core/include/neurolens/core/streaming.h and docs/models.md ("Long recordings: --stream-ms").
#include "neurolens/core/streaming.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "neurolens/core/errors.h"

namespace neurolens {
namespace {

std::string quoted(const std::filesystem::path& file) { return "'" + file.string() + "'"; }

std::size_t contextValue(const nlohmann::json& value, const Model& model, const char* key) {
  if (!value.is_number_integer() || value.get<std::int64_t>() < 0)
    throw InputError("model " + quoted(model.file()) + ": metadata \"" + key +
                     "\" must hold whole numbers >= 0 (bins of context before and after each bin), not " +
                     value.dump());
  return static_cast<std::size_t>(value.get<std::int64_t>());
}

// Windows that the model can run as one batch: same input length and own bins at the same offsets.
using Shape = std::tuple<std::size_t, std::size_t, std::size_t>;
Shape shapeOf(const StreamWindow& w) {
  return {w.inputEnd - w.inputBegin, w.ownBegin - w.inputBegin, w.ownEnd - w.inputBegin};
}

// Windows of one shape, in index order, at most `maxBytes` of input per group (a window's shape depends on
// where it lies in its trial: the first and last of every trial may differ from the inner ones).
std::vector<std::vector<std::size_t>> groupWindows(const std::vector<StreamWindow>& windows, std::size_t units,
                                                   std::size_t maxBytes) {
  std::map<Shape, std::vector<std::size_t>> byShape;
  for (std::size_t i = 0; i < windows.size(); ++i) byShape[shapeOf(windows[i])].push_back(i);
  std::vector<std::vector<std::size_t>> groups;
  for (const auto& [shape, indices] : byShape) {
    const std::size_t bytesPerWindow = std::max<std::size_t>(std::get<0>(shape) * units * sizeof(float), 1);
    const std::size_t maxWindows = std::max<std::size_t>(maxBytes / bytesPerWindow, 1);
    for (std::size_t first = 0; first < indices.size(); first += maxWindows)
      groups.emplace_back(indices.begin() + static_cast<std::ptrdiff_t>(first),
                          indices.begin() + static_cast<std::ptrdiff_t>(std::min(indices.size(), first + maxWindows)));
  }
  // Work in recording order as far as the shapes allow: groups by their first window.
  std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.front() < b.front(); });
  return groups;
}

// The input bins of the windows `group` (one shape) as a batch [windows, inputBins, units].
FloatArray gatherInputs(const CountsReader& read, std::size_t units, const std::vector<StreamWindow>& windows,
                        const std::vector<std::size_t>& group) {
  const std::size_t length = windows[group.front()].inputEnd - windows[group.front()].inputBegin;
  FloatArray batch({group.size(), length, units});
  for (std::size_t i = 0; i < group.size(); ++i) {
    const StreamWindow& w = windows[group[i]];
    const FloatArray part = read(w.trial, w.inputBegin, w.inputEnd);
    if (part.size() != length * units) throw InputError("streaming: the counts reader returned the wrong shape");
    std::copy_n(part.data(), length * units, batch.data() + i * length * units);
  }
  return batch;
}

// One stretch per probe position (trial, centre): bins [centre - left, centre + right] of the trial, as a batch
// [positions, left + 1 + right, units].
FloatArray probeInputs(const CountsReader& read, std::size_t units,
                       const std::vector<std::pair<std::size_t, std::size_t>>& positions, std::size_t left,
                       std::size_t right) {
  const std::size_t length = left + 1 + right;
  FloatArray batch({positions.size(), length, units});
  for (std::size_t p = 0; p < positions.size(); ++p) {
    const auto [trial, centre] = positions[p];
    const FloatArray part = read(trial, centre - left, centre + right + 1);
    if (part.size() != length * units) throw InputError("streaming: the counts reader returned the wrong shape");
    std::copy_n(part.data(), length * units, batch.data() + p * length * units);
  }
  return batch;
}

// A reader over counts in memory [trials, bins, units].
CountsReader arrayReader(const FloatArray& counts) {
  return [&counts](std::size_t trial, std::size_t begin, std::size_t end) {
    const std::size_t bins = counts.dim(1);
    const std::size_t units = counts.dim(2);
    FloatArray part({end - begin, units});
    std::copy_n(counts.data() + (trial * bins + begin) * units, (end - begin) * units, part.data());
    return part;
  };
}

void checkCounts(const FloatArray& counts, const Model& model) {
  if (counts.rank() != 3 || counts.dim(0) == 0 || counts.dim(1) == 0 || counts.dim(2) == 0)
    throw InputError("model " + quoted(model.file()) + ": counts must be a non-empty [trials, bins, units] array");
}

// Every k up to 32, then steps of about 12 %, and the cap itself; descending.
std::vector<std::size_t> contextGrid(std::size_t cap) {
  std::vector<std::size_t> grid;
  for (std::size_t k = 0; k <= std::min<std::size_t>(cap, 32); ++k) grid.push_back(k);
  for (double k = 36.0; k < static_cast<double>(cap); k *= 1.125) grid.push_back(static_cast<std::size_t>(k));
  grid.push_back(cap);
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  std::reverse(grid.begin(), grid.end());
  return grid;
}

}  // namespace

std::vector<StreamWindow> planStreamWindows(std::size_t trials, std::size_t bins, std::size_t windowBins,
                                            std::size_t before, std::size_t after) {
  if (windowBins == 0) throw InputError("a streaming window must hold at least one bin");
  std::vector<StreamWindow> windows;
  for (std::size_t t = 0; t < trials; ++t)
    for (std::size_t begin = 0; begin < bins; begin += windowBins) {
      StreamWindow w;
      w.trial = t;
      w.ownBegin = begin;
      w.ownEnd = std::min(bins, begin + windowBins);
      w.inputBegin = begin > before ? begin - before : 0;
      w.inputEnd = std::min(bins, w.ownEnd + after);
      windows.push_back(w);
    }
  return windows;
}

std::optional<ReceptiveField> receptiveFieldFromMetadata(const Model& model) {
  const std::string& text = model.metadata().json;
  if (text.empty()) return std::nullopt;
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // Model::load has already refused malformed metadata
  }
  if (!json.is_object()) return std::nullopt;
  ReceptiveField field;
  constexpr const char* kKey = "receptive_field_bins";
  if (json.contains(kKey) && !json[kKey].is_null()) {
    const nlohmann::json& value = json[kKey];
    if (value.is_array() && value.size() == 2) {
      field.before = contextValue(value[0], model, kKey);
      field.after = contextValue(value[1], model, kKey);
    } else if (value.is_number()) {
      field.before = field.after = contextValue(value, model, kKey);
    } else {
      throw InputError("model " + quoted(model.file()) +
                       ": metadata \"receptive_field_bins\" must be [before, after] "
                       "(whole numbers of bins) or one number for both, not " +
                       value.dump());
    }
    field.source = "metadata";
    return field;
  }
  // tools/python/neurolens_export.py from_cebra: "cebra": {"receptive_field": [-left, right]}.
  if (json.contains("cebra") && json["cebra"].is_object() && json["cebra"].contains("receptive_field")) {
    const nlohmann::json& value = json["cebra"]["receptive_field"];
    if (value.is_array() && value.size() == 2 && value[0].is_number_integer() && value[1].is_number_integer() &&
        value[0].get<std::int64_t>() <= 0 && value[1].get<std::int64_t>() >= 0) {
      field.before = static_cast<std::size_t>(-value[0].get<std::int64_t>());
      field.after = static_cast<std::size_t>(value[1].get<std::int64_t>());
      field.source = "cebra metadata";
      return field;
    }
  }
  return std::nullopt;
}

ReceptiveField measureReceptiveField(const Model& model, const FloatArray& counts, const ReceptiveFieldProbe& probe,
                                     const Progress& progress) {
  checkCounts(counts, model);
  return measureReceptiveField(model, {counts.dim(0), counts.dim(1), counts.dim(2)}, arrayReader(counts), probe,
                               progress);
}

ReceptiveField measureReceptiveField(const Model& model, const CountsShape& shape, const CountsReader& read,
                                     const ReceptiveFieldProbe& probe, const Progress& progress) {
  const auto started = std::chrono::steady_clock::now();
  if (shape.trials == 0 || shape.bins == 0 || shape.units == 0)
    throw InputError("receptive-field probe: the recording gives no counts");
  if (!(probe.tolerance > 0.0) || !std::isfinite(probe.tolerance))
    throw InputError("the streaming tolerance must be a finite number > 0");
  const std::size_t trials = shape.trials;
  const std::size_t bins = shape.bins;
  ReceptiveField field;
  field.source = "probe";
  field.tolerance = probe.tolerance;

  // The reference sees up to twice the cap on each side, so that a context still short of the cap can be
  // told from one that is not (a reference cut at the cap would agree with itself there).
  const std::size_t centre = bins / 2;
  std::size_t referenceBefore = std::min(2 * probe.maxContextBins, centre);
  std::size_t referenceAfter = std::min(2 * probe.maxContextBins, bins - 1 - centre);
  // Positions: one per trial for a few trials spread out, or a few spread over one long trial.
  std::vector<std::pair<std::size_t, std::size_t>> positions;
  const std::size_t count = std::max<std::size_t>(probe.positions, 1);
  if (trials >= count || bins < 2 * (referenceBefore + referenceAfter + 1)) {
    for (std::size_t i = 0; i < std::min(count, trials); ++i)
      positions.emplace_back(trials == 1 ? 0 : i * (trials - 1) / std::max<std::size_t>(count - 1, 1), centre);
  } else {
    // A long trial: centres spread between the first and last that leave room for the reference.
    const std::size_t low = referenceBefore;
    const std::size_t high = bins - 1 - referenceAfter;
    for (std::size_t i = 0; i < count; ++i) positions.emplace_back(0, low + (high - low) * (i + 1) / (count + 1));
  }
  std::sort(positions.begin(), positions.end());
  positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  field.probePositions = positions.size();
  const std::size_t capBefore = std::min(probe.maxContextBins, referenceBefore);
  const std::size_t capAfter = std::min(probe.maxContextBins, referenceAfter);

  InferOptions infer;
  infer.device = probe.device;
  const FloatArray reference =
      model.infer(probeInputs(read, shape.units, positions, referenceBefore, referenceAfter), infer).latents;
  const std::size_t latents = reference.dim(2);
  double scale = 0.0;
  for (const float v : reference.values()) scale = std::max(scale, std::abs(static_cast<double>(v)));
  if (!(scale > 0.0)) scale = 1.0;
  // The error of the centre bin's latents with `left` bins before it and `right` after.
  auto error = [&](std::size_t left, std::size_t right) {
    const FloatArray out = model.infer(probeInputs(read, shape.units, positions, left, right), infer).latents;
    double worst = 0.0;
    for (std::size_t p = 0; p < positions.size(); ++p)
      for (std::size_t d = 0; d < latents; ++d)
        worst = std::max(worst, std::abs(static_cast<double>(out(p, left, d)) -
                                         static_cast<double>(reference(p, referenceBefore, d))));
    return worst / scale;
  };
  const double sideTolerance = probe.tolerance / 2.0;
  const std::vector<std::size_t> gridBefore = contextGrid(capBefore);
  const std::vector<std::size_t> gridAfter = contextGrid(capAfter);
  const double total = static_cast<double>(gridBefore.size() + gridAfter.size());
  double done = 0.0;
  // Scans a side from the cap down; stops at the first k over the tolerance.
  auto scan = [&](const std::vector<std::size_t>& grid, bool beforeSide, std::size_t& chosen, double& chosenError) {
    chosen = grid.front();
    chosenError = 0.0;
    bool first = true;
    for (const std::size_t k : grid) {
      const double e = beforeSide ? error(k, referenceAfter) : error(referenceBefore, k);
      done += 1.0;
      progress.report(done / total, "measuring the model's receptive field");
      if (e > sideTolerance) {
        if (first) {
          field.capped = true;
          chosenError = e;
        }
        return;
      }
      first = false;
      chosen = k;
      chosenError = e;
    }
  };
  double errorBefore = 0.0;
  double errorAfter = 0.0;
  scan(gridBefore, true, field.before, errorBefore);
  scan(gridAfter, false, field.after, errorAfter);
  field.measuredError = errorBefore + errorAfter;
  field.probeSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return field;
}

ModelOutputs inferStreamed(const Model& model, const FloatArray& counts, const std::vector<StreamWindow>& windows,
                           const StreamInferOptions& options, const Progress& progress, RunReport* report) {
  checkCounts(counts, model);
  const std::size_t bins = counts.dim(1);
  const std::size_t units = counts.dim(2);
  ModelOutputs outputs;
  inferStreamed(
      model, {counts.dim(0), bins, units}, arrayReader(counts), windows, options,
      [&](const StreamWindow& w, const ModelOutputs& own) {
        const std::size_t latents = own.latents.dim(1);
        if (outputs.latents.empty()) {
          outputs.latents = FloatArray({counts.dim(0), bins, latents});
          if (own.rates) outputs.rates = FloatArray({counts.dim(0), bins, units});
        }
        std::copy(
            own.latents.values().begin(), own.latents.values().end(),
            outputs.latents.values().begin() + static_cast<std::ptrdiff_t>((w.trial * bins + w.ownBegin) * latents));
        if (own.rates && outputs.rates)
          std::copy(
              own.rates->values().begin(), own.rates->values().end(),
              outputs.rates->values().begin() + static_cast<std::ptrdiff_t>((w.trial * bins + w.ownBegin) * units));
      },
      progress, report);
  return outputs;
}

void inferStreamed(const Model& model, const CountsShape& shape, const CountsReader& read,
                   const std::vector<StreamWindow>& windows, const StreamInferOptions& options,
                   const StreamOutputSink& sink, const Progress& progress, RunReport* report) {
  if (shape.trials == 0 || shape.bins == 0 || shape.units == 0)
    throw InputError("model " + quoted(model.file()) + ": the recording gives no counts to run the model on");
  const std::size_t units = shape.units;
  std::size_t totalBins = 0;
  for (const auto& w : windows) totalBins += w.inputEnd - w.inputBegin;
  std::size_t doneBins = 0;
  RunReport localReport;
  RunReport& run = report ? *report : localReport;
  progress.report(0.0, "running model (streamed)");
  for (const auto& group : groupWindows(windows, units, options.maxGroupBytes)) {
    const FloatArray batch = gatherInputs(read, units, windows, group);
    RunReport groupReport;
    const ModelOutputs part = model.infer(batch, options.infer, {}, &groupReport);
    run.device = groupReport.device;
    run.chunkTrials = std::max(run.chunkTrials, groupReport.chunkTrials);
    for (auto& note : groupReport.notes)
      if (std::find(run.notes.begin(), run.notes.end(), note) == run.notes.end()) run.notes.push_back(note);
    const std::size_t length = batch.dim(1);
    const std::size_t latents = part.latents.dim(2);
    for (std::size_t i = 0; i < group.size(); ++i) {
      const StreamWindow& w = windows[group[i]];
      const std::size_t own = w.ownEnd - w.ownBegin;
      const std::size_t offset = w.ownBegin - w.inputBegin;
      ModelOutputs kept;
      kept.latents = FloatArray({own, latents});
      std::copy_n(part.latents.data() + (i * length + offset) * latents, own * latents, kept.latents.data());
      if (part.rates) {
        kept.rates = FloatArray({own, units});
        std::copy_n(part.rates->data() + (i * length + offset) * units, own * units, kept.rates->data());
      }
      sink(w, kept);
      doneBins += length;
    }
    progress.report(static_cast<double>(doneBins) / static_cast<double>(std::max<std::size_t>(totalBins, 1)),
                    "running model (streamed)");
  }
}

AttributionSummary attributeStreamed(const Model& model, const FloatArray& counts,
                                     const std::vector<StreamWindow>& windows, std::size_t frameBins,
                                     std::size_t before, const AttributionOptions& options,
                                     const std::function<void(const AttributionChunk&)>& sink,
                                     const Progress& progress) {
  if (counts.rank() != 3 || counts.dim(0) == 0 || counts.dim(1) == 0 || counts.dim(2) == 0)
    throw InputError("attribution: counts must be a non-empty [trials, bins, units] array");
  if (options.targetBins)
    throw InputError("streamed attribution: each window's own bins are its target bins (no target window)");
  const std::size_t bins = counts.dim(1);
  const std::size_t units = counts.dim(2);
  for (const auto& w : windows)
    if (w.ownBegin < w.inputBegin || w.ownEnd > w.inputEnd || w.inputEnd > bins ||
        w.inputEnd - w.inputBegin > frameBins || w.inputBegin + before < w.ownBegin)
      throw InputError("streamed attribution: a window does not fit its frame");

  AttributionOptions windowOptions = options;
  if (options.baseline == AttributionBaseline::Mean && options.baselineUnitMeans.empty()) {
    // The mean over the whole counts, not over each window's (overlapping) inputs.
    std::vector<double> sums(units, 0.0);
    const std::size_t rows = counts.dim(0) * bins;
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t u = 0; u < units; ++u) sums[u] += counts.data()[r * units + u];
    windowOptions.baselineUnitMeans.resize(units);
    for (std::size_t u = 0; u < units; ++u)
      windowOptions.baselineUnitMeans[u] = static_cast<float>(sums[u] / static_cast<double>(rows));
  }

  // Work per group ~ its input bins; progress is shared out by that.
  const CountsReader reader = arrayReader(counts);
  const auto groups = groupWindows(windows, units, std::size_t{32} << 20);
  std::size_t totalBins = 0;
  for (const auto& w : windows) totalBins += w.inputEnd - w.inputBegin;
  std::size_t doneBins = 0;
  AttributionSummary summary;
  summary.trials = windows.size();
  bool first = true;
  for (const auto& group : groups) {
    const FloatArray batch = gatherInputs(reader, units, windows, group);
    std::size_t groupBins = 0;
    for (const std::size_t i : group) groupBins += windows[i].inputEnd - windows[i].inputBegin;
    const double from = static_cast<double>(doneBins) / static_cast<double>(std::max<std::size_t>(totalBins, 1));
    const double to =
        static_cast<double>(doneBins + groupBins) / static_cast<double>(std::max<std::size_t>(totalBins, 1));
    const StreamWindow& shape = windows[group.front()];
    windowOptions.targetBins = std::make_pair(shape.ownBegin - shape.inputBegin, shape.ownEnd - shape.inputBegin);
    const AttributionSummary part = attribute(
        model, batch, windowOptions,
        [&](const AttributionChunk& chunk) {
          // Into frames [windows, targets, frameBins, units] (zeros outside each window's inputs), one chunk per
          // run of consecutive window indices.
          const std::size_t n = chunk.attributions.dim(0);
          const std::size_t targets = chunk.attributions.dim(1);
          const std::size_t length = chunk.attributions.dim(2);
          std::size_t runStart = 0;
          while (runStart < n) {
            std::size_t runEnd = runStart + 1;
            while (runEnd < n && group[chunk.firstTrial + runEnd] == group[chunk.firstTrial + runEnd - 1] + 1) ++runEnd;
            const std::size_t count = runEnd - runStart;
            AttributionChunk framed;
            framed.firstTrial = group[chunk.firstTrial + runStart];
            framed.attributions = FloatArray({count, targets, frameBins, units});
            framed.deltaF = FloatArray({count, targets});
            framed.completeness = FloatArray({count, targets});
            for (std::size_t i = 0; i < count; ++i) {
              const std::size_t row = runStart + i;
              const StreamWindow& w = windows[framed.firstTrial + i];
              const std::size_t offset = w.inputBegin + before - w.ownBegin;  // frame position of inputBegin
              for (std::size_t j = 0; j < targets; ++j) {
                std::copy_n(chunk.attributions.data() + (row * targets + j) * length * units, length * units,
                            framed.attributions.data() + ((i * targets + j) * frameBins + offset) * units);
                framed.deltaF.data()[i * targets + j] = chunk.deltaF.data()[row * targets + j];
                framed.completeness.data()[i * targets + j] = chunk.completeness.data()[row * targets + j];
              }
              if (!chunk.stepsUsed.empty()) framed.stepsUsed.push_back(chunk.stepsUsed[row]);
            }
            sink(framed);
            runStart = runEnd;
          }
        },
        progress.sub(from, to));
    doneBins += groupBins;
    if (first) {
      summary.targets = part.targets;
      summary.run.device = part.run.device;
      summary.minStepsUsed = part.minStepsUsed;
      first = false;
    }
    summary.maxRelCompleteness = std::max(summary.maxRelCompleteness, part.maxRelCompleteness);
    if (part.minStepsUsed > 0)
      summary.minStepsUsed =
          summary.minStepsUsed == 0 ? part.minStepsUsed : std::min(summary.minStepsUsed, part.minStepsUsed);
    summary.maxStepsUsed = std::max(summary.maxStepsUsed, part.maxStepsUsed);
    summary.unconverged += part.unconverged;
    summary.run.device = part.run.device;
    summary.run.chunkTrials = std::max(summary.run.chunkTrials, part.run.chunkTrials);
    for (const auto& note : part.run.notes)
      if (std::find(summary.run.notes.begin(), summary.run.notes.end(), note) == summary.run.notes.end())
        summary.run.notes.push_back(note);
  }
  return summary;
}

}  // namespace neurolens
