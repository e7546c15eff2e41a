// The TorchScript model runner (../shared/spec/model-contract.md): loading with
// the `neurolens.json` metadata, unpacking the three output forms, checking the
// model against a recording, and chunked inference with out-of-memory fallbacks.
#include <caffe2/serialize/inline_container.h>
#include <dlfcn.h>
#include <torch/script.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "detail/model_internal.h"
#include "neurolens/core/errors.h"

namespace neurolens {
namespace {

constexpr const char* kMetadataFile = "neurolens.json";

std::string quoted(const std::string& name) { return "'" + name + "'"; }
std::string quoted(const std::filesystem::path& file) { return quoted(file.string()); }

std::string shapeText(at::IntArrayRef sizes) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < sizes.size(); ++i) out << (i ? ", " : "") << sizes[i];
  out << ']';
  return out.str();
}

bool contains(const std::string& text, const char* needle) { return text.find(needle) != std::string::npos; }

std::vector<std::string> nonEmptyLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
  return lines;
}

// LibTorch's message without its C++ backtrace, cut to what a user can act on:
// the first line, or for an error inside a TorchScript program the raised error
// (last line) and where in the model's original Python code it happened.
std::string plainReason(const std::exception& error) {
  std::string text;
  if (const auto* c10error = dynamic_cast<const c10::Error*>(&error))
    text = c10error->what_without_backtrace();
  else
    text = error.what();
  const std::vector<std::string> lines = nonEmptyLines(text);
  if (lines.empty()) return "no reason given";
  if (!contains(lines.front(), "TorchScript interpreter")) return lines.front();
  std::string reason = lines.back();
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    const auto at = it->find("File \"");
    if (at == std::string::npos) continue;
    std::string where = it->substr(at + 6);  // path", line N, in forward
    const auto quote = where.find('"');
    if (quote != std::string::npos) where.erase(quote, 1);
    reason += " (at " + where + ")";
    break;
  }
  return reason;
}

