#include "qs8_network.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/optimized_ops.h"
#include "kernels/qs8_ops.h"
#include "kernels/qs8_reference_ops.h"
#include "kernels/qs8_winograd_ops.h"
#include "kernels/reference_ops.h"
#include "thread_pool.h"

namespace leafcheck {
namespace {

namespace opt = optimized_ops;
namespace ref = reference_ops;
namespace qopt = qs8_ops;
namespace qref = qs8_reference_ops;

// A conv followed by a max-pool with at least this many input channels runs as int8 Winograd F(2x2,3x3)
// (kernels/qs8_winograd_ops.h). Measured on model/leafcheck-int8.lcm (CPU ms per inference, min of 60
// in node 20, of 100 natively; wasm/README.md): Winograd on layers 2-4 3.86-3.97 in node and 1.68-1.75
// natively, with layer 2 (32 channels) direct 4.99-5.13 and 2.03-2.11; on the RGB first layer too
// 4.93-5.13 against 3.97-4.18 in node, 2.26-3.16 against 1.69-1.87 natively (its 3 channels fill a
// fraction of a vector in the input transform).
constexpr size_t kWinogradMinInChannels = 16;

// int8 values (in int16) when quantized, floats otherwise. An activation a conv reads carries a
// one-pixel zero border on the optimized path, plus one int16 of slack after it (qs8_ops::conv3x3).
struct Activation {
  size_t height = 1;
  size_t width = 1;
  size_t channels = 0;
  bool spatial = true;
  bool quantized = false;
  float scale = 0.0f;  // quantized only
  size_t pad = 0;
  std::vector<int16_t> q;
  std::vector<float> f;

  size_t size() const { return height * width * channels; }
  size_t row_stride() const { return (width + 2 * pad) * channels; }
  size_t offset() const { return pad * row_stride() + pad * channels; }
  qopt::QPlane qplane() { return {q.data() + offset(), height, width, channels, row_stride()}; }
  opt::Plane plane() { return {f.data() + offset(), height, width, channels, row_stride()}; }
  ref::ImageShape shape() const { return {height, width, channels}; }
  std::span<int16_t> q_values() { return {q.data(), size()}; }
  std::span<float> f_values() { return {f.data(), size()}; }
};

enum class Op { Quantize, Conv3x3, Conv3x3WinogradMaxPool, MaxPool, GlobalAvgPool, Linear, Relu };

struct Step {
  Op op;
  size_t src;
  size_t dst;
  size_t layer;   // index into layers
  size_t packed;  // optimized: index into convs or linears
};

std::string layer_name(size_t index, const char* kind) {
  return "layer " + std::to_string(index + 1) + " (" + kind + ", int8)";
}

qref::QuantizedWeights weights_of(const Layer& layer) {
  return {layer.weight.quantized, layer.weight.scales, layer.bias.data, layer.input_scale};
}

// The input scale of the int8 conv that reads this layer's output through max-pools and ReLUs only,
// or 0 when something else reads it (then the output is dequantized to float).
float next_conv_input_scale(const ModelSpec& spec, size_t index) {
  for (size_t j = index + 1; j < spec.layers.size(); ++j) {
    const LayerKind kind = spec.layers[j].kind;
    if (kind == LayerKind::Conv3x3) return spec.layers[j].input_scale;
    if (kind != LayerKind::MaxPool2x2 && kind != LayerKind::Relu) return 0.0f;
  }
  return 0.0f;
}

}  // namespace

struct Qs8Network::Impl {
  KernelSet kernels;
  ThreadPool pool;
  std::vector<Layer> layers;
  std::vector<Activation> acts;
  std::vector<Step> steps;
  std::vector<qopt::PackedConv3x3> convs;
  std::vector<qopt::PackedWinograd> winograds;
  std::vector<qopt::WinogradScratch> winograd_scratch;  // one per thread
  std::vector<qopt::PackedLinear> linears;
  std::vector<int16_t> linear_input;

  Impl(const ModelSpec& spec, KernelSet k, size_t threads)
      : kernels(k), pool(threads), layers(kept_layers(spec.layers, k)) {
    if (!is_quantized(spec)) throw std::logic_error("Qs8Network needs an int8 model");
    winograd_scratch.resize(pool.size());
    plan(spec);
    allocate();
  }

