#include "neurolens/core/atomic_file.h"

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

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path target)
    : target_(std::move(target)), temporary_(temporaryBeside(target_)) {
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
}

void AtomicFile::commit() {
  std::error_code ec;
  std::filesystem::rename(temporary_, target_, ec);
  if (ec) throw ComputeError(target_.string() + ": could not write the output (" + ec.message() + ")");
  committed_ = true;
}

}  // namespace neurolens
