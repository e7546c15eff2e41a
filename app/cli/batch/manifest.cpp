#include "batch/manifest.h"

#include <glob.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "neurolens/core/errors.h"

namespace neurolens::cli::batch {
namespace fs = std::filesystem;
namespace {

struct CommandInfo {
  const char* name;
  bool needsModel;
  const char* output;
};

// The contract's commands that take one recording (all but `batch`, `demo` and `version`).
constexpr std::array<CommandInfo, 10> kCommands{{
    {"info", false, ""},
    {"bin", false, "result.h5"},
    {"infer", true, "result.h5"},
    {"attribute", true, "result.h5"},
    {"evaluate", true, ""},
    {"probe", false, "result.h5"},
    {"link", true, "result.h5"},
    {"align", false, "result.h5"},
    {"lesion", true, "result.h5"},
    {"figure", false, "result.png"},
}};

const CommandInfo* findCommand(const std::string& name) {
  for (const auto& command : kCommands)
    if (name == command.name) return &command;
  return nullptr;
}

std::string commandList() {
  std::string text;
  for (const auto& command : kCommands) text += (text.empty() ? "" : ", ") + std::string(command.name);
  return text;
}

// Throws the manifest's one error line.
class Problem {
 public:
  explicit Problem(const fs::path& file) : prefix_("manifest '" + file.string() + "': ") {}
  [[noreturn]] void operator()(const std::string& what) const { throw InputError(prefix_ + what); }

