// CI smoke test of the training pipeline: one epoch per arm on a tiny subset (a few real photos
// per class from ../shared when present, generated images otherwise), one pseudo-labelling round,
// export, engine load and parity, report files, and resume of a finished run.
// LibTorch first: its c10 logging defines a glog-style CHECK that would otherwise replace doctest's.
#include <torch/torch.h>

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

#include "dataset.h"
#include "experiment.h"
#include "file_io.h"
#include "model.h"
#include "report.h"

namespace fs = std::filesystem;
using namespace leafcheck;
using namespace leafcheck::train;

namespace {

constexpr int kClasses = 3;
constexpr int kPerClass = 16;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "leafcheck-train-smoke-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

// Each class gets its own colour and stripe direction, plus noise, so one epoch can learn something.
void write_generated_png(const fs::path& file, int label, std::mt19937& rng) {
  const int size = 96;
  std::vector<uint8_t> rgb(size * size * 3);
  std::uniform_int_distribution<int> noise(-30, 30);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const bool stripe = ((label == 1 ? x : y) / 8) % 2 == 0;
      for (int c = 0; c < 3; ++c) {
        const int base = (c == label ? 190 : 60) + (stripe ? 30 : 0);
        rgb[(y * size + x) * 3 + c] = static_cast<uint8_t>(std::clamp(base + noise(rng), 0, 255));
      }
    }
  REQUIRE(stbi_write_png(file.string().c_str(), size, size, 3, rgb.data(), size * 3));
}

void write_garbage(const fs::path& file) {
  std::ofstream out(file, std::ios::binary);
  out << "\xFF\xD8\xFF this is not really a JPEG";
}

// Real photos (symlinked, never copied) when the shared data is there; generated ones otherwise.
void make_dataset(const fs::path& root) {
  std::mt19937 rng(7);
  const auto shared = find_shared_data_dir();
  if (shared && fs::is_directory(*shared / "plantvillage")) {
    const Dataset full = scan_dataset(*shared / "plantvillage");
    for (int c = 0; c < kClasses && c < static_cast<int>(full.classes.size()); ++c) {
      fs::create_directories(root / full.classes[c]);
      int taken = 0;
      for (const DatasetItem& item : full.items)
        if (item.label == c && taken++ < kPerClass)
          fs::create_symlink(fs::absolute(item.path), root / full.classes[c] / item.path.filename());
    }
  } else {
    for (int c = 0; c < kClasses; ++c) {
      const fs::path dir = root / ("Generated___class_" + std::to_string(c));
      fs::create_directories(dir);
      for (int i = 0; i < kPerClass; ++i) {
        std::string name = std::to_string(c);
        name.append("-").append(std::to_string(i)).append(".png");
        write_generated_png(dir / name, c, rng);
      }
    }
  }
  write_garbage(root / scan_dataset(root).classes.front() / "zz-corrupt.jpg");
}

}  // namespace

TEST_CASE("the training pipeline runs end to end on a tiny subset, exports, and matches the engine") {
  torch::set_num_threads(2);
  TempDir tmp;
  const fs::path data = tmp.path / "data", unlabelled = tmp.path / "unlabelled", out = tmp.path / "run";
  make_dataset(data);
  fs::create_directories(unlabelled);
  std::mt19937 rng(11);
  for (int i = 0; i < 3; ++i) write_generated_png(unlabelled / ("u" + std::to_string(i) + ".png"), i, rng);
  write_garbage(unlabelled / "broken.png");

  ExperimentConfig config;
  config.data_dir = data;
  config.unlabelled_dir = unlabelled;
  config.out_dir = out;
  config.supervised.epochs = 1;
  config.supervised.log_every = 1;
  config.ssl.max_rounds = 1;
  config.ssl.finetune.epochs = 1;
  config.ssl.threshold = 0.0;  // accept every prediction so the retraining path runs
  config.parity_images = 8;
  config.command_line = "train-smoke-test";

  const ExperimentReport report = run_experiment(config);
  write_report(report, out);

  CHECK(report.classes.size() == kClasses);
  CHECK(report.skipped_images == 2);
  CHECK(report.unlabelled_images == 3);
  REQUIRE(report.arms.size() == 4);
  CHECK(report.arms[0].labelled < report.arms[2].labelled);
  CHECK(report.arms[2].labelled < report.arms[3].labelled);
  CHECK(report.arms[3].labelled == report.train_images);
  for (const ArmResult& arm : report.arms) CHECK(arm.test.count == report.test_images);

  REQUIRE(report.ssl_rounds.size() == 1);
  const SslRound& round = report.ssl_rounds.front();
  CHECK(round.candidates == report.train_images - report.arms[0].labelled + report.unlabelled_images);
  CHECK(round.accepted == round.candidates);
  CHECK(round.accepted_with_truth == round.accepted - report.unlabelled_images);
  CHECK(round.retrained);
  CHECK(report.arms[1].pseudo_labelled == round.accepted);

  // baseline (a), ssl (b), supervised-100 (d) and the app's copy of (d) with f16 weights
  REQUIRE(report.models.size() == 4);
  CHECK(report.models[2].file.filename() == "leafcheck-supervised-100.lcm");
  CHECK(report.models[2].arm_key == report.arms[3].key);
  const ExportedModel& app = report.models[3];
  CHECK(app.file.filename() == "leafcheck.lcm");
  CHECK(app.arm_key == report.arms[3].key);
  CHECK(app.weights == "f16");
  CHECK(app.bytes < report.models[2].bytes * 6 / 10);
  CHECK(app.parity.max_abs_diff < 1e-2);  // f16 rounding, not a different network
  for (const ExportedModel& exported : report.models) {
    CHECK(exported.parity.images > 0);
    if (exported.weights == "f32") CHECK(exported.parity.max_abs_diff < 1e-4);
    CHECK(exported.engine_test.count == report.test_images);
    const ModelSpec spec = parse_model(read_file(exported.file));
    CHECK(spec.labels == report.classes);
    CHECK(spec.metadata_json.find("\"trained\":true") != std::string::npos);
    CHECK(spec.layers.front().weight.dtype == (exported.weights == "f16" ? DType::F16 : DType::F32));
  }
  // The f32 export computes what LibTorch computes, so the engine's accuracy is LibTorch's.
  CHECK(report.models[2].engine_test.top1 == doctest::Approx(report.arms[3].test.top1));
  for (const char* name : {"README.md", "results.json", "per-class-accuracy.csv", "confusion-ssl-30.png",
                           "confusion-supervised-100.csv"})
    CHECK_MESSAGE(fs::exists(out / name), name);

  // Without --resume an existing run is refused; with it, a finished run reloads to the same results.
  CHECK_THROWS_WITH_AS(run_experiment(config), doctest::Contains("--resume"), std::runtime_error);
  config.resume = true;
  const ExperimentReport again = run_experiment(config);
  for (size_t a = 0; a < report.arms.size(); ++a) CHECK(again.arms[a].test.top1 == report.arms[a].test.top1);
  CHECK(again.ssl_rounds.front().accepted == round.accepted);
}
