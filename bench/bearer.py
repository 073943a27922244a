#!/usr/bin/env python3
"""What a user's token costs on a BaaS read (issue 11's acceptance: the p50 of a call with
`Authorization: Bearer <user access token>` at most 50 µs above the p50 of the same call with
`Authorization: Basic` and the API key).

The anchor is Tandem itself with the super admin's credentials: the only difference between the
two calls is who is calling. Per backend, a release `tandem serve` (fresh SQLite data directory,
or a fresh PostgreSQL database pair) gets one tenant and one user (`createUser`), the user's
access token as `@roq/nodejs`'s `createUserToken` gets it (`POST /v01/authorize`), and waits
until the user is on the BaaS. Then one client reads the same row both ways:

  GET /api/model/user/findUnique?q={"where":{"id":"<the user>"}}
      Authorization: Basic base64(environmentId:apiKey)   -> the super admin, no rules
      Authorization: Bearer <the user's access token>     -> the user: token checked (Ed25519
                                                             signature, expiry, environment),
                                                             the user's synced row read (active,
                                                             tenant), the read ANDed with the
                                                             user's rule

Each kind has its own keep-alive connection; the requests alternate Basic/Bearer, so any drift
of the shared machine hits both alike. After a warm-up, --pairs pairs are timed; the report has
p50/p90/p99 of each kind, the difference of the p50s (the verdict) and the median of the paired
differences. Then --cold fresh tokens each make one call (2 s apart, so nothing about the
caller is remembered), timed beside a Basic call: the first-call cost. The client and the server share the machine's cores; a single client keeps the
server's work serial, so the difference is the server's extra work per call.

Writes bench/results/bearer-<timestamp>.json (not committed), bench/BEARER-REPORT.results.json and
bench/BEARER-REPORT.md. Standard library only; see bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from common import Server, ensure_tandem, log, machine_info, output, percentile, summarize_ms

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
BACKENDS = ("sqlite", "postgres")
BAR_US = 50.0


def service_token(server: Server) -> str:
    return server.post_json("/v01/authorize/serviceAccount",
                            {"environmentId": server.env_id, "apiKey": server.api_key}, {})["accessToken"]


def user_token(server: Server, service: str, user_id: str) -> str:
    """A fresh access token for the user, as `@roq/nodejs`'s `createUserToken` gets it."""
    return server.post_json("/v01/authorize", {"environmentId": server.env_id, "apiKey": server.api_key, "userId": user_id},
                            {"roq-platform-authorization": f"Bearer {service}"})["accessToken"]


def setup(server: Server) -> tuple[str, str]:
    """One user on both halves; their id and access token."""
    service = service_token(server)
    headers = {"roq-platform-server-authorization": server.basic, "roq-platform-authorization": f"Bearer {service}"}
    created = server.post_json("/v01/server/graphql", {
        "query": "mutation($u: UserCreateDto!) { createUser(user: $u) { id } }",
        "variables": {"u": {"email": "bearer-bench@example.com", "firstName": "Bench", "reference": "bearer-bench"}},
    }, headers)
    if created.get("errors"):
        raise RuntimeError(f"createUser: {created['errors']}")
    user_id = created["data"]["createUser"]["id"]
    return user_id, user_token(server, service, user_id)


def read(conn: http.client.HTTPConnection, path: str, authorization: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers={"Authorization": authorization})
    r = conn.getresponse()
    return r.status, r.read()


def measure(server: Server, pairs: int, warmup: int, cold: int) -> dict:
    user_id, token = setup(server)
    q = urllib.parse.quote(json.dumps({"where": {"id": user_id}}, separators=(",", ":")))
    path = f"/api/model/user/findUnique?q={q}"
    kinds = {"basic": server.basic, "bearer": f"Bearer {token}"}
    conns = {k: http.client.HTTPConnection("127.0.0.1", server.port, timeout=30) for k in kinds}
    deadline = time.time() + 30
    while True:  # the user reaches the BaaS by sync
        status, body = read(conns["bearer"], path, kinds["bearer"])
        if status == 200 and json.loads(body).get("data"):
            break
        if time.time() > deadline:
            raise RuntimeError(f"the user never became readable with their token: {status} {body[:300]!r}")
        time.sleep(0.05)
    answers = {k: read(c, path, kinds[k]) for k, c in conns.items()}
    if answers["basic"] != answers["bearer"]:
        raise RuntimeError(f"the two callers read different answers: {answers}")
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for i in range(warmup + pairs):
        order = ("basic", "bearer") if i % 2 == 0 else ("bearer", "basic")
        for k in order:
            t0 = time.perf_counter()
            status, _ = read(conns[k], path, kinds[k])
            t1 = time.perf_counter()
            if status != 200:
                raise RuntimeError(f"{k} read answered {status}")
            if i >= warmup:
                times[k].append(t1 - t0)
    # A token's first call: verified (Ed25519) and the user's row read, nothing remembered yet.
    # Each fresh token is used once, more than 2 s after the last row read, beside a Basic call.
    service = service_token(server)
    first: list[float] = []
    first_basic: list[float] = []
    for i in range(cold):
        token = user_token(server, service, user_id)
        time.sleep(2.1)  # longer than the BaaS remembers a caller's row (caller::USER_MEMORY)
        # Wake the idle server and connections first (untimed), then alternate the order.
        for k in kinds:
            read(conns[k], path, kinds[k])
        both = [("basic", kinds["basic"]), ("bearer", f"Bearer {token}")]
        for k, auth in (both if i % 2 == 0 else both[::-1]):
            t0 = time.perf_counter()
            status, _ = read(conns[k], path, auth)
            t1 = time.perf_counter()
            if status != 200:
                raise RuntimeError(f"first {k} read answered {status}")
            (first if k == "bearer" else first_basic).append(t1 - t0)
    for c in conns.values():
        c.close()
    paired = sorted((b - a) * 1e6 for a, b in zip(times["basic"], times["bearer"]))
    first_paired = sorted((b - a) * 1e6 for a, b in zip(first_basic, first))
    basic, bearer = summarize_ms(times["basic"], 4), summarize_ms(times["bearer"], 4)
    return {
        "basic": basic,
        "bearer": bearer,
        "p50_overhead_us": round((bearer["p50_ms"] - basic["p50_ms"]) * 1000, 1),
        "paired_median_us": round(percentile(paired, 50), 1),
        "paired_mean_us": round(statistics.mean(paired), 1),
        "first_call": {"n": len(first), "bearer": summarize_ms(first, 4), "basic": summarize_ms(first_basic, 4),
                       "paired_median_us": round(percentile(first_paired, 50), 1)},
    }


