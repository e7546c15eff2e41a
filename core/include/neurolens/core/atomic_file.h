#pragma once
// Writes that never leave a half-written file behind: the output is written to a
// temporary file beside the target and renamed over it only on commit(). If the
// object is destroyed without commit() (an exception, a cancel), the temporary
// file is removed and the target is untouched.
#include <filesystem>

namespace neurolens {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  AtomicFile(AtomicFile&&) = delete;
  AtomicFile& operator=(AtomicFile&&) = delete;

  // Where to write now.
  [[nodiscard]] const std::filesystem::path& temporaryPath() const { return temporary_; }
  [[nodiscard]] const std::filesystem::path& targetPath() const { return target_; }
  // Renames the temporary file onto the target (atomic on one file system).
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temporary_;
  bool committed_ = false;
  int crashSlot_ = -1;  // where removeUncommittedTemporaries() finds temporary_
};

// For a crash handler (async-signal-safe: unlink() only): removes the temporary file of every AtomicFile
// neither committed nor destroyed yet, so that not even a crash leaves a half-written output behind.
void removeUncommittedTemporaries() noexcept;

}  // namespace neurolens
