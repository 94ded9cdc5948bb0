// The model file format (model/FORMAT.md): round trips, each kind of bad file, and fuzzing.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>

#include "half.h"
#include "model.h"
#include "plantvillage.h"
#include "random_model.h"

using namespace leafcheck;

namespace {

// Bit by bit from the definition (reflected 0xEDB88320): an independent twin of the loader's
// table-driven CRC-32, used to check it and to re-seal mutated files.
uint32_t reference_crc32(std::span<const uint8_t> bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

uint32_t get_u32(const std::vector<uint8_t>& file, size_t at) {
  return uint32_t{file[at]} | uint32_t{file[at + 1]} << 8 | uint32_t{file[at + 2]} << 16 | uint32_t{file[at + 3]} << 24;
}

void set_u32(std::vector<uint8_t>& file, size_t at, uint32_t value) {
  for (size_t i = 0; i < 4; ++i) file[at + i] = static_cast<uint8_t>(value >> (8 * i));
}

// Rewrites the trailing checksum so the file reaches the structural checks.
void reseal(std::vector<uint8_t>& file) {
  const size_t body = file.size() - 4;
  set_u32(file, body, reference_crc32(std::span(file).first(body)));
}

// The first body_length bytes of the file's body, then a valid checksum of them.
std::vector<uint8_t> truncate_and_reseal(const std::vector<uint8_t>& file, size_t body_length) {
  std::vector<uint8_t> out(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(body_length));
  out.resize(body_length + 4);
  reseal(out);
  return out;
}

// A file encoded field by field as model/FORMAT.md describes, without any validation, so tests
// can build files a correct writer refuses; offsets of interest are kept for patching.
struct EncodedFile {
  std::vector<uint8_t> bytes;
  size_t label_count_at = 0;
  size_t metadata_length_at = 0;
  size_t layer_count_at = 0;
  std::vector<size_t> layer_at;  // where each layer record starts (its kind byte)
};

EncodedFile encode_unchecked(const ModelSpec& spec) {
  EncodedFile file;
  std::vector<uint8_t>& b = file.bytes;
  const auto put = [&b](uint64_t value, int byte_count) {
    for (int i = 0; i < byte_count; ++i) b.push_back(static_cast<uint8_t>(value >> (8 * i)));
  };
  const auto put_floats = [&put](const std::vector<float>& values) {
    for (float v : values) put(std::bit_cast<uint32_t>(v), 4);
  };
  const auto put_text = [&b](std::string_view text) {
    for (char c : text) b.push_back(static_cast<uint8_t>(c));
  };

  put_text(std::string_view("LEAFCHK\0", 8));
  put(1, 4);
  put(0, 4);
  put(spec.input_height, 4);
  put(spec.input_width, 4);
  put(spec.input_channels, 4);
  put_floats(spec.mean);
  put_floats(spec.stddev);
  file.label_count_at = b.size();
  put(spec.labels.size(), 4);
  for (const std::string& label : spec.labels) {
    put(label.size(), 2);
    put_text(label);
  }
  file.metadata_length_at = b.size();
  put(spec.metadata_json.size(), 4);
  put_text(spec.metadata_json);
  file.layer_count_at = b.size();
  put(spec.layers.size(), 4);
  for (const Layer& layer : spec.layers) {
    file.layer_at.push_back(b.size());
    put(static_cast<uint8_t>(layer.kind), 1);
    put(layer.fused_relu, 1);
    for (const Tensor* tensor : {&layer.weight, &layer.bias}) {
      if (tensor->shape.empty()) continue;
      put(static_cast<uint8_t>(tensor->dtype), 1);
      put(tensor->shape.size(), 1);
      for (uint32_t d : tensor->shape) put(d, 4);
      put_floats(tensor->data);
    }
  }
  put(reference_crc32(b), 4);
  return file;
}

std::vector<std::string> first_labels(size_t count) {
  const auto& all = plantvillage_labels();
  return {all.begin(), all.begin() + static_cast<std::ptrdiff_t>(count)};
}

// 6x6x3 -> conv(2)+relu -> pool -> conv(3)+relu -> pool -> gap -> linear(4)+relu -> linear(3).
// Layer 1's weight is [2, 3, 3, 3]: 54 values, 216 bytes.
ModelSpec small_model(uint64_t seed = 7) {
  return make_random_model(first_labels(3), seed, Architecture{.input_size = 6, .conv_channels = {2, 3}, .hidden = 4});
}

Layer layer_of(LayerKind kind) {
  Layer layer;
  layer.kind = kind;
  return layer;
}

size_t element_count_of(std::vector<uint32_t> shape) {
  Tensor tensor;
  tensor.shape = std::move(shape);
  return tensor.element_count();
}

std::string error_of(std::span<const uint8_t> bytes) {
  try {
    parse_model(bytes);
  } catch (const ModelError& e) {
    return e.what();
  }
  return "(parsed without error)";
}

std::string error_of_spec(const ModelSpec& spec) { return error_of(encode_unchecked(spec).bytes); }

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

void check_same(const ModelSpec& a, const ModelSpec& b) {
  CHECK(a.input_height == b.input_height);
  CHECK(a.input_width == b.input_width);
  CHECK(a.input_channels == b.input_channels);
  CHECK(same_bits(a.mean, b.mean));
  CHECK(same_bits(a.stddev, b.stddev));
  CHECK(a.labels == b.labels);
  CHECK(a.metadata_json == b.metadata_json);
  REQUIRE(a.layers.size() == b.layers.size());
  for (size_t i = 0; i < a.layers.size(); ++i) {
    CAPTURE(i);
    const Layer &x = a.layers[i], &y = b.layers[i];
    CHECK(x.kind == y.kind);
    CHECK(x.fused_relu == y.fused_relu);
    CHECK(x.weight.dtype == y.weight.dtype);
    CHECK(x.weight.shape == y.weight.shape);
    CHECK(same_bits(x.weight.data, y.weight.data));
    CHECK(x.bias.dtype == y.bias.dtype);
    CHECK(x.bias.shape == y.bias.shape);
    CHECK(same_bits(x.bias.data, y.bias.data));
    CHECK(x.weight.quantized == y.weight.quantized);
    CHECK(same_bits(x.weight.scales, y.weight.scales));
    CHECK(std::bit_cast<uint32_t>(x.input_scale) == std::bit_cast<uint32_t>(y.input_scale));
  }
}

}  // namespace

TEST_CASE("the checksum is the zlib CRC-32 of everything before it") {
  const std::string_view check = "123456789";
  CHECK(reference_crc32(std::span(reinterpret_cast<const uint8_t*>(check.data()), check.size())) == 0xCBF43926u);
  const auto file = serialize_model(small_model());
  CHECK(get_u32(file, file.size() - 4) == reference_crc32(std::span(file).first(file.size() - 4)));
}

TEST_CASE("the checksum is right whatever the body's length modulo the CRC's four-byte words") {
  ModelSpec spec = small_model();
  for (size_t extra = 0; extra < 8; ++extra) {
    spec.metadata_json = std::string(extra, 'x');
    const auto file = serialize_model(spec);
    CAPTURE(file.size());
    CHECK(get_u32(file, file.size() - 4) == reference_crc32(std::span(file).first(file.size() - 4)));
    CHECK_NOTHROW(parse_model(file));
  }
}

TEST_CASE("the writer lays out fields exactly as FORMAT.md describes") {
  const ModelSpec spec = small_model();
  const auto file = serialize_model(spec);
  CHECK(file == encode_unchecked(spec).bytes);
  CHECK(std::memcmp(file.data(), "LEAFCHK\0", 8) == 0);
  CHECK(get_u32(file, 8) == 1);   // version
  CHECK(get_u32(file, 12) == 0);  // flags
  CHECK(get_u32(file, 16) == 6);
  CHECK(get_u32(file, 20) == 6);
  CHECK(get_u32(file, 24) == 3);
}

TEST_CASE("round trip: serialize, parse, serialize gives the identical model and bytes") {
  SUBCASE("small architecture") {
    const ModelSpec spec = small_model();
    const auto bytes = serialize_model(spec);
    const ModelSpec parsed = parse_model(bytes);
    check_same(spec, parsed);
    CHECK(serialize_model(parsed) == bytes);
  }
  SUBCASE("the seed architecture with all 38 PlantVillage labels") {
    const ModelSpec spec = make_random_model(plantvillage_labels(), 42);
    const auto bytes = serialize_model(spec);
    const ModelSpec parsed = parse_model(bytes);
    check_same(spec, parsed);
    CHECK(serialize_model(parsed) == bytes);
  }
  SUBCASE("edge values: empty metadata, standalone relu, odd pooling, negative zero, subnormals") {
    ModelSpec spec =
        make_random_model(first_labels(2), 3, Architecture{.input_size = 5, .conv_channels = {4}, .hidden = 3});
    spec.input_width = 7;
    spec.metadata_json.clear();
    spec.layers.insert(spec.layers.begin() + 1, layer_of(LayerKind::Relu));
    spec.layers.push_back(layer_of(LayerKind::Relu));
    spec.layers[0].weight.data[0] = -0.0f;
    spec.layers[0].weight.data[1] = std::numeric_limits<float>::denorm_min();
    spec.labels[1] = "Tomate — feuille saine (été)";
    const auto bytes = serialize_model(spec);
    const ModelSpec parsed = parse_model(bytes);
    check_same(spec, parsed);
    CHECK(serialize_model(parsed) == bytes);
  }
}

TEST_CASE("Tensor::element_count") {
  CHECK(Tensor{}.element_count() == 0);
  CHECK(element_count_of({2, 3, 3, 3}) == 54);
  CHECK(element_count_of({7}) == 7);
  CHECK(element_count_of({5, 0}) == 0);
  if constexpr (sizeof(size_t) == 8) {
    CHECK_THROWS_AS(element_count_of({65536, 65536, 65536, 65536}), ModelError);
  }
}

TEST_CASE("files that are not model files, or are corrupted, are rejected before anything else") {
  const auto valid = serialize_model(small_model());

  SUBCASE("empty") { CHECK(contains(error_of({}), "not a Leafcheck model file")); }
  SUBCASE("a JPEG") {
    const std::vector<uint8_t> jpeg = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1};
    CHECK(contains(error_of(jpeg), "not a Leafcheck model file"));
  }
  SUBCASE("bad magic with a valid checksum") {
    auto file = valid;
    file[3] = 'X';
    reseal(file);
    CHECK(contains(error_of(file), "not a Leafcheck model file"));
  }
  SUBCASE("shorter than magic, version and checksum") {
    const std::vector<uint8_t> file(valid.begin(), valid.begin() + 12);
    CHECK(contains(error_of(file), "model file is truncated: 12 bytes"));
  }
  SUBCASE("bad checksum: one flipped bit in a weight") {
    auto file = valid;
    file[file.size() - 20] ^= 0x10;
    CHECK(contains(error_of(file), "corrupted or incompletely downloaded"));
  }
  SUBCASE("bad checksum: the stored checksum itself is wrong") {
    auto file = valid;
    set_u32(file, file.size() - 4, get_u32(file, file.size() - 4) ^ 0x80000000u);
    CHECK(contains(error_of(file), "corrupted or incompletely downloaded"));
  }
  SUBCASE("truncated download: the checksum catches it") {
    for (size_t length : {size_t{16}, size_t{40}, valid.size() / 2, valid.size() - 1}) {
      CAPTURE(length);
      const std::vector<uint8_t> file(valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(length));
      CHECK(contains(error_of(file), "corrupted or incompletely downloaded"));
    }
  }
}

