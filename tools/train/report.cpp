#include "report.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "confusion_png.h"
#include "report_figures.h"
#include "results_json.h"

namespace leafcheck::train {
namespace {

namespace fs = std::filesystem;

// The targets of the issue that asked for all 38 classes, "not a leaf" and field photos.
constexpr double kFullTop1 = 0.985, kClassTop1 = 0.93, kNotLeafRecall = 0.97, kLeavesCalledNotLeaf = 0.005;
constexpr double kFieldTop1 = 0.60, kFieldTop3 = 0.85, kLabLossPoints = 0.5, kGpuMinutes = 20;
constexpr size_t kThinClassPhotos = 100;

std::string minutes(double seconds) { return fixed(seconds / 60.0, 1) + " min"; }

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

std::string confusion_csv(const ExperimentReport& report, const ArmResult& arm) {
  std::ostringstream csv;
  csv << "true\\predicted";
  for (const std::string& c : report.classes) csv << ',' << c;
  csv << '\n';
  for (size_t t = 0; t < report.classes.size(); ++t) {
    csv << report.classes[t];
    for (size_t v : arm.test.confusion[t]) csv << ',' << v;
    csv << '\n';
  }
  return csv.str();
}

std::string per_class_csv(const ExperimentReport& report) {
  std::ostringstream csv;
  csv << "class,lab_photos,field_photos,test_images,field_test_images";
  for (const ArmResult& arm : report.arms) csv << ',' << arm.slug << ',' << arm.slug << "_field";
  csv << '\n';
  for (size_t c = 0; c < report.classes.size(); ++c) {
    csv << report.classes[c] << ',' << report.lab_photos[c] << ',' << report.field_photos[c] << ','
        << report.arms.front().test.per_class_count[c] << ',' << report.arms.front().field.per_class_count[c];
    for (const ArmResult& arm : report.arms)
      csv << ',' << fixed(arm.test.per_class_accuracy[c], 4) << ','
          << (arm.field.per_class_count[c] ? fixed(arm.field.per_class_accuracy[c], 4) : "");
    csv << '\n';
  }
  return csv.str();
}

std::string yes_no(bool met) { return met ? "**met**" : "**not met**"; }

class Card {
 public:
  explicit Card(const ExperimentResults& results)
      : results_(results), shipped_(results.seeds[results.shipped]), cfg_(shipped_.config), keys_(arm_keys(results)) {}

  std::string text() {
    header();
    targets();
    files();
    arms_by_seeds();
    semi_supervised();
    not_a_leaf();
    field();
    per_class();
    rounds();
    confusions();
    reproduce();
    recipe();
    limitations();
    return md_.str();
  }

 private:
  Spread spread(const std::string& key, const std::function<double(const ArmResult&)>& figure) const {
    return over_seeds(results_, key, figure);
  }
  bool ran(const std::string& key) const { return std::find(keys_.begin(), keys_.end(), key) != keys_.end(); }
  std::string title(const std::string& key) const { return "(" + key + ") " + find_arm(shipped_, key)->title; }
  size_t seeds() const { return results_.seeds.size(); }
  bool has_not_leaf() const { return shipped_.classes.back() == kNotLeafClass; }
  size_t leaf_classes() const { return shipped_.classes.size() - (has_not_leaf() ? 1 : 0); }

