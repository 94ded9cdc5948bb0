// leafcheck-train: runs the training experiment on a PlantVillage-layout folder and writes the
// model files plus the report (model card, CSVs, confusion PNGs) into --out.
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "experiment.h"
#include "report.h"

namespace {

constexpr const char* kUsage = R"(usage: leafcheck-train --data DIR --out DIR [options]

Runs (a) supervised on --labelled-fraction of the training split, (b) pseudo-labelling from the same
labels, (c) supervised on --mid-fraction, (d) supervised on all of it; writes leafcheck-baseline.lcm (a),
leafcheck-ssl.lcm (b), leafcheck-supervised-100.lcm (d), the app's leafcheck.lcm ((d) with f16 weights),
README.md (model card), results.json, CSVs and confusion PNGs into --out.
Checkpoints go under --out after every epoch.

  --data DIR              PlantVillage layout: DIR/<class name>/*.jpg|png
  --out DIR               run folder (must be empty unless --resume)
  --resume                continue the run in --out where it stopped
  --unlabeled DIR         extra photos without labels for pseudo-labelling (searched recursively)
  --seed N                default 1
  --epochs N              supervised epochs per arm, default 30
  --batch N               default 32
  --lr X                  Adam learning rate, default 0.001
  --label-smoothing X     default 0
  --labelled-fraction X   default 0.3
  --mid-fraction X        default 0.6
  --ssl-rounds N          maximum pseudo-labelling rounds, default 3
  --ssl-epochs N          training epochs per round, default 10
  --ssl-lr X              learning rate per round, default 0.0005
  --ssl-threshold X       accept pseudo-labels with probability above X, default 0.9
  --ssl-min-new X         stop when a round adds less than this fraction of the pool, default 0.01
  --arms LIST             run only these arms (letters of abcd; b includes a) without writing the
                          report, e.g. two processes "--arms ab" and "--arms cd" on one --out
                          with --resume, then one run of all arms writes the report
  --max-per-class N       use only the first N files of each class (quick runs)
  --threads N             LibTorch threads, default 2
  --log-every N           batches between progress lines, default 10
  --validate-every N      epochs between validation passes, default 5
  --parity-images N       test images for the engine parity check, default 32
)";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace leafcheck::train;
  try {
    ExperimentConfig config;
    config.ssl.finetune.learning_rate = 5e-4;
    // Two epochs per round without warm-up knocked the model off its minimum (test top-1 fell
    // after every round); ten with a warm-up let it settle on the larger set.
    config.ssl.finetune.epochs = 10;
    int threads = 2;
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
      else if (arg == "--resume") config.resume = true;
      else if (arg == "--unlabeled") config.unlabelled_dir = value();
      else if (arg == "--seed") config.seed = static_cast<uint64_t>(number());
      else if (arg == "--epochs") config.supervised.epochs = static_cast<int>(number());
      else if (arg == "--batch") config.supervised.batch_size = config.ssl.finetune.batch_size = static_cast<int>(number());
      else if (arg == "--lr") config.supervised.learning_rate = number();
      else if (arg == "--label-smoothing")
        config.supervised.label_smoothing = config.ssl.finetune.label_smoothing = number();
      else if (arg == "--labelled-fraction") config.low_fraction = number();
      else if (arg == "--mid-fraction") config.mid_fraction = number();
      else if (arg == "--ssl-rounds") config.ssl.max_rounds = static_cast<int>(number());
      else if (arg == "--ssl-epochs") config.ssl.finetune.epochs = static_cast<int>(number());
      else if (arg == "--ssl-lr") config.ssl.finetune.learning_rate = number();
      else if (arg == "--ssl-threshold") config.ssl.threshold = number();
      else if (arg == "--ssl-min-new") config.ssl.min_new_fraction = number();
      else if (arg == "--arms") config.arms = value();
      else if (arg == "--max-per-class") config.max_per_class = static_cast<int>(number());
      else if (arg == "--threads") threads = static_cast<int>(number());
      else if (arg == "--log-every") config.supervised.log_every = config.ssl.finetune.log_every = static_cast<int>(number());
      else if (arg == "--validate-every")
        config.supervised.validate_every = config.ssl.finetune.validate_every = static_cast<int>(number());
      else if (arg == "--parity-images") config.parity_images = static_cast<int>(number());
      else throw UsageError("unknown option " + std::string(arg));
    }
    if (config.data_dir.empty() || config.out_dir.empty()) throw UsageError("--data and --out are required");
    if (config.supervised.epochs < 1 || config.ssl.finetune.epochs < 1 || config.supervised.batch_size < 1 ||
        config.low_fraction <= 0 || config.low_fraction > 1 || config.mid_fraction <= 0 || config.mid_fraction > 1 ||
        threads < 1)
      throw UsageError("epochs, batch and threads must be at least 1, fractions in (0, 1]");
    if (config.arms.empty() || config.arms.find_first_not_of("abcd") != std::string::npos)
      throw UsageError("--arms takes letters of abcd, e.g. --arms ab");
    config.ssl.finetune.seed = config.supervised.seed = config.seed;

    torch::set_num_threads(threads);
    const ExperimentReport report = run_experiment(config);
    if (report.arms.size() < 4) {
      std::fprintf(stderr, "[done] arms %s in %s; run all arms (without --arms) to write the report\n",
                   config.arms.c_str(), config.out_dir.string().c_str());
      return 0;
    }
    write_report(report, config.out_dir);
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