std::string numberText(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// Translates the loader's reason into what the user should do about it.
std::string explainLoadFailure(const std::string& reason) {
  if (contains(reason, "central directory") || contains(reason, "zip archive") || contains(reason, "file_size") ||
      contains(reason, "PytorchStreamReader failed reading"))
    return "it is not a TorchScript file (torch.jit.save writes a zip archive; this file is not one, or it is "
           "truncated)";
  if (contains(reason, "constants.pkl") || contains(reason, "code/"))
    return "it looks like a plain PyTorch checkpoint (torch.save), not TorchScript: export the model with "
           "tools/python/neurolens_export.py or torch.jit.script(model).save(path)";
  const std::string unknownOp = "Unknown builtin op: ";
  if (const auto at = reason.find(unknownOp); at != std::string::npos) {
    std::string op = reason.substr(at + unknownOp.size());
    op = op.substr(0, op.find_first_of(" \t\r\n"));
    while (!op.empty() && (op.back() == '.' || op.back() == ',')) op.pop_back();
    return "it calls the operator " + op + ", which the LibTorch " + std::to_string(TORCH_VERSION_MAJOR) + "." +
           std::to_string(TORCH_VERSION_MINOR) +
           " this program was built with does not know (the file was saved by a newer PyTorch): re-export it with "
           "tools/python/neurolens_export.py (wrap() lowers scaled_dot_product_attention and "
           "nn.MultiheadAttention to operations LibTorch 1.13 has), or rebuild NeuroLens against your PyTorch "
           "(see README)";
  }
  if (contains(reason, "version") || contains(reason, "Unknown type"))
    return "it was probably saved by a newer PyTorch than the LibTorch " + std::to_string(TORCH_VERSION_MAJOR) + "." +
           std::to_string(TORCH_VERSION_MINOR) +
           " this program was built with (rebuild NeuroLens against your PyTorch, see README)";
  return "LibTorch could not load it";
}

std::optional<std::int64_t> optionalInt(const nlohmann::json& json, const char* key,
                                        const std::filesystem::path& file) {
  if (!json.contains(key) || json[key].is_null()) return std::nullopt;
  const auto& value = json[key];
  if (!value.is_number_integer() || value.get<std::int64_t>() <= 0)
    throw InputError("model " + quoted(file) + ": metadata key \"" + key + "\" must be a positive whole number, not " +
                     value.dump());
  return value.get<std::int64_t>();
}

void parseMetadata(Model::Impl& impl, const std::string& text) {
  impl.metadata.json = text;
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw InputError("model " + quoted(impl.file) + ": its neurolens.json metadata is not valid JSON (" + e.what() +
                     ")");
  }
  if (!json.is_object())
    throw InputError("model " + quoted(impl.file) + ": its neurolens.json metadata must be a JSON object");
  auto text_of = [&](const char* key) {
    return json.contains(key) && json[key].is_string() ? json[key].get<std::string>() : std::string();
  };
  impl.metadata.name = text_of("name");
  impl.metadata.trainedOn = text_of("trained_on");
  impl.metadata.units = optionalInt(json, "units", impl.file);
  impl.metadata.latents = optionalInt(json, "latents", impl.file);
  if (json.contains("bin_ms") && !json["bin_ms"].is_null()) {
    if (!json["bin_ms"].is_number() || json["bin_ms"].get<double>() <= 0.0)
      throw InputError("model " + quoted(impl.file) + ": metadata key \"bin_ms\" must be a positive number, not " +
                       json["bin_ms"].dump());
    impl.metadata.binMs = json["bin_ms"].get<double>();
  }
  if (json.contains("unit_ids") && !json["unit_ids"].is_null()) {
    if (!json["unit_ids"].is_array())
      throw InputError("model " + quoted(impl.file) + ": metadata key \"unit_ids\" must be a list of whole numbers");
    for (const auto& id : json["unit_ids"]) {
      if (!id.is_number_integer())
        throw InputError("model " + quoted(impl.file) + ": metadata \"unit_ids\" holds " + id.dump() +
                         ", not a whole number");
      impl.metadata.unitIds.push_back(id.get<std::int64_t>());
    }
    if (impl.metadata.units && static_cast<std::int64_t>(impl.metadata.unitIds.size()) != *impl.metadata.units)
      throw InputError("model " + quoted(impl.file) + ": metadata lists " +
                       std::to_string(impl.metadata.unitIds.size()) +
                       " unit_ids but says \"units\": " + std::to_string(*impl.metadata.units));
    if (!impl.metadata.units) impl.metadata.units = static_cast<std::int64_t>(impl.metadata.unitIds.size());
  }
  if (json.contains("sessions") && !json["sessions"].is_null()) {
    const auto bad = [&](const std::string& what) {
      return InputError("model " + quoted(impl.file) + ": metadata \"sessions\" " + what);
    };
    if (!json["sessions"].is_array() || json["sessions"].empty())
      throw bad("must be a non-empty list of {\"id\", \"units\", \"unit_ids\"}");
    for (const auto& entry : json["sessions"]) {
      if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_string() ||
          entry["id"].get<std::string>().empty())
        throw bad("holds " + entry.dump() + ", not an object with a text \"id\"");
      ModelSession session;
      session.id = entry["id"].get<std::string>();
      for (const auto& known : impl.metadata.sessions)
        if (known.id == session.id) throw bad("names session \"" + session.id + "\" twice");
      session.units = optionalInt(entry, "units", impl.file);
      if (entry.contains("unit_ids") && !entry["unit_ids"].is_null()) {
        if (!entry["unit_ids"].is_array()) throw bad("session \"" + session.id + "\": unit_ids must be a list");
        for (const auto& id : entry["unit_ids"]) {
          if (!id.is_number_integer())
            throw bad("session \"" + session.id + "\": unit_ids holds " + id.dump() + ", not a whole number");
          session.unitIds.push_back(id.get<std::int64_t>());
        }
        if (session.units && static_cast<std::int64_t>(session.unitIds.size()) != *session.units)
          throw bad("session \"" + session.id + "\" lists " + std::to_string(session.unitIds.size()) +
                    " unit_ids but says \"units\": " + std::to_string(*session.units));
        if (!session.units) session.units = static_cast<std::int64_t>(session.unitIds.size());
      }
      impl.metadata.sessions.push_back(std::move(session));
    }
  }
  if (json.contains("outputs") && json["outputs"].is_object()) {
    const auto& outputs = json["outputs"];
    if (outputs.contains("latents") && outputs["latents"].is_string())
      impl.latentsKey = outputs["latents"].get<std::string>();
    if (outputs.contains("rates") && outputs["rates"].is_string()) {
      impl.ratesKey = outputs["rates"].get<std::string>();
      impl.ratesKeyFromMetadata = true;
    } else if (outputs.contains("log_rates") && outputs["log_rates"].is_string()) {
      impl.ratesKey = outputs["log_rates"].get<std::string>();
      impl.ratesAreLog = true;
      impl.ratesKeyFromMetadata = true;
    }
  }
}

