#!/usr/bin/env bash
# From a fresh Debian/Ubuntu machine to a running example: installs the
# missing packages, builds accrete and the main example, and runs it.
#   scripts/quickstart.sh
#   example=quickstart scripts/quickstart.sh   # another example of examples/
set -euo pipefail
cd "$(dirname "$0")/.."

example="${example:-inventory}"  # the main example: examples/<example>/

bash scripts/deps.sh
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -- "$example"
echo
echo "== examples/$example =="
"build/examples/$example"
