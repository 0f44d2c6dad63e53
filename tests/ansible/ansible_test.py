#!/usr/bin/env python3
"""Checks of the Ansible deployment (ansible/), run as meson tests.

  ansible_test.py syntax    ansible-playbook --syntax-check (example and CI inventories)
  ansible_test.py lint      ansible-lint (Debian's 6.13, ansible/.ansible-lint)
  ansible_test.py converge  real run on localhost into a scratch root, kernel/GRUB/NIC skipped by
                            tag; second run must report changed=0; promtool and
                            `sniperforge --check-config` on what was rendered
  ansible_test.py example   the example inventory's sniperforge.toml, rendered here, passes
                            `sniperforge --check-config` (lcore cpus left to sniperforge's placement)
  ansible_test.py gitbuild  the role's git path on a stand-in tree (tests/ansible/fixtures): clone at a
                            tag, meson setup/compile/install, idempotent rerun, upgrade to a new tag
  ansible_test.py guards    host_tuning rendered into a scratch root with injected hardware facts
                            (kernel command line, sysctls, fstab); the nic role's refusals
                            (management interface, missing IOMMU, unknown PCI address)

Environment (set by tests/ansible/meson.build): SF_SOURCE_ROOT, SF_BUILD_ROOT, SF_WORK_DIR (scratch
space inside the build dir), SF_SNIPERFORGE_EXE (empty when the binary is not defined yet).
Exit 0 = pass, 1 = fail, 77 = skipped (with the reason printed).
"""
import os
import re
import shutil
import subprocess
import sys

SOURCE = os.environ.get("SF_SOURCE_ROOT", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD = os.environ.get("SF_BUILD_ROOT", os.path.join(SOURCE, "build"))
WORK = os.environ.get("SF_WORK_DIR", os.path.join(BUILD, "ansible-tests"))
EXE = os.environ.get("SF_SNIPERFORGE_EXE", "")
ANSIBLE_DIR = os.path.join(SOURCE, "ansible")
CI_INVENTORY = os.path.join(SOURCE, "tests", "ansible", "inventory")
EXAMPLE_INVENTORY = os.path.join(ANSIBLE_DIR, "inventories", "example", "hosts.yml")
VAULT_PASSWORD_FILE = os.path.join(SOURCE, "tests", "ansible", "fixtures", "vault-password")
# The CI inventory's vaulted password for login CISNP0 (tests/ansible/inventory/group_vars/sniperforge.yml).
CI_PASSWORD = "Vq7zK2pX9w"
SKIP = 77
failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)
    return condition


