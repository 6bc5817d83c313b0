#!/usr/bin/env bash
# The ion layer's benchmarks (docs/benchmarks.md "Ions"): builds ions_bench in
# Release, serves HTTP Direct (a trivial web ion, and the inventory example's
# items-by-type) beside plain cpp-httplib servers answering the same bytes,
# loads each in turn with wrk on loopback, and prints requests/s, p50/p99 and
# the ratio of each pair; then the lambda invocation overhead per call.
#   scripts/bench-ions.sh [build-dir]
# Environment: JOBS (build jobs), SECONDS_EACH (wrk duration per server and
# round, default 10), ROUNDS (default 2; the best round of each server is
# kept), CONNECTIONS (default 16), THREADS (wrk threads, default 2).
# Needs wrk (Debian: apt-get install wrk); CI does not run this.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:-build-ions-bench}
seconds=${SECONDS_EACH:-10}
rounds=${ROUNDS:-2}
connections=${CONNECTIONS:-16}
threads=${THREADS:-2}
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }

bash scripts/build.sh "$build_dir" -DCMAKE_BUILD_TYPE=Release -- ions_bench >/dev/null
bench=$build_dir/bench/ions/ions_bench

work=$(mktemp -d)
trap 'exec 3>&-; wait 2>/dev/null; rm -rf "$work"' EXIT
mkfifo "$work/stdin"
"$bench" serve <"$work/stdin" >"$work/ports" &
exec 3>"$work/stdin"  # the server runs until this closes
until grep -q '^ready' "$work/ports" 2>/dev/null; do sleep 0.1; done
port() { awk -v n="$1" '$1 == n { print $2 }' "$work/ports"; }

echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk:     -t$threads -c$connections -d${seconds}s, best of $rounds rounds; items body $(port items-bytes) bytes"
echo

# run <name> [wrk args...]: one wrk run; appends "name rps p50 p99" to results.
run() {
  local name=$1
  shift
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$@" "http://127.0.0.1:$(port "$name")/items")
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  local non2xx
  non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
  [ -z "$non2xx" ] || { echo "$name: $non2xx answers were not 2xx" >&2; exit 1; }
  echo "$name $rps $p50 $p99" >>"$work/results"
}

for ((r = 0; r < rounds; r++)); do
  # Interleaved, so that a change in the machine's load falls on both sides.
  run ion-trivial
  run plain-trivial
  run ion-items -s bench/ions/post_hat.lua
  run plain-items -s bench/ions/post_hat.lua
  run plain-items-query -s bench/ions/post_hat.lua
done

# The best round of each server, then each ion server against its plain twin.
sort -k1,1 -k2,2gr "$work/results" | awk '!seen[$1]++' >"$work/best"
printf '%-18s %12s %10s %10s\n' server requests/s p50 p99
for name in ion-trivial plain-trivial ion-items plain-items plain-items-query; do
  awk -v n="$name" '$1 == n { printf "%-18s %12.0f %10s %10s\n", $1, $2, $3, $4 }' "$work/best"
done
echo
ratio() {  # ratio <ion server> <plain server> <what>
  awk -v a="$1" -v b="$2" -v w="$3" '$1 == a { ion = $2 } $1 == b { plain = $2 }
    END { printf "%-52s %.2f (cost %.0f%%)\n", w, ion / plain, 100 * (1 - ion / plain) }' "$work/best"
}
ratio ion-trivial plain-trivial "trivial: HTTP Direct / plain, same bytes"
ratio ion-items plain-items "items-by-type: HTTP Direct / plain, same bytes"
ratio ion-items plain-items-query "items-by-type: HTTP Direct / plain, same query"
echo
"$bench" lambda