torch::Tensor checkedTensor(const c10::IValue& value, const Model::Impl& model, const std::string& what) {
  if (!value.isTensor())
    throw InputError("model " + quoted(model.file) + ": its output " + what + " is a " + value.tagKind() +
                     ", not a tensor");
  torch::Tensor tensor = value.toTensor();
  if (!tensor.is_floating_point())
    throw InputError("model " + quoted(model.file) + ": its output " + what + " has an integer type; it must be float");
  if (tensor.scalar_type() != torch::kFloat) tensor = tensor.to(torch::kFloat);
  return tensor;
}

// Checks [batch, bins, N] against the input's batch and bins (and N when given).
void checkShape(const torch::Tensor& tensor, const torch::Tensor& x, std::optional<std::int64_t> last,
                const Model::Impl& model, const std::string& what) {
  const bool ok = tensor.dim() == 3 && tensor.size(0) == x.size(0) && tensor.size(1) == x.size(1) &&
                  (!last || tensor.size(2) == *last);
  if (ok) return;
  std::string expected = "[" + std::to_string(x.size(0)) + ", " + std::to_string(x.size(1)) + ", " +
                         (last ? std::to_string(*last) : std::string("any")) + "]";
  throw InputError("model " + quoted(model.file) + ": for input " + shapeText(x.sizes()) + " its " + what +
                   " have shape " + shapeText(tensor.sizes()) + ", expected " + expected + " ([trials, bins, " +
                   (what == "rates" ? "units" : "latents") + "])");
}

// Approximate bytes one trial needs during a forward pass: input, outputs and a
// generous factor for intermediate activations (the exact figure is unknowable
// for an arbitrary TorchScript program; OOM retries cover a wrong guess).
std::size_t bytesPerTrial(std::size_t bins, std::size_t units, std::int64_t latents) {
  constexpr std::size_t kActivationFactor = 64;
  const std::size_t values = bins * (2 * units + static_cast<std::size_t>(std::max<std::int64_t>(latents, 1)));
  return std::max<std::size_t>(values * sizeof(float) * kActivationFactor, 1);
}

std::size_t initialChunk(const FloatArray& counts, std::int64_t latents, bool cuda, std::size_t maxChunk,
                         RunReport* report) {
  constexpr std::size_t kCpuBudget = std::size_t{512} << 20;         // 512 MiB
  constexpr std::size_t kCudaFallbackBudget = std::size_t{2} << 30;  // when free memory is unknown
  std::size_t budget = kCpuBudget;
  if (cuda) {
    const auto freeBytes = detail::freeCudaMemory();
    budget = freeBytes ? *freeBytes / 2 : kCudaFallbackBudget;
    if (report && !freeBytes) report->notes.push_back("free GPU memory unknown: assumed 2 GiB");
  }
  const std::size_t trials = counts.dim(0);
  std::size_t chunk = std::clamp<std::size_t>(budget / bytesPerTrial(counts.dim(1), counts.dim(2), latents), 1,
                                              std::max<std::size_t>(trials, 1));
  if (maxChunk > 0) chunk = std::min(chunk, maxChunk);
  return chunk;
}

void copyInto(FloatArray& target, std::size_t firstTrial, const torch::Tensor& source) {
  const torch::Tensor cpu = source.detach().to(torch::kCPU, torch::kFloat).contiguous();
  const std::size_t perTrial = target.size() / std::max<std::size_t>(target.dim(0), 1);
  std::memcpy(target.data() + firstTrial * perTrial, cpu.data_ptr<float>(),
              static_cast<std::size_t>(cpu.numel()) * sizeof(float));
}