 private:
  std::string prefix_;
};

bool isGlob(const std::string& path) { return path.find_first_of("*?[") != std::string::npos; }

fs::path absoluteFrom(const fs::path& folder, const std::string& path) {
  const fs::path p(path);
  return (p.is_absolute() ? p : folder / p).lexically_normal();
}

std::vector<fs::path> expandGlob(const std::string& pattern) {
  glob_t matches{};
  std::vector<fs::path> paths;
  if (glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
    for (std::size_t i = 0; i < matches.gl_pathc; ++i) paths.emplace_back(matches.gl_pathv[i]);
  }
  globfree(&matches);
  std::sort(paths.begin(), paths.end(), [](const fs::path& a, const fs::path& b) { return a.string() < b.string(); });
  return paths;
}

std::vector<std::string> stringList(const nlohmann::json& json, const std::string& key, const Problem& problem) {
  if (!json.is_array()) problem("\"" + key + "\" must be a list of strings");
  std::vector<std::string> values;
  for (const auto& item : json) {
    if (!item.is_string()) problem("\"" + key + "\" must be a list of strings, found " + item.dump());
    values.push_back(item.get<std::string>());
  }
  return values;
}

int positiveInt(const nlohmann::json& json, const std::string& key, int minimum, const Problem& problem) {
  if (!json.is_number_integer() || json.get<long long>() < minimum || json.get<long long>() > 1000000)
    problem("resources \"" + key + "\" must be a whole number of at least " + std::to_string(minimum) + ", found " +
            json.dump());
  return json.get<int>();
}

std::string slurmText(const nlohmann::json& json, const std::string& key, const Problem& problem) {
  if (json.is_null()) return {};
  if (json.is_number_integer() && json.get<long long>() > 0) return std::to_string(json.get<long long>());
  if (!json.is_string()) problem("resources \"" + key + "\" must be text such as \"2G\" or \"00:30:00\"");
  const auto text = json.get<std::string>();
  if (text.find_first_of(" \t\n\r\"'\\") != std::string::npos)
    problem("resources \"" + key + "\" '" + text + "' has spaces or quotes");
  return text;
}

Resources readResources(const nlohmann::json& json, const Problem& problem, std::vector<std::string>& warnings) {
  Resources resources;
  if (json.is_null()) return resources;
  if (!json.is_object()) problem("\"resources\" must be an object");
  for (const auto& [key, value] : json.items()) {
    if (key == "cpus") {
      resources.cpus = positiveInt(value, key, 1, problem);
    } else if (key == "gpus") {
      resources.gpus = positiveInt(value, key, 0, problem);
    } else if (key == "memory") {
      resources.memory = slurmText(value, key, problem);
    } else if (key == "time") {
      resources.time = slurmText(value, key, problem);
    } else if (key == "partition") {
      const auto text = slurmText(value, key, problem);
      if (!text.empty()) resources.partition = text;
    } else {
      warnings.push_back("unknown key \"resources." + key + "\" ignored");
    }
  }
  return resources;
}

ManifestCommand readCommand(const nlohmann::json& json, std::size_t position, const Problem& problem,
                            std::vector<std::string>& warnings) {
  const std::string where = "command " + std::to_string(position + 1);
  if (!json.is_object()) problem(where + " must be an object like {\"name\": \"evaluate\", \"args\": [...]}");
  if (!json.contains("name") || !json["name"].is_string()) problem(where + " has no \"name\"");
  ManifestCommand command;
  command.name = json["name"].get<std::string>();
  const CommandInfo* info = findCommand(command.name);
  if (info == nullptr) {
    if (command.name == "batch") problem("a batch cannot run \"batch\" (" + where + ")");
    problem("unknown command \"" + command.name + "\" (" + where + "; one of: " + commandList() + ")");
  }
  command.withModel = info->needsModel;
  for (const auto& [key, value] : json.items()) {
    if (key == "name") continue;
    if (key == "args") {
      command.args = stringList(value, command.name + ".args", problem);
    } else if (key == "with_model") {
      if (!value.is_boolean()) problem("\"with_model\" of " + where + " must be true or false");
      command.withModel = value.get<bool>();
    } else {
      warnings.push_back("unknown key \"" + key + "\" of " + where + " ignored");
    }
  }
  for (const auto& arg : command.args) {
    if (arg == "--out" || arg.rfind("--out=", 0) == 0 || arg == "--json")
      problem(where + " (" + command.name + "): \"" + arg + "\" is the batch's to set; leave it out of \"args\"");
    if (arg == "--model" || arg.rfind("--model=", 0) == 0)
      problem(where + " (" + command.name + "): list models under \"models\", not in \"args\"");
  }
  return command;
}

}  // namespace

bool isBatchCommand(const std::string& name) { return findCommand(name) != nullptr; }

bool commandNeedsModel(const std::string& name) {
  const CommandInfo* info = findCommand(name);
  return info != nullptr && info->needsModel;
}

std::string commandOutputName(const std::string& name) {
  const CommandInfo* info = findCommand(name);
  return info == nullptr ? std::string() : std::string(info->output);
}

Manifest readManifest(const fs::path& file) {
  const fs::path full = fs::absolute(file).lexically_normal();
  std::ifstream in(full);
  if (!in || fs::is_directory(full)) Problem{full}("cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return parseManifest(text.str(), full);
}

Manifest parseManifest(const std::string& text, const fs::path& file) {
  const Problem problem(file);
  Manifest manifest;
  manifest.file = file;
  const fs::path folder = file.parent_path();
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
    std::string what = e.what();
    const auto at = what.find("parse error");
    problem("not valid JSON: " + (at == std::string::npos ? what : what.substr(at)));
  }
  if (!json.is_object()) problem("must be a JSON object with \"recordings\", \"models\" and \"commands\"");
  for (const auto& [key, value] : json.items())
    if (key != "recordings" && key != "models" && key != "commands" && key != "resources")
      manifest.warnings.push_back("unknown key \"" + key + "\" ignored");

  if (!json.contains("recordings")) problem("no \"recordings\" (a list of paths or globs)");
  for (const auto& entry : stringList(json["recordings"], "recordings", problem)) {
    const fs::path path = absoluteFrom(folder, entry);
    if (isGlob(entry)) {
      const auto matches = expandGlob(path.string());
      if (matches.empty()) problem("recordings: '" + entry + "' matches no file (looked for " + path.string() + ")");
      manifest.recordings.insert(manifest.recordings.end(), matches.begin(), matches.end());
    } else {
      if (!fs::exists(path)) problem("recordings: '" + entry + "' does not exist (looked for " + path.string() + ")");
      manifest.recordings.push_back(path);
    }
  }
  if (manifest.recordings.empty()) problem("\"recordings\" is empty");

  if (json.contains("models") && !json["models"].is_null()) {
    for (const auto& entry : stringList(json["models"], "models", problem)) {
      const fs::path path = absoluteFrom(folder, entry);
      if (isGlob(entry)) {
        const auto matches = expandGlob(path.string());
        if (matches.empty()) problem("models: '" + entry + "' matches no file (looked for " + path.string() + ")");
        manifest.models.insert(manifest.models.end(), matches.begin(), matches.end());
      } else {
        if (!fs::exists(path)) problem("models: '" + entry + "' does not exist (looked for " + path.string() + ")");
        manifest.models.push_back(path);
      }
    }
  }

  if (!json.contains("commands")) problem("no \"commands\" (a list of {\"name\": ..., \"args\": [...]})");
  if (!json["commands"].is_array() || json["commands"].empty())
    problem("\"commands\" must be a non-empty list of {\"name\": ..., \"args\": [...]}");
  for (std::size_t i = 0; i < json["commands"].size(); ++i) {
    manifest.commands.push_back(readCommand(json["commands"][i], i, problem, manifest.warnings));
    const auto& command = manifest.commands.back();
    if (command.withModel && manifest.models.empty())
      problem("command " + std::to_string(i + 1) + " (" + command.name +
              ") runs with a model but \"models\" lists none");
  }
  if (json.contains("resources")) manifest.resources = readResources(json["resources"], problem, manifest.warnings);
  return manifest;
}

std::string taskId(std::size_t index, const fs::path& recording, const fs::path& model, const std::string& command) {
  const auto safe = [](std::string text) {
    for (auto& c : text) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '+';
      if (!ok) c = '_';
    }
    return text;
  };
  std::array<char, 32> number{};
  std::snprintf(number.data(), number.size(), "%04zu", index);
  return std::string(number.data()) + "-" + safe(recording.stem().string()) + "-" +
         (model.empty() ? std::string("none") : safe(model.stem().string())) + "-" + command;
}

std::vector<Task> expandTasks(const Manifest& manifest) {
  std::vector<Task> tasks;
  const auto add = [&](const ManifestCommand& command, const fs::path& recording, const fs::path& model) {
    Task task;
    task.index = tasks.size();
    task.id = taskId(task.index, recording, model, command.name);
    task.command = command.name;
    task.recording = recording;
    task.model = model;
    task.args = command.args;
    task.outputName = commandOutputName(command.name);
    tasks.push_back(std::move(task));
  };
  for (const auto& command : manifest.commands) {
    for (const auto& recording : manifest.recordings) {
      if (!command.withModel) {
        add(command, recording, {});
        continue;
      }
      for (const auto& model : manifest.models) add(command, recording, model);
    }
  }
  return tasks;
}

std::vector<std::string> taskArguments(const Task& task, const fs::path& batchDir) {
  std::vector<std::string> args{task.command};
  if (!task.model.empty()) {
    args.emplace_back("--model");
    args.push_back(task.model.string());
  }
  args.insert(args.end(), task.args.begin(), task.args.end());
  args.emplace_back("--json");
  if (!task.outputName.empty()) {
    args.emplace_back("--out");
    args.push_back((batchDir / task.id / task.outputName).string());
  }
  args.push_back(task.recording.string());
  return args;
}

}  // namespace neurolens::cli::batch
