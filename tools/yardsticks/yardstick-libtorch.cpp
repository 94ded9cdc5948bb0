// yardstick-libtorch: the model run by LibTorch 1.13 CPU (Debian libtorch-dev) with its ATen
// operators in inference mode, NCHW (PyTorch's default layout; the original system measured
// about 8 ms at batch 1 with 2 threads). --threads sets at::set_num_threads.
#include <torch/torch.h>

#include <stdexcept>
#include <string>

#include "yardstick_main.h"

namespace leafcheck::yardsticks {
namespace {

torch::Tensor to_torch(const Tensor& t) {
  const std::vector<int64_t> shape(t.shape.begin(), t.shape.end());
  return torch::from_blob(const_cast<float*>(t.data.data()), shape, torch::kFloat32).clone();
}

class LibtorchEngine final : public Engine {
 public:
  LibtorchEngine(const ModelSpec& spec, int threads) : spec_(spec) {
    at::set_num_threads(threads);
    for (const Layer& layer : spec.layers) {
      const bool has_weights = layer.kind == LayerKind::Conv3x3 || layer.kind == LayerKind::Linear;
      weights_.push_back(has_weights ? to_torch(layer.weight) : torch::Tensor());
      biases_.push_back(has_weights ? to_torch(layer.bias) : torch::Tensor());
    }
  }

  void set_input(std::span<const float> nhwc) override {
    const int64_t h = spec_.input_height, w = spec_.input_width, c = spec_.input_channels;
    if (static_cast<int64_t>(nhwc.size()) != h * w * c) throw std::invalid_argument("input size does not match the model");
    input_ = torch::from_blob(const_cast<float*>(nhwc.data()), {1, h, w, c}, torch::kFloat32)
                 .permute({0, 3, 1, 2})
                 .contiguous();
  }

  std::span<const float> run() override {
    const c10::InferenceMode inference;
    torch::Tensor x = input_;
    for (size_t i = 0; i < spec_.layers.size(); ++i) {
      const Layer& layer = spec_.layers[i];
      switch (layer.kind) {
        case LayerKind::Conv3x3: x = torch::conv2d(x, weights_[i], biases_[i], 1, 1); break;
        case LayerKind::MaxPool2x2: x = torch::max_pool2d(x, 2, 2); break;
        case LayerKind::GlobalAvgPool: x = torch::mean(x, {2, 3}); break;
        case LayerKind::Linear: x = torch::linear(x, weights_[i], biases_[i]); break;
        case LayerKind::Relu: x = torch::relu(x); break;
      }
      if (layer.fused_relu) x = torch::relu_(x);
    }
    output_ = x.contiguous();
    return {output_.data_ptr<float>(), static_cast<size_t>(output_.numel())};
  }

 private:
  ModelSpec spec_;
  std::vector<torch::Tensor> weights_;
  std::vector<torch::Tensor> biases_;
  torch::Tensor input_;
  torch::Tensor output_;
};

}  // namespace
}  // namespace leafcheck::yardsticks

int main(int argc, char** argv) {
  using namespace leafcheck::yardsticks;
  const std::string version = std::string(TORCH_VERSION) + (at::hasMKLDNN() ? ", MKL-DNN" : ", no MKL-DNN") +
                              (at::get_parallel_info().find("parallel backend: OpenMP") != std::string::npos ? ", OpenMP" : "");
  return yardstick_main(argc, argv, {"libtorch", version, "NCHW"},
                        [](const leafcheck::ModelSpec& spec, int threads) -> std::unique_ptr<Engine> {
                          return std::make_unique<LibtorchEngine>(spec, threads);
                        });
}
