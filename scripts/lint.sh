#!/usr/bin/env bash
# Static analysis of lib/, failing on any finding:
#   - cppcheck (warning, performance, portability) with the justified
#     suppressions in lint/cppcheck-suppressions.txt;
#   - clang-tidy with the checks in .clang-tidy (their reasons, and what each
#     run costs, in docs/reliability.md), over the compile database of a
#     clang configure in build-tidy/ (configured only, nothing is built).
#   scripts/lint.sh [--no-tidy]
# Environment: JOBS, parallel jobs (default: nproc); TIDY_BUILD_DIR, where
# to configure (default: build-tidy).
set -euo pipefail
cd "$(dirname "$0")/.."

cppcheck --version
cppcheck --std=c++20 --language=c++ -j "${JOBS:-$(nproc)}" --quiet --error-exitcode=1 \
  --enable=warning,performance,portability --inline-suppr \
  --suppressions-list=lint/cppcheck-suppressions.txt \
  --template='{file}:{line}: {severity}: {message} [{id}]' \
  -I include -I lib lib/
echo "cppcheck: lib/ clean"

[ "${1:-}" = "--no-tidy" ] && exit 0

build_dir=${TIDY_BUILD_DIR:-build-tidy}
generator=()
if [ ! -f "$build_dir/CMakeCache.txt" ] && command -v ninja >/dev/null; then
  generator=(-G Ninja)
fi
# Debug, so that assert() is there for the analyzer to learn from; clang, so
# that the flags are ones clang-tidy understands.
cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DACCRETE_BUILD_TESTS=OFF \
  -DACCRETE_BUILD_BENCH=OFF -DACCRETE_BUILD_EXAMPLES=OFF -DACCRETE_BUILD_TOOLS=OFF >/dev/null
clang-tidy --version | grep -i version
started=$SECONDS
run-clang-tidy -quiet -j "${JOBS:-$(nproc)}" -p "$build_dir" "$(pwd)/lib/.*\.cpp$"
echo "clang-tidy: lib/ clean ($((SECONDS - started)) s)"
