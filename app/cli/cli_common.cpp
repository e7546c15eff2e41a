#include "cli_common.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "neurolens/app/recording_source.h"
#include "neurolens/core/errors.h"

namespace neurolens::cli {

void addCommonOptions(CLI::App& command, CommonOptions& options) {
  command.add_flag("--json", options.json, "Print a one-line JSON summary on stdout (and nothing else there)");
  command.add_flag("--quiet", options.quiet, "No progress or warnings on stderr");
  command.add_option("--device", options.device, "auto, cpu or cuda (auto: CUDA when LibTorch sees a GPU)")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  command.add_option("--seed", options.seed, "Make every random choice repeatable");
}

void addBinningOptions(CLI::App& command, BinningCliOptions& options) {
  command.add_option("--bin-ms", options.binMs, "Bin size in ms (default: the model's bin_ms, else 20)")
      ->check(CLI::PositiveNumber);
  command.add_option("--align", options.align, "Time column of the trials table to align to (default start_time)");
  command.add_option("--window", options.window,
                     "START_MS:END_MS relative to the align time (default 0:shortest trial)");
  command.add_option("--chunk-ms", options.chunkMs, "Continuous recordings: pseudo-trials of this many ms")
      ->check(CLI::PositiveNumber);
  command.add_option("--units", options.units, "Unit ids (comma-separated) or COLUMN=VALUE");
  command.add_option("--behavior", options.behavior, "Behavioural series /processing/behavior/NAME to resample")
      ->take_all();
}

void addSessionOption(CLI::App& command, std::string& session, const std::string& option) {
  command.add_option(option, session,
                     "Session of a multi-session model to use (its id; default: the one whose id is the "
                     "recording's NWB identifier)");
}

void addStreamOptions(CLI::App& command, StreamCliOptions& options) {
  command
      .add_option("--stream-ms", options.streamMs,
                  "Run the model over consecutive windows of this many ms, each widened by the model's receptive "
                  "field, keeping each window's own bins (long recordings; the result equals one pass)")
      ->check(CLI::PositiveNumber);
  command
      .add_option("--stream-tolerance", options.tolerance,
                  "--stream-ms without receptive_field_bins metadata: relative influence below which context is "
                  "dropped, as measured on the recording (default 1e-4)")
      ->check(CLI::PositiveNumber);
  command
      .add_option("--stream-max-context-ms", options.maxContextMs,
                  "--stream-ms: most context measured on each side (default 256 bins)")
      ->check(CLI::PositiveNumber);
}

namespace {
// Set by the handler only (async-signal-safe); read by the progress callback between chunks.
volatile std::sig_atomic_t interruptSignal = 0;

extern "C" void onInterrupt(int signal) {
  if (interruptSignal != 0) {  // a second signal: stop now
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  interruptSignal = signal;
}
}  // namespace

InterruptScope::InterruptScope() {
  interruptSignal = 0;
  struct sigaction action {};
  action.sa_handler = onInterrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &previousInt_);
  sigaction(SIGTERM, &action, &previousTerm_);
}

InterruptScope::~InterruptScope() {
  sigaction(SIGINT, &previousInt_, nullptr);
  sigaction(SIGTERM, &previousTerm_, nullptr);
}

int InterruptScope::received() { return static_cast<int>(interruptSignal); }

double peakRssMb() {
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0.0;
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: KiB
}

std::pair<double, double> parseMsRange(const std::string& text, const std::string& optionName) {
  const auto colon = text.find(':');
  auto fail = [&]() -> std::pair<double, double> {
    throw InputError(optionName + " '" + text + "' is not START_MS:END_MS (e.g. 0:400)");
  };
  if (colon == std::string::npos) return fail();
  try {
    std::size_t used = 0;
    const std::string first = text.substr(0, colon);
    const std::string second = text.substr(colon + 1);
    const double start = std::stod(first, &used);
    if (used != first.size()) return fail();
    const double end = std::stod(second, &used);
    if (used != second.size()) return fail();
    if (!std::isfinite(start) || !std::isfinite(end)) return fail();
    if (end <= start) throw InputError(optionName + " '" + text + "': the end must be after the start");
    return {start, end};
  } catch (const std::logic_error&) {
    return fail();
  }
}

namespace {
// 50, 12.5 (as a user types a bin size).
std::string binText(double ms) {
  std::ostringstream text;
  text.precision(10);
  text << ms;
  return text.str();
}
}  // namespace

double resolveBinMs(const BinningCliOptions& options, const std::vector<DeclaredBinMs>& models) {
  if (options.binMs) return *options.binMs;
  const DeclaredBinMs* first = nullptr;
  for (const auto& model : models) {
    if (!model.binMs) continue;
    if (first == nullptr) {
      first = &model;
    } else if (std::abs(*model.binMs - *first->binMs) > 1e-6) {
      throw InputError(first->option + " '" + first->file + "' was trained on " + binText(*first->binMs) +
                       " ms bins but " + model.option + " '" + model.file + "' on " + binText(*model.binMs) +
                       " ms bins; no one bin size fits both: use models trained on the same bin size");
    }
  }
  return first != nullptr ? *first->binMs : kDefaultBinMs;
}

BinningOptions toBinningOptions(const BinningCliOptions& options, const std::vector<DeclaredBinMs>& models) {
  BinningOptions out;
  out.binMs = resolveBinMs(options, models);
  out.align = options.align;
  if (!options.window.empty()) {
    const auto [start, end] = parseMsRange(options.window, "--window");
    out.windowStartMs = start;
    out.windowEndMs = end;
  }
  out.chunkMs = options.chunkMs;
  out.units = options.units;
  out.behavior = options.behavior;
  return out;
}

BinnedRecording readBinnedRecording(const std::string& file, const BinningOptions& options, const Progress& progress) {
  const app::RecordingSource source;
  return source.readBinned(file, options, progress);
}

io::RecordingSummary readRecordingSummary(const std::string& file) {
  const app::RecordingSource source;
  return source.summary(file);
}

void readWholeRecording(const std::string& file) {
  const app::RecordingSource source;
  [[maybe_unused]] const Recording recording = source.read(file);
}

Reporter::Reporter(const CommonOptions& options)
    : quiet_(options.quiet), json_(options.json), terminal_(isatty(STDERR_FILENO) != 0) {}

Progress Reporter::progress() {
  return Progress([this](double fraction, const std::string& stage) {
    if (InterruptScope::received() != 0) return false;  // SIGINT / SIGTERM: stop between chunks
    if (eta_) {
      const auto now = std::chrono::steady_clock::now();
      if (stage != etaStage_) {
        etaStage_ = stage;
        etaSamples_.clear();
      }
      if (etaSamples_.empty() || now - etaSamples_.back().first >= std::chrono::milliseconds(250))
        etaSamples_.emplace_back(now, fraction);
    }
    if (quiet_) return true;
    const int percent = static_cast<int>(fraction * 100.0);
    if (terminal_) {
      if (percent == lastPercent_ && stage == lastStage_) return true;
      constexpr int kWidth = 30;
      const int filled = percent * kWidth / 100;
      std::cerr << '\r' << stage << " [" << std::string(static_cast<std::size_t>(filled), '#')
                << std::string(static_cast<std::size_t>(kWidth - filled), ' ') << "] " << percent << "%"
                << etaText(fraction) << "   " << std::flush;
    } else {
      // Plain lines for logs: every 10 % and at each new stage (with a time estimate, also every 10 s).
      const auto now = std::chrono::steady_clock::now();
      const bool due = eta_ && now - lastLine_ >= std::chrono::seconds(10) && percent != lastPercent_;
      if (stage == lastStage_ && percent / 10 == lastPercent_ / 10 && !due) return true;
      std::cerr << stage << ": " << percent << "%" << etaText(fraction) << "\n";
      lastLine_ = now;
    }
    lastPercent_ = percent;
    lastStage_ = stage;
    return true;
  });
}

// "  ETA 3 min 12 s": the stage's remaining fraction at its pace over the later half of the stage so far (shown
// once a second has passed and the stage has moved by 0.5 %).
std::string Reporter::etaText(double fraction) const {
  if (!eta_ || etaSamples_.empty()) return "";
  const auto now = std::chrono::steady_clock::now();
  const auto& [start, startFraction] = etaSamples_.front();
  const double elapsed = std::chrono::duration<double>(now - start).count();
  if (elapsed < 1.0 || fraction - startFraction < 0.005) return "";
  // The latest sample at least half the elapsed time ago (at least 1 s), else the stage's start.
  auto reference = etaSamples_.front();
  for (const auto& sample : etaSamples_) {
    const double age = std::chrono::duration<double>(now - sample.first).count();
    if (age < std::max(1.0, elapsed / 2.0)) break;
    reference = sample;
  }
  double seconds = std::chrono::duration<double>(now - reference.first).count();
  double moved = fraction - reference.second;
  if (moved < 0.005) {
    seconds = elapsed;
    moved = fraction - startFraction;
  }
  const double left = std::max(0.0, seconds * (1.0 - fraction) / moved);
  const auto total = static_cast<long long>(std::llround(left));
  char text[64];
  if (total < 60)
    std::snprintf(text, sizeof text, "  ETA %lld s", total);
  else if (total < 3600)
    std::snprintf(text, sizeof text, "  ETA %lld min %02lld s", total / 60, total % 60);
  else
    std::snprintf(text, sizeof text, "  ETA %lld h %02lld min", total / 3600, (total % 3600) / 60);
  return text;
}

void Reporter::finishProgress() {
  if (!quiet_ && terminal_ && lastPercent_ >= 0) std::cerr << '\n';
  lastPercent_ = -1;
  lastStage_.clear();
}

void Reporter::warn(const std::string& message) const {
  if (!quiet_) std::cerr << "warning: " << message << '\n';
}

void Reporter::info(const std::string& message) const {
  if (!quiet_) std::cerr << message << '\n';
}

void Reporter::summary(const nlohmann::json& summary) const {
  if (json_) std::cout << summary.dump() << std::endl;
}

void Reporter::result(const nlohmann::json& summary, const std::string& line, const std::string& out) const {
  if (json_) {
    this->summary(summary);
    return;
  }
  std::cout << line << (out.empty() ? "" : " -> " + out) << "\n";
}

}  // namespace neurolens::cli