TEST_CASE("version and flags") {
  auto file = serialize_model(small_model());
  SUBCASE("a newer version asks for an app update") {
    set_u32(file, 8, 3);
    reseal(file);
    const std::string error = error_of(file);
    CHECK(contains(error, "format version 3"));
    CHECK(contains(error, "update the app"));
  }
  SUBCASE("version 0") {
    set_u32(file, 8, 0);
    reseal(file);
    CHECK(contains(error_of(file), "invalid format version 0"));
  }
  SUBCASE("unknown flags") {
    set_u32(file, 12, 1);
    reseal(file);
    CHECK(contains(error_of(file), "flags field is 1"));
  }
}

TEST_CASE("truncation with a valid checksum names what is missing") {
  const EncodedFile encoded = encode_unchecked(small_model());
  const auto& file = encoded.bytes;
  const size_t weight_data_at = encoded.layer_at[0] + 4 + 16;  // kind, fused_relu, dtype, rank, 4 dims

  CHECK(error_of(truncate_and_reseal(file, 18)) ==
        "model file is truncated: expected 4 more bytes for the input height but only 2 remain; "
        "download the model again");
  CHECK(contains(error_of(truncate_and_reseal(file, 36)), "bytes for the input mean but only 8 remain"));
  CHECK(contains(error_of(truncate_and_reseal(file, encoded.label_count_at + 7)),
                 "expected 9 more bytes for at least 3 labels but only 3 remain"));
  const size_t second_label_text_at = encoded.label_count_at + 4 + 2 + 18 + 2;  // "Apple___Apple_scab" is 18 bytes
  CHECK(contains(error_of(truncate_and_reseal(file, second_label_text_at + 1)),
                 "expected 17 more bytes for label 2 but only 1 remain"));
  CHECK(contains(error_of(truncate_and_reseal(file, encoded.metadata_length_at + 6)),
                 "bytes for the metadata but only 2 remain"));
  CHECK(contains(error_of(truncate_and_reseal(file, encoded.layer_count_at + 4)),
                 "expected 14 more bytes for at least 7 layers but only 0 remain"));
  CHECK(contains(error_of(truncate_and_reseal(file, weight_data_at - 3)),
                 "expected 4 more bytes for layer 1 (conv3x3) weight dimensions but only 1 remain"));
  CHECK(contains(error_of(truncate_and_reseal(file, weight_data_at + 10)),
                 "expected 216 more bytes for layer 1 (conv3x3) weight values but only 10 remain"));
  CHECK(contains(error_of(truncate_and_reseal(file, file.size() - 4 - 1)), "for layer 7 (linear) bias values"));
}

