#!/usr/bin/env python3
"""sf-ctl against the real appliance (issue #14): sniperforge replays a feed through net_pcap with --hold and
a [control] socket; every command goes through the real sf-ctl. Checked: each command's effect (status
before and after), refused cases (uid not allowed, unknown command, negative / non-numeric / above-maximum
values, unknown symbol, invalid reload) exit non-zero with a clear message and change nothing, kill writes
one OUCH Cancel Order per open order to the order port (read back from the TX pcap), the audit log lines.
No venue answers in a replay, so kill reports the orders as still open after its timeout (exit 1)."""
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

SNIPERFORGE = os.environ["SNIPERFORGE"]
SF_CTL = os.environ["SF_CTL"]
SF_FEEDGEN = os.environ["SF_FEEDGEN"]
REPLAY_CONFIG = os.environ["SF_REPLAY_CONFIG"]


def cancel_frames(pcap_path):
    """(count of OUCH Cancel Order frames, their UserRefNums) in a classic pcap of the synthetic order stream."""
    urns = []
    with open(pcap_path, "rb") as f:
        data = f.read()
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        # Ethernet 14 + IPv4 20 + TCP (transport "none": SoupBinTCP in a synthetic TCP stream, one packet
        # per segment), then the packet: u16 length, 'U', the OUCH message.
        if len(frame) < 34 + 20 or frame[23] != 6:
            continue
        at = 34 + (frame[46] >> 4) * 4
        if len(frame) >= at + 3 + 9 and frame[at + 2] == ord("U") and frame[at + 3] == ord("X"):
            urns.append(struct.unpack_from(">I", frame, at + 4)[0])
    return urns


