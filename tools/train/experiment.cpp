#include "experiment.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "device_images.h"
#include "engine_predict.h"
#include "export_model.h"
#include "file_io.h"
#include "image_cache.h"
#include "json_text.h"
#include "model.h"
#include "predict.h"
#include "seed_net.h"
#include "subsets.h"

namespace leafcheck::train {
namespace {

namespace fs = std::filesystem;

std::string utc_now_iso() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string describe_data_source(const fs::path& data_dir) {
  std::string text = data_dir.string();
  std::ifstream sources(data_dir / "SOURCES.md");
  std::string heading;
  if (sources && std::getline(sources, heading) && heading.rfind("# ", 0) == 0)
    text += " (" + heading.substr(2) + "; see SOURCES.md there)";
  return text;
}

// Seconds from an ISO 8601 UTC time ("2026-12-02T14:02:42Z") to now.
double seconds_since(const std::string& iso) {
  std::tm tm{};
  if (!strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) throw std::runtime_error("bad time in sessions.txt: " + iso);
  return std::difftime(std::time(nullptr), timegm(&tm));
}

// A run may be spread over several invocations (interruptions, --arms in parallel); the report lists them all.
std::vector<std::string> record_session(const fs::path& file, const std::string& line) {
  {
    std::ofstream out(file, std::ios::app);
    out << line << '\n';
    if (!out) throw std::runtime_error("cannot write " + file.string());
  }
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) lines.push_back(l);
  return lines;
}

std::vector<Example> labelled_examples(const ImageSet& images, const std::vector<int64_t>& indices) {
  std::vector<Example> out;
  for (int64_t i : indices) out.push_back({i, images.labels[i]});
  return out;
}

std::vector<int> labels_of(const ImageSet& images, const std::vector<int64_t>& indices) {
  std::vector<int> labels;
  for (int64_t i : indices) labels.push_back(images.labels[i]);
  return labels;
}

std::vector<int64_t> spread_sample(const std::vector<int64_t>& indices, size_t count) {
  if (indices.size() <= count) return indices;
  std::vector<int64_t> out;
  for (size_t k = 0; k < count; ++k) out.push_back(indices[k * indices.size() / count]);
  return out;
}

std::string percent_number(double fraction) { return std::to_string(static_cast<int>(std::lround(fraction * 100))); }

// The images each role uses, fixed for the whole experiment.
struct Sets {
  std::vector<int64_t> train, validation, test, field_test;
};

// One seed's run: the data, where its files go, and what it has produced so far.
class SeedRun {
 public:
  SeedRun(ExperimentReport& report, const ImageSet& images, const DeviceImages& data, const Sets& sets)
      : report_(report), config_(report.config), images_(images), data_(data), sets_(sets) {}

  void run() {
    const auto low = stratified_fraction(images_, Split::Train, config_.low_fraction, seed());
    const auto mid = stratified_fraction(images_, Split::Train, config_.mid_fraction, seed());
    const std::string low_text = percent_number(config_.low_fraction), mid_text = percent_number(config_.mid_fraction);
    auto wants = [&](char arm) { return config_.arms.find(arm) != std::string::npos; };
    if (wants('a') || wants('b') || wants('e')) {
      SeedNet baseline = fresh_net();
      supervised_arm("a", "supervised, " + low_text + "% labels", "supervised-" + low_text, baseline, low,
                     config_.supervised);
      export_arm(baseline, "leafcheck-baseline", "supervised on " + low_text + "% of the training split");
    }
    if (wants('b')) ssl_arm(low, low_text);
    if (wants('e')) fixmatch_arm(low, low_text);
    if (wants('c')) {
      SeedNet medium = fresh_net();
      supervised_arm("c", "supervised, " + mid_text + "% labels", "supervised-" + mid_text, medium, mid,
                     config_.supervised);
    }
    if (wants('d')) {
      SeedNet full = fresh_net();
      supervised_arm("d", "supervised, 100% labels", "supervised-100", full, sets_.train, config_.supervised);
      // The most accurate model: the one the app ships, as f16.
      export_arm(full, "leafcheck-supervised-100", "supervised on 100% of the training split");
      report_.models.push_back(export_measured(full, kAppModelName,
                                               "supervised on 100% of the training split, f16 weights", DType::F16));
    }
    if (wants('f')) {
      std::vector<int64_t> lab_only;
      for (int64_t i : sets_.train)
        if (images_.sources[i] != Source::Field) lab_only.push_back(i);
      TrainConfig plain = config_.supervised;
      plain.augment = config_.lab_only_augment;
      SeedNet lab = fresh_net();
      supervised_arm("f", "supervised, 100% labels, lab photos only, plain augmentation", "lab-only-100", lab, lab_only,
                     plain);
    }
  }

