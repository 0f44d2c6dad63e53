#!/usr/bin/env bash
# The main job: install what is missing, build ./build, generate a sample feed with sf-feedgen (if not
# present), replay it through the real DPDK binary (net_pcap, dpdk-config/replay.toml) and print the summary.
# Works as root with or without hugepages (sniperforge falls back to --no-huge by itself).
#
#   scripts/run-main.sh [extra sniperforge options]     e.g. --metrics-addr 127.0.0.1:9470 --hold
#
# Environment: SF_FEED (pcap to replay, default out/feed.pcap), SF_MESSAGES (sample size, default 1000000),
#              SF_CONFIG (default dpdk-config/replay.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -x scripts/hugepages.sh ] && scripts/hugepages.sh || true
if ! scripts/build.sh; then
  # The main job needs three binaries: do not let an unrelated broken target stop it.
  echo "run-main: full build failed; building only sniperforge, sf-feedgen and sf-backtest" >&2
  meson compile -C build sniperforge sf-feedgen sf-backtest
fi

out=out
mkdir -p "$out"
feed=${SF_FEED:-$out/feed.pcap}
config=${SF_CONFIG:-dpdk-config/replay.toml}
if [ ! -s "$feed" ]; then
  echo "run-main: generating a sample feed with sf-feedgen: $feed"
  build/src/tools/feedgen/sf-feedgen --messages "${SF_MESSAGES:-1000000}" --output "$feed"
fi
echo "run-main: sniperforge --config $config --rx-pcap $feed"
build/src/app/sniperforge --config "$config" --rx-pcap "$feed" --tx-pcap "$out/orders.pcap" \
  --dump-books "$out/books.csv" --stats-file "$out/stats.txt" "$@"
echo "run-main: books in $out/books.csv ($(($(wc -l < "$out/books.csv") - 1)) instruments)," \
  "orders in $out/orders.pcap, every counter in $out/stats.txt"
# The same feed through sf-backtest with the simulated venue ([backtest] in the config): its P&L line ends
# the summary (docs/backtest.md).
echo "run-main: sf-backtest --config $config --venue sim --report $out/backtest $feed"
build/src/tools/backtest/sf-backtest --config "$config" --quiet --report "$out/backtest" "$feed" 2>"$out/backtest.txt" ||
  { cat "$out/backtest.txt" >&2; exit 1; }
echo "run-main: backtest report in $out/backtest/report.html, summary in $out/backtest/summary.json"
grep 'P&L (simulated venue)' "$out/backtest.txt" | sed 's/^ */run-main: backtest /'
