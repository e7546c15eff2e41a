// `info MODEL`: what a model is (../shared/spec/cli.md): its name, units, latents, bin size, outputs and, for a
// multi-session model, its sessions. Compute module only: the launcher's `info` forwards model files here.
#include <iostream>
#include <optional>
#include <sstream>

#include "cli_common.h"
#include "commands.h"
#include "neurolens/core/model.h"

namespace neurolens::cli {

int runModelInfo(const std::string& file, bool json) {
  const Model model = Model::load(file);
  const ModelMetadata& metadata = model.metadata();
  nlohmann::json sessions = nlohmann::json::array();
  for (const auto& session : metadata.sessions) sessions.push_back(session.id);
  nlohmann::json outputs = nlohmann::json::array({"latents"});
  if (model.hasRates()) outputs.push_back("rates");
  const auto orNull = [](const auto& value) { return value ? nlohmann::json(*value) : nlohmann::json(nullptr); };
  const std::int64_t latents = model.latentCount();
  const std::optional<FloatArray> embeddings = model.unitEmbeddings();
  const std::size_t embeddingDims = embeddings ? embeddings->dim(1) : 0;  // 0: none
  if (json) {
    CommonOptions common;
    common.json = true;
    Reporter(common).summary(
        {{"name", metadata.name},
         {"units", orNull(metadata.units)},
         {"latents", latents > 0 ? nlohmann::json(latents) : nlohmann::json(nullptr)},
         {"bin_ms", orNull(metadata.binMs)},
         {"outputs", outputs},
         {"unit_embeddings", embeddingDims > 0 ? nlohmann::json(embeddingDims) : nlohmann::json(nullptr)},
         {"sessions", sessions}});
    return kSuccess;
  }
  const auto text = [](const auto& value) { return value ? std::to_string(*value) : std::string("(not given)"); };
  std::ostringstream binText;
  if (metadata.binMs) binText << *metadata.binMs;
  std::cout << file << " (model)\n"
            << "  name:     " << (metadata.name.empty() ? "(not given)" : metadata.name) << "\n"
            << "  units:    " << (metadata.sessions.empty() ? text(metadata.units) : "(per session)") << "\n"
            << "  latents:  " << (latents > 0 ? std::to_string(latents) : "(learned on a recording)") << "\n"
            << "  bin size: " << (metadata.binMs ? binText.str() + " ms" : "(not given)") << "\n"
            << "  outputs:  latents" << (model.hasRates() ? ", rates" : "") << "\n"
            << "  unit_embeddings: " << (embeddingDims > 0 ? std::to_string(embeddingDims) : std::string("none"))
            << "\n";
  if (metadata.sessions.empty()) {
    std::cout << "  sessions: (single-session model)\n";
  } else {
    std::cout << "  sessions: " << metadata.sessions.size() << " (picked by the recording's NWB identifier, or "
              << "--session ID)\n";
    for (const auto& session : metadata.sessions)
      std::cout << "    " << session.id << ": " << text(session.units) << " units\n";
  }
  return kSuccess;
}

}  // namespace neurolens::cli
