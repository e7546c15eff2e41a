#include "neurolens/app/crash_report.h"

#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include <QProcess>
#include <QString>
#include <QStringList>
#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>

#include "neurolens/core/atomic_file.h"

namespace neurolens::app {
namespace {

// Process-wide state, because a signal handler can reach nothing else (AtomicFile keeps the other). The messages
// are formatted before reading starts, so that the handler only calls write() and _exit().
std::array<char, 4096> crashMessage{};
volatile std::sig_atomic_t crashMessageLength = 0;
std::array<char, 4096> timeoutMessage{};
volatile std::sig_atomic_t timeoutMessageLength = 0;
// Only a program that installed the handler (the single-threaded CLI) formats messages and sets limits: the
// GUI, whose jobs may read from several threads, never touches them.
std::atomic<bool> crashReportInstalled{false};

constexpr int kBadInput = 3;  // the CLI contract's exit status for bad input
constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

void report(const std::array<char, 4096>& message, std::size_t length) {
  removeUncommittedTemporaries();
  [[maybe_unused]] const auto written = ::write(STDERR_FILENO, message.data(), length);
  ::_exit(kBadInput);
}

void onSignal(int signal) {
  if (signal == SIGALRM) {
    // A timer left over from a read that ended is ignored; the scope cancels it, so this is only a race.
    if (const auto length = static_cast<std::size_t>(timeoutMessageLength); length > 0) report(timeoutMessage, length);
    return;
  }
  const auto length = static_cast<std::size_t>(crashMessageLength);
  if (length == 0) {
    removeUncommittedTemporaries();
    std::signal(signal, SIG_DFL);  // not while reading a file: keep the crash (and its core dump)
    std::raise(signal);
    return;
  }
  report(crashMessage, length);
}

void setMessage(std::array<char, 4096>& buffer, volatile std::sig_atomic_t& length, const std::string& text) {
  length = 0;
  const std::size_t size = std::min(text.size(), buffer.size());
  std::memcpy(buffer.data(), text.data(), size);
  length = static_cast<std::sig_atomic_t>(size);
}

void setTimer(std::chrono::seconds time) {
  itimerval timer = {};
  timer.it_value.tv_sec = static_cast<time_t>(time.count());
  setitimer(ITIMER_REAL, &timer, nullptr);
}

// Address space the process maps now (VmSize), so that a limit counts only what the read adds.
std::uint64_t mappedBytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  statm >> pages;
  return pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

std::optional<std::uint64_t> environmentNumber(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0') return std::nullopt;
  return value;
}

// A library that recurses without end on a damaged file overflows the stack: the handler then needs a stack
// of its own to run on.
alignas(16) std::array<char, 64 * 1024> signalStack{};

}  // namespace

void installCrashReport() {
  stack_t alternate = {};
  alternate.ss_sp = signalStack.data();
  alternate.ss_size = signalStack.size();
  sigaltstack(&alternate, nullptr);
  struct sigaction action = {};
  action.sa_handler = onSignal;
  action.sa_flags = SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (const int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM}) sigaction(signal, &action, nullptr);
  crashReportInstalled = true;
}

ReadLimits readLimitsFor(std::uintmax_t fileBytes) {
  constexpr std::uint64_t kBaseMemory = 896 * kMiB;
  constexpr std::uint64_t kMemoryPerFileByte = 16;
  constexpr std::uint64_t kBaseSeconds = 10;
  constexpr std::uint64_t kBytesPerSecond = 8'000'000;
  const std::uint64_t bytes = std::min<std::uintmax_t>(fileBytes, std::numeric_limits<std::uint64_t>::max() / 64);
  ReadLimits limits;
  limits.memoryBytes = kBaseMemory + kMemoryPerFileByte * bytes;
  limits.time = std::chrono::seconds(kBaseSeconds + bytes / kBytesPerSecond);
  if (const auto mb = environmentNumber("NEUROLENS_READ_MEMORY_MB"))
    limits.memoryBytes = *mb > std::numeric_limits<std::uint64_t>::max() / kMiB ? 0 : *mb * kMiB;
  if (const auto seconds = environmentNumber("NEUROLENS_READ_SECONDS"))
    limits.time = std::chrono::seconds(std::min<std::uint64_t>(*seconds, 100'000'000));
  return limits;
}