void checkFinite(const torch::Tensor& tensor, const Model::Impl& model, const std::string& what, std::size_t first,
                 std::size_t count) {
  if (torch::isfinite(tensor).all().item<bool>()) return;
  throw ComputeError("model " + quoted(model.file) + " produced NaN or infinite " + what + " for trials " +
                     std::to_string(first) + "-" + std::to_string(first + count - 1) +
                     " (check the model's numerical stability, e.g. exp of large log-rates)");
}

}  // namespace

namespace detail {

std::optional<std::size_t> freeCudaMemory() {
  using MemGetInfo = int (*)(std::size_t*, std::size_t*);
  void* symbol = dlsym(RTLD_DEFAULT, "cudaMemGetInfo");
  if (!symbol) return std::nullopt;
  MemGetInfo memGetInfo = nullptr;
  static_assert(sizeof(memGetInfo) == sizeof(symbol));
  std::memcpy(&memGetInfo, &symbol, sizeof(symbol));  // POSIX: object pointer -> function pointer
  std::size_t freeBytes = 0;
  std::size_t totalBytes = 0;
  if (memGetInfo(&freeBytes, &totalBytes) != 0) return std::nullopt;
  return freeBytes;
}

bool isOutOfMemory(const std::exception& error) {
  if (dynamic_cast<const std::bad_alloc*>(&error)) return true;
  const std::string text = error.what();
  return contains(text, "out of memory") || contains(text, "can't allocate memory") ||
         contains(text, "CUDNN_STATUS_ALLOC_FAILED");
}

torch::jit::Module moduleOn(const Model::Impl& model, const torch::Device& device) {
  if (device.is_cpu()) return model.module;
  std::lock_guard<std::mutex> lock(model.mutex);
  if (!model.cudaModule || model.cudaModuleDevice != device) {
    torch::jit::Module copy = model.module.deepcopy();
    copy.to(device);
    copy.eval();
    model.cudaModule = std::move(copy);
    model.cudaModuleDevice = device;
  }
  return *model.cudaModule;
}

ForwardResult forward(const Model::Impl& model, const torch::Tensor& x) {
  c10::IValue output;
  try {
    torch::jit::Module module = moduleOn(model, x.device());
    if (model.session || !model.hasPlainForward)
      output = module.get_method("forward_session")({x, model.session.value_or(0)});
    else
      output = module.forward({x});
  } catch (const std::exception& e) {
    if (isOutOfMemory(e))
      throw DeviceOutOfMemory("out of memory running model " + quoted(model.file) + " on " + std::to_string(x.size(0)) +
                              " trials: " + plainReason(e));
    throw InputError("model " + quoted(model.file) + " failed on input counts of shape " + shapeText(x.sizes()) +
                     " ([trials, bins, units]): " + plainReason(e));
  }

  ForwardResult result;
  if (output.isTensor()) {
    result.latents = checkedTensor(output, model, "");
  } else if (output.isTuple() || output.isList()) {
    const std::vector<c10::IValue> items =
        output.isTuple() ? output.toTupleRef().elements().vec() : output.toListRef().vec();
    if (items.empty() || items.size() > 2)
      throw InputError("model " + quoted(model.file) + " returns a tuple of " + std::to_string(items.size()) +
                       " items; the contract allows latents or (latents, rates)");
    result.latents = checkedTensor(items[0], model, "latents (tuple item 0)");
    if (items.size() == 2) result.rates = checkedTensor(items[1], model, "rates (tuple item 1)");
  } else if (output.isGenericDict()) {
    const auto dict = output.toGenericDict();
    auto find = [&](const std::string& key) -> std::optional<c10::IValue> {
      for (const auto& entry : dict)
        if (entry.key().isString() && entry.key().toStringRef() == key) return entry.value();
      return std::nullopt;
    };
    const auto latents = find(model.latentsKey);
    if (!latents)
      throw InputError("model " + quoted(model.file) + " returns a dictionary without the key \"" + model.latentsKey +
                       "\" (set metadata \"outputs\": {\"latents\": KEY} to name another key)");
    result.latents = checkedTensor(*latents, model, "\"" + model.latentsKey + "\"");
    if (const auto rates = find(model.ratesKey)) {
      result.rates = checkedTensor(*rates, model, "\"" + model.ratesKey + "\"");
      if (model.ratesAreLog) result.rates = torch::exp(*result.rates);
    } else if (!model.ratesKeyFromMetadata) {
      if (const auto logRates = find("log_rates"))
        result.rates = torch::exp(checkedTensor(*logRates, model, "\"log_rates\""));
    }
  } else {
    throw InputError("model " + quoted(model.file) + " returns a " + output.tagKind() +
                     "; the contract allows a tensor, a tuple (latents, rates) or a Dict[str, Tensor]");
  }

  std::optional<std::int64_t> latentCount;
  if (model.probed && model.latents > 0) latentCount = model.latents;
  checkShape(result.latents, x, latentCount, model, "latents");
  if (result.rates) checkShape(*result.rates, x, x.size(2), model, "rates");
  return result;
}

void ensureProbed(const Model::Impl& model, std::int64_t units, std::int64_t bins) {
  {
    std::lock_guard<std::mutex> lock(model.mutex);
    if (model.probed) return;
  }
  torch::NoGradGuard noGrad;
  const torch::Tensor zeros = torch::zeros({1, std::max<std::int64_t>(bins, 1), units});
  const ForwardResult result = forward(model, zeros);
  std::lock_guard<std::mutex> lock(model.mutex);
  if (model.probed) return;
  const std::int64_t latents = result.latents.size(2);
  if (model.metadata.latents && *model.metadata.latents != latents)
    throw InputError("model " + quoted(model.file) + ": its metadata says " + std::to_string(*model.metadata.latents) +
                     " latents but forward returns " + std::to_string(latents));
  model.latents = latents;
  model.hasRates = result.rates.has_value();
  model.probed = true;
}

}  // namespace detail