TEST_CASE("forged sizes with a valid checksum are rejected before any allocation") {
  const EncodedFile encoded = encode_unchecked(small_model());
  const size_t weight_dims_at = encoded.layer_at[0] + 4;
  const auto forged = [&](size_t at, uint32_t value) {
    auto file = encoded.bytes;
    set_u32(file, at, value);
    reseal(file);
    return error_of(file);
  };
  CHECK(contains(forged(16, 0xFFFFFFFF), "the input height is 4294967295; it must be 1..4096"));
  CHECK(contains(forged(24, 0), "the input channel count is 0; it must be 1..4096"));
  CHECK(contains(forged(24, 4096), "expected 16384 more bytes for the input mean"));
  CHECK(contains(forged(encoded.label_count_at, 0xFFFFFFFF), "the label count is 4294967295; it must be 1..4096"));
  CHECK(contains(forged(encoded.label_count_at, 4096), "expected 12288 more bytes for at least 4096 labels"));
  // Few enough to pass the minimum-size check: the reader takes the next fields as labels until one breaks a rule.
  CHECK(contains(forged(encoded.label_count_at, 5), "label 5 length in bytes is"));
  CHECK(contains(forged(encoded.metadata_length_at, 0xFFFFFFFF), "metadata length in bytes is 4294967295"));
  CHECK(contains(forged(encoded.metadata_length_at, 65536), "bytes for the metadata"));
  CHECK(contains(forged(encoded.layer_count_at, 0xFFFFFFFF), "the layer count is 4294967295; it must be 1..256"));
  CHECK(contains(forged(encoded.layer_count_at, 0), "the layer count is 0"));
  CHECK(contains(forged(encoded.layer_count_at, 200), "layer 8 kind"));
  CHECK(contains(forged(weight_dims_at, 0xFFFFFFFF), "layer 1 (conv3x3) weight out size is 4294967295"));
  CHECK(contains(forged(weight_dims_at + 4, 0), "layer 1 (conv3x3) weight in size is 0"));
  CHECK(contains(forged(weight_dims_at, 4096), "expected 442368 more bytes for layer 1 (conv3x3) weight values"));
  {
    auto file = encoded.bytes;
    set_u32(file, weight_dims_at, 4096);
    set_u32(file, weight_dims_at + 4, 4096);
    reseal(file);
    CHECK(contains(error_of(file), "expected 603979776 more bytes for layer 1 (conv3x3) weight values"));
  }
  {
    auto file = encoded.bytes;
    const size_t first_label_length_at = encoded.label_count_at + 4;
    file[first_label_length_at] = 0xFF;
    file[first_label_length_at + 1] = 0xFF;
    reseal(file);
    CHECK(contains(error_of(file), "label 1 length in bytes is 65535; it must be 1..256"));
  }
}

