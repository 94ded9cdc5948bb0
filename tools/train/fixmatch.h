// FixMatch-style consistency training (Sohn et al., 2020), the semi-supervised arm that learns from
// unlabelled photos in every batch: the network's prediction on a weakly augmented view (flips,
// turns) becomes the pseudo-label when its probability reaches the threshold, and the network is
// trained on a strongly augmented view of the same photo (busy background, colour, blur, low
// resolution, JPEG, cutout) to give that label, together with the labelled batch.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "device_images.h"
#include "image_cache.h"
#include "seed_net.h"
#include "trainer.h"

namespace leafcheck::train {

struct FixMatchConfig {
  double threshold = 0.95;        // a weak view's top probability must reach this to teach the strong view
  double unlabelled_weight = 1.0;  // lambda_u: the consistency loss against the labelled cross-entropy
  int unlabelled_ratio = 2;        // mu: unlabelled photos per labelled photo in a batch
  int epochs = 40;                 // passes over the unlabelled pool (20 at half the rate gained 0.6 points on (a))
  // Batch size (labelled part), learning rate, warm-up, labelled augmentation, sampling, seed, logging.
  TrainConfig labelled;
  AugmentConfig weak = weak_augment();
  AugmentConfig strong = strong_augment();
};

// Per epoch: how many unlabelled views passed the threshold, and (simulation: the pool's true labels
// are known) how many of those pseudo-labels were right.
struct FixMatchEpoch {
  int epoch = 0;
  size_t unlabelled_seen = 0;
  size_t above_threshold = 0;
  size_t above_with_truth = 0;
  size_t above_correct = 0;
  double validation_top1 = -1;
};

struct FixMatchSummary {
  std::vector<FixMatchEpoch> epochs;
  double seconds = 0;
  double validation_top1 = -1;
};

// Continues training `net` (typically from the supervised model on `labelled`) in place. `pool`:
// image indices treated as unlabelled. Resumable: checkpoints and the per-epoch table live in `dir`.
FixMatchSummary run_fixmatch(SeedNet& net, const ImageSet& images, const DeviceImages& data,
                             const std::vector<Example>& labelled, const std::vector<int64_t>& pool,
                             const std::vector<int64_t>& validation, const FixMatchConfig& config,
                             const std::filesystem::path& dir, const std::string& name);

}  // namespace leafcheck::train