namespace {

void checkModelFile(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) throw InputError("model " + quoted(file) + " does not exist");
  if (std::filesystem::is_directory(file, ec))
    throw InputError("model " + quoted(file) + " is a folder, not a TorchScript file");
  if (!std::ifstream(file, std::ios::binary).good())
    throw InputError("model " + quoted(file) + " cannot be opened for reading (check its permissions)");
}

}  // namespace

ModelMetadata Model::readMetadata(const std::filesystem::path& file) {
  checkModelFile(file);
  Impl impl;
  impl.file = file;
  std::string text;
  try {
    // The record torch::jit::load fills an ExtraFilesMap entry from ("extra/NAME" in the zip archive).
    caffe2::serialize::PyTorchStreamReader reader(file.string());
    const std::string record = std::string("extra/") + kMetadataFile;
    if (reader.hasRecord(record)) {
      const auto [data, size] = reader.getRecord(record);
      text.assign(static_cast<const char*>(data.get()), size);
    }
  } catch (const std::exception& e) {
    const std::string reason = plainReason(e);
    throw InputError("cannot read model " + quoted(file) + ": " + explainLoadFailure(reason) +
                     " (LibTorch says: " + reason + ")");
  }
  if (!text.empty()) parseMetadata(impl, text);
  return impl.metadata;
}

Model Model::load(const std::filesystem::path& file) {
  checkModelFile(file);

  auto impl = std::make_shared<Impl>();
  impl->file = file;
  torch::jit::ExtraFilesMap extraFiles{{kMetadataFile, ""}};
  try {
    impl->module = torch::jit::load(file.string(), torch::kCPU, extraFiles);
  } catch (const std::exception& e) {
    const std::string reason = plainReason(e);
    throw InputError("cannot load model " + quoted(file) + ": " + explainLoadFailure(reason) +
                     " (LibTorch says: " + reason + ")");
  }
  impl->module.eval();
  const std::string& metadataText = extraFiles[kMetadataFile];
  if (!metadataText.empty()) parseMetadata(*impl, metadataText);
  impl->hasPlainForward = impl->module.find_method("forward").has_value();
  const bool multiSession = !impl->metadata.sessions.empty();
  if (multiSession && !impl->module.find_method("forward_session"))
    throw InputError("model " + quoted(file) + ": its metadata lists " +
                     std::to_string(impl->metadata.sessions.size()) +
                     " sessions but the module has no forward_session(x, session) method");
  if (!impl->hasPlainForward && !multiSession) throw InputError("model " + quoted(file) + " has no forward method");
  // Without a plain forward, the model runs session 0 until it is bound to a recording: its units are session 0's.
  if (!impl->hasPlainForward && !impl->metadata.units) {
    impl->metadata.units = impl->metadata.sessions.front().units;
    impl->metadata.unitIds = impl->metadata.sessions.front().unitIds;
  }

  // Learn the output form now when the unit count is known. A model that needs a
  // particular number of bins may fail on the probe's length; it is probed again
  // with the recording's own shape before running, where failures are reported.
  if (impl->metadata.units) {
    try {
      constexpr std::int64_t kProbeBins = 10;
      detail::ensureProbed(*impl, *impl->metadata.units, kProbeBins);
    } catch (const InputError&) {
      // deferred: see above
    } catch (const ComputeError&) {
    }
  }
  return Model(std::move(impl));
}

