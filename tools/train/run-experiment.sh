#!/bin/sh
# The one command for the training experiment (see model/README.md): builds leafcheck-train and
# leafcheck-cli, runs the four arms on a PlantVillage-layout folder (continuing an interrupted run),
# copies the models (among them the app's model/leafcheck.lcm: the supervised-100% model with f16
# weights) and the report into model/, then evaluates every model file with the CLI on the same
# test split (it must print the engine figures of the report's Files table).
#
#   tools/train/run-experiment.sh [DATA_DIR] [extra leafcheck-train options]
#
# DATA_DIR defaults to ../shared/data/plantvillage (relative to the repository root).
# Environment: BUILD_DIR (default build/native-release), RUN_DIR (default runs/experiment).
# Delete RUN_DIR to start over instead of resuming.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
data=${1:-../shared/data/plantvillage}
[ $# -gt 0 ] && shift
build=${BUILD_DIR:-build/native-release}
run=${RUN_DIR:-runs/experiment}

if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build" --target leafcheck-train leafcheck-cli -- -j2

resume=""
if [ -d "$run" ] && [ -n "$(ls -A "$run")" ]; then resume=--resume; fi
"$build/tools/train/leafcheck-train" --data "$data" --out "$run" $resume "$@"

cp "$run/leafcheck-baseline.lcm" "$run/leafcheck-ssl.lcm" "$run/leafcheck-supervised-100.lcm" "$run/leafcheck.lcm" \
   "$run/README.md" "$run/results.json" \
   "$run/per-class-accuracy.csv" "$run"/confusion-*.csv "$run"/confusion-*.png model/
echo "models and report copied into model/"

node tools/train/verify-models.mjs "$build/tools/leafcheck-cli" model "$data"
