#pragma once
// A trained model as ../shared/spec/model-contract.md defines it: a TorchScript
// file whose forward maps counts [batch, bins, units] to latents (and maybe
// rates). LibTorch types stay behind the pimpl; core-internal code that needs
// the module (attribution) uses detail/model_internal.h.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/core/binning.h"
#include "neurolens/core/device.h"
#include "neurolens/core/ndarray.h"
#include "neurolens/core/progress.h"

namespace neurolens {

// One session of a multi-session model (metadata "sessions"): its own neurons.
struct ModelSession {
  std::string id;  // matched against a recording's NWB identifier
  std::optional<std::int64_t> units;
  std::vector<std::int64_t> unitIds;
};

// The optional `neurolens.json` extra file; every key is optional.
struct ModelMetadata {
  std::string name;
  std::optional<double> binMs;
  std::optional<std::int64_t> units;
  std::optional<std::int64_t> latents;
  std::vector<std::int64_t> unitIds;
  std::string trainedOn;
  std::vector<ModelSession> sessions;  // multi-session models (forward_session); empty otherwise
  std::string json;                    // the whole metadata text as stored (shown in the GUI)
};

struct ModelOutputs {
  FloatArray latents;               // [trials, bins, latents]
  std::optional<FloatArray> rates;  // [trials, bins, units], expected counts per bin
};

// What happened while running: the device used, chunking, fallbacks (shown to the user).
struct RunReport {
  DeviceChoice device = DeviceChoice::Cpu;
  std::size_t chunkTrials = 0;
  std::vector<std::string> notes;  // e.g. "CUDA out of memory at 64 trials, retried with 32"
};

// How to run inference (the plain infer() overload uses the defaults).
struct InferOptions {
  DeviceChoice device = DeviceChoice::Auto;
  // Upper bound on trials per forward pass; 0 = sized from free memory. Results
  // do not depend on it (tests use it to compare chunked with unchunked runs).
  std::size_t maxChunkTrials = 0;
};

class Model {
 public:
  // Throws InputError naming the file and the loader's reason.
  static Model load(const std::filesystem::path& file);
  // The metadata alone (the archive's neurolens.json), read without loading or running the module, e.g. a model's
  // bin_ms before the recording is binned. Throws InputError as load() does for a missing or unreadable file, one
  // that is not a TorchScript archive, and malformed metadata; the module itself is not checked.
  [[nodiscard]] static ModelMetadata readMetadata(const std::filesystem::path& file);

  [[nodiscard]] const std::filesystem::path& file() const;
  [[nodiscard]] const ModelMetadata& metadata() const;
  // Latent count and whether rates are produced, learned from metadata or one small probe forward
  // (a model whose metadata gives no unit count is probed by the first checkAgainst/infer: 0 until then).
  [[nodiscard]] std::int64_t latentCount() const;
  [[nodiscard]] bool hasRates() const;

  // Throws InputError when units or bin size disagree with the recording.
  void checkAgainst(const BinnedRecording& recording) const;

  // Multi-session models (../shared/spec/model-contract.md): the model bound to one of its sessions, so that
  // checkAgainst, infer and attribution use that session's units and forward_session(x, session). The session is
  // `requested` (an id) when given, else the one whose id equals the recording's NWB identifier. A single-session
  // model is returned as it is (a `requested` session is then an InputError). Throws InputError naming the
  // sessions the model knows when none matches.
  [[nodiscard]] Model forRecording(const BinnedRecording& recording, const std::string& requested = {}) const;
  // The session this model is bound to (an index into metadata().sessions), if any.
  [[nodiscard]] std::optional<std::size_t> session() const;

  // The model's unit embeddings [units, d] (model-contract.md), for the bound session (session 0 when unbound):
  // the module's unit_embeddings(session) method, else a "unit_embeddings" key of a dictionary output (read from
  // one forward pass of zeros, which needs the unit count: metadata's, else `units`). nullopt when the model has
  // neither. Throws InputError naming the file when they are not a [units, d] float tensor (rows != units) or hold
  // NaN or infinite values.
  [[nodiscard]] std::optional<FloatArray> unitEmbeddings(std::optional<std::int64_t> units = std::nullopt) const;

  // Runs forward over every trial, in chunks that fit the device; OOM -> smaller
  // chunks -> CPU. Throws ComputeError on NaN/Inf outputs, InputError on a forward
  // that breaks the contract.
  [[nodiscard]] ModelOutputs infer(const FloatArray& counts, DeviceChoice device, const Progress& progress = {},
                                   RunReport* report = nullptr) const;
  [[nodiscard]] ModelOutputs infer(const FloatArray& counts, const InferOptions& options, const Progress& progress = {},
                                   RunReport* report = nullptr) const;

  struct Impl;
  [[nodiscard]] const Impl& impl() const { return *impl_; }

 private:
  explicit Model(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace neurolens
