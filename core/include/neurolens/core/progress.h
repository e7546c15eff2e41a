#pragma once
// Progress reporting and cancellation for long work. Core code calls
// report() between chunks; the callback returns false to ask the work to stop,
// which report() turns into a Cancelled exception so every caller unwinds
// through RAII without special cases.
#include <functional>
#include <string>

namespace neurolens {

class Progress {
 public:
  // fraction in [0, 1]; return false to cancel.
  using Callback = std::function<bool(double fraction, const std::string& stage)>;

  Progress() = default;
  explicit Progress(Callback callback) : callback_(std::move(callback)) {}

  // Throws Cancelled when the callback asks to stop.
  void report(double fraction, const std::string& stage) const;

  // A view of this reporter that maps [0, 1] onto [begin, end] of this one, for
  // nested stages (e.g. reading 0-0.3, binning 0.3-1).
  [[nodiscard]] Progress sub(double begin, double end) const;

 private:
  Callback callback_;
  double begin_ = 0.0;
  double end_ = 1.0;
};

}  // namespace neurolens
