#!/usr/bin/env bash
# The book replay table of docs/performance.md ("Full book maintenance"): perf-book-replay on workloads (a)
# and (b), prefetch one- and two-stage, RUNS rounds of the four cases in turn (a1 a2 b1 b2, a1 a2 ...), so a
# change in the host's speed hits every case alike. Prints, per case, the median and range of the thread-CPU
# and wall ns/message, and the load average seen during the runs.
#
#   perf/book/replay-table.sh [BUILD_DIR] [RUNS] [WORKDIR]     (defaults: build, 5, /tmp/sf-book-workloads)
#
# The workload files are generated once into WORKDIR (sf-feedgen, ~1 minute for (b)) and kept.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
runs=${2:-5}
work=${3:-/tmp/sf-book-workloads}
feedgen=$build/src/tools/feedgen/sf-feedgen
replay=$build/perf/book/perf-book-replay
for exe in "$feedgen" "$replay"; do
  [ -x "$exe" ] || { echo "replay-table: missing $exe (ninja -C $build sf-feedgen perf-book-replay)" >&2; exit 2; }
done
mkdir -p "$work"
[ -s "$work/wa.itch" ] || "$feedgen" -o "$work/wa.itch" --format binaryfile --instruments 200 \
  --live-orders 2000 --messages 5000000 >/dev/null
[ -s "$work/wb.itch" ] || "$feedgen" -o "$work/wb.itch" --format binaryfile --instruments 8000 \
  --live-orders 1000000 --far-fraction 0.05 --messages 6000000 >/dev/null

cases=("a 1" "a 2" "b 1" "b 2")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((r = 0; r < runs; r++)); do
  for c in "${cases[@]}"; do
    read -r w stages <<<"$c"
    line=$("$replay" "$work/w$w.itch" 0 "$stages" | grep '^replay:')
    # "replay: W ns/msg, ... (wall); C ns/msg, ... (thread CPU time)"
    wall=$(sed -E 's/^replay: ([0-9.]+) ns\/msg.*/\1/' <<<"$line")
    cpu=$(sed -E 's/.*; ([0-9.]+) ns\/msg.*/\1/' <<<"$line")
    echo "$w $stages $cpu $wall $(cut -d' ' -f1 /proc/loadavg)" >>"$out"
  done
done
med() { sort -g | awk '{v[NR] = $1} END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
                                           printf "%.1f [%.1f-%.1f]", m, v[1], v[NR]}'; }
echo "workload prefetch-stages | CPU ns/msg median [min-max] | wall ns/msg median [min-max] | runs=$runs"
for c in "${cases[@]}"; do
  read -r w stages <<<"$c"
  cpu=$(awk -v w="$w" -v s="$stages" '$1 == w && $2 == s {print $3}' "$out" | med)
  wall=$(awk -v w="$w" -v s="$stages" '$1 == w && $2 == s {print $4}' "$out" | med)
  echo "($w) $stages | $cpu | $wall"
done
echo "load average during the runs: $(awk '{print $5}' "$out" | med)"
