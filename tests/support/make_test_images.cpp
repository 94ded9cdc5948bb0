// Writes the tiny generated image tree the CLI tests run on (never real photos):
//   OUT/dataset/<class>/img_NN.png|jpg   PlantVillage layout: three classes the first-3-label random model
//                                        knows, one it does not
//   OUT/broken/garbled.jpg, truncated.png  files that must fail to decode
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "image_fixtures.h"

namespace fs = std::filesystem;
using namespace leafcheck::fixtures;

namespace {

void write(const fs::path& path, const std::vector<uint8_t>& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_test_images OUT_DIR\n");
    return 2;
  }
  const fs::path out = argv[1];
  const std::vector<std::string> classes = {"Apple___Apple_scab", "Apple___Black_rot", "Apple___Cedar_apple_rust",
                                            "Not_a_PlantVillage_class"};
  uint32_t seed = 1;
  for (const std::string& name : classes) {
    for (int i = 0; i < 20; ++i) {
      // Mixed sizes and formats, so the crop and both decoders are exercised.
      const leafcheck::RgbImage image = random_image(24 + 4 * (i % 5), 32 - 2 * (i % 3), seed++);
      char file[32];
      std::snprintf(file, sizeof file, "img_%02d.%s", i, i % 2 ? "jpg" : "png");
      write(out / "dataset" / name / file, i % 2 ? encode_jpeg(image, 90) : encode_png(image));
    }
  }
  write(out / "broken" / "garbled.jpg", {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 2, 3});
  std::vector<uint8_t> png = encode_png(random_image(16, 16, 99));
  png.resize(png.size() / 2);
  write(out / "broken" / "truncated.png", png);
  return 0;
}
