#!/usr/bin/env bash
# From a fresh Debian/Ubuntu machine to a running example: installs the
# missing packages, builds accrete and the example, and runs it.
#   scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -- quickstart
echo
echo "== examples/quickstart =="
build/examples/quickstart
