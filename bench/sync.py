#!/usr/bin/env python3
"""Sync benchmark: how fast a user change on one side of Tandem becomes visible on the other.

For each configuration (SQLite or PostgreSQL; all-in-one or split into a Platform process and a
BaaS process linked over HTTP) the script starts fresh Tandem processes, creates users through
the Platform's GraphQL API, waits for sync to settle, then measures:

1. Propagation latency at idle. A probe writes a unique `firstName` marker on one side
   (Platform `updateUser`, or BaaS `PUT /api/model/user/update`); t0 is when the write's
   response arrives (its commit is done). A second keep-alive connection then reads the user
   through the other side's API as fast as it can until the marker shows; the latency is
   t_visible - t0. Anchor, interleaved with the sync probes: the same probe without sync
   (write on the BaaS and read back on the BaaS; the same on the Platform).
2. The same probes while a steady background load (default 500 updates/s) of Platform
   `updateUser` calls on other users runs.
3. Sustained throughput: offered rates are stepped up; during each step the Platform's
   platform_to_baas outbox (`pending`) is sampled every 0.5 s. A step is sustained when the
   achieved write rate is close to the offered one and the backlog stays bounded and drains
   quickly once the step ends.

Results go to bench/results/sync-<timestamp>.json (and sync-latest.json) and into a delimited
section of bench/REPORT.md (<!-- sync-bench:begin --> ... <!-- sync-bench:end -->), replaced in
place on every run. Standard library only; see bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

from common import ensure_tandem, f2, free_port, log, machine_info, output, summarize_ms, wait_health

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
CLK_TCK = os.sysconf("SC_CLK_TCK")
CPUS = os.cpu_count() or 1

BEGIN = "<!-- sync-bench:begin -->"
END = "<!-- sync-bench:end -->"

CONFIGS = {
    "sqlite-aio": {"backend": "sqlite", "split": False, "label": "SQLite, all-in-one"},
    "pg-aio": {"backend": "postgres", "split": False, "label": "PostgreSQL, all-in-one"},
    "sqlite-split": {"backend": "sqlite", "split": True, "label": "SQLite, split (two processes over HTTP)"},
    "pg-split": {"backend": "postgres", "split": True, "label": "PostgreSQL, split (two processes over HTTP)"},
}

# Probe kinds: (writer side, reader side). The anchors write and read on the same side.
PROBES = {
    "p2b": ("platform", "baas"),
    "b2p": ("baas", "platform"),
    "anchor_baas": ("baas", "baas"),
    "anchor_platform": ("platform", "platform"),
}
PROBE_LABEL = {
    "p2b": "Platform → BaaS (sync)",
    "b2p": "BaaS → Platform (sync)",
    "anchor_baas": "anchor: BaaS → BaaS (no sync)",
    "anchor_platform": "anchor: Platform → Platform (no sync)",
}
# Each sync direction is compared with the anchor that reads through the same API it polls.
ANCHOR_OF = {"p2b": "anchor_baas", "b2p": "anchor_platform"}

PROFILES = {
    # probes per kind, pause between probes (s), load-phase probes, step seconds, steps (updates/s)
    "full": {"probes": 300, "pace": 0.020, "load_probes": 200, "step_s": 15.0,
             "steps": [250, 500, 750, 1000, 1250, 1500, 2000, 2500, 3000, 4000]},
    "quick": {"probes": 100, "pace": 0.020, "load_probes": 80, "step_s": 6.0,
              "steps": [250, 500, 1000, 1250, 1500, 2000, 3000]},
}

UPDATE_USER = "mutation($id: ID!, $user: UserUpdateDto!) { updateUser(id: $id, user: $user) { id firstName } }"
READ_USER = "query($id: ID!) { user(id: $id) { firstName } }"
CREATE_USER = "mutation($user: UserCreateDto!) { createUser(user: $user) { id } }"








# --------------------------------------------------------------------------------------------
# /proc: CPU accounting
# --------------------------------------------------------------------------------------------


def proc_ticks(pid: int) -> int:
    """utime + stime of one process (all its threads), in clock ticks."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            raw = f.read()
    except OSError:
        return 0
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def postgres_ticks(dbs: list[str]) -> int:
    """CPU of the PostgreSQL backends serving `dbs` (their process titles name the database)."""
    if not dbs:
        return 0
    total = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
            with open(f"/proc/{d}/cmdline", "rb") as f:
                title = f.read().decode(errors="replace")
        except OSError:
            continue
        if any(db in title for db in dbs):
            total += proc_ticks(int(d))
    return total


def self_ticks() -> float:
    t = os.times()
    return (t.user + t.system) * CLK_TCK


