#!/usr/bin/env bash
# sf-backtest --journal DIR writes the replay's orders as a journal: sf-journal verify finds it clean, with
# exactly the orders of the orders CSV (same UserRefNums, sides, shares, prices, in the same order),
# framed by start/stop markers; a directory that already holds a journal is refused (exit 1).
set -euo pipefail
work=$(mktemp -d "${TMPDIR:-/tmp}/sf-backtest-journal-$$-XXXX")
trap 'rm -rf "$work"' EXIT
"$SF_FEEDGEN" -o "$work/feed.pcap" --messages 200000 --instruments 50 --seed 9 >/dev/null
"$SF_BACKTEST" --config "$SF_BACKTEST_CONFIG" --threads 2 --orders "$work/orders.csv" --journal "$work/j" \
  "$work/feed.pcap" 2>/dev/null
orders=$(($(wc -l <"$work/orders.csv") - 1))
[ "$orders" -gt 5 ] || { echo "FAIL: the snipers should fire ($orders orders)"; exit 1; }
"$SF_JOURNAL" verify --json "$work/j" >"$work/verify.json"
jq -e ".ok and .order == $orders and .start == 1 and .stop == 1 and .venue == 0" "$work/verify.json" >/dev/null ||
  { echo "FAIL: verify: $(cat "$work/verify.json") (expected $orders orders)"; exit 1; }
# The journal's orders, as the CSV's columns (trigger seq, symbol, side, shares, price, user_ref_num).
"$SF_JOURNAL" dump "$work/j" |
  jq -r 'select(.type == "order") | [.trigger_seq, .symbol, .side, .shares, .price, .user_ref_num] | join(",")' \
  >"$work/journal.csv"
tail -n +2 "$work/orders.csv" | diff - "$work/journal.csv" >/dev/null ||
  { echo "FAIL: the journal's orders differ from the orders CSV"; exit 1; }
rc=0
"$SF_BACKTEST" --config "$SF_BACKTEST_CONFIG" --journal "$work/j" "$work/feed.pcap" 2>"$work/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "already holds a journal" "$work/err" ||
  { echo "FAIL: a second run into the same journal must be refused (rc $rc)"; exit 1; }
echo "backtest journal: $orders orders, same as the orders CSV"
