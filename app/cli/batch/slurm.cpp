#include "batch/slurm.h"

#include <algorithm>
#include <sstream>

#include "batch/process.h"

namespace neurolens::cli::batch {
namespace {

// A path on an #SBATCH line or in the script body, in single quotes for the shell.
std::string shellQuoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

std::optional<std::size_t> parseIndex(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  try {
    return static_cast<std::size_t>(std::stoull(text));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// "4-8%2", "4,6-7", "5" -> indices (the throttle dropped).
std::vector<std::size_t> expandRanges(std::string text) {
  std::vector<std::size_t> indices;
  if (const auto percent = text.find('%'); percent != std::string::npos) text.resize(percent);
  std::stringstream parts(text);
  std::string part;
  while (std::getline(parts, part, ',')) {
    const auto dash = part.find('-');
    const auto first = parseIndex(part.substr(0, dash));
    const auto last = dash == std::string::npos ? first : parseIndex(part.substr(dash + 1));
    if (!first || !last || *last < *first || *last - *first > 1000000) continue;
    for (std::size_t i = *first; i <= *last; ++i) indices.push_back(i);
  }
  return indices;
}

}  // namespace

std::string arrayRanges(std::vector<std::size_t> indices) {
  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  std::string text;
  for (std::size_t i = 0; i < indices.size();) {
    std::size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    if (!text.empty()) text += ",";
    text += std::to_string(indices[i]);
    if (j > i) text += "-" + std::to_string(indices[j]);
    i = j + 1;
  }
  return text;
}

std::string sbatchScript(const SbatchOptions& options) {
  const auto& r = options.resources;
  std::string array = arrayRanges(options.indices);
  if (options.maxParallel > 0) array += "%" + std::to_string(options.maxParallel);
  const std::string logs = (options.batchDir / "slurm" / "%A_%a.log").string();
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# Written by neurolens-cli batch run --runner slurm: one array index per task of\n"
    << "# " << (options.batchDir / "tasks.json").string() << " (the tasks not finished yet).\n"
    << "#SBATCH --job-name=neurolens-batch\n"
    << "#SBATCH --array=" << array << "\n"
    << "#SBATCH --ntasks=1\n"
    << "#SBATCH --cpus-per-task=" << r.cpus << "\n";
  if (!r.memory.empty()) s << "#SBATCH --mem=" << r.memory << "\n";
  if (r.gpus > 0) s << "#SBATCH --gres=gpu:" << r.gpus << "\n";
  if (!r.time.empty()) s << "#SBATCH --time=" << r.time << "\n";
  if (r.partition) s << "#SBATCH --partition=" << *r.partition << "\n";
  s << "#SBATCH --output=" << logs << "\n"
    << "#SBATCH --error=" << logs << "\n"
    << "# Slurm does not retry a failed array task: `batch run` again resubmits the unfinished ones.\n"
    << "exec " << shellQuoted(options.program.string()) << " batch task " << shellQuoted(options.batchDir.string())
    << " --index \"$SLURM_ARRAY_TASK_ID\"\n";
  return s.str();
}

std::optional<std::string> parseSbatchJobId(const std::string& out) {
  std::string line = out.substr(0, out.find('\n'));
  line = line.substr(0, line.find(';'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  if (line.empty() || line.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return line;
}

std::map<std::size_t, std::string> parseSqueue(const std::string& squeueText) {
  std::map<std::size_t, std::string> states;
  std::istringstream lines(squeueText);
  std::string line;
  while (std::getline(lines, line)) {
    const auto bar = line.find('|');
    const auto underscore = line.find('_');
    if (bar == std::string::npos || underscore == std::string::npos || underscore > bar) continue;
    std::string element = line.substr(underscore + 1, bar - underscore - 1);
    std::string state = line.substr(bar + 1);
    while (!state.empty() && (state.back() == '\r' || state.back() == ' ')) state.pop_back();
    if (!element.empty() && element.front() == '[' && element.back() == ']')
      element = element.substr(1, element.size() - 2);
    for (std::size_t index : expandRanges(element)) states[index] = state;
  }
  return states;
}

std::map<std::size_t, int> scontrolExitCodes(const std::string& scontrolText) {
  std::map<std::size_t, int> codes;
  std::istringstream records(scontrolText);
  std::string record;
  while (std::getline(records, record)) {  // `scontrol -o`: one job record per line
    std::istringstream fields(record);
    std::string field;
    std::optional<std::size_t> index;
    std::optional<int> code;
    while (fields >> field) {
      if (field.rfind("ArrayTaskId=", 0) == 0) index = parseIndex(field.substr(12));
      if (field.rfind("ExitCode=", 0) == 0) {  // "STATUS:SIGNAL"
        const auto colon = field.find(':');
        const auto status = parseIndex(field.substr(9, colon == std::string::npos ? std::string::npos : colon - 9));
        const auto signal =
            colon == std::string::npos ? std::optional<std::size_t>(0) : parseIndex(field.substr(colon + 1));
        if (status && signal) code = static_cast<int>(*status != 0 || *signal == 0 ? *status : 128 + *signal);
      }
    }
    if (index && code) codes[*index] = *code;
  }
  return codes;
}

std::optional<bool> jobActive(const std::string& jobId) {
  const auto result = runCaptured({"squeue", "-h", "-r", "-j", jobId, "-o", "%i|%T"});
  if (!result.started) return std::nullopt;
  if (result.exit.code != 0) {
    if (result.err.find("Invalid job id") != std::string::npos) return false;  // forgotten: long finished
    return std::nullopt;
  }
  return result.out.find_first_not_of(" \n\r\t") != std::string::npos;
}

std::map<std::size_t, std::string> jobTaskStates(const std::string& jobId) {
  const auto result = runCaptured({"squeue", "-h", "-r", "-j", jobId, "-o", "%i|%T"});
  if (!result.started || result.exit.code != 0) return {};
  return parseSqueue(result.out);
}

std::map<std::size_t, int> jobExitCodes(const std::string& jobId) {
  const auto result = runCaptured({"scontrol", "-o", "show", "job", jobId});
  if (!result.started || result.exit.code != 0) return {};
  return scontrolExitCodes(result.out);
}

}  // namespace neurolens::cli::batch
