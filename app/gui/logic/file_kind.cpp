#include "logic/file_kind.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <system_error>

namespace neurolens::gui {

FileKind classifyFile(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr std::array<const char*, 4> kRecording = {".nwb", ".h5", ".hdf5", ".mat"};
  static constexpr std::array<const char*, 4> kModel = {".pt", ".pth", ".ts", ".torchscript"};
  for (const char* known : kRecording)
    if (extension == known) return FileKind::Recording;
  for (const char* known : kModel)
    if (extension == known) return FileKind::Model;
  return FileKind::Unknown;
}

bool isBatchFolder(const std::string& path) {
  std::error_code error;
  const std::filesystem::path folder(path);
  return !path.empty() && std::filesystem::is_directory(folder, error) &&
         std::filesystem::is_regular_file(folder / "tasks.json", error);
}

const char* recordingFileFilter() {
  return "Recordings (*.nwb *.h5 *.hdf5 *.mat);;NWB files (*.nwb);;MATLAB files (*.mat);;All files (*)";
}

const char* modelFileFilter() { return "TorchScript models (*.pt *.pth *.ts *.torchscript);;All files (*)"; }

}  // namespace neurolens::gui
