// Augmentation and sampling: shapes and ranges, the lab-leaf mask, JPEG quantisation against its
// limits, which images get a new background, and the epoch's sampling weights. With
// LEAFCHECK_AUGMENT_PREVIEW=file.png it also writes a grid of real photos (../shared) and their
// augmented copies, to look at.
#include <torch/torch.h>  // first: its c10 logging defines a CHECK that would replace doctest's

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

#include <cstdlib>

#include "augment.h"
#include "dataset.h"
#include "device_images.h"
#include "image_cache.h"
#include "normalization.h"
#include "sampling.h"

using namespace leafcheck;
using namespace leafcheck::train;

namespace {

// A green disc (radius 40) on a plain grey background, like a PlantVillage lab photo: [1, 3, 128, 128].
torch::Tensor lab_like_photo() {
  const auto ys = torch::arange(128).view({128, 1}).to(torch::kFloat32) - 63.5;
  const auto xs = torch::arange(128).view({1, 128}).to(torch::kFloat32) - 63.5;
  const auto leaf = (ys * ys + xs * xs < 40.0 * 40.0).to(torch::kFloat32);
  const auto r = 0.55 - 0.35 * leaf, g = 0.55 + 0.1 * leaf, b = 0.55 - 0.4 * leaf;
  return torch::stack({r, g, b}).unsqueeze(0);
}

}  // namespace

TEST_CASE("the lab-leaf mask covers the leaf and not the grey background") {
  const auto mask = lab_leaf_mask(lab_like_photo());
  CHECK(mask.sizes() == torch::IntArrayRef({1, 1, 128, 128}));
  CHECK(mask[0][0][64][64].item<float>() > 0.99f);
  CHECK(mask[0][0][64][100].item<float>() > 0.99f);  // inside, near the edge (radius 40)
  CHECK(mask[0][0][5][5].item<float>() < 0.01f);
  CHECK(mask[0][0][64][120].item<float>() < 0.01f);
}

TEST_CASE("field_style 0 leaves every image clean but for the geometry; 1 changes them") {
  torch::manual_seed(5);
  AugmentConfig c = strong_augment();
  c.flips = c.rotate90 = false;
  c.max_rotation_degrees = 0;
  c.min_crop_area = 1;
  c.max_aspect_change = 0;
  c.cutout = 0;
  const auto photos = lab_like_photo().repeat({8, 1, 1, 1});
  const auto lab = torch::ones({8}, torch::kBool);
  const auto backgrounds = torch::rand({4, 3, 128, 128});
  c.field_style = 0;
  CHECK((augment_batch(photos, c, lab, backgrounds) - photos).abs().max().item<float>() < 1e-4f);
  c.field_style = 1;
  const auto styled = augment_batch(photos, c, lab, backgrounds);
  CHECK((styled - photos).abs().mean({1, 2, 3}).min().item<float>() > 1e-3f);  // each image changed
}

TEST_CASE("JPEG quantisation: quality 100 keeps the photo, quality 10 changes it") {
  torch::manual_seed(3);
  // Texture in brightness only: 4:2:0 keeps brightness at full resolution and halves colour detail.
  const auto photo = (lab_like_photo() + torch::rand({1, 1, 128, 128}) * 0.2).clamp(0, 1);
  const auto both = torch::cat({photo, photo});
  const auto out = jpeg_quantize(both, torch::tensor({100.0f, 10.0f}));
  CHECK(out.sizes() == both.sizes());
  CHECK((out[0] - photo[0]).abs().mean().item<float>() < 0.02f);  // 4:2:0 chroma and rounding only
  CHECK((out[1] - photo[0]).abs().mean().item<float>() > 0.02f);
  CHECK(out.min().item<float>() >= 0.0f);
  CHECK(out.max().item<float>() <= 1.0f);
}

TEST_CASE("weak augmentation only flips and turns a symmetric photo: pixels stay where a turn puts them") {
  torch::manual_seed(5);
  const auto photo = lab_like_photo().repeat({4, 1, 1, 1});
  AugmentConfig weak = weak_augment();
  weak.min_crop_area = 1.0f;
  weak.max_aspect_change = 0.0f;
  const auto out = augment_batch(photo, weak, torch::zeros({4}, torch::kBool), torch::Tensor());
  CHECK((out - photo).abs().max().item<float>() < 1e-4f);  // the disc is symmetric under every flip and turn
}

