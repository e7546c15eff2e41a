#include "logic/align_choice.h"

#include <cmath>
#include <sstream>

namespace neurolens::gui {

namespace {
app::AlignSideSpec sideOf(const AlignPairInput& pair) {
  return {pair.recording, pair.model.value_or(std::string()), pair.session};
}
}  // namespace

AlignChoice chooseAlignPairs(const std::vector<AlignPairInput>& pairs, const std::vector<std::size_t>& selected) {
  AlignChoice choice;
  std::vector<std::size_t> picked;
  if (selected.size() == 2 && selected[0] != selected[1] && selected[0] < pairs.size() && selected[1] < pairs.size()) {
    picked = selected;
  } else {
    for (std::size_t i = 0; i < pairs.size() && picked.size() < 2; ++i)
      if (pairs[i].ready) picked.push_back(i);
  }
  if (picked.size() < 2) {
    choice.error = "Align needs two pairs that are ready (open two recordings, or one recording and two models); " +
                   std::to_string(picked.size()) + " of " + std::to_string(pairs.size()) + " are";
    return choice;
  }
  for (const std::size_t index : picked)
    if (!pairs[index].ready) {
      choice.error = "pair " + std::to_string(index + 1) + " (" + pairs[index].recording + ") is not ready";
      return choice;
    }
  choice.first = picked[0];
  choice.second = picked[1];
  choice.a = sideOf(pairs[picked[0]]);
  choice.b = sideOf(pairs[picked[1]]);
  return choice;
}

app::AlignStudyOptions defaultAlignOptions() { return app::AlignStudyOptions{}; }

app::AlignStudyOptions alignStudyOptions(const AlignViewOptions& options) {
  app::AlignStudyOptions study = defaultAlignOptions();
  study.match = options.match;
  study.conditionColumn = options.conditionColumn;
  study.statistics.dims = options.dims;
  study.statistics.permutations = options.permutations;
  study.statistics.folds = options.folds;
  study.smoothMs = options.smoothMs;
  study.statistics.seed = options.seed;
  return study;
}

std::vector<std::string> alignOptionArguments(const AlignViewOptions& options) {
  const AlignViewOptions defaults;
  std::vector<std::string> arguments;
  const auto add = [&](const std::string& name, const std::string& value) {
    arguments.push_back(name);
    arguments.push_back(value);
  };
  if (options.match != defaults.match) add("--match", options.match);
  if (options.conditionColumn != defaults.conditionColumn) add("--condition-column", options.conditionColumn);
  if (options.dims != defaults.dims) add("--dims", std::to_string(options.dims));
  if (options.permutations != defaults.permutations) add("--permutations", std::to_string(options.permutations));
  if (options.folds != defaults.folds) add("--folds", std::to_string(options.folds));
  if (options.smoothMs != defaults.smoothMs) add("--smooth-ms", alignNumberText(options.smoothMs));
  if (options.seed != defaults.seed) add("--seed", std::to_string(options.seed));
  return arguments;
}

std::string alignOptionsText(const AlignViewOptions& options) {
  std::string text;
  for (const std::string& argument : alignOptionArguments(options)) text += (text.empty() ? "" : " ") + argument;
  return text.empty() ? "(defaults)" : text;
}

std::string alignOptionsProblem(const AlignViewOptions& options) {
  const std::string& match = options.match;
  const std::string behavior = "behavior:";
  if (!match.empty() && match != "time" && match != "conditions" &&
      !(match.rfind(behavior, 0) == 0 && match.size() > behavior.size()))
    return "Align: match '" + match + "': expected auto, time, conditions or behavior:NAME";
  if (options.conditionColumn.empty()) return "Align: the condition column is empty (the CLI's default: condition)";
  return {};
}

std::vector<AlignNumberRow> alignNumberRows(const app::AlignStudyResult& result) {
  const AlignStatistics& stats = result.stats;
  std::vector<AlignNumberRow> rows;
  const auto add = [&](const std::string& label, const std::string& key, double value, const std::string& nullKey) {
    AlignNumberRow row{label, key, value, std::nullopt, std::nullopt};
    if (const auto p = stats.pValues.find(nullKey); p != stats.pValues.end()) row.p = p->second;
    if (const auto n = result.null95.find(nullKey); n != result.null95.end()) row.null95 = n->second;
    rows.push_back(row);
  };
  if (!stats.ccaHeldout.empty()) {
    add("held-out CCA, mean", "cca_heldout_mean", stats.ccaHeldoutMean, "cca_heldout_mean");
    for (std::size_t k = 0; k < stats.ccaHeldout.size(); ++k)
      add("held-out CCA, dim " + std::to_string(k + 1), "cca_heldout[" + std::to_string(k) + "]", stats.ccaHeldout[k],
          "");
  }
  add("Procrustes disparity", "procrustes_disparity", stats.procrustesDisparity, "procrustes_disparity");
  add("consistency R\u00b2 A\u2192B", "consistency_r2.a_to_b", stats.consistencyAToB, "consistency_r2_a_to_b");
  add("consistency R\u00b2 B\u2192A", "consistency_r2.b_to_a", stats.consistencyBToA, "consistency_r2_b_to_a");
  if (!stats.canonicalCorrelations.empty()) add("CCA (in-sample), mean", "cca_mean", stats.ccaMean, "cca_mean");
  return rows;
}

std::string alignNumberText(double value) {
  if (!std::isfinite(value)) return "n/a";
  std::ostringstream text;
  text.precision(4);
  text << value;
  return text.str();
}

}  // namespace neurolens::gui
