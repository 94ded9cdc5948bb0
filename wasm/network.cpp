#include "network.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kernels/optimized_ops.h"
#include "kernels/qs8_vec.h"
#include "kernels/reference_ops.h"
#include "kernels/winograd_ops.h"
#include "qs8_network.h"
#include "thread_pool.h"

namespace leafcheck {
namespace {

namespace opt = optimized_ops;
namespace ref = reference_ops;

// A fused conv + max-pool with at least this many input channels runs as Winograd F(2x2,3x3).
// Measured on the seed architecture (CPU ms per inference, min of 100; wasm/README.md): Winograd on
// layers 2-4 3.1-3.4 natively against 4.7-4.9 direct and 3.4-3.9 with layer 2 direct; on all four
// layers 4.0 (the RGB first layer's transforms cost more than its 27 multiplies per pixel save).
constexpr size_t kWinogradMinInChannels = 16;

// One intermediate result. Vectors (after GlobalAvgPool) are 1x1xC. An activation read by an
// optimized conv carries a one-pixel zero border (pad = 1) that is zeroed once and never written.
struct Activation {
  size_t height = 1;
  size_t width = 1;
  size_t channels = 0;
  bool spatial = true;
  size_t pad = 0;
  std::vector<float> storage;

  size_t size() const { return height * width * channels; }
  size_t row_stride() const { return (width + 2 * pad) * channels; }
  opt::Plane plane() {
    return {storage.data() + pad * row_stride() + pad * channels, height, width, channels, row_stride()};
  }
  ref::ImageShape shape() const { return {height, width, channels}; }
  // Only meaningful without a border: the activation as one contiguous NHWC array.
  std::span<float> values() { return {storage.data(), size()}; }
};

enum class Op { Conv3x3, Conv3x3MaxPool, Conv3x3WinogradMaxPool, MaxPool, GlobalAvgPool, Linear, Relu };

struct Step {
  Op op;
  size_t src;
  size_t dst;     // == src for the in-place Relu
  size_t params;  // Optimized: index into convs/winograds/linears (set by pack()). Reference: into layers.
  bool relu;
  size_t layer;  // the model layer the step computes
};

std::string layer_name(size_t index, const char* kind) { return "layer " + std::to_string(index) + " (" + kind + ")"; }

void expect_shape(const Tensor& t, const std::vector<uint32_t>& shape, const std::string& what) {
  if (t.shape != shape || t.data.size() != t.element_count()) {
    std::string want;
    for (uint32_t d : shape) {
      if (!want.empty()) want += 'x';
      want += std::to_string(d);
    }
    throw ModelError(what + ": expected a tensor of shape " + want);
  }
}

}  // namespace

struct Network::Impl {
  KernelSet kernels;
  ThreadPool pool;
  std::vector<Activation> acts;
  std::vector<Step> steps;
  std::vector<Layer> layers;  // Reference only: the weights as the file has them.
  std::vector<opt::PackedConv3x3> convs;
  std::vector<opt::PackedWinograd> winograds;
  std::vector<opt::PackedLinear> linears;
  std::vector<float> scratch;  // pool.size() slices of scratch_per_task floats: one per row range
  size_t scratch_per_task = 0;

  Impl(const ModelSpec& spec, KernelSet k, size_t threads) : kernels(k), pool(threads) {
    plan(spec);
    if (optimized()) {
      pack(spec);
    } else {
      keep_layers(spec);
    }
    allocate();
  }

  bool optimized() const { return kernels == KernelSet::Optimized; }

  // The last step writes the current activation; Relu and MaxPool may fold into it.
  Step* producer_of_current() {
    if (steps.empty() || steps.back().dst != acts.size() - 1 || steps.back().op == Op::Relu) return nullptr;
    return &steps.back();
  }

