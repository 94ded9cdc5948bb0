#!/usr/bin/env bash
# Runs one libFuzzer target for a while: tools/fuzz/run.sh loader|image DURATION
# DURATION is minutes ("15") or seconds ("30s"). Installs and builds what it needs (idempotent),
# regenerates the seed corpus, keeps the grown corpus in build/fuzz/corpus/TARGET for the next run,
# and writes any crashing input to build/fuzz/findings/TARGET/. Ends with one summary line:
#   [fuzz] loader: 1234567 executions in 900 s, cov 812, ft 2934, corpus 301, no findings
# Exit status: 0 without findings, 1 with a finding, 2 bad usage.
set -uo pipefail
cd "$(dirname "$0")/../.."

usage() { echo "usage: tools/fuzz/run.sh loader|image MINUTES|SECONDSs" >&2; exit 2; }
(($# == 2)) || usage
case $1 in
  loader) binary=fuzz_model_loader max_len=16384 ;;
  image) binary=fuzz_image max_len=65536 ;;
  *) usage ;;
esac
case $2 in
  *[!0-9s]* | s | "") usage ;;
  *s) seconds=${2%s} ;;
  *) seconds=$(($2 * 60)) ;;
esac
[[ $seconds =~ ^[0-9]+$ ]] && ((seconds > 0)) || usage

bash tools/install-deps.sh || exit 2
cmake --preset native-fuzz >/dev/null && cmake --build --preset native-fuzz -j "$(nproc)" --target "$binary" make-fuzz-seeds >/dev/null || exit 2

build=build/native-fuzz
work=build/fuzz
seeds=$work/seeds
corpus=$work/corpus/$1
findings=$work/findings/$1
rm -rf "$seeds" && "$build/tools/fuzz/make-fuzz-seeds" "$seeds" || exit 2
mkdir -p "$corpus" "$findings"
log=$work/$1.log

# Seeds are read-only inputs; new coverage goes into the first folder, the kept corpus.
started=$SECONDS
"$build/tools/fuzz/$binary" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" "$seeds/$1" >"$log" 2>&1
status=$?
elapsed=$((SECONDS - started))

executions=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$')
last=$(grep -E '^#[0-9]+' "$log" | tail -n1)
cov=$(grep -Eo 'cov: [0-9]+' <<<"$last" | grep -Eo '[0-9]+')
ft=$(grep -Eo 'ft: [0-9]+' <<<"$last" | grep -Eo '[0-9]+')
units=$(grep -Eo 'corp: [0-9]+' <<<"$last" | grep -Eo '[0-9]+')
summary="[fuzz] $1: ${executions:-?} executions in $elapsed s, cov ${cov:-?}, ft ${ft:-?}, corpus ${units:-?}"
if ((status == 0)); then
  echo "$summary, no findings"
  exit 0
fi
grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|artifact_prefix|Test unit written)' "$log" | head -n 20
echo "$summary, FINDING (log: $log, inputs: $findings/)"
exit 1
