#!/usr/bin/env python3
"""sf-backtest --report DIR: draws DIR/report.html from the CSVs and summary.json sf-backtest wrote there.

One self-contained page: the summary table (every number as in summary.json, each cell tagged with its
JSON path in data-key) and matplotlib SVG plots inlined (no network access, no scripts).
"""
import csv
import html
import json
import sys
from collections import defaultdict

from svg_plot import plt, svg  # the shared matplotlib set-up (same folder)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def seconds(ts_ns):
    return int(ts_ns) / 1e9


def plot_equity(equity):
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.step([seconds(r["ts"]) for r in equity], [float(r["net_pnl"]) for r in equity], where="post")
    ax.set_title("Cumulative net P&L (all strategies)")
    ax.set_xlabel("feed time (s since midnight)")
    ax.set_ylabel("US $")
    ax.grid(alpha=0.3)
    return svg(fig)


def plot_drawdown(equity):
    peak, xs, ys = 0.0, [], []
    for r in equity:
        v = float(r["net_pnl"])
        peak = max(peak, v)
        xs.append(seconds(r["ts"]))
        ys.append(v - peak)
    fig, ax = plt.subplots(figsize=(8, 2.5))
    ax.fill_between(xs, ys, 0, step="post", color="tab:red", alpha=0.4)
    ax.set_title("Drawdown from the running peak")
    ax.set_xlabel("feed time (s since midnight)")
    ax.set_ylabel("US $")
    ax.grid(alpha=0.3)
    return svg(fig)


def plot_position(pnl):
    by_symbol = defaultdict(lambda: ([], []))
    for r in pnl:
        xs, ys = by_symbol[r["symbol"]]
        xs.append(seconds(r["ts"]))
        ys.append(int(r["position"]))
    fig, ax = plt.subplots(figsize=(8, 3))
    for symbol, (xs, ys) in sorted(by_symbol.items()):
        ax.step(xs, ys, where="post", label=symbol)
    ax.set_title("Position per symbol (shares)")
    ax.set_xlabel("feed time (s since midnight)")
    if by_symbol:
        ax.legend()
    ax.grid(alpha=0.3)
    return svg(fig)


def plot_fill_vs_mid(fills):
    fig, ax = plt.subplots(figsize=(5, 5))
    for side, color in (("B", "tab:green"), ("S", "tab:red")):
        rows = [r for r in fills if r["side"] == side and int(r["mid"]) != 0]
        ax.scatter([int(r["mid"]) / 1e4 for r in rows], [int(r["price"]) / 1e4 for r in rows], s=10,
                   color=color, label="buy" if side == "B" else "sell", alpha=0.7)
    lo, hi = ax.get_xlim()
    ax.plot([lo, hi], [lo, hi], color="gray", linewidth=0.8, label="price = mid")
    ax.set_title("Fill price vs mid at the fill")
    ax.set_xlabel("mid (US $)")
    ax.set_ylabel("fill price (US $)")
    ax.legend()
    ax.grid(alpha=0.3)
    return svg(fig)


def plot_latency(summary, orders):
    a = summary["assumptions"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3))
    names = ["tick-to-trade", "order entry (mean)", "response (mean)"]
    values = [a["tick_to_trade_ns"] / 1e3, a["order_latency_mean_ns"] / 1e3, a["response_latency_mean_ns"] / 1e3]
    left.barh(names, values, color=["tab:blue", "tab:orange", "tab:purple"])
    left.set_xlabel("µs")
    left.set_title("Latency assumptions")
    waits = [(int(r["arrival_ts"]) - int(r["sent_ts"])) / 1e3 for r in orders if int(r["arrival_ts"]) != 0]
    right.hist(waits, bins=30, color="tab:orange")
    right.set_xlabel("trigger to venue arrival (µs)")
    right.set_title("Drawn order latencies")
    return svg(fig)


KEYS = [("orders", "orders"), ("filled_orders", "filled orders"), ("shares_ordered", "shares ordered"),
        ("shares_filled", "shares filled"), ("fill_ratio", "fill ratio"), ("gross_pnl", "gross P&L $"),
        ("fees", "fees $"), ("net_pnl", "net P&L $"), ("sharpe", "Sharpe (annualised)"),
        ("max_drawdown", "max drawdown $"), ("turnover", "turnover $")]


def cell(key, value):
    text = "n/a" if value is None else json.dumps(value)
    return f'<td data-key="{html.escape(key)}">{html.escape(text)}</td>'


def summary_table(summary):
    rows = ["<tr><th>strategy</th>" + "".join(f"<th>{html.escape(label)}</th>" for _, label in KEYS) + "</tr>"]
    for s in summary["strategies"]:
        name = f'{s["index"]}: {s["name"]} {s["side"]} {s["symbol"]}'
        rows.append(f"<tr><td>{html.escape(name)}</td>" +
                    "".join(cell(f'strategies.{s["index"]}.{k}', s[k]) for k, _ in KEYS) + "</tr>")
    rows.append("<tr><th>total</th>" + "".join(cell(f"total.{k}", summary["total"][k]) for k, _ in KEYS) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def assumptions_table(summary):
    a = summary["assumptions"]
    return "<table>" + "".join(f"<tr><th>{html.escape(k)}</th>{cell('assumptions.' + k, v)}</tr>"
                               for k, v in a.items()) + "</table>"


def main(d):
    summary = json.load(open(f"{d}/summary.json"))
    equity, pnl = read_csv(f"{d}/equity.csv"), read_csv(f"{d}/pnl.csv")
    fills, orders = read_csv(f"{d}/fills.csv"), read_csv(f"{d}/orders.csv")
    conventions = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>"
                          for k, v in summary["conventions"].items())
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>sf-backtest report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}} table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:right}} figure{{margin:1.5em 0}}</style></head>
<body><h1>sf-backtest report</h1>
<h2>Summary</h2>{summary_table(summary)}
<h2>Assumptions</h2>{assumptions_table(summary)}<ul>{conventions}</ul>
<h2>Cumulative P&amp;L</h2><figure id="equity">{plot_equity(equity)}</figure>
<h2>Position</h2><figure id="position">{plot_position(pnl)}</figure>
<h2>Drawdown</h2><figure id="drawdown">{plot_drawdown(equity)}</figure>
<h2>Fill price vs mid</h2><figure id="fills">{plot_fill_vs_mid(fills)}</figure>
<h2>Tick-to-trade assumptions</h2><figure id="latency">{plot_latency(summary, orders)}</figure>
</body></html>
"""
    with open(f"{d}/report.html", "w") as f:
        f.write(page)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report_html.py DIR")
    main(sys.argv[1])
