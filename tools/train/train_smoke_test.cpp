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
#include "image_cache.h"
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

// Photos without leaves: flat grey noise, as unlike the classes' stripes as possible.
void make_not_leaf_folder(const fs::path& dir, std::mt19937& rng) {
  fs::create_directories(dir);
  std::uniform_int_distribution<int> noise(100, 140);
  for (int i = 0; i < 30; ++i) {
    std::vector<uint8_t> rgb(64 * 64 * 3);
    for (uint8_t& v : rgb) v = static_cast<uint8_t>(noise(rng));
    REQUIRE(stbi_write_png((dir / ("scene-" + std::to_string(i) + ".png")).string().c_str(), 64, 64, 3, rgb.data(), 64 * 3));
  }
}

// Field crops of the first class, two or three crops per photo (photo-<p>_<k>.png), plus a folder of a
// class the lab data does not have, which training skips.
void make_field_folder(const fs::path& dir, const std::string& known_class, std::mt19937& rng) {
  fs::create_directories(dir / known_class);
  for (int p = 0; p < 10; ++p)
    for (int k = 0; k < 2 + p % 2; ++k)
      write_generated_png(dir / known_class / ("photo-" + std::to_string(p) + "_" + std::to_string(k) + ".png"), 0, rng);
  fs::create_directories(dir / "Not_a_lab_class");
  write_generated_png(dir / "Not_a_lab_class" / "x_0.png", 1, rng);
}

}  // namespace