def render(results: dict) -> str:
    lines = [
        "# Bearer vs Basic on a BaaS read",
        "",
        "Generated by `bench/bearer.py`; do not edit by hand. What it measures and how: the",
        "docstring of `bench/bearer.py`.",
        "",
        f"- **Run:** {results['started']} → {results['finished']} UTC, `{results['command']}`",
    ]
    m = results["machine"]
    lines.append(f"- **Machine:** {m['cpu']}, {m['cpus']} vCPUs, {m['memory_gib']} GiB, {m['os']}, kernel {m['kernel']}; "
                 f"load average at start {' '.join(m['loadavg_at_start'])}")
    if results.get("postgres"):
        lines.append(f"- **PostgreSQL:** {results['postgres']}")
    lines += [
        f"- **Timed:** {results['pairs']} pairs per backend after {results['warmup']} warm-up pairs, one client, "
        "alternating order.",
        "",
        f"| backend | Basic p50 | Bearer p50 | Basic p99 | Bearer p99 | p50 overhead | median paired overhead | bar ({BAR_US:.0f} µs) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for backend, r in results["backends"].items():
        verdict = "PASS" if r["p50_overhead_us"] <= BAR_US else "FAIL"
        lines.append(
            f"| {backend} | {r['basic']['p50_ms'] * 1000:.0f} µs | {r['bearer']['p50_ms'] * 1000:.0f} µs "
            f"| {r['basic']['p99_ms'] * 1000:.0f} µs | {r['bearer']['p99_ms'] * 1000:.0f} µs "
            f"| {r['p50_overhead_us']:.1f} µs | {r['paired_median_us']:.1f} µs | {verdict} |")
    lines += [
        "",
        "The overhead is the server's work for a user caller. The BaaS verifies a token's Ed25519",
        "signature once and remembers it (at most a minute, never past its expiry), and re-reads the",
        "user's synced row (active, tenant) at the latest every 2 s or as soon as sync changes it",
        "(`crates/baas/src/caller.rs`); what every call pays is those lookups and the rule ANDed",
        "into the read. A token's first call pays the verification and the row read as well:",
        "",
        "| backend | first calls | Basic p50 | Bearer first-call p50 | median paired overhead |",
        "|---|---:|---:|---:|---:|",
    ]
    for backend, r in results["backends"].items():
        f = r.get("first_call")
        if f:
            lines.append(f"| {backend} | {f['n']} | {f['basic']['p50_ms'] * 1000:.0f} µs | {f['bearer']['p50_ms'] * 1000:.0f} µs "
                         f"| {f['paired_median_us']:.1f} µs |")
    lines += [
        "",
        "Latencies include the client's HTTP round trip on loopback, the same for both kinds.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backends", default=",".join(BACKENDS))
    p.add_argument("--pairs", type=int, default=5000)
    p.add_argument("--warmup", type=int, default=500)
    p.add_argument("--cold", type=int, default=20, help="fresh tokens whose first call is timed (2 s apart)")
    p.add_argument("--pg-url", default=os.environ.get("TANDEM_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--report-only", metavar="RESULTS_JSON", help="only re-render the report from a results file")
    args = p.parse_args()
    if args.report_only:
        results = json.loads(Path(args.report_only).read_text())
    else:
        backends = [b for b in args.backends.split(",") if b]
        binary = ensure_tandem()
        results = {
            "started": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
            "command": "python3 bench/bearer.py " + " ".join(sys.argv[1:]),
            "machine": machine_info(),
            "pairs": args.pairs,
            "warmup": args.warmup,
            "backends": {},
        }
        if "postgres" in backends:
            results["postgres"] = output(["psql", args.pg_url, "-qAtc", "show server_version"])
        with tempfile.TemporaryDirectory(prefix="tandem-bearer-") as work:
            for backend in backends:
                server = Server(backend, binary, Path(work), args.pg_url, "warn")
                try:
                    server.start()
                    log(f"{backend}: measuring {args.pairs} pairs")
                    results["backends"][backend] = measure(server, args.pairs, args.warmup, args.cold)
                    log(f"{backend}: {results['backends'][backend]}")
                finally:
                    server.stop()
                    server.cleanup()
        results["finished"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        RESULTS_DIR.mkdir(exist_ok=True)
        stamp = results["started"].replace(" ", "T").replace(":", "")
        (RESULTS_DIR / f"bearer-{stamp}.json").write_text(json.dumps(results, indent=2))
        (BENCH_DIR / "BEARER-REPORT.results.json").write_text(json.dumps(results, indent=2) + "\n")
    (BENCH_DIR / "BEARER-REPORT.md").write_text(render(results))
    log(f"wrote {BENCH_DIR / 'BEARER-REPORT.md'}")


if __name__ == "__main__":
    main()
