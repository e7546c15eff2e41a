// Reading untrusted files within bounds. Debian 12's libhdf5 1.10 crashes or hangs on some damaged or
// crafted files, and libmatio allocates whatever size a damaged header claims; no check before reading
// can rule either out. In the command-line program (which installs the report), every read of a
// recording therefore runs under three limits, and breaking one is the CLI contract's bad-input outcome
// instead of a signal, an endless run or a machine out of memory: one `error:` line naming the file and
// what was wrong, exit status 3.
//   - a crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) while reading;
//   - wall-clock time (SIGALRM from an interval timer);
//   - address space (RLIMIT_AS, set relative to what the process already maps, so that LibTorch's or
//     CUDA's reservations do not count against the file): an allocation past it fails at once (malloc
//     returns null, new throws std::bad_alloc) instead of growing towards what the file claims.
// The limits grow with the file's size and can be changed with NEUROLENS_READ_MEMORY_MB and
// NEUROLENS_READ_SECONDS (0 = no limit). The GUI reads nothing untrusted in its own process first: it has
// the same program read the whole file in a child (checkReadableInChildProcess).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "neurolens/core/progress.h"

namespace neurolens::app {

// Installs the handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT and SIGALRM, and turns the limits of
// ReadingFile on. Outside a ReadingFile scope a crash stays a crash (the default action), since it is then
// not the input's fault. Only single-threaded programs may call it (the CLI): the limits are process-wide.
void installCrashReport();

struct ReadLimits {
  std::uint64_t memoryBytes = 0;  // address space a read may add; 0: unlimited
  std::chrono::seconds time{0};   // wall-clock time a read may take; 0: unlimited
};

// What reading a file of `fileBytes` may cost: 896 MiB + 16 bytes per byte of file, and 10 s + 1 s per
// 8 MB (both far beyond what the real recordings need: M1's 7 MB read in 0.1 s and 60 MB), unless
// NEUROLENS_READ_MEMORY_MB or NEUROLENS_READ_SECONDS say otherwise.
[[nodiscard]] ReadLimits readLimitsFor(std::uintmax_t fileBytes);

// While alive (in a program that installed the report; elsewhere it does nothing), reading `file` is
// bounded as above: a crash or running out of time ends the process with an error line and exit 3, and
// memory past the limit fails to allocate (outOfMemory() then gives the message to report). Scopes do not
// nest (the innermost wins).
class ReadingFile {
 public:
  explicit ReadingFile(const std::filesystem::path& file);
  ~ReadingFile();
  ReadingFile(const ReadingFile&) = delete;
  ReadingFile& operator=(const ReadingFile&) = delete;

  [[nodiscard]] bool limited() const { return limited_; }
  // The error message for an allocation that failed while reading under the memory limit.
  [[nodiscard]] std::string outOfMemory() const;

 private:
  std::string file_;
  ReadLimits limits_;
  bool limited_ = false;
  bool memoryLimited_ = false;
  std::uint64_t previousSoftLimit_ = 0;
};

// Runs `neurolens-cli info --read-all FILE` (`cli` is its path; the child reads the whole recording under
// the limits above) and waits up to `timeout`. Returns the reason the file cannot be read (the program's
// error line, a crash, or the time running out), or nothing when it reads. A missing `cli` is not a
// reason: the check is skipped. `progress` is asked every 0.1 s, so a cancel (Cancelled, thrown from it)
// stops the child at once.
std::optional<std::string> checkReadableInChildProcess(const std::filesystem::path& file,
                                                       const std::filesystem::path& cli,
                                                       std::chrono::milliseconds timeout,
                                                       const Progress& progress = {});

}  // namespace neurolens::app