TEST_CASE("the training pipeline runs end to end on a tiny subset, exports, and matches the engine") {
  torch::set_num_threads(2);
  TempDir tmp;
  const fs::path data = tmp.path / "data", unlabelled = tmp.path / "unlabelled", not_leaf = tmp.path / "not-leaf",
                 field = tmp.path / "field", out = tmp.path / "run";
  make_dataset(data);
  fs::create_directories(unlabelled);
  std::mt19937 rng(11);
  for (int i = 0; i < 3; ++i) write_generated_png(unlabelled / ("u" + std::to_string(i) + ".png"), i, rng);
  write_garbage(unlabelled / "broken.png");
  make_not_leaf_folder(not_leaf, rng);
  const std::string first_class = scan_dataset(data).classes.front();
  make_field_folder(field, first_class, rng);

  ExperimentConfig config;
  config.data_dir = data;
  config.not_leaf_dir = not_leaf;
  config.field_dir = field;
  config.unlabelled_dir = unlabelled;
  config.out_dir = out;
  config.seeds = {1, 2};
  config.supervised.epochs = 1;
  config.supervised.log_every = 1;
  config.supervised.batch_size = 16;
  config.lab_only_augment = plain_augment();
  config.ssl.max_rounds = 1;
  config.ssl.finetune.epochs = 1;
  config.ssl.threshold = 0.0;  // accept every prediction so the retraining path runs
  config.fixmatch.labelled = config.supervised;
  config.fixmatch.epochs = 1;
  config.fixmatch.threshold = 0.0;  // every weak view teaches its strong view
  config.parity_images = 8;
  config.command_line = "train-smoke-test";

  const ExperimentResults results = run_experiment(config);
  write_report(results, out);
  REQUIRE(results.seeds.size() == 2);
  CHECK(results.training_seconds > 0);
  const ExperimentReport& report = results.seeds[results.shipped];

  REQUIRE(report.classes.size() == kClasses + 1);
  CHECK(report.classes.back() == kNotLeafClass);
  CHECK(report.skipped_images == 2);
  CHECK(report.unlabelled_images == 3);
  CHECK(report.field_train_images + report.field_test_images == 25);  // the unknown class's crop is skipped
  CHECK(report.field_train_images > 0);
  CHECK(report.field_test_images > 0);
  REQUIRE(report.arms.size() == 6);
  std::string keys;
  for (const ArmResult& arm : report.arms) keys += arm.key;
  CHECK(keys == "abecdf");
  const ArmResult &low = report.arms[0], &ssl = report.arms[1], &fixmatch = report.arms[2], &mid = report.arms[3],
                  &full = report.arms[4], &lab_only = report.arms[5];
  CHECK(low.labelled < mid.labelled);
  CHECK(mid.labelled < full.labelled);
  CHECK(full.labelled == report.train_images);
  CHECK(lab_only.labelled == report.train_images - report.field_train_images);
  for (const ArmResult& arm : report.arms) {
    CHECK(arm.test.count == report.test_images);
    CHECK(arm.field.count == report.field_test_images);
  }
  const NotLeafFigures not_leaf_test = not_leaf_figures(full.test, report.classes);
  CHECK(not_leaf_test.not_leaf > 0);
  CHECK(not_leaf_test.not_leaf + not_leaf_test.leaves == report.test_images);

  REQUIRE(report.ssl_rounds.size() == 1);
  const SslRound& round = report.ssl_rounds.front();
  CHECK(round.candidates == report.train_images - low.labelled + report.unlabelled_images);
  CHECK(round.accepted == round.candidates);
  CHECK(round.accepted_with_truth == round.accepted - report.unlabelled_images);
  CHECK(round.retrained);
  CHECK(ssl.pseudo_labelled == round.accepted);

  REQUIRE(report.fixmatch_epochs.size() == 1);
  const FixMatchEpoch& epoch = report.fixmatch_epochs.front();
  CHECK(epoch.unlabelled_seen == round.candidates);
  CHECK(epoch.above_threshold == epoch.unlabelled_seen);
  CHECK(epoch.above_with_truth == epoch.above_threshold - report.unlabelled_images);
  CHECK(epoch.above_correct <= epoch.above_with_truth);
  CHECK(fixmatch.train_seconds > low.train_seconds);

  // baseline (a), ssl (b), fixmatch (e), supervised-100 (d) and the app's copy of (d) with f16 weights
  REQUIRE(report.models.size() == 5);
  CHECK(report.models[2].file.filename() == "leafcheck-fixmatch.lcm");
  CHECK(report.models[3].file.filename() == "leafcheck-supervised-100.lcm");
  CHECK(report.models[3].arm_key == "d");
  const ExportedModel& app = report.models[4];
  CHECK(app.file.filename() == "leafcheck.lcm");
  CHECK(app.arm_key == "d");
  CHECK(app.weights == "f16");
  CHECK(app.bytes < report.models[3].bytes * 6 / 10);
  CHECK(app.parity.max_abs_diff < 1e-2);  // f16 rounding, not a different network
  for (const ExportedModel& exported : report.models) {
    CHECK(exported.parity.images > 0);
    if (exported.weights == "f32") CHECK(exported.parity.max_abs_diff < 1e-4);
    CHECK(exported.engine_test.count == report.test_images);
    CHECK(exported.engine_field.count == report.field_test_images);
    const ModelSpec spec = parse_model(read_file(exported.file));
    CHECK(spec.labels == report.classes);
    CHECK(spec.metadata_json.find("\"trained\":true") != std::string::npos);
    CHECK(spec.layers.front().weight.dtype == (exported.weights == "f16" ? DType::F16 : DType::F32));
    // The shipped seed's files are the ones in the run folder.
    CHECK(read_file(out / exported.file.filename()) == read_file(exported.file));
  }
  // The f32 export computes what LibTorch computes, so the engine's accuracy is LibTorch's.
  CHECK(report.models[3].engine_test.top1 == doctest::Approx(full.test.top1));
  CHECK(report.models[3].engine_field.top1 == doctest::Approx(full.field.top1));
  for (const char* name : {"README.md", "results.json", "per-class-accuracy.csv", "confusion-ssl-30.png",
                           "confusion-supervised-100.csv", "confusion-fixmatch-30.png", "seed-1/results.json",
                           "seed-2/results.json"})
    CHECK_MESSAGE(fs::exists(out / name), name);
  const std::string card = std::string(reinterpret_cast<const char*>(read_file(out / "README.md").data()),
                                       read_file(out / "README.md").size());
  CHECK(card.find("FixMatch") != std::string::npos);
  CHECK(card.find("| seed 1 | seed 2 |") != std::string::npos);

  // Without --resume an existing run is refused; with it, a finished run reloads to the same results.
  CHECK_THROWS_WITH_AS(run_experiment(config), doctest::Contains("--resume"), std::runtime_error);
  config.resume = true;
  const ExperimentResults again = run_experiment(config);
  for (size_t s = 0; s < results.seeds.size(); ++s) {
    for (size_t a = 0; a < report.arms.size(); ++a)
      CHECK(again.seeds[s].arms[a].test.top1 == results.seeds[s].arms[a].test.top1);
    CHECK(again.seeds[s].ssl_rounds.front().accepted == results.seeds[s].ssl_rounds.front().accepted);
    CHECK(again.seeds[s].fixmatch_epochs.front().above_threshold ==
          results.seeds[s].fixmatch_epochs.front().above_threshold);
  }
  CHECK(again.shipped == results.shipped);
}
