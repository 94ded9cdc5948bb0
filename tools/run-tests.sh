#!/usr/bin/env bash
# The README's second command: install, build, then run every test suite:
# native doctest/CTest (release and ASan+UBSan), node tests of the three .wasm builds, browser e2e, and
# 30 seconds of each libFuzzer target (tools/fuzz; longer runs: tools/fuzz/run.sh TARGET MINUTES).
# Ends with one "N passed, N failed" line summing all suites; exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs

bash tools/install-deps.sh || exit 1
bash tools/build-all.sh || exit 1

echo "[build] native-sanitize"
{ cmake --preset native-sanitize >/dev/null && cmake --build --preset native-sanitize -j "$(nproc)"; } || exit 1

log_dir=$(mktemp -d)
passed=0
failed=0
failed_suites=()

count_ctest() {  # "97% tests passed, 1 tests failed out of 30"
  local line
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$1" | tail -n1)
  [[ -n $line ]] || return 1
  local bad total
  bad=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
  passed=$((passed + total - bad))
  failed=$((failed + bad))
}

count_fuzz() {  # tools/fuzz/run.sh: one "[fuzz] TARGET: ..., no findings" line per clean run
  local clean
  clean=$(grep -cE '^\[fuzz\] [a-z]+: .*, no findings$' "$1")
  passed=$((passed + clean))
  failed=$((failed + 2 - clean))
}

count_node() {  # node --test TAP summary: "# pass 12" / "# fail 0"
  local p f
  p=$(grep -E '^# pass [0-9]+' "$1" | tail -n1 | awk '{print $3}')
  f=$(grep -E '^# fail [0-9]+' "$1" | tail -n1 | awk '{print $3}')
  [[ -n $p && -n $f ]] || return 1
  passed=$((passed + p))
  failed=$((failed + f))
}

run_suite() {  # name counter command...
  local name=$1 counter=$2
  shift 2
  echo "=== $name"
  "$@" 2>&1 | tee "$log_dir/$name.log"
  local status=${PIPESTATUS[0]}
  if ! $counter "$log_dir/$name.log"; then
    echo "[$name] printed no test summary"
    failed=$((failed + 1))
  fi
  ((status == 0)) || failed_suites+=("$name")
}

run_suite native-release count_ctest ctest --preset native-release
run_suite native-sanitize count_ctest ctest --preset native-sanitize
run_suite node-wasm count_node npm run --silent test:node
run_suite browser-e2e count_node npm run --silent test:e2e
run_suite fuzz count_fuzz bash -c 'tools/fuzz/run.sh loader 30s; a=$?; tools/fuzz/run.sh image 30s; b=$?; exit $((a | b))'

echo
((${#failed_suites[@]} == 0)) || echo "failed suites: ${failed_suites[*]}"
echo "leafcheck: $passed passed, $failed failed"
((${#failed_suites[@]} == 0 && failed == 0))