TEST_CASE("only lab leaves get a new background, and the full pipeline keeps shape and range") {
  torch::manual_seed(7);
  const auto photo = lab_like_photo().repeat({8, 1, 1, 1});
  const auto red_wall = torch::zeros({2, 3, 128, 128});
  red_wall.select(1, 0).fill_(1.0f);
  AugmentConfig paste_only = weak_augment();
  paste_only.flips = paste_only.rotate90 = false;
  paste_only.min_crop_area = 1.0f;
  paste_only.max_aspect_change = 0.0f;
  paste_only.background = 1.0f;
  auto lab_leaf = torch::tensor({1, 1, 1, 1, 0, 0, 0, 0}).to(torch::kBool);
  const auto out = augment_batch(photo, paste_only, lab_leaf, red_wall);
  for (int i = 0; i < 8; ++i) {
    const float corner_red = out[i][0][3][3].item<float>();
    if (i < 4) CHECK(corner_red > 0.55f);  // the red wall, dimmed or brightened by at most 0.6..1.2
    else CHECK(corner_red == doctest::Approx(0.55f).epsilon(1e-3));
    CHECK(out[i][1][64][64].item<float>() == doctest::Approx(0.65f).epsilon(1e-3));  // the leaf itself stays
  }
  AugmentConfig strong = strong_augment();
  const auto heavy = augment_batch(photo, strong, lab_leaf, red_wall);
  CHECK(heavy.sizes() == photo.sizes());
  CHECK(heavy.min().item<float>() >= 0.0f);
  CHECK(heavy.max().item<float>() <= 1.0f);
  CHECK((heavy - photo).abs().mean().item<float>() > 0.01f);
}

TEST_CASE("sampling weights: field crops count more, and small classes are drawn more than their share") {
  ImageSet images;
  images.sources = {Source::Lab, Source::Lab, Source::Lab, Source::Lab, Source::Lab, Source::Field};
  const std::vector<Example> examples = {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 1}, {5, 1}};
  const auto w = sampling_weights(images, examples, {3.0, 0.5});
  // class 0: 4 lab photos, weight 1/sqrt(4) each; class 1: 1 lab + 1 field (3): totals 4, 1/sqrt(4), 3/sqrt(4)
  CHECK(w[0].item<double>() == doctest::Approx(0.5));
  CHECK(w[4].item<double>() == doctest::Approx(0.5));
  CHECK(w[5].item<double>() == doctest::Approx(1.5));
  const auto plain = sampling_weights(images, examples, {1.0, 0.0});
  CHECK(plain.sum().item<double>() == doctest::Approx(6.0));
  torch::manual_seed(1);
  CHECK(draw_epoch(w).size(0) == 6);
}

TEST_CASE("augmentation preview of real photos (only with LEAFCHECK_AUGMENT_PREVIEW)") {
  const char* preview = std::getenv("LEAFCHECK_AUGMENT_PREVIEW");
  const auto shared = find_shared_data_dir();
  if (!preview || !shared) return;
  Dataset data = scan_dataset(*shared / "plantvillage");
  ImageSet images = load_dataset_images(data, 128, 1);
  append_images(images, load_not_leaf_images(*shared / "background_without_leaves", 38, 128, 40));
  for (auto& s : images.splits) s = Split::Train;
  const DeviceImages device = to_device(images, torch::kCPU);
  torch::manual_seed(11);
  const auto pick = torch::arange(0, 8);
  const auto original = device.unit_batch(pick);
  const auto augmented = augment_batch(original, AugmentConfig{}, device.lab_leaf.index_select(0, pick), device.backgrounds);
  const auto strong = augment_batch(original, strong_augment(), device.lab_leaf.index_select(0, pick), device.backgrounds);
  const auto grid = torch::cat({torch::cat(original.unbind(0), 2), torch::cat(augmented.unbind(0), 2),
                                torch::cat(strong.unbind(0), 2)}, 1);  // [3, 384, 1024]
  const auto bytes = (grid.permute({1, 2, 0}).contiguous() * 255).round().clamp(0, 255).to(torch::kUInt8);
  REQUIRE(stbi_write_png(preview, 1024, 384, 3, bytes.data_ptr<uint8_t>(), 1024 * 3));
}
