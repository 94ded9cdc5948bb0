#!/usr/bin/env bash
# Builds the native tools, the three WebAssembly builds and the web app (dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs  # emcc's JS optimiser needs Debian's node-acorn

for preset in native-release wasm-simd wasm-nosimd wasm-threads; do
  echo "[build] $preset"
  if [[ $preset == wasm-* ]]; then
    emcmake cmake --preset "$preset" >/dev/null
  else
    cmake --preset "$preset" >/dev/null
  fi
  cmake --build --preset "$preset" -j "$(nproc)"
done

echo "[build] web app -> dist/"
npm run --silent build
