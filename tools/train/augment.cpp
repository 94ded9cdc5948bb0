#include "augment.h"

#include <cmath>
#include <vector>

namespace leafcheck::train {
namespace {

namespace F = torch::nn::functional;

torch::Tensor uniform(std::vector<int64_t> shape, double lo, double hi, const torch::TensorOptions& options) {
  return torch::rand(shape, options) * (hi - lo) + lo;
}

torch::Tensor chance(int64_t n, double p, const torch::TensorOptions& options) { return torch::rand({n}, options) < p; }

torch::Tensor per_image(const torch::Tensor& values) { return values.view({-1, 1, 1, 1}); }

// Per image: `yes` where pick[b], else `no`.
torch::Tensor choose(const torch::Tensor& pick, const torch::Tensor& yes, const torch::Tensor& no) {
  return torch::where(per_image(pick), yes, no);
}

torch::Tensor luma(const torch::Tensor& x) {
  return x.select(1, 0).unsqueeze(1) * 0.299 + x.select(1, 1).unsqueeze(1) * 0.587 + x.select(1, 2).unsqueeze(1) * 0.114;
}

torch::Tensor paste_backgrounds(const torch::Tensor& x, const torch::Tensor& lab_leaf, const torch::Tensor& backgrounds,
                                double p) {
  const int64_t batch = x.size(0);
  const auto options = x.options();
  auto index = torch::randint(backgrounds.size(0), {batch}, options.dtype(torch::kLong));
  auto behind = backgrounds.index_select(0, index);
  behind = choose(chance(batch, 0.5, options), behind.flip({3}), behind);
  // Light behind the leaf varies too: a leaf is not always the brightest thing in a field photo.
  behind = (behind * per_image(uniform({batch}, 0.6, 1.2, options))).clamp(0, 1);
  const auto mask = lab_leaf_mask(x);
  const auto coverage = mask.mean({1, 2, 3});
  // Where the mask found almost nothing or almost everything, it is not a leaf on a plain background.
  const auto pick = lab_leaf & chance(batch, p, options) & (coverage > 0.05) & (coverage < 0.95);
  return choose(pick, mask * x + (1 - mask) * behind, x);
}

torch::Tensor random_geometry(const torch::Tensor& x, const AugmentConfig& c) {
  const int64_t batch = x.size(0);
  const auto options = x.options();
  const auto area = uniform({batch}, c.min_crop_area, 1.0, options);
  const auto aspect = torch::exp(
      uniform({batch}, std::log(1.0 - c.max_aspect_change), std::log(1.0 + c.max_aspect_change), options));
  const auto sx = torch::sqrt(area * aspect).clamp_max(1.0), sy = torch::sqrt(area / aspect).clamp_max(1.0);
  const auto tx = uniform({batch}, -1, 1, options) * (1 - sx), ty = uniform({batch}, -1, 1, options) * (1 - sy);
  auto angle = uniform({batch}, -c.max_rotation_degrees, c.max_rotation_degrees, options) * (M_PI / 180.0);
  if (c.rotate90) angle = angle + torch::randint(0, 4, {batch}, options) * (M_PI / 2);
  // A horizontal flip; with the 180-degree turn it also gives the vertical one.
  const auto flip = c.flips ? torch::where(chance(batch, 0.5, options), -1.0, 1.0).to(options.dtype())
                            : torch::ones({batch}, options);
  const auto cos = torch::cos(angle), sin = torch::sin(angle);
  // Output grid (u, v) samples the input at R(angle) * diag(sx * flip, sy) * (u, v) + (tx, ty).
  const auto theta = torch::stack({torch::stack({cos * sx * flip, -sin * sy, tx}, 1),
                                   torch::stack({sin * sx * flip, cos * sy, ty}, 1)},
                                  1);
  const auto grid = F::affine_grid(theta, {batch, x.size(1), x.size(2), x.size(3)}, false);
  return F::grid_sample(x, grid,
                        F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kReflection).align_corners(false));
}

torch::Tensor jitter_colour(torch::Tensor x, const AugmentConfig& c) {
  const int64_t batch = x.size(0);
  const auto options = x.options();
  x = x * per_image(uniform({batch}, 1 - c.brightness, 1 + c.brightness, options));
  const auto mean_luma = luma(x).mean({2, 3}, true);
  x = (x - mean_luma) * per_image(uniform({batch}, 1 - c.contrast, 1 + c.contrast, options)) + mean_luma;
  const auto gray = luma(x);
  x = (x - gray) * per_image(uniform({batch}, 1 - c.saturation, 1 + c.saturation, options)) + gray;
  x = x * uniform({batch, 3, 1, 1}, 1 - c.colour_cast, 1 + c.colour_cast, options);
  x = x.clamp(1e-6, 1.0);
  return x.pow(per_image(torch::exp(uniform({batch}, -c.gamma, c.gamma, options))));
}

torch::Tensor gaussian_blur(const torch::Tensor& x, const torch::Tensor& sigma) {
  const int64_t batch = x.size(0), channels = x.size(1), h = x.size(2), w = x.size(3), planes = batch * channels;
  const auto taps = torch::arange(-3, 4, x.options()).view({1, 7});
  auto kernel = torch::exp(-(taps * taps) / (2 * sigma.view({batch, 1}).pow(2)));
  kernel = (kernel / kernel.sum(1, true)).repeat_interleave(channels, 0);  // [planes, 7]
  auto planes_x = x.contiguous().view({1, planes, h, w});
  planes_x = F::pad(planes_x, F::PadFuncOptions({3, 3, 0, 0}).mode(torch::kReflect));
  planes_x = F::conv2d(planes_x, kernel.view({planes, 1, 1, 7}), F::Conv2dFuncOptions().groups(planes));
  planes_x = F::pad(planes_x, F::PadFuncOptions({0, 0, 3, 3}).mode(torch::kReflect));
  planes_x = F::conv2d(planes_x, kernel.view({planes, 1, 7, 1}), F::Conv2dFuncOptions().groups(planes));
  return planes_x.view({batch, channels, h, w});
}

torch::Tensor low_resolution(const torch::Tensor& x) {
  const int64_t side = torch::randint(32, 97, {1}).item<int64_t>();
  const auto small = F::interpolate(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{side, side}).mode(torch::kArea));
  return F::interpolate(small, F::InterpolateFuncOptions()
                                   .size(std::vector<int64_t>{x.size(2), x.size(3)})
                                   .mode(torch::kBilinear)
                                   .align_corners(false));
}

