#pragma once
// A dense, row-major float32 array with a shape: the plain type that carries
// counts [trials, bins, units], latents, attributions ... between layers
// (views and io never see LibTorch tensors).
#include <algorithm>
#include <cstddef>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace neurolens {

class FloatArray {
 public:
  FloatArray() = default;
  explicit FloatArray(std::vector<std::size_t> shape, float fill = 0.0F)
      : shape_(std::move(shape)), data_(elementCount(shape_), fill) {}
  FloatArray(std::vector<std::size_t> shape, std::vector<float> data)
      : shape_(std::move(shape)), data_(std::move(data)) {
    if (data_.size() != elementCount(shape_)) throw std::invalid_argument("FloatArray: data size does not match shape");
  }

  [[nodiscard]] const std::vector<std::size_t>& shape() const { return shape_; }
  [[nodiscard]] std::size_t rank() const { return shape_.size(); }
  [[nodiscard]] std::size_t dim(std::size_t axis) const { return shape_.at(axis); }
  [[nodiscard]] std::size_t size() const { return data_.size(); }
  [[nodiscard]] bool empty() const { return data_.empty(); }
  [[nodiscard]] float* data() { return data_.data(); }
  [[nodiscard]] const float* data() const { return data_.data(); }
  [[nodiscard]] std::vector<float>& values() { return data_; }
  [[nodiscard]] const std::vector<float>& values() const { return data_; }

  // 3-D access (the common case: [trials, bins, units]).
  [[nodiscard]] float& operator()(std::size_t i, std::size_t j, std::size_t k) {
    return data_[(i * shape_[1] + j) * shape_[2] + k];
  }
  [[nodiscard]] float operator()(std::size_t i, std::size_t j, std::size_t k) const {
    return data_[(i * shape_[1] + j) * shape_[2] + k];
  }

  static std::size_t elementCount(const std::vector<std::size_t>& shape) {
    return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
  }

 private:
  std::vector<std::size_t> shape_;
  std::vector<float> data_;
};

// The given entries of the first axis (e.g. some trials of [trials, bins, units]), in that order.
[[nodiscard]] inline FloatArray selectFirstAxis(const FloatArray& data, const std::vector<std::size_t>& indices) {
  std::vector<std::size_t> shape = data.shape();
  const std::size_t stride = shape.empty() || shape[0] == 0 ? 0 : data.size() / shape[0];
  shape.at(0) = indices.size();
  FloatArray out(std::move(shape));
  for (std::size_t i = 0; i < indices.size(); ++i)
    std::copy_n(data.data() + indices[i] * stride, stride, out.data() + i * stride);
  return out;
}

}  // namespace neurolens