  void header() {
    md_ << "# Leafcheck model card: the app's `" << kAppModelName << "` and the experiment behind it\n\n";
    md_ << "**These models know " << leaf_classes() << " leaf classes";
    if (leaf_classes() < 38) md_ << " (of the 38 PlantVillage classes; the others are not in the data yet)";
    else md_ << " (all 38 PlantVillage classes)";
    if (has_not_leaf())
      md_ << " and a " << shipped_.classes.size() << "th output, `" << kNotLeafClass
          << "`: PlantVillage's own class of photos without leaves, which the app answers with \"This does not look "
             "like a leaf\".**";
    else
      md_ << ".** Something that is not a leaf still gets one of these labels.";
    std::vector<std::string> thin;
    for (size_t c = 0; c < leaf_classes(); ++c)
      if (shipped_.lab_photos[c] < kThinClassPhotos)
        thin.push_back("`" + shipped_.classes[c] + "` (" + std::to_string(shipped_.lab_photos[c]) + " lab photos, " +
                       std::to_string(shipped_.field_photos[c]) + " field crops)");
    if (!thin.empty()) {
      md_ << " Known only thinly, from fewer than " << kThinClassPhotos << " lab photos: ";
      for (size_t i = 0; i < thin.size(); ++i) md_ << (i ? ", " : "") << thin[i];
      md_ << "; their test figures rest on a handful of photos and are listed apart below.";
    }
    md_ << "\n\nWritten by `leafcheck-train` on " << shipped_.date << ", trained on `" << shipped_.device << "`, "
        << seeds() << " seed" << (seeds() > 1 ? "s" : "") << " (";
    for (size_t s = 0; s < seeds(); ++s) md_ << (s ? ", " : "") << results_.seeds[s].config.supervised.seed;
    md_ << "). Every figure below was measured in this run; re-running the command regenerates this file. The app "
           "ships seed "
        << cfg_.supervised.seed << "'s models: its arm (d) had the best validation top-1.\n\n";
  }

  void targets() {
    md_ << "## Targets\n\n| target | measured | |\n|---|---|---|\n";
    if (ran("d")) {
      const auto full = spread("d", [](const ArmResult& a) { return a.test.top1; });
      md_ << "| supervised 100%, test top-1 (mean of seeds) ≥ " << pct(kFullTop1) << " | " << mean_pm(full) << " | "
          << yes_no(full.mean >= kFullTop1) << " |\n";
      std::vector<std::string> below;
      for (size_t c = 0; c < shipped_.classes.size(); ++c) {
        if (c < leaf_classes() && shipped_.lab_photos[c] < kThinClassPhotos) continue;
        const auto acc = spread("d", [c](const ArmResult& a) { return a.test.per_class_accuracy[c]; });
        if (acc.mean < kClassTop1) below.push_back("`" + shipped_.classes[c] + "` " + pct(acc.mean));
      }
      md_ << "| every class with " << kThinClassPhotos << "+ photos ≥ " << pct(kClassTop1)
          << " (arm d, mean of seeds) | ";
      if (below.empty()) md_ << "all";
      for (size_t i = 0; i < below.size(); ++i) md_ << (i ? ", " : "below: ") << below[i];
      md_ << " | " << yes_no(below.empty()) << " |\n";
    }
    if (ran("c")) {
      const auto mid = spread("c", [](const ArmResult& a) { return a.test.top1; });
      for (const char* key : {"b", "e"})
        if (ran(key)) {
          const auto ssl = spread(key, [](const ArmResult& a) { return a.test.top1; });
          md_ << "| " << title(key) << " ≥ " << title("c") << " (mean of seeds) | " << mean_pm(ssl) << " vs "
              << mean_pm(mid) << " | " << yes_no(ssl.mean >= mid.mean) << " |\n";
        }
    }
    if (has_not_leaf() && ran("d")) {
      const NotLeafFigures nl = pooled_not_leaf("d");
      const double recall = nl.not_leaf ? double(nl.not_leaf_right) / nl.not_leaf : 0;
      const double wrong = nl.leaves ? double(nl.leaves_called_not_leaf) / nl.leaves : 0;
      md_ << "| photos without leaves answered \"not a leaf\" ≥ " << pct(kNotLeafRecall) << ", leaves called so ≤ "
          << pct(kLeavesCalledNotLeaf) << " (arm d, all seeds pooled) | " << pct(recall) << " (" << nl.not_leaf_right
          << "/" << nl.not_leaf << "), " << pct(wrong) << " (" << nl.leaves_called_not_leaf << "/" << nl.leaves
          << ") | " << yes_no(recall >= kNotLeafRecall && wrong <= kLeavesCalledNotLeaf) << " |\n";
    }
    if (shipped_.field_test_images && ran("d")) {
      const auto f1 = spread("d", [](const ArmResult& a) { return a.field.top1; });
      const auto f3 = spread("d", [](const ArmResult& a) { return a.field.top3; });
      md_ << "| field crops kept aside: top-1 ≥ " << pct(kFieldTop1) << ", top-3 ≥ " << pct(kFieldTop3)
          << " (arm d, mean of seeds) | " << mean_pm(f1) << ", " << mean_pm(f3) << " | "
          << yes_no(f1.mean >= kFieldTop1 && f3.mean >= kFieldTop3) << " |\n";
      if (ran("f")) {
        const auto with = spread("d", [](const ArmResult& a) { return a.test.top1; });
        const auto without = spread("f", [](const ArmResult& a) { return a.test.top1; });
        const double loss = 100 * (without.mean - with.mean);
        md_ << "| ... without losing more than " << fixed(kLabLossPoints, 1)
            << " points of lab test top-1 against " << title("f") << " | " << mean_pm(with) << " vs "
            << mean_pm(without) << " (" << (loss > 0 ? "-" : "+") << fixed(std::abs(loss), 2) << " points) | "
            << yes_no(loss <= kLabLossPoints) << " |\n";
      }
    }
    const bool gpu = shipped_.device.rfind("cuda", 0) == 0;
    md_ << "| the whole experiment, every arm and seed, in under " << fixed(kGpuMinutes, 0)
        << " minutes of GPU time | " << minutes(results_.elapsed_seconds)
        << " from the first session's start to the report (processes ran side by side on the device; their "
           "training times add up to "
        << minutes(results_.training_seconds) << ") | "
        << (gpu ? yes_no(results_.elapsed_seconds < kGpuMinutes * 60) : "trained on the CPU") << " |\n\n";
  }

