#!/usr/bin/env bash
# Builds the benchmark suite in Release and runs it; the table of ratios
# against the targets is printed at the end (see docs/benchmarks.md).
#   scripts/bench.sh [build-dir] [-- Google Benchmark flags...]
# Environment: JOBS (build jobs, default nproc), ACCRETE_BENCH_MEMORY_DATOMS
# (datoms of the memory run, default 2000000), ACCRETE_BENCH_DIR (where the
# scratch databases go, default /var/tmp: a real disk, so fsync is real).
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build-bench
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
  build_dir=$1
  shift
fi
[ $# -gt 0 ] && [ "$1" = "--" ] && shift

bash scripts/build.sh "$build_dir" -DCMAKE_BUILD_TYPE=Release -- accrete_bench
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ {print $2}') GiB"
"$build_dir/bench/accrete_bench" "$@"
