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
#include "network_plan.h"
#include "qs8_network.h"
#include "thread_pool.h"

namespace leafcheck {
namespace {

namespace opt = optimized_ops;
namespace ref = reference_ops;

using network_plan::Activation;
using network_plan::Op;
using network_plan::Step;

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
    network_plan::Plan p = network_plan::plan(spec, optimized());
    acts = std::move(p.acts);
    steps = std::move(p.steps);
    if (optimized()) {
      pack(spec);
    } else {
      keep_layers(spec);
    }
    allocate();
  }

  bool optimized() const { return kernels == KernelSet::Optimized; }

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
      throw wrong_input_size(a.height, a.width, a.channels, input.size());
    }
    opt::Plane p = acts.front().plane();
    const size_t row = p.width * p.channels;
    for (size_t y = 0; y < p.height; ++y) std::copy_n(input.data() + y * row, row, p.data + y * p.row_stride);
  }
};

std::invalid_argument wrong_input_size(size_t height, size_t width, size_t channels, size_t got) {
  return std::invalid_argument("Network::forward: expected " + std::to_string(height * width * channels) +
                               " floats (" + std::to_string(height) + "x" + std::to_string(width) + "x" +
                               std::to_string(channels) + " NHWC), got " + std::to_string(got));
}

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
