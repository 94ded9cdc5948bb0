// Semi-supervised learning by pseudo-labelling: predict the unlabelled pool, accept confident
// predictions as labels, retrain on labelled + accepted, repeat while rounds still add labels.
#pragma once

#include <filesystem>
#include <vector>

#include "image_cache.h"
#include "seed_net.h"
#include "trainer.h"

namespace leafcheck::train {

struct SslConfig {
  double threshold = 0.9;          // accept a prediction when its probability is above this
  double min_new_fraction = 0.01;  // stop when a round accepts fewer than this fraction of the pool
  int max_rounds = 3;
  TrainConfig finetune;  // each round continues training the current model on the union
};

struct SslRound {
  int round = 0;
  size_t candidates = 0;  // pool images still without a pseudo-label before the round
  size_t accepted = 0;    // newly accepted in this round
  size_t accepted_with_truth = 0;  // of those, how many have a known true label (simulation)
  size_t accepted_correct = 0;     // ... and how many of them are right
  size_t total_accepted = 0;       // pseudo-labels in use after the round
  size_t total_with_truth = 0;
  size_t total_correct = 0;
  bool retrained = false;  // false when the round added too few labels to be worth retraining
  double test_top1 = -1;   // after retraining
  double seconds = 0;      // training time of the round
};

// Starts from `net` as trained on `labelled` and improves it in place. `pool` holds image indices
// treated as unlabelled (their true labels, if any, are used only to count correct pseudo-labels).
// Resumable: each round's accepted labels and training state are kept under dir/round-N/.
std::vector<SslRound> run_pseudo_labelling(SeedNet& net, const ImageSet& images, const DeviceImages& data,
                                           const std::vector<Example>& labelled,
                                           const std::vector<int64_t>& pool, const std::vector<int64_t>& validation,
                                           const std::vector<int64_t>& test, const SslConfig& config,
                                           const std::filesystem::path& dir);

}  // namespace leafcheck::train