 private:
  uint64_t seed() const { return config_.supervised.seed; }

  SeedNet fresh_net() {
    torch::manual_seed(seed());  // every arm of a seed starts from the same initial weights
    return SeedNet(static_cast<int>(report_.classes.size()), config_.architecture);
  }

  Metrics evaluate(SeedNet& net, const std::vector<int64_t>& indices) {
    return compute_metrics(predict_probabilities(net, images_, indices, config_.supervised.normalization),
                           labels_of(images_, indices));
  }

  void measure(SeedNet& net, ArmResult& arm) {
    arm.test = evaluate(net, sets_.test);
    arm.field = evaluate(net, sets_.field_test);
    std::fprintf(stderr, "[seed %llu] (%s) %s: test top-1 %.4f top-3 %.4f macro-F1 %.4f (%zu images); field top-1 %.4f top-3 %.4f (%zu)\n",
                 static_cast<unsigned long long>(seed()), arm.key.c_str(), arm.title.c_str(), arm.test.top1,
                 arm.test.top3, arm.test.macro_f1, arm.test.count, arm.field.top1, arm.field.top3, arm.field.count);
  }

  void supervised_arm(const std::string& key, const std::string& title, const std::string& slug, SeedNet& net,
                      const std::vector<int64_t>& labelled, const TrainConfig& train) {
    const TrainSummary summary = train_model(net, images_, data_, labelled_examples(images_, labelled),
                                             sets_.validation, train, config_.out_dir / (key + "-" + slug), title);
    report_.training_seconds += summary.seconds;
    ArmResult arm;
    arm.key = key;
    arm.title = title;
    arm.slug = slug;
    arm.labelled = labelled.size();
    arm.train_seconds = summary.seconds;
    arm.validation_top1 = summary.validation_top1;
    measure(net, arm);
    report_.arms.push_back(arm);
  }

  // The unlabelled pool of the semi-supervised arms: the training split outside the labelled fraction,
  // plus the extra photos without labels.
  std::vector<int64_t> unlabelled_pool(const std::vector<int64_t>& low) const {
    std::vector<bool> is_labelled(static_cast<size_t>(images_.size()), false);
    for (int64_t i : low) is_labelled[i] = true;
    std::vector<int64_t> pool;
    for (int64_t i = 0; i < images_.size(); ++i)
      if (images_.splits[i] == Split::Train && !is_labelled[i]) pool.push_back(i);
    return pool;
  }

  SeedNet from_baseline(const std::string& low_text) {
    SeedNet net = fresh_net();
    torch::load(net, (config_.out_dir / ("a-supervised-" + low_text) / "model.pt").string(), data_.device);
    return net;
  }

  const ArmResult& baseline_arm() const {
    for (const ArmResult& arm : report_.arms)
      if (arm.key == "a") return arm;
    throw std::logic_error("arm (a) runs before the arms that start from it");
  }

  // Arm (b): the seed system's pseudo-labelling, starting from arm (a)'s finished model.
  void ssl_arm(const std::vector<int64_t>& low, const std::string& low_text) {
    SeedNet ssl = from_baseline(low_text);
    report_.ssl_rounds = run_pseudo_labelling(ssl, images_, data_, labelled_examples(images_, low), unlabelled_pool(low),
                                              sets_.validation, sets_.test, config_.ssl,
                                              config_.out_dir / ("b-ssl-" + low_text));
    ArmResult arm;
    arm.key = "b";
    arm.title = "pseudo-labelling, " + low_text + "% labels";
    arm.slug = "ssl-" + low_text;
    arm.labelled = low.size();
    arm.pseudo_labelled = report_.ssl_rounds.empty() ? 0 : report_.ssl_rounds.back().total_accepted;
    arm.train_seconds = baseline_arm().train_seconds;
    for (const SslRound& r : report_.ssl_rounds) {
      arm.train_seconds += r.seconds;
      report_.training_seconds += r.seconds;
    }
    arm.validation_top1 = top1_accuracy(ssl, images_, sets_.validation, config_.supervised.normalization);
    measure(ssl, arm);
    report_.arms.push_back(arm);
    export_arm(ssl, "leafcheck-ssl", "pseudo-labelling from " + low_text + "% of the training split");
  }

