#include "neurolens/app/crash_report.h"

#include <unistd.h>

#include <QProcess>
#include <QString>
#include <QStringList>
#include <array>
#include <atomic>
#include <csignal>
#include <cstring>

#include "neurolens/core/atomic_file.h"

namespace neurolens::app {
namespace {

// Process-wide state, because a signal handler can reach nothing else (AtomicFile keeps the other). The message is
// formatted before reading starts, so that the handler only calls write() and _exit().
std::array<char, 4096> crashMessage{};
volatile std::sig_atomic_t crashMessageLength = 0;
// Only a program that installed the handler (the single-threaded CLI) formats messages: the GUI, whose
// jobs may read from several threads, never touches the buffer.
std::atomic<bool> crashReportInstalled{false};

constexpr int kBadInput = 3;  // the CLI contract's exit status for bad input

void onCrash(int signal) {
  removeUncommittedTemporaries();
  const auto length = static_cast<std::size_t>(crashMessageLength);
  if (length == 0) {
    std::signal(signal, SIG_DFL);  // not while reading a file: keep the crash (and its core dump)
    std::raise(signal);
    return;
  }
  [[maybe_unused]] const auto written = ::write(STDERR_FILENO, crashMessage.data(), length);
  ::_exit(kBadInput);
}

}  // namespace

void installCrashReport() {
  struct sigaction action = {};
  action.sa_handler = onCrash;
  sigemptyset(&action.sa_mask);
  for (const int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL}) sigaction(signal, &action, nullptr);
  crashReportInstalled = true;
}

ReadingFile::ReadingFile(const std::filesystem::path& file) {
  if (!crashReportInstalled) return;
  const std::string text = "error: " + file.string() +
                           ": reading it crashed the HDF5/MAT reader; the file is damaged (or made to break "
                           "readers). Check it with h5dump or nwbinspector, or export it again\n";
  const std::size_t length = std::min(text.size(), crashMessage.size());
  crashMessageLength = 0;
  std::memcpy(crashMessage.data(), text.data(), length);
  crashMessageLength = static_cast<std::sig_atomic_t>(length);
}

ReadingFile::~ReadingFile() {
  if (crashReportInstalled) crashMessageLength = 0;
}

std::optional<std::string> checkReadableInChildProcess(const std::filesystem::path& file,
                                                       const std::filesystem::path& cli,
                                                       std::chrono::milliseconds timeout, const Progress& progress) {
  std::error_code error;
  if (!std::filesystem::exists(cli, error)) return std::nullopt;
  QProcess child;
  child.setProcessChannelMode(QProcess::SeparateChannels);
  child.start(QString::fromStdString(cli.string()), {"info", "--quiet", QString::fromStdString(file.string())});
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