const std::filesystem::path& Model::file() const { return impl_->file; }
const ModelMetadata& Model::metadata() const { return impl_->metadata; }
std::int64_t Model::latentCount() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->probed ? impl_->latents : impl_->metadata.latents.value_or(0);
}
bool Model::hasRates() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->hasRates;
}

void Model::checkAgainst(const BinnedRecording& recording) const {
  const ModelMetadata& meta = impl_->metadata;
  const auto units = static_cast<std::int64_t>(recording.unitCount());
  if (meta.units && *meta.units != units)
    throw InputError("model " + quoted(impl_->file) + " expects " + std::to_string(*meta.units) +
                     " units but the recording " + quoted(recording.source) + " has " + std::to_string(units) +
                     " (after --units selection); choose the units the model was trained on");
  if (meta.binMs && std::abs(*meta.binMs - recording.binMs) > 1e-6)
    throw InputError("model " + quoted(impl_->file) + " was trained on " + numberText(*meta.binMs) +
                     " ms bins but the recording is binned at " + numberText(recording.binMs) + " ms; use --bin-ms " +
                     numberText(*meta.binMs));
  if (!meta.unitIds.empty() && !recording.unitIds.empty() && meta.unitIds.size() == recording.unitIds.size()) {
    for (std::size_t i = 0; i < meta.unitIds.size(); ++i) {
      if (meta.unitIds[i] != recording.unitIds[i])
        throw InputError("model " + quoted(impl_->file) + " was trained on unit id " + std::to_string(meta.unitIds[i]) +
                         " in position " + std::to_string(i) + " but the recording has unit id " +
                         std::to_string(recording.unitIds[i]) + " there; select the same units in the same order");
    }
  }
  detail::ensureProbed(*impl_, units, static_cast<std::int64_t>(recording.binCount()));
}

std::optional<std::size_t> Model::session() const {
  if (!impl_->session) return std::nullopt;
  return static_cast<std::size_t>(*impl_->session);
}

Model Model::forRecording(const BinnedRecording& recording, const std::string& requested) const {
  const auto& sessions = impl_->metadata.sessions;
  if (sessions.empty()) {
    if (!requested.empty())
      throw InputError("model " + quoted(impl_->file) + " has no sessions (--session " + requested +
                       "): it is a single-session model; leave out --session");
    return *this;
  }
  const std::string& wanted = requested.empty() ? recording.identifier : requested;
  std::size_t index = sessions.size();
  for (std::size_t i = 0; i < sessions.size(); ++i)
    if (sessions[i].id == wanted) index = i;
  if (index == sessions.size()) {
    std::string known;
    for (const auto& session : sessions) known += (known.empty() ? "" : ", ") + session.id;
    if (requested.empty())
      throw InputError("model " + quoted(impl_->file) + " knows the sessions " + known + "; the recording " +
                       quoted(recording.source) + " (identifier \"" + recording.identifier +
                       "\") is none of them: name one with --session ID");
    throw InputError("model " + quoted(impl_->file) + " has no session \"" + requested + "\"; it knows " + known);
  }
  if (impl_->session && static_cast<std::size_t>(*impl_->session) == index) return *this;
  // A new binding sharing the loaded module: the session's units replace the top-level ones.
  auto bound = std::make_shared<Impl>();
  bound->file = impl_->file;
  bound->metadata = impl_->metadata;
  bound->metadata.units = sessions[index].units;
  bound->metadata.unitIds = sessions[index].unitIds;
  bound->module = impl_->module;
  bound->latentsKey = impl_->latentsKey;
  bound->ratesKey = impl_->ratesKey;
  bound->ratesAreLog = impl_->ratesAreLog;
  bound->ratesKeyFromMetadata = impl_->ratesKeyFromMetadata;
  bound->hasPlainForward = impl_->hasPlainForward;
  bound->session = static_cast<std::int64_t>(index);
  return Model(std::move(bound));
}

