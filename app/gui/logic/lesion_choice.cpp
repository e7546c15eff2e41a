#include "logic/lesion_choice.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace neurolens::gui {

LesionChoice chooseLesionPair(const std::vector<LesionPairInput>& pairs, std::optional<std::size_t> selected) {
  LesionChoice choice;
  const auto usable = [&](std::size_t index) { return pairs[index].ready && pairs[index].model.has_value(); };
  std::optional<std::size_t> chosen;
  if (selected && *selected < pairs.size() && usable(*selected)) chosen = selected;
  for (std::size_t index = 0; !chosen && index < pairs.size(); ++index)
    if (usable(index)) chosen = index;
  if (!chosen) {
    choice.error = pairs.empty() ? "Lesion needs a recording and a model: open both first"
                                 : "Lesion needs a ready pair with a model (a recording with no model, or one still "
                                   "loading or in error, cannot be lesioned)";
    return choice;
  }
  choice.pair = *chosen;
  choice.recording = pairs[*chosen].recording;
  choice.model = *pairs[*chosen].model;
  choice.session = pairs[*chosen].session;
  return choice;
}

std::vector<std::string> lesionColumnChoices(const Table& units, std::size_t maxValues) {
  std::vector<std::string> choices;
  for (const Column& column : units.columns()) {
    if (column.isRagged() || column.name == "id" || column.rows() == 0) continue;
    std::set<std::string> texts;
    std::set<double> numbers;
    bool integral = true;
    if (column.isNumeric()) {
      for (const double value : column.numbers()) {
        integral = integral && std::isfinite(value) && std::floor(value) == value;
        numbers.insert(value);
      }
      if (!integral) continue;
    } else {
      texts.insert(column.texts().begin(), column.texts().end());
    }
    const std::size_t distinct = column.isNumeric() ? numbers.size() : texts.size();
    if (distinct < 2 || distinct > maxValues) continue;
    if (column.isNumeric()) {
      for (const double value : numbers) {
        std::ostringstream text;
        text << static_cast<long long>(value);
        choices.push_back(column.name + "=" + text.str());
      }
    } else {
      for (const auto& value : texts) choices.push_back(column.name + "=" + value);
    }
  }
  return choices;
}

std::string lesionUnitList(std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::string out;
  for (const auto id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

app::LesionStudySpec lesionSpecFor(const LesionChoice& choice, const std::string& units, const std::string& mode,
                                   const LesionViewOptions& options) {
  app::LesionStudySpec spec = app::defaultLesionSpec(choice.recording, choice.model, units);
  spec.session = choice.session;
  spec.mode = mode;
  spec.randomRepeats = options.randomRepeats;
  spec.seed = options.seed;
  return spec;
}

std::string lesionOptionsText(const std::string& mode, const LesionViewOptions& options) {
  const app::LesionStudySpec defaults = app::defaultLesionSpec({}, {}, {});
  std::string text;
  const auto add = [&](const std::string& name, const std::string& value) {
    text += (text.empty() ? "" : " ") + name + " " + value;
  };
  if (mode != defaults.mode) add("--mode", mode);
  if (options.randomRepeats != defaults.randomRepeats) add("--random-repeats", std::to_string(options.randomRepeats));
  if (options.seed != defaults.seed) add("--seed", std::to_string(options.seed));
  return text.empty() ? "(defaults)" : text;
}

std::vector<LesionNumberRow> lesionNumberRows(const nlohmann::json& entry) {
  std::vector<LesionNumberRow> rows;
  const nlohmann::json& random = entry.at("random");
  const auto withNull = [&](LesionNumberRow row, const std::string& nullKey) {
    if (random.contains(nullKey)) {
      row.percentile = random[nullKey].at("percentile").get<double>();
      row.p = random[nullKey].at("p").get<double>();
    }
    rows.push_back(row);
  };
  const std::vector<double> lost = entry.at("latent_variance_lost").get<std::vector<double>>();
  double mean = 0.0;
  for (const double value : lost) mean += value / static_cast<double>(lost.size());
  withNull({"variance lost (mean)", "latent_variance_lost", mean, {}, {}}, "latent_variance_lost");
  withNull({"condition shift", "condition_shift", entry.at("condition_shift").get<double>(), {}, {}},
           "condition_shift");
  for (const std::string prefix : {"bits_per_spike", "probe_r2", "probe_accuracy"}) {
    if (!entry.contains(prefix + "_intact")) continue;
    std::string name = prefix;
    std::replace(name.begin(), name.end(), '_', ' ');
    rows.push_back({name + " intact", prefix + "_intact", entry[prefix + "_intact"].get<double>(), {}, {}});
    withNull({name + " lesioned", prefix + "_lesioned", entry[prefix + "_lesioned"].get<double>(), {}, {}},
             prefix + "_lesioned");
  }
  for (std::size_t l = 0; l < lost.size(); ++l)
    rows.push_back({"variance lost, latent " + std::to_string(l + 1),
                    "latent_variance_lost[" + std::to_string(l) + "]",
                    lost[l],
                    {},
                    {}});
  return rows;
}

std::string lesionNumberText(double value) {
  if (std::isnan(value)) return "n/a";
  std::ostringstream text;
  text.precision(4);
  text << value;
  return text.str();
}

void LesionHistory::push(std::shared_ptr<const app::LesionStudyResult> result) {
  intact_ = result;
  results_.push_back(std::move(result));
}

std::shared_ptr<const app::LesionStudyResult> LesionHistory::undo() {
  if (!results_.empty()) results_.pop_back();
  return current();
}

std::shared_ptr<const app::LesionStudyResult> LesionHistory::current() const {
  return results_.empty() ? nullptr : results_.back();
}

}  // namespace neurolens::gui
