#!/usr/bin/env bash
# Packet-I/O ceiling next to sniperforge, in one run (< 1 minute, virtual devices only, no NIC):
#   (a) the real dpdk-testpmd --forward-mode=io on net_null0 <-> net_null1 (64-byte frames),
#   (b) the real dpdk-testpmd --forward-mode=io on net_pcap,infinite_rx=1 of an sf-feedgen pcap
#       (frames served from memory, TX dropped),
#   (c) sniperforge's data path (perf-dataplane: the real Runtime) on the same pcap's frames preloaded
#       in memory, run-to-completion and pipeline 1 RX + 1 executor, zero ring drops.
# testpmd runs one forwarding lcore on cpu 1 (main on cpu 0), as sniperforge's placement does here.
# Its pps is the median of the per-second `--stats-period 1` samples (first one dropped), summed over
# ports; sniperforge's is the median of SF_IO_REPEAT runs per mode.
#
#   perf/dataplane/run-io-ceiling.sh [BUILD_DIR]          (default: build)
#
# Environment: SF_IO_MESSAGES (feed size, default 500000), SF_IO_SECONDS (per testpmd run, default 6),
#              SF_IO_REPEAT (sniperforge runs per mode, default 5), TESTPMD (default dpdk-testpmd).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
messages=${SF_IO_MESSAGES:-500000}
seconds=${SF_IO_SECONDS:-6}
repeat=${SF_IO_REPEAT:-5}
testpmd=${TESTPMD:-dpdk-testpmd}
feedgen=$build/src/tools/feedgen/sf-feedgen
perf=$build/perf/dataplane/perf-dataplane
for exe in "$feedgen" "$perf"; do
  [ -x "$exe" ] || { echo "run-io-ceiling: missing $exe (ninja -C $build sf-feedgen perf-dataplane)" >&2; exit 2; }
done
command -v "$testpmd" >/dev/null || { echo "run-io-ceiling: no $testpmd (Debian: apt-get install dpdk-dev)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/sf-io-ceiling.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
feed=$tmp/feed.pcap
"$feedgen" --messages "$messages" --output "$feed" > "$tmp/feedgen.log" 2>&1
packets=$(grep -o 'frames [0-9]*' "$tmp/feedgen.log" | awk '{print $2}')

# median of the numbers on stdin
median() { sort -n | awk '{v[NR] = $1} END {if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# run_testpmd TAG MBUFS TESTPMD-ARGS... : prints the median forwarded packets/s (all ports, one lcore)
run_testpmd() {
  local tag=$1 mbufs=$2
  shift 2
  local log=$tmp/testpmd-$tag.log
  # --no-pci: never touch the machine's real NIC; --no-huge: leave hugepages to the appliance.
  timeout -k 5 -s INT "$seconds" "$testpmd" -l 0,1 --no-pci --no-huge -m 1024 --file-prefix "sf_io_${tag}_$$" \
    --log-level=lib.eal:warning --log-level=pmd.net.pcap:warning "$@" -- \
    --forward-mode=io --nb-cores=1 --stats-period 1 --total-num-mbufs="$mbufs" "${TESTPMD_EXTRA[@]}" \
    > "$log" 2>&1 < /dev/null || true
  rm -rf "/var/run/dpdk/sf_io_${tag}_$$"
  # One sample per "Port statistics" block: the sum of the ports' Rx-pps.
  awk '/Port statistics/ {if (n) print s; n++; s = 0} /Rx-pps:/ {s += $2} END {if (n) print s}' "$log" |
    tail -n +2 | median
}

TESTPMD_EXTRA=()
null_pps=$(run_testpmd null 8192 --vdev net_null0 --vdev net_null1)
TESTPMD_EXTRA=(--port-topology=loop)
# infinite_rx keeps every frame of the pcap in mbufs: the pool holds the whole file plus the rings.
pcap_pps=$(run_testpmd pcap $((packets + 16384)) --vdev "net_pcap0,rx_pcap=$feed,infinite_rx=1")

"$perf" --pcap "$feed" --throughput-only --repeat "$repeat" > "$tmp/perf.log" 2>&1 ||
  { cat "$tmp/perf.log" >&2; echo "run-io-ceiling: perf-dataplane failed" >&2; exit 1; }
field() { grep "^RESULT $1 " "$tmp/perf.log" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

msgs_per_packet=$(awk -v m="$messages" -v p="$packets" 'BEGIN {printf "%.2f", m / p}')
mpps() { awk -v x="$1" 'BEGIN {printf "%.2f", x / 1e6}'; }
echo "feed: $messages ITCH messages in $packets frames ($msgs_per_packet messages/frame), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| path | packets/s (M, median) | ITCH messages/s (M) | notes |"
echo "| --- | --- | --- | --- |"
echo "| dpdk-testpmd io, net_null0 <-> net_null1 | $(mpps "$null_pps") | — | 64-byte frames, both directions on one lcore, ${seconds} s |"
echo "| dpdk-testpmd io, net_pcap infinite_rx (feed pcap) | $(mpps "$pcap_pps") | $(awk -v p="$pcap_pps" -v k="$msgs_per_packet" 'BEGIN {printf "%.1f", p * k / 1e6}') (equivalent) | frames copied from memory into fresh mbufs, TX dropped, ${seconds} s |"
for mode in run_to_completion pipeline; do
  echo "| sniperforge $mode (same pcap, preloaded net_ring) | $(mpps "$(field $mode pkts_per_s)") | $(mpps "$(field $mode msgs_per_s)") | cpu share $(field $mode cpu_share), drops $(field $mode drops), median of $repeat |"
done