std::optional<FloatArray> Model::unitEmbeddings(std::optional<std::int64_t> units) const {
  const Impl& model = *impl_;
  const std::optional<std::int64_t> expected = model.metadata.units ? model.metadata.units : units;
  const std::int64_t session = model.session.value_or(0);
  const std::string method = "unit_embeddings(" + std::to_string(session) + ")";
  torch::NoGradGuard noGrad;
  c10::IValue value;
  std::string what;
  if (model.module.find_method("unit_embeddings")) {
    what = "its " + method;
    try {
      value = model.module.get_method("unit_embeddings")({session});
    } catch (const std::exception& e) {
      throw InputError("model " + quoted(model.file) + ": " + method + " failed: " + plainReason(e));
    }
  } else {
    if (!expected) return std::nullopt;  // a dictionary output cannot be looked at without the unit count
    constexpr std::int64_t kProbeBins = 10;
    const torch::Tensor zeros = torch::zeros({1, kProbeBins, *expected});
    c10::IValue output;
    try {
      if (model.session || !model.hasPlainForward)
        output = model.module.get_method("forward_session")({zeros, session});
      else
        output = model.module.forward({zeros});
    } catch (const std::exception& e) {
      throw InputError("model " + quoted(model.file) + " failed on input counts of shape " + shapeText(zeros.sizes()) +
                       " while looking for its unit embeddings: " + plainReason(e));
    }
    if (!output.isGenericDict()) return std::nullopt;
    bool found = false;
    for (const auto& entry : output.toGenericDict())
      if (entry.key().isString() && entry.key().toStringRef() == "unit_embeddings") {
        value = entry.value();
        found = true;
      }
    if (!found) return std::nullopt;
    what = "its output \"unit_embeddings\"";
  }
  if (!value.isTensor())
    throw InputError("model " + quoted(model.file) + ": " + what + " is a " + value.tagKind() + ", not a tensor");
  torch::Tensor tensor = value.toTensor().detach().to(torch::kCPU);
  if (tensor.dim() == 3 && tensor.size(0) == 1) tensor = tensor.squeeze(0);  // an output key with its batch of one
  if (!tensor.is_floating_point())
    throw InputError("model " + quoted(model.file) + ": " + what + " has an integer type; it must be float");
  const bool rowsOk = !expected || (tensor.dim() == 2 && tensor.size(0) == *expected);
  if (tensor.dim() != 2 || tensor.size(1) == 0 || !rowsOk)
    throw InputError("model " + quoted(model.file) + ": " + what + " has shape " + shapeText(tensor.sizes()) +
                     ", expected [" + (expected ? std::to_string(*expected) : std::string("units")) +
                     ", d] (one row per unit)");
  tensor = tensor.to(torch::kFloat).contiguous();
  if (!torch::isfinite(tensor).all().item<bool>()) {
    const std::int64_t row = torch::nonzero(~torch::isfinite(tensor)).select(1, 0)[0].item<std::int64_t>();
    throw InputError("model " + quoted(model.file) + ": " + what + " holds NaN or infinite values (first in row " +
                     std::to_string(row) + ")");
  }
  FloatArray embeddings({static_cast<std::size_t>(tensor.size(0)), static_cast<std::size_t>(tensor.size(1))});
  std::memcpy(embeddings.data(), tensor.data_ptr<float>(), embeddings.size() * sizeof(float));
  return embeddings;
}

ModelOutputs Model::infer(const FloatArray& counts, DeviceChoice device, const Progress& progress,
                          RunReport* report) const {
  InferOptions options;
  options.device = device;
  return infer(counts, options, progress, report);
}

