// libFuzzer target for the NWB reader: every input is written to a temporary
// file and read the three ways the program reads recordings (summary, whole
// recording, streamed binning). Only InputError / ComputeError may come out;
// anything else (a crash, an ASan report, another exception) is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <new>
#include <string>

#include "neurolens/core/binning.h"
#include "neurolens/core/errors.h"
#include "neurolens/io/recording_reader.h"

namespace {

std::string scratchPath() {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp != nullptr ? tmp : "/tmp") + "/neurolens-fuzz-" + std::to_string(getpid()) + ".nwb";
}

template <typename F>
void expectOnlyInputErrors(F&& read) {
  try {
    read();
  } catch (const neurolens::InputError&) {
  } catch (const neurolens::ComputeError&) {
  } catch (const std::bad_alloc&) {
    // A file may claim more elements than memory holds; the CLI reports that as exit 4.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = scratchPath();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return 0;
  if (size > 0) std::fwrite(data, 1, size, file);
  std::fclose(file);

  expectOnlyInputErrors([] { (void)neurolens::io::readRecordingSummary(path); });
  expectOnlyInputErrors([] { (void)neurolens::io::readRecording(path); });
  expectOnlyInputErrors([] {
    neurolens::BinningOptions options;
    options.binMs = 250.0;  // coarse bins keep absurd durations from dominating the run
    (void)neurolens::io::binRecordingFile(path, options);
  });
  std::remove(path.c_str());
  return 0;
}
