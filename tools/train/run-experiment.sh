#!/bin/sh
# The one command for the training experiment on this machine's CPU (see model/README.md): builds
# leafcheck-train and leafcheck-cli, runs the six arms for every seed on the lab photos, the photos
# without leaves and the field crops (continuing an interrupted run), copies the shipped seed's model
# files (among them the app's model/leafcheck.lcm: the supervised-100% model with f16 weights) and
# the report into model/, then evaluates every model file with the CLI on the same test split (it
# must print the engine figures of the report's Files table). Slow on a CPU: for the lent GPU
# machine see tools/train/remote/README.md.
#
#   tools/train/run-experiment.sh [DATA_DIR] [extra leafcheck-train options]   (DATA_DIR may be left out)
#
# DATA_DIR (the PlantVillage lab photos) defaults to ../shared/data/plantvillage (relative to the
# repository root); the photos without leaves and the field crops are its siblings
# background_without_leaves/ and plantdoc_field/.
# Environment: NOT_LEAF_DIR, FIELD_DIR (override those two), BUILD_DIR (default build/native-release),
# RUN_DIR (default runs/experiment). Seeds default to --seeds 1,2,3 unless the options give --seeds.
# Delete RUN_DIR to start over instead of resuming.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
data=../shared/data/plantvillage
case ${1:-} in
  '' | -*) ;;  # no DATA_DIR: the arguments are all leafcheck-train options
  *) data=$1; shift ;;
esac
data_root=$(dirname "$data")
not_leaf=${NOT_LEAF_DIR:-$data_root/background_without_leaves}
field=${FIELD_DIR:-$data_root/plantdoc_field}
build=${BUILD_DIR:-build/native-release}
run=${RUN_DIR:-runs/experiment}

missing=0
for dir in "$data" "$not_leaf" "$field"; do
  if [ ! -d "$dir" ]; then
    echo "run-experiment: data folder $dir not found" >&2
    missing=1
  fi
done
if [ "$missing" -ne 0 ]; then
  echo "run-experiment: needs DATA_DIR (PlantVillage layout, default ../shared/data/plantvillage) and, unless" \
       "NOT_LEAF_DIR / FIELD_DIR say otherwise, its siblings background_without_leaves/ and plantdoc_field/" >&2
  exit 1
fi

has_seeds=no
for arg in "$@"; do
  if [ "$arg" = --seeds ]; then has_seeds=yes; fi
done
if [ "$has_seeds" = no ]; then set -- --seeds 1,2,3 "$@"; fi

if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build" --target leafcheck-train leafcheck-cli -- -j2

if [ -d "$run" ] && [ -n "$(ls -A "$run")" ]; then set -- --resume "$@"; fi
"$build/tools/train/leafcheck-train" --data "$data" --not-leaf "$not_leaf" --field "$field" --out "$run" "$@"

cp "$run/leafcheck-baseline.lcm" "$run/leafcheck-ssl.lcm" "$run/leafcheck-fixmatch.lcm" \
   "$run/leafcheck-supervised-100.lcm" "$run/leafcheck.lcm" \
   "$run/README.md" "$run/results.json" \
   "$run/per-class-accuracy.csv" "$run"/confusion-*.csv "$run"/confusion-*.png model/
echo "models and report copied into model/"

node tools/train/verify-models.mjs "$build/tools/leafcheck-cli" model "$data" "$not_leaf"