ModelOutputs Model::infer(const FloatArray& counts, const InferOptions& options, const Progress& progress,
                          RunReport* report) const {
  const Impl& model = *impl_;
  if (counts.rank() != 3 || counts.dim(0) == 0 || counts.dim(1) == 0 || counts.dim(2) == 0)
    throw InputError("model " + quoted(model.file) + ": counts must be a non-empty [trials, bins, units] array");
  const std::size_t trials = counts.dim(0);
  const std::size_t bins = counts.dim(1);
  const std::size_t units = counts.dim(2);
  if (model.metadata.units && static_cast<std::size_t>(*model.metadata.units) != units)
    throw InputError("model " + quoted(model.file) + " expects " + std::to_string(*model.metadata.units) +
                     " units but the counts have " + std::to_string(units));
  detail::ensureProbed(model, static_cast<std::int64_t>(units), static_cast<std::int64_t>(bins));

  RunReport localReport;
  RunReport& run = report ? *report : localReport;
  run.device = resolveDevice(options.device);
  std::size_t chunk =
      initialChunk(counts, latentCount(), run.device == DeviceChoice::Cuda, options.maxChunkTrials, &run);

  ModelOutputs outputs;
  outputs.latents = FloatArray({trials, bins, static_cast<std::size_t>(model.latents)});
  if (model.hasRates) outputs.rates = FloatArray({trials, bins, units});

  // Input tensor over the caller's memory (no copy); chunks are slices of it.
  const torch::Tensor all = torch::from_blob(
      const_cast<float*>(counts.data()),  // NOLINT: read only
      {static_cast<std::int64_t>(trials), static_cast<std::int64_t>(bins), static_cast<std::int64_t>(units)},
      torch::kFloat);
  torch::NoGradGuard noGrad;
  progress.report(0.0, "running model");
  std::size_t first = 0;
  while (first < trials) {
    const std::size_t count = std::min(chunk, trials - first);
    const torch::Device device = run.device == DeviceChoice::Cuda ? torch::Device(torch::kCUDA) : torch::kCPU;
    detail::ForwardResult result;
    try {
      const torch::Tensor x =
          all.slice(0, static_cast<std::int64_t>(first), static_cast<std::int64_t>(first + count)).to(device);
      result = detail::forward(model, x);
      checkFinite(result.latents, model, "latents", first, count);
      if (result.rates) checkFinite(*result.rates, model, "rates", first, count);
      copyInto(outputs.latents, first, result.latents);
      if (outputs.rates && result.rates) copyInto(*outputs.rates, first, *result.rates);
    } catch (const std::exception& e) {
      // DeviceOutOfMemory from forward, or an allocation failure moving the chunk.
      const bool outOfMemory =
          dynamic_cast<const detail::DeviceOutOfMemory*>(&e) ||
          (!dynamic_cast<const InputError*>(&e) && !dynamic_cast<const ComputeError*>(&e) && detail::isOutOfMemory(e));
      if (!outOfMemory) throw;
      if (count > 1) {
        chunk = std::max<std::size_t>(count / 2, 1);
        run.notes.push_back("out of memory on " + deviceName(run.device) + " at " + std::to_string(count) +
                            " trials per pass, retried with " + std::to_string(chunk));
        continue;
      }
      if (run.device == DeviceChoice::Cuda) {
        run.notes.push_back("out of memory on the GPU even for one trial: continued on the CPU");
        run.device = DeviceChoice::Cpu;
        chunk = initialChunk(counts, model.latents, false, options.maxChunkTrials, nullptr);
        continue;
      }
      throw ComputeError("out of memory running model " + quoted(model.file) +
                         " one trial at a time on the CPU, after every fallback: " + plainReason(e));
    }
    run.chunkTrials = std::max(run.chunkTrials, count);
    first += count;
    progress.report(static_cast<double>(first) / static_cast<double>(trials), "running model");
  }

  if (outputs.rates) {
    const auto& values = outputs.rates->values();
    if (std::any_of(values.begin(), values.end(), [](float v) { return v < 0.0F; }))
      throw InputError("model " + quoted(model.file) +
                       " gives negative rates; rates must be expected counts per bin (>= 0): return \"log_rates\" "
                       "or apply exp/softplus");
  }
  return outputs;
}

}  // namespace neurolens