  // The optimized steps read the packed copies (and each layer's kind and scales); only the scalar twins
  // need the weights in the file's layout, so only they pay for a copy of them.
  static std::vector<Layer> kept_layers(const std::vector<Layer>& layers, KernelSet k) {
    if (k == KernelSet::Reference) return layers;
    std::vector<Layer> kept(layers.size());
    for (size_t i = 0; i < layers.size(); ++i) {
      kept[i].kind = layers[i].kind;
      kept[i].fused_relu = layers[i].fused_relu;
      kept[i].input_scale = layers[i].input_scale;
    }
    return kept;
  }

  bool optimized() const { return kernels == KernelSet::Optimized; }

  void push(Op op, size_t layer, Activation next, size_t packed = 0) {
    const size_t src = acts.size() - 1;
    acts.push_back(std::move(next));
    steps.push_back({op, src, src + 1, layer, packed});
  }

  void plan(const ModelSpec& spec) {
    acts.push_back({spec.input_height, spec.input_width, spec.input_channels, true, false, 0.0f, 0, {}, {}});
    for (size_t i = 0; i < spec.layers.size(); ++i) {
      const Layer& layer = spec.layers[i];
      const Activation cur = acts.back();
      switch (layer.kind) {
        case LayerKind::Conv3x3: {
          const std::string what = layer_name(i, "conv3x3");
          const uint32_t out = layer.weight.shape.at(0);
          if (!cur.spatial || cur.channels != layer.weight.shape.at(1)) throw ModelError(what + ": input shape mismatch");
          if (!cur.quantized) {
            push(Op::Quantize, i, {cur.height, cur.width, cur.channels, true, true, layer.input_scale, 0, {}, {}});
          } else if (cur.scale != layer.input_scale) {
            throw std::logic_error(what + ": its input was quantized with another scale");
          }
          const float out_scale = next_conv_input_scale(spec, i);
          if (runs_as_winograd(spec, i, cur)) {
            winograds.push_back(
                qopt::pack_winograd_f2x3(weights_of(layer), out, cur.channels, layer.fused_relu, out_scale));
            for (qopt::WinogradScratch& scratch : winograd_scratch) scratch.fit(cur.height, cur.width, cur.channels, out);
            push(Op::Conv3x3WinogradMaxPool, i,
                 {cur.height / 2, cur.width / 2, out, true, out_scale > 0.0f, out_scale, 0, {}, {}},
                 winograds.size() - 1);
            ++i;  // the max-pool after it is done too
            break;
          }
          size_t packed = 0;
          if (optimized()) {
            convs.push_back(qopt::pack_conv3x3(weights_of(layer), out, cur.channels, layer.fused_relu, out_scale));
            packed = convs.size() - 1;
          }
          push(Op::Conv3x3, i, {cur.height, cur.width, out, true, out_scale > 0.0f, out_scale, 0, {}, {}}, packed);
          break;
        }
        case LayerKind::MaxPool2x2:
          if (!cur.spatial || cur.height < 2 || cur.width < 2) {
            throw ModelError(layer_name(i, "maxpool2x2") + ": needs an image of at least 2x2");
          }
          push(Op::MaxPool, i, {cur.height / 2, cur.width / 2, cur.channels, true, cur.quantized, cur.scale, 0, {}, {}});
          break;
        case LayerKind::GlobalAvgPool:
          // A quantized output only ever feeds an int8 conv (next_conv_input_scale), never this.
          if (!cur.spatial || cur.quantized) throw ModelError(layer_name(i, "global avg pool") + ": needs a float image");
          push(Op::GlobalAvgPool, i, {1, 1, cur.channels, false, false, 0.0f, 0, {}, {}});
          break;
        case LayerKind::Linear: {
          const uint32_t out = layer.weight.shape.at(0);
          if (cur.spatial || cur.quantized || cur.channels != layer.weight.shape.at(1)) {
            throw ModelError(layer_name(i, "linear") + ": needs a float vector of its input size");
          }
          size_t packed = 0;
          if (optimized()) {
            linears.push_back(qopt::pack_linear(weights_of(layer), out, cur.channels, layer.fused_relu));
            packed = linears.size() - 1;
          }
          linear_input.resize(std::max(linear_input.size(), qopt::linear_input_size(cur.channels)));
          push(Op::Linear, i, {1, 1, out, false, false, 0.0f, 0, {}, {}}, packed);
          break;
        }
        case LayerKind::Relu:
          steps.push_back({Op::Relu, acts.size() - 1, acts.size() - 1, i, 0});
          break;
      }
    }
    if (acts.back().spatial || acts.back().channels != spec.labels.size()) {
      throw ModelError("the model must end in a vector with one value per label");
    }
  }