TEST_CASE("layer records: kinds, flags, dtypes and ranks") {
  const EncodedFile encoded = encode_unchecked(small_model());
  const size_t conv_at = encoded.layer_at[0];
  const size_t pool_at = encoded.layer_at[1];
  const auto patched = [&](size_t at, uint8_t value) {
    auto file = encoded.bytes;
    file[at] = value;
    reseal(file);
    return error_of(file);
  };
  CHECK(contains(patched(conv_at, 9), "layer 1 has unknown kind 9"));
  CHECK(contains(patched(conv_at, 0), "layer 1 has unknown kind 0"));
  CHECK(contains(patched(conv_at + 1, 2), "layer 1 (conv3x3) has fused_relu 2; it must be 0 or 1"));
  CHECK(contains(patched(pool_at + 1, 1), "layer 2 (maxpool2x2) sets fused_relu"));
  CHECK(contains(patched(conv_at + 2, 2), "int8 weights (dtype 2), which only a version 2 (int8) model file may hold"));
  CHECK(contains(patched(conv_at + 2, 0), "layer 1 (conv3x3) weight has unknown dtype 0"));
  CHECK(contains(patched(conv_at + 3, 3), "layer 1 (conv3x3) weight has rank 3; it must have rank 4"));
  CHECK(contains(patched(conv_at + 3, 255), "has rank 255"));
}

TEST_CASE("tensor shapes must match their layer") {
  ModelSpec spec = small_model();
  SUBCASE("conv kernel that is not 3x3") {
    spec.layers[0].weight.shape = {2, 3, 5, 5};
    spec.layers[0].weight.data.assign(150, 0.1f);
    CHECK(contains(error_of_spec(spec), "weight has shape [2, 3, 5, 5]; a conv3x3 weight must be [out, in, 3, 3]"));
  }
  SUBCASE("bias of the wrong size") {
    spec.layers[0].bias.shape = {3};
    spec.layers[0].bias.data.assign(3, 0.0f);
    CHECK(contains(error_of_spec(spec), "layer 1 (conv3x3) bias has shape [3]; it must be [2]"));
  }
  SUBCASE("linear weight of rank 3") {
    spec.layers[5].weight.shape = {4, 3, 1};
    CHECK(contains(error_of_spec(spec), "layer 6 (linear) weight has rank 3; it must have rank 2"));
  }
  SUBCASE("the writer refuses a tensor whose data does not match its shape") {
    spec.layers[0].weight.data.pop_back();
    CHECK_THROWS_WITH_AS(
        serialize_model(spec),
        "invalid model: layer 1 (conv3x3) weight has shape [2, 3, 3, 3] (54 values) but holds 53 values", ModelError);
  }
  SUBCASE("the writer refuses tensors on a layer without parameters") {
    spec.layers[1].weight = spec.layers[0].weight;
    CHECK_THROWS_WITH_AS(validate_model(spec),
                         "invalid model: layer 2 (maxpool2x2) has a weight or bias tensor; only conv3x3 and linear "
                         "layers have them",
                         ModelError);
  }
}