  void files() {
    md_ << "## Files (seed " << cfg_.supervised.seed << ")\n\n"
        << "| file | model | weights | size | engine test top-1 | engine test top-3 | engine field top-1 | engine "
           "field top-3 | parity with LibTorch (max abs diff) |\n|---|---|---|---|---|---|---|---|---|\n";
    for (const ExportedModel& model : shipped_.models) {
      md_ << "| `" << model.file.filename().string() << "` | " << title(model.arm_key) << " | " << model.weights
          << " | " << model.bytes << " bytes | " << accuracy_with_count(model.engine_test.top1, model.engine_test.count)
          << " | " << accuracy_with_count(model.engine_test.top3, model.engine_test.count) << " | "
          << accuracy_with_count(model.engine_field.top1, model.engine_field.count) << " | "
          << accuracy_with_count(model.engine_field.top3, model.engine_field.count) << " | "
          << model.parity.max_abs_diff << " over " << model.parity.images << " test images |\n";
    }
    md_ << "\n`" << kAppModelName << kModelExtension
        << "` is arm (d)'s model with its weights stored as f16 (half the download); the app ships its int8 twin, "
           "`leafcheck-int8.lcm`, which `leafcheck-model quantize` makes from it after training (the int8 section "
           "below, added with it, and `tools/train/remote/README.md`). f16 rounding alone moves "
           "probabilities by more than the 1e-4 the f32 files are held to, so its parity is only reported and its "
           "accuracy is measured on its own. The engine columns are the engine's own predictions from each file: "
           "the test columns are what `leafcheck-cli --labels-from-folders --split test` prints for that file on the "
           "lab folder and the not-a-leaf folder (`tools/train/verify-models.mjs` checks it), the field columns are "
           "on the field crops kept aside (`--split field-test` on the field folder, checked the same way). Arms (c) and (f) are trained for comparison only; their LibTorch weights "
           "stay in the run folder (`seed-N/<arm>/model.pt`). Format: `model/FORMAT.md`, BatchNorm folded into the "
           "convolutions, input 128x128 RGB normalised with ImageNet's mean and std, labels = the class folder "
           "names.\n\nClasses (output order, numbered as in the confusion pictures): ";
    for (size_t c = 0; c < shipped_.classes.size(); ++c)
      md_ << (c ? ", " : "") << c + 1 << " `" << shipped_.classes[c] << "`";
    md_ << ".\n\n";
  }

