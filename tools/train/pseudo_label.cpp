#include "pseudo_label.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "predict.h"

namespace leafcheck::train {
namespace {

namespace fs = std::filesystem;

struct Accepted {
  int64_t index;
  int label;
  double confidence;
};

void write_accepted(const fs::path& file, const ImageSet& images, const std::vector<Accepted>& accepted) {
  const fs::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp);
    out << "index,pseudo_label,confidence,true_label,path\n";
    for (const Accepted& a : accepted)
      out << a.index << ',' << a.label << ',' << a.confidence << ',' << images.labels[a.index] << ','
          << images.paths[a.index].string() << '\n';
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, file);
}

std::vector<Accepted> read_accepted(const fs::path& file, const ImageSet& images) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  std::vector<Accepted> accepted;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string index, label, confidence, truth, path;
    std::getline(fields, index, ',');
    std::getline(fields, label, ',');
    std::getline(fields, confidence, ',');
    std::getline(fields, truth, ',');
    std::getline(fields, path);
    const int64_t i = std::stoll(index);
    if (i < 0 || i >= images.size() || images.paths[i].string() != path)
      throw std::runtime_error(file.string() + " refers to images that are not loaded the same way now; delete " +
                               file.parent_path().string() + " to redo the round");
    accepted.push_back({i, std::stoi(label), std::stod(confidence)});
  }
  return accepted;
}

std::vector<Accepted> accept_confident(SeedNet& net, const ImageSet& images, const std::vector<int64_t>& candidates,
                                       const SslConfig& config) {
  auto probabilities = predict_probabilities(net, images, candidates, config.finetune.normalization);
  auto [confidence, label] = probabilities.max(1);
  auto confidence_a = confidence.accessor<float, 1>();
  auto label_a = label.accessor<int64_t, 1>();
  std::vector<Accepted> accepted;
  for (size_t i = 0; i < candidates.size(); ++i)
    if (confidence_a[i] > config.threshold)
      accepted.push_back({candidates[i], static_cast<int>(label_a[i]), confidence_a[i]});
  return accepted;
}

}  // namespace

std::vector<SslRound> run_pseudo_labelling(SeedNet& net, const ImageSet& images, const DeviceImages& data,
                                           const std::vector<Example>& labelled,
                                           const std::vector<int64_t>& pool, const std::vector<int64_t>& validation,
                                           const std::vector<int64_t>& test, const SslConfig& config,
                                           const fs::path& dir) {
  std::vector<SslRound> rounds;
  std::vector<bool> has_pseudo_label(static_cast<size_t>(images.size()), false);
  std::vector<Example> examples = labelled;
  SslRound totals;
  for (int r = 1; r <= config.max_rounds; ++r) {
    const fs::path round_dir = dir / ("round-" + std::to_string(r));
    fs::create_directories(round_dir);
    SslRound round;
    round.round = r;
    std::vector<int64_t> candidates;
    for (int64_t i : pool)
      if (!has_pseudo_label[i]) candidates.push_back(i);
    round.candidates = candidates.size();

    const fs::path accepted_file = round_dir / "pseudo-labels.csv";
    std::vector<Accepted> accepted;
    if (fs::exists(accepted_file)) {
      accepted = read_accepted(accepted_file, images);
    } else {
      accepted = accept_confident(net, images, candidates, config);
      write_accepted(accepted_file, images, accepted);
    }
    for (const Accepted& a : accepted) {
      has_pseudo_label[a.index] = true;
      examples.push_back({a.index, a.label});
      if (images.labels[a.index] == kUnknownLabel) continue;
      ++round.accepted_with_truth;
      if (images.labels[a.index] == a.label) ++round.accepted_correct;
    }
    round.accepted = accepted.size();
    totals.total_accepted += round.accepted;
    totals.total_with_truth += round.accepted_with_truth;
    totals.total_correct += round.accepted_correct;
    round.total_accepted = totals.total_accepted;
    round.total_with_truth = totals.total_with_truth;
    round.total_correct = totals.total_correct;
    std::fprintf(stderr, "[ssl] round %d: %zu candidates, accepted %zu (%zu of %zu with known truth right), %zu in use\n",
                 r, round.candidates, round.accepted, round.accepted_correct, round.accepted_with_truth,
                 round.total_accepted);

    const bool enough = round.accepted > 0 &&
                        static_cast<double>(round.accepted) >= config.min_new_fraction * static_cast<double>(pool.size());
    if (enough) {
      TrainConfig finetune = config.finetune;
      finetune.seed = config.finetune.seed + static_cast<uint64_t>(r);
      round.seconds = train_model(net, images, data, examples, validation, finetune, round_dir / "train",
                                  "ssl round " + std::to_string(r))
                          .seconds;
      round.retrained = true;
      round.test_top1 = top1_accuracy(net, images, test, config.finetune.normalization);
      std::fprintf(stderr, "[ssl] round %d: test top-1 %.4f\n", r, round.test_top1);
    }
    rounds.push_back(round);
    if (!enough || round.candidates == round.accepted) break;
  }
  return rounds;
}

}  // namespace leafcheck::train
