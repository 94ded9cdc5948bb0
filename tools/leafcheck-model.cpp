// leafcheck-model: looks inside a model file and converts its weight storage.
//   leafcheck-model info FILE                           labels, layers, metadata, sizes
//   leafcheck-model convert --dtype f16|f32 IN OUT      re-encode the weights (model/FORMAT.md)
//   leafcheck-model quantize --calibration DIR [--images N] IN OUT   int8 model (format version 2)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "file_io.h"
#include "model.h"
#include "quantize.h"

namespace {

using leafcheck::DType;
using leafcheck::LayerKind;
using leafcheck::ModelSpec;

const char* kUsage =
    "usage: leafcheck-model info FILE\n"
    "       leafcheck-model convert --dtype f16|f32 IN OUT\n"
    "       leafcheck-model quantize --calibration DIR [--images N] IN OUT\n"
    "  info      prints the input, labels, layers and metadata of a model file\n"
    "  convert   rewrites the weights as f16 (half the bytes) or f32; an int8 model's as q x scale\n"
    "  quantize  writes an int8 model: channels equalized between layers, per-channel int8\n"
    "            weights, int8 activations whose scales are calibrated on N (default 512)\n"
    "            training-split photos spread evenly over DIR (deterministic). DIR: a data folder\n"
    "            like ../shared/data (its plantvillage/, background_without_leaves/ and\n"
    "            plantdoc_field/, as training reads them) or one PlantVillage-layout folder\n";

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A model file's bytes and the model they hold; errors name the file.
struct LoadedModel {
  std::vector<uint8_t> bytes;
  ModelSpec spec;
};

LoadedModel load_file(const std::string& path) {
  try {
    std::vector<uint8_t> bytes = leafcheck::read_file(path);
    ModelSpec spec = leafcheck::parse_model(bytes);
    return {std::move(bytes), std::move(spec)};
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

ModelSpec load(const std::string& path) { return load_file(path).spec; }

const char* kind_name(LayerKind kind) {
  switch (kind) {
    case LayerKind::Conv3x3: return "conv3x3";
    case LayerKind::MaxPool2x2: return "maxpool2x2";
    case LayerKind::GlobalAvgPool: return "global_avg_pool";
    case LayerKind::Linear: return "linear";
    case LayerKind::Relu: return "relu";
  }
  return "?";
}

std::string shape_text(const std::vector<uint32_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

int info(const std::string& path) {
  const ModelSpec spec = load(path);
  std::printf("%s\n  input %ux%ux%u, mean [%g, %g, %g], stddev [%g, %g, %g]\n", path.c_str(), spec.input_height,
              spec.input_width, spec.input_channels, spec.mean[0], spec.mean[1], spec.mean[2], spec.stddev[0],
              spec.stddev[1], spec.stddev[2]);
  size_t parameters = 0;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const auto& layer = spec.layers[i];
    std::printf("  layer %2zu %-16s", i + 1, kind_name(layer.kind));
    if (!layer.weight.shape.empty()) {
      std::printf(" weight %s bias %s %s", shape_text(layer.weight.shape).c_str(), shape_text(layer.bias.shape).c_str(),
                  layer.weight.dtype == DType::F16 ? "f16" : layer.weight.dtype == DType::Qs8 ? "int8" : "f32");
      if (layer.weight.dtype == DType::Qs8) std::printf(" input scale %g", layer.input_scale);
      parameters += layer.weight.element_count() + layer.bias.data.size();
    }
    std::printf("%s\n", layer.fused_relu ? " +relu" : "");
  }
  std::printf("  %zu parameters, %zu labels:\n", parameters, spec.labels.size());
  for (const std::string& label : spec.labels) std::printf("    %s\n", label.c_str());
  std::printf("  metadata: %s\n", spec.metadata_json.c_str());
  return 0;
}

int convert(std::string_view dtype_name, const std::string& in, const std::string& out) {
  DType dtype;
  if (dtype_name == "f16") {
    dtype = DType::F16;
  } else if (dtype_name == "f32") {
    dtype = DType::F32;
  } else {
    throw UsageError("--dtype must be f16 or f32, not '" + std::string(dtype_name) + "'");
  }
  ModelSpec spec = load(in);
  // An int8 file becomes the f32 model it stands for (what the threaded and no-SIMD engines run), so
  // the yardsticks can run the weights the app ships; the original f32 weights are not in it.
  const bool from_int8 = leafcheck::is_quantized(spec);
  if (from_int8) spec = leafcheck::dequantized(spec);
  leafcheck::set_weight_dtype(spec, dtype);
  const auto bytes = leafcheck::serialize_model(spec);
  leafcheck::write_file_atomically(out, bytes);
  std::printf("wrote %s: %zu bytes, weights as %s%s\n", out.c_str(), bytes.size(), std::string(dtype_name).c_str(),
              from_int8 ? " (the int8 weights dequantized: q x scale)" : "");
  return 0;
}

// Notes the quantization in the metadata's JSON object, so `info` and the app's "about" say it, with
// the checksum of the file it was quantized from (its last 4 bytes), so a check can tell an int8 file
// left behind by a retrained model. An existing "weights" entry (f32/f16, written by the exporter) is
// rewritten: JSON keys must stay unique.
std::string with_quantization_note(std::string metadata, size_t images, std::span<const uint8_t> source) {
  const std::string key = "\"weights\":\"";
  if (const size_t at = metadata.find(key); at != std::string::npos) {
    const size_t value = at + key.size();
    const size_t end = metadata.find('"', value);
    if (end != std::string::npos) metadata.replace(value, end - value, "int8");
  }
  uint32_t checksum = 0;
  for (size_t i = 0; i < 4; ++i) checksum |= uint32_t{source[source.size() - 4 + i]} << (8 * i);
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08x", checksum);
  std::string note = "\"calibration_images\":" + std::to_string(images) + ",\"quantized_from_crc32\":\"" + crc + "\"";
  if (metadata.find(key) == std::string::npos) note = key + "int8\"," + note;
  const size_t close = metadata.find_last_of('}');
  if (close == std::string::npos) return "{" + note + "}";
  const bool empty_object = metadata.find_first_not_of(" \t\r\n", metadata.find('{') + 1) == close;
  return metadata.substr(0, close) + (empty_object ? "" : ",") + note + metadata.substr(close);
}

int quantize(int argc, char** argv) {
  std::string calibration;
  size_t images = 512;
  std::vector<std::string> files;
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if ((arg == "--calibration" || arg == "--images") && i + 1 >= argc) throw UsageError(std::string(arg) + " needs a value");
    if (arg == "--calibration") {
      calibration = argv[++i];
    } else if (arg == "--images") {
      char* end = nullptr;
      images = std::strtoul(argv[++i], &end, 10);
      if (*end != '\0' || images == 0) throw UsageError("--images needs a positive integer");
    } else {
      files.emplace_back(arg);
    }
  }
  if (calibration.empty() || files.size() != 2) throw UsageError("quantize needs --calibration DIR, IN and OUT");
  const LoadedModel source = load_file(files[0]);
  const auto inputs = leafcheck::calibration_inputs(source.spec, calibration, images);
  ModelSpec quantized = leafcheck::quantize_model(source.spec, inputs);
  quantized.metadata_json = with_quantization_note(source.spec.metadata_json, inputs.size(), source.bytes);
  const auto bytes = leafcheck::serialize_model(quantized);
  leafcheck::write_file_atomically(files[1], bytes);
  std::printf("wrote %s: %zu bytes, int8 weights and activations, calibrated on %zu training images of %s\n",
              files[1].c_str(), bytes.size(), inputs.size(), calibration.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string_view command = argc > 1 ? argv[1] : "";
    if (command == "--help" || command == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (command == "info" && argc == 3) return info(argv[2]);
    if (command == "convert" && argc == 6 && std::string_view(argv[2]) == "--dtype") {
      return convert(argv[3], argv[4], argv[5]);
    }
    if (command == "quantize") return quantize(argc, argv);
    throw UsageError(command.empty() ? "no command given" : "cannot understand these arguments");
  } catch (const UsageError& e) {
    std::fprintf(stderr, "leafcheck-model: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "leafcheck-model: %s\n", e.what());
    return 1;
  }
}
