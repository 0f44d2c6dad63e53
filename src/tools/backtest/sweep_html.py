#!/usr/bin/env python3
"""sf-backtest --sweep: draws DIR/sweep.html (heat maps of net P&L and fill ratio over the grid) from
DIR/sweep.csv. With --on-stdin (how sf-backtest starts it, before the sweep runs) it loads matplotlib, then
waits for a line "draw" on stdin and exits without drawing if stdin closes first. With more than two parameters, the first two are the axes and the rest (and the days) are
averaged; with one, the map has a single row. Self-contained: matplotlib SVG inlined, no scripts."""
import csv
import html
import sys
from collections import defaultdict

from svg_plot import plt, svg  # the shared matplotlib set-up (same folder)


def heat_map(rows, keys, metric, title):
    xk = keys[0]
    yk = keys[1] if len(keys) > 1 else None
    xs = sorted({int(r[xk]) for r in rows})
    ys = sorted({int(r[yk]) for r in rows}) if yk else [0]
    acc = defaultdict(list)
    for r in rows:
        acc[(int(r[xk]), int(r[yk]) if yk else 0)].append(float(r[metric]))
    grid = [[sum(acc[(x, y)]) / len(acc[(x, y)]) for x in xs] for y in ys]
    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(xs), 1.4 + 0.9 * len(ys)))
    im = ax.imshow(grid, cmap="RdYlGn", aspect="auto", origin="lower")
    ax.set_xticks(range(len(xs)), [str(x) for x in xs])
    ax.set_yticks(range(len(ys)), [str(y) for y in ys] if yk else [""])
    ax.set_xlabel(xk)
    if yk:
        ax.set_ylabel(yk)
    for j, row in enumerate(grid):
        for i, v in enumerate(row):
            ax.text(i, j, f"{v:.2f}", ha="center", va="center", fontsize=8)
    fig.colorbar(im, ax=ax)
    ax.set_title(title)
    return svg(fig)


def main(d):
    rows = list(csv.DictReader(open(f"{d}/sweep.csv")))
    header = next(csv.reader(open(f"{d}/sweep.csv")))
    keys = header[header.index("input") + 1:header.index("orders")]
    table = "<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>"
    for r in rows:
        table += "<tr>" + "".join(f"<td>{html.escape(r[h])}</td>" for h in header) + "</tr>"
    table += "</table>"
    days = len({r["day"] for r in rows})
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>sf-backtest sweep</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.2em .5em;text-align:right}}</style></head>
<body><h1>sf-backtest sweep</h1><p>{len(rows)} runs: {len(rows) // max(days, 1)} parameter sets x {days} day(s);
maps show the mean over days{" and the other parameters" if len(keys) > 2 else ""}.</p>
<figure>{heat_map(rows, keys, "net_pnl", "net P&L (US $)")}</figure>
<figure>{heat_map(rows, keys, "fill_ratio", "fill ratio")}</figure>
<h2>sweep.csv</h2>{table}</body></html>
"""
    with open(f"{d}/sweep.html", "w") as f:
        f.write(page)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--on-stdin"]:
        args = args[1:]
        if sys.stdin.readline().strip() != "draw":
            sys.exit(0)
    if len(args) != 1:
        sys.exit("usage: sweep_html.py [--on-stdin] DIR")
    main(args[0])