  void seed_table(const std::string& heading, const std::function<double(const ArmResult&)>& figure) {
    md_ << "| " << heading << " |";
    for (const ExperimentReport& seed : results_.seeds) md_ << " seed " << seed.config.supervised.seed << " |";
    md_ << " mean ± std |\n|---|";
    for (size_t s = 0; s <= seeds(); ++s) md_ << "---|";
    md_ << "\n";
    for (const std::string& key : keys_) {
      const Spread sp = spread(key, figure);
      md_ << "| " << title(key) << " |";
      for (double v : sp.values) md_ << " " << pct(v) << " |";
      md_ << " " << mean_pm(sp) << " |\n";
    }
    md_ << "\n";
  }

  void arms_by_seeds() {
    md_ << "## Arms x seeds\n\nLab test split: " << shipped_.test_images << " photos (leaves and, where present, "
        << "photos without leaves); one photo = " << pct(1.0 / std::max<size_t>(1, shipped_.test_images))
        << ". Field: " << shipped_.field_test_images << " crops kept aside. Labelled fractions are of the whole "
        << "training split (lab, not-a-leaf and field crops alike).\n\n";
    seed_table("lab test top-1", [](const ArmResult& a) { return a.test.top1; });
    seed_table("lab test top-3", [](const ArmResult& a) { return a.test.top3; });
    if (shipped_.field_test_images) {
      seed_table("field top-1", [](const ArmResult& a) { return a.field.top1; });
      seed_table("field top-3", [](const ArmResult& a) { return a.field.top3; });
    }
    md_ << "| arm | labelled | pseudo-labels / unlabelled pool | macro-F1 (mean) | validation top-1 (mean) | training "
           "time (mean) |\n|---|---|---|---|---|---|\n";
    for (const std::string& key : keys_) {
      const ArmResult* arm = find_arm(shipped_, key);
      md_ << "| " << title(key) << " | " << arm->labelled << " | " << arm->pseudo_labelled << " | "
          << fixed(spread(key, [](const ArmResult& a) { return a.test.macro_f1; }).mean, 4) << " | "
          << pct(spread(key, [](const ArmResult& a) { return a.validation_top1; }).mean) << " | "
          << minutes(spread(key, [](const ArmResult& a) { return a.train_seconds; }).mean) << " |\n";
    }
    md_ << "\nTraining times of (b) and (e) include arm (a), which they start from.\n\n";
  }

  void semi_supervised() {
    if (!ran("c") || !ran("a")) return;
    md_ << "## Semi-supervised: from " << std::lround(100 * cfg_.low_fraction) << "% of the labels against "
        << std::lround(100 * cfg_.mid_fraction) << "%\n\n";
    for (const char* key : {"b", "e"}) {
      if (!ran(key)) continue;
      std::vector<double> diffs;
      for (const ExperimentReport& seed : results_.seeds)
        if (const ArmResult *ssl = find_arm(seed, key), *mid = find_arm(seed, "c"); ssl && mid)
          diffs.push_back(ssl->test.top1 - mid->test.top1);
      const Spread paired = spread_of(diffs);
      const double mean = paired.mean, se = paired.stddev / std::sqrt(double(std::max<size_t>(1, diffs.size())));
      const auto gain = spread(key, [](const ArmResult& a) { return a.test.top1; }).mean -
                        spread("a", [](const ArmResult& a) { return a.test.top1; }).mean;
      md_ << "- " << title(key) << " minus " << title("c") << ", paired by seed: ";
      for (size_t i = 0; i < diffs.size(); ++i) md_ << (i ? ", " : "") << (diffs[i] >= 0 ? "+" : "") << fixed(100 * diffs[i], 2);
      md_ << " points; mean " << (mean >= 0 ? "+" : "") << fixed(100 * mean, 2) << " ± " << fixed(100 * se, 2)
          << " (standard error). \"At least as accurate as supervised on " << std::lround(100 * cfg_.mid_fraction)
          << "%\": ";
      if (diffs.size() < 2) md_ << (mean >= 0 ? "holds in this one seed, which cannot tell noise apart" : "does not hold in this one seed");
      else if (mean - 2 * se >= 0) md_ << "**holds beyond the noise** (mean minus two standard errors ≥ 0)";
      else if (mean >= 0) md_ << "**holds on average, within the noise** (two standard errors span zero)";
      else if (mean + 2 * se < 0) md_ << "**does not hold** (below zero beyond two standard errors)";
      else md_ << "**does not hold on average**, within the noise";
      md_ << ". Against supervised on the same " << std::lround(100 * cfg_.low_fraction) << "%: "
          << (gain >= 0 ? "+" : "") << fixed(100 * gain, 2) << " points.\n";
    }
    md_ << "\n";
  }