  void plan(const ModelSpec& spec) {
    if (spec.input_height == 0 || spec.input_width == 0 || spec.input_channels == 0) {
      throw ModelError("model input size must be non-zero");
    }
    acts.push_back({spec.input_height, spec.input_width, spec.input_channels, true, 0, {}});
    for (size_t i = 0; i < spec.layers.size(); ++i) {
      const Layer& layer = spec.layers[i];
      const size_t src = acts.size() - 1;
      const Activation cur = acts.back();
      switch (layer.kind) {
        case LayerKind::Conv3x3: {
          const std::string what = layer_name(i, "Conv3x3");
          if (!cur.spatial) throw ModelError(what + ": needs an image input, got a vector");
          if (layer.weight.shape.empty()) throw ModelError(what + ": missing weight");
          const uint32_t out = layer.weight.shape[0];
          if (out == 0) throw ModelError(what + ": zero output channels");
          expect_shape(layer.weight, {out, static_cast<uint32_t>(cur.channels), 3, 3}, what + " weight");
          expect_shape(layer.bias, {out}, what + " bias");
          acts.push_back({cur.height, cur.width, out, true, 0, {}});
          steps.push_back({Op::Conv3x3, src, src + 1, i, layer.fused_relu, i});
          break;
        }
        case LayerKind::MaxPool2x2: {
          if (!cur.spatial || cur.height < 2 || cur.width < 2) {
            throw ModelError(layer_name(i, "MaxPool2x2") + ": needs an image of at least 2x2");
          }
          Step* producer = producer_of_current();
          if (optimized() && producer != nullptr && producer->op == Op::Conv3x3) {
            producer->op = acts[producer->src].channels >= kWinogradMinInChannels ? Op::Conv3x3WinogradMaxPool
                                                                                   : Op::Conv3x3MaxPool;
            acts.back().height /= 2;
            acts.back().width /= 2;
          } else {
            acts.push_back({cur.height / 2, cur.width / 2, cur.channels, true, 0, {}});
            steps.push_back({Op::MaxPool, src, src + 1, i, false, i});
          }
          break;
        }
        case LayerKind::GlobalAvgPool:
          if (!cur.spatial) throw ModelError(layer_name(i, "GlobalAvgPool") + ": needs an image input, got a vector");
          acts.push_back({1, 1, cur.channels, false, 0, {}});
          steps.push_back({Op::GlobalAvgPool, src, src + 1, i, false, i});
          break;
        case LayerKind::Linear: {
          const std::string what = layer_name(i, "Linear");
          if (cur.spatial) throw ModelError(what + ": needs a vector input (put GlobalAvgPool before it)");
          if (layer.weight.shape.empty()) throw ModelError(what + ": missing weight");
          const uint32_t out = layer.weight.shape[0];
          if (out == 0) throw ModelError(what + ": zero outputs");
          expect_shape(layer.weight, {out, static_cast<uint32_t>(cur.channels)}, what + " weight");
          expect_shape(layer.bias, {out}, what + " bias");
          acts.push_back({1, 1, out, false, 0, {}});
          steps.push_back({Op::Linear, src, src + 1, i, layer.fused_relu, i});
          break;
        }
        case LayerKind::Relu: {
          Step* producer = producer_of_current();
          if (optimized() && producer != nullptr &&
              (producer->op == Op::Conv3x3 || producer->op == Op::Conv3x3MaxPool ||
               producer->op == Op::Conv3x3WinogradMaxPool || producer->op == Op::Linear)) {
            producer->relu = true;
          } else {
            steps.push_back({Op::Relu, src, src, i, false, i});
          }
          break;
        }
        default:
          throw ModelError("layer " + std::to_string(i) + ": unknown layer kind " +
                           std::to_string(static_cast<int>(layer.kind)));
      }
    }
    const Activation& last = acts.back();
    if (last.spatial) throw ModelError("the model must end in a vector (GlobalAvgPool or Linear), not an image");
    if (last.channels != spec.labels.size()) {
      throw ModelError("the model outputs " + std::to_string(last.channels) + " values but has " +
                       std::to_string(spec.labels.size()) + " labels");
    }
  }

  // Packs each step's weights once, in the layout of the kernel plan() chose for it: a conv is only
  // known to run as Winograd once the max-pool after it has been seen.
  void pack(const ModelSpec& spec) {
    for (Step& s : steps) {
      const Layer& layer = spec.layers[s.layer];
      const std::span<const float> weight = layer.weight.data;
      const std::span<const float> bias = layer.bias.data;
      switch (s.op) {
        case Op::Conv3x3:
        case Op::Conv3x3MaxPool:
          convs.push_back(opt::pack_conv3x3(weight, bias, layer.weight.shape[0], layer.weight.shape[1]));
          s.params = convs.size() - 1;
          break;
        case Op::Conv3x3WinogradMaxPool:
          winograds.push_back(opt::pack_winograd_f2x3(weight, bias, layer.weight.shape[0], layer.weight.shape[1]));
          s.params = winograds.size() - 1;
          break;
        case Op::Linear:
          linears.push_back(opt::pack_linear(weight, bias, layer.weight.shape[0], layer.weight.shape[1]));
          s.params = linears.size() - 1;
          break;
        case Op::MaxPool:
        case Op::GlobalAvgPool:
        case Op::Relu:
          break;
      }
    }
  }