def ansible_env(name):
    """Environment for ansible: our config, no sudo (CI is root), private temp/cache dirs."""
    env = dict(os.environ)
    home = os.path.join(WORK, name, "ansible-home")
    os.makedirs(home, exist_ok=True)
    env.update({
        "ANSIBLE_CONFIG": os.path.join(ANSIBLE_DIR, "ansible.cfg"),
        "ANSIBLE_BECOME": "false",
        "ANSIBLE_HOME": home,
        "ANSIBLE_LOCAL_TEMP": os.path.join(home, "tmp"),
        "ANSIBLE_REMOTE_TEMP": os.path.join(home, "remote-tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "PY_COLORS": "0",
        "SF_SOURCE_ROOT": SOURCE,
        "SF_BUILD_ROOT": BUILD,
        # The inventories' venue passwords are vaulted with this fixture password (public, tests
        # and the example only); a real site passes its own --vault-password-file / --ask-vault-pass.
        "ANSIBLE_VAULT_PASSWORD_FILE": VAULT_PASSWORD_FILE,
    })
    return env


def run(cmd, env, cwd=ANSIBLE_DIR, log=None):
    print("$ " + " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if log:
        with open(log, "w") as f:
            f.write(proc.stdout)
    return proc


def tail(text, lines=60):
    return "\n".join(text.splitlines()[-lines:])


def recap(output):
    """{'localhost': {'ok': n, 'changed': n, 'failed': n, ...}} from the PLAY RECAP lines."""
    result = {}
    for m in re.finditer(r"^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$", output, re.MULTILINE):
        result[m.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
    return result


def require(tool):
    path = shutil.which(tool)
    if not path:
        print(f"SKIP: {tool} is not installed (scripts/install-deps.sh installs it)")
        sys.exit(SKIP)
    return path


# ---------------------------------------------------------------------------------------------
def test_syntax():
    require("ansible-playbook")
    env = ansible_env("syntax")
    for inventory in (EXAMPLE_INVENTORY, CI_INVENTORY):
        proc = run(["ansible-playbook", "--syntax-check", "-i", inventory, "site.yml"], env)
        check(proc.returncode == 0, f"syntax-check site.yml with {os.path.relpath(inventory, SOURCE)}"
              + ("" if proc.returncode == 0 else "\n" + tail(proc.stdout)))
    for playbook in ("guards.yml", "render-example.yml", "build-from-git.yml"):
        proc = run(["ansible-playbook", "--syntax-check", "-i", CI_INVENTORY,
                    os.path.join(SOURCE, "tests", "ansible", playbook)], env)
        check(proc.returncode == 0, f"syntax-check tests/ansible/{playbook}" + ("" if proc.returncode == 0 else "\n" + tail(proc.stdout)))
    test_documented()


def test_documented():
    """Every role default is documented (set or commented) in the example group_vars."""
    import glob
    import yaml
    text = "".join(open(f).read() for f in glob.glob(os.path.join(ANSIBLE_DIR, "inventories", "example", "group_vars", "*.yml")))
    for defaults in sorted(glob.glob(os.path.join(ANSIBLE_DIR, "roles", "*", "defaults", "main.yml"))):
        names = list((yaml.safe_load(open(defaults)) or {}).keys())
        missing = [n for n in names if not re.search(r"\b" + re.escape(n) + r"\b", text)]
        check(not missing, f"{os.path.relpath(defaults, ANSIBLE_DIR)}: all {len(names)} variables documented in the example group_vars"
              + (f" (missing: {', '.join(missing)})" if missing else ""))


def test_lint():
    require("ansible-lint")
    env = ansible_env("lint")
    env["XDG_CACHE_HOME"] = os.path.join(WORK, "lint", "cache")
    proc = run(["ansible-lint", "--nocolor"], env)
    print(tail(proc.stdout, 40))
    check(proc.returncode == 0, "ansible-lint (production profile) reports no violation")
    if shutil.which("yamllint"):
        proc = run(["yamllint", "-d", "{extends: default, rules: {line-length: {max: 160}, truthy: {allowed-values: ['true', 'false', 'yes', 'no']}}}",
                    os.path.join(SOURCE, "tests", "ansible")], env)
        check(proc.returncode == 0, "yamllint tests/ansible" + ("" if proc.returncode == 0 else "\n" + tail(proc.stdout)))


def converge(env, root, label, extra=()):
    log = os.path.join(WORK, "converge", f"{label}.log")
    proc = run(["ansible-playbook", "-i", CI_INVENTORY, "site.yml", "--skip-tags", "kernel,grub,nic", "--diff", *extra], env, log=log)
    stats = recap(proc.stdout).get("localhost", {})
    print(f"{label}: rc={proc.returncode} recap={stats} (log: {log})", flush=True)
    if proc.returncode != 0:
        print(tail(proc.stdout, 80))
    return proc, stats


def check_order_session(root, config):
    """The vaulted venue password became a 0600 file of the service user; only its path is in the
    config, and neither the config nor any converge log shows the password."""
    import pwd
    import stat
    import tomllib
    secret = os.path.join(root, "etc", "sniperforge", "secrets", "CISNP0")
    if check(os.path.isfile(secret), "password file etc/sniperforge/secrets/CISNP0 written"):
        st = os.stat(secret)
        check(stat.S_IMODE(st.st_mode) == 0o600, f"password file mode 0600 ({oct(stat.S_IMODE(st.st_mode))})")
        check(pwd.getpwuid(st.st_uid).pw_name == "sniperforge", f"password file owned by the service user ({pwd.getpwuid(st.st_uid).pw_name})")
        check(open(secret).read() == CI_PASSWORD + "\n", "password file holds the decrypted vaulted password")
        sdir = os.stat(os.path.dirname(secret))
        check(stat.S_IMODE(sdir.st_mode) == 0o700 and pwd.getpwuid(sdir.st_uid).pw_name == "sniperforge",
              "secrets directory: service user, mode 0700")
    if os.path.isfile(config):
        text = open(config).read()
        check(CI_PASSWORD not in text, "the password is not in the rendered sniperforge.toml")
        with open(config, "rb") as f:
            session = tomllib.load(f).get("order_session", {})
        check(session.get("transport") == "dpdk" and session.get("local_ip") == "10.0.0.1"
              and session.get("venue") == "10.0.0.2:15000" and session.get("heartbeat_ms") == 1000
              and session.get("timeout_ms") == 15000 and session.get("gateway_mac") == "02:00:00:00:00:02",
              f"[order_session] has transport dpdk and the inventory's keys ({sorted(session)})")
        check(not {"src_mac", "dst_mac", "src_ip", "dst_ip", "dst_port"} & set(session),
              "no retired UDP order-session key is rendered")
        check(session.get("login") == [{"username": "CISNP0", "password_file": secret, "session": ""}],
              f"one [[order_session.login]] with the password file's path ({session.get('login')})")
        if EXE and os.path.isfile(secret):
            # The appliance's own guard on what the role wrote: a readable-by-others file is refused.
            os.chmod(secret, 0o644)
            p = run([EXE, "--check-config", "--config", config], ansible_env("converge"))
            os.chmod(secret, 0o600)
            check(p.returncode != 0 and "refused unless 0600 or 0400" in p.stdout and CI_PASSWORD not in p.stdout,
                  "--check-config refuses the password file at mode 0644 (without printing it)")
    logs = [os.path.join(WORK, "converge", f) for f in os.listdir(os.path.join(WORK, "converge")) if f.endswith(".log")]
    leaked = [os.path.basename(f) for f in logs if CI_PASSWORD in open(f).read()]
    check(len(logs) >= 4 and not leaked, f"the password appears in none of the {len(logs)} ansible logs (--diff included)"
          + (f" (found in {leaked})" if leaked else ""))


def test_converge():
    require("ansible-playbook")
    work = os.path.join(WORK, "converge")
    root = os.path.join(work, "root")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(root)
    env = ansible_env("converge")
    env["SF_DEPLOY_ROOT"] = root
    env["SF_VALIDATE_CONFIG"] = "true" if EXE else "false"
    metrics_port = free_port()
    env["SF_METRICS_PORT"] = str(metrics_port)
    if not os.path.exists(os.path.join(BUILD, "build.ninja")):
        print(f"FAIL: {BUILD} is not a configured meson build dir")
        sys.exit(1)
    # meson install --no-rebuild needs every installable target built (meson test builds them all).
    import json
    p = subprocess.run(["meson", "introspect", BUILD, "--installed"], stdout=subprocess.PIPE, text=True)
    missing = [f for f in (json.loads(p.stdout) if p.returncode == 0 else {}) if not os.path.exists(f)]
    if missing:
        print("FAIL: the build dir lacks installable files (build them first, e.g. `ninja -C build`): "
              + ", ".join(os.path.relpath(f, BUILD) for f in missing))
        sys.exit(1)

    proc, first = converge(env, root, "first-run")
    check(proc.returncode == 0 and first.get("failed", 1) == 0, "first converge succeeds")
    check(first.get("changed", 0) > 0, "first converge changes something (it started from an empty root)")
    proc, second = converge(env, root, "second-run")
    check(proc.returncode == 0 and second.get("failed", 1) == 0, "second converge succeeds")
    if not check(second.get("changed", -1) == 0, f"second converge is idempotent (changed={second.get('changed')})"):
        print("\n".join(line for line in proc.stdout.splitlines() if line.startswith("changed:")))
    # A dry run (what operators run before a change) must work on a converged host and predict nothing.
    proc, dry = converge(env, root, "check-mode", ["--check"])
    check(proc.returncode == 0 and dry.get("failed", 1) == 0 and dry.get("changed", -1) == 0,
          f"--check run on the converged host succeeds and predicts no change (changed={dry.get('changed')})")

    config = os.path.join(root, "etc", "sniperforge", "sniperforge.toml")
    # Day 2: a risk-limit change alone (--tags config) re-renders and re-validates the config.
    import json
    proc = run(["ansible-playbook", "-i", CI_INVENTORY, "site.yml", "--tags", "config",
                "-e", json.dumps({"sniperforge_risk": {"max_order_shares": 500}})], env,
               log=os.path.join(WORK, "converge", "config-change.log"))
    stats = recap(proc.stdout).get("localhost", {})
    check(proc.returncode == 0 and stats.get("changed", 0) >= 1 and os.path.isfile(config)
          and "max_order_shares = 500" in open(config).read(),
          f"--tags config alone re-renders the changed risk limit (changed={stats.get('changed')})"
          + ("" if proc.returncode == 0 else "\n" + tail(proc.stdout, 40)))
    if EXE:
        # ... and validates it: a limit the appliance refuses (max_order_shares must be >= 1) fails the run.
        proc = run(["ansible-playbook", "-i", CI_INVENTORY, "site.yml", "--tags", "config",
                    "-e", json.dumps({"sniperforge_risk": {"max_order_shares": 0}})], env,
                   log=os.path.join(WORK, "converge", "config-rejected.log"))
        check(proc.returncode != 0 and "max_order_shares = 500" in open(config).read(),
              "--tags config with a limit sniperforge rejects fails and keeps the previous config")
    proc, _ = converge(env, root, "back-to-inventory")
    check(proc.returncode == 0 and "max_order_shares = 1000" in open(config).read(), "a full run restores the inventory's value")
    unit = os.path.join(root, "etc", "systemd", "system", "sniperforge.service")
    prom = os.path.join(root, "etc", "prometheus", "prometheus.yml")
    for path in (config, unit, prom):
        check(os.path.isfile(path), f"rendered {os.path.relpath(path, root)}")

    check_order_session(root, config)

    if os.path.isfile(unit):
        text = open(unit).read()
        for needle in ("User=sniperforge", "LimitMEMLOCK=infinity", "Restart=on-failure", "CPUAffinity=0",
                       "CapabilityBoundingSet=CAP_IPC_LOCK", "NoNewPrivileges=yes", "--check-config --config /etc/sniperforge/sniperforge.toml"):
            check(needle in text, f"unit has {needle}")
        check("CAP_SYS_ADMIN" not in text, "unit does not grant CAP_SYS_ADMIN")
        analyze = shutil.which("systemd-analyze")
        if analyze:
            # --root resolves ExecStart= paths inside the scratch root, where meson installed the binary.
            p = run([analyze, "verify", f"--root={root}", "/etc/systemd/system/sniperforge.service"], env)
            # A scratch root has no sysinit.target & co: only problems with our unit itself count.
            relevant = [line for line in p.stdout.splitlines() if "sniperforge.service" in line
                        and ".target not found" not in line and "Failed to create sniperforge.service/start" not in line
                        and not (not EXE and "is not executable" in line)]
            check(p.returncode == 0 or not relevant, "systemd-analyze verify reports nothing about sniperforge.service"
                  + ("" if not relevant else "\n" + "\n".join(relevant)))

    if os.path.isfile(prom):
        promtool = shutil.which("promtool")
        if check(promtool is not None, "promtool is installed"):
            p = run([promtool, "check", "config", prom], env)
            check(p.returncode == 0, "promtool check config accepts the rendered prometheus.yml\n" + tail(p.stdout, 20))
        text = open(prom).read()
        check('job_name: "sniperforge_localhost"' in text and "job: sniperforge" in text,
              "prometheus.yml has a scrape job for the appliance")
        check(f"localhost:{metrics_port}" in text, f"the job scrapes the appliance's metrics port {metrics_port}")
        rules = os.path.join(root, "etc", "prometheus", "sniperforge-rules")
        shipped = [f for f in os.listdir(os.path.join(SOURCE, "monitoring")) if f.endswith((".yml", ".yaml"))] \
            if os.path.isdir(os.path.join(SOURCE, "monitoring")) else []
        check(sorted(os.listdir(rules)) == sorted(shipped) if os.path.isdir(rules) else not shipped,
              f"alert rules from monitoring/ installed ({len(shipped)} file(s))")

    if os.path.isfile(config):
        import tomllib
        try:
            with open(config, "rb") as f:
                doc = tomllib.load(f)
            check(True, "rendered sniperforge.toml is valid TOML")
            check(doc.get("telemetry", {}).get("metrics_addr") == f"127.0.0.1:{metrics_port}", "[telemetry].metrics_addr from the inventory")
            check(len(doc.get("port", [])) == 1 and len(doc.get("strategy", [])) == 1, "[[port]] and [[strategy]] tables from the inventory")
        except tomllib.TOMLDecodeError as e:
            check(False, f"rendered sniperforge.toml is valid TOML: {e}")

    datasource = os.path.join(root, "etc", "grafana", "provisioning", "datasources", "sniperforge.yml")
    dashboards_dir = os.path.join(root, "var", "lib", "grafana", "dashboards", "sniperforge")
    if check(os.path.isfile(datasource), "Grafana data source provisioned"):
        uid = re.search(r"^\s*uid:\s*(\S+)", open(datasource).read(), re.MULTILINE)
        used = set()
        for name in os.listdir(dashboards_dir) if os.path.isdir(dashboards_dir) else []:
            used |= set(re.findall(r'"type":\s*"prometheus",\s*"uid":\s*"([^"]+)"', open(os.path.join(dashboards_dir, name)).read()))
        check(uid is not None and all(u == uid.group(1) or u.startswith("$") for u in used),
              f"dashboards use the provisioned data source uid ({uid.group(1) if uid else None}; dashboards use {sorted(used)})")

    installed = [os.path.join(dp, f) for dp, _, fs in os.walk(root) for f in fs if f == "sniperforge"]
    check(bool(installed), "meson install put the sniperforge binary under the scratch root")

    if not EXE:
        print("SKIP (partial): the meson variable sniperforge_exe is not defined yet (src/app/meson.build), "
              "so the rendered config could not be checked with sniperforge --check-config.")
        return SKIP if not failures else 1
    if os.path.isfile(config):
        p = run([EXE, "--check-config", "--config", config], env)
        check(p.returncode == 0, "sniperforge --check-config accepts the rendered sniperforge.toml\n" + tail(p.stdout, 30))
        bad = os.path.join(work, "broken.toml")
        with open(bad, "w") as f:
            f.write(open(config).read() + "\n[lcores_typo]\nmode = 1\n")
        p = run([EXE, "--check-config", "--config", bad], env)
        check(p.returncode != 0, "sniperforge --check-config rejects a broken copy (the check can fail)")
        live_scrape(work, config, prom)
    return 0


def free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url):
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode()
    except Exception:  # not up yet, refused, timeout
        return None


def live_scrape(work, config, prom):
    """The rendered pair really works: the appliance runs from the rendered config (net_null feed)
    and a real Prometheus, started from the rendered prometheus.yml, scrapes it and loads the rules."""
    import json
    import signal
    import time
    import urllib.parse
    prometheus = shutil.which("prometheus")
    if not prometheus:
        print("note: no prometheus server binary; live scrape not checked")
        return
    metrics_addr = re.search(r'^metrics_addr = "([^"]+)"', open(config).read(), re.MULTILINE).group(1)
    prom_port = free_port()
    procs = []
    try:
        appliance = subprocess.Popen([EXE, "--config", config], stdout=open(os.path.join(work, "sniperforge.log"), "w"),
                                     stderr=subprocess.STDOUT)
        procs.append(appliance)
        deadline = time.time() + 60
        while time.time() < deadline and appliance.poll() is None and http_get(f"http://{metrics_addr}/health") is None:
            time.sleep(0.5)
        if not check(http_get(f"http://{metrics_addr}/metrics") is not None,
                     f"sniperforge runs from the rendered config and serves /metrics on {metrics_addr}"):
            print(tail(open(os.path.join(work, "sniperforge.log")).read(), 30))
            return
        server = subprocess.Popen([prometheus, f"--config.file={prom}", f"--web.listen-address=127.0.0.1:{prom_port}",
                                   f"--storage.tsdb.path={os.path.join(work, 'tsdb')}"],
                                  stdout=open(os.path.join(work, "prometheus.log"), "w"), stderr=subprocess.STDOUT)
        procs.append(server)
        api = f"http://127.0.0.1:{prom_port}/api/v1"
        query = api + "/query?query=" + urllib.parse.quote('up{job="sniperforge"}')
        up = None
        deadline = time.time() + 60
        while time.time() < deadline and server.poll() is None:
            body = http_get(query)
            result = json.loads(body)["data"]["result"] if body else []
            up = result[0]["value"][1] if result else None
            if up == "1":
                break
            time.sleep(1)
        if not check(up == "1", f'Prometheus from the rendered prometheus.yml scrapes the appliance (up{{job="sniperforge"}} = {up})'):
            print(tail(open(os.path.join(work, "prometheus.log")).read(), 20))
        body = http_get(api + "/query?query=" + urllib.parse.quote('count({job="sniperforge", appliance="localhost"})'))
        series = json.loads(body)["data"]["result"] if body else []
        check(bool(series) and int(series[0]["value"][1]) > 10, "appliance series carry the appliance label")
        body = http_get(api + "/rules")
        groups = json.loads(body)["data"]["groups"] if body else []
        shipped = sum(len(g.get("rules", [])) for f in os.listdir(os.path.join(SOURCE, "monitoring"))
                      if f.endswith((".yml", ".yaml")) for g in (__import__("yaml").safe_load(open(os.path.join(SOURCE, "monitoring", f))) or {}).get("groups", []))
        loaded = sum(len(g.get("rules", [])) for g in groups)
        check(loaded == shipped and loaded > 0, f"Prometheus loaded the shipped alert rules ({loaded} of {shipped})")
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    check(procs[0].returncode == 0, f"sniperforge exits 0 on SIGTERM (exit {procs[0].returncode})")


def test_guards():
    require("ansible-playbook")
    work = os.path.join(WORK, "guards")
    shutil.rmtree(work, ignore_errors=True)
    root = os.path.join(work, "root")
    os.makedirs(os.path.join(root, "etc", "default"))
    env = ansible_env("guards")
    env["SF_DEPLOY_ROOT"] = root
    playbook = os.path.join(SOURCE, "tests", "ansible", "guards.yml")

    def play(tags, extra, label, dry_run=False):
        cmd = ["ansible-playbook", "-i", CI_INVENTORY, playbook, "--tags", tags] + (["--check"] if dry_run else [])
        for key, value in extra.items():
            cmd += ["-e", key if value is None else f"{key}={value}"]
        proc = run(cmd, env, log=os.path.join(work, label + ".log"))
        return proc

    # 1. host_tuning into the scratch root with a 16-CPU, 2-node machine injected.
    proc = play("tuning", {}, "tuning")
    if not check(proc.returncode == 0, "host_tuning converges into the scratch root with injected facts"):
        print(tail(proc.stdout, 80))
    dropin = os.path.join(root, "etc", "default", "grub.d", "90-sniperforge.cfg")
    text = open(dropin).read() if os.path.isfile(dropin) else ""
    for arg in ("isolcpus=managed_irq,domain,2-7,10-15", "nohz_full=2-7,10-15", "rcu_nocbs=2-7,10-15",
                "irqaffinity=0-1,8-9", "transparent_hugepage=never", "intel_iommu=on", "iommu=pt",
                "default_hugepagesz=1G", "hugepagesz=1G", "hugepages=8"):
        check(arg in text.split('"')[1].split() if text.count('"') >= 2 else False, f"GRUB drop-in has {arg}")
    check("GRUB_CMDLINE_LINUX=\"${GRUB_CMDLINE_LINUX} " in text, "GRUB drop-in appends to the operator's GRUB_CMDLINE_LINUX")
    check("REBOOT REQUIRED" in proc.stdout, "the handler reports that a reboot is required")
    check(os.path.isfile(os.path.join(root, "run", "reboot-required")), "the handler flags /run/reboot-required")
    check("update-grub-called" in proc.stdout or os.path.isfile(os.path.join(work, "update-grub-called")),
          "the handler ran the GRUB update command")
    sysctl = os.path.join(root, "etc", "sysctl.d", "60-sniperforge.conf")
    stext = open(sysctl).read() if os.path.isfile(sysctl) else ""
    check("kernel.numa_balancing=0" in stext.replace(" ", ""), "sysctl file disables NUMA balancing")
    fstab = os.path.join(root, "etc", "fstab")
    ftext = open(fstab).read() if os.path.isfile(fstab) else ""
    check("hugetlbfs" in ftext and "pagesize=1G" in ftext, "fstab mounts hugetlbfs with 1 GiB pages for the service user")
    script = os.path.join(root, "usr", "local", "sbin", "sniperforge-runtime-tuning")
    if check(os.path.isfile(script), "run-time tuning script installed"):
        p = subprocess.run(["sh", "-n", script])
        check(p.returncode == 0, "run-time tuning script is valid sh")
    proc = play("tuning", {}, "tuning-again")
    stats = recap(proc.stdout).get("localhost", {})
    check(proc.returncode == 0 and stats.get("changed", -1) == 0, f"host_tuning second run is idempotent (changed={stats.get('changed')})")

    # A dry run on a new server (service account not created yet) works too.
    proc = play("tuning", {"sniperforge_user": "sf-dry-user", "sniperforge_group": "sf-dry-group"}, "tuning-check", dry_run=True)
    check(proc.returncode == 0 and subprocess.run(["getent", "passwd", "sf-dry-user"], stdout=subprocess.DEVNULL).returncode != 0,
          "host_tuning --check works on a new server (service account not created yet) and creates nothing"
          + ("" if proc.returncode == 0 else "\n" + tail(proc.stdout, 30)))
    # 2. A layout that cannot work is refused before anything is written.
    proc = play("tuning", {"host_tuning_isolated_cpus": "0-3"}, "bad-layout")
    check(proc.returncode != 0 and "CPU layout" in proc.stdout, "host_tuning refuses isolating CPU 0 / overlapping sets")

    # 3. nic: a sane request passes the checks; the management NIC, a missing IOMMU and an unknown
    #    address are refused (only the checks run: nothing is bound on the CI machine).
    proc = play("nic_checks", {}, "nic-ok")
    check(proc.returncode == 0, "nic checks accept the DPDK ports" + ("" if proc.returncode == 0 else "\n" + tail(proc.stdout)))
    proc = play("nic_checks", {"guard_ports": "mgmt"}, "nic-mgmt")
    check(proc.returncode != 0 and "Refusing to bind 0000:19:00.0" in proc.stdout,
          "nic refuses to unbind the management interface (default route)")
    proc = play("nic_checks", {"guard_ports": "bond"}, "nic-bond")
    check(proc.returncode != 0 and "Refusing to bind 0000:19:00.1" in proc.stdout,
          "nic refuses a NIC that is a slave of the management bond")
    proc = play("nic_checks", {"guard_ports": "addressed"}, "nic-addressed")
    check(proc.returncode != 0 and "ens2f0" in proc.stdout and "has an IP address" in proc.stdout,
          "nic refuses a NIC whose interface has an IP address (storage/backup network)")
    proc = play("nic_checks", {"guard_iommu": "0"}, "nic-iommu")
    check(proc.returncode != 0 and "No IOMMU groups" in proc.stdout, "nic refuses to bind without an IOMMU")
    proc = play("nic_checks", {"guard_ports": "missing"}, "nic-missing")
    check(proc.returncode != 0 and "does not exist" in proc.stdout, "nic refuses a PCI address that is not on the host")

    # 4. The fact gatherer on this machine's real sysfs: the default-route interface resolves to
    #    its PCI function (when it has one), so the guard above sees real management NICs.
    import json
    route = subprocess.run(["ip", "-o", "route", "show", "default"], stdout=subprocess.PIPE, text=True).stdout.split()
    iface = route[route.index("dev") + 1] if "dev" in route else ""
    p = subprocess.run([sys.executable, os.path.join(ANSIBLE_DIR, "roles", "nic", "files", "pci-inventory.py"), iface],
                       stdout=subprocess.PIPE, text=True)
    try:
        facts = json.loads(p.stdout)
    except ValueError:
        facts = {}
    check(p.returncode == 0 and "pci_devices" in facts and "iommu_groups" in facts, "pci-inventory.py prints the PCI facts as JSON")
    device = os.path.realpath(f"/sys/class/net/{iface}/device") if iface else ""
    if iface and re.search(r"/[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7](/|$)", device):
        pci = facts.get("interface_pci", {}).get(iface, [])
        check(len(pci) == 1 and iface in facts["pci_devices"].get(pci[0], {}).get("interfaces", []),
              f"pci-inventory.py maps the management interface {iface} to its PCI function {pci}")
        # End to end on real facts (default route -> interface -> PCI): binding it is refused.
        proc = play("nic_checks", {json.dumps({"nic_facts": {}, "nic_dpdk_pci_addresses": pci[:1]}): None}, "nic-real")
        check(proc.returncode != 0 and f"Refusing to bind {pci[0] if pci else '?'}" in proc.stdout,
              f"nic refuses this machine's own management NIC {pci[:1]} using real facts")
        # Another device without an address passes those checks (it stops at the IOMMU check if
        # this machine has none): the real-facts expressions evaluate on a real host.
        others = [b for b, d in facts["pci_devices"].items() if b not in pci and not d["interfaces"]]
        if others:
            proc = play("nic_checks", {json.dumps({"nic_facts": {}, "nic_dpdk_pci_addresses": others[:1]}): None}, "nic-real-other")
            check(proc.returncode == 0 or ("No IOMMU groups" in proc.stdout and "Refusing" not in proc.stdout),
                  f"nic accepts an unused device {others[0]} on real facts (up to the IOMMU check)"
                  + ("" if proc.returncode == 0 or "No IOMMU groups" in proc.stdout else "\n" + tail(proc.stdout, 30)))
    else:
        print(f"note: default-route interface {iface or '(none)'} has no PCI device here; mapping not checked")

    # 5. The cpulist filters the roles build the kernel arguments and CPUAffinity from.
    sys.path.insert(0, os.path.join(ANSIBLE_DIR, "filter_plugins"))
    from cpulist import cpulist_compress, cpulist_expand, cpulist_mask
    check(cpulist_expand("0-2,5, 7") == [0, 1, 2, 5, 7] and cpulist_compress([9, 8, 1, 0, 2, 4]) == "0-2,4,8-9",
          "cpulist_expand/cpulist_compress")
    check(cpulist_mask("0-1") == "3" and cpulist_mask("0,32") == "1,00000001", "cpulist_mask uses the kernel's 32-bit groups")
    return 0


def test_example():
    require("ansible-playbook")
    if not EXE:
        print("SKIP: the meson variable sniperforge_exe is not defined yet (src/app/meson.build)")
        return SKIP
    work = os.path.join(WORK, "example")
    shutil.rmtree(work, ignore_errors=True)
    root = os.path.join(work, "root")
    os.makedirs(root)
    env = ansible_env("example")
    # Local connection forced as an extra var (highest precedence): the example hosts' addresses
    # are documentation addresses and must never be contacted.
    overrides = {
        "ansible_connection": "local",
        "ansible_python_interpreter": "/usr/bin/python3",
        "sniperforge_deploy_root": root,
        # This machine is not the example server: let sniperforge place the lcores on the CPUs
        # it has and use hugepages only if there are some. Everything else is the example's.
        "sniperforge_lcore_cpus": [],
        "sniperforge_eal_hugepages": "auto",
    }
    import json
    proc = run(["ansible-playbook", "-i", EXAMPLE_INVENTORY,
                os.path.join(SOURCE, "tests", "ansible", "render-example.yml"), "-e", json.dumps(overrides)],
               env, log=os.path.join(work, "render.log"))
    if not check(proc.returncode == 0, "the example inventory's sniperforge.toml renders"):
        print(tail(proc.stdout, 60))
        return 1
    configs = [os.path.join(dp, f) for dp, _, fs in os.walk(root) for f in fs if f == "sniperforge.toml"]
    check(len(configs) == 2, f"one config per example appliance ({len(configs)})")
    groups = set()
    for config in configs:
        text = open(config).read()
        check('devargs = "0000:3b:00.0"' in text and "[[strategy]]" in text, "example ports and strategies are in the config")
        groups |= set(re.findall(r'^group = "([^"]+)"', text, re.MULTILINE))
        secrets = os.path.join(os.path.dirname(config), "secrets")
        check('transport = "dpdk"' in text and text.count("[[order_session.login]]") == 2
              and all(os.path.isfile(os.path.join(secrets, u)) and (os.stat(os.path.join(secrets, u)).st_mode & 0o777) == 0o600
                      and open(os.path.join(secrets, u)).read() == f"Ex4mple{i}\n" for i, u in enumerate(("SNIPE0", "SNIPE1")))
              and "Ex4mple" not in text,
              "example: transport dpdk, two logins, the vaulted passwords decrypted into 0600 files (not into the config)")
        p = run([EXE, "--check-config", "--config", config], env)
        check(p.returncode == 0, f"sniperforge --check-config accepts {os.path.relpath(config, root)}\n" + tail(p.stdout, 30))
    check("Ex4mple" not in proc.stdout, "the example passwords are not in the ansible output")
    check(groups == {"233.54.12.111", "233.54.12.112"}, f"per-host override of the feed group ({sorted(groups)})")
    prom = os.path.join(root, "etc", "prometheus", "prometheus.yml")
    if check(os.path.isfile(prom), "example prometheus.yml rendered for the monitoring server"):
        text = open(prom).read()
        check(all(f'"sniperforge_{h}"' in text and f'"node_{h}"' in text for h in ("sf-ny4-01", "sf-ny4-02")),
              "one appliance job and one node job per example appliance")
        check("192.0.2.11:9470" in text, "appliance targets use ansible_host and sniperforge_metrics_port")
        p = run(["promtool", "check", "config", prom], env)
        check(p.returncode == 0, "promtool check config accepts the example prometheus.yml\n" + tail(p.stdout, 20))
    return 0


def test_gitbuild():
    require("ansible-playbook")
    require("git")
    work = os.path.join(WORK, "gitbuild")
    shutil.rmtree(work, ignore_errors=True)
    repo = os.path.join(work, "repo")
    shutil.copytree(os.path.join(SOURCE, "tests", "ansible", "fixtures", "fake-sniperforge"), repo)
    git = ["git", "-C", repo, "-c", "user.name=ci", "-c", "user.email=ci@localhost"]
    for cmd in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "v1"], ["tag", "v1"]):
        subprocess.run(git + cmd, check=True)
    root = os.path.join(work, "root")
    os.makedirs(root)
    env = ansible_env("gitbuild")
    env["SF_DEPLOY_ROOT"] = root
    import json
    overrides = json.dumps({
        "sniperforge_source": "git", "sniperforge_git_repo": "file://" + repo, "sniperforge_git_version": "v1",
        "sniperforge_src_dir": os.path.join(work, "src"), "sniperforge_build_dir": os.path.join(work, "build"),
        "sniperforge_reuse_build": False, "sniperforge_validate_config": True, "sniperforge_build_jobs": 2,
    })
    playbook = os.path.join(SOURCE, "tests", "ansible", "build-from-git.yml")

    def play(label, extra=None):
        cmd = ["ansible-playbook", "-i", CI_INVENTORY, playbook, "-e", overrides]
        if extra and extra.pop("ansible_check_mode_marker", False):
            cmd.append("--check")
        if extra:
            cmd += ["-e", json.dumps(extra)]
        proc = run(cmd, env, log=os.path.join(work, label + ".log"))
        stats = recap(proc.stdout).get("localhost", {})
        print(f"{label}: rc={proc.returncode} recap={stats}")
        if proc.returncode != 0:
            print(tail(proc.stdout, 60))
        return proc, stats

    # 0. A dry run on a "new server" (no clone, no build dir, no service account yet) works and
    #    leaves nothing behind.
    proc, stats = play("dry-run-new-server", {"sniperforge_user": "sf-dry-user", "sniperforge_group": "sf-dry-group",
                                              "ansible_check_mode_marker": True})
    check(proc.returncode == 0 and "does not exist yet" in proc.stdout, "--check on a new server succeeds and says it would build")
    check(not os.listdir(root) and not os.path.exists(os.path.join(work, "src")) and
          subprocess.run(["getent", "passwd", "sf-dry-user"], stdout=subprocess.DEVNULL).returncode != 0,
          "--check wrote nothing (no clone, no files, no account)")

    binary = os.path.join(root, "usr", "local", "bin", "sniperforge")
    version = lambda: subprocess.run([binary, "--version"], stdout=subprocess.PIPE, text=True).stdout.strip() \
        if os.path.exists(binary) else None
    proc, stats = play("v1")
    check(proc.returncode == 0 and stats.get("changed", 0) > 0, "clone, meson setup, compile and install at tag v1")
    check(version() == "1", "the v1 binary is installed under the scratch root")
    check(os.path.isfile(os.path.join(root, "etc", "sniperforge", "sniperforge.toml")), "config validated by the built binary and installed")
    proc, stats = play("v1-again")
    check(proc.returncode == 0 and stats.get("changed", -1) == 0, f"second run at v1 changes nothing (changed={stats.get('changed')})")
    # A new release: the role checks it out, ninja rebuilds, meson installs the new binary.
    main_c = os.path.join(repo, "main.c")
    with open(main_c) as f:
        text = f.read()
    with open(main_c, "w") as f:
        f.write(text.replace('#define FAKE_VERSION "1"', '#define FAKE_VERSION "2"'))
    for cmd in (["commit", "-q", "-am", "v2"], ["tag", "v2"]):
        subprocess.run(git + cmd, check=True)
    proc, stats = play("v2", {"sniperforge_git_version": "v2"})
    check(proc.returncode == 0 and stats.get("changed", 0) > 0 and version() == "2", "upgrade to tag v2 rebuilds and installs the new binary")
    # A config the binary rejects never replaces the installed one.
    before = open(os.path.join(root, "etc", "sniperforge", "sniperforge.toml")).read()
    proc, stats = play("bad-config", {"sniperforge_git_version": "v2", "sniperforge_eal_file_prefix": "REJECT"})
    after = open(os.path.join(root, "etc", "sniperforge", "sniperforge.toml")).read()
    check(proc.returncode != 0 and "REJECT" not in after and before == after,
          "a config the binary rejects fails the run and never replaces the installed one")
    return 0


def main():
    tests = {"syntax": test_syntax, "lint": test_lint, "converge": test_converge, "guards": test_guards,
             "example": test_example, "gitbuild": test_gitbuild}
    if len(sys.argv) != 2 or sys.argv[1] not in tests:
        print(__doc__)
        return 2
    os.makedirs(WORK, exist_ok=True)
    status = tests[sys.argv[1]]() or 0
    if failures:
        print(f"{len(failures)} check(s) failed:\n  " + "\n  ".join(f.splitlines()[0] for f in failures))
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
