#!/usr/bin/env bash
# The README's first command: install, build everything, serve the app on localhost.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/build-all.sh
exec npm start -- "$@"
