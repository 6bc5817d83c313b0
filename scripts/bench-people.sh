#!/usr/bin/env bash
# The people comparison of issue 3 (bench/people, docs/benchmarks.md "The
# people comparison"): builds people_gen and people_compare in Release,
# writes the one data file, times DataScript on it under Node.js, then times
# accrete, SQLite (in memory and on disk) and the raw LMDB cursor on it in
# one process and prints one table of medians and ratios.
#   scripts/bench-people.sh [build-dir] [-- people_compare flags...]
# Environment: JOBS (build jobs, default nproc), PEOPLE_SECONDS (time per
# workload and system group, default 1.5), ACCRETE_BENCH_DIR (scratch
# databases, default /var/tmp), NODE (default node). Without Node.js the
# DataScript column stays empty.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build-people
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
  build_dir=$1
  shift
fi
[ $# -gt 0 ] && [ "$1" = "--" ] && shift
seconds=${PEOPLE_SECONDS:-1.5}
node=${NODE:-node}

bash scripts/build.sh "$build_dir" -DCMAKE_BUILD_TYPE=Release -- people_gen people_compare
data_dir=$build_dir/bench/people/data
mkdir -p "$data_dir"
data=$data_dir/people-20000.edn
"$build_dir/bench/people/people_gen" "$data"

echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ {print $2}') GiB"

datascript_args=()
if command -v "$node" >/dev/null; then
  if [ ! -d bench/people/datascript/node_modules/datascript ]; then
    (cd bench/people/datascript && npm ci --no-audit --no-fund)
  fi
  echo "DataScript (Node.js $("$node" --version)):"
  "$node" bench/people/datascript/bench.js "$data" --seconds "$seconds" >"$data_dir/datascript.json"
  datascript_args=(--datascript "$data_dir/datascript.json")
else
  echo "no $node: the DataScript column stays empty" >&2
fi
"$build_dir/bench/people/people_compare" "$data" "${datascript_args[@]}" --seconds "$seconds" "$@"