  NotLeafFigures pooled_not_leaf(const std::string& key) const {
    NotLeafFigures total;
    for (const ExperimentReport& seed : results_.seeds)
      if (const ArmResult* arm = find_arm(seed, key)) {
        const NotLeafFigures f = not_leaf_figures(arm->test, seed.classes);
        total.not_leaf += f.not_leaf;
        total.not_leaf_right += f.not_leaf_right;
        total.leaves += f.leaves;
        total.leaves_called_not_leaf += f.leaves_called_not_leaf;
      }
    return total;
  }

  void not_a_leaf() {
    if (!has_not_leaf()) return;
    md_ << "## Not a leaf\n\n`" << kNotLeafClass << "` is trained from `" << cfg_.not_leaf_dir->string()
        << "` (photos of scenes without leaves), split by file name like the lab photos. Pooled over seeds:\n\n"
        << "| arm | photos without leaves answered \"not a leaf\" | lab leaves answered \"not a leaf\" | field "
           "crops answered \"not a leaf\" |\n|---|---|---|---|\n";
    const size_t not_leaf = shipped_.classes.size() - 1;
    for (const std::string& key : keys_) {
      const NotLeafFigures f = pooled_not_leaf(key);
      size_t field_total = 0, field_called = 0;
      for (const ExperimentReport& seed : results_.seeds)
        if (const ArmResult* arm = find_arm(seed, key); arm && !arm->field.confusion.empty())
          for (size_t t = 0; t < seed.classes.size(); ++t) {
            for (size_t v : arm->field.confusion[t]) field_total += v;
            field_called += arm->field.confusion[t][not_leaf];
          }
      md_ << "| " << title(key) << " | " << accuracy_with_count(f.not_leaf ? double(f.not_leaf_right) / f.not_leaf : 0, f.not_leaf)
          << " | " << accuracy_with_count(f.leaves ? double(f.leaves_called_not_leaf) / f.leaves : 0, f.leaves) << " | "
          << accuracy_with_count(field_total ? double(field_called) / field_total : 0, field_total) << " |\n";
    }
    md_ << "\n";
  }

  void field() {
    if (!cfg_.field_dir) return;
    md_ << "## Field photos\n\nCrops of real field photos from `" << cfg_.field_dir->string()
        << "`, filed under the lab class names. Several crops come from one photo, so the split hashes the photo's "
           "name (`field_photo_name`, then `split_of`): crops of photos in the train bucket ("
        << shipped_.field_train_images << " crops) **train**, drawn " << fixed(cfg_.supervised.sampling.field_weight, 1)
        << "x as often as a lab photo; crops of photos in the validation and test buckets ("
        << shipped_.field_test_images
        << " crops) **only measure**: every field figure in this card is on them. Arm (f) trains without any field "
           "crop, with the plain augmentation of the earlier recipe.\n\n| class | field crops (train + measured) | "
           "measured | (d) field top-1, seed "
        << cfg_.supervised.seed << " |";
    if (ran("f")) md_ << " (f) field top-1 |";
    md_ << "\n|---|---|---|---|" << (ran("f") ? "---|" : "") << "\n";
    const ArmResult* full = find_arm(shipped_, "d");
    const ArmResult* lab = find_arm(shipped_, "f");
    for (size_t c = 0; c < shipped_.classes.size(); ++c) {
      if (!shipped_.field_photos[c]) continue;
      const size_t n = full ? full->field.per_class_count[c] : 0;
      md_ << "| " << shipped_.classes[c] << " | " << shipped_.field_photos[c] << " | " << n << " | "
          << (full && n ? pct(full->field.per_class_accuracy[c]) : "-") << " |";
      if (lab) md_ << " " << (n ? pct(lab->field.per_class_accuracy[c]) : "-") << " |";
      md_ << "\n";
    }
    md_ << "\n";
  }

