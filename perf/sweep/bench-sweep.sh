#!/usr/bin/env bash
# A 3 x 3 parameter sweep (limit_offset x shares over every [[strategy]] of dpdk-config/replay.toml) over
# the 1 M-message sample feed against one backtest of the same feed, both with the simulated venue, both
# timed as whole processes (start-up, load, replay, output; the sweep includes its heat-map page). Runs
# alternate sweep, backtest, sweep, ... so both see the same machine; prints each median and the median of
# the per-pair ratios. The issue's target: ratio < 4.
#
#   perf/sweep/bench-sweep.sh [ROUNDS=7] [THREADS=2]      (after meson compile -C build sf-backtest sf-feedgen)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-7}
threads=${2:-2}
work=$(mktemp -d "/tmp/sf_bench_sweep_$$_XXXX")
trap 'rm -rf "$work"' EXIT
feed=${SF_FEED:-out/feed.pcap}
if [ ! -s "$feed" ]; then
  feed=$work/feed.pcap
  build/src/tools/feedgen/sf-feedgen --messages 1000000 --output "$feed" >/dev/null 2>&1
fi
config=$(realpath dpdk-config/replay.toml)
cat >"$work/sweep.toml" <<TOML
config = "$config"
days = ["$(realpath "$feed")"]
output = "$work/sweep"
[grid]
limit_offset = [100, 200, 300]
shares = [50, 100, 200]
TOML
bt=build/src/tools/backtest/sf-backtest
now() { date +%s%N; }
sweep_ns=() one_ns=() ratios=()
for ((i = 0; i <= rounds; i++)); do  # round 0 warms the caches and is not counted
  t0=$(now)
  "$bt" --quiet --threads "$threads" --sweep "$work/sweep.toml" 2>/dev/null
  t1=$(now)
  "$bt" --quiet --threads "$threads" --config "$config" --venue sim "$feed" 2>/dev/null
  t2=$(now)
  ((i == 0)) && continue
  sweep_ns+=($((t1 - t0))) one_ns+=($((t2 - t1)))
  ratios+=("$(awk -v a=$((t1 - t0)) -v b=$((t2 - t1)) 'BEGIN { printf "%.3f", a / b }')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "sweep 3x3 (9 backtests + heat map), $threads thread(s): median $(median "${sweep_ns[@]}" | awk '{ printf "%.3f", $1 / 1e9 }') s"
echo "one backtest, $threads thread(s):                       median $(median "${one_ns[@]}" | awk '{ printf "%.3f", $1 / 1e9 }') s"
echo "ratio sweep / one backtest (per pair, $rounds pairs): median $(median "${ratios[@]}"), all: ${ratios[*]}"
