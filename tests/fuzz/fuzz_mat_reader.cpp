// libFuzzer target for the DataHigh MAT-file reader (plugins/datahigh_mat): every input is written to a
// temporary file, since libmatio reads paths, and read as the plugin reads it. Only InputError may come
// out; anything else (a crash, an ASan report, another exception) is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "datahigh_mat_reader.h"
#include "neurolens/core/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = [] {
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp != nullptr ? tmp : "/tmp") + "/neurolens-fuzz-" + std::to_string(getpid()) + ".mat";
  }();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return 0;
  if (size > 0) std::fwrite(data, 1, size, file);
  std::fclose(file);
  try {
    (void)neurolens::datahigh::readDataHighMat(path);
  } catch (const neurolens::InputError&) {
  } catch (const std::bad_alloc&) {
    // A file may claim more elements than memory holds; the CLI reports that as exit 4.
  }
  std::remove(path.c_str());
  return 0;
}
