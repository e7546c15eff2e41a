#pragma once
// What a file given to the window (dropped, on the command line, from the recent
// list) is, judged by its name: a recording, a model, or neither. No Qt.
#include <string>

namespace neurolens::gui {

enum class FileKind { Recording, Model, Unknown };

// .nwb / .h5 / .hdf5 / .mat -> Recording; .pt / .pth / .ts / .torchscript -> Model
// (TorchScript archives); anything else Unknown. Case-insensitive.
[[nodiscard]] FileKind classifyFile(const std::string& path);

// A folder that `neurolens-cli batch run --out DIR` wrote: it holds the task list tasks.json
// (docs/batch.md). Looks at the disk, unlike classifyFile. The GUI opens it in its Batch dock.
[[nodiscard]] bool isBatchFolder(const std::string& path);

// Filters for the open dialogs, in Qt's "Name (*.a *.b)" syntax.
[[nodiscard]] const char* recordingFileFilter();
[[nodiscard]] const char* modelFileFilter();

}  // namespace neurolens::gui
