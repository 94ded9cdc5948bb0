#include "normalization.h"

namespace leafcheck::train {

torch::Tensor to_unit_nchw(const torch::Tensor& pixels) {
  // A permuted contiguous NHWC tensor already has channels-last strides: no copy needed.
  return pixels.to(torch::kFloat32).div_(255.0f).permute({0, 3, 1, 2});
}

torch::Tensor normalize(const torch::Tensor& unit, const Normalization& norm) {
  auto mean = torch::tensor({norm.mean[0], norm.mean[1], norm.mean[2]}).view({1, 3, 1, 1}).to(unit.device());
  auto stddev = torch::tensor({norm.stddev[0], norm.stddev[1], norm.stddev[2]}).view({1, 3, 1, 1}).to(unit.device());
  return ((unit - mean) / stddev).contiguous(torch::MemoryFormat::ChannelsLast);
}

}  // namespace leafcheck::train
