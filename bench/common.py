"""Helpers the benchmark programs (run.py, sync.py, login.py) share."""

from __future__ import annotations

import base64
import http.client
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CPUS = os.cpu_count() or 1


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def summarize_ms(values_s: list[float], digits: int = 2) -> dict:
    """Latencies in seconds → their percentiles in milliseconds."""
    v = sorted(x * 1000 for x in values_s)
    if not v:
        return {"n": 0}
    return {
        "n": len(v),
        "p50_ms": round(percentile(v, 50), digits),
        "p90_ms": round(percentile(v, 90), digits),
        "p99_ms": round(percentile(v, 99), digits),
        "max_ms": round(v[-1], digits),
        "mean_ms": round(statistics.mean(v), digits),
    }


def output(cmd, timeout=30) -> str:
    """A command's standard output, or "" when it cannot run."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def loadavg() -> list[str]:
    return Path("/proc/loadavg").read_text().split()[:3]


def f2(x) -> str:
    return "–" if x is None else f"{x:.2f}"


def target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))


def ensure_tandem() -> str:
    """TANDEM_BIN, or a release build of this checkout."""
    if os.environ.get("TANDEM_BIN"):
        path = Path(os.environ["TANDEM_BIN"]).resolve()
        if not path.is_file():
            sys.exit(f"TANDEM_BIN={path} does not exist")
        return str(path)
    log(f"building Tandem (cargo build --release -p tandem, target dir {target_dir()})")
    subprocess.run(["cargo", "build", "--release", "-p", "tandem"], cwd=REPO, check=True)
    return str(target_dir() / "release" / "tandem")


def machine_info() -> dict:
    """What a report says about the machine it ran on."""
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
        "cpus": CPUS,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "os": os_name,
        "virtualization": output(["systemd-detect-virt"]) or "unknown",
        "python": platform.python_version(),
        "loadavg_at_start": loadavg(),
    }


def wait_health(port: int, path: str, proc: subprocess.Popen, log_path: Path, timeout: float = 120) -> None:
    """Waits until `GET path` answers 200; exits with the end of the server's log when it
    stops or does not become healthy in time."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the server exited ({proc.returncode}); see {log_path}:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            ok = c.getresponse().status == 200
            c.close()
            if ok:
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"the server did not become healthy on {path} within {timeout}s; see {log_path}")


class Server:
    """A release `tandem serve` on a fresh data directory (and, for PostgreSQL, a fresh pair of
    databases, dropped by `cleanup`), with its environment credentials read back."""

    def __init__(self, backend: str, binary: str, work: Path, pg_url: str, log_filter: str):
        self.backend, self.binary, self.pg_url, self.log_filter = backend, binary, pg_url, log_filter
        self.work = work / backend
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.log_path = self.work / "tandem.log"
        self.dbs: list[str] = []
        self.proc: subprocess.Popen | None = None
        self.commands: list[str] = []
        self.port = 0

    def _pg_admin(self, sql: str) -> None:
        subprocess.run(["psql", self.pg_url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], check=True, capture_output=True)

    def _db_url(self, db: str) -> str:
        parsed = urllib.parse.urlsplit(self.pg_url)
        return urllib.parse.urlunsplit(parsed._replace(path="/" + db))

    def start(self) -> None:
        data = self.work / "data"
        self.port = free_port()
        cmd = [self.binary, "serve", "--data-dir", str(data), "--listen", f"127.0.0.1:{self.port}"]
        if self.backend == "postgres":
            stamp = f"{os.getpid()}_{int(time.time())}"
            self.dbs = [f"bench_platform_{stamp}", f"bench_baas_{stamp}"]
            for db in self.dbs:
                self._pg_admin(f'CREATE DATABASE "{db}"')
                self.commands.append(f"psql {self.pg_url} -c 'CREATE DATABASE \"{db}\"'")
            cmd += ["--platform-db", self._db_url(self.dbs[0]), "--baas-db", self._db_url(self.dbs[1])]
        env = {**os.environ, "RUST_LOG": self.log_filter}
        for k in ("TANDEM_ENVIRONMENT_ID", "TANDEM_API_KEY", "TANDEM_SYNC_SECRET", "TANDEM_ONLY", "TANDEM_PEER_URL",
                  "TANDEM_PLATFORM_DB", "TANDEM_BAAS_DB", "TANDEM_DATA_DIR", "TANDEM_SCHEMA", "TANDEM_LISTEN",
                  "TANDEM_PUBLIC_URL"):
            env.pop(k, None)
        self.commands.append(f"RUST_LOG={self.log_filter} {shlex.join(cmd)}")
        self.proc = subprocess.Popen(cmd, env=env, stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT)
        wait_health(self.port, "/health", self.proc, self.log_path)
        creds = json.loads(subprocess.run([self.binary, "credentials", "--data-dir", str(data), "--json"],
                                          check=True, capture_output=True, text=True).stdout)
        self.commands.append(f"{shlex.quote(self.binary)} credentials --data-dir {shlex.quote(str(data))} --json")
        self.env_id, self.api_key = creds["environmentId"], creds["apiKey"]
        self.basic = "Basic " + base64.b64encode(f"{self.env_id}:{self.api_key}".encode()).decode()

    @property
    def pid(self) -> int:
        assert self.proc
        return self.proc.pid

    def check_alive(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            raise RuntimeError(f"tandem ({self.backend}) is not running; see {self.log_path}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def cleanup(self) -> None:
        for db in self.dbs:
            try:
                self._pg_admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            except subprocess.CalledProcessError as e:
                log(f"could not drop {db}: {e.stderr!r}")
        self.dbs = []

    def warnings(self) -> dict:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        lines = text.splitlines()
        bad = [l for l in lines if "WARN" in l or "ERROR" in l or "panic" in l]
        return {"lines": len(lines), "warn_or_error_lines": len(bad), "first": bad[:10]}

    # -- setup through the server API

    def post_json(self, path: str, body: dict, headers: dict) -> dict:
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            c.request("POST", path, body=json.dumps(body).encode(), headers={"Content-Type": "application/json", **headers})
            r = c.getresponse()
            raw = r.read()
        finally:
            c.close()
        if r.status not in (200, 201):
            raise RuntimeError(f"POST {path} -> {r.status}: {raw[:500]!r}")
        return json.loads(raw)
