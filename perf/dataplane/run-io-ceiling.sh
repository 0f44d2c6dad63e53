#!/usr/bin/env bash
# Packet-I/O ceiling next to sniperforge, in one run (< 1 minute, virtual devices only, no NIC):
#   (a) the real dpdk-testpmd --forward-mode=io on net_null0 <-> net_null1 (64-byte frames),
#   (b) the real dpdk-testpmd --forward-mode=io on net_pcap,infinite_rx=1 of an sf-feedgen pcap
#       (frames served from memory, TX dropped),
#   (c) sniperforge's data path (perf-dataplane: the real Runtime) on the same pcap's frames preloaded
#       in memory, run-to-completion and pipeline 1 RX + 1 executor, zero ring drops.
# testpmd runs one forwarding lcore on cpu 1 (main on cpu 0), as sniperforge's placement does here.
# Its pps is the median of the `--stats-period 1` samples (printed every ~2 s) taken once forwarding runs,
# summed over ports; sniperforge's is the median of SF_IO_REPEAT runs per mode. "cpu share" is the
# process's cpu time over wall time (a shared machine time-slices the polling lcores), so
# "per cpu-second" compares the paths independently of the neighbours' load.
#
#   perf/dataplane/run-io-ceiling.sh [BUILD_DIR]          (default: build)
#
# Environment: SF_IO_MESSAGES (feed size, default 500000), SF_IO_SECONDS (testpmd measuring window,
#              default 8), SF_IO_REPEAT (sniperforge runs per mode, default 5), TESTPMD (default
#              dpdk-testpmd), SF_IO_KEEP=1 (keep the logs in /tmp/sf-io-ceiling.*).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
messages=${SF_IO_MESSAGES:-500000}
seconds=${SF_IO_SECONDS:-8}
repeat=${SF_IO_REPEAT:-5}
testpmd=${TESTPMD:-dpdk-testpmd}
feedgen=$build/src/tools/feedgen/sf-feedgen
perf=$build/perf/dataplane/perf-dataplane
for exe in "$feedgen" "$perf"; do
  [ -x "$exe" ] || { echo "run-io-ceiling: missing $exe (ninja -C $build sf-feedgen perf-dataplane)" >&2; exit 2; }