torch::Tensor cutout(const torch::Tensor& x, const torch::Tensor& pick) {
  const int64_t batch = x.size(0), h = x.size(2), w = x.size(3);
  const auto options = x.options();
  const auto half = per_image(uniform({batch}, 0.125, 0.25, options) * static_cast<double>(h));
  const auto cy = per_image(uniform({batch}, 0, h, options)), cx = per_image(uniform({batch}, 0, w, options));
  const auto ys = torch::arange(h, options).view({1, 1, h, 1}) + 0.5;
  const auto xs = torch::arange(w, options).view({1, 1, 1, w}) + 0.5;
  const auto erased = ((ys - cy).abs() < half) & ((xs - cx).abs() < half) & per_image(pick);
  return torch::where(erased, torch::full({}, 0.5, options), x);
}

// Standard JPEG quantisation tables (ITU-T T.81 Annex K) at quality 50.
constexpr float kLumaTable[64] = {16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
                                  14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
                                  18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
                                  49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
constexpr float kChromaTable[64] = {17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
                                    24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
                                    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
                                    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};

torch::Tensor dct_matrix(const torch::TensorOptions& options) {
  const auto k = torch::arange(8, options).view({8, 1}), n = torch::arange(8, options).view({1, 8});
  auto d = torch::cos((2 * n + 1) * k * (M_PI / 16)) * std::sqrt(2.0 / 8);
  d.select(0, 0).fill_(std::sqrt(1.0 / 8));
  return d;
}

}  // namespace

AugmentConfig weak_augment() {
  AugmentConfig c;
  c.max_rotation_degrees = 0;
  c.min_crop_area = 0.9f;
  c.max_aspect_change = 0.05f;
  c.background = 0;
  c.brightness = c.contrast = c.saturation = c.colour_cast = c.gamma = 0;
  c.blur = c.low_resolution = c.jpeg = c.noise = 0;
  return c;
}

AugmentConfig strong_augment() {
  AugmentConfig c;
  c.min_crop_area = 0.4f;
  c.background = 0.7f;
  c.brightness = c.contrast = 0.4f;
  c.saturation = 0.5f;
  c.colour_cast = 0.15f;
  c.blur = c.low_resolution = 0.4f;
  c.jpeg = 0.5f;
  c.noise = 0.03f;
  c.cutout = 0.7f;
  return c;
}

