// lcm-to-onnx: writes a Leafcheck model (.lcm) as an ONNX model (opset 13, NCHW input "input"
// [1, C, H, W], output "logits" [1, N]) for the ONNX Runtime yardsticks, through the protobuf
// classes of Debian's libonnx-dev, and checks it with the ONNX checker before writing it.
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <fstream>
#include <stdexcept>
#include <string>

#include "command_line.h"
#include "yardstick_files.h"

namespace {

using leafcheck::LayerKind;

const char* kUsage = "usage: lcm-to-onnx --model FILE.lcm --out FILE.onnx\n";

constexpr int kOpset = 13;

void add_initializer(onnx::GraphProto& graph, const std::string& name, const leafcheck::Tensor& tensor) {
  onnx::TensorProto& t = *graph.add_initializer();
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (uint32_t d : tensor.shape) t.add_dims(d);
  // The .lcm layouts are ONNX's own: conv OIHW, Gemm weight [out, in] (used with transB = 1).
  t.set_raw_data(tensor.data.data(), tensor.data.size() * sizeof(float));
}

void add_ints(onnx::NodeProto& node, const std::string& name, std::initializer_list<int64_t> values) {
  onnx::AttributeProto& a = *node.add_attribute();
  a.set_name(name);
  a.set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a.add_ints(v);
}

void add_int(onnx::NodeProto& node, const std::string& name, int64_t value) {
  onnx::AttributeProto& a = *node.add_attribute();
  a.set_name(name);
  a.set_type(onnx::AttributeProto::INT);
  a.set_i(value);
}

void describe_value(onnx::ValueInfoProto& value, const std::string& name, std::initializer_list<int64_t> dims) {
  value.set_name(name);
  onnx::TypeProto_Tensor& type = *value.mutable_type()->mutable_tensor_type();
  type.set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) type.mutable_shape()->add_dim()->set_dim_value(d);
}

class GraphBuilder {
 public:
  explicit GraphBuilder(onnx::GraphProto& graph) : graph_(graph) {}

  // Appends a node reading the current tensor (plus extra inputs) and makes its output current.
  onnx::NodeProto& then(const std::string& op, std::initializer_list<std::string> extra_inputs = {}) {
    onnx::NodeProto& node = *graph_.add_node();
    node.set_op_type(op);
    node.set_name(op + std::to_string(graph_.node_size()));
    node.add_input(current_);
    for (const std::string& input : extra_inputs) node.add_input(input);
    current_ = node.name();  // node and tensor names live in separate namespaces
    node.add_output(current_);
    return node;
  }

  void rename_output(const std::string& name) {
    graph_.mutable_node(graph_.node_size() - 1)->set_output(0, name);
    current_ = name;
  }

 private:
  onnx::GraphProto& graph_;
  std::string current_ = "input";
};

onnx::ModelProto to_onnx(const leafcheck::ModelSpec& spec) {
  onnx::ModelProto model;
  model.set_ir_version(onnx::IR_VERSION);
  model.set_producer_name("leafcheck lcm-to-onnx");
  model.set_doc_string(spec.metadata_json);
  onnx::OperatorSetIdProto& opset = *model.add_opset_import();
  opset.set_domain("");
  opset.set_version(kOpset);

  onnx::GraphProto& graph = *model.mutable_graph();
  graph.set_name("leafcheck");
  describe_value(*graph.add_input(), "input",
                 {1, int64_t{spec.input_channels}, int64_t{spec.input_height}, int64_t{spec.input_width}});
  GraphBuilder builder(graph);
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const leafcheck::Layer& layer = spec.layers[i];
    const std::string prefix = "layer" + std::to_string(i + 1);
    const std::string w = prefix + ".weight";
    const std::string b = prefix + ".bias";
    switch (layer.kind) {
      case LayerKind::Conv3x3: {
        add_initializer(graph, w, layer.weight);
        add_initializer(graph, b, layer.bias);
        onnx::NodeProto& conv = builder.then("Conv", {w, b});
        add_ints(conv, "kernel_shape", {3, 3});
        add_ints(conv, "pads", {1, 1, 1, 1});
        add_ints(conv, "strides", {1, 1});
        break;
      }
      case LayerKind::MaxPool2x2: {
        onnx::NodeProto& pool = builder.then("MaxPool");
        add_ints(pool, "kernel_shape", {2, 2});
        add_ints(pool, "strides", {2, 2});
        break;
      }
      case LayerKind::GlobalAvgPool:
        builder.then("GlobalAveragePool");
        add_int(builder.then("Flatten"), "axis", 1);
        break;
      case LayerKind::Linear:
        add_initializer(graph, w, layer.weight);
        add_initializer(graph, b, layer.bias);
        add_int(builder.then("Gemm", {w, b}), "transB", 1);
        break;
      case LayerKind::Relu:
        builder.then("Relu");
        break;
    }
    if (layer.fused_relu) builder.then("Relu");
  }
  builder.rename_output("logits");
  describe_value(*graph.add_output(), "logits", {1, static_cast<int64_t>(spec.labels.size())});
  return model;
}

int run(int argc, char** argv) {
  const auto args = leafcheck::yardsticks::parse_required_flags(argc, argv, {"--model", "--out"}, kUsage);
  const std::string& out_path = args.at("--out");
  const onnx::ModelProto model = to_onnx(leafcheck::yardsticks::read_model_file(args.at("--model")));
  onnx::checker::check_model(model);
  std::ofstream out(out_path, std::ios::binary);
  if (!model.SerializeToOstream(&out) || !out.flush()) throw std::runtime_error("cannot write '" + out_path + "'");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return leafcheck::yardsticks::report_errors("lcm-to-onnx", [&] { return run(argc, argv); });
}
