// Augmentation, batched on whatever device the batch is on (the GPU keeps up with ~10k images/s).
// A leaf has no canonical orientation (flips, turns, small rotations) and is photographed at varying
// distance (crops rescaled back). Field photos differ from PlantVillage's lab photos in background,
// light, focus, resolution and compression, so lab leaves get their grey background swapped for a
// busy one and the photometric steps below move them towards phone photos. The defaults are a
// compromise measured on the GPU: stronger settings (crops to 50%, background 50%, colour 0.3, blur,
// low resolution and JPEG on a quarter to a third of the images) left the seed network underfitting
// after 60 epochs (lab test top-1 92.9% against 97.6% with plain augmentation; field 39.8%).
#pragma once

#include <torch/torch.h>

namespace leafcheck::train {

struct AugmentConfig {
  bool flips = true;
  bool rotate90 = true;
  float max_rotation_degrees = 20.0f;  // on top of the 90-degree turns; borders are mirrored
  float min_crop_area = 0.6f;          // random crop covering [min_crop_area, 1] of the image, resized back
  float max_aspect_change = 0.2f;      // field crops were stretched to square photos before boxing
  float background = 0.4f;             // chance that a lab leaf gets a busy background
  float brightness = 0.2f;             // factors drawn from [1 - x, 1 + x]
  float contrast = 0.2f;
  float saturation = 0.2f;
  float colour_cast = 0.05f; // per-channel gain in [1 - x, 1 + x] (white balance)
  float gamma = 0.15f;       // exponent exp(U(-x, x))
  float blur = 0.15f;        // chance of a Gaussian blur, sigma 0.4..1.6 px (focus, motion)
  float low_resolution = 0.15f;  // chance of losing resolution: down to 32..96 px and back up
  float jpeg = 0.2f;             // chance of JPEG quantisation at quality 15..75 (4:2:0 chroma)
  float noise = 0.02f;           // Gaussian noise, standard deviation up to this
  float cutout = 0.0f;           // chance of erasing a square of 1/4..1/2 the side (FixMatch's strong view)
  // Chance that an image gets the field-style steps at all (background, colour, blur, low resolution,
  // JPEG, noise); the others get only the geometry. Below 1 the network still sees clean lab photos,
  // which the full-strength recipe cost about 3.5 points of lab accuracy.
  float field_style = 1.0f;
};

// Only flips and turns: FixMatch's weak view, which makes the pseudo-label.
AugmentConfig weak_augment();
// Everything stronger, plus cutout: FixMatch's strong view, which learns from the pseudo-label.
AugmentConfig strong_augment();

// batch: float [B, 3, H, W] in [0, 1]. lab_leaf: bool [B], which images are lab leaves on a plain
// background (the only ones whose background may be swapped). backgrounds: float [K, 3, H, W] in
// [0, 1], photos to paste behind them, or an undefined tensor for none. Random numbers come from
// LibTorch's generators (torch::manual_seed). Returns a new batch in [0, 1], channels-last.
torch::Tensor augment_batch(const torch::Tensor& batch, const AugmentConfig& config, const torch::Tensor& lab_leaf,
                            const torch::Tensor& backgrounds);

// Where a lab photo's leaf is: saturated, not dark pixels, holes closed (diseased spots are often
// brown or grey), edges softened. float [B, 1, H, W] in [0, 1].
torch::Tensor lab_leaf_mask(const torch::Tensor& batch);

// JPEG's lossy step on [B, 3, H, W] in [0, 1] (H, W multiples of 16): YCbCr, 4:2:0 chroma, 8x8 DCT
// quantised with the standard tables scaled to quality[b] (1..100). Entropy coding is lossless.
torch::Tensor jpeg_quantize(const torch::Tensor& batch, const torch::Tensor& quality);

}  // namespace leafcheck::train