  // The optimized path fuses a conv with the max-pool right after it into Winograd where that pays.
  bool runs_as_winograd(const ModelSpec& spec, size_t conv, const Activation& in) const {
    return optimized() && conv + 1 < spec.layers.size() && spec.layers[conv + 1].kind == LayerKind::MaxPool2x2 &&
           in.height >= 2 && in.width >= 2 && in.channels >= kWinogradMinInChannels &&
           in.channels <= qopt::kWinogradMaxInChannels;
  }

  void allocate() {
    for (const Step& s : steps) {
      if ((s.op == Op::Conv3x3 || s.op == Op::Conv3x3WinogradMaxPool) && optimized()) acts[s.src].pad = 1;
    }
    for (Activation& a : acts) {
      const size_t values = (a.height + 2 * a.pad) * (a.width + 2 * a.pad) * a.channels;
      if (a.quantized) {
        a.q.assign(values + 1, 0);
      } else {
        a.f.assign(values, 0.0f);
      }
    }
  }

  void load_input(std::span<const float> input) {
    if (input.size() != acts.front().size()) {
      const Activation& a = acts.front();
      throw wrong_input_size(a.height, a.width, a.channels, input.size());
    }
    std::copy(input.begin(), input.end(), acts.front().f.begin());
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
    const bool relu = layers[s.layer].fused_relu;
    const std::string out_type = out.quantized ? ", int8 out" : ", float out";
    switch (s.op) {
      case Op::Quantize:
        return {"quantize " + std::to_string(in.size()) + " values to int8", 0};
      case Op::Conv3x3:
        return conv3x3_step(in.height, in.width, in.channels, out.channels, relu,
                            (optimized() ? " (int8 direct" : " (int8 reference") + out_type + ")");
      case Op::Conv3x3WinogradMaxPool:
        return conv3x3_step(in.height, in.width, in.channels, out.channels, relu,
                            " + max-pool (int8 Winograd" + out_type + ")");
      case Op::MaxPool:
        return {"max-pool 2x2 of " + std::to_string(in.channels) + " channels" + (in.quantized ? " (int8)" : ""), 0};
      case Op::GlobalAvgPool:
        return {"global average pool", 0};
      case Op::Linear:
        return linear_step(in.channels, out.channels, relu);
      case Op::Relu:
        return {"ReLU", 0};
    }
    throw std::logic_error("Qs8Network: unknown step");
  }

