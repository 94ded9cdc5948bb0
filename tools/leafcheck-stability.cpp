// leafcheck-stability: how still a model holds when a photo changes by one level here and there, and
// how often its top-1 agrees with a reference model's. For each test-split photo of a PlantVillage-layout
// folder (centre crop to the model input, as the CLI does), every model classifies the photo and a copy
// with one level added to or taken from a fraction of its values (the same copy for every model), and
// the tool counts the top-1 answers that change. For an int8 model it also runs the f32 kernels on its
// weights (q x scale) with chosen layer inputs rounded to chosen steps ("fake-quant"), to tell which
// rounding makes the int8 network tip (wasm/README.md, "int8 models"). A measurement: asserts nothing.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dataset.h"
#include "file_io.h"
#include "float_runner.h"
#include "image.h"
#include "model.h"
#include "network.h"

namespace {

using namespace leafcheck;

const char* kUsage =
    "usage: leafcheck-stability --reference FILE [--noise FRACTION] [--images N] DATA MODEL...\n"
    "  DATA          a PlantVillage-layout folder; its test split is used\n"
    "  MODEL         model files to measure (the reference is measured too)\n"
    "  --reference   the model whose top-1 the others are compared with (e.g. the f32 file)\n"
    "  --noise       the fraction of pixel values moved by one level, default 0.1\n"
    "  --images      at most N photos, spread evenly over the split (default: all)\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One row of the table: something that maps an input to logits.
struct Row {
  std::string model, arithmetic;
  std::function<std::vector<float>(std::span<const float>)> logits;
  size_t changes = 0, agree = 0;
};

size_t argmax(std::span<const float> v) { return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin()); }

// The f32 kernels on an int8 model's weights, the inputs of the layers `rounded` picks rounded to
// `levels` steps each side of 0 over the layer's calibrated range (127: the int8 engine's steps).
void add_fake_quant_rows(std::vector<Row>& rows, const std::string& name, const ModelSpec& spec) {
  auto runner = std::make_shared<FloatRunner>(spec);
  std::vector<size_t> weighted;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    if (spec.layers[i].input_scale > 0.0f) weighted.push_back(i);
  }
  const auto add = [&](const std::string& what, float levels, std::function<bool(size_t nth, const Layer&)> rounded) {
    std::vector<float> steps(spec.layers.size(), 0.0f);
    for (size_t n = 0; n < weighted.size(); ++n) {
      const Layer& layer = spec.layers[weighted[n]];
      if (rounded(n, layer)) steps[weighted[n]] = layer.input_scale * 127.0f / levels;
    }
    rows.push_back({name, "fake-quant: " + what, [runner, steps, levels](std::span<const float> input) {
                      return runner->run(input, [&](size_t layer, std::vector<float>& x, size_t) {
                        if (steps[layer] == 0.0f) return;
                        for (float& v : x) v = std::nearbyint(std::clamp(v / steps[layer], -levels, levels)) * steps[layer];
                      });
                    }});
  };
  const auto all = [](size_t, const Layer&) { return true; };
  add("weights only", 127.0f, [](size_t, const Layer&) { return false; });
  add("every layer's input, 127 levels", 127.0f, all);
  add("every layer's input, 511 levels", 511.0f, all);
  add("every layer's input, 2047 levels", 2047.0f, all);
  add("the picture only", 127.0f, [](size_t n, const Layer&) { return n == 0; });
  add("conv inputs after the first", 127.0f, [](size_t n, const Layer& l) { return n > 0 && l.kind == LayerKind::Conv3x3; });
  add("the linears' inputs", 127.0f, [](size_t, const Layer& l) { return l.kind == LayerKind::Linear; });
}

int run(int argc, char** argv) {
  std::string reference_path;
  double noise = 0.1;
  size_t max_images = 0;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") throw UsageError("");
    if (arg == "--reference") reference_path = value();
    else if (arg == "--noise") noise = std::atof(value().c_str());
    else if (arg == "--images") max_images = std::strtoul(value().c_str(), nullptr, 10);
    else paths.emplace_back(arg);
  }
  if (reference_path.empty() || paths.size() < 2) throw UsageError("needs --reference FILE, DATA and at least one MODEL");
  if (!(noise > 0.0 && noise <= 1.0)) throw UsageError("--noise takes a fraction in (0, 1]");

  const std::string data = paths.front();
  std::vector<std::string> models(paths.begin() + 1, paths.end());
  models.insert(models.begin(), reference_path);  // row 0: the reference itself

  const ModelSpec reference = parse_model(read_file(reference_path));
  std::vector<Row> rows;
  std::vector<std::unique_ptr<Network>> networks;
  for (const std::string& path : models) {
    const ModelSpec spec = parse_model(read_file(path));
    if (spec.input_width != reference.input_width || spec.input_height != reference.input_height ||
        spec.labels != reference.labels) {
      throw std::runtime_error(path + ": not the reference's input size and labels");
    }
    networks.push_back(std::make_unique<Network>(spec));
    Network* network = networks.back().get();
    rows.push_back({path, network->int8() ? "int8 kernels (the engine)" : "f32 (the engine)",
                    [network](std::span<const float> in) { const auto out = network->forward(in); return std::vector<float>(out.begin(), out.end()); }});
    if (is_quantized(spec)) add_fake_quant_rows(rows, path, spec);
  }

  std::vector<std::filesystem::path> photos;
  for (const DatasetItem& item : scan_dataset(data).items) {
    if (item.split == Split::Test) photos.push_back(item.path);
  }
  if (max_images > 0 && photos.size() > max_images) {
    std::vector<std::filesystem::path> spread;
    for (size_t i = 0; i < max_images; ++i) spread.push_back(photos[i * photos.size() / max_images]);
    photos = std::move(spread);
  }
  if (photos.empty()) throw std::runtime_error(data + ": no test-split photos");

  std::mt19937 rng(1);
  std::bernoulli_distribution moved(noise);
  const int w = static_cast<int>(reference.input_width), h = static_cast<int>(reference.input_height);
  std::vector<float> a(size_t{reference.input_height} * reference.input_width * reference.input_channels), b(a.size());
  for (const auto& photo : photos) {
    const RgbImage image = center_crop_resize(decode_image(read_file(photo)), w, h);
    RgbImage changed = image;
    for (uint8_t& p : changed.pixels) {
      if (moved(rng)) p = static_cast<uint8_t>(std::clamp(p + (rng() % 2 ? 1 : -1), 0, 255));
    }
    normalize_to_nhwc(image, reference.mean, reference.stddev, a);
    normalize_to_nhwc(changed, reference.mean, reference.stddev, b);
    std::vector<size_t> tops;
    for (const Row& row : rows) tops.push_back(argmax(row.logits(a)));
    for (size_t r = 0; r < rows.size(); ++r) {
      rows[r].changes += tops[r] != argmax(rows[r].logits(b));
      rows[r].agree += tops[r] == tops[0];  // row 0: the reference
    }
  }
  std::printf("%zu test photos of %s; one level added to or taken from %.0f%% of each one's values\n\n", photos.size(),
              data.c_str(), noise * 100.0);
  std::printf("| model | arithmetic | top-1 changes | top-1 agrees with %s |\n| --- | --- | ---: | ---: |\n",
              reference_path.c_str());
  for (const Row& row : rows) std::printf("| %s | %s | %zu | %zu |\n", row.model.c_str(), row.arithmetic.c_str(), row.changes, row.agree);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const UsageError& e) {
    if (std::string_view(e.what()).empty()) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    std::fprintf(stderr, "leafcheck-stability: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "leafcheck-stability: %s\n", e.what());
    return 2;
  }
}