  // Arm (e): FixMatch from arm (a)'s finished model, labelled and unlabelled photos in every batch.
  void fixmatch_arm(const std::vector<int64_t>& low, const std::string& low_text) {
    SeedNet net = from_baseline(low_text);
    FixMatchConfig fixmatch = config_.fixmatch;
    fixmatch.labelled.seed = seed();
    const auto pool = unlabelled_pool(low);
    const FixMatchSummary summary = run_fixmatch(net, images_, data_, labelled_examples(images_, low), pool,
                                                 sets_.validation, fixmatch,
                                                 config_.out_dir / ("e-fixmatch-" + low_text), "fixmatch");
    report_.fixmatch_epochs = summary.epochs;
    ArmResult arm;
    arm.key = "e";
    arm.title = "FixMatch, " + low_text + "% labels";
    arm.slug = "fixmatch-" + low_text;
    arm.labelled = low.size();
    arm.pseudo_labelled = pool.size();
    arm.train_seconds = baseline_arm().train_seconds + summary.seconds;
    report_.training_seconds += summary.seconds;
    arm.validation_top1 = summary.validation_top1;
    measure(net, arm);
    report_.arms.push_back(arm);
    export_arm(net, "leafcheck-fixmatch", "FixMatch from " + low_text + "% of the training split");
  }

  std::string metadata_json(const ArmResult& arm, const std::string& name, const std::string& method,
                            const ExportedModel& exported) const {
    std::ostringstream json;
    json.precision(6);
    json << "{\"name\":" << json_quote(name) << ",\"version\":\"0.2.0\",\"date\":" << json_quote(report_.date)
         << ",\"trained\":true,\"method\":" << json_quote(method) << ",\"weights\":" << json_quote(exported.weights)
         << ",\"classes\":[";
    for (size_t c = 0; c < report_.classes.size(); ++c) json << (c ? "," : "") << json_quote(report_.classes[c]);
    json << "],\"class_count\":" << report_.classes.size() << ",\"not_leaf_class\":"
         << (report_.classes.back() == kNotLeafClass ? json_quote(kNotLeafClass) : "null")
         << ",\"data_source\":" << json_quote(report_.data_source) << ",\"seed\":" << seed()
         << ",\"labelled_images\":" << arm.labelled << ",\"pseudo_labelled_images\":" << arm.pseudo_labelled
         << ",\"test_images\":" << exported.engine_test.count << ",\"test_top1\":" << exported.engine_test.top1
         << ",\"test_top3\":" << exported.engine_test.top3 << ",\"field_test_images\":" << exported.engine_field.count
         << ",\"field_test_top1\":" << exported.engine_field.top1 << ",\"field_test_top3\":" << exported.engine_field.top3
         << ",\"libtorch_test_top1\":" << arm.test.top1 << ",\"libtorch_test_macro_f1\":" << arm.test.macro_f1
         << ",\"parity_max_abs_diff\":" << exported.parity.max_abs_diff << "}";
    return json.str();
  }