ReadingFile::ReadingFile(const std::filesystem::path& file) : file_(file.string()) {
  if (!crashReportInstalled) return;
  std::error_code error;
  const std::uintmax_t bytes = std::filesystem::file_size(file, error);
  limits_ = readLimitsFor(error ? 0 : bytes);
  setMessage(crashMessage, crashMessageLength,
             "error: " + file_ +
                 ": reading it crashed the HDF5/MAT reader; the file is damaged (or made to break readers). Check it "
                 "with h5dump or nwbinspector, or export it again\n");
  if (limits_.time.count() > 0) {
    setMessage(timeoutMessage, timeoutMessageLength,
               "error: " + file_ + ": reading it took longer than " + std::to_string(limits_.time.count()) +
                   " s, the limit for a file of this size (the HDF5/MAT reader hangs on some damaged files); check "
                   "it with h5dump or nwbinspector, or raise the limit with NEUROLENS_READ_SECONDS\n");
    setTimer(limits_.time);
  }
  rlimit current = {};
  if (limits_.memoryBytes > 0 && getrlimit(RLIMIT_AS, &current) == 0) {
    const std::uint64_t mapped = mappedBytes();
    std::uint64_t wanted = limits_.memoryBytes > std::numeric_limits<std::uint64_t>::max() - mapped
                               ? std::numeric_limits<std::uint64_t>::max()
                               : mapped + limits_.memoryBytes;
    if (current.rlim_max != RLIM_INFINITY) wanted = std::min<std::uint64_t>(wanted, current.rlim_max);
    if (current.rlim_cur == RLIM_INFINITY || wanted < current.rlim_cur) {
      rlimit limited = current;
      limited.rlim_cur = static_cast<rlim_t>(wanted);
      if (setrlimit(RLIMIT_AS, &limited) == 0) {
        previousSoftLimit_ = current.rlim_cur;
        memoryLimited_ = true;
      }
    }
  }
  limited_ = true;
}

ReadingFile::~ReadingFile() {
  if (!limited_) return;
  if (limits_.time.count() > 0) setTimer(std::chrono::seconds(0));
  timeoutMessageLength = 0;
  crashMessageLength = 0;
  if (memoryLimited_) {
    rlimit current = {};
    if (getrlimit(RLIMIT_AS, &current) == 0) {
      current.rlim_cur = static_cast<rlim_t>(previousSoftLimit_);
      setrlimit(RLIMIT_AS, &current);
    }
  }
}

std::string ReadingFile::outOfMemory() const {
  return file_ + ": reading it needed more than " + std::to_string(limits_.memoryBytes / kMiB) +
         " MiB of memory, the limit for a file of this size: a size it declares is damaged (or made to break "
         "readers). If the file is sound, raise the limit with NEUROLENS_READ_MEMORY_MB";
}

std::optional<std::string> checkReadableInChildProcess(const std::filesystem::path& file,
                                                       const std::filesystem::path& cli,
                                                       std::chrono::milliseconds timeout, const Progress& progress) {
  std::error_code error;
  if (!std::filesystem::exists(cli, error)) return std::nullopt;
  QProcess child;
  child.setProcessChannelMode(QProcess::SeparateChannels);
  child.start(QString::fromStdString(cli.string()),
              {"info", "--quiet", "--read-all", QString::fromStdString(file.string())});
  if (!child.waitForStarted()) return std::nullopt;  // cannot check: read as before
  // QProcess's destructor kills the child, so a Cancelled thrown by `progress` leaves nothing running.
  const std::string stage = "checking " + file.filename().string();
  constexpr std::chrono::milliseconds kSlice{100};
  bool finished = false;
  for (std::chrono::milliseconds waited{0}; !finished && waited < timeout; waited += kSlice) {
    progress.report(0.0, stage);
    finished = child.waitForFinished(static_cast<int>(kSlice.count()));
  }
  if (!finished) {
    child.kill();
    child.waitForFinished();
    return file.string() + ": reading it did not finish within " + std::to_string(timeout.count() / 1000) +
           " s (the HDF5 reader hangs on some damaged files); check it with h5dump or nwbinspector";
  }
  if (child.exitStatus() == QProcess::CrashExit)
    return file.string() + ": reading it crashed the HDF5/MAT reader; the file is damaged";
  if (child.exitCode() == 0) return std::nullopt;
  QString reason = QString::fromLocal8Bit(child.readAllStandardError()).trimmed();
  const auto lines = reason.split('\n', Qt::SkipEmptyParts);
  reason = lines.isEmpty() ? QString() : lines.last();
  if (reason.startsWith("error: ")) reason.remove(0, 7);
  if (reason.isEmpty())
    return file.string() + ": cannot be read (exit status " + std::to_string(child.exitCode()) + ")";
  return reason.toStdString();
}

}  // namespace neurolens::app