def all_ticks() -> dict[int, tuple[str, int]]:
    """pid -> (comm, utime + stime) of every process."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        out[int(d)] = (comm, int(fields[11]) + int(fields[12]))
    return out


class CpuMeter:
    """CPU used between two snapshots, in cores (1.0 = one core busy the whole time): the Tandem
    process(es), their PostgreSQL backends, this script and its load generator, and everything
    else (with the biggest other consumers by name, to tell whether the machine was busy)."""

    def __init__(self, server_pids: list[int], pg_dbs: list[str], client_pids: list[int] | None = None):
        self.pids, self.dbs = server_pids, pg_dbs
        self.client_pids = client_pids if client_pids is not None else []

    def snap(self) -> dict:
        return {
            "t": time.perf_counter(),
            "server": sum(proc_ticks(p) for p in self.pids),
            "pg": postgres_ticks(self.dbs),
            "client": self_ticks() + sum(proc_ticks(p) for p in self.client_pids),
            "all": all_ticks(),
        }

    def diff(self, a: dict, b: dict) -> dict:
        # The machine's total is the sum over every process (kernel threads included): on this
        # kind of VM the aggregate line of /proc/stat proved erratic over windows of seconds,
        # while per-process times are exact. Processes that start and exit within the window
        # are missed.
        secs = max(1e-6, b["t"] - a["t"])
        cores = {k: (b[k] - a[k]) / CLK_TCK / secs for k in ("server", "pg", "client")}
        mine = set(self.pids) | set(self.client_pids) | {os.getpid()}
        total, by_name = 0.0, {}
        for pid, (comm, ticks) in b["all"].items():
            prev = a["all"].get(pid)
            used = (ticks - (prev[1] if prev else 0)) / CLK_TCK / secs
            if used <= 0:
                continue
            total += used
            if pid in mine:
                continue
            name = comm.split("-", 1)[0] if comm.startswith("kworker") else comm
            by_name[name] = by_name.get(name, 0.0) + used
        other = max(0.0, total - cores["server"] - cores["pg"] - cores["client"])
        by_name["postgres"] = max(0.0, by_name.get("postgres", 0.0) - cores["pg"])  # not the benchmark's backends
        top = sorted(by_name.items(), key=lambda kv: -kv[1])[:3]
        return {
            "server_cores": round(cores["server"], 2),
            "postgres_cores": round(cores["pg"], 2),
            "client_cores": round(cores["client"], 2),
            "other_cores": round(other, 2),
            "other_top": [f"{n} {c:.2f}" for n, c in top if c >= 0.01],
            "machine_busy_pct": round(100 * total / CPUS, 1),
        }


def wait_quiet(max_wait: float, threshold_pct: float = 15.0) -> dict:
    """Waits (up to max_wait s) until other processes use less than threshold_pct of the
    machine over one second."""
    t0 = time.time()
    me = os.getpid()
    while True:
        a = all_ticks()
        time.sleep(1.0)
        b = all_ticks()
        used = sum(t - (a[p][1] if p in a else 0) for p, (_, t) in b.items() if p != me)
        pct = 100 * used / CLK_TCK / CPUS
        waited = time.time() - t0
        if pct < threshold_pct or waited >= max_wait:
            return {
                "waited_s": round(waited, 1),
                "busy_pct_before": round(pct, 1),
                "loadavg": Path("/proc/loadavg").read_text().split()[:3],
            }


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, port: int, headers: dict[str, str]):
        self.port = port
        self.headers = {"Content-Type": "application/json", **headers}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=body, headers=self.headers)
                resp = self.conn.getresponse()
                return resp.status, resp.read()
            except (ConnectionError, http.client.HTTPException):
                if attempt:
                    raise
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        status, raw = self.request(method, path, data)
        if status not in (200, 201):
            raise RuntimeError(f"{method} {path} -> {status}: {raw[:500]!r}")
        return json.loads(raw) if raw else None

    def close(self) -> None:
        self.conn.close()


class PlatformApi:
    def __init__(self, port: int, token: str, basic: str):
        self.c = Client(port, {
            "roq-platform-authorization": f"Bearer {token}",
            "roq-platform-server-authorization": basic,
        })

    def gql(self, query: str, variables: dict) -> dict:
        body = json.dumps({"query": query, "variables": variables}).encode()
        status, raw = self.c.request("POST", "/v01/server/graphql", body)
        out = json.loads(raw)
        if status != 200 or out.get("errors"):
            raise RuntimeError(f"GraphQL -> {status}: {raw[:500]!r}")
        return out["data"]

    def write(self, uid: str, value: str) -> None:
        got = self.gql(UPDATE_USER, {"id": uid, "user": {"firstName": value}})["updateUser"]["firstName"]
        if got != value:
            raise RuntimeError(f"updateUser answered firstName={got!r}, expected {value!r}")

    def read(self, uid: str) -> str | None:
        return self.gql(READ_USER, {"id": uid})["user"]["firstName"]

    def create(self, first_name: str) -> str:
        user = {
            "email": f"sync-bench-{uuid.uuid4().hex[:12]}@example.com",
            "reference": str(uuid.uuid4()),
            "firstName": first_name,
        }
        return self.gql(CREATE_USER, {"user": user})["createUser"]["id"]

    def close(self) -> None:
        self.c.close()


class BaasApi:
    def __init__(self, port: int, basic: str):
        self.c = Client(port, {"Authorization": basic})
        self.paths: dict[str, str] = {}

    def _read_path(self, uid: str) -> str:
        p = self.paths.get(uid)
        if p is None:
            q = json.dumps({"where": {"id": uid}, "select": {"first_name": True}}, separators=(",", ":"))
            p = "/api/model/user/findUnique?q=" + urllib.parse.quote(q, safe="")
            self.paths[uid] = p
        return p

    def write(self, uid: str, value: str) -> None:
        body = json.dumps({"where": {"id": uid}, "data": {"first_name": value}}).encode()
        status, raw = self.c.request("PUT", "/api/model/user/update", body)
        if status != 200:
            raise RuntimeError(f"BaaS user.update -> {status}: {raw[:500]!r}")
        got = json.loads(raw)["data"]["first_name"]
        if got != value:
            raise RuntimeError(f"BaaS user.update answered first_name={got!r}, expected {value!r}")

    def read(self, uid: str) -> str | None:
        status, raw = self.c.request("GET", self._read_path(uid))
        if status != 200:
            raise RuntimeError(f"BaaS findUnique -> {status}: {raw[:500]!r}")
        row = json.loads(raw)["data"]
        return None if row is None else row["first_name"]

    def count(self) -> int:
        return int(self.c.json("GET", "/api/model/user/count")["data"])

    def close(self) -> None:
        self.c.close()


def scrape_metrics(port: int) -> dict:
    """The sync metrics of one process: {(name, direction[, le]): value}."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("GET", "/metrics")
        text = c.getresponse().read().decode()
    finally:
        c.close()
    out: dict = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^(\w+)\{direction="(\w+)"(?:,le="([^"]+)")?\}\s+(\S+)$', line)
        if m:
            name, direction, le, value = m.groups()
            out[(name, direction, le) if le else (name, direction)] = float(value)
    return out


def histogram_delta(before: dict, after: dict, direction: str) -> dict:
    """The server's own propagation-lag histogram over a phase: count and the bucket bounds
    holding p50 and p99 (commit on one side -> applied on the other, as the relay sees it)."""
    name = "tandem_sync_propagation_lag_seconds_bucket"
    buckets = sorted(
        (float("inf") if k[2] == "+Inf" else float(k[2]), after[k] - before.get(k, 0.0))
        for k in after
        if len(k) == 3 and k[0] == name and k[1] == direction
    )
    total = buckets[-1][1] if buckets else 0
    res = {"count": int(total)}
    if total <= 0:
        return res
    for q in (50, 99):
        need = total * q / 100
        for bound, cum in buckets:
            if cum >= need:
                res[f"p{q}_le_ms"] = None if bound == float("inf") else round(bound * 1000, 3)
                break
    return res


# --------------------------------------------------------------------------------------------
# Deployments
# --------------------------------------------------------------------------------------------


