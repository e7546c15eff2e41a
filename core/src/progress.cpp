#include "neurolens/core/progress.h"

#include <algorithm>

#include "neurolens/core/errors.h"

namespace neurolens {

void Progress::report(double fraction, const std::string& stage) const {
  if (!callback_) return;
  const double clamped = std::clamp(fraction, 0.0, 1.0);
  if (!callback_(begin_ + clamped * (end_ - begin_), stage)) throw Cancelled();
}

Progress Progress::sub(double begin, double end) const {
  Progress child(callback_);
  child.begin_ = begin_ + begin * (end_ - begin_);
  child.end_ = begin_ + end * (end_ - begin_);
  return child;
}

}  // namespace neurolens