class ControlPlane(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="sf-control-%d-" % os.getpid())
        os.chmod(cls.dir, 0o755)  # other uids (setpriv below) must reach the socket
        cls.feed = os.path.join(cls.dir, "feed.pcap")
        cls.tx = os.path.join(cls.dir, "tx.pcap")
        cls.sock = os.path.join(cls.dir, "control.sock")
        subprocess.run([SF_FEEDGEN, "-q", "--messages", "3000", "-o", cls.feed], check=True)
        with open(REPLAY_CONFIG) as f:
            base = f.read().replace('file_prefix = "sf_replay"', 'file_prefix = "sfctl_%d"' % os.getpid())
        cls.base = base
        cls.cfg = os.path.join(cls.dir, "sf.toml")
        cls.write_config(base)
        cls.err = open(os.path.join(cls.dir, "stderr.log"), "w+")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            cls.metrics_port = s.getsockname()[1]
        cls.proc = subprocess.Popen([SNIPERFORGE, "--config", cls.cfg, "--rx-pcap", cls.feed, "--tx-pcap", cls.tx,
                                     "--metrics-addr", "127.0.0.1:%d" % cls.metrics_port, "--hold", "-q"],
                                    stdout=subprocess.DEVNULL, stderr=cls.err)
        deadline = time.time() + 30
        while time.time() < deadline:
            if os.path.exists(cls.sock) and cls.ctl("status").returncode == 0:
                break
            time.sleep(0.2)
        time.sleep(1.0)  # the replay is over (--hold keeps the lcores polling)

    @classmethod
    def write_config(cls, text, path=None):
        with open(path or cls.cfg, "w") as f:
            f.write(text + '\n[control]\nsocket = "%s"\nallow_uids = [0]\nallow_groups = ["nogroup"]\n' % cls.sock)

    @classmethod
    def tearDownClass(cls):
        if cls.proc.poll() is None:
            cls.proc.send_signal(signal.SIGTERM)
            cls.proc.wait(timeout=30)
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def ctl(cls, *args, as_uid=None):
        prefix = []
        if as_uid is not None:
            prefix = ["setpriv", "--reuid=%d" % as_uid[0], "--regid=%d" % as_uid[1]] + (
                ["--groups=%s" % as_uid[2]] if len(as_uid) > 2 else ["--clear-groups"]) + ["--"]
        return subprocess.run(prefix + [SF_CTL, "--socket", cls.sock] + list(args), capture_output=True, text=True,
                              timeout=30)

    def status(self):
        r = self.ctl("--json", "status")
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def scrape(self):
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.metrics_port, timeout=10) as r:
            return r.read().decode()

    def log(self):
        self.err.seek(0)
        return self.err.read()

    def test_1_status_json(self):
        s = self.status()
        self.assertEqual(len(s["shards"]), 1)
        self.assertEqual(s["shards"][0]["trading_state"], "active")
        self.assertIn("open_orders", s["shards"][0])
        self.assertGreater(s["shards"][0]["open_orders"], 0, "the replay sent orders (no venue: they stay open)")
        self.assertEqual(s["shards"][0]["positions"][0]["strategy"], "sniper/SF0000/buy")

    def test_2_refused_change_nothing(self):
        before = self.status()
        limits = self.ctl("limits", "show").stdout
        cases = [
            (["limits", "set", "max_position=-1"], "risk.max_position: must be in 0.."),
            (["limits", "set", "max_position=abc"], "is not a number"),
            (["limits", "set", "collar_bps=10001"], "risk.collar_bps: must be in 0..10000"),
            (["limits", "set", "max_order_shares=99999999999"], "risk.max_order_shares: must be in"),
            (["limits", "set", "no_such_limit=1"], "unknown key 'no_such_limit'"),
            (["state", "halted", "--symbol", "NOSUCH"], "unknown symbol"),
            (["state", "sideways"], "is not active, reducing or halted"),
            (["strategy", "set", "0", "shares=-3"], "strategy[0].shares: must be in 1..1000000"),
            (["strategy", "disable", "nosuch"], "no strategy 'nosuch'"),
            (["books", "NOSUCH"], "no book for 'NOSUCH'"),
            (["books", "SF0000", "--levels", "0"], "--levels: '0' is not a number in 1..64"),
            (["books", "SF0000", "--levels", "x"], "--levels: 'x' is not a number"),
            (["limits", "set", "max_position=5", "--symbol", "NOSUCH"], "unknown symbol"),
            (["limits", "set", "max_position=-5", "--symbol", "SF0000"], "risk.max_position: must be in 0.."),
            (["limits", "set", "max_open_orders=5", "--symbol", "SF0000"], "is not a per-symbol limit"),
            (["frobnicate"], "unknown command"),
        ]
        for args, message in cases:
            r = self.ctl(*args)
            self.assertEqual(r.returncode, 2, (args, r.stdout, r.stderr))
            self.assertIn(message, r.stderr, args)
        self.assertEqual(self.status(), before)
        self.assertEqual(self.ctl("limits", "show").stdout, limits)

    def test_3_uid_not_allowed(self):
        before = self.status()
        # Reaches the socket through its group (nogroup, a supplementary group), but the peer's uid and
        # primary group are not allowed: refused by SO_PEERCRED.
        r = self.ctl("kill", as_uid=(12345, 12345, "65534"))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("refused: uid 12345", r.stderr)
        # Not even in the socket's group: the file mode (0660) refuses the connection.
        r = self.ctl("kill", as_uid=(12346, 12346))
        self.assertEqual(r.returncode, 1)
        self.assertIn("Permission denied", r.stderr)
        self.assertEqual(self.status(), before)
        self.assertIn("control: refused uid=12345", self.log())
        # A member of an allowed group (nobody:nogroup) may.
        r = self.ctl("status", as_uid=(65534, 65534))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(oct(os.stat(self.sock).st_mode & 0o777), "0o660")

    def test_4_state_limits_strategy_books(self):
        r = self.ctl("state", "reducing")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.status()["shards"][0]["trading_state"], "reducing")
        self.assertEqual(self.ctl("state", "halted", "--symbol", "SF0001").returncode, 0)
        self.assertEqual(self.ctl("state", "active").returncode, 0)
        self.assertEqual(self.status()["shards"][0]["trading_state"], "active")
        r = self.ctl("limits", "set", "max_position=900")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("max_position: 10000 -> 900", r.stdout)
        self.assertIn("max_position = 900", self.ctl("limits", "show").stdout)
        self.assertEqual(self.ctl("strategy", "disable", "sniper/SF0001/buy").returncode, 0)
        self.assertIn("2 sniper/SF0001/buy: limit_price=210500 shares=50 max_position=2000 cooldown_ns=1000000 "
                      "enabled=false", self.ctl("strategy", "list").stdout)
        self.assertEqual(self.ctl("strategy", "set", "0", "shares=7").returncode, 0)
        b = self.ctl("--json", "books", "SF0000")
        self.assertEqual(b.returncode, 0, b.stderr)
        top = json.loads(b.stdout)
        self.assertEqual(top["symbol"], "SF0000")
        # --levels N: the owning executor's best N levels a side, the first of them the top of book.
        deep = json.loads(self.ctl("--json", "books", "SF0000", "--levels", "5").stdout)
        self.assertTrue(1 <= len(deep["bids"]) <= 5 and 1 <= len(deep["asks"]) <= 5, deep)
        self.assertEqual((deep["bids"][0]["price"], deep["bids"][0]["shares"]), (top["bid_px"], top["bid_qty"]))
        self.assertEqual((deep["asks"][0]["price"], deep["asks"][0]["shares"]), (top["ask_px"], top["ask_qty"]))
        prices = [lv["price"] for lv in deep["bids"]]
        self.assertEqual(prices, sorted(prices, reverse=True), "best bid first")
        self.assertIn("  2:  bid ", self.ctl("books", "SF0000", "--levels", "2").stdout)
        # A symbol's own limit (the stricter of it and the shard's applies).
        r = self.ctl("limits", "set", "max_position=100", "--symbol", "SF0000")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("SF0000.max_position: none -> 100", r.stdout)
        self.assertIn("SF0000.max_position = 100", self.ctl("limits", "show").stdout)
        self.assertIn('command="limits set max_position=900" change="max_position: 10000 -> 900" result=ok',
                      self.log())

    def test_4a_state_and_commands_in_metrics_within_one_scrape(self):
        self.assertEqual(self.ctl("state", "halted").returncode, 0)
        halted = self.scrape()  # the first scrape after the command already shows it
        self.assertIn('sniperforge_trade_state{shard="0"} 2', halted)
        self.assertEqual(self.ctl("state", "active").returncode, 0)
        self.assertIn('sniperforge_trade_state{shard="0"} 0', self.scrape())
        # Commands by name and result, refused peers (test_2 and test_3 ran before).
        self.assertRegex(halted, r'sniperforge_control_commands_total\{command="state",result="ok"\} [1-9]')
        self.assertIn('sniperforge_control_commands_total{command="unknown",result="invalid"} 1', halted)
        self.assertIn('sniperforge_control_commands_total{command="limits_set",result="unknown_symbol"} 1',
                      halted)
        self.assertNotIn("frobnicate", halted)
        refused = re.search(r"\nsniperforge_control_refused_peers_total (\d+)", halted)
        self.assertIsNotNone(refused, halted[-2000:])
        self.assertGreaterEqual(int(refused.group(1)), 1)

    def test_5_reload_all_or_nothing(self):
        limits = self.ctl("limits", "show").stdout
        self.write_config(self.base.replace("collar_bps = 500", "collar_bps = -1").replace(
            "max_open_orders = 1000", "max_open_orders = 77"))
        r = self.ctl("reload")
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("risk.collar_bps", r.stderr)
        self.assertEqual(self.ctl("limits", "show").stdout, limits)
        self.write_config(self.base.replace("max_open_orders = 1000", "max_open_orders = 77"))
        r = self.ctl("reload")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("risk.max_open_orders: 1000 -> 77", r.stdout)
        self.assertIn("max_open_orders = 77", self.ctl("limits", "show").stdout)

    def test_6_kill_cancels_every_open_order(self):
        open_before = self.status()["shards"][0]["open_orders"]
        r = self.ctl("--json", "kill")
        out = json.loads(r.stdout)
        self.assertEqual(r.returncode, 1, "no venue acknowledges in a replay: orders stay open")
        self.assertEqual(out["cancels_sent"], open_before)
        self.assertEqual(out["still_open"], open_before)
        self.assertEqual(self.status()["shards"][0]["trading_state"], "killed")
        self.assertIn('sniperforge_trade_kill_switch{shard="0"} 1', self.scrape())
        r = self.ctl("unkill")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(self.status()["shards"][0]["trading_state"], "active")
        self.__class__.expected_cancels = open_before

    def test_7_cancels_on_the_wire_and_clean_stop(self):
        expected = getattr(self.__class__, "expected_cancels", None)
        self.assertIsNotNone(expected, "test_6 ran")
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=30), 0, self.log())
        self.assertFalse(os.path.exists(self.sock), "the socket is removed at exit")
        self.assertEqual(len(cancel_frames(self.tx)), expected, "one OUCH Cancel Order per open order")


if __name__ == "__main__":
    unittest.main(verbosity=2)
