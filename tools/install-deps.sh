#!/usr/bin/env bash
# Installs what building and testing Leafcheck needs, from Debian's packages and the npm
# registry only. Idempotent: a second run installs nothing and takes a second.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ cmake ninja-build pkg-config
  emscripten        # WebAssembly toolchain (clang 14, binaryen); needs NODE_PATH=/usr/share/nodejs
  libstb-dev        # stb_image decoding (and stb_image_write in tests)
  doctest-dev       # C++ unit tests
  libtorch-dev      # training (tools/train)
  chromium          # browser end-to-end tests (driven by playwright-core, never downloaded)
  firefox-esr       # the same tests in Gecko (puppeteer-core over WebDriver BiDi)
  webkit2gtk-driver # and in WebKit: WebKitWebDriver and MiniBrowser, driven by selenium-webdriver
  xvfb xauth        # MiniBrowser has no headless mode: it runs under xvfb-run
  clang-14 libclang-rt-14-dev zlib1g-dev  # libFuzzer targets (tools/fuzz)
  libxnnpack-dev libpthreadpool-dev libonnx-dev  # yardstick benchmarks (tools/yardsticks)
)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "[install] apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.leafcheck-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
  echo "[install] npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
