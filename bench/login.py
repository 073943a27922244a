#!/usr/bin/env python3
"""Password log-in benchmark: end-user log-ins per second through Tandem's hosted pages against
the argon2id bound of the same machine (issue 11's acceptance: log-ins/s >= 90% of hashes/s).

The anchor is `crates/platform/examples/argon2_bound.rs`: argon2id verifications per second with
Tandem's parameters (m=19 MiB, t=2, p=1) and the very function a log-in's hashing thread runs
(`tandem_platform::password::verify_here`), in as many threads as the machine has cores. A log-in
has to verify one hash, so that is its bound.

The system under test is a release `tandem serve` (all-in-one; a fresh SQLite data directory,
and a fresh PostgreSQL database pair), with users created through the server GraphQL API
(`createUser` with a password, five per request). One log-in is the hosted flow a browser
goes through, without the browser:

  GET  /authorize?clientId=<env>&redirect_uri=%2Fapi%2Fauth%2Fcallback&state=s&response_type=code&initialScreen=login
       -> 200, the `tandem_form` cookie and the form's hidden inputs (csrf included)
  POST /authorize/login (the hidden inputs + email + password, with the cookie)
       -> 303 to the app's callback with `authorization_code` — only this counts as a log-in.

The product's rate limits stay on (10 attempts per account then one a minute; 30 per client IP
then one every two seconds). The script stays inside them the way real traffic does: every user
logs in at most 10 times in a run, and clients connect from many loopback addresses
(127.1.1.1, 127.1.1.2, …; Linux routes all of 127.0.0.0/8 to lo), each used for at most
--per-ip log-ins. Any 429 is counted and fails the run.

In each round the anchor and each backend's log-in throughput (2 x cores concurrent clients)
run for the same duration as anchor, backend, anchor, backend, anchor (the backends' order
alternating every round). Each log-in phase is compared with the mean of the anchor phases on
either side of it, so a drift of the shared machine's speed moves both sides of the ratio alike;
the verdict takes the median of the per-round ratios. The page alone (the GET) is measured too,
and a single client gives the latency of one log-in (GET and POST separately). Every phase
records the CPU the server, its PostgreSQL backends, this script (the clients) and everything
else used.

Writes bench/results/login-<timestamp>.json (not committed), bench/LOGIN-REPORT.results.json
and bench/LOGIN-REPORT.md. Standard library only; see bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.client
import json
import math
import os
import re
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import common
from common import ensure_tandem, f2, loadavg, log, machine_info, output, summarize_ms, target_dir

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
CLK_TCK = os.sysconf("SC_CLK_TCK")
CPUS = os.cpu_count() or 1

PASSWORD = "bench-password-1"
STATE = "s"
# The per-account limit's burst: a user logs in at most this many times in a run.
PER_ACCOUNT = 10
BACKENDS = ("sqlite", "postgres")
HIDDEN = re.compile(r"<input\b[^>]*\btype=\"hidden\"[^>]*>")
ATTR = re.compile(r"\b(name|value)=\"([^\"]*)\"")








# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------






def ensure_bound() -> str:
    if os.environ.get("ARGON2_BOUND_BIN"):
        path = Path(os.environ["ARGON2_BOUND_BIN"]).resolve()
        if not path.is_file():
            sys.exit(f"ARGON2_BOUND_BIN={path} does not exist")
        return str(path)
    log("building the anchor (cargo build --release -p tandem-platform --example argon2_bound)")
    subprocess.run(["cargo", "build", "--release", "-p", "tandem-platform", "--example", "argon2_bound"], cwd=REPO, check=True)
    return str(target_dir() / "release" / "examples" / "argon2_bound")


def argon2_version() -> str:
    lock = (REPO / "Cargo.lock").read_text()
    m = re.search(r'name = "argon2"\nversion = "([^"]+)"', lock)
    return m.group(1) if m else "?"


# --------------------------------------------------------------------------------------------
# /proc: CPU accounting
# --------------------------------------------------------------------------------------------


def all_ticks() -> dict[int, tuple[str, str, int]]:
    """pid -> (comm, cmdline, utime + stime) of every process."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                raw = f.read()
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmdline = f.read(300).decode(errors="replace")
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        out[int(d)] = (comm, cmdline, int(fields[11]) + int(fields[12]))
    return out


def steal_ticks() -> int:
    """Time the hypervisor gave this VM's CPUs to others, summed over every CPU."""
    with open("/proc/stat") as f:
        return int(f.readline().split()[8])


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks summed over every CPU, from /proc/stat: unlike the per-process
    sums it includes processes that started and ended in between (compilers, test binaries)."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]  # idle + iowait
    total = sum(parts[:8])  # guest time is already in user
    return total - idle, total


