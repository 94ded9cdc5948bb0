#include "inputs.h"

#include <algorithm>
#include <stdexcept>
#include <system_error>

#include "dataset.h"

namespace fs = std::filesystem;

namespace leafcheck::cli {

Inputs collect_inputs(const Options& options) {
  Inputs inputs;
  for (const fs::path& path : options.paths) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      inputs.missing.push_back(path.string());
      continue;
    }
    if (options.split) {
      // The dataset scanner and the split rules are the code training uses, so the evaluated images
      // are exactly the ones training held out.
      const Dataset dataset = scan_dataset(path);
      inputs.has_folder = true;
      for (const DatasetItem& item : dataset.items) {
        if (options.split->keeps(item.path)) inputs.items.push_back({item.path, dataset.classes[item.label], {}, {}});
      }
      continue;
    }
    if (!fs::is_directory(path, ec)) {
      inputs.items.push_back({path, path.parent_path().filename().string(), {}, {}});
      continue;
    }
    inputs.has_folder = true;
    std::vector<fs::path> found;
    for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const fs::path& file = it->path();
      if (file.filename().string().front() == '.') {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec) && is_image_file_name(file)) found.push_back(file);
    }
    if (ec) throw std::runtime_error("cannot list folder " + path.string() + ": " + ec.message());
    std::sort(found.begin(), found.end());
    for (fs::path& file : found) {
      std::string true_class = file.parent_path().filename().string();
      inputs.items.push_back({std::move(file), std::move(true_class), {}, {}});
    }
  }
  return inputs;
}

}  // namespace leafcheck::cli