  void run_optimized(const Step& s) {
    Activation& in = acts[s.src];
    Activation& out = acts[s.dst];
    const Layer& layer = layers[s.layer];
    switch (s.op) {
      // The steps between convolutions split their rows across the pool too: left on one thread they
      // were about a twentieth of a two-thread forward pass.
      case Op::Quantize: {
        const auto quantize = [&](const opt::Plane& i, const qopt::QPlane& o, size_t) {
          qopt::quantize({i.data, i.height * i.row_stride}, out.scale, o);
        };
        run_split_rows(pool, in.plane(), out.qplane(), 1, quantize);
        break;
      }
      case Op::Conv3x3: {
        const auto conv = [&](const qopt::QPlane& i, const auto& o, size_t) { qopt::conv3x3(convs[s.packed], i, o); };
        if (out.quantized) {
          run_split_rows(pool, in.qplane(), out.qplane(), 1, conv);
        } else {
          run_split_rows(pool, in.qplane(), out.plane(), 1, conv);
        }
        break;
      }
      case Op::Conv3x3WinogradMaxPool: {
        const auto conv = [&](const qopt::QPlane& i, const auto& o, size_t part) {
          qopt::conv3x3_winograd_maxpool2x2(winograds[s.packed], i, o, winograd_scratch[part]);
        };
        if (out.quantized) {
          run_split_rows(pool, in.qplane(), out.qplane(), 2, conv);
        } else {
          run_split_rows(pool, in.qplane(), out.plane(), 2, conv);
        }
        break;
      }
      case Op::MaxPool:
        if (in.quantized) {
          run_split_rows(pool, in.qplane(), out.qplane(), 2, [](const auto& i, const auto& o, size_t) { qopt::maxpool2x2(i, o); });
        } else {
          run_split_rows(pool, in.plane(), out.plane(), 2, [](const auto& i, const auto& o, size_t) { opt::maxpool2x2(i, o); });
        }
        break;
      case Op::GlobalAvgPool:
        opt::global_avg_pool(in.plane(), out.f_values());
        break;
      case Op::Linear: {
        const std::span<int16_t> q(linear_input.data(), qopt::linear_input_size(in.channels));
        qopt::quantize_values(in.f_values(), layer.input_scale, q.first(in.channels));
        qopt::linear(linears[s.packed], q, out.f_values());
        break;
      }
      case Op::Relu:
        // The zero border stays zero under ReLU, so the whole buffer can go through.
        if (in.quantized) {
          qopt::relu(in.q);
        } else {
          opt::relu(in.f);
        }
        break;
    }
  }

  void run_reference(const Step& s) {
    Activation& in = acts[s.src];
    Activation& out = acts[s.dst];
    const Layer& layer = layers[s.layer];
    switch (s.op) {
      case Op::Quantize:
        qref::quantize(in.f_values(), out.scale, out.q_values());
        break;
      case Op::Conv3x3:
        if (out.quantized) {
          qref::conv3x3(in.q_values(), in.shape(), weights_of(layer), layer.fused_relu, out.scale, out.q_values());
        } else {
          qref::conv3x3(in.q_values(), in.shape(), weights_of(layer), layer.fused_relu, out.f_values());
        }
        break;
      case Op::Conv3x3WinogradMaxPool:
        throw std::logic_error("Qs8Network: the reference path never fuses conv and maxpool");
      case Op::MaxPool:
        if (in.quantized) {
          qref::maxpool2x2(in.q_values(), in.shape(), out.q_values());
        } else {
          ref::maxpool2x2(in.f_values(), in.shape(), out.f_values());
        }
        break;
      case Op::GlobalAvgPool:
        ref::global_avg_pool(in.f_values(), in.shape(), out.f_values());
        break;
      case Op::Linear: {
        const std::span<int16_t> q(linear_input.data(), in.channels);
        qref::quantize(in.f_values(), layer.input_scale, q);
        qref::linear(q, weights_of(layer), layer.fused_relu, out.f_values());
        break;
      }
      case Op::Relu:
        if (in.quantized) {
          qref::relu(in.q_values());
        } else {
          ref::relu(in.f_values());
        }
        break;
    }
  }
};

Qs8Network::Qs8Network(const ModelSpec& spec, KernelSet kernels, size_t threads)
    : impl_(std::make_unique<Impl>(spec, kernels, threads)) {}
Qs8Network::~Qs8Network() = default;
Qs8Network::Qs8Network(Qs8Network&&) noexcept = default;
Qs8Network& Qs8Network::operator=(Qs8Network&&) noexcept = default;

std::span<const float> Qs8Network::forward(std::span<const float> input) {
  impl_->load_input(input);
  for (const Step& s : impl_->steps) impl_->run(s);
  return impl_->acts.back().f_values();
}

std::vector<StepTime> Qs8Network::profile(std::span<const float> input) {
  impl_->load_input(input);
  return time_steps(
      impl_->steps, [&](const Step& s) { return impl_->describe(s); }, [&](const Step& s) { impl_->run(s); });
}

size_t Qs8Network::input_size() const { return impl_->acts.front().size(); }
size_t Qs8Network::output_size() const { return impl_->acts.back().size(); }
size_t Qs8Network::threads() const { return impl_->pool.size(); }

}  // namespace leafcheck