  void per_class() {
    md_ << "## Per-class accuracy (lab test, seed " << cfg_.supervised.seed << ")\n\n| class | lab photos | test images |";
    for (const ArmResult& arm : shipped_.arms) md_ << " (" << arm.key << ") " << arm.slug << " |";
    md_ << "\n|---|---|---|";
    for (size_t a = 0; a < shipped_.arms.size(); ++a) md_ << "---|";
    md_ << "\n";
    for (size_t c = 0; c < shipped_.classes.size(); ++c) {
      const bool thin = c < leaf_classes() && shipped_.lab_photos[c] < kThinClassPhotos;
      md_ << "| " << shipped_.classes[c] << (thin ? " (thin)" : "") << " | " << shipped_.lab_photos[c] << " | "
          << shipped_.arms.front().test.per_class_count[c] << " |";
      for (const ArmResult& arm : shipped_.arms)
        md_ << " " << (arm.test.per_class_count[c] ? pct(arm.test.per_class_accuracy[c]) : "-") << " |";
      md_ << "\n";
    }
    md_ << "\nAlso in `per-class-accuracy.csv`, with the field accuracy per class and arm.\n\n";
  }

  void rounds() {
    if (ran("b")) {
      md_ << "## Pseudo-labelling rounds (arm b)\n\nPool: the training images outside the labelled "
          << std::lround(100 * cfg_.low_fraction)
          << "%. The simulation knows their true labels and counts how many accepted pseudo-labels are right.\n\n"
          << "| seed | round | candidates | accepted | right | precision | in use | retrained | test top-1 after "
             "|\n|---|---|---|---|---|---|---|---|---|\n";
      for (const ExperimentReport& seed : results_.seeds)
        for (const SslRound& r : seed.ssl_rounds)
          md_ << "| " << seed.config.supervised.seed << " | " << r.round << " | " << r.candidates << " | " << r.accepted
              << " | " << r.accepted_correct << " of " << r.accepted_with_truth << " | "
              << (r.accepted_with_truth ? pct(double(r.accepted_correct) / r.accepted_with_truth) : "-") << " | "
              << r.total_accepted << " | " << (r.retrained ? "yes" : "no (too few new labels)") << " | "
              << (r.retrained ? pct(r.test_top1) : "-") << " |\n";
      md_ << "\n";
    }
    if (ran("e")) {
      md_ << "## FixMatch epochs (arm e)\n\nEach epoch passes once over the unlabelled pool. \"Above\": weak views "
             "whose top probability reached "
          << cfg_.fixmatch.threshold
          << " and so taught their strong view; \"precision\": how many of those pseudo-labels were right.\n\n"
             "| seed | epoch | above threshold | precision | validation top-1 |\n|---|---|---|---|---|\n";
      for (const ExperimentReport& seed : results_.seeds)
        for (const FixMatchEpoch& e : seed.fixmatch_epochs)
          md_ << "| " << seed.config.supervised.seed << " | " << e.epoch << " | "
              << accuracy_with_count(e.unlabelled_seen ? double(e.above_threshold) / e.unlabelled_seen : 0,
                                     e.unlabelled_seen)
              << " | "
              << (e.above_with_truth ? accuracy_with_count(double(e.above_correct) / e.above_with_truth, e.above_with_truth) : "-")
              << " | " << (e.validation_top1 >= 0 ? pct(e.validation_top1) : "-") << " |\n";
      md_ << "\n";
    }
  }