def children_ticks() -> tuple[float, float]:
    """(user + system, system) ticks of the children that have exited."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r.ru_utime + r.ru_stime) * CLK_TCK, r.ru_stime * CLK_TCK


def sys_ticks(pid: int | None) -> int:
    """stime of one process, in clock ticks (kernel time: page faults, syscalls)."""
    if pid is None:
        return 0
    try:
        with open(f"/proc/{pid}/stat") as f:
            raw = f.read()
    except OSError:
        return 0
    return int(raw[raw.rindex(")") + 2 :].split()[12])


class CpuMeter:
    """CPU used between two snapshots, in cores (1.0 = one core busy all the time): the server,
    its PostgreSQL backends (their process titles name the database), this script (the
    clients), the anchor (a child process that has exited: counted from its rusage) and
    everything else, with the biggest other consumers by name."""

    def __init__(self, server_pid: int | None, pg_dbs: list[str]):
        self.server_pid, self.dbs = server_pid, pg_dbs

    def snap(self) -> dict:
        t = os.times()
        return {"t": time.perf_counter(), "all": all_ticks(), "self": (t.user + t.system) * CLK_TCK,
                "children": children_ticks(), "server_sys": sys_ticks(self.server_pid), "machine": machine_ticks(),
                "steal": steal_ticks(), "load": loadavg()}

    def diff(self, a: dict, b: dict) -> dict:
        secs = max(1e-6, b["t"] - a["t"])
        me = os.getpid()
        server = pg = total = 0.0
        by_name: dict[str, float] = {}
        for pid, (comm, cmdline, ticks) in b["all"].items():
            prev = a["all"].get(pid)
            used = (ticks - (prev[2] if prev else 0)) / CLK_TCK / secs
            if used <= 0:
                continue
            total += used
            if pid == me:
                continue
            if pid == self.server_pid:
                server += used
            elif comm == "postgres" and any(db in cmdline for db in self.dbs):
                pg += used
            else:
                name = comm.split("-", 1)[0] if comm.startswith("kworker") else comm
                by_name[name] = by_name.get(name, 0.0) + used
        client = (b["self"] - a["self"]) / CLK_TCK / secs
        anchor = (b["children"][0] - a["children"][0]) / CLK_TCK / secs
        anchor_sys = (b["children"][1] - a["children"][1]) / CLK_TCK / secs
        server_sys = (b["server_sys"] - a["server_sys"]) / CLK_TCK / secs
        total += anchor
        other_by_process = max(0.0, total - server - pg - client - anchor)
        busy, all_ = (b["machine"][0] - a["machine"][0]), (b["machine"][1] - a["machine"][1])
        machine_cores = CPUS * busy / all_ if all_ > 0 else total
        other = max(other_by_process, machine_cores - server - pg - client - anchor)
        top = sorted(by_name.items(), key=lambda kv: -kv[1])[:3]
        return {
            "seconds": round(secs, 2),
            "server_cores": round(server, 3),
            "server_sys_cores": round(server_sys, 3),
            "postgres_cores": round(pg, 3),
            "client_cores": round(client, 3),
            "anchor_cores": round(anchor, 3),
            "anchor_sys_cores": round(anchor_sys, 3),
            "other_cores": round(other, 3),
            "other_cores_by_process": round(other_by_process, 3),
            "steal_cores": round(CPUS * (b["steal"] - a["steal"]) / all_, 3) if all_ > 0 else 0.0,
            "other_top": [f"{n} {c:.2f}" for n, c in top if c >= 0.01],
            "machine_busy_pct": round(100 * max(total, machine_cores) / CPUS, 1),
            "loadavg_before": a["load"],
            "loadavg_after": b["load"],
        }


def wait_quiet(max_wait: float, threshold_pct: float = 15.0) -> dict:
    """Waits (up to max_wait s) until the machine (the idle servers included) is less than
    threshold_pct busy over one second."""
    t0 = time.time()
    while True:
        a = machine_ticks()
        time.sleep(1.0)
        b = machine_ticks()
        pct = 100 * (b[0] - a[0]) / max(1, b[1] - a[1])
        waited = time.time() - t0
        if pct < threshold_pct or waited >= max_wait:
            return {"waited_s": round(waited, 1), "busy_pct_before": round(pct, 1), "loadavg": loadavg()}


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class Server(common.Server):
    """A Tandem that can create the benchmark's users (with passwords) in batches."""

    def create_users(self, n: int, threads: int = 2) -> list[str]:
        token = self.post_json("/v01/authorize/serviceAccount", {"environmentId": self.env_id, "apiKey": self.api_key}, {})["accessToken"]
        headers = {"roq-platform-server-authorization": self.basic, "roq-platform-authorization": f"Bearer {token}"}
        emails = [f"login-bench-{i:05d}@example.com" for i in range(n)]
        batches = [emails[i : i + 5] for i in range(0, n, 5)]  # at most 5 password operations per request
        errors: list[str] = []

        def work(mine: list[list[str]]) -> None:
            for batch in mine:
                params = ", ".join(f"$u{i}: UserCreateDto!" for i in range(len(batch)))
                fields = " ".join(f"u{i}: createUser(user: $u{i}) {{ id }}" for i in range(len(batch)))
                variables = {f"u{i}": {"email": e, "password": PASSWORD, "firstName": "Bench", "lastName": f"User {e[12:17]}",
                                       "reference": e} for i, e in enumerate(batch)}
                try:
                    out = self.post_json("/v01/server/graphql", {"query": f"mutation({params}) {{ {fields} }}", "variables": variables}, headers)
                    if out.get("errors") or len(out.get("data") or {}) != len(batch):
                        raise RuntimeError(str(out)[:500])
                except Exception as e:  # noqa: BLE001 — reported below
                    errors.append(str(e))
                    return

        ts = [threading.Thread(target=work, args=(batches[k::threads],)) for k in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        if errors:
            raise RuntimeError(f"creating users failed: {errors[0]}")
        return emails


# --------------------------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------------------------


class Budget:
    """Hands out users (each at most PER_ACCOUNT log-ins per run, round robin) and client source
    addresses (each used for at most per_ip log-ins, then never again), so no rate limit of the
    product is reached the way a benchmark from one address and one account would."""

    def __init__(self, emails: list[str], per_ip: int):
        self.emails, self.per_ip = emails, per_ip
        self.lock = threading.Lock()
        self.next_user = 0
        self.next_ip = 0

    def user(self) -> str:
        with self.lock:
            n = self.next_user
            self.next_user += 1
        if n // len(self.emails) >= PER_ACCOUNT:
            raise RuntimeError(f"more than {PER_ACCOUNT} log-ins per user: create more users (--users)")
        return self.emails[n % len(self.emails)]

    def ip(self) -> str:
        with self.lock:
            k = self.next_ip
            self.next_ip += 1
        if k >= 250 * 254 * 254:
            raise RuntimeError("out of loopback addresses")
        return f"127.{1 + k // 64516}.{1 + (k // 254) % 254}.{1 + k % 254}"


class Browser:
    """One client: a keep-alive connection from one loopback address, replaced by one from a
    fresh address after per_ip log-ins. Each log-in starts without a cookie, as a new browser.

    HTTP/1.1 over a plain socket, written out: the clients share the two cores with the server,
    and `http.client` (its header parsing goes through `email.feedparser`) cost ~0.6 ms of CPU per
    log-in, 4 % of the machine the server could have used. This does the same two requests and
    checks the same answers at about a third of that."""

    def __init__(self, port: int, env_id: str, budget: Budget):
        self.port, self.budget = port, budget
        q = urllib.parse.urlencode({"clientId": env_id, "redirect_uri": "/api/auth/callback", "state": STATE,
                                    "response_type": "code", "initialScreen": "login"})
        self.get_request = (f"GET /authorize?{q} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").encode()
        self.sock: socket.socket | None = None
        self.buf = b""
        self.used = 0

    def _connection(self) -> socket.socket:
        if self.sock is None or self.used >= self.budget.per_ip:
            self.close()
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=60, source_address=(self.budget.ip(), 0))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock, self.buf, self.used = sock, b"", 0
        return self.sock

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _exchange(self, request: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        """Sends one request; the status, the headers (lower-cased names) and the body."""
        sock = self._connection()
        sock.sendall(request)
        while b"\r\n\r\n" not in self.buf:
            chunk = sock.recv(65536)
            if not chunk:
                raise http.client.RemoteDisconnected("connection closed before the answer")
            self.buf += chunk
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = []
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            headers.append((name, value))
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                raise http.client.HTTPException(f"unexpected Transfer-Encoding: {value}")
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise http.client.RemoteDisconnected("connection closed inside the body")
            rest += chunk
        self.buf = rest[length:]
        return status, headers, rest[:length]

    def page(self) -> tuple[str, list[tuple[str, str]]]:
        """GET /authorize: the cookie and the hidden inputs."""
        status, headers, body = self._exchange(self.get_request)
        if status != 200:
            raise LoginError(f"GET /authorize -> {status}", status)
        cookie = next((v.split(";", 1)[0] for n, v in headers if n == "set-cookie" and v.startswith("tandem_form=")), None)
        if not cookie:
            raise LoginError("GET /authorize set no tandem_form cookie", status)
        inputs = []
        for tag in HIDDEN.findall(body.decode()):
            attrs = dict(ATTR.findall(tag))
            if "name" in attrs:
                inputs.append((attrs["name"], html.unescape(attrs.get("value", ""))))
        if not any(n == "csrf" for n, _ in inputs):
            raise LoginError("the log-in page has no csrf input", status)
        return cookie, inputs

    def submit(self, cookie: str, inputs: list[tuple[str, str]], email: str) -> None:
        """POST /authorize/login; a log-in is done only on the 303 with an authorization code."""
        body = urllib.parse.urlencode(inputs + [("email", email), ("password", PASSWORD)]).encode()
        request = (f"POST /authorize/login HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                   f"Content-Type: application/x-www-form-urlencoded\r\nCookie: {cookie}\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        status, headers, _ = self._exchange(request)
        self.used += 1
        if status != 303:
            raise LoginError(f"POST /authorize/login -> {status}", status)
        where = next((v for n, v in headers if n == "location"), "")
        location = urllib.parse.urlsplit(where)
        q = urllib.parse.parse_qs(location.query)
        if not (location.path == "/api/auth/callback" and q.get("authorization_code") and q.get("state") == [STATE]
                and q.get("action") == ["login"]):
            raise LoginError(f"303 to an unexpected place: {where!r}", status)


class LoginError(Exception):
    def __init__(self, msg: str, status: int):
        super().__init__(msg)
        self.status = status


def drive(server: Server, budget: Budget, clients: int, seconds: float, what: str) -> dict:
    """`clients` threads, each doing log-ins (what="login") or only the page (what="page") one
    after another for `seconds`; completions and per-request times."""
    start = threading.Barrier(clients + 1)
    lock = threading.Lock()
    done_at: list[float] = []
    t_get: list[float] = []
    t_post: list[float] = []
    t_total: list[float] = []
    errors: dict[str, int] = {}
    first_errors: list[str] = []
    t_end = [0.0]

    def worker() -> None:
        b = Browser(server.port, server.env_id, budget)
        start.wait()
        deadline = t_end[0]
        try:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    cookie, inputs = b.page()
                    t1 = time.perf_counter()
                    if what == "login":
                        try:
                            email = budget.user()
                        except RuntimeError as e:
                            with lock:
                                errors["users exhausted"] = errors.get("users exhausted", 0) + 1
                                first_errors.append(str(e))
                            return
                        b.submit(cookie, inputs, email)
                    t2 = time.perf_counter()
                except LoginError as e:
                    with lock:
                        key = str(e.status)
                        errors[key] = errors.get(key, 0) + 1
                        if len(first_errors) < 5:
                            first_errors.append(str(e))
                    b.close()
                    continue
                except (OSError, http.client.HTTPException) as e:
                    with lock:
                        errors["io"] = errors.get("io", 0) + 1
                        if len(first_errors) < 5:
                            first_errors.append(repr(e))
                    b.close()
                    continue
                with lock:
                    done_at.append(t2)
                    t_get.append(t1 - t0)
                    t_post.append(t2 - t1)
                    t_total.append(t2 - t0)
        finally:
            b.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    meter = CpuMeter(server.pid, server.dbs)
    t_end[0] = time.perf_counter() + seconds
    a = meter.snap()
    t0 = time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    b_ = meter.snap()
    server.check_alive()
    n = len(done_at)
    out = {
        "what": what,
        "clients": clients,
        "seconds": round(elapsed, 3),
        "completed": n,
        "per_s": round(n / elapsed, 2),
        "errors": errors,
        "first_errors": first_errors,
        "total": summarize_ms(t_total),
        "get": summarize_ms(t_get),
        "cpu": meter.diff(a, b_),
    }
    if what == "login":
        out["post"] = summarize_ms(t_post)
    return out


def run_anchor(binary: str, threads: int, seconds: float) -> dict:
    meter = CpuMeter(None, [])
    a = meter.snap()
    raw = subprocess.run([binary, "--threads", str(threads), "--seconds", str(seconds)], check=True,
                         capture_output=True, text=True).stdout
    b = meter.snap()
    out = json.loads(raw)
    out["cpu"] = meter.diff(a, b)
    return out


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------




def cpu_ms_per(cpu: dict, key: str, per_s: float) -> float | None:
    return round(1000 * cpu[key] / per_s, 2) if per_s else None


def anchors_of(rnd: dict) -> list[dict]:
    """The round's anchor phases (results before 2026-12 had one per round, under "anchor")."""
    return rnd["anchors"] if "anchors" in rnd else [rnd["anchor"]]


def bracket(rnd: dict, backend: str) -> float:
    """The verifications/s a backend's log-in phase is compared with: the mean of the anchor
    phases just before and just after it."""
    anchors = anchors_of(rnd)
    i, j = rnd[backend].get("between_anchors", [0, 0])
    return (anchors[i]["verifications_per_s"] + anchors[j]["verifications_per_s"]) / 2


def analyse(results: dict) -> None:
    """Per backend: the per-round ratios, their median, the verdict, and where the CPU of one
    log-in goes next to the CPU of one verification."""
    rounds = results["rounds"]
    threshold = results["threshold"]
    results["summary"] = {}
    every_anchor = [a for r in rounds for a in anchors_of(r)]
    anchor_rates = [a["verifications_per_s"] for a in every_anchor]
    anchor_cpu = [1000 * a["cpu"]["anchor_cores"] / a["verifications_per_s"] for a in every_anchor]
    anchor_sys = [1000 * a["cpu"]["anchor_sys_cores"] / a["verifications_per_s"] for a in every_anchor]
    results["anchor_summary"] = {
        "median_per_s": round(statistics.median(anchor_rates), 2),
        "cpu_ms_per_verification": round(statistics.median(anchor_cpu), 2),
        "sys_cpu_ms_per_verification": round(statistics.median(anchor_sys), 2),
    }
    for backend in results["backends"]:
        ratios = [r[backend]["login"]["per_s"] / bracket(r, backend) for r in rounds]
        logins = [r[backend]["login"]["per_s"] for r in rounds]
        pages = [r[backend]["page"]["per_s"] for r in rounds]
        errors = sum(sum(r[backend][k]["errors"].values()) for r in rounds for k in ("login", "page"))
        errors += sum(results["latency"][backend]["errors"].values())
        too_many = sum(r[backend][k]["errors"].get("429", 0) for r in rounds for k in ("login", "page"))
        too_many += results["latency"][backend]["errors"].get("429", 0)

        def med(key: str, phase: str = "login") -> float:
            return round(statistics.median(
                1000 * r[backend][phase]["cpu"][key] / r[backend][phase]["per_s"] for r in rounds), 2)

        median_ratio = statistics.median(ratios)
        results["summary"][backend] = {
            "ratios": [round(x, 4) for x in ratios],
            "median_ratio": round(median_ratio, 4),
            "median_logins_per_s": round(statistics.median(logins), 2),
            "median_pages_per_s": round(statistics.median(pages), 2),
            "errors": errors,
            "rate_limited": too_many,
            "pass": median_ratio >= threshold and errors == 0,
            "cpu_ms_per_login": {
                "server": med("server_cores"),
                "server_sys": med("server_sys_cores"),
                "postgres": med("postgres_cores"),
                "client": med("client_cores"),
                "other": med("other_cores"),
            },
            "server_cpu_ms_per_page": med("server_cores", "page"),
            "postgres_cpu_ms_per_page": med("postgres_cores", "page"),
            "busy_pct_login": statistics.median(r[backend]["login"]["cpu"]["machine_busy_pct"] for r in rounds),
        }


def run(args, binary: str, bound: str) -> dict:
    started = dt.datetime.now(dt.timezone.utc)
    dirty = output(["git", "-C", str(REPO), "status", "--porcelain", "--", "crates", "Cargo.toml", "Cargo.lock"])
    results: dict = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "command": shlex.join(["python3", "bench/login.py"] + sys.argv[1:]),
        "git": output(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]) + (" (+ uncommitted changes in crates/)" if dirty else ""),
        "tandem_version": output([binary, "--version"]),
        "argon2_crate": argon2_version(),
        "machine": machine_info(),
        "backends": args.backends,
        "clients": args.clients,
        "duration_s": args.duration,
        "page_duration_s": args.page_duration,
        "latency_s": args.latency_seconds,
        "per_ip": args.per_ip,
        "threshold": args.threshold,
        "anchor_threads": args.anchor_threads,
        "rounds": [],
    }
    if "postgres" in args.backends:
        results["postgres"] = output(["psql", args.pg_url, "-qAtc", "show server_version"])
        results["postgres_settings"] = output(["psql", args.pg_url, "-qAtc",
            "select string_agg(name || '=' || setting, ', ' order by name) from pg_settings "
            "where name in ('fsync','synchronous_commit','shared_buffers','max_connections')"])

    log(f"anchor warm-up: {args.anchor_threads} threads, 3 s")
    warm = run_anchor(bound, args.anchor_threads, 3)
    log(f"  {warm['verifications_per_s']:.1f} verifications/s ({warm['phc_prefix']})")
    results["anchor_warmup"] = warm
    # Every log-in of the run, per backend, with room for a warm-up slowed by other work on the
    # machine (twice its rate); each user logs in at most 10 times.
    expected = warm["verifications_per_s"] * 2 * (args.rounds * args.duration + args.latency_seconds + args.warmup)
    users = args.users or max(50, math.ceil(expected / PER_ACCOUNT) + 20)
    results["users"] = users

    keep = args.work_dir is not None
    work = Path(args.work_dir) if keep else Path(tempfile.mkdtemp(prefix="tandem-login-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    servers: dict[str, Server] = {}
    budgets: dict[str, Budget] = {}
    try:
        for backend in args.backends:
            s = Server(backend, binary, work, args.pg_url, args.log)
            s.start()
            servers[backend] = s
            t0 = time.perf_counter()
            emails = s.create_users(users)
            log(f"{backend}: {len(emails)} users created in {time.perf_counter() - t0:.1f} s (port {s.port})")
            budgets[backend] = Budget(emails, args.per_ip)
        results["commands"] = {b: s.commands for b, s in servers.items()}
        # The address budget is per server process, so each backend's clients can start at the
        # same addresses; a separate Budget keeps the user counts apart.
        for backend, s in servers.items():
            w = drive(s, budgets[backend], args.clients, args.warmup, "login")
            log(f"{backend}: warm-up {w['completed']} log-ins, errors {w['errors'] or 'none'}")
            if w["errors"]:
                raise RuntimeError(f"{backend}: the warm-up failed: {w['first_errors']}")

        for i in range(args.rounds):
            quiet = wait_quiet(args.quiet_wait) if args.quiet_wait > 0 else {}
            # Every log-in phase sits between two anchor phases, and its ratio is taken to their mean:
            # the machine's speed drifts (neighbours on the host), and a drift over the round then
            # moves both sides alike. The backends' order alternates every round.
            backends = list(args.backends) if i % 2 == 0 else list(reversed(args.backends))
            this = ["anchor"]
            for backend in backends:
                this += [backend, "anchor"]
            log(f"round {i + 1}/{args.rounds} (order {', '.join(this)}; waited {quiet.get('waited_s', 0)} s for a quiet machine, "
                f"{quiet.get('busy_pct_before', '?')} % busy before, load {' '.join(loadavg())})")
            rnd: dict = {"order": this, "quiet": quiet, "anchors": []}
            for item in this:
                if item == "anchor":
                    a = run_anchor(bound, args.anchor_threads, args.duration)
                    rnd["anchors"].append(a)
                    log(f"  anchor: {a['verifications_per_s']:.1f} verifications/s (verify p50 {a['verify_ms']['p50']:.1f} ms, "
                        f"{a['cpu']['anchor_cores']:.2f} cores ({a['cpu']['anchor_sys_cores']:.2f} kernel), other {a['cpu']['other_cores']:.2f})")
                    continue
                s = servers[item]
                login = drive(s, budgets[item], args.clients, args.duration, "login")
                page = drive(s, budgets[item], args.clients, args.page_duration, "page")
                before = len(rnd["anchors"]) - 1
                rnd[item] = {"login": login, "page": page, "between_anchors": [before, before + 1]}
                c = login["cpu"]
                log(f"  {item}: {login['per_s']:.1f} log-ins/s (errors {login['errors'] or 'none'}; server {c['server_cores']:.2f} "
                    f"({c['server_sys_cores']:.2f} kernel), "
                    f"pg {c['postgres_cores']:.2f}, clients {c['client_cores']:.2f}, other {c['other_cores']:.2f} cores); "
                    f"page alone {page['per_s']:.0f}/s")
            results["rounds"].append(rnd)

        log(f"latency: one client, {args.latency_seconds} s per backend; one verification in one thread")
        results["latency"] = {}
        for backend, s in servers.items():
            lat = drive(s, budgets[backend], 1, args.latency_seconds, "login")
            results["latency"][backend] = lat
            log(f"  {backend}: p50 {lat['total'].get('p50_ms')} ms, p99 {lat['total'].get('p99_ms')} ms "
                f"(GET p50 {lat['get'].get('p50_ms')} ms, POST p50 {lat['post'].get('p50_ms')} ms)")
        results["latency"]["anchor_1_thread"] = run_anchor(bound, 1, min(5.0, args.latency_seconds))
        results["server_logs"] = {b: s.warnings() for b, s in servers.items()}
        results["users_used"] = {b: budgets[b].next_user for b in servers}
        results["addresses_used"] = {b: budgets[b].next_ip for b in servers}
    finally:
        for s in servers.values():
            s.stop()
            s.cleanup()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    results["finished"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    analyse(results)
    return results


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


def f1(x) -> str:
    return "–" if x is None else f"{x:.1f}"




def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


LABEL = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def render(results: dict) -> str:
    m = results["machine"]
    a_sum = results["anchor_summary"]
    lines: list[str] = []
    w = lines.append
    w("# Password log-in throughput against the argon2id bound")
    w("")
    w("<!-- Generated by bench/login.py; numbers in LOGIN-REPORT.results.json. Do not edit by hand. -->")
    w("")
    w(f"Run {results['started']} – {results['finished']}, git `{results['git']}`, `{results['tandem_version']}`, "
      f"`{results['command']}`.")
    w("")
    w(f"Machine: {m['cpu']}, **{m['cpus']} cores**, {m['memory_gib']} GiB, {m['os']}, kernel {m['kernel']} "
      f"({m['virtualization']}); load average at the start {' / '.join(m['loadavg_at_start'])}. "
      f"PostgreSQL {results.get('postgres', '–')} ({results.get('postgres_settings', '')}).")
    w("")
    w("## Verdict")
    w("")
    w(f"Acceptance (issue 11): completed log-ins per second ≥ {pct(results['threshold'])} of argon2id verifications per "
      "second on the same machine. Ratio = the median over rounds of (log-ins/s ÷ the mean verifications/s of the anchor "
      "phases just before and just after that log-in phase).")
    w("")
    w("| backend | log-ins/s (median) | argon2id verifications/s (median) | ratio | errors / 429s | verdict |")
    w("|---|---:|---:|---:|---:|---|")
    for b in results["backends"]:
        s = results["summary"][b]
        w(f"| {LABEL[b]} | {f1(s['median_logins_per_s'])} | {f1(a_sum['median_per_s'])} | **{pct(s['median_ratio'])}** | "
          f"{s['errors']} / {s['rate_limited']} | **{'PASS' if s['pass'] else 'FAIL'}** |")
    w("")
    for b in results["backends"]:
        s = results["summary"][b]
        w(f"- {'PASS' if s['pass'] else 'FAIL'} {LABEL[b]}: {f1(s['median_logins_per_s'])} log-ins/s = {pct(s['median_ratio'])} "
          f"of {f1(a_sum['median_per_s'])} verifications/s (threshold {pct(results['threshold'])}; per round "
          f"{', '.join(pct(x) for x in s['ratios'])}); {s['errors']} failed log-ins.")
    w("")
    w("## What was measured")
    w("")
    w(f"- **Anchor**: `crates/platform/examples/argon2_bound.rs` (argon2 crate {results['argon2_crate']}, the workspace's; "
      f"`{results['anchor_warmup']['phc_prefix']}`, the parameters Tandem hashes with), verifying the right password against "
      f"one stored hash with `tandem_platform::password::verify_here` — what a log-in's hashing thread runs, argon2 in a kept "
      f"working memory — in {results['anchor_threads']} threads "
      f"for {results['duration_s']:g} s. Release build, same profile as the server.")
    w(f"- **Log-in**: a release `tandem serve` (all-in-one) per backend, fresh stores, {results['users']} users created with "
      f"`createUser` (five per GraphQL request). {results['clients']} concurrent clients (2 × cores) for "
      f"{results['duration_s']:g} s, each log-in the hosted flow without a browser: `GET /authorize?clientId=…&redirect_uri="
      "%2Fapi%2Fauth%2Fcallback&state=s&response_type=code&initialScreen=login` (200, the `tandem_form` cookie, the hidden "
      "inputs with `csrf`), then `POST /authorize/login` with them and the email and password. A log-in counts only on the "
      "303 to `/api/auth/callback` with `authorization_code`, `state=s`, `action=login` (every one is checked). Each log-in "
      "starts without a cookie, as a new browser. Rate = completed log-ins ÷ the time from start until the last client "
      "finished (the anchor counts the same way).")
    w(f"- **The page alone**: the same clients doing only the `GET /authorize` for {results['page_duration_s']:g} s, right "
      "after each log-in phase.")
    w(f"- **Rounds**: {len(results['rounds'])}; each runs anchor, backend, anchor, backend, anchor, every phase for the same "
      "time, the backends' order alternating every round, and first waits (up to a limit) for the rest of the machine to "
      "be quiet. Each log-in phase is compared with the mean of the two anchor phases around it, so a drift of the "
      "machine's speed (other work on the host) moves both sides of the ratio alike. Both servers are up the whole time "
      "(the one not measured is idle).")
    w(f"- **Rate limits stay on.** The product limits log-in attempts per account (10, then one a minute) and per client "
      f"IP (30, then one every 2 s). The benchmark does not turn them off: each user logs in at most {PER_ACCOUNT} times "
      f"in the run (round robin over the users), and the clients connect from distinct loopback addresses "
      f"(127.1.1.1, 127.1.1.2, …), each used for at most {results['per_ip']} log-ins — as traffic from many people "
      f"looks. Addresses used: {', '.join(f'{LABEL[b]} {n}' for b, n in results['addresses_used'].items())}; log-ins: "
      f"{', '.join(f'{LABEL[b]} {n}' for b, n in results['users_used'].items())}. Any 429 counts as a failure.")
    w("")
    w("## Rounds")
    w("")
    w("CPU in cores (1.0 = one core busy the whole phase): the server, its PostgreSQL backends, this script's clients, the "
      "anchor process, and everything else on the machine (`other`, with the biggest consumers).")
    w("")
    w("| round | phase | rate /s | ratio to anchor | p50 / p99 ms | server | postgres | clients | anchor | other (top) | load avg |")
    w("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for i, r in enumerate(results["rounds"], 1):
        anchors = iter(anchors_of(r))
        for item in r["order"]:
            if item == "anchor":
                a = next(anchors)
                c = a["cpu"]
                w(f"| {i} | anchor: verifications | {f1(a['verifications_per_s'])} | – | {f1(a['verify_ms']['p50'])} / "
                  f"{f1(a['verify_ms']['p99'])} | – | – | – | {f2(c['anchor_cores'])} | {f2(c['other_cores'])} "
                  f"({', '.join(c['other_top']) or '–'}) | {' '.join(c['loadavg_after'])} |")
                continue
            for phase, label in (("login", "log-ins"), ("page", "page only")):
                p = r[item][phase]
                c = p["cpu"]
                ratio = pct(p["per_s"] / bracket(r, item)) if phase == "login" else "–"
                errs = f" ({sum(p['errors'].values())} errors)" if p["errors"] else ""
                w(f"| {i} | {LABEL[item]}: {label}{errs} | {f1(p['per_s'])} | {ratio} | {f1(p['total'].get('p50_ms'))} / "
                  f"{f1(p['total'].get('p99_ms'))} | {f2(c['server_cores'])} | {f2(c['postgres_cores'])} | "
                  f"{f2(c['client_cores'])} | – | {f2(c['other_cores'])} ({', '.join(c['other_top']) or '–'}) | "
                  f"{' '.join(c['loadavg_after'])} |")
    w("")
    w("## Latency of one log-in (one client)")
    w("")
    one = results["latency"]["anchor_1_thread"]
    w(f"One client, log-ins one after another for {results['latency_s']:g} s per backend, the other backend idle. For "
      f"scale: one verification in one thread takes {f1(one['verify_ms']['p50'])} ms (p50; p99 "
      f"{f1(one['verify_ms']['p99'])} ms; {f1(one['verifications_per_s'])}/s in one thread).")
    w("")
    w("| backend | log-ins | log-in p50 | p99 | GET page p50 | p99 | POST (verify + code) p50 | p99 | errors |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for b in results["backends"]:
        lat = results["latency"][b]
        w(f"| {LABEL[b]} | {lat['completed']} | {f1(lat['total'].get('p50_ms'))} ms | {f1(lat['total'].get('p99_ms'))} ms | "
          f"{f2(lat['get'].get('p50_ms'))} ms | {f2(lat['get'].get('p99_ms'))} ms | {f1(lat['post'].get('p50_ms'))} ms | "
          f"{f1(lat['post'].get('p99_ms'))} ms | {sum(lat['errors'].values())} |")
    w("")
    w("## Where a log-in's time goes")
    w("")
    w(f"CPU per completed log-in (median over rounds, ms of one core), next to one verification in the anchor "
      f"({f2(a_sum['cpu_ms_per_verification'])} ms, of which {f2(a_sum['sys_cpu_ms_per_verification'])} ms in the kernel). On a machine saturated by the clients, the server and the database, "
      "the ratio can be no better than (CPU of one verification) ÷ (all CPU spent per log-in).")
    w("")
    w("| backend | server | of which in the kernel | beyond one verification | PostgreSQL | clients (this script) | other processes | "
      "machine busy | server CPU per page alone |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for b in results["backends"]:
        s = results["summary"][b]
        c = s["cpu_ms_per_login"]
        w(f"| {LABEL[b]} | {f2(c['server'])} | {f2(c['server_sys'])} | {f2(c['server'] - a_sum['cpu_ms_per_verification'])} | {f2(c['postgres'])} | "
          f"{f2(c['client'])} | {f2(c['other'])} | {s['busy_pct_login']:.0f} % | {f2(s['server_cpu_ms_per_page'])} "
          f"(+ {f2(s['postgres_cpu_ms_per_page'])} PostgreSQL) |")
    w("")
    notes = BENCH_DIR / "LOGIN-NOTES.md"
    if notes.exists():
        w(notes.read_text().rstrip())
        w("")
    logs = results.get("server_logs", {})
    if any(v["warn_or_error_lines"] for v in logs.values()):
        w("## Server warnings during the run")
        w("")
        for b, v in logs.items():
            for line in v["first"]:
                w(f"- {LABEL[b]}: `{line[:300]}`")
        w("")
    w("## Reproduce")
    w("")
    w("```sh")
    w(results["command"])
    w("```")
    w("")
    for b, cmds in results.get("commands", {}).items():
        w(f"{LABEL[b]}:")
        w("")
        w("```sh")
        for c in cmds:
            w(c)
        w("```")
        w("")
    return "\n".join(lines)


def interrupted(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated subset of sqlite,postgres")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", type=float, default=10.0, help="seconds of the anchor and of each log-in phase per round")
    p.add_argument("--page-duration", type=float, default=4.0, help="seconds of the page-only phase per backend and round")
    p.add_argument("--latency-seconds", type=float, default=10.0, help="seconds of one-client log-ins per backend")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds of log-ins per backend before the rounds")
    p.add_argument("--clients", type=int, default=2 * CPUS, help="concurrent clients (default 2 x cores)")
    p.add_argument("--anchor-threads", type=int, default=CPUS, help="threads of the anchor (default: cores)")
    p.add_argument("--users", type=int, help="users per backend (default: enough for at most 10 log-ins each)")
    p.add_argument("--per-ip", type=int, default=25, help="log-ins per client address (the per-IP burst is 30)")
    p.add_argument("--threshold", type=float, default=0.90)
    p.add_argument("--quiet-wait", type=float, default=60.0, help="max seconds to wait for an idle machine before each round (0: don't)")
    p.add_argument("--log", default="warn", help="RUST_LOG of the Tandem processes")
    p.add_argument("--pg-url", default=os.environ.get("TANDEM_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--work-dir", help="keep the data directories and server logs there (default: a temp dir, removed)")
    p.add_argument("--report", default=str(BENCH_DIR / "LOGIN-REPORT.md"))
    p.add_argument("--results", default=str(BENCH_DIR / "LOGIN-REPORT.results.json"),
                   help="where the committed copy of the results goes")
    p.add_argument("--report-only", metavar="RESULTS_JSON", help="only re-render the report from a results file")
    args = p.parse_args()

    if args.report_only:
        Path(args.report).write_text(render(json.loads(Path(args.report_only).read_text())) + "\n")
        log(f"report: {args.report}")
        return
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(args.backends) - set(BACKENDS)
    if unknown or not args.backends:
        sys.exit(f"unknown backends: {', '.join(sorted(unknown))} (known: {', '.join(BACKENDS)})")
    if args.per_ip < 1 or args.per_ip >= 30:
        sys.exit("--per-ip must be 1..29: the per-IP limit allows a burst of 30")
    if "postgres" in args.backends and subprocess.run(["psql", args.pg_url, "-qAtc", "select 1"], capture_output=True).returncode != 0:
        sys.exit(f"PostgreSQL is not reachable at {args.pg_url} (--backends sqlite skips it)")
    binary = ensure_tandem()
    bound = ensure_bound()
    # SIGTERM stops the run like Ctrl-C: the servers stop and the databases are dropped.
    signal.signal(signal.SIGTERM, interrupted)
    results = run(args, binary, bound)

    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(results, indent=2)
    (RESULTS_DIR / f"login-{stamp}.json").write_text(text)
    (RESULTS_DIR / "login-latest.json").write_text(text)
    Path(args.results).write_text(text + "\n")
    Path(args.report).write_text(render(results) + "\n")
    for b in results["backends"]:
        s = results["summary"][b]
        print(f"{'PASS' if s['pass'] else 'FAIL'} {b}: {s['median_logins_per_s']:.1f} log-ins/s = {pct(s['median_ratio'])} of "
              f"{results['anchor_summary']['median_per_s']:.1f} argon2id verifications/s (threshold {pct(args.threshold)}), "
              f"{s['errors']} errors")
    log(f"results: {RESULTS_DIR / f'login-{stamp}.json'}, {args.results}; report: {args.report}")


if __name__ == "__main__":
    main()