torch::Tensor lab_leaf_mask(const torch::Tensor& batch) {
  const auto brightest = std::get<0>(batch.max(1, true)), darkest = std::get<0>(batch.min(1, true));
  auto mask = (((brightest - darkest) / (brightest + 1e-3) > 0.2) & (brightest > 0.12)).to(batch.dtype());
  const auto pool = F::MaxPool2dFuncOptions(9).stride(1).padding(4);
  mask = -F::max_pool2d(-F::max_pool2d(mask, pool), pool);  // closing: dilate, then erode
  return F::avg_pool2d(mask, F::AvgPool2dFuncOptions(5).stride(1).padding(2).count_include_pad(false));
}

torch::Tensor jpeg_quantize(const torch::Tensor& batch, const torch::Tensor& quality) {
  const int64_t n = batch.size(0), h = batch.size(2), w = batch.size(3);
  const auto options = batch.options();
  const auto rgb = batch * 255;
  const auto r = rgb.select(1, 0), g = rgb.select(1, 1), b = rgb.select(1, 2);
  const auto y = 0.299 * r + 0.587 * g + 0.114 * b;
  auto chroma = torch::stack({-0.168736 * r - 0.331264 * g + 0.5 * b, 0.5 * r - 0.418688 * g - 0.081312 * b}, 1);
  chroma = F::interpolate(F::avg_pool2d(chroma, F::AvgPool2dFuncOptions(2)),
                          F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w}).mode(torch::kBilinear).align_corners(false));
  const auto ycc = torch::cat({y.unsqueeze(1) - 128, chroma}, 1);  // level-shifted, chroma centred on 0

  const auto q = quality.to(options.dtype()).clamp(1, 100);
  const auto scale = torch::where(q < 50, 5000 / q, 200 - 2 * q).view({n, 1, 1, 1, 1, 1});
  const auto luma_table = torch::from_blob(const_cast<float*>(kLumaTable), {8, 8}, torch::kFloat32).to(options);
  const auto chroma_table = torch::from_blob(const_cast<float*>(kChromaTable), {8, 8}, torch::kFloat32).to(options);
  const auto base = torch::stack({luma_table, chroma_table, chroma_table}).view({1, 3, 1, 1, 8, 8});
  const auto table = ((base * scale + 50) / 100).floor().clamp(1, 255);

  const auto d = dct_matrix(options);
  auto blocks = ycc.reshape({n, 3, h / 8, 8, w / 8, 8}).permute({0, 1, 2, 4, 3, 5});
  auto coefficients = d.matmul(blocks).matmul(d.t());
  coefficients = torch::round(coefficients / table) * table;
  blocks = d.t().matmul(coefficients).matmul(d);
  const auto out = blocks.permute({0, 1, 2, 4, 3, 5}).reshape({n, 3, h, w});
  const auto yo = out.select(1, 0) + 128, cb = out.select(1, 1), cr = out.select(1, 2);
  return (torch::stack({yo + 1.402 * cr, yo - 0.344136 * cb - 0.714136 * cr, yo + 1.772 * cb}, 1) / 255).clamp(0, 1);
}

torch::Tensor augment_batch(const torch::Tensor& batch, const AugmentConfig& c, const torch::Tensor& lab_leaf,
                            const torch::Tensor& backgrounds) {
  torch::NoGradGuard no_grad;
  const int64_t n = batch.size(0);
  const auto options = batch.options();
  const auto styled = chance(n, c.field_style, options);
  auto styled_chance = [&](double p) { return chance(n, p, options) & styled; };
  torch::Tensor x = batch;
  if (c.background > 0 && backgrounds.defined() && backgrounds.size(0) > 0)
    x = paste_backgrounds(x, lab_leaf & styled, backgrounds, c.background);
  x = random_geometry(x, c);
  x = choose(styled, jitter_colour(x, c), x);
  if (c.blur > 0) x = choose(styled_chance(c.blur), gaussian_blur(x, uniform({n}, 0.4, 1.6, options)), x);
  if (c.low_resolution > 0) x = choose(styled_chance(c.low_resolution), low_resolution(x), x);
  if (c.jpeg > 0) x = choose(styled_chance(c.jpeg), jpeg_quantize(x, uniform({n}, 15, 75, options).round()), x);
  if (c.noise > 0) x = x + torch::randn_like(x) * per_image(uniform({n}, 0, c.noise, options) * styled);
  if (c.cutout > 0) x = cutout(x, chance(n, c.cutout, options));
  return x.clamp(0, 1).contiguous(torch::MemoryFormat::ChannelsLast);
}

}  // namespace leafcheck::train
