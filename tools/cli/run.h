// One run of leafcheck-cli: loads the model, classifies every input with progress on stderr,
// and prints the results and the summary.
#pragma once

#include "options.h"

namespace leafcheck::cli {

// Returns the exit status the usage text documents; problems with single images are reported on
// stderr and do not stop the run.
int run(const Options& options);

}  // namespace leafcheck::cli