  void confusions() {
    md_ << "## Confusion matrices (lab test, seed " << cfg_.supervised.seed
        << ")\n\nRows: true class, columns: predicted class, both numbered in the class order above. Pictures: "
           "green diagonal = right, red = mistakes, shade = fraction of the row.\n\n";
    for (const ArmResult& arm : shipped_.arms)
      md_ << "- (" << arm.key << ") " << arm.title << ": `confusion-" << arm.slug << ".csv`, ![confusion " << arm.slug
          << "](confusion-" << arm.slug << ".png)\n";
    md_ << "\n";
  }

  void reproduce() {
    md_ << "## Reproduce\n\n```sh\ntools/train/run-experiment.sh                 # CPU, here (days; resumable)\n"
           "tools/train/remote/pack-data.sh                # then the lent GPU machine (minutes): tools/train/remote/README.md\n```\n\n"
           "Both run `leafcheck-train`, copy the models and this report into `model/`, and evaluate every model file "
           "with `leafcheck-cli` (`tools/train/verify-models.mjs`), which must print the engine figures of the Files "
           "table. This report was written by:\n\n```\n"
        << cfg_.command_line << "\n```\n\nEvery invocation on the run folder (UTC start, command), oldest first:\n\n```\n";
    for (const std::string& session : shipped_.sessions) md_ << session << "\n";
    md_ << "```\n\n- Data: " << shipped_.data_source << "\n- Split by a hash of each file name (`split_of`, shared "
        << "with the CLI's `--split`): " << shipped_.train_images << " train (of them " << shipped_.field_train_images
        << " field crops), " << shipped_.validation_images << " validation, " << shipped_.test_images << " test, "
        << shipped_.field_test_images << " field crops measured";
    if (shipped_.unlabelled_images) md_ << "; " << shipped_.unlabelled_images << " extra unlabelled photos";
    md_ << "; " << shipped_.skipped_images << " files skipped as unreadable\n"
        << "- Preprocessing: the engine's own `decode_image` + `center_crop_resize` to 128x128 (train and serve see "
           "identical pixels), decoded once and held on the training device\n\n";
  }

