#include "device_images.h"

#include <stdexcept>

#include "normalization.h"

namespace leafcheck::train {

torch::Tensor DeviceImages::unit_batch(const torch::Tensor& index) const {
  return to_unit_nchw(pixels.index_select(0, index.to(device)));
}

DeviceImages to_device(const ImageSet& images, torch::Device device) {
  namespace F = torch::nn::functional;
  DeviceImages out;
  out.device = device;
  out.pixels = images.pixels.to(device);
  std::vector<uint8_t> lab_leaf;
  std::vector<int64_t> not_leaf, field;
  for (int64_t i = 0; i < images.size(); ++i) {
    const bool train = images.splits[i] == Split::Train;
    lab_leaf.push_back(images.sources[i] == Source::Lab);
    if (train && images.sources[i] == Source::NotLeaf) not_leaf.push_back(i);
    if (train && images.sources[i] == Source::Field) field.push_back(i);
  }
  out.lab_leaf = torch::tensor(lab_leaf).to(torch::kBool).to(device);
  std::vector<torch::Tensor> pool;
  if (!not_leaf.empty()) pool.push_back(to_unit_nchw(out.pixels.index_select(0, torch::tensor(not_leaf).to(device))));
  if (!field.empty()) {
    auto blurred = to_unit_nchw(out.pixels.index_select(0, torch::tensor(field).to(device)));
    const auto box = F::AvgPool2dFuncOptions(5).stride(1).padding(2).count_include_pad(false);
    pool.push_back(F::avg_pool2d(F::avg_pool2d(blurred, box), box));
  }
  out.backgrounds = pool.empty() ? torch::Tensor() : torch::cat(pool).contiguous(torch::MemoryFormat::ChannelsLast);
  return out;
}

torch::Device parse_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda" || name == "auto") {
    if (torch::cuda::is_available()) return torch::Device(torch::kCUDA, 0);
    if (name == "auto") return torch::kCPU;
    throw std::runtime_error(
        "--device cuda: LibTorch sees no CUDA GPU (Debian's libtorch is CPU-only; build against a CUDA LibTorch "
        "on a GPU machine, see tools/train/remote/README.md)");
  }
  throw std::runtime_error("--device must be auto, cpu or cuda, not '" + name + "'");
}

torch::Device device_of(const torch::nn::Module& module) {
  const auto parameters = module.parameters();
  return parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
}

}  // namespace leafcheck::train
