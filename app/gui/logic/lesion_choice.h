#pragma once
// The Lesion panel's decisions (issue 29 step 3), Qt-free: which pair is lesioned (the selected pair, else the
// first ready pair with a model), what the units can be (a unit column's value: "COLUMN=VALUE" for every text or
// integer column with a few distinct values; or the units selected in any view, by id), the rows of the effects
// table from `lesion --json`'s entry, and the undo history (back to the previous lesion, then to the intact view).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/app/lesion_study.h"
#include "neurolens/core/table.h"

namespace neurolens::gui {

struct LesionPairInput {
  std::string recording;
  std::optional<std::string> model;
  std::string session;
  bool ready = false;
};

struct LesionChoice {
  std::size_t pair = 0;  // index into the pairs given
  std::string recording;
  std::string model;
  std::string session;
  std::string error;  // why there is nothing to lesion
  [[nodiscard]] bool ok() const { return error.empty(); }
};

// `selected`: the selected pair (when it has a model and is ready), else the first ready pair with a model.
[[nodiscard]] LesionChoice chooseLesionPair(const std::vector<LesionPairInput>& pairs,
                                            std::optional<std::size_t> selected = std::nullopt);

// "COLUMN=VALUE" for each value of each one-value-per-unit column of the units table with 2..maxValues distinct
// values (columns named id, or holding non-integer numbers, are left out), in column order, values sorted.
[[nodiscard]] std::vector<std::string> lesionColumnChoices(const Table& units, std::size_t maxValues = 20);

// The units selected in a view, by id ("3,7,12", ascending, no repeats); empty for none.
[[nodiscard]] std::string lesionUnitList(std::vector<std::int64_t> ids);

// The panel's options besides the units and the mode (issue 29 step 6), as `lesion` takes them:
// --random-repeats (the random lesions of as many units that make the null) and --seed.
struct LesionViewOptions {
  std::size_t randomRepeats = 100;
  std::uint64_t seed = 0;
};

// `lesion`'s defaults (cli.md "lesion") for a pair, with the units, the mode and the options chosen in the panel.
[[nodiscard]] app::LesionStudySpec lesionSpecFor(const LesionChoice& choice, const std::string& units,
                                                 const std::string& mode, const LesionViewOptions& options = {});
// The `lesion` arguments for the mode and options, those that differ from the defaults ("--mode zero
// --random-repeats 30 --seed 7"); "(defaults)" when none do.
[[nodiscard]] std::string lesionOptionsText(const std::string& mode, const LesionViewOptions& options);

struct LesionNumberRow {
  std::string label;  // shown
  std::string key;    // the key in lesion --json's entry ("condition_shift", "latent_variance_lost[2]")
  double value = 0.0;
  std::optional<double> percentile;  // against the random lesions, where the effect has a null
  std::optional<double> p;
};
// The effects table from one entry of `lesions`: mean variance lost, condition shift, bits per spike and probe
// (intact and lesioned), and the variance lost of each latent.
[[nodiscard]] std::vector<LesionNumberRow> lesionNumberRows(const nlohmann::json& entry);
// A number as the panel shows it (4 significant digits; "n/a" for NaN).
[[nodiscard]] std::string lesionNumberText(double value);

// What the panel has shown, for Undo: each lesion run, the newest last. Undo drops the newest; with none left
// the view is the intact one.
class LesionHistory {
 public:
  void push(std::shared_ptr<const app::LesionStudyResult> result);
  // Drops the newest; returns the one now shown (null: the intact view of the last study).
  std::shared_ptr<const app::LesionStudyResult> undo();
  [[nodiscard]] std::shared_ptr<const app::LesionStudyResult> current() const;
  [[nodiscard]] bool canUndo() const { return !results_.empty(); }
  [[nodiscard]] std::size_t size() const { return results_.size(); }
  // The study whose intact latents the intact view draws (the last one dropped, or the current one).
  [[nodiscard]] std::shared_ptr<const app::LesionStudyResult> intactSource() const { return intact_; }

 private:
  std::vector<std::shared_ptr<const app::LesionStudyResult>> results_;
  std::shared_ptr<const app::LesionStudyResult> intact_;
};

}  // namespace neurolens::gui
