// leafcheck-train: runs the training experiment on a PlantVillage-layout folder and writes the
// model files plus the report (model card, CSVs, confusion PNGs) into --out.
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "device_images.h"
#include "experiment.h"
#include "report.h"

namespace {

constexpr const char* kUsage = R"(usage: leafcheck-train --data DIR --out DIR [options]

For each seed, runs (a) supervised on --labelled-fraction of the training split, (b) pseudo-labelling
from the same labels, (e) FixMatch from the same labels, (c) supervised on --mid-fraction, (d)
supervised on all of it, (f) supervised on all lab photos without field crops and with the plain
augmentation of the earlier recipe. Writes into --out/seed-N/: leafcheck-baseline.lcm (a),
leafcheck-ssl.lcm (b), leafcheck-fixmatch.lcm (e), leafcheck-supervised-100.lcm (d), the app's
leafcheck.lcm ((d) with f16 weights), results.json and checkpoints after every epoch; then copies the
model files of the seed whose (d) did best on validation into --out and writes README.md (model card
with the arms x seeds table), results.json, per-class-accuracy.csv and confusion CSVs/PNGs there.

  --data DIR              lab photos, PlantVillage layout: DIR/<class name>/*.jpg|png
  --not-leaf DIR          photos without leaves (DIR/*.jpg|png): one more class, Background_without_leaves
  --field DIR             field crops, PlantVillage layout; crops of photos whose name hashes into the
                          train split train, the others only measure (field top-1/top-3)
  --out DIR               run folder (must be empty unless --resume)
  --resume                continue the run in --out where it stopped
  --unlabeled DIR         extra photos without labels for the semi-supervised arms (searched recursively)
  --device NAME           auto (CUDA when LibTorch sees a GPU), cpu or cuda; default auto
  --seeds LIST            comma-separated seeds, e.g. 1,2,3; default 1
  --epochs N              supervised epochs per arm, default 60
  --batch N               default 512
  --lr X                  Adam learning rate, default 0.008
  --label-smoothing X     default 0
  --weight-decay X        Adam's L2 penalty, default 0.0001
  --field-style X         chance that a training image gets the field-style augmentation (busy
                          background, colour, blur, low resolution, JPEG, noise); default 1
  --field-weight X        a field crop is drawn this many times as often as a lab photo, default 2
  --class-balance X       0: classes drawn as often as they have photos, 1: all equally; default 0.5
  --labelled-fraction X   default 0.3
  --mid-fraction X        default 0.6
  --ssl-rounds N          maximum pseudo-labelling rounds, default 3
  --ssl-epochs N          training epochs per round, default 10
  --ssl-lr X              learning rate per round, default 0.0005
  --ssl-threshold X       accept pseudo-labels with probability above X, default 0.9
  --ssl-min-new X         stop when a round adds less than this fraction of the pool, default 0.01
  --fixmatch-epochs N     FixMatch passes over the unlabelled pool, default 40
  --fixmatch-lr X         default 0.004
  --fixmatch-threshold X  default 0.95
  --fixmatch-ratio N      unlabelled photos per labelled one in a batch, default 2
  --arms LIST             run only these arms (letters of abcdef; b and e include a) without writing
                          the report, e.g. two processes "--arms abe" and "--arms cdf" on one --out
                          with --resume, then one run of all arms writes the report
  --max-per-class N       use only the first N files of each class (quick runs)
  --threads N             LibTorch CPU threads, default 2
  --log-every N           batches between progress lines (at least 5 s apart), default 10
  --validate-every N      epochs between validation passes, default 5
  --parity-images N       test images for the engine parity check, default 32
  --no-bn-recalibration   keep BatchNorm's statistics from the augmented training batches; by default
                          each arm recomputes them from un-augmented training images after its last
                          epoch and keeps them when validation top-1 improves
)";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::vector<uint64_t> parse_seeds(const std::string& list) {
  std::vector<uint64_t> seeds;
  std::stringstream items(list);
  for (std::string item; std::getline(items, item, ',');) {
    if (item.empty() || item.find_first_not_of("0123456789") != std::string::npos)
      throw UsageError("--seeds takes comma-separated whole numbers, e.g. 1,2,3, not '" + list + "'");
    seeds.push_back(std::stoull(item));
  }
  if (seeds.empty()) throw UsageError("--seeds needs at least one seed");
  return seeds;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace leafcheck::train;
  try {
    ExperimentConfig config;
    config.ssl.finetune.learning_rate = 5e-4;
    // Two epochs per round without warm-up knocked the model off its minimum (test top-1 fell
    // after every round); ten with a warm-up let it settle on the larger set.
    config.ssl.finetune.epochs = 10;
    config.fixmatch.labelled = config.supervised;
    config.fixmatch.labelled.learning_rate = 4e-3;
    config.lab_only_augment = plain_augment();
    double field_weight = config.supervised.sampling.field_weight;
    double class_balance = config.supervised.sampling.class_balance;
    int threads = 2;
    std::string device = "auto";
    std::string seeds;
    std::string command = "leafcheck-train";
    for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
    config.command_line = command;

    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw UsageError(std::string(arg) + " needs a value");
        return argv[++i];
      };
      auto number = [&]() {
        const std::string text = value();
        try {
          return std::stod(text);
        } catch (const std::exception&) {
          throw UsageError(std::string(arg) + ": not a number: " + text);
        }
      };
      if (arg == "--help" || arg == "-h") {
        std::cout << kUsage;
        return 0;
      } else if (arg == "--data") config.data_dir = value();
      else if (arg == "--out") config.out_dir = value();
      else if (arg == "--not-leaf") config.not_leaf_dir = value();
      else if (arg == "--field") config.field_dir = value();
      else if (arg == "--resume") config.resume = true;
      else if (arg == "--unlabeled") config.unlabelled_dir = value();
      else if (arg == "--device") device = value();
      else if (arg == "--seeds") seeds = value();
      else if (arg == "--epochs") config.supervised.epochs = static_cast<int>(number());
      else if (arg == "--batch")
        config.supervised.batch_size = config.ssl.finetune.batch_size = config.fixmatch.labelled.batch_size =
            static_cast<int>(number());
      else if (arg == "--lr") config.supervised.learning_rate = number();
      else if (arg == "--label-smoothing")
        config.supervised.label_smoothing = config.ssl.finetune.label_smoothing = number();
      else if (arg == "--weight-decay")
        config.supervised.weight_decay = config.ssl.finetune.weight_decay = config.fixmatch.labelled.weight_decay =
            number();
      else if (arg == "--field-style")
        config.supervised.augment.field_style = config.ssl.finetune.augment.field_style =
            config.fixmatch.labelled.augment.field_style = static_cast<float>(number());
      else if (arg == "--field-weight") field_weight = number();
      else if (arg == "--class-balance") class_balance = number();
      else if (arg == "--labelled-fraction") config.low_fraction = number();
      else if (arg == "--mid-fraction") config.mid_fraction = number();
      else if (arg == "--ssl-rounds") config.ssl.max_rounds = static_cast<int>(number());
      else if (arg == "--ssl-epochs") config.ssl.finetune.epochs = static_cast<int>(number());
      else if (arg == "--ssl-lr") config.ssl.finetune.learning_rate = number();
      else if (arg == "--ssl-threshold") config.ssl.threshold = number();
      else if (arg == "--ssl-min-new") config.ssl.min_new_fraction = number();
      else if (arg == "--fixmatch-epochs") config.fixmatch.epochs = static_cast<int>(number());
      else if (arg == "--fixmatch-lr") config.fixmatch.labelled.learning_rate = number();
      else if (arg == "--fixmatch-threshold") config.fixmatch.threshold = number();
      else if (arg == "--fixmatch-ratio") config.fixmatch.unlabelled_ratio = static_cast<int>(number());
      else if (arg == "--arms") config.arms = value();
      else if (arg == "--max-per-class") config.max_per_class = static_cast<int>(number());
      else if (arg == "--threads") threads = static_cast<int>(number());
      else if (arg == "--log-every")
        config.supervised.log_every = config.ssl.finetune.log_every = config.fixmatch.labelled.log_every =
            static_cast<int>(number());
      else if (arg == "--validate-every")
        config.supervised.validate_every = config.ssl.finetune.validate_every =
            config.fixmatch.labelled.validate_every = static_cast<int>(number());
      else if (arg == "--no-bn-recalibration")
        config.supervised.recalibrate_batchnorm = config.ssl.finetune.recalibrate_batchnorm =
            config.fixmatch.labelled.recalibrate_batchnorm = false;
      else if (arg == "--parity-images") config.parity_images = static_cast<int>(number());
      else throw UsageError("unknown option " + std::string(arg));
    }
    if (config.data_dir.empty() || config.out_dir.empty()) throw UsageError("--data and --out are required");
    if (config.supervised.epochs < 1 || config.ssl.finetune.epochs < 1 || config.supervised.batch_size < 1 ||
        config.low_fraction <= 0 || config.low_fraction > 1 || config.mid_fraction <= 0 || config.mid_fraction > 1 ||
        threads < 1)
      throw UsageError("epochs, batch and threads must be at least 1, fractions in (0, 1]");
    if (config.arms.empty() || config.arms.find_first_not_of("abcdef") != std::string::npos)
      throw UsageError("--arms takes letters of abcdef, e.g. --arms abe");
    if (!seeds.empty()) config.seeds = parse_seeds(seeds);
    if (field_weight < 0 || class_balance < 0 || class_balance > 1)
      throw UsageError("--field-weight must be at least 0, --class-balance in [0, 1]");
    for (SamplingConfig* sampling : {&config.supervised.sampling, &config.ssl.finetune.sampling,
                                     &config.fixmatch.labelled.sampling})
      *sampling = {field_weight, class_balance};
    config.device = parse_device(device);
    if (config.device.is_cuda()) at::globalContext().setBenchmarkCuDNN(true);  // fixed input shapes

    torch::set_num_threads(threads);
    const ExperimentResults results = run_experiment(config);
    const bool every_arm = std::string_view("abcdef").find_first_not_of(config.arms) == std::string_view::npos;
    if (!every_arm) {
      std::fprintf(stderr, "[done] arms %s in %s; run all arms (without --arms) to write the report\n",
                   config.arms.c_str(), config.out_dir.string().c_str());
      return 0;
    }
    write_report(results, config.out_dir);
    std::fprintf(stderr, "[done] models and report in %s\n", config.out_dir.string().c_str());
    return 0;
  } catch (const UsageError& e) {
    std::cerr << "leafcheck-train: " << e.what() << "\n\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "leafcheck-train: " << e.what() << "\n";
    return 1;
  }
}
