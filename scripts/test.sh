#!/usr/bin/env bash
# Builds everything and runs the whole test suite.
#   scripts/test.sh            Release build in build/
#   scripts/test.sh --asan     AddressSanitizer + UBSan build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
options=(-DCMAKE_BUILD_TYPE=Release)
case "${1:-}" in
  "") ;;
  # The benchmarks are built (and so checked) by the Release build only.
  --asan) build_dir=build-asan; options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DACCRETE_SANITIZE=ON -DACCRETE_BUILD_BENCH=OFF) ;;
  *) echo "usage: $0 [--asan]" >&2; exit 2 ;;
esac

bash scripts/deps.sh
bash scripts/build.sh "$build_dir" "${options[@]}"
ctest --test-dir "$build_dir" --output-on-failure -j "${JOBS:-$(nproc)}"
