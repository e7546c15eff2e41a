// libhdf5 1.10 (Debian 12's) crashes on some damaged or crafted files, and no check before reading can rule
// that out. These turn such a crash of the command-line program into its contract instead of a bare
// "Segmentation fault": one `error:` line naming the file being read, exit status 3 (bad input).
// The GUI checks a file in a child process before reading it (see checkReadableInChildProcess).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "neurolens/core/progress.h"

namespace neurolens::app {

// Installs the handlers for SIGSEGV, SIGBUS, SIGFPE and SIGILL. Outside a ReadingFile scope a crash
// stays a crash (the default action), since it is then not the input's fault.
void installCrashReport();

// While alive, a crash is reported as one in reading `file` (in a program that installed the handler;
// elsewhere it does nothing). Scopes do not nest (the innermost wins).
class ReadingFile {
 public:
  explicit ReadingFile(const std::filesystem::path& file);
  ~ReadingFile();
  ReadingFile(const ReadingFile&) = delete;
  ReadingFile& operator=(const ReadingFile&) = delete;
};

// Runs `neurolens-cli info FILE` (`cli` is its path) and waits up to `timeout`. Returns the reason the
// file cannot be read (the program's error line, a crash, or the time running out), or nothing when it
// reads. A missing `cli` is not a reason: the check is skipped. `progress` is asked every 0.1 s, so a
// cancel (Cancelled, thrown from it) stops the child at once.
std::optional<std::string> checkReadableInChildProcess(const std::filesystem::path& file,
                                                       const std::filesystem::path& cli,
                                                       std::chrono::milliseconds timeout,
                                                       const Progress& progress = {});

}  // namespace neurolens::app
