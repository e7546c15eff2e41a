#pragma once
// Conventions every neurolens-cli command shares (../shared/spec/cli.md):
// --json / --quiet / --device / --seed, the binning options, progress on stderr,
// the one-line JSON summary on stdout, and exit codes.
#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/core/binning.h"
#include "neurolens/core/progress.h"
#include "neurolens/io/recording_reader.h"

namespace neurolens::cli {

enum ExitCode : int { kSuccess = 0, kUsage = 2, kBadInput = 3, kComputeFailed = 4, kCancelled = 130 };

// A command line that cannot be right whatever the data (exit 2), found after
// parsing, e.g. a --method word that neither NeuroLens nor a plugin provides.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CommonOptions {
  bool json = false;
  bool quiet = false;
  std::string device = "auto";
  std::optional<std::uint64_t> seed;
};

// Adds --json, --quiet, --device, --seed to a command.
void addCommonOptions(CLI::App& command, CommonOptions& options);

// --bin-ms when it is not given and no model declares one (cli.md "Binning options").
inline constexpr double kDefaultBinMs = 20.0;

struct BinningCliOptions {
  std::optional<double> binMs;  // --bin-ms as given; the bin size used is resolveBinMs's
  std::string align = "start_time";
  std::string window;  // "START:END" in ms, empty = default
  std::optional<double> chunkMs;
  std::string units;
  std::vector<std::string> behavior;
};

void addBinningOptions(CLI::App& command, BinningCliOptions& options);

// --stream-ms S (infer, attribute): the model runs over windows of S ms widened by its receptive field
// (metadata, else measured within --stream-tolerance up to --stream-max-context-ms).
struct StreamCliOptions {
  std::optional<double> streamMs;
  double tolerance = 1e-4;
  std::optional<double> maxContextMs;  // default: 256 bins
};
void addStreamOptions(CLI::App& command, StreamCliOptions& options);

// --session ID (every command that takes --model): the session of a multi-session model to use
// (../shared/spec/model-contract.md); without it the session whose id is the recording's NWB identifier.
// `option` names it ("--session", "--session-b"); binding happens in model_cli.h (bindModel).
void addSessionOption(CLI::App& command, std::string& session, const std::string& option = "--session");

// SIGINT and SIGTERM, while one of these lives, stop the work at the next progress report (between chunks):
// the Reporter's progress then answers "stop", the core throws Cancelled, RAII removes temporary files,
// and the command exits kCancelled. A second signal ends the process at once (default action).
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
  // The signal received (SIGINT, SIGTERM) or 0.
  [[nodiscard]] static int received();

 private:
  struct sigaction previousInt_ {};
  struct sigaction previousTerm_ {};
};

// Peak resident memory of this process so far (getrusage), in MiB.
double peakRssMb();
// The bin size a model declares (its metadata's bin_ms), and the option that named it, for resolveBinMs.
// model_cli.h makes one from a loaded model or from a model file's metadata alone.
struct DeclaredBinMs {
  std::string option;  // "--model", "--model-b", "--reference-model"
  std::string file;
  std::optional<double> binMs;
};

// The bin size a command bins at, decided here for every command: --bin-ms when given (a model that disagrees is
// the model's own exit-3 error when it is checked against the recording); else the bin_ms the command's models
// declare (two that differ: InputError naming both); else kDefaultBinMs. Commands without a model pass {}.
double resolveBinMs(const BinningCliOptions& options, const std::vector<DeclaredBinMs>& models);
// The options for the core's binning, the bin size from resolveBinMs. Throws InputError for a malformed --window
// and as resolveBinMs does.
BinningOptions toBinningOptions(const BinningCliOptions& options, const std::vector<DeclaredBinMs>& models);

// "START:END" (ms) -> pair; throws InputError naming the option on bad text.
std::pair<double, double> parseMsRange(const std::string& text, const std::string& optionName);

// Any recording format: NWB is built in, others (MATLAB DataHigh files ...) come
// from reader plugins. NWB is binned straight from the file (low memory).
BinnedRecording readBinnedRecording(const std::string& file, const BinningOptions& options, const Progress& progress);
io::RecordingSummary readRecordingSummary(const std::string& file);
// Reads all of a recording (spikes, tables, behaviour) and drops it: a check that every part of it reads.
void readWholeRecording(const std::string& file);

// Progress and warnings on stderr (a bar on a terminal, plain lines otherwise,
// nothing with --quiet); the JSON summary on stdout.
class Reporter {
 public:
  explicit Reporter(const CommonOptions& options);
  [[nodiscard]] Progress progress();
  void warn(const std::string& message) const;
  void info(const std::string& message) const;
  // Prints the summary as one JSON line on stdout when --json is set.
  void summary(const nlohmann::json& summary) const;
  // A command's last words: `summary` with --json, else `line`, then " -> OUT" when there is an output file.
  void result(const nlohmann::json& summary, const std::string& line, const std::string& out) const;
  void finishProgress();
  // Adds an estimate of the time left to each progress line of a stage (from the stage's pace so far).
  void showEta(bool show) { eta_ = show; }

 private:
  [[nodiscard]] std::string etaText(double fraction) const;
  bool quiet_;
  bool json_;
  bool terminal_;
  int lastPercent_ = -1;
  std::string lastStage_;
  bool eta_ = false;
  std::string etaStage_;
  // (time, fraction) of the stage's progress reports, at least 0.25 s apart: the pace is taken over the later
  // half of the stage so far, so a slow start (the first pass's warm-up) fades out of the estimate.
  std::deque<std::pair<std::chrono::steady_clock::time_point, double>> etaSamples_;
  std::chrono::steady_clock::time_point lastLine_;
};

}  // namespace neurolens::cli
