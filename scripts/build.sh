#!/usr/bin/env bash
# Configures and builds accrete in a build directory (Ninja when available).
#   scripts/build.sh <build-dir> [cmake-option...] [-- build-target...]
# Environment: JOBS, parallel build jobs (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=$1
shift
cmake_args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  cmake_args+=("$1")
  shift
done
[ $# -gt 0 ] && shift  # the "--"
targets=("$@")

generator=()
if [ ! -f "$build_dir/CMakeCache.txt" ] && command -v ninja >/dev/null; then
  generator=(-G Ninja)
fi
cmake -S . -B "$build_dir" "${generator[@]}" "${cmake_args[@]}"
target_args=()
[ ${#targets[@]} -gt 0 ] && target_args=(--target "${targets[@]}")
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" "${target_args[@]}"