TEST_CASE("layer shapes must chain from the input to one output per label") {
  ModelSpec spec = small_model();
  SUBCASE("conv input channels differ from the previous output") {
    spec.layers[2].weight.shape[1] = 3;
    spec.layers[2].weight.data.resize(3 * 3 * 9);
    CHECK(contains(error_of_spec(spec),
                   "layer 3 (conv3x3) expects an image with 3 channels but receives an image of 3x3x2"));
  }
  SUBCASE("linear on an image") {
    spec.layers.erase(spec.layers.begin() + 4);  // the global avg pool
    CHECK(contains(error_of_spec(spec),
                   "layer 5 (linear) expects a vector of 3 but receives an image of 1x1x3 "
                   "(a global avg pool must come before it)"));
  }
  SUBCASE("linear input size differs") {
    spec.layers[6].weight.shape[1] = 5;
    spec.layers[6].weight.data.resize(3 * 5);
    CHECK(contains(error_of_spec(spec), "layer 7 (linear) expects a vector of 5 but receives a vector of 4"));
  }
  SUBCASE("pooling an image smaller than 2x2") {
    spec.layers.insert(spec.layers.begin() + 4, layer_of(LayerKind::MaxPool2x2));
    CHECK(contains(error_of_spec(spec),
                   "layer 5 (maxpool2x2) expects an image of at least 2x2 but receives an image of 1x1x3"));
  }
  SUBCASE("conv after global pooling") {
    spec.layers.insert(spec.layers.begin() + 5, spec.layers[2]);
    CHECK(
        contains(error_of_spec(spec), "layer 6 (conv3x3) expects an image with 2 channels but receives a vector of 3"));
  }
  SUBCASE("global pooling twice") {
    spec.layers.insert(spec.layers.begin() + 5, layer_of(LayerKind::GlobalAvgPool));
    CHECK(contains(error_of_spec(spec), "layer 6 (global avg pool) expects an image but receives a vector of 3"));
  }
  SUBCASE("ending with an image") {
    spec.layers.resize(4);
    CHECK(contains(error_of_spec(spec), "the last layer outputs an image of 1x1x3; the model must end with a vector"));
  }
  SUBCASE("label count differs from the output size") {
    spec.labels.push_back("Tomato___healthy");
    CHECK(contains(error_of_spec(spec), "the last layer outputs a vector of 3 but there are 4 labels"));
  }
  SUBCASE("an activation larger than 2^26 values") {
    spec.input_height = spec.input_width = 4096;
    spec.layers[0].weight.shape[0] = 8;
    spec.layers[0].weight.data.resize(8 * 3 * 9);
    spec.layers[0].bias.shape[0] = 8;
    spec.layers[0].bias.data.resize(8);
    CHECK_THROWS_WITH_AS(validate_model(spec),
                         "invalid model: layer 1 (conv3x3) produces an image of 4096x4096x8 (134217728 values); at "
                         "most 67108864 are allowed",
                         ModelError);
  }
}

TEST_CASE("values must be finite and the normalisation sane") {
  ModelSpec spec = small_model();
  SUBCASE("NaN weight") {
    spec.layers[2].weight.data[5] = std::numeric_limits<float>::quiet_NaN();
    CHECK(contains(error_of_spec(spec), "layer 3 (conv3x3) weight holds NaN at element 5"));
    CHECK_THROWS_AS(serialize_model(spec), ModelError);
  }
  SUBCASE("infinite bias") {
    spec.layers[6].bias.data[2] = -std::numeric_limits<float>::infinity();
    CHECK(contains(error_of_spec(spec), "layer 7 (linear) bias holds infinity at element 2"));
  }
  SUBCASE("NaN mean") {
    spec.mean[1] = std::numeric_limits<float>::quiet_NaN();
    CHECK(contains(error_of_spec(spec), "the input mean holds NaN at element 1"));
  }
  SUBCASE("zero stddev") {
    spec.stddev[2] = 0.0f;
    CHECK(contains(error_of_spec(spec), "the input stddev of channel 3 is 0; it must be greater than 0"));
  }
  SUBCASE("a mean per channel") {
    spec.mean.pop_back();
    CHECK_THROWS_WITH_AS(validate_model(spec),
                         "invalid model: the input has 3 channels but there are 2 means and 3 standard deviations; "
                         "there must be one of each per channel",
                         ModelError);
  }
}