  // The reference kernels read the weights as the file has them; steps index layers by model layer.
  void keep_layers(const ModelSpec& spec) {
    layers.resize(spec.layers.size());
    for (const Step& s : steps) {
      if (s.op == Op::Conv3x3 || s.op == Op::Linear) layers[s.layer] = spec.layers[s.layer];
    }
  }

  void allocate() {
    size_t scratch_size = 0;
    for (const Step& s : steps) {
      if (s.op == Op::Conv3x3 || s.op == Op::Conv3x3MaxPool || s.op == Op::Conv3x3WinogradMaxPool) {
        acts[s.src].pad = optimized() ? 1 : 0;
      }
      if (s.op == Op::Conv3x3MaxPool) {
        const Activation& in = acts[s.src];
        scratch_size =
            std::max(scratch_size, opt::conv3x3_maxpool2x2_scratch_size(in.height, in.width, acts[s.dst].channels));
      }
      if (s.op == Op::Conv3x3WinogradMaxPool) {
        const Activation& in = acts[s.src];
        scratch_size = std::max(scratch_size, opt::conv3x3_winograd_maxpool2x2_scratch_size(
                                                  in.height, in.width, in.channels, acts[s.dst].channels));
      }
    }
    for (Activation& a : acts) a.storage.assign((a.height + 2 * a.pad) * (a.width + 2 * a.pad) * a.channels, 0.0f);
    // A row range never needs more scratch than the whole plane (the band sizes are capped by the height).
    scratch_per_task = scratch_size;
    scratch.assign(scratch_size * pool.size(), 0.0f);
  }

  // Runs a convolution step as pool.size() tasks, each over its own range of output rows (and the
  // input rows under them: `rows_per_output_row` is 2 where a max pool halves the height).
  template <typename Conv>
  void run_split(Activation& in, Activation& out, size_t rows_per_output_row, Conv&& conv) {
    run_split_rows(pool, in.plane(), out.plane(), rows_per_output_row,
                   [&](const opt::Plane& i, const opt::Plane& o, size_t part) {
                     conv(i, o, std::span<float>(scratch.data() + part * scratch_per_task, scratch_per_task));
                   });
  }

  void run_optimized(const Step& s) {
    Activation& in = acts[s.src];
    Activation& out = acts[s.dst];
    const opt::Clamp clamp = opt::Clamp::relu_if(s.relu);
    switch (s.op) {
      case Op::Conv3x3:
        run_split(in, out, 1, [&](const opt::Plane& i, const opt::Plane& o, std::span<float>) {
          opt::conv3x3(convs[s.params], i, o, clamp);
        });
        break;
      case Op::Conv3x3MaxPool:
        run_split(in, out, 2, [&](const opt::Plane& i, const opt::Plane& o, std::span<float> slice) {
          opt::conv3x3_maxpool2x2(convs[s.params], i, o, clamp, slice);
        });
        break;
      case Op::Conv3x3WinogradMaxPool:
        run_split(in, out, 2, [&](const opt::Plane& i, const opt::Plane& o, std::span<float> slice) {
          opt::conv3x3_winograd_maxpool2x2(winograds[s.params], i, o, clamp, slice);
        });
        break;
      case Op::MaxPool:
        opt::maxpool2x2(in.plane(), out.plane());
        break;
      case Op::GlobalAvgPool:
        opt::global_avg_pool(in.plane(), out.values());
        break;
      case Op::Linear:
        opt::linear(linears[s.params], in.values(), out.values(), opt::Clamp::relu_if(s.relu));
        break;
      case Op::Relu:
        // The zero border stays zero under ReLU, so the whole buffer can go through.
        opt::relu(in.storage);
        break;
    }
  }

