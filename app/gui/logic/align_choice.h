#pragma once
// Compare > Align's decisions (issue 29 step 2), Qt-free: which two pairs of the workspace are aligned (the two
// selected views when exactly two are selected, else the first two pairs that are ready), what each side is
// (`align`'s sides: the recording through the pair's model, or its smoothed counts without one), and the rows of
// the numbers panel (held-out CCA per dimension and its mean, Procrustes, consistency, in-sample CCA; each
// statistic with its permutation p-value and its null's 95th percentile) from the study's result.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/app/align_study.h"

namespace neurolens::gui {

struct AlignPairInput {
  std::string recording;
  std::optional<std::string> model;
  std::string session;  // a multi-session model's session asked for this pair (empty: the recording's own)
  bool ready = false;
};

struct AlignChoice {
  std::size_t first = 0;  // indices into the pairs given
  std::size_t second = 0;
  app::AlignSideSpec a;
  app::AlignSideSpec b;
  std::string error;  // why there is nothing to align (then the rest is unset)
  [[nodiscard]] bool ok() const { return error.empty(); }
};

// `selected`: indices of the selected pairs (any number; exactly two picks those two).
[[nodiscard]] AlignChoice chooseAlignPairs(const std::vector<AlignPairInput>& pairs,
                                           const std::vector<std::size_t>& selected = {});

// `align`'s defaults (cli.md "align"): bin 20 ms, the default window, match by conditions when both sides
// have trials, K = min(10, ...), 200 permutations, seed 0, device auto. The GUI's numbers are the CLI's for
// the same sides with no options.
[[nodiscard]] app::AlignStudyOptions defaultAlignOptions();

// The options the Align view lets one change (issue 29 step 6), each as `align` takes it: --match (empty: the
// default), --condition-column, --dims (0: the default K), --permutations, --folds, --smooth-ms, --seed.
struct AlignViewOptions {
  std::string match;
  std::string conditionColumn = "condition";
  std::size_t dims = 0;
  std::size_t permutations = 200;
  std::size_t folds = 5;
  double smoothMs = 40.0;
  std::uint64_t seed = 0;
};
// The CLI's defaults with these options applied.
[[nodiscard]] app::AlignStudyOptions alignStudyOptions(const AlignViewOptions& options);
// The `align` arguments that give the same study ("--match time --dims 4 --permutations 50 --seed 7"): only the
// options that differ from the defaults, so that the defaults read "(defaults)".
[[nodiscard]] std::vector<std::string> alignOptionArguments(const AlignViewOptions& options);
[[nodiscard]] std::string alignOptionsText(const AlignViewOptions& options);
// Why the options cannot run (the CLI's usage errors: a --match other than time, conditions or behavior:NAME,
// an empty condition column), else empty. The study itself says what the data refuse (too many dims).
[[nodiscard]] std::string alignOptionsProblem(const AlignViewOptions& options);

struct AlignNumberRow {
  std::string label;  // shown
  std::string key;    // align --json's key ("cca_heldout_mean", "cca_heldout[0]", "consistency_r2.a_to_b")
  double value = 0.0;
  std::optional<double> p;       // permutation p-value, where the statistic has a null
  std::optional<double> null95;  // the null's 95th percentile
};
[[nodiscard]] std::vector<AlignNumberRow> alignNumberRows(const app::AlignStudyResult& result);

// A number as the panel shows it (4 significant digits; "n/a" for NaN).
[[nodiscard]] std::string alignNumberText(double value);

}  // namespace neurolens::gui
