#pragma once
// Child processes for `batch`: a task runs the real neurolens-cli program (this
// executable) with its stdout and stderr sent to files; Slurm's clients (sbatch,
// squeue, scontrol) run with their output captured. POSIX only (posix_spawn), no Qt.
#include <filesystem>
#include <string>
#include <vector>

namespace neurolens::cli::batch {

// A file descriptor closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;

  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  int release() noexcept;
  void reset() noexcept;

 private:
  int fd_ = -1;
};

// The running program itself (/proc/self/exe), so that a task runs the same neurolens-cli.
std::filesystem::path selfExecutable();

// How a child ended: its exit status, or 128 + N when signal N killed it.
struct ChildExit {
  int code = -1;
  int signal = 0;  // 0 when it exited by itself
};

// Runs argv[0] (an absolute path or a name on PATH) with the environment of this process, stdout into
// `stdoutFile` and stderr into `stderrFile` (created or truncated), and waits for it.
// Throws std::runtime_error when it cannot be started.
ChildExit runToFiles(const std::vector<std::string>& argv, const std::filesystem::path& stdoutFile,
                     const std::filesystem::path& stderrFile);

struct Captured {
  ChildExit exit;
  std::string out;
  std::string err;
  bool started = false;  // false: the program could not be started (not installed); `err` says why
};

// Runs a short-lived program (sbatch, squeue, scontrol) and collects its output.
Captured runCaptured(const std::vector<std::string>& argv);

}  // namespace neurolens::cli::batch
