#include "batch/process.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace neurolens::cli::batch {
namespace {

// posix_spawn's file actions and attributes, destroyed with the scope.
class SpawnActions {
 public:
  SpawnActions() { posix_spawn_file_actions_init(&actions_); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
};

std::vector<char*> argvPointers(const std::vector<std::string>& argv) {
  std::vector<char*> pointers;
  pointers.reserve(argv.size() + 1);
  for (const auto& arg : argv) pointers.push_back(const_cast<char*>(arg.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

// Starts the child; returns its pid or -errno.
pid_t spawn(const std::vector<std::string>& argv, SpawnActions& actions) {
  if (argv.empty()) return -EINVAL;
  auto pointers = argvPointers(argv);
  pid_t pid = -1;
  const int rc = argv[0].find('/') == std::string::npos
                     ? posix_spawnp(&pid, argv[0].c_str(), actions.get(), nullptr, pointers.data(), environ)
                     : posix_spawn(&pid, argv[0].c_str(), actions.get(), nullptr, pointers.data(), environ);
  return rc == 0 ? pid : -rc;
}

ChildExit waitFor(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return {};
  }
  if (WIFEXITED(status)) return {WEXITSTATUS(status), 0};
  if (WIFSIGNALED(status)) return {128 + WTERMSIG(status), WTERMSIG(status)};
  return {};
}

std::string commandName(const std::vector<std::string>& argv) { return argv.empty() ? "(nothing)" : argv[0]; }

}  // namespace

UniqueFd::~UniqueFd() { reset(); }

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

int UniqueFd::release() noexcept {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::filesystem::path selfExecutable() {
  std::error_code error;
  auto path = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) throw std::runtime_error("cannot find the running program (/proc/self/exe): " + error.message());
  return path;
}

ChildExit runToFiles(const std::vector<std::string>& argv, const std::filesystem::path& stdoutFile,
                     const std::filesystem::path& stderrFile) {
  SpawnActions actions;
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(actions.get(), STDOUT_FILENO, stdoutFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(actions.get(), STDERR_FILENO, stderrFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  const pid_t pid = spawn(argv, actions);
  if (pid < 0)
    throw std::runtime_error("cannot start " + commandName(argv) + ": " + std::strerror(static_cast<int>(-pid)));
  return waitFor(pid);
}

Captured runCaptured(const std::vector<std::string>& argv) {
  Captured result;
  std::array<int, 2> outPipe{-1, -1};
  std::array<int, 2> errPipe{-1, -1};
  if (pipe2(outPipe.data(), O_CLOEXEC) != 0) throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  UniqueFd outRead(outPipe[0]);
  UniqueFd outWrite(outPipe[1]);
  if (pipe2(errPipe.data(), O_CLOEXEC) != 0) throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  UniqueFd errRead(errPipe[0]);
  UniqueFd errWrite(errPipe[1]);

  SpawnActions actions;
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), outWrite.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), errWrite.get(), STDERR_FILENO);
  const pid_t pid = spawn(argv, actions);
  outWrite.reset();
  errWrite.reset();
  if (pid < 0) {
    result.err = "cannot start " + commandName(argv) + ": " + std::strerror(static_cast<int>(-pid));
    return result;
  }
  result.started = true;

  std::array<pollfd, 2> fds{pollfd{outRead.get(), POLLIN, 0}, pollfd{errRead.get(), POLLIN, 0}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  std::array<char, 4096> buffer{};
  int open = 2;
  while (open > 0) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n > 0) {
        sinks[i]->append(buffer.data(), static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;  // end of this stream (closed with its UniqueFd)
        --open;
      }
    }
  }
  result.exit = waitFor(pid);
  return result;
}

}  // namespace neurolens::cli::batch
