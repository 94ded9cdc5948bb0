#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "confusion_png.h"
#include "json_text.h"

namespace leafcheck::train {
namespace {

namespace fs = std::filesystem;

constexpr double kQualityBarTop1 = 0.97;

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string pct(double fraction) { return fixed(100.0 * fraction, 2) + "%"; }

// "98.31% (756/769)"
std::string accuracy_with_count(double accuracy, size_t count) {
  return pct(accuracy) + " (" + std::to_string(correct_count(accuracy, count)) + "/" + std::to_string(count) + ")";
}

std::string minutes(double seconds) { return fixed(seconds / 60.0, 1) + " min"; }

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

const ArmResult* find_arm(const ExperimentReport& report, const std::string& key) {
  for (const ArmResult& arm : report.arms)
    if (arm.key == key) return &arm;
  return nullptr;
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
  csv << "class,test_images";
  for (const ArmResult& arm : report.arms) csv << ',' << arm.slug;
  csv << '\n';
  for (size_t c = 0; c < report.classes.size(); ++c) {
    csv << report.classes[c] << ',' << report.arms.front().test.per_class_count[c];
    for (const ArmResult& arm : report.arms) csv << ',' << fixed(arm.test.per_class_accuracy[c], 4);
    csv << '\n';
  }
  return csv.str();
}

std::string results_json(const ExperimentReport& report) {
  std::ostringstream j;
  j << "{\n  \"date\": " << json_quote(report.date) << ",\n  \"command\": " << json_quote(report.config.command_line)
    << ",\n  \"seed\": " << report.config.seed << ",\n  \"data_source\": " << json_quote(report.data_source)
    << ",\n  \"classes\": [";
  for (size_t c = 0; c < report.classes.size(); ++c) j << (c ? ", " : "") << json_quote(report.classes[c]);
  j << "],\n  \"images\": {\"train\": " << report.train_images << ", \"validation\": " << report.validation_images
    << ", \"test\": " << report.test_images << ", \"unlabelled\": " << report.unlabelled_images
    << ", \"skipped\": " << report.skipped_images << "},\n  \"arms\": [";
  for (size_t a = 0; a < report.arms.size(); ++a) {
    const ArmResult& arm = report.arms[a];
    j << (a ? "," : "") << "\n    {\"key\": " << json_quote(arm.key) << ", \"name\": " << json_quote(arm.slug)
      << ", \"title\": " << json_quote(arm.title) << ", \"labelled\": " << arm.labelled
      << ", \"pseudo_labelled\": " << arm.pseudo_labelled << ", \"test_top1\": " << fixed(arm.test.top1, 6)
      << ", \"test_top3\": " << fixed(arm.test.top3, 6) << ", \"test_macro_f1\": " << fixed(arm.test.macro_f1, 6)
      << ", \"validation_top1\": " << fixed(arm.validation_top1, 6) << ", \"train_seconds\": " << fixed(arm.train_seconds, 1)
      << "}";
  }
  j << "\n  ],\n  \"ssl_rounds\": [";
  for (size_t r = 0; r < report.ssl_rounds.size(); ++r) {
    const SslRound& round = report.ssl_rounds[r];
    j << (r ? "," : "") << "\n    {\"round\": " << round.round << ", \"candidates\": " << round.candidates
      << ", \"accepted\": " << round.accepted << ", \"accepted_with_truth\": " << round.accepted_with_truth
      << ", \"accepted_correct\": " << round.accepted_correct << ", \"total_accepted\": " << round.total_accepted
      << ", \"retrained\": " << (round.retrained ? "true" : "false") << ", \"test_top1\": " << fixed(round.test_top1, 6)
      << "}";
  }
  j << "\n  ],\n  \"models\": [";
  for (size_t m = 0; m < report.models.size(); ++m) {
    const ExportedModel& model = report.models[m];
    j << (m ? "," : "") << "\n    {\"file\": " << json_quote(model.file.filename().string())
      << ", \"arm\": " << json_quote(model.arm_key) << ", \"weights\": " << json_quote(model.weights)
      << ", \"bytes\": " << model.bytes << ", \"engine_test_images\": " << model.engine_test.count
      << ", \"engine_test_top1\": " << fixed(model.engine_test.top1, 6)
      << ", \"engine_test_top3\": " << fixed(model.engine_test.top3, 6)
      << ", \"parity_images\": " << model.parity.images << ", \"parity_max_abs_diff\": " << model.parity.max_abs_diff
      << "}";
  }
  j << "\n  ]\n}\n";
  return j.str();
}

std::string model_card(const ExperimentReport& report) {
  const ExperimentConfig& cfg = report.config;
  const TrainConfig& sup = cfg.supervised;
  const TrainConfig& fine = cfg.ssl.finetune;
  std::ostringstream md;
  md << "# Leafcheck model card: `leafcheck-baseline`, `leafcheck-ssl`, `leafcheck-supervised-100` and the app's `"
     << kAppModelName << "`\n\n"
     << "**These models know " << report.classes.size() << " classes";
  if (report.classes.size() < 38) md << " (of the 38 PlantVillage classes; the others are not in the data yet)";
  md << ".** Any photo is classified as one of them; a leaf of another class, or something that is not a leaf, "
        "still gets one of these labels.\n\n"
     << "Written by `leafcheck-train` (run by `tools/train/run-experiment.sh`) on " << report.date
     << ". Every figure below was measured in this run; re-running the command regenerates this file.\n\n";

  md << "## Files\n\n| file | model | weights | size | engine test top-1 | engine test top-3 | parity with LibTorch "
        "(max abs diff) |\n|---|---|---|---|---|---|---|\n";
  for (const ExportedModel& model : report.models) {
    const ArmResult* arm = find_arm(report, model.arm_key);
    const size_t n = model.engine_test.count;
    md << "| `" << model.file.filename().string() << "` | (" << arm->key << ") " << arm->title << " | "
       << model.weights << " | " << model.bytes << " bytes | " << accuracy_with_count(model.engine_test.top1, n)
       << " | " << accuracy_with_count(model.engine_test.top3, n) << " | "
       << model.parity.max_abs_diff << " over " << model.parity.images << " test images |\n";
  }
  md << "\nThe app ships `" << kAppModelName << kModelExtension
     << "`: arm (d)'s model, the most accurate, with its weights stored as f16 (half the download). f16 rounding "
        "alone moves probabilities by more than the 1e-4 the f32 files are held to, so its parity is only reported "
        "and its accuracy is measured on its own. The engine columns are the engine's own predictions from each "
        "file on the test split: what `leafcheck-cli --labels-from-folders --split test` prints for that file "
        "(run-experiment.sh runs it on every file). Arm (c) is trained for comparison only and not exported; its "
        "LibTorch weights stay in the run folder (`<arm>/model.pt`).\n\n"
     << "The format is the engine's model file (`model/FORMAT.md`), extension `" << kModelExtension
     << "`: BatchNorm folded into the convolutions, input 128x128 RGB normalised with mean "
     << fixed(sup.normalization.mean[0], 3) << "/" << fixed(sup.normalization.mean[1], 3) << "/"
     << fixed(sup.normalization.mean[2], 3) << " and std " << fixed(sup.normalization.stddev[0], 3) << "/"
     << fixed(sup.normalization.stddev[1], 3) << "/" << fixed(sup.normalization.stddev[2], 3)
     << " (ImageNet), labels = the class folder names. Each file's metadata JSON holds name, version, date, "
        "classes, data source, test accuracy and `\"trained\": true`.\n\n"
     << "Classes (output order, numbered as in the confusion pictures): ";
  for (size_t c = 0; c < report.classes.size(); ++c)
    md << (c ? ", " : "") << c + 1 << " `" << report.classes[c] << "`";
  md << ".\n\n";

  md << "## Reproduce\n\n```sh\ntools/train/run-experiment.sh " << cfg.data_dir.string() << "\n```\n\n"
     << "It builds `leafcheck-train` and `leafcheck-cli`, runs the experiment (resumable: run it again after an "
        "interruption; checkpoints after every epoch in `runs/experiment/`), copies the models and this report into "
        "`model/`, and evaluates every model file with the CLI on the same test split "
        "(`leafcheck-cli --labels-from-folders --split test`), which must print the engine figures of the Files "
        "table. "
        "This report was written by:\n\n```\n"
     << cfg.command_line << "\n```\n\n"
     << "Every invocation on the run folder (UTC start time, command), oldest first; the models were trained by "
        "these sessions and the last one wrote this report:\n\n```\n";
  for (const std::string& session : report.sessions) md << session << "\n";
  md << "```\n\n"
     << "- Date (UTC): " << report.date << "\n- Seed: " << cfg.seed
     << " (network initialisation, labelled-subset choice, shuffling and augmentation)\n"
     << "- Data: " << report.data_source << "\n"
     << "- Split by a hash of each file name (`split_of`, shared with the CLI's `--split`): " << report.train_images
     << " train, " << report.validation_images << " validation, " << report.test_images << " test images";
  if (report.unlabelled_images) md << "; " << report.unlabelled_images << " extra unlabelled photos";
  md << "; " << report.skipped_images << " files skipped as unreadable\n"
     << "- Preprocessing: the engine's own `decode_image` + `center_crop_resize` to 128x128 (train and serve see "
        "identical pixels), decoded once and cached in memory\n\n";

  md << "## Training recipe\n\n"
     << "- Network: 4 x [Conv3x3 (pad 1) - BatchNorm - ReLU - MaxPool2x2] with 32/64/128/256 channels, global "
        "average pool, Linear(256, 256), ReLU, Linear(256, "
     << report.classes.size() << ")\n"
     << "- Augmentation: horizontal and vertical flips, 90-degree rotations, random crops of "
     << static_cast<int>(100 * sup.augment.min_crop_area) << "-100% of the area (aspect +-"
     << static_cast<int>(100 * sup.augment.max_aspect_change) << "%) resized back, brightness/contrast/saturation x[1-"
     << sup.augment.brightness << ", 1+" << sup.augment.brightness << "]\n"
     << "- Supervised arms: Adam, learning rate " << sup.learning_rate << " with " << sup.warmup_steps
     << "-step linear warm-up then cosine decay to 0, batch " << sup.batch_size << ", " << sup.epochs
     << " epochs, label smoothing " << sup.label_smoothing << ", weight decay " << sup.weight_decay
     << "; every arm starts from the same initial weights\n"
     << "- Labelled subsets: per class, the files whose seeded name hash is lowest, so the "
     << static_cast<int>(std::lround(100 * cfg.low_fraction)) << "% set is inside the "
     << static_cast<int>(std::lround(100 * cfg.mid_fraction)) << "% set\n"
     << "- Pseudo-labelling (arm b): starts from arm (a)'s model; each round predicts the unlabelled rest of the "
        "training split (eval mode, no augmentation), accepts predictions with probability > "
     << cfg.ssl.threshold << " as labels (kept for later rounds), then continues training on labelled + accepted for "
     << fine.epochs << " epochs (Adam, learning rate " << fine.learning_rate
     << ", cosine); it stops when a round accepts fewer than " << pct(cfg.ssl.min_new_fraction)
     << " of the pool (that round does not retrain) or after " << cfg.ssl.max_rounds << " rounds\n"
     << "- LibTorch 1.13 (CPU); thread counts per session in the command lines above (default 2)\n\n";

  const size_t test_count = report.arms.empty() ? 0 : report.arms.front().test.count;
  md << "## Results (test split, " << test_count << " images; one image = " << pct(test_count ? 1.0 / test_count : 0)
     << ")\n\n| arm | labelled | pseudo-labels | top-1 | top-3 | macro-F1 | validation top-1 | training time |\n"
        "|---|---|---|---|---|---|---|---|\n";
  for (const ArmResult& arm : report.arms)
    md << "| (" << arm.key << ") " << arm.title << " | " << arm.labelled << " | " << arm.pseudo_labelled << " | "
       << pct(arm.test.top1) << " | " << pct(arm.test.top3) << " | " << fixed(arm.test.macro_f1, 4) << " | "
       << pct(arm.validation_top1) << " | " << minutes(arm.train_seconds) << " |\n";
  md << "\nTraining time of (b) includes arm (a), which it starts from.\n\n";
  if (const ArmResult* full = find_arm(report, "d"))
    md << "**Quality bar of the training issue, supervised on 100% labels at least " << pct(kQualityBarTop1)
       << " test top-1: " << (full->test.top1 >= kQualityBarTop1 ? "met" : "not met") << "** ("
       << pct(full->test.top1) << ").\n\n";
  const ArmResult* ssl = find_arm(report, "b");
  const ArmResult* mid = find_arm(report, "c");
  const ArmResult* low = find_arm(report, "a");
  if (ssl && mid && low) {
    const long diff = static_cast<long>(std::lround((ssl->test.top1 - mid->test.top1) * test_count));
    md << "**Claim checked: \"SSL from " << std::lround(100 * cfg.low_fraction)
       << "% labels is at least as accurate as supervised on " << std::lround(100 * cfg.mid_fraction)
       << "%\": " << (ssl->test.top1 >= mid->test.top1 ? "holds" : "does not hold") << " in this run** (SSL "
       << pct(ssl->test.top1) << " vs " << pct(mid->test.top1) << ", " << (diff >= 0 ? "+" : "") << diff
       << " test images). Against supervised on the same " << std::lround(100 * cfg.low_fraction)
       << "% labels, pseudo-labelling changed top-1 by " << (ssl->test.top1 >= low->test.top1 ? "+" : "")
       << fixed(100 * (ssl->test.top1 - low->test.top1), 2)
       << " points. One seed and one split: the binomial standard error of a top-1 figure here is about "
       << fixed(100 * std::sqrt(mid->test.top1 * (1 - mid->test.top1) / std::max<size_t>(1, test_count)), 2)
       << " points, so differences of a few test images are not conclusive.\n\n";
  }

  md << "## Pseudo-labelling rounds\n\nPool: the training images outside the labelled "
     << std::lround(100 * cfg.low_fraction) << "%"
     << (report.unlabelled_images ? " plus the extra unlabelled photos (no true label: not counted as right or wrong)"
                                  : "")
     << ". The simulation knows their true labels and counts how many accepted pseudo-labels are right.\n\n"
     << "| round | candidates | accepted | right | precision | pseudo-labels in use | retrained | test top-1 after |\n"
        "|---|---|---|---|---|---|---|---|\n";
  for (const SslRound& r : report.ssl_rounds)
    md << "| " << r.round << " | " << r.candidates << " | " << r.accepted << " | " << r.accepted_correct << " of "
       << r.accepted_with_truth << " | " << (r.accepted_with_truth ? pct(double(r.accepted_correct) / r.accepted_with_truth) : "-")
       << " | " << r.total_accepted << " | " << (r.retrained ? "yes" : "no (too few new labels)") << " | "
       << (r.retrained ? pct(r.test_top1) : "-") << " |\n";

  md << "\n## Per-class accuracy (test)\n\n| class | test images |";
  for (const ArmResult& arm : report.arms) md << " (" << arm.key << ") " << arm.slug << " |";
  md << "\n|---|---|";
  for (size_t a = 0; a < report.arms.size(); ++a) md << "---|";
  md << "\n";
  for (size_t c = 0; c < report.classes.size(); ++c) {
    md << "| " << report.classes[c] << " | " << report.arms.front().test.per_class_count[c] << " |";
    for (const ArmResult& arm : report.arms)
      md << " " << (arm.test.per_class_count[c] ? pct(arm.test.per_class_accuracy[c]) : "-") << " |";
    md << "\n";
  }
  md << "\nAlso in `per-class-accuracy.csv`.\n\n## Confusion matrices (test)\n\n"
        "Rows: true class, columns: predicted class, both numbered in the class order above. Pictures: green "
        "diagonal = right, red = mistakes, shade = fraction of the row (any non-zero cell is visibly tinted).\n\n";
  for (const ArmResult& arm : report.arms)
    md << "- (" << arm.key << ") " << arm.title << ": `confusion-" << arm.slug << ".csv`, ![confusion " << arm.slug
       << "](confusion-" << arm.slug << ".png)\n";

  md << "\n## Export and parity\n\nBatchNorm is folded into each convolution in double precision (W' = W * g / "
        "sqrt(var + eps), b' = beta - mean * g / sqrt(var + eps)), then the file is written with `serialize_model`. "
        "The parity check loads each written file in the engine (`Classifier`, optimised kernels) and compares its "
        "class probabilities with LibTorch's eval-mode (unfolded) network on the same cached pixels of test images; "
        "the export fails if the maximum absolute difference reaches 1e-4. Measured values are in the Files table.\n\n"
     << "## Limitations\n\n"
     << "- Only the classes listed above; no not-a-leaf class.\n"
     << "- PlantVillage photos are single leaves on plain backgrounds taken under lab conditions; accuracy on field "
        "photos was not measured and is likely lower than the test figures here.\n"
     << "- One seed and one split; the test split is small, so differences of a few images are not conclusive.\n";
  return md.str();
}

}  // namespace

void write_report(const ExperimentReport& report, const fs::path& dir) {
  fs::create_directories(dir);
  write_text(dir / "README.md", model_card(report));
  write_text(dir / "results.json", results_json(report));
  write_text(dir / "per-class-accuracy.csv", per_class_csv(report));
  for (const ArmResult& arm : report.arms) {
    write_text(dir / ("confusion-" + arm.slug + ".csv"), confusion_csv(report, arm));
    write_confusion_png(arm.test.confusion, dir / ("confusion-" + arm.slug + ".png"));
  }
}

}  // namespace leafcheck::train
