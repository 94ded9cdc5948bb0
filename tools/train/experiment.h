// The whole experiment on a PlantVillage-layout folder: (a) supervised on a labelled fraction,
// (b) pseudo-labelling from that same fraction, (c) supervised on a larger fraction, (d) supervised
// on the whole training split; test metrics for each; (a) and (b) exported for the engine.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "metrics.h"
#include "parity.h"
#include "pseudo_label.h"
#include "trainer.h"

namespace leafcheck::train {

struct ExperimentConfig {
  std::filesystem::path data_dir;
  std::optional<std::filesystem::path> unlabelled_dir;  // real photos without labels, added to the SSL pool
  std::filesystem::path out_dir;                        // checkpoints, models, report
  bool resume = false;
  uint64_t seed = 1;
  double low_fraction = 0.3;  // arms (a) and (b)
  double mid_fraction = 0.6;  // arm (c)
  int max_per_class = 0;      // > 0: quick runs on the first files of each class
  std::string arms = "abcd";  // which arms to run; (b) also runs (a), which it starts from
  Architecture architecture;
  TrainConfig supervised;
  SslConfig ssl;
  int parity_images = 32;
  std::string command_line;  // recorded in the report
};

struct ArmResult {
  std::string key;    // "a".."d"
  std::string title;  // e.g. "supervised, 30% labels"
  std::string slug;   // e.g. "supervised-30": names its checkpoint folder and report files
  size_t labelled = 0;
  size_t pseudo_labelled = 0;
  double train_seconds = 0;
  double validation_top1 = -1;
  Metrics test;
};

struct ExportedModel {
  std::string arm_key;
  std::filesystem::path file;
  std::string weights = "f32";  // storage of the weights: "f32", or "f16" for the app's copy
  size_t bytes = 0;
  ParityResult parity;          // f32 files must agree with LibTorch within 1e-4; f16 rounding is reported
  Metrics engine_test;          // the engine's predictions from this file: what leafcheck-cli --split test prints
};

struct ExperimentReport {
  ExperimentConfig config;
  std::string date;  // UTC, ISO 8601
  std::string data_source;
  std::vector<std::string> sessions;  // "<UTC time> <command line>" of every invocation on out_dir, oldest first
  std::vector<std::string> classes;
  size_t train_images = 0, validation_images = 0, test_images = 0, unlabelled_images = 0, skipped_images = 0;
  std::vector<ArmResult> arms;
  std::vector<SslRound> ssl_rounds;
  std::vector<ExportedModel> models;
};

ExperimentReport run_experiment(const ExperimentConfig& config);

inline constexpr const char* kModelExtension = ".lcm";
inline constexpr const char* kAppModelName = "leafcheck";  // the app's model: arm (d) with f16 weights

}  // namespace leafcheck::train
