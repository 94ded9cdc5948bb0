// yardstick-xnnpack: the model run by native XNNPACK (Debian libxnnpack-dev) through its subgraph
// API, NHWC, with a pthreadpool of --threads workers (none for 1 thread: XNNPACK then runs on the
// calling thread). The library our kernels learn from, on the same machine.
#include <pthreadpool.h>
#include <xnnpack.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "yardstick_main.h"

namespace leafcheck::yardsticks {
namespace {

void check(xnn_status status, const std::string& what) {
  if (status != xnn_status_success) {
    throw std::runtime_error("XNNPACK " + what + " failed with status " + std::to_string(static_cast<int>(status)));
  }
}

struct SubgraphDeleter {
  void operator()(xnn_subgraph* s) const { xnn_delete_subgraph(s); }
};
struct RuntimeDeleter {
  void operator()(xnn_runtime* r) const { xnn_delete_runtime(r); }
};
struct ThreadpoolDeleter {
  void operator()(pthreadpool* p) const { pthreadpool_destroy(p); }
};

constexpr uint32_t kInputId = 0;
constexpr uint32_t kOutputId = 1;

// OIHW (the model file) to OHWI (XNNPACK's filter layout for NHWC convolution).
std::vector<float> to_ohwi(const Tensor& weight) {
  const uint32_t out = weight.shape[0], in = weight.shape[1];
  std::vector<float> packed(weight.data.size());
  for (uint32_t o = 0; o < out; ++o) {
    for (uint32_t i = 0; i < in; ++i) {
      for (uint32_t k = 0; k < 9; ++k) packed[(o * 9 + k) * in + i] = weight.data[(o * in + i) * 9 + k];
    }
  }
  return packed;
}

class XnnpackEngine final : public Engine {
 public:
  XnnpackEngine(const ModelSpec& spec, int threads) {
    check(xnn_initialize(nullptr), "xnn_initialize");
    xnn_subgraph_t raw_subgraph = nullptr;
    check(xnn_create_subgraph(2, 0, &raw_subgraph), "xnn_create_subgraph");
    const std::unique_ptr<xnn_subgraph, SubgraphDeleter> subgraph(raw_subgraph);

    std::vector<size_t> dims = {1, spec.input_height, spec.input_width, spec.input_channels};
    input_.resize(dims[1] * dims[2] * dims[3]);
    uint32_t current = kInputId;
    check(xnn_define_tensor_value(subgraph.get(), xnn_datatype_fp32, dims.size(), dims.data(), nullptr, kInputId,
                                  XNN_VALUE_FLAG_EXTERNAL_INPUT, &current),
          "input definition");

    const float inf = std::numeric_limits<float>::infinity();
    for (size_t index = 0; index < spec.layers.size(); ++index) {
      const Layer& layer = spec.layers[index];
      const bool last = index + 1 == spec.layers.size();
      const float out_min = layer.fused_relu ? 0.0f : -inf;
      std::vector<size_t> out_dims = dims;
      switch (layer.kind) {
        case LayerKind::Conv3x3: out_dims[3] = layer.weight.shape[0]; break;
        case LayerKind::MaxPool2x2: out_dims[1] /= 2; out_dims[2] /= 2; break;
        case LayerKind::GlobalAvgPool: out_dims = {1, 1, 1, dims[3]}; break;
        case LayerKind::Linear: out_dims = {1, layer.weight.shape[0]}; break;
        case LayerKind::Relu: break;
      }
      if (last) output_.resize(out_dims.back());
      uint32_t next = XNN_INVALID_VALUE_ID;
      check(xnn_define_tensor_value(subgraph.get(), xnn_datatype_fp32, out_dims.size(), out_dims.data(), nullptr,
                                    last ? kOutputId : XNN_INVALID_VALUE_ID, last ? XNN_VALUE_FLAG_EXTERNAL_OUTPUT : 0,
                                    &next),
            "layer " + std::to_string(index + 1) + " output definition");
      switch (layer.kind) {
        case LayerKind::Conv3x3: {
          const uint32_t in = layer.weight.shape[1], out = layer.weight.shape[0];
          const uint32_t filter = define_static({out, 3, 3, in}, to_ohwi(layer.weight), subgraph.get());
          const uint32_t bias = define_static({out}, layer.bias.data, subgraph.get());
          check(xnn_define_convolution_2d(subgraph.get(), 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, in, out, out_min, inf,
                                          current, filter, bias, next, 0),
                "convolution");
          break;
        }
        case LayerKind::MaxPool2x2:
          check(xnn_define_max_pooling_2d(subgraph.get(), 0, 0, 0, 0, 2, 2, 2, 2, 1, 1, -inf, inf, current, next, 0),
                "max pooling");
          break;
        case LayerKind::GlobalAvgPool:
          check(xnn_define_global_average_pooling_2d(subgraph.get(), -inf, inf, current, next, 0),
                "global average pooling");
          break;
        case LayerKind::Linear: {
          const uint32_t filter = define_static({layer.weight.shape[0], layer.weight.shape[1]}, layer.weight.data,
                                                subgraph.get());
          const uint32_t bias = define_static({layer.bias.shape[0]}, layer.bias.data, subgraph.get());
          // RESHAPE_2D flattens the [1, 1, 1, C] pooling output into [1, C].
          check(xnn_define_fully_connected(subgraph.get(), out_min, inf, current, filter, bias, next,
                                           XNN_FLAG_TENSORFLOW_RESHAPE_2D),
                "fully connected");
          break;
        }
        case LayerKind::Relu:
          check(xnn_define_clamp(subgraph.get(), 0.0f, inf, current, next, 0), "clamp");
          break;
      }
      current = next;
      dims = out_dims;
    }

    if (threads > 1) {
      threadpool_.reset(pthreadpool_create(static_cast<size_t>(threads)));
      if (!threadpool_) throw std::runtime_error("pthreadpool_create(" + std::to_string(threads) + ") failed");
    }
    xnn_runtime_t raw_runtime = nullptr;
    check(xnn_create_runtime_v2(subgraph.get(), threadpool_.get(), 0, &raw_runtime), "xnn_create_runtime_v2");
    runtime_.reset(raw_runtime);
    const xnn_external_value external[] = {{kInputId, input_.data()}, {kOutputId, output_.data()}};
    check(xnn_setup_runtime(runtime_.get(), 2, external), "xnn_setup_runtime");
  }

