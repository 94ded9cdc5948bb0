// make-fuzz-seeds: writes the seed corpora of the fuzz targets, generated here rather than copied
// from real photos or the shipped model so that a fresh clone can fuzz on its own.
//   OUT/loader/*.lcm-body  small models of the seed architecture, f32 and f16, without their
//                          CRC-32 (fuzz_model_loader appends it)
//   OUT/image/*.png|jpg    tiny PNGs (grey, grey+alpha, RGB, RGBA) and JPEGs, some with an EXIF
//                          orientation in either byte order
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "file_io.h"
#include "model.h"
#include "random_model.h"
#include "support/image_fixtures.h"

namespace fs = std::filesystem;
using namespace leafcheck;
using namespace leafcheck::fixtures;

namespace {

void write(const fs::path& path, const std::vector<uint8_t>& bytes) {
  fs::create_directories(path.parent_path());
  write_file_atomically(path, bytes);
}

std::vector<uint8_t> without_checksum(std::vector<uint8_t> file) {
  file.resize(file.size() - 4);
  return file;
}

void write_models(const fs::path& dir) {
  const std::vector<std::string> labels = {"Apple___Apple_scab", "Tomato___healthy", "Background_without_leaves"};
  // Small enough that libFuzzer's mutations touch every field often; the same layer kinds as the app's model.
  const Architecture tiny{16, {4, 8}, 8}, single{8, {2}, 4};
  int n = 0;
  for (const Architecture& arch : {tiny, single}) {
    for (const DType dtype : {DType::F32, DType::F16}) {
      ModelSpec spec = make_random_model(labels, 7 + n, arch);
      set_weight_dtype(spec, dtype);
      write(dir / ("model-" + std::to_string(n++) + ".lcm-body"), without_checksum(serialize_model(spec)));
    }
  }
  // A standalone ReLU and no metadata: the paths the seed architecture never takes.
  ModelSpec spec = make_random_model(labels, 11, single);
  spec.metadata_json.clear();
  spec.layers.insert(spec.layers.end() - 1, Layer{LayerKind::Relu, false, {}, {}});
  write(dir / "model-relu.lcm-body", without_checksum(serialize_model(spec)));
}

void write_images(const fs::path& dir) {
  const RgbImage photo = random_image(13, 9, 3);
  for (int channels = 1; channels <= 4; ++channels) {
    const int w = 5 + channels, h = 7;
    std::vector<uint8_t> pixels(static_cast<size_t>(w) * h * channels);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 37);
    write(dir / ("channels-" + std::to_string(channels) + ".png"), encode_png(pixels, w, h, channels));
  }
  write(dir / "one-pixel.png", encode_png(solid_image(1, 1, 40, 160, 60)));
  write(dir / "sliver.png", encode_png(solid_image(40, 1, 40, 160, 60)));
  for (const int quality : {40, 90, 100}) {
    write(dir / ("quality-" + std::to_string(quality) + ".jpg"), encode_jpeg(photo, quality));
  }
  const std::vector<uint8_t> jpeg = encode_jpeg(random_image(8, 8, 5), 75);
  for (const bool little : {true, false}) {
    for (const uint16_t orientation : {3, 6, 8}) {
      write(dir / ("exif-" + std::string(little ? "ii-" : "mm-") + std::to_string(orientation) + ".jpg"),
            with_app1(jpeg, exif_payload(little, orientation)));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make-fuzz-seeds OUT_DIR\n");
    return 2;
  }
  try {
    write_models(fs::path(argv[1]) / "loader");
    write_images(fs::path(argv[1]) / "image");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make-fuzz-seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
