// NeuroLens side of the attribution benchmark (bench/attribution/run_bench.py runs
// it next to Captum on the same model, data and device). Needs neurolens_core
// only (no HDF5, no Qt): the counts are made here, Poisson with a fixed seed, and
// written to --write-input so Captum reads the very same numbers.
//
// Prints one JSON line per precision: {"precision", "seconds" (median of
// --repeats timed runs after one warm-up), "max_rel_completeness", "device", "chunk_trials"}.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "neurolens/core/attribution.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/model.h"

namespace {

struct BenchOptions {
  std::string model;
  std::string writeInput;
  std::size_t trials = 64;
  std::size_t bins = 50;
  std::size_t units = 128;
  int steps = 50;
  int repeats = 3;
  std::string device = "auto";
  std::vector<std::string> precisions{"fp32"};
  std::size_t maxChunkTrials = 0;
  int threads = 0;
  bool linearAsConvolution = true;
};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) parts.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

BenchOptions parse(int argc, char** argv) {
  BenchOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string key = argv[i];
    if (i + 1 >= argc) throw neurolens::InputError("option " + key + " needs a value");
    const std::string value = argv[++i];
    if (key == "--model")
      options.model = value;
    else if (key == "--write-input")
      options.writeInput = value;
    else if (key == "--trials")
      options.trials = std::stoul(value);
    else if (key == "--bins")
      options.bins = std::stoul(value);
    else if (key == "--units")
      options.units = std::stoul(value);
    else if (key == "--steps")
      options.steps = std::stoi(value);
    else if (key == "--repeats")
      options.repeats = std::max(1, std::stoi(value));
    else if (key == "--device")
      options.device = value;
    else if (key == "--precisions")
      options.precisions = split(value);
    else if (key == "--linear-as-convolution")
      options.linearAsConvolution = value != "0";
    else if (key == "--threads")
      options.threads = std::stoi(value);
    else if (key == "--max-chunk-trials")
      options.maxChunkTrials = std::stoul(value);
    else
      throw neurolens::InputError("unknown option " + key);
  }
  if (options.model.empty()) throw neurolens::InputError("--model is required");
  return options;
}

// Poisson counts with unit-specific rates that drift over the trial (fixed seed).
neurolens::FloatArray makeCounts(const BenchOptions& options) {
  neurolens::FloatArray counts({options.trials, options.bins, options.units});
  std::mt19937 generator(20240611);
  std::uniform_real_distribution<double> baseRate(0.2, 3.0);
  std::vector<double> rates(options.units);
  for (double& rate : rates) rate = baseRate(generator);
  for (std::size_t t = 0; t < options.trials; ++t)
    for (std::size_t k = 0; k < options.bins; ++k)
      for (std::size_t u = 0; u < options.units; ++u) {
        const double phase =
            static_cast<double>(k) / static_cast<double>(options.bins) + 0.1 * static_cast<double>(u % 7);
        std::poisson_distribution<int> poisson(rates[u] * (1.0 + 0.5 * std::sin(6.283 * phase)));
        counts(t, k, u) = static_cast<float>(poisson(generator));
      }
  return counts;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const BenchOptions options = parse(argc, argv);
    const neurolens::FloatArray counts = makeCounts(options);
    if (!options.writeInput.empty()) {
      std::ofstream out(options.writeInput, std::ios::binary);
      out.write(reinterpret_cast<const char*>(counts.data()),
                static_cast<std::streamsize>(counts.size() * sizeof(float)));
      if (!out) throw neurolens::InputError("cannot write " + options.writeInput);
    }
    const neurolens::Model model = neurolens::Model::load(options.model);
    for (const std::string& precisionWord : options.precisions) {
      neurolens::AttributionOptions attribution;
      attribution.steps = options.steps;
      attribution.device = neurolens::parseDeviceChoice(options.device);
      attribution.precision = neurolens::parsePrecision(precisionWord);
      attribution.maxChunkTrials = options.maxChunkTrials;
      attribution.threads = options.threads;
      attribution.cpuLinearAsConvolution = options.linearAsConvolution;
      std::vector<double> seconds;
      neurolens::AttributionSummary summary;
      for (int run = 0; run <= options.repeats; ++run) {  // run 0 warms up (TorchScript profiling, allocator)
        const auto start = std::chrono::steady_clock::now();
        summary = neurolens::attribute(model, counts, attribution, [](const neurolens::AttributionChunk&) {});
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (run > 0) seconds.push_back(elapsed);
      }
      std::sort(seconds.begin(), seconds.end());
      const nlohmann::json line{{"impl", "neurolens"},
                                {"precision", precisionWord},
                                {"seconds", seconds[seconds.size() / 2]},
                                {"max_rel_completeness", summary.maxRelCompleteness},
                                {"device", neurolens::deviceName(summary.run.device)},
                                {"chunk_trials", summary.run.chunkTrials},
                                {"notes", summary.run.notes}};
      std::cout << line.dump() << std::endl;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 3;
  }
}