  ~XnnpackEngine() override {
    runtime_.reset();
    threadpool_.reset();
    xnn_deinitialize();
  }

  void set_input(std::span<const float> nhwc) override {
    if (nhwc.size() != input_.size()) throw std::invalid_argument("input size does not match the model");
    std::copy(nhwc.begin(), nhwc.end(), input_.begin());
  }

  std::span<const float> run() override {
    check(xnn_invoke_runtime(runtime_.get()), "xnn_invoke_runtime");
    return output_;
  }

 private:
  // Static tensors must outlive the runtime: the engine owns their data.
  uint32_t define_static(std::vector<size_t> shape, std::vector<float> data, xnn_subgraph_t subgraph) {
    const std::vector<float>& kept = static_data_.emplace_back(std::move(data));
    uint32_t id = XNN_INVALID_VALUE_ID;
    check(xnn_define_tensor_value(subgraph, xnn_datatype_fp32, shape.size(), shape.data(), kept.data(),
                                  XNN_INVALID_VALUE_ID, 0, &id),
          "static tensor definition");
    return id;
  }

  std::vector<std::vector<float>> static_data_;
  std::vector<float> input_;
  std::vector<float> output_;
  std::unique_ptr<pthreadpool, ThreadpoolDeleter> threadpool_;
  std::unique_ptr<xnn_runtime, RuntimeDeleter> runtime_;
};

}  // namespace
}  // namespace leafcheck::yardsticks

int main(int argc, char** argv) {
  using namespace leafcheck::yardsticks;
  return yardstick_main(argc, argv, {"xnnpack", "libxnnpack-dev " LEAFCHECK_XNNPACK_PACKAGE_VERSION, "NHWC"},
                        [](const leafcheck::ModelSpec& spec, int threads) -> std::unique_ptr<Engine> {
                          return std::make_unique<XnnpackEngine>(spec, threads);
                        });
}
