#!/usr/bin/env bash
# Static analysis of lib/: cppcheck (warnings, performance, portability) with
# the justified suppressions in lint/cppcheck-suppressions.txt. Fails on any
# finding. With --tidy, also clang-tidy on lib/ with .clang-tidy (slower: it
# compiles each file; needs a build dir with compile_commands.json).
#   scripts/lint.sh [--tidy <build-dir>]
set -euo pipefail
cd "$(dirname "$0")/.."

cppcheck --version
cppcheck --std=c++20 --language=c++ -j "${JOBS:-$(nproc)}" --quiet --error-exitcode=1 \
  --enable=warning,performance,portability --inline-suppr \
  --suppressions-list=lint/cppcheck-suppressions.txt \
  --template='{file}:{line}: {severity}: {message} [{id}]' \
  -I include -I lib lib/
echo "cppcheck: lib/ clean"

if [ "${1:-}" = "--tidy" ]; then
  build_dir=${2:?"--tidy needs a build directory configured with CMAKE_EXPORT_COMPILE_COMMANDS=ON"}
  run-clang-tidy -quiet -j "${JOBS:-$(nproc)}" -p "$build_dir" "$(pwd)/lib/.*\.cpp$"
  echo "clang-tidy: lib/ clean"
fi
