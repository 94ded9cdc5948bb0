#include "results_json.h"

#include <sstream>

#include "json_text.h"
#include "report_figures.h"

namespace leafcheck::train {
namespace {

void metrics_fields(std::ostringstream& j, const std::string& prefix, const Metrics& m) {
  j << ", \"" << prefix << "_images\": " << m.count << ", \"" << prefix << "_top1\": " << fixed(m.top1, 6) << ", \""
    << prefix << "_top3\": " << fixed(m.top3, 6);
}

std::string seed_json(const ExperimentReport& report, const std::string& indent) {
  std::ostringstream j;
  j << "{\"seed\": " << report.config.supervised.seed << ", \"training_seconds\": " << fixed(report.training_seconds, 1)
    << ",\n" << indent << "\"arms\": [";
  for (size_t a = 0; a < report.arms.size(); ++a) {
    const ArmResult& arm = report.arms[a];
    const NotLeafFigures nl = not_leaf_figures(arm.test, report.classes);
    j << (a ? "," : "") << "\n" << indent << "  {\"key\": " << json_quote(arm.key) << ", \"name\": " << json_quote(arm.slug)
      << ", \"title\": " << json_quote(arm.title) << ", \"labelled\": " << arm.labelled
      << ", \"pseudo_labelled\": " << arm.pseudo_labelled;
    metrics_fields(j, "test", arm.test);
    j << ", \"test_macro_f1\": " << fixed(arm.test.macro_f1, 6);
    metrics_fields(j, "field", arm.field);
    j << ", \"not_leaf_images\": " << nl.not_leaf << ", \"not_leaf_right\": " << nl.not_leaf_right
      << ", \"leaves_called_not_leaf\": " << nl.leaves_called_not_leaf
      << ", \"validation_top1\": " << fixed(arm.validation_top1, 6) << ", \"train_seconds\": " << fixed(arm.train_seconds, 1)
      << "}";
  }
  j << "\n" << indent << "],\n" << indent << "\"ssl_rounds\": [";
  for (size_t r = 0; r < report.ssl_rounds.size(); ++r) {
    const SslRound& round = report.ssl_rounds[r];
    j << (r ? "," : "") << "\n" << indent << "  {\"round\": " << round.round << ", \"candidates\": " << round.candidates
      << ", \"accepted\": " << round.accepted << ", \"accepted_with_truth\": " << round.accepted_with_truth
      << ", \"accepted_correct\": " << round.accepted_correct << ", \"total_accepted\": " << round.total_accepted
      << ", \"retrained\": " << (round.retrained ? "true" : "false") << ", \"test_top1\": " << fixed(round.test_top1, 6)
      << "}";
  }
  j << "\n" << indent << "],\n" << indent << "\"fixmatch_epochs\": [";
  for (size_t e = 0; e < report.fixmatch_epochs.size(); ++e) {
    const FixMatchEpoch& epoch = report.fixmatch_epochs[e];
    j << (e ? "," : "") << "\n" << indent << "  {\"epoch\": " << epoch.epoch << ", \"unlabelled_seen\": " << epoch.unlabelled_seen
      << ", \"above_threshold\": " << epoch.above_threshold << ", \"above_with_truth\": " << epoch.above_with_truth
      << ", \"above_correct\": " << epoch.above_correct << ", \"validation_top1\": " << fixed(epoch.validation_top1, 6)
      << "}";
  }
  j << "\n" << indent << "],\n" << indent << "\"models\": [";
  for (size_t m = 0; m < report.models.size(); ++m) {
    const ExportedModel& model = report.models[m];
    j << (m ? "," : "") << "\n" << indent << "  {\"file\": " << json_quote(model.file.filename().string())
      << ", \"arm\": " << json_quote(model.arm_key) << ", \"weights\": " << json_quote(model.weights)
      << ", \"bytes\": " << model.bytes;
    metrics_fields(j, "engine_test", model.engine_test);
    metrics_fields(j, "engine_field", model.engine_field);
    j << ", \"parity_images\": " << model.parity.images << ", \"parity_max_abs_diff\": " << model.parity.max_abs_diff
      << "}";
  }
  j << "\n" << indent << "]}";
  return j.str();
}

}  // namespace

std::string results_json(const ExperimentResults& results) {
  const ExperimentReport& shipped = results.seeds[results.shipped];
  std::ostringstream j;
  j << "{\n  \"date\": " << json_quote(shipped.date) << ",\n  \"command\": " << json_quote(shipped.config.command_line)
    << ",\n  \"device\": " << json_quote(shipped.device) << ",\n  \"data_source\": " << json_quote(shipped.data_source)
    << ",\n  \"classes\": [";
  for (size_t c = 0; c < shipped.classes.size(); ++c) j << (c ? ", " : "") << json_quote(shipped.classes[c]);
  j << "],\n  \"images\": {\"train\": " << shipped.train_images << ", \"field_train\": " << shipped.field_train_images
    << ", \"validation\": " << shipped.validation_images << ", \"test\": " << shipped.test_images
    << ", \"field_test\": " << shipped.field_test_images << ", \"unlabelled\": " << shipped.unlabelled_images
    << ", \"skipped\": " << shipped.skipped_images << "},\n  \"training_seconds\": " << fixed(results.training_seconds, 1)
    << ",\n  \"last_session_seconds\": " << fixed(results.wall_seconds, 1)
    << ",\n  \"elapsed_seconds\": " << fixed(results.elapsed_seconds, 1)
    << ",\n  \"shipped_seed\": " << shipped.config.supervised.seed << ",\n  \"means\": [";
  const auto keys = arm_keys(results);
  for (size_t k = 0; k < keys.size(); ++k) {
    const auto test = over_seeds(results, keys[k], [](const ArmResult& a) { return a.test.top1; });
    const auto field = over_seeds(results, keys[k], [](const ArmResult& a) { return a.field.top1; });
    const auto field3 = over_seeds(results, keys[k], [](const ArmResult& a) { return a.field.top3; });
    j << (k ? "," : "") << "\n    {\"arm\": " << json_quote(keys[k]) << ", \"seeds\": " << test.values.size()
      << ", \"test_top1_mean\": " << fixed(test.mean, 6) << ", \"test_top1_std\": " << fixed(test.stddev, 6)
      << ", \"field_top1_mean\": " << fixed(field.mean, 6) << ", \"field_top1_std\": " << fixed(field.stddev, 6)
      << ", \"field_top3_mean\": " << fixed(field3.mean, 6) << ", \"field_top3_std\": " << fixed(field3.stddev, 6)
      << "}";
  }
  // The shipped seed's model files, as copied into the run folder (tools/train/verify-models.mjs reads these).
  const std::string seed_text = seed_json(shipped, "  ");
  j << "\n  ],\n  \"shipped\": " << seed_text << ",\n  \"models\": [";
  for (size_t m = 0; m < shipped.models.size(); ++m) {
    const ExportedModel& model = shipped.models[m];
    j << (m ? "," : "") << "\n    {\"file\": " << json_quote(model.file.filename().string())
      << ", \"arm\": " << json_quote(model.arm_key) << ", \"weights\": " << json_quote(model.weights);
    metrics_fields(j, "engine_test", model.engine_test);
    metrics_fields(j, "engine_field", model.engine_field);
    j << "}";
  }
  j << "\n  ],\n  \"seeds\": [";
  for (size_t s = 0; s < results.seeds.size(); ++s) j << (s ? ",\n    " : "\n    ") << seed_json(results.seeds[s], "    ");
  j << "\n  ]\n}\n";
  return j.str();
}

std::string seed_results_json(const ExperimentReport& report) { return seed_json(report, "") + "\n"; }

}  // namespace leafcheck::train
