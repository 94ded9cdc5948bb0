#include "network_plan.h"

#include <string>

namespace leafcheck::network_plan {
namespace {

// A fused conv + max-pool with at least this many input channels runs as Winograd F(2x2,3x3).
// Measured on the seed architecture (CPU ms per inference, min of 100; wasm/README.md): Winograd on
// layers 2-4 3.1-3.4 natively against 4.7-4.9 direct and 3.4-3.9 with layer 2 direct; on all four
// layers 4.0 (the RGB first layer's transforms cost more than its 27 multiplies per pixel save).
constexpr size_t kWinogradMinInChannels = 16;

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

// The last step writes the current activation; Relu and MaxPool may fold into it.
Step* producer_of_current(Plan& p) {
  if (p.steps.empty() || p.steps.back().dst != p.acts.size() - 1 || p.steps.back().op == Op::Relu) return nullptr;
  return &p.steps.back();
}

}  // namespace

Plan plan(const ModelSpec& spec, bool fuse) {
  Plan p;
  std::vector<Activation>& acts = p.acts;
  std::vector<Step>& steps = p.steps;
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
        Step* producer = producer_of_current(p);
        if (fuse && producer != nullptr && producer->op == Op::Conv3x3) {
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
        Step* producer = producer_of_current(p);
        if (fuse && producer != nullptr &&
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
  return p;
}

}  // namespace leafcheck::network_plan