  // Exports the last arm's network with the given weight storage, measures the file in the engine
  // (parity with LibTorch, test and field accuracy; none depends on the metadata), then writes it
  // with those measurements in its metadata. The engine runs on the CPU, so parity is checked there.
  ExportedModel export_measured(SeedNet& net, const std::string& name, const std::string& method, DType weights) {
    const ArmResult& arm = report_.arms.back();
    const Normalization& norm = config_.supervised.normalization;
    const torch::Device device = device_of(*net);
    net->to(torch::kCPU);
    ModelSpec spec = export_model(net, norm, report_.classes, "{}");
    set_weight_dtype(spec, weights);
    const auto probe = serialize_model(spec);
    ExportedModel exported;
    exported.arm_key = arm.key;
    exported.weights = weights == DType::F16 ? "f16" : "f32";
    exported.parity = check_parity(net, probe, images_,
                                   spread_sample(sets_.test, static_cast<size_t>(config_.parity_images)), norm);
    net->to(device);
    exported.engine_test = compute_metrics(engine_probabilities(probe, images_, sets_.test), labels_of(images_, sets_.test));
    exported.engine_field =
        compute_metrics(engine_probabilities(probe, images_, sets_.field_test), labels_of(images_, sets_.field_test));
    spec.metadata_json = metadata_json(arm, name, method, exported);
    const auto bytes = serialize_model(spec);
    exported.file = config_.out_dir / (name + kModelExtension);
    exported.bytes = bytes.size();
    write_file_atomically(exported.file, bytes);
    std::fprintf(stderr,
                 "[export] %s (%s): %zu bytes, parity max |engine - LibTorch| = %.3g over %zu images, engine test "
                 "top-1 %zu/%zu, field top-1 %zu/%zu\n",
                 exported.file.string().c_str(), exported.weights.c_str(), exported.bytes, exported.parity.max_abs_diff,
                 exported.parity.images, correct_count(exported.engine_test.top1, exported.engine_test.count),
                 exported.engine_test.count, correct_count(exported.engine_field.top1, exported.engine_field.count),
                 exported.engine_field.count);
    return exported;
  }

  void export_arm(SeedNet& net, const std::string& name, const std::string& method) {
    ExportedModel exported = export_measured(net, name, method, DType::F32);
    if (!(exported.parity.max_abs_diff < 1e-4))
      throw std::runtime_error("parity check failed for " + exported.file.string() + ": max abs difference " +
                               std::to_string(exported.parity.max_abs_diff) + " >= 1e-4");
    report_.models.push_back(exported);
  }

  ExperimentReport& report_;
  const ExperimentConfig& config_;
  const ImageSet& images_;
  const DeviceImages& data_;
  const Sets& sets_;
};

std::vector<size_t> photos_per_class(const ImageSet& images, size_t classes, Source source) {
  std::vector<size_t> count(classes, 0);
  for (int64_t i = 0; i < images.size(); ++i)
    if (images.sources[i] == source && images.labels[i] != kUnknownLabel) ++count[images.labels[i]];
  return count;
}

}  // namespace

// FixMatch's weak view with a looser crop and photometric jitter.
AugmentConfig plain_augment() {
  AugmentConfig c = weak_augment();
  c.min_crop_area = 0.8f;
  c.max_aspect_change = 0.1f;
  c.brightness = c.contrast = c.saturation = 0.2f;
  return c;
}

NotLeafFigures not_leaf_figures(const Metrics& metrics, const std::vector<std::string>& classes) {
  NotLeafFigures f;
  const auto found = std::find(classes.begin(), classes.end(), kNotLeafClass);
  if (found == classes.end() || metrics.confusion.empty()) return f;
  const size_t not_leaf = static_cast<size_t>(found - classes.begin());
  for (size_t t = 0; t < classes.size(); ++t) {
    size_t row = 0;
    for (size_t v : metrics.confusion[t]) row += v;
    if (t == not_leaf) {
      f.not_leaf = row;
      f.not_leaf_right = metrics.confusion[t][not_leaf];
    } else {
      f.leaves += row;
      f.leaves_called_not_leaf += metrics.confusion[t][not_leaf];
    }
  }
  return f;
}