class Proc:
    def __init__(self, name: str, cmd: list[str], env: dict, log_path: Path, shown: str):
        self.name, self.cmd, self.log_path, self.shown = name, cmd, log_path, shown
        self.port = int(cmd[cmd.index("--listen") + 1].rsplit(":", 1)[1])
        self.proc = subprocess.Popen(cmd, env=env, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT)

    def wait_health(self, timeout: float = 120) -> None:
        wait_health(self.port, "/health", self.proc, self.log_path, timeout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def mark_ready(self) -> None:
        """Log lines before this point belong to start-up (e.g. a split half whose peer is not up yet)."""
        self.ready_at = len(self.log_path.read_bytes()) if self.log_path.exists() else 0

    def log_summary(self) -> dict:
        raw = self.log_path.read_bytes() if self.log_path.exists() else b""
        cut = getattr(self, "ready_at", 0)

        def bad(text: str) -> list[str]:
            return [l for l in text.splitlines() if any(k in l for k in ("WARN", "ERROR", "panic"))]

        startup, run = bad(raw[:cut].decode(errors="replace")), bad(raw[cut:].decode(errors="replace"))
        return {
            "lines": len(raw.splitlines()),
            "startup_warn_or_error_lines": len(startup),
            "first_startup_warnings": [b[:400] for b in startup[:3]],
            "warn_or_error_lines": len(run),
            "first_warnings": [b[:400] for b in run[:8]],
        }


class Deployment:
    def __init__(self, key: str, binary: str, work: Path, pg_url: str | None, log_filter: str):
        self.key, self.cfg = key, CONFIGS[key]
        self.binary, self.pg_url, self.log_filter = binary, pg_url, log_filter
        self.work = work / key
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.procs: list[Proc] = []
        self.dbs: list[str] = []
        self.basic = ""
        self.creds: dict = {}

    # -- PostgreSQL databases
    def _pg_admin(self, sql: str) -> None:
        subprocess.run(["psql", self.pg_url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], check=True, capture_output=True)

    def _db_url(self, db: str) -> str:
        parsed = urllib.parse.urlsplit(self.pg_url)
        return urllib.parse.urlunsplit(parsed._replace(path="/" + db))

    def _base_env(self) -> dict:
        env = {**os.environ, "RUST_LOG": self.log_filter}
        for k in ("TANDEM_ENVIRONMENT_ID", "TANDEM_API_KEY", "TANDEM_SYNC_SECRET", "TANDEM_ONLY", "TANDEM_PEER_URL",
                  "TANDEM_PLATFORM_DB", "TANDEM_BAAS_DB", "TANDEM_DATA_DIR", "TANDEM_SCHEMA", "TANDEM_LISTEN"):
            env.pop(k, None)
        return env

    def start(self) -> None:
        pg = self.cfg["backend"] == "postgres"
        if pg:
            stamp = f"{os.getpid()}_{int(time.time())}_{self.key.replace('-', '_')}"
            self.dbs = [f"syncbench_platform_{stamp}", f"syncbench_baas_{stamp}"]
            for db in self.dbs:
                self._pg_admin(f'CREATE DATABASE "{db}"')
        rust_log = f"RUST_LOG={self.log_filter}"
        if not self.cfg["split"]:
            data = self.work / "data"
            port = free_port()
            cmd = [self.binary, "serve", "--data-dir", str(data), "--listen", f"127.0.0.1:{port}"]
            if pg:
                cmd += ["--platform-db", self._db_url(self.dbs[0]), "--baas-db", self._db_url(self.dbs[1])]
            p = Proc("tandem", cmd, self._base_env(), self.work / "tandem.log", f"{rust_log} {shlex.join(cmd)}")
            self.procs = [p]
            p.wait_health()
            self.platform_port = self.baas_port = port
            self._read_credentials(data)
            return
        # Split: the Platform process first (it generates the environment's credentials), then
        # the BaaS process with the same credentials; each names the other with --peer-url.
        secret = base64.urlsafe_b64encode(os.urandom(33)).decode()
        p_port, b_port = free_port(), free_port()
        while b_port == p_port:
            b_port = free_port()
        p_data, b_data = self.work / "platform-data", self.work / "baas-data"
        p_cmd = [self.binary, "serve", "--only", "platform", "--data-dir", str(p_data), "--listen", f"127.0.0.1:{p_port}",
                 "--peer-url", f"http://127.0.0.1:{b_port}"]
        b_cmd = [self.binary, "serve", "--only", "baas", "--data-dir", str(b_data), "--listen", f"127.0.0.1:{b_port}",
                 "--peer-url", f"http://127.0.0.1:{p_port}"]
        if pg:
            p_cmd += ["--platform-db", self._db_url(self.dbs[0])]
            b_cmd += ["--baas-db", self._db_url(self.dbs[1])]
        env = {**self._base_env(), "TANDEM_SYNC_SECRET": secret}
        pp = Proc("tandem-platform", p_cmd, env, self.work / "platform.log",
                  f"TANDEM_SYNC_SECRET=<secret> {rust_log} {shlex.join(p_cmd)}")
        self.procs = [pp]
        pp.wait_health()
        self._read_credentials(p_data)
        b_env = {**env, "TANDEM_ENVIRONMENT_ID": self.creds["environmentId"], "TANDEM_API_KEY": self.creds["apiKey"]}
        bp = Proc("tandem-baas", b_cmd, b_env, self.work / "baas.log",
                  "TANDEM_SYNC_SECRET=<secret> TANDEM_ENVIRONMENT_ID=<id> TANDEM_API_KEY=<key> "
                  f"{rust_log} {shlex.join(b_cmd)}")
        self.procs.append(bp)
        bp.wait_health()
        self.platform_port, self.baas_port = p_port, b_port

    def _read_credentials(self, data_dir: Path) -> None:
        raw = subprocess.run([self.binary, "credentials", "--data-dir", str(data_dir), "--json"],
                             check=True, capture_output=True, text=True).stdout
        self.creds = json.loads(raw)
        token = base64.b64encode(f"{self.creds['environmentId']}:{self.creds['apiKey']}".encode()).decode()
        self.basic = f"Basic {token}"

    def commands(self) -> list[str]:
        shown = [p.shown for p in self.procs]
        data_dirs = [a for p in self.procs for i, a in enumerate(p.cmd) if i and p.cmd[i - 1] == "--data-dir"]
        # The credentials come from the (first) process that runs the Platform.
        shown.insert(1, f"{shlex.quote(self.binary)} credentials --data-dir {shlex.quote(data_dirs[0])} --json")
        if self.dbs:
            shown = [f"psql {self.pg_url} -c 'CREATE DATABASE \"{db}\"'" for db in self.dbs] + shown
        return shown

    @property
    def server_pids(self) -> list[int]:
        return [p.proc.pid for p in self.procs]

    def check_alive(self) -> None:
        for p in self.procs:
            if p.proc.poll() is not None:
                raise RuntimeError(f"{p.name} exited ({p.proc.returncode}); see {p.log_path}")

    def service_token(self) -> str:
        c = Client(self.platform_port, {})
        out = c.json("POST", "/v01/authorize/serviceAccount", {
            "email": "project-service-account@roq.tech",
            "environmentId": self.creds["environmentId"],
            "apiKey": self.creds["apiKey"],
        })
        c.close()
        return out["accessToken"]

    def platform(self) -> PlatformApi:
        return PlatformApi(self.platform_port, self.token, self.basic)

    def baas(self) -> BaasApi:
        return BaasApi(self.baas_port, self.basic)

    def status(self) -> dict:
        c = Client(self.platform_port, {"Authorization": self.basic})
        try:
            return c.json("GET", "/sync/v1/status")
        finally:
            c.close()

    def stop(self) -> None:
        for p in reversed(self.procs):
            p.stop()

    def cleanup(self) -> None:
        for db in self.dbs:
            try:
                self._pg_admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            except subprocess.CalledProcessError as e:
                log(f"could not drop {db}: {e.stderr!r}")
        self.dbs = []


def wait_settled(dep: Deployment, timeout: float = 120.0) -> dict:
    """Until both outboxes are empty; the last status."""
    deadline = time.time() + timeout
    while True:
        st = dep.status()
        dirs = st.get("directions", [])
        if len(dirs) == 2 and not st.get("unreachable") and all(d["pending"] == 0 for d in dirs):
            return st
        if time.time() > deadline:
            raise RuntimeError(f"sync did not settle within {timeout}s: {json.dumps(st)[:2000]}")
        time.sleep(0.1)


# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------


def load_worker() -> None:
    """`sync.py --load-worker`: the load generator's own process (so its threads never compete
    with the probes for the GIL). Reads its job as JSON on stdin, runs until stdin says stop,
    then prints every completion (perf_counter time, latency) as JSON. perf_counter is
    CLOCK_MONOTONIC on Linux, the same clock in every process."""
    job = json.loads(sys.stdin.readline())
    n, rate, users, tag = job["threads"], job["rate"], job["users"], job["tag"]
    halt = threading.Event()
    done: list[list[tuple[float, float]]] = [[] for _ in range(n)]
    errors = [0] * n
    first_error: list[str] = []
    t_start = time.perf_counter() + 0.05

    def run(j: int) -> None:
        api = PlatformApi(job["port"], job["token"], job["basic"])
        mine = users[j::n]
        interval = n / rate
        next_t = t_start + j / rate
        k = 0
        out = done[j]
        try:
            while not halt.is_set():
                now = time.perf_counter()
                if next_t > now:
                    time.sleep(next_t - now)
                    if halt.is_set():
                        break
                ts = time.perf_counter()
                try:
                    api.write(mine[k % len(mine)], f"{tag}-{j}-{k}")
                    te = time.perf_counter()
                    out.append((te, te - ts))
                except Exception as e:  # noqa: BLE001 - counted and reported
                    errors[j] += 1
                    if not first_error:
                        first_error.append(str(e)[:500])
                k += 1
                next_t += interval
        finally:
            api.close()

    threads = [threading.Thread(target=run, args=(j,), daemon=True) for j in range(n)]
    for t in threads:
        t.start()
    print(json.dumps({"t_start": t_start}), flush=True)
    sys.stdin.readline()
    halt.set()
    for t in threads:
        t.join(timeout=30)
    json.dump({"done": [x for per in done for x in per], "errors": sum(errors),
               "first_error": first_error[0] if first_error else None}, sys.stdout)
    sys.stdout.flush()


class LoadGen:
    """Platform updateUser calls at a steady offered rate (open loop), from `threads` threads
    with their own keep-alive connections in a separate Python process; each thread updates its
    own share of the users, round-robin."""

    def __init__(self, dep: Deployment, users: list[str], rate: float, threads: int, tag: str):
        self.dep, self.users, self.rate, self.n, self.tag = dep, users, rate, threads, tag
        self.done: list[tuple[float, float]] = []
        self.errors = 0
        self.first_error: str | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--load-worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        job = {"port": self.dep.platform_port, "token": self.dep.token, "basic": self.dep.basic,
               "threads": self.n, "rate": self.rate, "users": self.users, "tag": self.tag}
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        self.t_start = json.loads(self.proc.stdout.readline())["t_start"]

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        self.proc.stdin.write("stop\n")
        self.proc.stdin.flush()
        out = json.loads(self.proc.stdout.read())
        self.proc.wait(timeout=30)
        self.done = sorted(tuple(x) for x in out["done"])
        self.errors, self.first_error = out["errors"], out["first_error"]

    def completed(self, t0: float, t1: float) -> int:
        return sum(1 for te, _ in self.done if t0 <= te <= t1)

    def latencies(self, t0: float, t1: float) -> list[float]:
        return [d for te, d in self.done if t0 <= te <= t1]


class PendingSampler(threading.Thread):
    """Samples the platform_to_baas outbox (pending) and delivered counter from /metrics."""

    def __init__(self, port: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.port, self.every = port, every
        self.samples: list[tuple[float, float, float]] = []
        self.halt = threading.Event()
        self.wake = threading.Event()
        self.error: str | None = None

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                m = scrape_metrics(self.port)
                self.samples.append((
                    time.perf_counter(),
                    m.get(("tandem_sync_pending_events", "platform_to_baas"), float("nan")),
                    m.get(("tandem_sync_events_delivered_total", "platform_to_baas"), float("nan")),
                ))
            except Exception as e:  # noqa: BLE001
                self.error = str(e)[:300]
            self.wake.wait(self.every)
            self.wake.clear()

    def faster(self, every: float) -> None:
        """Sample every `every` s from now on, starting right away."""
        self.every = every
        self.wake.set()

    def stop(self) -> None:
        self.halt.set()
        self.wake.set()
        self.join(timeout=30)


def run_probes(dep: Deployment, probe_users: dict[str, str], n: int, pace: float, tag: str,
               timeout_s: float = 10.0, max_timeouts: int = 3) -> dict:
    """n probes of each kind, interleaved (kinds rotate every round)."""
    apis = {
        "p2b": (dep.platform(), dep.baas()),
        "b2p": (dep.baas(), dep.platform()),
        "anchor_baas": (dep.baas(), dep.baas()),
        "anchor_platform": (dep.platform(), dep.platform()),
    }
    kinds = list(PROBES)
    lat = {k: [] for k in kinds}
    write_rtt = {k: [] for k in kinds}
    reads = {k: [] for k in kinds}
    timeouts = {k: 0 for k in kinds}
    # Warm each connection (and the servers' caches for these rows).
    for k in kinds:
        w, r = apis[k]
        r.read(probe_users[k])
    gave_up = {k: False for k in kinds}
    for i in range(n):
        order = kinds[i % 4 :] + kinds[: i % 4]
        for k in order:
            if gave_up[k]:
                continue
            w, r = apis[k]
            uid = probe_users[k]
            marker = f"{tag}-{k}-{i}"
            ts = time.perf_counter()
            w.write(uid, marker)
            t0 = time.perf_counter()
            polls = 0
            while True:
                polls += 1
                v = r.read(uid)
                t1 = time.perf_counter()
                if v == marker:
                    lat[k].append(t1 - t0)
                    break
                if t1 - t0 > timeout_s:
                    timeouts[k] += 1
                    # A backlog this long will not clear between probes: stop this kind.
                    gave_up[k] = timeouts[k] >= max_timeouts
                    break
            write_rtt[k].append(t0 - ts)
            reads[k].append(polls)
            time.sleep(pace)
    for w, r in apis.values():
        w.close()
        r.close()
    out = {}
    for k in kinds:
        out[k] = {
            **summarize_ms(lat[k], 3),
            "timeouts": timeouts[k],
            "gave_up": gave_up[k],
            "write_rtt": summarize_ms(write_rtt[k], 3),
            "reads_mean": round(statistics.mean(reads[k]), 2) if reads[k] else 0,
            "reads_max": max(reads[k]) if reads[k] else 0,
        }
    return out


def measure_probes(dep: Deployment, probe_users: dict[str, str], n: int, pace: float, tag: str,
                   load: LoadGen | None = None) -> dict:
    meter = CpuMeter(dep.server_pids, dep.dbs, [load.pid] if load else [])
    m_before = {p.port: scrape_metrics(p.port) for p in dep.procs}
    sampler = PendingSampler(dep.platform_port)
    sampler.start()
    c0 = meter.snap()
    t0 = time.perf_counter()
    res = run_probes(dep, probe_users, n, pace, tag)
    t1 = time.perf_counter()
    c1 = meter.snap()
    sampler.stop()
    m_after = {p.port: scrape_metrics(p.port) for p in dep.procs}
    lag = {}
    for direction in ("platform_to_baas", "baas_to_platform"):
        for p in dep.procs:
            h = histogram_delta(m_before[p.port], m_after[p.port], direction)
            if h["count"]:
                lag[direction] = h
    pend = [s[1] for s in sampler.samples if s[1] == s[1]]
    return {
        "probes": res,
        "window": (t0, t1),
        "duration_s": round(t1 - t0, 1),
        "cpu": meter.diff(c0, c1),
        "relay_lag_histogram": lag,
        "pending_max": max(pend) if pend else None,
        "pending_mean": round(statistics.mean(pend), 1) if pend else None,
    }


def load_stats(load: LoadGen, t0: float, t1: float) -> dict:
    return {
        "offered_per_s": load.rate,
        "achieved_per_s": round(load.completed(t0, t1) / (t1 - t0), 1),
        "errors": load.errors,
        "first_error": load.first_error,
        "write": summarize_ms(load.latencies(t0, t1), 3),
    }


def throughput_step(dep: Deployment, users: list[str], rate: float, seconds: float, threads: int,
                    tag: str, drain_limit: float = 30.0) -> dict:
    sampler = PendingSampler(dep.platform_port)
    sampler.start()
    time.sleep(0.6)
    load = LoadGen(dep, users, rate, threads, tag)
    load.start()
    meter = CpuMeter(dep.server_pids, dep.dbs, [load.pid])
    c0 = meter.snap()
    t0 = max(load.t_start, c0["t"])
    time.sleep(max(0.0, t0 - time.perf_counter()) + seconds)
    t1 = time.perf_counter()
    c1 = meter.snap()
    t_stop = time.perf_counter()
    sampler.faster(0.1)  # finer while draining
    load.stop()  # the worker stops within one request of the message; collecting its results takes longer
    drain_s, drained_at = None, None
    while True:
        drained_at = next((x for x in list(sampler.samples) if x[0] > t_stop and x[1] == 0), None)
        if drained_at or time.perf_counter() - t_stop > drain_limit:
            break
        time.sleep(0.02)
    sampler.stop()
    if drained_at:
        drain_s = round(drained_at[0] - t_stop, 2)
    ok = [x for x in sampler.samples if x[1] == x[1]]
    in_step = [x for x in ok if t0 <= x[0] <= t1]
    pend = [x[1] for x in in_step]
    span = t1 - t0
    first = [x[1] for x in in_step if x[0] <= t0 + span / 3]
    third = [x[1] for x in in_step if x[0] >= t0 + 2 * span / 3]
    delivered = None
    if len(in_step) >= 2 and in_step[-1][0] > in_step[0][0]:
        delivered = round((in_step[-1][2] - in_step[0][2]) / (in_step[-1][0] - in_step[0][0]), 1)
    # Least-squares slope of the backlog over the step (events/s): > 0 means it grows.
    slope = 0.0
    if len(in_step) >= 3:
        mt = statistics.mean(x[0] for x in in_step)
        mp = statistics.mean(pend)
        den = sum((x[0] - mt) ** 2 for x in in_step)
        slope = sum((x[0] - mt) * (x[1] - mp) for x in in_step) / den if den else 0.0
    # The relay alone, once the writes stop: the backlog left over the time it took to empty it.
    at_stop = next((x for x in ok if x[0] >= t_stop), None)
    drain_rate = None
    if drained_at and at_stop and at_stop[1] >= 500 and drained_at[0] > at_stop[0]:
        drain_rate = round((drained_at[2] - at_stop[2]) / (drained_at[0] - at_stop[0]), 1)
    achieved = load.completed(t0, t1) / span
    bound = max(50.0, 0.5 * achieved)  # at most ~half a second of writes waiting
    growth = slope * span  # fitted growth of the backlog over the step
    growth_limit = max(50.0, 0.1 * achieved)
    last_mean = statistics.mean(third) if third else float("nan")
    first_mean = statistics.mean(first) if first else float("nan")
    reasons = []
    if achieved < 0.95 * rate:
        reasons.append(f"writes fell short: achieved {achieved:.0f}/s < 95 % of offered")
    if not (last_mean <= bound):
        reasons.append(f"backlog in the last third {last_mean:.0f} > bound {bound:.0f}")
    if growth > growth_limit:
        reasons.append(f"backlog growing ({slope:+.0f}/s, {first_mean:.0f} → {last_mean:.0f})")
    if drain_s is None:
        reasons.append(f"backlog did not drain within {drain_limit:.0f} s")
    elif drain_s > 2.0:
        reasons.append(f"backlog took {drain_s:.1f} s (> 2 s) to drain")
    if load.errors:
        reasons.append(f"{load.errors} write errors")
    return {
        "offered_per_s": rate,
        "achieved_per_s": round(achieved, 1),
        "seconds": round(span, 1),
        "errors": load.errors,
        "first_error": load.first_error,
        "write": summarize_ms(load.latencies(t0, t1), 3),
        "pending_max": max(pend) if pend else None,
        "pending_first_third_mean": round(first_mean, 1) if first else None,
        "pending_last_third_mean": round(last_mean, 1) if third else None,
        "pending_samples": [round(x) for x in pend],
        "pending_at_stop": at_stop[1] if at_stop else None,
        "pending_bound": bound,
        "pending_slope_per_s": round(slope, 1),
        "pending_growth_limit": growth_limit,
        "drain_s": drain_s,
        "drain_rate_per_s": drain_rate,
        "delivered_per_s": delivered,
        "cpu": meter.diff(c0, c1),
        "sustained": not reasons,
        "why_not": reasons,
    }


def verify_consistency(dep: Deployment, users: list[str], sample: int = 200) -> dict:
    """After settling: the same firstName on both sides for a sample of users."""
    plat, baas = dep.platform(), dep.baas()
    step = max(1, len(users) // sample)
    checked, mismatched = 0, []
    for uid in users[::step]:
        a, b = plat.read(uid), baas.read(uid)
        checked += 1
        if a != b:
            mismatched.append({"id": uid, "platform": a, "baas": b})
    plat.close()
    baas.close()
    return {"checked": checked, "mismatched": len(mismatched), "examples": mismatched[:5]}


def run_config(key: str, binary: str, work: Path, args, prof: dict) -> dict:
    res: dict = {"config": key, "label": CONFIGS[key]["label"], "profile": args.profile, "step_s": prof["step_s"],
                 "started": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")}
    if args.quiet_wait > 0:
        log(f"{key}: waiting for a quiet machine (up to {args.quiet_wait:.0f} s)")
        res["quiet"] = wait_quiet(args.quiet_wait)
        log(f"{key}: quiet check {res['quiet']}")
    dep = Deployment(key, binary, work, args.pg_url if CONFIGS[key]["backend"] == "postgres" else None, args.log)
    try:
        dep.start()
        res["commands"] = dep.commands()
        dep.token = dep.service_token()
        plat = dep.platform()
        log(f"{key}: creating {args.users} + 4 users through the Platform")
        t = time.perf_counter()
        probe_users = {k: plat.create(f"probe-{k}") for k in PROBES}
        users = [plat.create(f"user-{i}") for i in range(args.users)]
        res["create_users_s"] = round(time.perf_counter() - t, 2)
        plat.close()
        baas = dep.baas()
        deadline = time.time() + 120
        while baas.count() < args.users + 4:
            if time.time() > deadline:
                raise RuntimeError("the BaaS never received all users")
            time.sleep(0.1)
        baas.close()
        res["settle_status"] = wait_settled(dep)
        for p in dep.procs:
            p.mark_ready()
        res["settle_s"] = round(time.perf_counter() - t - res["create_users_s"], 2)

        log(f"{key}: idle probes ({prof['probes']} per kind)")
        res["idle"] = measure_probes(dep, probe_users, prof["probes"], prof["pace"], "idle")
        log_probe_line(key, "idle", res["idle"])
        wait_settled(dep)

        log(f"{key}: probes under {args.load_rate:.0f} updates/s")
        load = LoadGen(dep, users, args.load_rate, args.threads, "bg")
        load.start()
        time.sleep(2.0)
        res["loaded"] = measure_probes(dep, probe_users, prof["load_probes"], prof["pace"], "load", load)
        load.stop()
        res["loaded"]["load"] = load_stats(load, *res["loaded"]["window"])
        log_probe_line(key, "loaded", res["loaded"])
        wait_settled(dep)

        steps = []
        for rate in (args.steps or prof["steps"]):
            dep.check_alive()
            wait_settled(dep, timeout=60)
            log(f"{key}: throughput step {rate}/s for {prof['step_s']:.0f} s")
            s = throughput_step(dep, users, rate, prof["step_s"], args.threads, f"s{rate}")
            steps.append(s)
            log(f"{key}:   achieved {s['achieved_per_s']}/s, pending max {s['pending_max']}, last third "
                f"{s['pending_last_third_mean']}, drain {s['drain_s']} s, cpu {s['cpu']} -> "
                f"{'sustained' if s['sustained'] else 'NOT sustained: ' + '; '.join(s['why_not'])}")
            if not s["sustained"]:
                break
        res["steps"] = steps
        sustained = [s["offered_per_s"] for s in steps if s["sustained"]]
        # The highest rate sustained with every lower step sustained too.
        best = 0
        for s in steps:
            if not s["sustained"]:
                break
            best = s["offered_per_s"]
        res["max_sustained_per_s"] = best
        res["sustained_rates"] = sustained
        res["final_status"] = wait_settled(dep, timeout=120)
        res["consistency"] = verify_consistency(dep, users + list(probe_users.values()))
        log(f"{key}: consistency {res['consistency']}")
    finally:
        dep.stop()
        res["logs"] = {p.name: p.log_summary() for p in dep.procs}
        for name, l in res["logs"].items():
            if l["warn_or_error_lines"]:
                log(f"{key}: {name} logged {l['warn_or_error_lines']} warnings/errors while measuring: {l['first_warnings'][:3]}")
        dep.cleanup()
    res["finished"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    return res


def log_probe_line(key: str, phase: str, r: dict) -> None:
    parts = []
    for k in PROBES:
        p = r["probes"][k]
        parts.append(f"{k} p50 {p.get('p50_ms')} p99 {p.get('p99_ms')} ms")
    extra = f", load {r['load']['achieved_per_s']}/s" if "load" in r else ""
    log(f"{key}: {phase}: " + "; ".join(parts) + extra + f"; cpu {r['cpu']}")


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------






def ratio(a, b) -> str:
    return f"{a / b:.1f}×" if a and b else "–"


def yes(b: bool) -> str:
    return "**yes**" if b else "**no**"


def busy_note(cpu: dict) -> str:
    if cpu.get("other_cores", 0) <= 0.2:
        return ""
    top = ", ".join(cpu.get("other_top", []))
    return f" ⚠ busy ({top})" if top else " ⚠ busy"


def probe_table(w, phase: dict) -> None:
    probes = phase["probes"]
    w("| probe | n | p50 ms | p99 ms | max ms | p50 / p99 vs anchor | reads per probe (mean / max) | write RTT p50 ms | relay's own lag p50 / p99 (bucket ≤ ms) |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    lag = phase.get("relay_lag_histogram", {})
    for k in PROBES:
        p = probes[k]
        rel = "1 (anchor)"
        relay = ""
        if k in ANCHOR_OF:
            a = probes[ANCHOR_OF[k]]
            rel = f"{ratio(p.get('p50_ms'), a.get('p50_ms'))} / {ratio(p.get('p99_ms'), a.get('p99_ms'))}"
            h = lag.get("platform_to_baas" if k == "p2b" else "baas_to_platform", {})
            if h.get("count"):
                relay = f"{h.get('p50_le_ms')} / {h.get('p99_le_ms')} (n={h['count']})"
        tmo = f" (+{p['timeouts']} not visible within 10 s{'; stopped probing' if p.get('gave_up') else ''})" if p.get("timeouts") else ""
        w(f"| {PROBE_LABEL[k]} | {p.get('n', 0)}{tmo} | {f2(p.get('p50_ms'))} | {f2(p.get('p99_ms'))} | {f2(p.get('max_ms'))} | "
          f"{rel} | {p['reads_mean']} / {p['reads_max']} | {f2(p['write_rtt'].get('p50_ms'))} | {relay} |")


def cpu_cell(c: dict) -> str:
    return f"{c['server_cores']} / {c['postgres_cores']} / {c['client_cores']} / {c['other_cores']}{busy_note(c)}"


def render_section(results: dict) -> str:
    lines: list[str] = []
    w = lines.append
    m = results["machine"]
    cfgs = results["configs"]
    w(BEGIN)
    w("## Sync: Platform ⇄ BaaS propagation and throughput")
    w("")
    w(f"Generated by `bench/sync.py` (not edited by hand); raw numbers in `bench/results/{results['results_file']}`")
    w("(not committed). Re-run: see `bench/README.md`, *Sync benchmark*.")
    w("")
    w(f"- **Commit:** `{results['git']}`; binary: `{results['tandem_version']}`")
    w(f"- **Command:** `{results['command']}`" + (" (configurations merged from earlier runs are marked with their own date)" if results.get("merged") else ""))
    w(f"- **Run:** {results['started']} → {results['finished']} UTC")
    w(f"- **Machine:** {m['cpu']}, {m['cpus']} vCPUs, {m['memory_gib']} GiB, {m['os']}, kernel {m['kernel']}, "
      f"virtualization {m['virtualization']}, Python {m['python']}; load average at start {' '.join(m['loadavg_at_start'])}")
    if results.get("postgres"):
        w(f"- **PostgreSQL:** {results['postgres']} ({results.get('postgres_settings', '')}), on the same machine")
    w("")

    # ---- Targets
    w("### Targets")
    w("")
    w("| target | measured | met |")
    w("|---|---|---|")
    sa = next((c for c in cfgs if c["config"] == "sqlite-aio"), None)
    if sa:
        p2b, b2p = sa["idle"]["probes"]["p2b"], sa["idle"]["probes"]["b2p"]
        w(f"| p99 < 20 ms at idle, all-in-one SQLite, Platform → BaaS | p99 {f2(p2b.get('p99_ms'))} ms (p50 {f2(p2b.get('p50_ms'))}, n={p2b.get('n')}, {sa['profile']} profile) | {yes((p2b.get('p99_ms') or 1e9) < 20 and not p2b.get('timeouts'))} |")
        w(f"| the same, BaaS → Platform | p99 {f2(b2p.get('p99_ms'))} ms (p50 {f2(b2p.get('p50_ms'))}, n={b2p.get('n')}) | {yes((b2p.get('p99_ms') or 1e9) < 20 and not b2p.get('timeouts'))} |")
    else:
        w("| p99 < 20 ms at idle, all-in-one SQLite | not measured in this run | – |")
    for c in cfgs:
        s1000 = next((s for s in c["steps"] if s["offered_per_s"] == 1000), None)
        if s1000 is None:
            cell = f"not reached (highest sustained {c['max_sustained_per_s']}/s)"
            met = False
        else:
            cell = (f"offered 1000/s → achieved {s1000['achieved_per_s']:.0f}/s, pending max {s1000['pending_max']:.0f}, "
                    f"last third mean {s1000['pending_last_third_mean']}, drained in {s1000['drain_s']} s")
            met = s1000["sustained"]
        w(f"| 1,000 user updates/s sustained with a bounded backlog — {c['config']} | {cell} | {yes(met)} |")
    w("")

    # ---- Summary
    w("### Summary")
    w("")
    w("Latency in ms, p50 / p99, and in brackets the ratio to the anchor measured alongside (sync ÷ the same probe without")
    w("sync, reading through the same API: BaaS for P→B, Platform for B→P). Anchors: p50 of one read after a write.")
    w("")
    w("| configuration | profile | idle P→B | idle B→P | idle anchors BaaS / Platform | under load: achieved | loaded P→B | loaded B→P | max sustained updates/s | next step failed on |")
    w("|---|---|---|---|---|---|---|---|---:|---|")

    def cell(probes: dict, k: str) -> str:
        p, a = probes[k], probes[ANCHOR_OF[k]]
        return (f"{f2(p.get('p50_ms'))} / {f2(p.get('p99_ms'))} "
                f"({ratio(p.get('p50_ms'), a.get('p50_ms'))} / {ratio(p.get('p99_ms'), a.get('p99_ms'))})"
                + (f" +{p['timeouts']} > 10 s" if p.get("timeouts") else ""))

    for c in cfgs:
        i, l = c["idle"]["probes"], c["loaded"]["probes"]
        last = c["steps"][-1] if c["steps"] else None
        failed = "–"
        if last and not last["sustained"]:
            kinds = []
            if last["achieved_per_s"] < 0.95 * last["offered_per_s"]:
                kinds.append(f"writes ({last['achieved_per_s']:.0f}/s achieved)")
            if any(r.startswith("backlog") for r in last["why_not"]):
                kinds.append(f"backlog (relay {last['delivered_per_s']}/s)")
            failed = f"{last['offered_per_s']:.0f}/s: " + ", ".join(kinds or last["why_not"])
        w(f"| {c['config']} | {c['profile']} | {cell(i, 'p2b')} | {cell(i, 'b2p')} | "
          f"{f2(i['anchor_baas'].get('p50_ms'))} / {f2(i['anchor_platform'].get('p50_ms'))} | "
          f"{c['loaded']['load']['achieved_per_s']:.0f}/s | {cell(l, 'p2b')} | {cell(l, 'b2p')} | "
          f"{c['max_sustained_per_s']} | {failed} |")
    w("")

    # ---- Method
    w("### Method")
    w("")
    w("Each configuration starts fresh Tandem processes (fresh SQLite files or freshly created PostgreSQL databases),")
    w(f"creates {results['args']['users']} load users and 4 probe users through the Platform's GraphQL API and waits until")
    w("`GET /sync/v1/status` shows both outboxes empty. Then, one configuration at a time:")
    w("")
    w("1. **Idle latency.** Four probe kinds run interleaved (the order rotates each round, ~20 ms pause after each probe),")
    w("   each on its own user and its own two keep-alive connections (writer, reader):")
    w("   - *Platform → BaaS*: `updateUser(id, {firstName: <marker>})` on the Platform; t0 = when its response arrives")
    w("     (the commit is done); then `GET /api/model/user/findUnique` on the BaaS, back to back, until `first_name`")
    w("     is the marker; latency = t_visible − t0.")
    w("   - *BaaS → Platform*: `PUT /api/model/user/update` on the BaaS, then GraphQL `user(id) { firstName }` on the Platform.")
    w("   - *Anchors* (house rule: the same probe without sync): write on the BaaS and read back on the BaaS; write on the")
    w("     Platform and read back on the Platform. The first read already shows the marker, so the anchor is one read")
    w("     round trip. Each sync direction is compared with the anchor that reads through the same API it polls.")
    w("   - *Relay's own lag*: the server's `tandem_sync_propagation_lag_seconds` histogram (commit → applied on the other")
    w("     side, as the relay measures it) over the same phase, as the bucket bounds holding p50 and p99.")
    w(f"2. **Under load.** The same probes while {results['args']['threads']} threads offer a steady "
      f"{results['args']['load_rate']:.0f} Platform `updateUser`/s on the load users")
    w("   (each thread its own users and keep-alive connection, round-robin; open-loop schedule; in a separate Python")
    w("   process, so it never holds the probes' GIL); the achieved rate is measured over the probe window.")
    w(f"3. **Sustained throughput.** Offered rates step up ({', '.join(str(s) for s in results['steps_used'])} updates/s, "
      f"{results['step_s']:.0f} s each, stopping at the first")
    w("   step that is not sustained). During each step the `platform_to_baas` pending count is sampled every 0.5 s from")
    w("   `/metrics` of the process that runs the Platform. A step is **sustained** when the achieved write rate is ≥ 95 %")
    w("   of the offered rate; the backlog does not trend upward (its least-squares slope over the step adds up to at most")
    w("   max(50, 0.1 s × achieved rate) events); the mean backlog over the step's last third is ≤ max(50, 0.5 s × achieved")
    w("   rate) events; it drains to 0 within 2 s once the load stops (sampled every 0.1 s then); and no write failed.")
    w("   *Delivered/s* is the relay's delivered counter over the")
    w("   step; the drain *rate* (when ≥ 500 events were left) is the relay alone emptying the backlog after the writes")
    w("   stop. With round-robin over the load users, a user is rewritten only every")
    w("   users ÷ rate seconds, so the relay's coalescing of several queued events of one user cannot hide a backlog")
    w("   shorter than that.")
    w("4. **Check.** After the steps: sync settles, no event is parked (failed), and a sample of users reads the same")
    w("   `firstName` on both sides.")
    w("")
    w("CPU columns are cores used over the phase (1.00 = one of the 2 vCPUs busy throughout), from `/proc/<pid>/stat`:")
    w("Tandem process(es) / PostgreSQL backends of the benchmark's databases / this script (probes, samplers and the")
    w("load-generator process) / every other process on the machine, kernel threads included. *Other* above 0.2 cores is")
    w("flagged ⚠ busy, with its biggest consumers by name.")
    w("")

    # ---- Per configuration
    for c in cfgs:
        w(f"### {c['config']} — {c['label']}")
        w("")
        q = c.get("quiet", {})
        if c.get("command") and c["command"] != results["command"]:
            w(f"*Merged from an earlier run:* `{c['command']}` at commit `{c.get('git')}`.")
            w("")
        w(f"Run {c['started']} → {c['finished']} UTC, {c['profile']} profile ({c.get('step_s', results['step_s']):.0f} s steps)"
          + (f"; before start: load average {' '.join(q['loadavg'])}, other processes {q['busy_pct_before']} % of the machine (waited {q['waited_s']} s)" if q else "")
          + f". Created the users in {c['create_users_s']} s; sync settled {c['settle_s']} s later.")
        w("")
        w("```sh")
        for cmd in c["commands"]:
            w(cmd)
        w("```")
        w("")
        idle = c["idle"]
        w(f"**Idle** ({idle['duration_s']} s; CPU server / PG / client / other: {cpu_cell(idle['cpu'])}; "
          f"pending max {idle['pending_max']})")
        w("")
        probe_table(w, idle)
        w("")
        ld = c["loaded"]
        lw = ld["load"]
        w(f"**Under load**: offered {lw['offered_per_s']:.0f} updates/s, achieved **{lw['achieved_per_s']:.0f}/s** "
          f"(write p50 {f2(lw['write'].get('p50_ms'))} ms, p99 {f2(lw['write'].get('p99_ms'))} ms, {lw['errors']} errors); "
          f"pending mean {ld['pending_mean']}, max {ld['pending_max']}; {ld['duration_s']} s; "
          f"CPU server / PG / client / other: {cpu_cell(ld['cpu'])}")
        w("")
        probe_table(w, ld)
        w("")
        w("**Throughput steps** (Platform `updateUser` on the load users; backlog = platform_to_baas pending)")
        w("")
        w("| offered /s | achieved /s | write p50 / p99 ms | backlog max | backlog mean, first / last third | delivered /s during step | drained in s (rate /s) | CPU server / PG / client / other | sustained |")
        w("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for s in c["steps"]:
            sus = "yes" if s["sustained"] else "no — " + "; ".join(s["why_not"])
            drain = f"{s['drain_s']}" + (f" ({s['drain_rate_per_s']:.0f})" if s.get("drain_rate_per_s") else "")
            w(f"| {s['offered_per_s']:.0f} | {s['achieved_per_s']:.0f} | {f2(s['write'].get('p50_ms'))} / {f2(s['write'].get('p99_ms'))} | "
              f"{s['pending_max']:.0f} | {s['pending_first_third_mean']} / {s['pending_last_third_mean']} | "
              f"{s['delivered_per_s']} | {drain} | {cpu_cell(s['cpu'])} | {sus} |")
        w("")
        w(f"Highest sustained rate: **{c['max_sustained_per_s']} updates/s**.")
        last = c["steps"][-1] if c["steps"] else None
        if last and not last["sustained"]:
            short = last["achieved_per_s"] < 0.95 * last["offered_per_s"]
            grew = any(r.startswith("backlog") for r in last["why_not"])
            parts = []
            if short:
                parts.append(f"the Platform's write path did not keep up with the offered {last['offered_per_s']:.0f}/s "
                             f"(achieved {last['achieved_per_s']:.0f}/s with {results['args']['threads']} load threads, "
                             f"write p50 {f2(last['write'].get('p50_ms'))} ms; Tandem used {last['cpu']['server_cores']} cores, "
                             f"the machine was {last['cpu']['machine_busy_pct']} % busy)")
            if grew:
                parts.append(f"the relay fell behind the writes (delivered {last['delivered_per_s']}/s while "
                             f"{last['achieved_per_s']:.0f}/s were written; backlog up to {last['pending_max']:.0f})")
            w(f"At the first step not sustained ({last['offered_per_s']:.0f}/s): " + "; and ".join(parts) + ".")
        fs = c["final_status"]
        dirs = {d["direction"]: d for d in fs.get("directions", [])}
        cons = c["consistency"]
        w("")
        w("After the run: " + "; ".join(
            f"{n} delivered {d['delivered']}, pending {d['pending']}, failed {d['failed']}, conflicts {d['conflictsResolved']}"
            for n, d in dirs.items()) + f". Consistency check: {cons['checked']} users read on both sides, {cons['mismatched']} differ.")
        logs = c.get("logs", {})
        bad = {n: l for n, l in logs.items() if l["warn_or_error_lines"]}
        if bad:
            w("")
            w("Server log warnings/errors (`RUST_LOG` " + results["args"]["log"] + "):")
            w("")
            for n, l in bad.items():
                w(f"- {n}: {l['warn_or_error_lines']} lines, e.g.:")
                for b in l["first_warnings"][:4]:
                    w(f"  `{b[:300]}`")
        else:
            w(f"Server logs (`RUST_LOG={results['args']['log']}`): no warnings or errors while measuring.")
        for n, l in logs.items():
            if l.get("startup_warn_or_error_lines"):
                w(f"At start-up {n} logged {l['startup_warn_or_error_lines']} warning(s) before sync first settled, e.g. "
                  f"`{l['first_startup_warnings'][0][:220]}` (in a split deployment, expected until the other half listens).")
        w("")

    # ---- Caveats
    w("### Caveats")
    w("")
    phases = [(c["config"], name, ph["cpu"]) for c in cfgs
              for name, ph in [("idle", c["idle"]), ("under load", c["loaded"])] + [(f"step {s['offered_per_s']:.0f}/s", s) for s in c["steps"]]]
    busy = [f"{cfg} {name} ({cpu['other_cores']} cores: {', '.join(cpu.get('other_top', [])) or 'short-lived processes'})"
            for cfg, name, cpu in phases if cpu["other_cores"] > 0.2]
    max_client = max((cpu["client_cores"] for _, _, cpu in phases), default=0)
    max_busy = max((cpu["machine_busy_pct"] for _, _, cpu in phases), default=0)
    max_other = max((cpu["other_cores"] for _, _, cpu in phases), default=0)
    w("- **Shared 2 vCPUs.** The probes and the load generator (Python) run on the same 2 vCPUs as Tandem and")
    w(f"  PostgreSQL; the CPU columns show the split. In this run the script used at most {max_client} cores and the machine")
    w(f"  was at most {max_busy} % busy in any phase: the limits found are not plain CPU exhaustion, which points at serial")
    w("  paths in Tandem (one relay per direction applying events one after another; one writer per SQLite store). But at")
    w("  70–80 % utilisation of 2 vCPUs, scheduling delays also stretch every serial chain of round trips, so on a machine")
    w("  with cores to spare the absolute numbers would be higher. Compare ratios, not absolute numbers.")
    if busy:
        w("- **Busy machine.** Other processes used more than 0.2 cores in: " + "; ".join(busy) + ". Those phases are")
        w("  flagged ⚠ in the tables; re-run them (`--configs … --merge`) when the machine is quiet.")
    else:
        w(f"- **Quiet machine.** No phase saw other processes use more than 0.2 cores (at most {max_other}). The load average")
        w("  printed before each configuration includes the previous configuration's own run; the share of other processes")
        w("  measured over the second before the start is the figure that matters.")
    w("- **Drain time resolution.** The backlog is sampled every 0.1 s after a step, so a drain time of ~0.1 s means")
    w("  \"empty at the first sample\".")
    w("- **Probe resolution.** Visibility is detected by polling; each latency includes up to one read round trip of")
    w("  detection delay (the anchor is exactly one read). The reader polls back to back, which itself costs server CPU.")
    w("- **p99 with few samples.** p99 of n = 100–300 probes rests on the 1–3 slowest probes; `--quick` runs are")
    w("  smoke-level. The max column shows the worst single probe.")
    w("- **Anchors also sync.** The anchor writes the same synced field (the identical request), so each anchor write")
    w("  also queues a sync event, as any real write does; the anchor's read never waits for it.")
    w("- **Split mode** runs both processes on this machine, so the HTTP link is loopback: network latency between")
    w("  real hosts would add to every split figure.")
    w("- The server's relay lag histogram is in coarse buckets (1, 2, 5, 10, 20, 50 ms …) and measures commit → applied")
    w("  with millisecond timestamps; the client-side probe is the end-to-end figure.")
    w(END)
    return "\n".join(lines)


def write_section(section: str, path: Path) -> None:
    text = path.read_text() if path.exists() else ""
    b, e = text.find(BEGIN), text.find(END)
    if b != -1 and e > b:
        text = text[:b] + section + text[e + len(END):]
    else:
        text = (text.rstrip("\n") + "\n\n" if text else "") + section + "\n"
    path.write_text(text)


# --------------------------------------------------------------------------------------------




def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--configs", default=",".join(CONFIGS), help=f"comma-separated subset of {', '.join(CONFIGS)}")
    p.add_argument("--quick", action="store_true", help="short run: fewer probes, shorter steps (smoke level)")
    p.add_argument("--probes", type=int, help="idle probes per kind (default 300; --quick 100)")
    p.add_argument("--load-probes", type=int, help="probes per kind under load (default 200; --quick 80)")
    p.add_argument("--step-seconds", type=float, help="seconds per throughput step (default 15; --quick 6)")
    p.add_argument("--steps", help="comma-separated offered rates (updates/s) for the throughput steps")
    p.add_argument("--users", type=int, default=1000, help="load users created before measuring")
    p.add_argument("--load-rate", type=float, default=500.0, help="background updates/s for the loaded probes")
    p.add_argument("--threads", type=int, default=16, help="load generator threads (each with its own connection)")
    p.add_argument("--quiet-wait", type=float, default=60.0, help="max seconds to wait for an idle machine before each configuration (0: don't)")
    p.add_argument("--log", default="warn", help="RUST_LOG of the Tandem processes")
    p.add_argument("--pg-url", default=os.environ.get("TANDEM_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
                   help="PostgreSQL admin URL; the script creates and drops uniquely named databases there")
    p.add_argument("--work-dir", help="where the data directories go (default: a temp dir, removed at the end)")
    p.add_argument("--merge", action="store_true",
                   help="keep the other configurations of bench/results/sync-latest.json in the report (re-run one configuration)")
    p.add_argument("--report", default=str(BENCH_DIR / "REPORT.md"))
    p.add_argument("--report-only", metavar="RESULTS_JSON", help="only rewrite the report section from a results file")
    p.add_argument("--load-worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.load_worker:
        load_worker()
        return
    if args.report_only:
        write_section(render_section(json.loads(Path(args.report_only).read_text())), Path(args.report))
        log(f"report section written to {args.report}")
        return

    keys = [k.strip() for k in args.configs.split(",") if k.strip()]
    unknown = set(keys) - set(CONFIGS)
    if unknown:
        sys.exit(f"unknown configurations: {', '.join(sorted(unknown))} (known: {', '.join(CONFIGS)})")
    args.profile = "quick" if args.quick else "full"
    prof = dict(PROFILES[args.profile])
    if args.probes:
        prof["probes"] = args.probes
    if args.load_probes:
        prof["load_probes"] = args.load_probes
    if args.step_seconds:
        prof["step_s"] = args.step_seconds
    args.steps = [int(s) for s in args.steps.split(",")] if args.steps else None
    if any(CONFIGS[k]["backend"] == "postgres" for k in keys):
        if subprocess.run(["psql", args.pg_url, "-qAtc", "select 1"], capture_output=True).returncode != 0:
            sys.exit(f"PostgreSQL is not reachable at {args.pg_url} (needed by {', '.join(k for k in keys if 'pg' in k)})")
    binary = ensure_tandem()

    RESULTS_DIR.mkdir(exist_ok=True)
    started = dt.datetime.now(dt.timezone.utc)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    dirty = output(["git", "-C", str(REPO), "status", "--porcelain", "--", "crates", "Cargo.toml", "Cargo.lock"])
    results: dict = {
        "started": started.strftime("%Y-%m-%d %H:%M"),
        "command": shlex.join(["python3", "bench/sync.py"] + sys.argv[1:]),
        "git": output(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]) + (" (+ uncommitted changes in crates/)" if dirty else ""),
        "tandem_version": output([binary, "--version"]),
        "machine": machine_info(),
        "args": {k: v for k, v in vars(args).items() if k not in ("pg_url", "report_only")},
        "steps_used": args.steps or prof["steps"],
        "step_s": prof["step_s"],
        "configs": [],
    }
    if any(CONFIGS[k]["backend"] == "postgres" for k in keys):
        results["postgres"] = output(["psql", args.pg_url, "-qAtc", "show server_version"])
        results["postgres_settings"] = output(["psql", args.pg_url, "-qAtc",
            "select string_agg(name || '=' || setting, ', ' order by name) from pg_settings "
            "where name in ('fsync','synchronous_commit','shared_buffers','max_connections')"])
    keep = args.work_dir is not None
    work = Path(args.work_dir) if keep else Path(tempfile.mkdtemp(prefix="tandem-sync-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        for key in keys:
            log(f"=== {key}: {CONFIGS[key]['label']} ({args.profile})")
            c = run_config(key, binary, work, args, prof)
            c["git"], c["command"] = results["git"], results["command"]
            results["configs"].append(c)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    results["finished"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    if args.merge and (RESULTS_DIR / "sync-latest.json").exists():
        prev = json.loads((RESULTS_DIR / "sync-latest.json").read_text())
        mine = {c["config"] for c in results["configs"]}
        kept = [c for c in prev.get("configs", []) if c["config"] not in mine]
        for c in kept:
            c.setdefault("from_run", prev.get("command"))
        if kept:
            results["merged"] = True
        results["configs"] = sorted(results["configs"] + kept, key=lambda c: list(CONFIGS).index(c["config"]))
    results["results_file"] = f"sync-{stamp}.json"
    (RESULTS_DIR / results["results_file"]).write_text(json.dumps(results, indent=2))
    shutil.copy(RESULTS_DIR / results["results_file"], RESULTS_DIR / "sync-latest.json")
    write_section(render_section(results), Path(args.report))
    log(f"results: {RESULTS_DIR / results['results_file']}; report section: {args.report}")


if __name__ == "__main__":
    main()
