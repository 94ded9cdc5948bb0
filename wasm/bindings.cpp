// Embind bindings: the JavaScript face of Classifier.
//
// No C++ exception ever crosses into JavaScript here: Emscripten would surface it as a bare
// pointer, and a JS exception thrown through wasm frames skips C++ destructors (leaking the
// argument buffers). So each method returns either a result or {error: {name, message}}, and
// bindings.post.js turns the latter into a thrown JS Error after the C++ frames are gone.
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "classifier.h"

namespace leafcheck {
namespace {

using emscripten::val;

std::vector<uint8_t> copy_bytes(const val& array) {
  const auto length = array["length"].as<size_t>();
  std::vector<uint8_t> bytes(length);
  val(emscripten::typed_memory_view(length, bytes.data())).call<void>("set", array);
  return bytes;
}

val error_result(const char* name, const std::string& message) {
  val error = val::object();
  error.set("name", name);
  error.set("message", message);
  val result = val::object();
  result.set("error", error);
  return result;
}

template <typename Fn>
val guarded(Fn&& fn) {
  try {
    return fn();
  } catch (const ImageError& e) {
    return error_result("ImageError", e.what());
  } catch (const ModelError& e) {
    return error_result("ModelError", e.what());
  } catch (const std::bad_alloc&) {
    return error_result("Error", "out of memory: this device cannot hold the image; try a smaller photo");
  } catch (const std::exception& e) {
    return error_result("Error", e.what());
  }
}

val to_js(const Classification& classification) {
  val top = val::array();
  for (const Prediction& prediction : classification.top) {
    val entry = val::object();
    entry.set("index", prediction.index);
    entry.set("label", prediction.label);
    entry.set("probability", prediction.probability);
    top.call<void>("push", entry);
  }
  val timings = val::object();
  timings.set("decodeMs", classification.timings.decode_ms);
  timings.set("preprocessMs", classification.timings.preprocess_ms);
  timings.set("inferenceMs", classification.timings.inference_ms);
  val result = val::object();
  result.set("top", top);
  result.set("plantFraction", classification.plant_fraction);
  result.set("looksLikeLeaf", classification.looks_like_leaf);
  result.set("somethingToSee", classification.something_to_see);
  result.set("timings", timings);
  return result;
}

class JsClassifier {
 public:
  explicit JsClassifier(const val& model_bytes) : JsClassifier(model_bytes, 1) {}

  // threads > 1 needs the threaded build with at least threads - 1 pre-started workers.
  JsClassifier(const val& model_bytes, int threads) {
    load_error_ = guarded([&] {
      if (threads < 1) throw std::invalid_argument("threads must be at least 1, got " + std::to_string(threads));
      classifier_.emplace(copy_bytes(model_bytes), KernelSet::Optimized, static_cast<size_t>(threads));
      return val::null();
    });
  }

  val load_error() const { return load_error_; }

  val classify_encoded(const val& bytes, int top_k) {
    return guarded([&] { return to_js(classifier().classify_encoded(copy_bytes(bytes), top_k)); });
  }

  val classify_rgba(const val& pixels, int width, int height, int top_k) {
    return guarded([&] { return to_js(classifier().classify_rgba(copy_bytes(pixels), width, height, top_k)); });
  }

  // The region (x, y, width, height in the pixels' own coordinates) of a picture decoded at a reduced
  // scale that the full photo's centre crop covers (web/js/model-picture.js).
  val classify_rgba_region(const val& pixels, int width, int height, double x, double y, double crop_width,
                           double crop_height, int top_k) {
    return guarded([&] {
      return to_js(classifier().classify_rgba(copy_bytes(pixels), width, height, CropRegion{x, y, crop_width, crop_height},
                                              top_k));
    });
  }

  val labels() const {
    val out = val::array();
    for (const std::string& label : classifier().spec().labels) out.call<void>("push", label);
    return out;
  }

  std::string metadata() const { return classifier().spec().metadata_json; }
  int input_width() const { return static_cast<int>(classifier().spec().input_width); }
  int input_height() const { return static_cast<int>(classifier().spec().input_height); }
  int threads() const { return static_cast<int>(classifier().threads()); }
  bool int8() const { return classifier().int8(); }

 private:
  // Only reachable from JS after loadError() came back null (bindings.post.js checks), so a
  // missing classifier here is a programming error.
  Classifier& classifier() { return classifier_.value(); }
  const Classifier& classifier() const { return classifier_.value(); }

  std::optional<Classifier> classifier_;
  val load_error_ = val::null();
};

}  // namespace
}  // namespace leafcheck

EMSCRIPTEN_BINDINGS(leafcheck) {
  using leafcheck::JsClassifier;
  // Bytes of the C++ heap in use: lets tests prove that repeated classifications do not leak.
  emscripten::function("heapBytesInUse", +[] { return static_cast<double>(mallinfo().uordblks); });
  emscripten::class_<JsClassifier>("Classifier")
      .constructor<const emscripten::val&>()
      .constructor<const emscripten::val&, int>()
      .function("loadError", &JsClassifier::load_error)
      .function("classifyEncoded", &JsClassifier::classify_encoded)
      .function("classifyRgba", &JsClassifier::classify_rgba)
      .function("classifyRgbaRegion", &JsClassifier::classify_rgba_region)
      .function("labels", &JsClassifier::labels)
      .function("metadata", &JsClassifier::metadata)
      .function("inputWidth", &JsClassifier::input_width)
      .function("inputHeight", &JsClassifier::input_height)
      .function("threads", &JsClassifier::threads)
      .function("int8", &JsClassifier::int8);
}
