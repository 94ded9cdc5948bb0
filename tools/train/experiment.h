// The whole experiment on PlantVillage-layout lab photos, plus photos without leaves (a 39th class)
// and field crops: for each seed, (a) supervised on a labelled fraction, (b) the seed system's
// pseudo-labelling from that fraction, (c) supervised on a larger fraction, (d) supervised on the
// whole training split, (e) FixMatch consistency training from the same fraction as (a), and (f)
// supervised on the whole split of lab photos only with the old, plain augmentation (what the field
// recipe is measured against). Test metrics for each on the lab test split (leaves and photos without
// leaves) and on the field crops kept aside; (a), (b), (d), (e) exported for the engine.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "fixmatch.h"
#include "metrics.h"
#include "parity.h"
#include "pseudo_label.h"
#include "trainer.h"

namespace leafcheck::train {

struct ExperimentConfig {
  std::filesystem::path data_dir;                       // lab photos: <dir>/<class>/*.jpg
  std::optional<std::filesystem::path> not_leaf_dir;    // photos without leaves: class kNotLeafClass
  std::optional<std::filesystem::path> field_dir;       // field crops: <dir>/<class>/*.jpg
  std::optional<std::filesystem::path> unlabelled_dir;  // real photos without labels, added to the SSL pool
  std::filesystem::path out_dir;                        // checkpoints, models, report
  bool resume = false;
  std::vector<uint64_t> seeds = {1};
  torch::Device device = torch::kCPU;
  double low_fraction = 0.3;  // arms (a), (b), (e)
  double mid_fraction = 0.6;  // arm (c)
  int max_per_class = 0;      // > 0: quick runs on the first files of each class
  std::string arms = "abcdef";  // which arms to run; (b) and (e) also run (a), which they start from
  Architecture architecture;
  TrainConfig supervised;
  AugmentConfig lab_only_augment;  // arm (f): the recipe before field photos (flips, turns, crops, colour)
  SslConfig ssl;
  FixMatchConfig fixmatch;
  int parity_images = 32;
  std::string command_line;  // recorded in the report
};

// The plain augmentation of the recipe before field photos were added.
AugmentConfig plain_augment();

struct ArmResult {
  std::string key;    // "a".."f"
  std::string title;  // e.g. "supervised, 30% labels"
  std::string slug;   // e.g. "supervised-30": names its checkpoint folder and report files
  size_t labelled = 0;
  size_t pseudo_labelled = 0;
  double train_seconds = 0;
  double validation_top1 = -1;
  Metrics test;   // lab test split: leaves of every class and photos without leaves
  Metrics field;  // field crops that only measure
};

struct ExportedModel {
  std::string arm_key;
  std::filesystem::path file;
  std::string weights = "f32";  // storage of the weights: "f32", or "f16" for the app's copy
  size_t bytes = 0;
  ParityResult parity;          // f32 files must agree with LibTorch within 1e-4; f16 rounding is reported
  Metrics engine_test;          // the engine's predictions from this file: what leafcheck-cli --split test prints
  Metrics engine_field;
};

// One seed's run.
struct ExperimentReport {
  ExperimentConfig config;  // config.supervised.seed is this run's seed; config.out_dir its folder
  std::string date;         // UTC, ISO 8601
  std::string data_source;
  std::string device;       // where it trained: "cpu", "cuda:0"
  std::vector<std::string> sessions;  // "<UTC time> <command line>" of every invocation on out_dir, oldest first
  std::vector<std::string> classes;
  std::vector<size_t> lab_photos, field_photos;  // per class, every split
  size_t train_images = 0, validation_images = 0, test_images = 0, unlabelled_images = 0, skipped_images = 0;
  size_t field_train_images = 0, field_test_images = 0;
  std::vector<ArmResult> arms;
  std::vector<SslRound> ssl_rounds;
  std::vector<FixMatchEpoch> fixmatch_epochs;
  std::vector<ExportedModel> models;
  double training_seconds = 0;  // every arm's training, summed over sessions
};

// Every seed's run; one of them ships (its models are copied to out_dir).
struct ExperimentResults {
  std::vector<ExperimentReport> seeds;
  size_t shipped = 0;  // index into seeds: the run whose arm (d) had the best validation top-1
  double training_seconds = 0;  // over all seeds and arms, summed over sessions
  double wall_seconds = 0;      // this session, from reading the data to the last export
  double elapsed_seconds = 0;   // from the start of the run folder's first session to now (parallel
                                // processes overlap: this is the machine time the experiment took)
};

ExperimentResults run_experiment(const ExperimentConfig& config);

// Among the arm's test images, photos without leaves answered kNotLeafClass, and leaves answered kNotLeafClass.
struct NotLeafFigures {
  size_t not_leaf = 0, not_leaf_right = 0;
  size_t leaves = 0, leaves_called_not_leaf = 0;
};
NotLeafFigures not_leaf_figures(const Metrics& metrics, const std::vector<std::string>& classes);

inline constexpr const char* kModelExtension = ".lcm";
inline constexpr const char* kAppModelName = "leafcheck";  // the app's model: arm (d) with f16 weights

}  // namespace leafcheck::train