  void recipe() {
    const TrainConfig& sup = cfg_.supervised;
    const AugmentConfig& a = sup.augment;
    md_ << "## Training recipe\n\n"
        << "- Network: 4 x [Conv3x3 (pad 1) - BatchNorm - ReLU - MaxPool2x2] with 32/64/128/256 channels, global "
           "average pool, Linear(256, 256), ReLU, Linear(256, "
        << shipped_.classes.size() << ")\n"
        << "- Sampling: each epoch draws as many examples as the arm has, with replacement; a field crop weighs "
        << fixed(sup.sampling.field_weight, 1) << " lab photos and a class's share grows with its weight to the power "
        << fixed(1 - sup.sampling.class_balance, 2) << " (thin classes are drawn more often than their share)\n"
        << "- Augmentation, batched on the training device: for every image flips, 90-degree turns and rotations up to "
        << fixed(a.max_rotation_degrees, 0) << " degrees (mirrored borders), crops of " << std::lround(100 * a.min_crop_area)
        << "-100% of the area (aspect +-" << std::lround(100 * a.max_aspect_change)
        << "%) resized back; then, for " << pct(a.field_style)
        << " of images (the others stay clean), the field-style steps: lab leaves get a busy background with probability "
        << fixed(a.background, 2)
        << " (the leaf is cut out of its plain grey background by saturation, and photos without leaves or blurred "
           "field crops go behind it); brightness/contrast x[1-"
        << a.brightness << ", 1+" << a.brightness << "], saturation x[1-" << a.saturation << ", 1+" << a.saturation
        << "], colour cast per channel +-" << std::lround(100 * a.colour_cast) << "%, gamma; Gaussian blur ("
        << pct(a.blur) << " of images), low resolution (32-96 px and back, " << pct(a.low_resolution)
        << "), JPEG quantisation at quality 15-75 with 4:2:0 chroma (" << pct(a.jpeg) << "), noise up to "
        << a.noise << "\n"
        << "- Supervised arms: Adam, learning rate " << sup.learning_rate << " with " << sup.warmup_steps
        << "-step linear warm-up then cosine decay to 0, batch " << sup.batch_size << ", " << sup.epochs
        << " epochs, label smoothing " << sup.label_smoothing << ", weight decay " << sup.weight_decay << "; every arm of a seed starts from the same initial "
           "weights\n"
        << "- Labelled subsets: per class, the files whose seeded name hash is lowest, so the "
        << std::lround(100 * cfg_.low_fraction) << "% set is inside the " << std::lround(100 * cfg_.mid_fraction)
        << "% set\n"
        << "- Pseudo-labelling (arm b, the seed system's recipe): from arm (a)'s model; each round predicts the "
           "unlabelled pool (eval mode, no augmentation), accepts predictions with probability > "
        << cfg_.ssl.threshold << " as labels, then trains on labelled + accepted for " << cfg_.ssl.finetune.epochs
        << " epochs (learning rate " << cfg_.ssl.finetune.learning_rate << ", cosine); at most " << cfg_.ssl.max_rounds
        << " rounds\n"
        << "- FixMatch (arm e): from arm (a)'s model, " << cfg_.fixmatch.epochs
        << " passes over the unlabelled pool; every batch holds " << cfg_.fixmatch.labelled.batch_size
        << " labelled photos (augmented as above) and " << cfg_.fixmatch.labelled.batch_size * cfg_.fixmatch.unlabelled_ratio
        << " unlabelled ones in two views: a weak one (flips, turns, mild crop) whose prediction, when its top "
           "probability reaches "
        << cfg_.fixmatch.threshold
        << ", becomes the label for a strong one (busy background 70%, stronger colour, blur, low resolution, JPEG, "
           "cutout); loss = labelled cross-entropy + "
        << cfg_.fixmatch.unlabelled_weight << " x masked consistency cross-entropy; Adam, learning rate "
        << cfg_.fixmatch.labelled.learning_rate << ", warm-up then cosine\n"
        << "- Arm (f): like (d) on the lab and not-a-leaf photos only, with the earlier plain augmentation (flips, "
           "turns, 80-100% crops, colour x[0.8, 1.2])\n"
        << "- Export: BatchNorm folded into each convolution in double precision, then `serialize_model`; each "
           "written file is loaded in the engine and its probabilities compared with LibTorch's eval-mode network "
           "on the CPU (f32 files must agree within 1e-4)\n\n";
  }

  void limitations() {
    md_ << "## Limitations\n\n"
        << "- PlantVillage lab photos are single leaves on plain backgrounds; the field crops come from PlantDoc, "
           "whose labels are known to be noisy, and cover only the classes listed under Field photos.\n"
        << "- The field figures are on crops of photos kept aside here; another half of PlantDoc's photos is held "
           "outside the project to measure independently.\n"
        << "- Thin classes rest on a few lab photos and the field crops; their lab test figures are a handful of "
           "images.\n"
        << "- A photo of a leaf of a crop outside these classes still gets one of these labels.\n";
  }

  const ExperimentResults& results_;
  const ExperimentReport& shipped_;
  const ExperimentConfig& cfg_;
  std::vector<std::string> keys_;
  std::ostringstream md_;
};

}  // namespace

void write_report(const ExperimentResults& results, const fs::path& dir) {
  fs::create_directories(dir);
  const ExperimentReport& shipped = results.seeds[results.shipped];
  write_text(dir / "README.md", Card(results).text());
  write_text(dir / "results.json", results_json(results));
  write_text(dir / "per-class-accuracy.csv", per_class_csv(shipped));
  for (const ArmResult& arm : shipped.arms) {
    write_text(dir / ("confusion-" + arm.slug + ".csv"), confusion_csv(shipped, arm));
    write_confusion_png(arm.test.confusion, dir / ("confusion-" + arm.slug + ".png"));
  }
  for (const ExperimentReport& seed : results.seeds)
    write_text(seed.config.out_dir / "results.json", seed_results_json(seed));
}

}  // namespace leafcheck::train
