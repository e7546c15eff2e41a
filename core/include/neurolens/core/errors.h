#pragma once
// Error kinds shared by every layer. The CLI maps them to exit codes
// (InputError -> 3, ComputeError -> 4), the GUI to message boxes.
#include <stdexcept>
#include <string>

namespace neurolens {

// Something the user gave us is wrong: unreadable or malformed file, a model that
// breaks the contract, option values that do not fit the data.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The inputs were fine but computing failed (out of memory after every fallback,
// NaN/Inf produced by a model).
class ComputeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The user (or a progress callback) asked the work to stop.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

}  // namespace neurolens