done
command -v "$testpmd" >/dev/null || { echo "run-io-ceiling: no $testpmd (Debian: apt-get install dpdk-dev)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/sf-io-ceiling.XXXXXX)
[ -n "${SF_IO_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT  # SF_IO_KEEP=1: keep the logs
feed=$tmp/feed.pcap
"$feedgen" --messages "$messages" --output "$feed" > "$tmp/feedgen.log" 2>&1
packets=$(grep -o 'frames [0-9]*' "$tmp/feedgen.log" | awk '{print $2}')

# median of the numbers on stdin
median() { sort -n | awk '{v[NR] = $1} END {if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# run_testpmd TAG MBUFS TESTPMD-ARGS... : prints "PPS CPU_SHARE" over a window of $seconds that starts
# once forwarding runs: the median of the per-second forwarded packets/s (Rx-pps summed over the
# ports; one forwarding lcore) and the process's cpu time over the window's wall time.
run_testpmd() {
  local tag=$1 mbufs=$2
  shift 2
  local log=$tmp/testpmd-$tag.log hz
  hz=$(getconf CLK_TCK)
  : > "$log"
  # --no-pci: never touch the machine's real NIC; --no-huge: leave hugepages to the appliance.
  # stdbuf: line-buffered, so the log shows each stats block when it is printed (window start).
  stdbuf -oL "$testpmd" -l 0,1 --no-pci --no-huge -m 1024 --file-prefix "sf_io_${tag}_$$" \
    --log-level=lib.eal:warning --log-level=pmd.net.pcap:warning "$@" -- \
    --forward-mode=io --nb-cores=1 --stats-period 1 --total-num-mbufs="$mbufs" "${TESTPMD_EXTRA[@]}" \
    > "$log" 2>&1 < /dev/null &
  local pid=$! i
  for ((i = 0; i < 150; i++)); do  # start-up takes longer on a loaded machine
    grep -q 'Rx-pps: *[1-9]' "$log" 2> /dev/null && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  local blocks0 c0 t0 c1 t1
  blocks0=$(grep -c 'Port statistics' "$log" || true)
  c0=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2> /dev/null || echo 0)
  t0=$(date +%s.%N)
  sleep "$seconds"
  c1=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2> /dev/null || echo 0)
  t1=$(date +%s.%N)
  kill -INT "$pid" 2> /dev/null || true
  (sleep 5 && kill -KILL "$pid" 2> /dev/null) &
  local killer=$!
  wait "$pid" || true
  kill "$killer" 2> /dev/null || true
  wait "$killer" 2> /dev/null || true
  rm -rf "/var/run/dpdk/sf_io_${tag}_$$"
  # One sample per "Port statistics" block (the sum of the ports' Rx-pps), inside the window only.
  awk -v from="$blocks0" '/Port statistics/ {if (n > from) print s; n++; s = 0} /Rx-pps:/ {s += $2}' "$log" |
    median | tr '\n' ' '
  awk -v c="$((c1 - c0))" -v hz="$hz" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f\n", c / hz / (b - a)}'
}

TESTPMD_EXTRA=()
read -r null_pps null_cpu < <(run_testpmd null 8192 --vdev net_null0 --vdev net_null1)
TESTPMD_EXTRA=(--port-topology=loop)
# infinite_rx keeps every frame of the pcap in mbufs: the pool holds the whole file plus the rings.
read -r pcap_pps pcap_cpu < <(run_testpmd pcap $((packets + 16384)) --vdev "net_pcap0,rx_pcap=$feed,infinite_rx=1")

"$perf" --pcap "$feed" --throughput-only --repeat "$repeat" > "$tmp/perf.log" 2>&1 ||
  { cat "$tmp/perf.log" >&2; echo "run-io-ceiling: perf-dataplane failed" >&2; exit 1; }
field() { grep "^RESULT $1 " "$tmp/perf.log" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

msgs_per_packet=$(awk -v m="$messages" -v p="$packets" 'BEGIN {printf "%.2f", m / p}')
mpps() { awk -v x="$1" 'BEGIN {printf "%.2f", x / 1e6}'; }
per_cpu() { awk -v x="$1" -v c="$2" 'BEGIN {if (c > 0) printf "%.2f", x / c / 1e6; else printf "?"}'; }
echo "feed: $messages ITCH messages in $packets frames ($msgs_per_packet messages/frame), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| path | packets/s (M, median) | ITCH messages/s (M) | cpu share | packets per cpu-second (M) | notes |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| dpdk-testpmd io, net_null0 <-> net_null1 | $(mpps "$null_pps") | — | $null_cpu | $(per_cpu "$null_pps" "$null_cpu") | 64-byte frames, both directions on one lcore, ${seconds} s |"
echo "| dpdk-testpmd io, net_pcap infinite_rx (feed pcap) | $(mpps "$pcap_pps") | $(awk -v p="$pcap_pps" -v k="$msgs_per_packet" 'BEGIN {printf "%.1f", p * k / 1e6}') (equivalent) | $pcap_cpu | $(per_cpu "$pcap_pps" "$pcap_cpu") | frames copied from memory into fresh mbufs, TX dropped, ${seconds} s |"
for mode in run_to_completion pipeline; do
  pps=$(field $mode pkts_per_s) cpu=$(field $mode cpu_share)
  echo "| sniperforge $mode (same pcap, preloaded net_ring) | $(mpps "$pps") | $(mpps "$(field $mode msgs_per_s)") | $cpu | $(per_cpu "$pps" "$cpu") | whole data path, $(per_cpu "$(field $mode msgs_per_s)" "$cpu") M messages per cpu-second, drops $(field $mode drops), median of $repeat runs |"
done