  void run_reference(const Step& s) {
    Activation& in = acts[s.src];
    Activation& out = acts[s.dst];
    switch (s.op) {
      case Op::Conv3x3: {
        const Layer& l = layers[s.params];
        ref::conv3x3(in.values(), in.shape(), l.weight.data, l.bias.data, out.channels, s.relu, out.values());
        break;
      }
      case Op::Conv3x3MaxPool:
      case Op::Conv3x3WinogradMaxPool:
        throw std::logic_error("Network: the reference path never fuses conv and maxpool");
      case Op::MaxPool:
        ref::maxpool2x2(in.values(), in.shape(), out.values());
        break;
      case Op::GlobalAvgPool:
        ref::global_avg_pool(in.values(), in.shape(), out.values());
        break;
      case Op::Linear: {
        const Layer& l = layers[s.params];
        ref::linear(in.values(), l.weight.data, l.bias.data, s.relu, out.values());
        break;
      }
      case Op::Relu:
        ref::relu(in.values());
        break;
    }
  }

  void run(const Step& s) {
    if (optimized()) {
      run_optimized(s);
    } else {
      run_reference(s);
    }
  }

  StepTime describe(const Step& s) const {
    const Activation& in = acts[s.src];
    const Activation& out = acts[s.dst];
    const auto conv = [&](const char* how) {
      return conv3x3_step(in.height, in.width, in.channels, out.channels, s.relu, how);
    };
    switch (s.op) {
      case Op::Conv3x3:
        return conv(optimized() ? " (direct)" : " (reference)");
      case Op::Conv3x3MaxPool:
        return conv(" + max-pool (direct)");
      case Op::Conv3x3WinogradMaxPool:
        return conv(" + max-pool (Winograd)");
      case Op::MaxPool:
        return {"max-pool 2x2 of " + std::to_string(in.channels) + " channels", 0};
      case Op::GlobalAvgPool:
        return {"global average pool", 0};
      case Op::Linear:
        return linear_step(in.channels, out.channels, s.relu);
      case Op::Relu:
        return {"ReLU", 0};
    }
    throw std::logic_error("Network: unknown step");
  }

  void load_input(std::span<const float> input) {
    if (input.size() != acts.front().size()) {
      const Activation& a = acts.front();
      throw std::invalid_argument("Network::forward: expected " + std::to_string(a.size()) + " floats (" +
                                  std::to_string(a.height) + "x" + std::to_string(a.width) + "x" +
                                  std::to_string(a.channels) + " NHWC), got " + std::to_string(input.size()));
    }
    opt::Plane p = acts.front().plane();
    const size_t row = p.width * p.channels;
    for (size_t y = 0; y < p.height; ++y) std::copy_n(input.data() + y * row, row, p.data + y * p.row_stride);
  }
};

// The int8 kernels pay only where they are vectorised (wasm/README.md: 1.8-1.9x the f32 path with SIMD,
// 0.35x without); the scalar twins are the tests' ground truth. Without SIMD an int8 model runs as the
// f32 model it stands for.
Network::Network(const ModelSpec& spec, KernelSet kernels, size_t requested_threads) {
  if (requested_threads == 0) throw std::invalid_argument("Network: threads must be at least 1");
  // The reference kernels are the single-thread ground truth that threaded results are checked against.
  const size_t threads = kernels == KernelSet::Optimized ? requested_threads : 1;
  if (!is_quantized(spec)) {
    impl_ = std::make_unique<Impl>(spec, kernels, threads);
  } else if (kernels == KernelSet::Reference || qs8::kVectorised) {
    qs8_ = std::make_unique<Qs8Network>(spec, kernels, threads);
  } else {
    impl_ = std::make_unique<Impl>(dequantized(spec), kernels, threads);
  }
}
Network::~Network() = default;
Network::Network(Network&&) noexcept = default;
Network& Network::operator=(Network&&) noexcept = default;

std::span<const float> Network::forward(std::span<const float> input) {
  if (qs8_) return qs8_->forward(input);
  impl_->load_input(input);
  for (const Step& s : impl_->steps) impl_->run(s);
  return impl_->acts.back().values();
}

std::vector<StepTime> Network::profile(std::span<const float> input) {
  if (qs8_) return qs8_->profile(input);
  impl_->load_input(input);
  return time_steps(
      impl_->steps, [&](const Step& s) { return impl_->describe(s); }, [&](const Step& s) { impl_->run(s); });
}

size_t Network::input_size() const { return qs8_ ? qs8_->input_size() : impl_->acts.front().size(); }
size_t Network::output_size() const { return qs8_ ? qs8_->output_size() : impl_->acts.back().size(); }
size_t Network::threads() const { return qs8_ ? qs8_->threads() : impl_->pool.size(); }
bool Network::int8() const { return qs8_ != nullptr; }

}  // namespace leafcheck