TEST_CASE("labels and metadata") {
  ModelSpec spec = small_model();
  SUBCASE("duplicate label") {
    spec.labels[2] = spec.labels[0];
    CHECK(contains(error_of_spec(spec), "label \"Apple___Apple_scab\" appears more than once"));
  }
  SUBCASE("empty label") {
    spec.labels[1].clear();
    CHECK(contains(error_of_spec(spec), "label 2 length in bytes is 0; it must be 1..256"));
  }
  SUBCASE("label of 257 bytes") {
    spec.labels[1].assign(257, 'a');
    CHECK(contains(error_of_spec(spec), "label 2 length in bytes is 257"));
  }
  SUBCASE("label that is not UTF-8") {
    spec.labels[0] = "Apple\xC0\xAF";  // overlong '/'
    CHECK(contains(error_of_spec(spec), "label 1 is not valid UTF-8"));
  }
  SUBCASE("label with a surrogate") {
    spec.labels[0] = "Apple\xED\xA0\x80";
    CHECK(contains(error_of_spec(spec), "label 1 is not valid UTF-8"));
  }
  SUBCASE("label with a control character") {
    spec.labels[0] = "Apple\nscab";
    CHECK(contains(error_of_spec(spec), "label 1 contains a control character (byte 10)"));
  }
  SUBCASE("metadata that is not UTF-8") {
    spec.metadata_json = "{\"name\":\"\xFF\"}";
    CHECK(contains(error_of_spec(spec), "the metadata is not valid UTF-8"));
  }
  SUBCASE("metadata over 64 KiB") {
    spec.metadata_json.assign(65537, ' ');
    CHECK(contains(error_of_spec(spec), "the metadata length in bytes is 65537; it must be 0..65536"));
  }
}

TEST_CASE("bytes after the last layer") {
  auto file = serialize_model(small_model());
  file.insert(file.end() - 4, {1, 2, 3});
  reseal(file);
  CHECK(contains(error_of(file), "the file has 3 unexpected bytes after the last layer"));
}

// Every outcome must be a model that re-serializes to the same bytes, or a ModelError; any other
// exception escapes and fails the test, and a crash or out-of-bounds read stops the sanitizer build.
TEST_CASE("fuzz: random truncations") {
  const auto valid = serialize_model(small_model());
  const size_t body = valid.size() - 4;
  std::mt19937_64 rng(20261128);
  for (int i = 0; i < 1000; ++i) {
    const size_t length = std::uniform_int_distribution<size_t>(0, valid.size() - 1)(rng);
    CAPTURE(length);
    const std::vector<uint8_t> cut(valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(length));
    const std::string as_is = error_of(cut);
    if (length >= 16) {
      CHECK(contains(as_is, "corrupted or incompletely downloaded"));
    } else if (length >= 8) {
      CHECK(contains(as_is, "model file is truncated"));
    } else {
      CHECK(contains(as_is, "not a Leafcheck model file"));
    }

    const size_t body_length = std::uniform_int_distribution<size_t>(0, body - 1)(rng);
    CAPTURE(body_length);
    const std::string resealed = error_of(truncate_and_reseal(valid, body_length));
    if (body_length >= 8) {
      CHECK(contains(resealed, "model file is truncated"));
    } else {
      CHECK(contains(resealed, "not a Leafcheck model file"));
    }
  }
}

TEST_CASE("fuzz: random bit flips and byte overwrites") {
  const auto valid = serialize_model(small_model());
  const size_t body = valid.size() - 4;
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<size_t> any_byte(0, valid.size() - 1), body_byte(0, body - 1);
  std::uniform_int_distribution<int> any_bit(0, 7), flip_count(1, 3), any_value(0, 255);
  int parsed = 0, rejected = 0;

  const auto outcome_after_reseal = [&](std::vector<uint8_t> file) {
    reseal(file);
    try {
      const ModelSpec spec = parse_model(file);
      CHECK(serialize_model(spec) == file);
      ++parsed;
    } catch (const ModelError& e) {
      CHECK_FALSE(contains(e.what(), "corrupted"));
      ++rejected;
    }
  };

  for (int i = 0; i < 1000; ++i) {
    auto flipped = valid;
    const int flips = flip_count(rng);
    for (int k = 0; k < flips; ++k) flipped[any_byte(rng)] ^= static_cast<uint8_t>(1u << any_bit(rng));
    if (flipped == valid) continue;
    CAPTURE(i);
    const std::string as_is = error_of(flipped);
    // CRC-32 detects every error of up to 3 bits in a file this small.
    CHECK((contains(as_is, "corrupted or incompletely downloaded") || contains(as_is, "not a Leafcheck model file")));

    auto flipped_body = valid;
    for (int k = 0; k < flips; ++k) flipped_body[body_byte(rng)] ^= static_cast<uint8_t>(1u << any_bit(rng));
    outcome_after_reseal(flipped_body);
  }
  // Overwriting a whole byte reaches counts and sizes that single bit flips rarely make hostile.
  for (int i = 0; i < 1000; ++i) {
    auto overwritten = valid;
    overwritten[body_byte(rng)] = static_cast<uint8_t>(any_value(rng));
    CAPTURE(i);
    outcome_after_reseal(overwritten);
  }
  MESSAGE("re-sealed mutations: " << parsed << " parsed, " << rejected << " rejected");
  CHECK(parsed > 0);
  CHECK(rejected > 0);
}

