#!/bin/bash
# On the lent GPU machine (PyTorch's CUDA LibTorch, CMake, g++; no Debian packages, no network):
# receives the data parts, builds leafcheck-train against CUDA LibTorch, trains in the background
# with checkpoints, reports progress and packs the results. Every step is one device call, run
# in the repository root of the call's copy of the working tree. See README.md beside this file.
#
#   gpu.sh receive                     store the parts this call carried; start the build once
#   gpu.sh experiment SEEDS [options]  unpack, wait for the build, then in the background: for each seed
#                                      three processes (arms d, abe, cf) on one run folder, sharing the
#                                      GPU (in two waves on a card under 120 GB), and when all have
#                                      finished one pass that writes the report
#   gpu.sh sweep FILE                  unpack, wait for the build, then in the background one process per
#                                      line of FILE ("NAME options...", e.g. "d-style50 --seeds 1 --arms d
#                                      --field-style 0.5"), each in its own run folder runs/sweep/NAME:
#                                      variants to compare before the full experiment
#   gpu.sh status [seconds]            wait up to that long for the run to finish; print its progress
#   gpu.sh collect                     pack models, report and pictures into $OUT
set -euo pipefail
work=${LEAFCHECK_GPU_WORK:-/root/leafcheck-gpu}
repo_copy=$work/repo
build=$repo_copy/build/gpu
mkdir -p "$work/parts"

sync_repo() {  # a copy outside the call's working tree, which the next call replaces
  mkdir -p "$repo_copy"
  tar --exclude=./.remote --exclude=./build --exclude=./node_modules --exclude=./runs -cf - . | tar -C "$repo_copy" -xf -
}

