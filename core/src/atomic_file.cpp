#include "neurolens/core/atomic_file.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstring>
#include <random>
#include <string>
#include <system_error>

#include "neurolens/core/errors.h"

namespace neurolens {
namespace {

std::filesystem::path temporaryBeside(const std::filesystem::path& target) {
  std::random_device device;
  const auto tag = std::to_string(device());
  auto name = "." + target.filename().string() + ".partial-" + tag;
  return target.parent_path() / name;
}

// The temporaries a crash handler must remove. A signal handler can reach nothing but process-wide state,
// so this is the one such table here: fixed-size, lock-free, claimed and released by AtomicFile.
enum SlotState : int { kFree, kWriting, kReady };
constexpr std::size_t kPathCapacity = 4096;
struct CrashSlot {
  std::atomic<int> state{kFree};
  std::array<char, kPathCapacity> path{};
};
std::array<CrashSlot, 32> crashSlots;

int claimCrashSlot(const std::filesystem::path& path) {
  const std::string& text = path.native();
  if (text.size() >= kPathCapacity) return -1;
  for (std::size_t i = 0; i < crashSlots.size(); ++i) {
    int expected = kFree;
    if (!crashSlots[i].state.compare_exchange_strong(expected, kWriting)) continue;
    std::memcpy(crashSlots[i].path.data(), text.c_str(), text.size() + 1);
    crashSlots[i].state.store(kReady);
    return static_cast<int>(i);
  }
  return -1;  // more than 32 outputs at once: only the exceptions path cleans up the rest
}

void releaseCrashSlot(int& slot) {
  if (slot >= 0) crashSlots[static_cast<std::size_t>(slot)].state.store(kFree);
  slot = -1;
}

}  // namespace

void removeUncommittedTemporaries() noexcept {
  for (auto& slot : crashSlots)
    if (slot.state.load() == kReady) ::unlink(slot.path.data());
}

AtomicFile::AtomicFile(std::filesystem::path target)
    : target_(std::move(target)), temporary_(temporaryBeside(target_)), crashSlot_(claimCrashSlot(temporary_)) {
  if (target_.filename().empty()) throw InputError(target_.string() + ": the output path names a folder, not a file");
  std::error_code ec;
  if (std::filesystem::is_directory(target_, ec))
    throw InputError(target_.string() + ": the output path is an existing folder");
  const auto parent = target_.parent_path().empty() ? std::filesystem::path(".") : target_.parent_path();
  if (!std::filesystem::is_directory(parent, ec))
    throw InputError(target_.string() + ": the output folder " + parent.string() + " does not exist");
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
  }
  releaseCrashSlot(crashSlot_);
}

void AtomicFile::commit() {
  std::error_code ec;
  std::filesystem::rename(temporary_, target_, ec);
  if (ec) throw ComputeError(target_.string() + ": could not write the output (" + ec.message() + ")");
  committed_ = true;
  releaseCrashSlot(crashSlot_);
}

}  // namespace neurolens