namespace {

ModelSpec as_f16(ModelSpec spec) {
  set_weight_dtype(spec, DType::F16);
  return spec;
}

}  // namespace

TEST_CASE("f16 conversion: every half survives a round trip through float") {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const auto half = static_cast<uint16_t>(h);
    if ((half & 0x7C00u) == 0x7C00u) continue;  // infinities and NaNs are rejected by the loader
    CAPTURE(h);
    REQUIRE(float_to_half(half_to_float(half)) == half);
  }
  CHECK(half_to_float(0x3C00) == 1.0f);
  CHECK(half_to_float(0xC000) == -2.0f);
  CHECK(half_to_float(0x7BFF) == 65504.0f);
  CHECK(half_to_float(0x0001) == std::ldexp(1.0f, -24));
}

TEST_CASE("f16 conversion rounds to the nearest half, ties to even") {
  std::mt19937 rng(16);
  std::uniform_real_distribution<float> magnitude(-20.0f, 15.0f);
  for (int i = 0; i < 100000; ++i) {
    const float x = std::ldexp(std::uniform_real_distribution<float>(-1.0f, 1.0f)(rng), static_cast<int>(magnitude(rng)));
    const uint16_t h = float_to_half(x);
    const float error = std::fabs(x - half_to_float(h));
    CAPTURE(x);
    for (int step : {-1, 1}) {
      const auto neighbour = static_cast<uint16_t>(h + step);
      if ((neighbour & 0x7C00u) == 0x7C00u || (neighbour ^ h) & 0x8000u) continue;
      REQUIRE(error <= std::fabs(x - half_to_float(neighbour)));
    }
  }
  CHECK(float_to_half(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);  // tie: stays even
  CHECK(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3C02);  // tie: rounds up to even
  CHECK(float_to_half(70000.0f) == 0x7C00);
}

TEST_CASE("f16 weights: half the size, values rounded to f16, stable round trip") {
  const ModelSpec f32 = small_model();
  const ModelSpec f16 = as_f16(f32);
  const auto f32_bytes = serialize_model(f32);
  const auto f16_bytes = serialize_model(f16);
  size_t values = 0;
  for (const Layer& layer : f32.layers) values += layer.weight.data.size() + layer.bias.data.size();
  CHECK(f32_bytes.size() - f16_bytes.size() == 2 * values);

  const ModelSpec parsed = parse_model(f16_bytes);
  CHECK(serialize_model(parsed) == f16_bytes);
  for (size_t l = 0; l < parsed.layers.size(); ++l) {
    const Layer& layer = parsed.layers[l];
    if (layer.weight.shape.empty()) continue;
    CHECK(layer.weight.dtype == DType::F16);
    for (size_t i = 0; i < layer.weight.data.size(); ++i) {
      const float original = f32.layers[l].weight.data[i];
      REQUIRE(layer.weight.data[i] == half_to_float(float_to_half(original)));
      REQUIRE(std::fabs(layer.weight.data[i] - original) <= std::fabs(original) * 0x1p-11f + 0x1p-25f);
    }
  }
}

TEST_CASE("f16 weights beyond the f16 range are refused at export") {
  ModelSpec spec = as_f16(small_model());
  spec.layers[0].weight.data[5] = 1e6f;
  try {
    serialize_model(spec);
    FAIL("serialize_model accepted an f16 value beyond the range");
  } catch (const ModelError& e) {
    CHECK(contains(e.what(), "layer 1 (conv3x3) weight is stored as f16 but element 5"));
  }
}

TEST_CASE("an f16 infinity in a file is rejected") {
  const ModelSpec spec = as_f16(small_model());
  auto file = serialize_model(spec);
  const EncodedFile layout = encode_unchecked(spec);  // same header and labels: same offsets up to the layers
  const size_t first_value = layout.layer_at[0] + 2 + 2 + 4 * 4;  // kind, relu, dtype, rank, 4 dims
  file[first_value] = 0x00;
  file[first_value + 1] = 0x7C;
  reseal(file);
  CHECK(contains(error_of(file), "layer 1 (conv3x3) weight holds infinity at element 0"));
}

namespace {

// 1,000 single-bit flips (checksum resealed, so the parser sees them): each file either parses
// into a model that serializes back to the same bytes or is refused with a ModelError; both happen.
void check_bit_flips_parse_or_refuse(const std::vector<uint8_t>& valid, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> body_byte(0, valid.size() - 5);
  std::uniform_int_distribution<int> any_bit(0, 7);
  int parsed = 0, rejected = 0;
  for (int i = 0; i < 1000; ++i) {
    auto file = valid;
    file[body_byte(rng)] ^= static_cast<uint8_t>(1u << any_bit(rng));
    reseal(file);
    try {
      const ModelSpec spec = parse_model(file);
      CHECK(serialize_model(spec) == file);
      ++parsed;
    } catch (const ModelError&) {
      ++rejected;
    }
  }
  CHECK(parsed + rejected == 1000);
  CHECK(parsed > 0);
  CHECK(rejected > 0);
}

}  // namespace

TEST_CASE("fuzz: bit flips in an f16 model never crash") {
  check_bit_flips_parse_or_refuse(serialize_model(as_f16(small_model())), 1616);
}

namespace {

// An int8 (format version 2) copy with made-up scales: the format's rules, not quantize_model's
// choices (tests/test_qs8_network.cpp covers those).
ModelSpec as_int8(ModelSpec spec) {
  for (Layer& layer : spec.layers) {
    if (layer.weight.shape.empty()) continue;
    Tensor& w = layer.weight;
    const size_t per_output = w.data.size() / w.shape[0];
    w.scales.assign(w.shape[0], 0.01f);
    for (float v : w.data) w.quantized.push_back(static_cast<int8_t>(std::clamp(std::nearbyint(v / 0.01f), -127.0f, 127.0f)));
    w.quantized[per_output - 1] = -127;
    w.data.clear();
    w.dtype = DType::Qs8;
    layer.input_scale = 0.05f;
  }
  return spec;
}

std::string writer_error(const ModelSpec& spec) {
  try {
    serialize_model(spec);
  } catch (const ModelError& e) {
    return e.what();
  }
  return "(written without error)";
}

}  // namespace

TEST_CASE("int8 models: version 2, a quarter of the f32 weight bytes, stable round trip") {
  const ModelSpec f32 = small_model();
  const ModelSpec int8 = as_int8(f32);
  const auto f32_bytes = serialize_model(f32);
  const auto bytes = serialize_model(int8);
  CHECK(get_u32(f32_bytes, 8) == 1);  // f32 and f16 files stay readable by version 1 apps
  CHECK(get_u32(bytes, 8) == 2);
  CHECK(is_quantized(int8));
  CHECK_FALSE(is_quantized(f32));
  size_t weights = 0, outputs = 0, layers = 0;
  for (const Layer& layer : f32.layers) {
    if (layer.weight.shape.empty()) continue;
    weights += layer.weight.data.size();
    outputs += layer.weight.shape[0];
    ++layers;
  }
  // Each weight shrinks from 4 bytes to 1; each output channel gains a scale, each layer an input scale.
  CHECK(f32_bytes.size() - bytes.size() == 3 * weights - 4 * outputs - 4 * layers);
  const ModelSpec parsed = parse_model(bytes);
  check_same(int8, parsed);
  CHECK(serialize_model(parsed) == bytes);
  CHECK_THROWS_WITH_AS(as_f16(parsed), doctest::Contains("cannot be converted back"), ModelError);
}

TEST_CASE("int8 models: the writer refuses what version 2 does not allow") {
  const ModelSpec int8 = as_int8(small_model());
  ModelSpec spec = int8;
  spec.layers[0].weight.scales[1] = 0.0f;
  CHECK(contains(writer_error(spec), "layer 1 (conv3x3) weight scale of output 2 is 0"));
  spec = int8;
  spec.layers[0].weight.scales.pop_back();
  CHECK(contains(writer_error(spec), "scales; it must have one per output"));
  spec = int8;
  spec.layers[0].weight.quantized[3] = -128;
  CHECK(contains(writer_error(spec), "layer 1 (conv3x3) weight element 3 is -128"));
  spec = int8;
  spec.layers[0].input_scale = 0.0f;
  CHECK(contains(writer_error(spec), "layer 1 (conv3x3) input scale is 0"));
  spec = int8;
  spec.layers[0].bias.dtype = DType::Qs8;
  CHECK(contains(writer_error(spec), "biases are stored as f32 or f16"));
  // Every conv and linear weight is int8 in a version 2 file, none in a version 1 file.
  spec = int8;
  spec.layers[0] = small_model().layers[0];
  spec.layers[0].input_scale = 0.05f;
  CHECK(contains(writer_error(spec), "every conv3x3 and linear weight is int8"));
  spec = small_model();
  spec.layers[0].input_scale = 0.05f;
  CHECK(contains(writer_error(spec), "layer 1 (conv3x3) has an input scale"));
}

TEST_CASE("int8 models: a file relabelled with the other version is rejected") {
  auto v2 = serialize_model(as_int8(small_model()));
  set_u32(v2, 8, 1);
  reseal(v2);
  CHECK(error_of(v2) != "(parsed without error)");
  auto v1 = serialize_model(small_model());
  set_u32(v1, 8, 2);
  reseal(v1);
  CHECK(error_of(v1) != "(parsed without error)");
}

TEST_CASE("fuzz: bit flips in an int8 model never crash") {
  check_bit_flips_parse_or_refuse(serialize_model(as_int8(small_model())), 88);
}