start_build() {
  mkdir -p /usr/include/stb && cp .remote/stb/*.h /usr/include/stb/
  sync_repo
  prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
  setsid nohup bash -c "cmake -S '$repo_copy' -B '$build' -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEAFCHECK_TESTS=OFF \
      -DCMAKE_PREFIX_PATH='$prefix' && cmake --build '$build' --target leafcheck-train -j \$(nproc) && echo BUILD-OK" \
    >"$work/build.log" 2>&1 </dev/null &
  echo "build started (log: $work/build.log)"
}

# Data in $work/shared/data, the repository copy in $work/repo: ../shared/data as here.
prepare() {  # data unpacked and leafcheck-train built (again, when REBUILD is set)
  (cd "$work/parts" && sha256sum -c --quiet manifest.sha256) || { echo "parts missing or damaged" >&2; exit 1; }
  if [ ! -d "$work/shared/data/plantvillage" ]; then
    mkdir -p "$work/shared/data"
    cat "$work/parts"/data.tar.* | tar -C "$work/shared/data" -xf -
  fi
  if ! grep -q BUILD-OK "$work/build.log" 2>/dev/null || [ -n "${REBUILD:-}" ]; then
    while pgrep -f "cmake --build $build" >/dev/null; do sleep 2; done
    sync_repo
    prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
    { cmake -S "$repo_copy" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEAFCHECK_TESTS=OFF \
        -DCMAKE_PREFIX_PATH="$prefix" && cmake --build "$build" --target leafcheck-train -j "$(nproc)" && echo BUILD-OK; } \
      >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; exit 1; }
  fi
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >"$work/gpu.txt"
}

case ${1:-} in
receive)
  for part in .remote/data.tar.*; do
    [ -e "$part" ] || continue
    cp "$part" "$work/parts/" && echo "stored $(basename "$part") ($(stat -c %s "$part") bytes)"
  done
  cp .remote/manifest.sha256 "$work/parts/"
  if [ ! -f "$work/build.log" ]; then start_build; fi
  (cd "$work/parts" && echo "have $(ls data.tar.* | wc -l) of $(wc -l < manifest.sha256) parts")
  ;;
experiment)
  seeds=${2:?seeds, e.g. 1,2,3}
  shift 2
  prepare
  rm -f "$work"/train-*.log "$work"/sweep-*.log
  train="$build/tools/train/leafcheck-train --data ../shared/data/plantvillage --not-leaf ../shared/data/background_without_leaves --field ../shared/data/plantdoc_field --out runs/gpu --device cuda --resume"
  # One process per seed and arm group keeps the GPU busy: each alone is held back by launching
  # small kernels. (b) and (e) start from (a), so they share its process.
  # At batch 512 a FixMatch process holds 28-30 GB and the others about 10 each: all nine (about 130 GB)
  # fit an H200, not an 80 GB H100. On a smaller card the groups run in two waves, abe first, then d and
  # cf; three FixMatch still outgrow 80 GB, and the report run, which resumes every arm, trains those
  # whose process died (README.md, "Memory").
  memory_mib=$(nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits | head -1)
  if ((memory_mib < 120000)); then waves=("abe" "d cf"); else waves=("d abe cf"); fi
  echo "GPU memory ${memory_mib} MiB: ${#waves[@]} wave(s): ${waves[*]/%/;}"
  script="cd '$repo_copy' && mkdir -p runs/gpu"
  for wave in "${waves[@]}"; do
    for seed in ${seeds//,/ }; do
      for arms in $wave; do
        script+=" && { $train --seeds $seed --arms $arms --threads 1 $* >'$work/train-$seed-$arms.log' 2>&1 & }"
      done
    done
    script+=" && wait"
  done
  script+=" && $train --seeds $seeds --threads $(nproc) $* >'$work/train-report.log' 2>&1"
  setsid nohup bash -c "$script" >/dev/null 2>&1 </dev/null &
  sleep 30
  tail -qn1 "$work"/train-*.log
  ;;
sweep)
  file=${2:?a file of lines "NAME options..."}
  prepare
  rm -f "$work"/train-*.log "$work"/sweep-*.log
  train="$build/tools/train/leafcheck-train --data ../shared/data/plantvillage --not-leaf ../shared/data/background_without_leaves --field ../shared/data/plantdoc_field --device cuda --resume --threads 1"
  script="cd '$repo_copy' && mkdir -p runs/sweep"
  while read -r name options; do
    [ -n "$name" ] && [ "${name:0:1}" != "#" ] || continue
    script+=" && { $train --out runs/sweep/$name $options >'$work/sweep-$name.log' 2>&1 & }"
  done <"$file"
  setsid nohup bash -c "$script && wait" >/dev/null 2>&1 </dev/null &
  sleep 30
  tail -qn1 "$work"/sweep-*.log
  ;;
status)
  deadline=$((SECONDS + ${2:-0}))
  while pgrep -x leafcheck-train >/dev/null && ((SECONDS < deadline)); do sleep 5; done
  for log in "$work"/train-*.log "$work"/sweep-*.log; do
    [ -e "$log" ] || continue
    echo "== $(basename "$log"): $(grep -E '^\[(seed|export|experiment|done)' "$log" | tail -2)"
    tail -n1 "$log" | cut -c1-200
  done
  pgrep -x leafcheck-train >/dev/null && echo "RUNNING" || echo "NOT RUNNING"
  ;;
collect)
  run=$repo_copy/runs/gpu
  cat "$work"/train-*.log >"$OUT/train.log" 2>/dev/null || true
  cat "$work"/sweep-*.log >"$OUT/sweep.log" 2>/dev/null || true
  cp "$work/gpu.txt" "$OUT/"
  # The shipped seed's model files are in the run folder itself; the other seeds' stay there.
  [ -d "$run" ] && tar -C "$run" -czf "$OUT/results.tgz" --exclude='*.pt' --exclude='*.tmp' --exclude='./seed-*/*.lcm' .
  ls -l "$OUT"
  ;;
*)
  sed -n '2,18p' "$0"
  exit 2
  ;;
esac
