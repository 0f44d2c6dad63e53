#!/usr/bin/env python3
"""sf-backtest --sweep: local on oneTBB, deterministic for 1, 2 and 4 threads, and as a Slurm job array on a
real single-node Slurm (munged + slurmctld + slurmd started here in a temp dir, torn down after): the
array's merged sweep.csv must equal the local run's byte for byte. Also: one backtest's report (fills,
orders, P&L, summary) is the same for 1, 2 and 4 threads with 4 shards.
Environment: SF_BACKTEST, SF_FEEDGEN, SF_CONFIG.
"""
import filecmp
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def without_backtest_table(toml_text):
    """The config without its [backtest] table (the test sets its own)."""
    return re.sub(r"(?ms)^\[backtest\]\n.*?(?=^\[)", "", toml_text)


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        fail(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


def free_port_pair():
    base = 20000 + (os.getpid() * 7) % 20000
    for p in range(base, base + 400, 2):
        ok = True
        for q in (p, p + 1):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", q))
                except OSError:
                    ok = False
        if ok:
            return p
    fail("no free port pair")


class Slurm:
    """munged, slurmctld and slurmd in the foreground as our children, all state under `root`."""

    def __init__(self, root):
        self.root, self.procs = root, []
        m = os.path.join(root, "munge")
        os.makedirs(m)
        # munged wants every directory above its socket searchable by all.
        for d in (os.path.dirname(root), root, m):
            os.chmod(d, 0o711)
        key = os.path.join(m, "munge.key")
        with open(key, "wb") as f:
            f.write(os.urandom(1024))
        os.chmod(key, 0o400)
        self.sock = os.path.join(m, "munge.sock")
        self.start(["munged", "-F", f"--socket={self.sock}", f"--key-file={key}",
                    f"--pid-file={m}/munged.pid", f"--log-file={m}/munged.log", f"--seed-file={m}/munged.seed"])
        self.wait_for(lambda: os.path.exists(self.sock), "munged")
        host = socket.gethostname().split(".")[0]
        port = free_port_pair()
        for d in ("state", "spool"):
            os.makedirs(os.path.join(root, d))
        self.conf = os.path.join(root, "slurm.conf")
        with open(self.conf, "w") as f:
            f.write(f"""ClusterName=sfsweep{os.getpid()}
SlurmctldHost={host}
SlurmUser=root
SlurmdUser=root
SlurmctldPort={port}
SlurmdPort={port + 1}
AuthType=auth/munge
AuthInfo=socket={self.sock}
CredType=cred/munge
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/slurmctld.log
SlurmdLogFile={root}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,bf_interval=1,sched_min_interval=100000
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName={host} CPUs={os.cpu_count()} RealMemory=1000 State=UNKNOWN
PartitionName=sweep Nodes={host} Default=YES MaxTime=INFINITE State=UP
""")
        self.env = dict(os.environ, SLURM_CONF=self.conf)
        self.start(["slurmctld", "-D", "-f", self.conf])
        self.start(["slurmd", "-D", "-f", self.conf])
        self.wait_for(self.node_idle, "slurmd to register")

    def start(self, cmd):
        self.procs.append(subprocess.Popen(cmd, env=getattr(self, "env", None), stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL))

    def node_idle(self):
        r = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True, env=self.env)
        return r.returncode == 0 and r.stdout.strip() in ("idle", "mix", "alloc")

    def wait_for(self, ready, what, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if ready():
                return
            for p in self.procs:
                if p.poll() is not None:
                    fail(f"{p.args[0]} exited {p.returncode} while waiting for {what}; logs in {self.root}")
            time.sleep(0.2)
        fail(f"timed out waiting for {what}")

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in reversed(self.procs):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def main():
    backtest, feedgen, config = os.environ["SF_BACKTEST"], os.environ["SF_FEEDGEN"], os.environ["SF_CONFIG"]
    tmp = tempfile.mkdtemp(prefix=f"sf_sweep_{os.getpid()}_")
    slurm = None
    started = time.time()
    try:
        days = []
        for seed in (1, 2):
            day = os.path.join(tmp, f"day{seed}.pcap")
            run([feedgen, "--seed", str(seed), "--messages", "60000", "--output", day])
            days.append(day)
        base = without_backtest_table(open(config).read()) + ("\n[backtest]\nseed = 3\norder_latency_ns = 10000\n"
                                      "order_latency_histogram = { bounds_ns = [1000, 9000], counts = [4, 1] }\n"
                                      "response_latency_ns = 10000\nfee_per_share = 0.002\n"
                                      "pnl_interval_ns = 10000000\n")
        with open(os.path.join(tmp, "base.toml"), "w") as f:
            f.write(base)
        with open(os.path.join(tmp, "sharded.toml"), "w") as f:
            f.write(base.replace("[trading]\nshards = 1", "[trading]\nshards = 4"))
        with open(os.path.join(tmp, "sweep.toml"), "w") as f:
            f.write('config = "base.toml"\ndays = ["day1.pcap", "day2.pcap"]\nstrategies = [0, 1, 2]\n'
                    "[grid]\nlimit_offset = [100, 200, 300]\nshares = [50, 100, 200]\n")
        sweep = os.path.join(tmp, "sweep.toml")
        # Local, 1/2/4 threads: the same bytes.
        outs = []
        for threads in (1, 2, 4):
            out = os.path.join(tmp, f"local{threads}")
            run([backtest, "--sweep", sweep, "--threads", str(threads), "--report", out])
            outs.append(os.path.join(out, "sweep.csv"))
        rows = open(outs[0]).read().splitlines()
        if len(rows) != 1 + 9 * 2:
            fail(f"sweep.csv has {len(rows)} lines, want 19")
        if len({r.split(",")[-5] for r in rows[1:]}) < 2:
            fail("every parameter set made the same P&L: the grid changed nothing")
        for o in outs[1:]:
            if not filecmp.cmp(outs[0], o, shallow=False):
                fail(f"{o} differs from the 1-thread sweep")
        if "<svg" not in open(os.path.join(tmp, "local1", "sweep.html")).read():
            fail("sweep.html has no heat map")
        # Parameter set 0 on day 1 as one ordinary backtest: its summary equals the sweep's row (the sweep
        # replays only the traded instruments' messages; the result must not change).
        set0 = base.replace("limit_price = 200500", "limit_price = 200600").replace(
            "limit_price = 199500", "limit_price = 199400").replace("limit_price = 210500", "limit_price = 210600")
        set0 = set0.replace("shares = 100\n", "shares = 50\n")
        with open(os.path.join(tmp, "set0.toml"), "w") as f:
            f.write(set0)
        no_page = os.path.join(tmp, "no_page.py")
        open(no_page, "w").write("")
        rep0 = os.path.join(tmp, "set0")
        run([backtest, "--config", os.path.join(tmp, "set0.toml"), "--report", rep0, days[0]],
            env=dict(os.environ, SF_REPORT_SCRIPT=no_page))
        import json
        total = json.load(open(os.path.join(rep0, "summary.json")))["total"]
        header, row0 = rows[0].split(","), rows[1].split(",")
        if row0[:5] != ["0", "0", "day1.pcap", "100", "50"]:
            fail(f"unexpected first row {rows[1]}")
        for key in ("orders", "shares_ordered", "shares_filled", "fill_ratio", "gross_pnl", "fees", "net_pnl",
                    "sharpe", "max_drawdown", "turnover"):
            cell = row0[header.index(key)]
            if (None if cell == "" else float(cell)) != total[key]:
                fail(f"sweep row 0 {key} = {cell!r}, the same parameters in one backtest: {total[key]!r}")
        # One backtest, 4 shards: the report's data is the same for 1, 2 and 4 threads.
        reports = []
        for threads in (1, 2, 4):
            rep = os.path.join(tmp, f"report{threads}")
            env = dict(os.environ, SF_REPORT_SCRIPT=os.path.join(tmp, "no_page.py"))
            open(env["SF_REPORT_SCRIPT"], "w").write("")
            run([backtest, "--config", os.path.join(tmp, "sharded.toml"), "--threads", str(threads),
                 "--report", rep, days[0]], env=env)
            reports.append(rep)
        for name in ("fills.csv", "orders.csv", "pnl.csv", "equity.csv", "summary.json"):
            for rep in reports[1:]:
                if not filecmp.cmp(os.path.join(reports[0], name), os.path.join(rep, name), shallow=False):
                    fail(f"{name} differs between 1 and more threads ({rep})")
        if os.path.getsize(os.path.join(reports[0], "fills.csv")) < 200:
            fail("the sharded backtest filled nothing")
        # Slurm: 2 days x 3 blocks of 3 sets = 6 array tasks, merged by a dependent job.
        if shutil.which("slurmctld") is None:
            fail("slurmctld is not installed (scripts/install-deps.sh installs it)")
        t0 = time.time()
        print(f"local runs done in {t0 - started:.1f} s")
        slurm = Slurm(os.path.join(tmp, "slurm"))
        print(f"slurm up in {time.time() - t0:.1f} s")
        out = os.path.join(tmp, "slurm-out")
        r = run([backtest, "--sweep", sweep, "--slurm", "--slurm-wait", "--sweep-block", "3", "--report", out],
                env=slurm.env, timeout=240)
        if "6 tasks" not in r.stderr:
            fail(f"expected a 6-task array: {r.stderr}")
        if not filecmp.cmp(outs[0], os.path.join(out, "sweep.csv"), shallow=False):
            import difflib
            diff = difflib.unified_diff(open(outs[0]).read().splitlines(),
                                        open(os.path.join(out, "sweep.csv")).read().splitlines(), lineterm="")
            fail("the Slurm array's merged sweep.csv differs from the local one:\n" + "\n".join(list(diff)[:20]))
        print(f"slurm sweep done in {time.time() - t0:.1f} s")
        print("ok: local sweep equal for 1/2/4 threads, report equal for 1/2/4 threads (4 shards), "
              "Slurm array merged sweep.csv equal to the local one byte for byte")
    finally:
        if slurm:
            slurm.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
