#pragma once
// Multi-session models on the command line (../shared/spec/model-contract.md, "Multi-session models"): every
// command that takes --model binds the loaded model to the recording's session once the recording is binned,
// and uses the bound model from then on (checkAgainst, infer, attribution). Compute-module side only (includes
// the model); the --session option itself is cli_common's addSessionOption.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_common.h"
#include "neurolens/core/binning.h"
#include "neurolens/core/model.h"

namespace neurolens::cli {

// The model bound to `session` (an id from --session) or, when empty, to the session whose id is the
// recording's NWB identifier. A single-session model comes back as it is; --session on one is an InputError,
// as is a recording or --session that matches no session (the message names the sessions the model knows).
inline Model bindModel(const Model& model, const BinnedRecording& binned, const std::string& session) {
  return model.forRecording(binned, session);
}

// The bin size a loaded model declares, for resolveBinMs / toBinningOptions (cli_common.h): commands that load the
// model themselves load it before binning and pass this.
inline DeclaredBinMs declaredBinMs(const Model& model, const std::string& option = "--model") {
  return {option, model.file().string(), model.metadata().binMs};
}

// The same from a model file's metadata alone (Model::readMetadata: the module is neither loaded nor run), for
// commands whose study loads the model later (align, lesion, figure's align and lesion views). No file: nothing.
inline std::vector<DeclaredBinMs> declaredBinMsOfFile(const std::string& file, const std::string& option) {
  if (file.empty()) return {};
  return {{option, file, Model::readMetadata(file).binMs}};
}

// The --json `session` key: the id of the session used, null for a single-session model.
inline nlohmann::json sessionJson(const Model& model) {
  const auto index = model.session();
  if (!index) return nullptr;
  return model.metadata().sessions.at(*index).id;
}

}  // namespace neurolens::cli
