// NeuroLens side of the DSA benchmark (bench/align/run_dsa_bench.py runs it next to dsa-metric 2.0.2's
// DSA(X, Y, ...).fit_score() on the same trajectories). Needs neurolens_core only.
//
// Reads two sides (row-major float64 [trials, bins, dims], written by the driver; dsa-metric reads the very
// same files), matches them by time and runs alignSides with DSA alone, exactly as `align A B --match time
// --method dsa` does after reading: each side's PCA (K = dims), delay embedding, DMD fit and the distance;
// then the same with the permutation null (--permutations draws of side B's bins permuted in time).
//
// Prints one JSON line: {"distance", "seconds" and "cpu_seconds" (medians of --repeats timed runs after one
// warm-up, without the null), "null_seconds" and "null_cpu_seconds" (one run with the null), "permutations"}.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "neurolens/core/alignment.h"
#include "neurolens/core/errors.h"

namespace {

struct BenchOptions {
  std::string a;
  std::string b;
  std::size_t trials = 0;
  std::size_t bins = 0;
  std::size_t dims = 0;
  std::string score = "angular";
  std::size_t delays = 1;
  std::size_t rank = 0;
  std::size_t permutations = 200;
  int repeats = 5;
};

BenchOptions parse(int argc, char** argv) {
  BenchOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string key = argv[i];
    if (i + 1 >= argc) throw neurolens::InputError("option " + key + " needs a value");
    const std::string value = argv[++i];
    if (key == "--a")
      options.a = value;
    else if (key == "--b")
      options.b = value;
    else if (key == "--trials")
      options.trials = std::stoul(value);
    else if (key == "--bins")
      options.bins = std::stoul(value);
    else if (key == "--dims")
      options.dims = std::stoul(value);
    else if (key == "--score")
      options.score = value;
    else if (key == "--delays")
      options.delays = std::stoul(value);
    else if (key == "--rank")
      options.rank = std::stoul(value);
    else if (key == "--permutations")
      options.permutations = std::stoul(value);
    else if (key == "--repeats")
      options.repeats = std::stoi(value);
    else
      throw neurolens::InputError("unknown option " + key);
  }
  if (options.a.empty() || options.b.empty() || options.trials == 0 || options.bins == 0 || options.dims == 0 ||
      options.repeats < 1 || (options.score != "angular" && options.score != "wasserstein"))
    throw neurolens::InputError(
        "usage: bench_dsa --a A.f64 --b B.f64 --trials T --bins N --dims D [--score angular|wasserstein] "
        "[--delays d] [--rank r] [--permutations P] [--repeats R]");
  return options;
}

neurolens::FloatArray readSide(const std::string& path, const BenchOptions& options) {
  std::ifstream in(path, std::ios::binary);
  std::vector<double> values(options.trials * options.bins * options.dims);
  in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(sizeof(double) * values.size()));
  if (!in) throw neurolens::InputError(path + ": fewer values than trials x bins x dims");
  neurolens::FloatArray array({options.trials, options.bins, options.dims});
  // As `align` reads a results file's /latents (float32); the driver writes values that float32 holds exactly.
  for (std::size_t i = 0; i < values.size(); ++i) array.values()[i] = static_cast<float>(values[i]);
  return array;
}

double cpuNow() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

struct Timed {
  double wall = 0.0;
  double cpu = 0.0;
  double distance = 0.0;
};

Timed timeAlignment(const neurolens::MatchedRows& matched, const neurolens::AlignOptions& options) {
  const double cpu = cpuNow();
  const auto started = std::chrono::steady_clock::now();
  const neurolens::AlignStatistics stats = neurolens::alignSides(matched, options);
  Timed timed;
  timed.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  timed.cpu = cpuNow() - cpu;
  timed.distance = stats.dsaDistance;
  return timed;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const BenchOptions bench = parse(argc, argv);
    const neurolens::MatchedRows matched = neurolens::matchByTime(readSide(bench.a, bench), readSide(bench.b, bench));
    neurolens::AlignOptions options;
    options.cca = options.procrustes = options.consistency = false;
    options.dsa = true;
    options.dims = bench.dims;
    options.dsaOptions.delays = bench.delays;
    options.dsaOptions.rank = bench.rank;
    options.dsaOptions.score =
        bench.score == "angular" ? neurolens::DsaScore::Angular : neurolens::DsaScore::Wasserstein;
    options.seed = 1;
    options.permutations = 0;
    Timed one = timeAlignment(matched, options);  // warm-up
    std::vector<double> wall;
    std::vector<double> cpu;
    for (int r = 0; r < bench.repeats; ++r) {
      one = timeAlignment(matched, options);
      wall.push_back(one.wall);
      cpu.push_back(one.cpu);
    }
    options.permutations = bench.permutations;
    const Timed withNull = timeAlignment(matched, options);
    std::cout << nlohmann::json{{"distance", one.distance},         {"seconds", median(wall)},
                                {"cpu_seconds", median(cpu)},       {"null_seconds", withNull.wall},
                                {"null_cpu_seconds", withNull.cpu}, {"permutations", bench.permutations}}
                     .dump()
              << std::endl;
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << '\n';
    return 3;
  }
}
