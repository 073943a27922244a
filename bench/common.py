"""Helpers the benchmark programs (run.py, sync.py, login.py) share."""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import time
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