ExperimentResults run_experiment(const ExperimentConfig& config) {
  if (config.seeds.empty()) throw std::invalid_argument("no seeds to run");
  if (fs::exists(config.out_dir) && !fs::is_empty(config.out_dir) && !config.resume)
    throw std::runtime_error(config.out_dir.string() +
                             " already holds a run: pass --resume to continue it, or choose another --out");
  fs::create_directories(config.out_dir);
  const auto started = std::chrono::steady_clock::now();

  ExperimentReport header;
  header.config = config;
  header.date = utc_now_iso();
  header.data_source = describe_data_source(config.data_dir);
  header.device = config.device.str();
  header.sessions = record_session(config.out_dir / "sessions.txt", header.date + " " + config.command_line);
  const Dataset dataset = scan_dataset(config.data_dir);
  header.classes = dataset.classes;
  const int size = static_cast<int>(config.architecture.input_size);
  std::fprintf(stderr, "[data] decoding %zu images of %zu classes from %s\n", dataset.items.size(),
               dataset.classes.size(), config.data_dir.string().c_str());
  ImageSet images = load_dataset_images(dataset, size, config.max_per_class);
  if (config.not_leaf_dir) {
    if (std::find(header.classes.begin(), header.classes.end(), kNotLeafClass) != header.classes.end())
      throw std::runtime_error(config.data_dir.string() + " already has a " + kNotLeafClass +
                               " folder; leave out --not-leaf or that folder");
    header.classes.push_back(kNotLeafClass);
    append_images(images, load_not_leaf_images(*config.not_leaf_dir, static_cast<int>(header.classes.size()) - 1, size,
                                               config.max_per_class));
  }
  if (config.field_dir) append_images(images, load_field_images(*config.field_dir, header.classes, size, config.max_per_class));
  if (config.unlabelled_dir) {
    ImageSet unlabelled = load_unlabelled_images(*config.unlabelled_dir, size);
    header.unlabelled_images = static_cast<size_t>(unlabelled.size());
    append_images(images, std::move(unlabelled));
  }
  header.skipped_images = images.skipped;
  header.lab_photos = photos_per_class(images, header.classes.size(), Source::Lab);
  const auto not_leaf_photos = photos_per_class(images, header.classes.size(), Source::NotLeaf);
  for (size_t c = 0; c < header.classes.size(); ++c) header.lab_photos[c] += not_leaf_photos[c];
  header.field_photos = photos_per_class(images, header.classes.size(), Source::Field);

  Sets sets;
  sets.train = indices_of(images, Split::Train);
  sets.validation = indices_of(images, Split::Validation, {Source::Lab, Source::NotLeaf});
  sets.test = indices_of(images, Split::Test, {Source::Lab, Source::NotLeaf});
  sets.field_test = indices_of(images, Split::Validation, {Source::Field});
  const auto field_test_split = indices_of(images, Split::Test, {Source::Field});
  sets.field_test.insert(sets.field_test.end(), field_test_split.begin(), field_test_split.end());
  std::sort(sets.field_test.begin(), sets.field_test.end());
  header.train_images = sets.train.size();
  header.validation_images = sets.validation.size();
  header.test_images = sets.test.size();
  header.field_train_images = indices_of(images, Split::Train, {Source::Field}).size();
  header.field_test_images = sets.field_test.size();
  std::fprintf(stderr,
               "[data] train %zu (field crops %zu), validation %zu, test %zu, field test %zu, unlabelled %zu, skipped "
               "%zu; training on %s\n",
               sets.train.size(), header.field_train_images, sets.validation.size(), sets.test.size(),
               sets.field_test.size(), header.unlabelled_images, header.skipped_images, header.device.c_str());
  if (sets.train.empty() || sets.test.empty()) throw std::runtime_error("the data has no training or no test images");

  const DeviceImages data = to_device(images, config.device);
  ExperimentResults results;
  for (uint64_t seed : config.seeds) {
    ExperimentReport report = header;
    report.config.supervised.seed = report.config.ssl.finetune.seed = seed;
    report.config.out_dir = config.out_dir / ("seed-" + std::to_string(seed));
    fs::create_directories(report.config.out_dir);
    SeedRun(report, images, data, sets).run();
    results.training_seconds += report.training_seconds;
    results.seeds.push_back(std::move(report));
  }

  // The app ships the seed whose full-label model did best on validation (not test: the test split only measures).
  double best = -2;
  for (size_t s = 0; s < results.seeds.size(); ++s)
    for (const ArmResult& arm : results.seeds[s].arms)
      if (arm.key == "d" && arm.validation_top1 > best) {
        best = arm.validation_top1;
        results.shipped = s;
      }
  for (const ExportedModel& model : results.seeds[results.shipped].models)
    fs::copy_file(model.file, config.out_dir / model.file.filename(), fs::copy_options::overwrite_existing);
  results.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  results.elapsed_seconds = seconds_since(header.sessions.front().substr(0, header.sessions.front().find(' ')));
  std::fprintf(stderr, "[experiment] %zu seed(s): this session %.1f min; training %.1f min, summed over sessions\n",
               config.seeds.size(), results.wall_seconds / 60, results.training_seconds / 60);
  return results;
}

}  // namespace leafcheck::train
