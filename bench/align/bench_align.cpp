// NeuroLens side of the alignment benchmark (bench/align/run_bench.py runs it next
// to scikit-learn's CCA on the same rows). Needs neurolens_core only: the two sides
// are made here (a shared 8-dimensional signal seen through two random mixings, plus
// noise, fixed seed) and written to --write-a / --write-b (row-major float64) so
// scikit-learn reads the very same numbers.
//
// Prints one JSON line: {"rows", "dims", "seconds" (median of --repeats timed runs of
// fitCanonical after one warm-up), "canonical_correlations" (all dims values)}.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "neurolens/core/alignment.h"
#include "neurolens/core/errors.h"

namespace {

struct BenchOptions {
  Eigen::Index rows = 100000;
  Eigen::Index dims = 64;
  int repeats = 3;
  std::string writeA;
  std::string writeB;
};

BenchOptions parse(int argc, char** argv) {
  BenchOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string key = argv[i];
    if (i + 1 >= argc) throw neurolens::InputError("option " + key + " needs a value");
    const std::string value = argv[++i];
    if (key == "--rows")
      options.rows = std::stol(value);
    else if (key == "--dims")
      options.dims = std::stol(value);
    else if (key == "--repeats")
      options.repeats = std::stoi(value);
    else if (key == "--write-a")
      options.writeA = value;
    else if (key == "--write-b")
      options.writeB = value;
    else
      throw neurolens::InputError("unknown option " + key);
  }
  if (options.rows <= options.dims || options.dims < 1 || options.repeats < 1)
    throw neurolens::InputError("need rows > dims >= 1 and repeats >= 1");
  return options;
}

Eigen::MatrixXd gaussian(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& generator) {
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = normal(generator);
  return m;
}

void writeRowMajor(const std::string& path, const Eigen::MatrixXd& m) {
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const RowMajor rows = m;
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(rows.data()), static_cast<std::streamsize>(sizeof(double) * rows.size()));
  if (!out) throw neurolens::InputError("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const BenchOptions options = parse(argc, argv);
    std::mt19937_64 generator(2024);
    const Eigen::Index shared = std::min<Eigen::Index>(8, options.dims);
    const Eigen::MatrixXd signal = gaussian(options.rows, shared, generator);
    const Eigen::MatrixXd a =
        signal * gaussian(shared, options.dims, generator) + gaussian(options.rows, options.dims, generator);
    const Eigen::MatrixXd b =
        signal * gaussian(shared, options.dims, generator) + 2.0 * gaussian(options.rows, options.dims, generator);
    if (!options.writeA.empty()) writeRowMajor(options.writeA, a);
    if (!options.writeB.empty()) writeRowMajor(options.writeB, b);
    neurolens::CanonicalFit fit = neurolens::fitCanonical(a, b);  // warm-up
    std::vector<double> seconds;
    for (int r = 0; r < options.repeats; ++r) {
      const auto started = std::chrono::steady_clock::now();
      fit = neurolens::fitCanonical(a, b);
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    std::sort(seconds.begin(), seconds.end());
    std::cout << nlohmann::json{{"rows", options.rows},
                                {"dims", options.dims},
                                {"seconds", seconds[seconds.size() / 2]},
                                {"canonical_correlations", fit.correlations}}
                     .dump()
              << std::endl;
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << '\n';
    return 3;
  }
}
