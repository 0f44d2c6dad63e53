#!/usr/bin/env python3
"""sf-backtest --report DIR end to end, with the page checked in a real headless Chromium.

Runs sf-backtest with the simulated venue over a generated feed, then:
  - the CSVs and summary.json are there and agree with each other (the total gross P&L equals the engine's
    own realized + unrealized P&L of the last pnl.csv rows; fills.csv sums to shares_filled);
  - Chromium (Debian) renders report.html: the screenshot is a non-blank PNG, the DOM holds five inline SVG
    plots, no external resource, and every number in the page's tables equals summary.json's.
Environment: SF_BACKTEST, SF_FEEDGEN, SF_CONFIG (a [trading]/[[strategy]] TOML to extend).
"""
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def without_backtest_table(toml_text):
    """The config without its [backtest] table (the test sets its own)."""
    return re.sub(r"(?ms)^\[backtest\]\n.*?(?=^\[)", "", toml_text)


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


class Cells(HTMLParser):
    """Collects <td data-key=K>text</td> cells, <svg> count and any src/href attribute."""

    def __init__(self):
        super().__init__()
        self.cells, self.svgs, self.external, self._key = {}, 0, [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "td" and "data-key" in a:
            self._key = a["data-key"]
            self.cells[self._key] = ""
        if tag == "svg":
            self.svgs += 1
        for name in ("src", "href"):
            if name in a and not a[name].startswith("#") and not a[name].startswith("data:"):
                self.external.append((tag, a[name]))

    def handle_data(self, data):
        if self._key is not None:
            self.cells[self._key] += data

    def handle_endtag(self, tag):
        if tag == "td":
            self._key = None


def lookup(summary, key):
    v = summary
    for part in key.split("."):
        v = v[int(part)] if isinstance(v, list) else v[part]
    return v


def chromium(args, tmp, name):
    profile = os.path.join(tmp, "profile-" + name)
    return subprocess.run(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


def main():
    backtest, feedgen, config = os.environ["SF_BACKTEST"], os.environ["SF_FEEDGEN"], os.environ["SF_CONFIG"]
    if shutil.which("chromium") is None:
        fail("chromium is not installed (scripts/install-deps.sh installs it)")
    tmp = tempfile.mkdtemp(prefix=f"sf_report_{os.getpid()}_")
    try:
        feed = os.path.join(tmp, "feed.pcap")
        subprocess.run([feedgen, "--messages", "200000", "--output", feed], check=True, capture_output=True)
        cfg = os.path.join(tmp, "backtest.toml")
        with open(config) as src, open(cfg, "w") as dst:
            dst.write(without_backtest_table(src.read()))
            dst.write("\n[backtest]\nseed = 7\ntick_to_trade_ns = 1300\norder_latency_ns = 15000\n"
                      "order_latency_histogram = { bounds_ns = [2000, 8000], counts = [3, 1] }\n"
                      "response_latency_ns = 20000\nfee_per_share = 0.003\npnl_interval_ns = 10000000\n")
        out = os.path.join(tmp, "report")
        r = subprocess.run([backtest, "--config", cfg, "--report", out, feed], capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"sf-backtest exited {r.returncode}: {r.stderr}")
        if "P&L (simulated venue): net $" not in r.stderr:
            fail("no P&L line in sf-backtest's summary")
        summary = json.load(open(os.path.join(out, "summary.json")))
        total = summary["total"]
        if total["shares_filled"] == 0:
            fail("nothing filled: the test would prove nothing")
        fills = list(csv.DictReader(open(os.path.join(out, "fills.csv"))))
        if sum(int(f["shares"]) for f in fills) != total["shares_filled"]:
            fail("fills.csv does not sum to shares_filled")
        last = {}
        for row in csv.DictReader(open(os.path.join(out, "pnl.csv"))):
            last[row["symbol"]] = row
        engine_pnl = sum(float(r["realized"]) + float(r["unrealized"]) for r in last.values())
        if abs(engine_pnl - total["gross_pnl"]) > 0.011:
            fail(f"engine P&L {engine_pnl} (pnl.csv) != report gross P&L {total['gross_pnl']}")
        page = "file://" + os.path.join(out, "report.html")
        shot = os.path.join(tmp, "shot.png")
        r = chromium(["--window-size=1280,2400", f"--screenshot={shot}", page], tmp, "shot")
        if r.returncode != 0 or not os.path.exists(shot) or os.path.getsize(shot) == 0:
            fail(f"no screenshot: {r.stderr[-2000:]}")
        from PIL import Image  # python3-pil, a dependency of python3-matplotlib
        img = Image.open(shot).convert("L")
        dark = sum(1 for p in img.getdata() if p < 200)
        if dark < 10000:
            fail(f"screenshot is blank ({dark} non-white pixels)")
        r = chromium(["--dump-dom", page], tmp, "dom")
        if r.returncode != 0 or "<svg" not in r.stdout:
            fail(f"--dump-dom: {r.returncode} {r.stderr[-2000:]}")
        cells = Cells()
        cells.feed(r.stdout)
        if cells.svgs < 5:
            fail(f"{cells.svgs} inline SVG plots, want 5")
        if cells.external:
            fail(f"the page loads external resources: {cells.external[:5]}")
        want = [f"total.{k}" for k in total if k != "sharpe_periods"]
        want += [f"strategies.{i}.net_pnl" for i in range(len(summary["strategies"]))]
        missing = [k for k in want if k not in cells.cells]
        if missing:
            fail(f"numbers missing from the page: {missing}")
        for key, text in cells.cells.items():
            expected = lookup(summary, key)
            shown = None if text.strip() == "n/a" else json.loads(text)
            if shown != expected:
                fail(f"page shows {key} = {text!r}, summary.json has {expected!r}")
        print(f"ok: {len(cells.cells)} numbers equal summary.json, {cells.svgs} plots, {dark} dark pixels, "
              f"net P&L ${total['net_pnl']}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
