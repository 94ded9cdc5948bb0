#include "export_model.h"

#include <stdexcept>

namespace leafcheck::train {
namespace {

Tensor to_model_tensor(const torch::Tensor& t) {
  auto contiguous = t.detach().to(torch::kFloat32).contiguous();
  Tensor out;
  for (int64_t d : contiguous.sizes()) out.shape.push_back(static_cast<uint32_t>(d));
  out.data.assign(contiguous.data_ptr<float>(), contiguous.data_ptr<float>() + contiguous.numel());
  return out;
}

Layer folded_conv(const torch::nn::Conv2d& conv, const torch::nn::BatchNorm2d& bn) {
  // Folded in double so the only rounding is the final cast to f32.
  auto weight = conv->weight.detach().to(torch::kFloat64);
  auto scale = bn->weight.detach().to(torch::kFloat64) /
               torch::sqrt(bn->running_var.to(torch::kFloat64) + bn->options.eps());
  auto shift = bn->bias.detach().to(torch::kFloat64) - bn->running_mean.to(torch::kFloat64) * scale;
  if (conv->options.bias()) shift = shift + conv->bias.detach().to(torch::kFloat64) * scale;
  Layer layer;
  layer.kind = LayerKind::Conv3x3;
  layer.fused_relu = true;
  layer.weight = to_model_tensor(weight * scale.view({-1, 1, 1, 1}));
  layer.bias = to_model_tensor(shift);
  return layer;
}

Layer linear(const torch::nn::Linear& fc, bool relu) {
  Layer layer;
  layer.kind = LayerKind::Linear;
  layer.fused_relu = relu;
  layer.weight = to_model_tensor(fc->weight);
  layer.bias = to_model_tensor(fc->bias);
  return layer;
}

Layer plain_layer(LayerKind kind) {
  Layer layer;
  layer.kind = kind;
  return layer;
}

}  // namespace

ModelSpec export_model(const SeedNet& net, const Normalization& norm, const std::vector<std::string>& labels,
                       const std::string& metadata_json) {
  if (static_cast<int64_t>(labels.size()) != net->classifier()->options.out_features())
    throw std::invalid_argument("export_model: " + std::to_string(labels.size()) + " labels for a network with " +
                                std::to_string(net->classifier()->options.out_features()) + " outputs");
  torch::NoGradGuard no_grad;
  ModelSpec spec;
  spec.input_height = spec.input_width = net->architecture().input_size;
  spec.input_channels = 3;
  spec.mean.assign(norm.mean.begin(), norm.mean.end());
  spec.stddev.assign(norm.stddev.begin(), norm.stddev.end());
  spec.labels = labels;
  spec.metadata_json = metadata_json;
  for (size_t i = 0; i < net->convs().size(); ++i) {
    spec.layers.push_back(folded_conv(net->convs()[i], net->norms()[i]));
    spec.layers.push_back(plain_layer(LayerKind::MaxPool2x2));
  }
  spec.layers.push_back(plain_layer(LayerKind::GlobalAvgPool));
  spec.layers.push_back(linear(net->hidden(), true));
  spec.layers.push_back(linear(net->classifier(), false));
  validate_model(spec);
  return spec;
}

}  // namespace leafcheck::train
