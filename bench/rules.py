#!/usr/bin/env python3
"""Access rules benchmark: Tandem's BaaS called with a user's access token (a role's
permissions: read the tenant's posts, create one's own) against PocketBase called with a
user's auth token (listRule/viewRule `author.tenant = @request.auth.tenant`, createRule
`author = @request.auth.id`), side by side, plus each one's super admin on the same data, so
the cost of the rules shows.

Same machinery as bench/run.py (rounds that visit every variant, order reversed every other
round; sequential latency and wrk throughput; bodies checked; row counts after the creates).
Cases:
  a  filtered list, 20 rows: views > 500, ordered by views, only the caller's tenant's posts
  b  single-row create of one's own post

Target (issue 10): Tandem >= 2x PocketBase on both, with rules on both sides.
Writes bench/RULES-REPORT.md and bench/RULES-REPORT.results.json. Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import run
from common import ensure_tandem, log, machine_info, output

BENCH_DIR = Path(__file__).resolve().parent
SCHEMA = BENCH_DIR / "rules.prisma"
TENANTS = 10
CALLER = 7  # the index of the user both systems are called as
PASSWORD = "member-password-1"

run.CASE_ORDER = ["a", "b"]


def make_people(n_users: int, n_posts: int, seed: int = 7):
    """Users (index → tenant index) and posts (title, views, …, author index)."""
    rng = random.Random(seed)
    users = [i % TENANTS for i in range(n_users)]
    posts = [
        {
            "title": f"Post {i} {rng.choice(run.WORDS)}",
            "views": rng.randrange(0, 1000),
            "published": rng.random() < 0.5,
            "score": round(rng.random() * 100, 3),
            "author": rng.randrange(n_users),
        }
        for i in range(n_posts)
    ]
    return users, posts


class RulesTandem(run.Tandem):
    """Tandem with bench/rules.prisma; users and tenants on its Platform."""

    def _gql(self, c: run.Client, query: str, variables: dict) -> dict:
        out = c.json("POST", "/v01/server/graphql", {"query": query, "variables": variables})
        if out.get("errors"):
            raise RuntimeError(f"GraphQL: {out['errors']}")
        return out["data"]

    def load(self, people, posts, batch: int) -> None:
        users, _ = people
        admin = run.Client(self.port, self.auth)
        token = admin.json(
            "POST",
            "/v01/authorize/serviceAccount",
            {"email": "project-service-account@roq.tech", "environmentId": self.environment_id, "apiKey": self.api_key},
        )["accessToken"]
        gql = run.Client(self.port, None)
        gql.headers["roq-platform-authorization"] = f"Bearer {token}"
        gql.headers["roq-platform-server-authorization"] = self.auth
        self._gql(
            gql,
            "mutation($r: RoleCreateDto!) { createRole(role: $r) { id } }",
            {"r": {"key": "member", "name": "Member", "isSystemManaged": False, "permissionAssignments": [
                {"operation": "read", "scope": "tenant", "projectEntityId": "post"},
                {"operation": "create", "scope": "own", "projectEntityId": "post"},
            ]}},
        )
        tenant_ids = [
            self._gql(gql, "mutation($t: TenantCreateDto!) { createTenant(tenant: $t) { id } }", {"t": {"name": f"Tenant {t}"}})["createTenant"]["id"]
            for t in range(TENANTS)
        ]
        self.user_ids = []
        for i, t in enumerate(users):
            user = self._gql(
                gql,
                "mutation($u: UserCreateDto!) { createUser(user: $u) { id } }",
                {"u": {"email": f"member{i}@bench.example", "reference": f"m{i}", "tenantId": tenant_ids[t], "roles": ["member"]}},
            )["createUser"]
            self.user_ids.append(user["id"])
        self.user_tenant = {self.user_ids[i]: t for i, t in enumerate(users)}
        # Wait until sync has put every user on the BaaS.
        deadline = time.time() + 120
        while time.time() < deadline:
            status = admin.json("GET", "/sync/v1/status")
            if all(d["pending"] == 0 and d["failed"] == 0 for d in status["directions"]):
                break
            time.sleep(0.2)
        else:
            sys.exit("Tandem's sync did not deliver the users in 2 minutes")
        user_token = gql.json(
            "POST",
            "/v01/authorize",
            {"environmentId": self.environment_id, "apiKey": self.api_key, "userId": self.user_ids[CALLER]},
            expect=(200, 201),
        )
        self.user_auth = f"Bearer {user_token['accessToken']}"
        for i in range(0, len(posts), batch):
            rows = [
                {"title": p["title"], "views": p["views"], "published": p["published"], "score": p["score"], "author_id": self.user_ids[p["author"]]}
                for p in posts[i : i + batch]
            ]
            out = admin.json("POST", "/api/model/post/createMany", {"data": rows})
            assert out["data"]["count"] == len(rows), out
        admin.close()
        gql.close()

    def case_request(self, case: str):
        if case == "a":
            q = {"where": {"views": {"gt": run.LIST_WHERE_MIN}}, "orderBy": {"views": "asc"}, "take": 20}
            return "GET", f"/api/model/post/findMany?q={self._q(q)}", None
        if case == "b":
            row = {**run.CREATE_ROW, "author_id": self.user_ids[CALLER]}
            return "POST", "/api/model/post/create", json.dumps({"data": row})
        raise KeyError(case)

    def check_case(self, case: str, status: int, raw: bytes) -> None:
        super().check_case(case, status, raw)
        if case == "a":
            rows = json.loads(raw)["data"]
            # Super admin or user, the rows are all there; the user sees only their tenant's.
            self.tenants_seen = {self.user_tenant[r["author_id"]] for r in rows}


class RulesPocketBase(run.PocketBase):
    """PocketBase with a `members` auth collection and rules on `posts`."""

    def _setup_collections(self) -> None:
        c = run.Client(self.port, self.auth)
        self._settings(c)
        members = c.json(
            "POST",
            "/api/collections",
            {"name": "members", "type": "auth", "fields": [{"name": "tenant", "type": "text", "required": True}], "passwordAuth": {"enabled": True, "identityFields": ["email"]}},
        )
        rule = "author.tenant = @request.auth.tenant"
        rules = {"listRule": rule, "viewRule": rule, "createRule": "author = @request.auth.id"}
        c.json("POST", "/api/collections", self.posts_collection(members["id"], rules))
        c.close()

    def load(self, people, posts, batch: int) -> None:
        users, _ = people
        c = run.Client(self.port, self.auth)
        self.user_ids = [f"mb{i:013d}" for i in range(len(users))]
        self.user_tenant = {self.user_ids[i]: t for i, t in enumerate(users)}
        members = [
            {"id": self.user_ids[i], "email": f"member{i}@bench.example", "password": PASSWORD, "passwordConfirm": PASSWORD, "tenant": f"t{t}"}
            for i, t in enumerate(users)
        ]
        # Small batches: each member's password is hashed.
        self.create_batches(c, "members", members, 50)
        rows = [{**{k: v for k, v in p.items() if k != "author"}, "author": self.user_ids[p["author"]]} for p in posts]
        self.create_batches(c, "posts", rows, batch)
        anon = run.Client(self.port, None)
        out = anon.json("POST", "/api/collections/members/auth-with-password", {"identity": f"member{CALLER}@bench.example", "password": PASSWORD})
        anon.close()
        self.user_auth = out["token"]
        c.close()

    def case_request(self, case: str):
        base = "/api/collections/posts/records"
        if case == "a":
            q = f"filter={urllib.parse.quote(f'(views>{run.LIST_WHERE_MIN})')}&sort=views&perPage=20&skipTotal=1"
            return "GET", f"{base}?{q}", None
        if case == "b":
            return "POST", base, json.dumps({**run.CREATE_ROW, "author": self.user_ids[CALLER]})
        raise KeyError(case)

    def check_case(self, case: str, status: int, raw: bytes) -> None:
        super().check_case(case, status, raw)
        if case == "a":
            self.tenants_seen = {self.user_tenant[r["author"]] for r in json.loads(raw)["items"]}


class AsUser(run.Variant):
    """A system called with its user's token; checks the list holds only the caller's tenant."""

    @property
    def auth(self) -> str | None:
        return self.system.user_auth


def check_scoping(variants) -> list[str]:
    """One list request per variant: users see their tenant only, super admins every tenant."""
    problems = []
    for v in variants:
        method, path, _ = v.system.case_request("a")
        c = run.Client(v.system.port, v.auth)
        status, raw = c.request(method, path)
        c.close()
        v.system.check_case("a", status, raw)
        seen = v.system.tenants_seen
        want_user = isinstance(v, AsUser)
        if want_user and seen != {CALLER % TENANTS}:
            problems.append(f"{v.label}: the user's list holds tenants {sorted(seen)}, not only {CALLER % TENANTS}")
        if not want_user and len(seen) < 2:
            problems.append(f"{v.label}: the super admin's list holds only tenants {sorted(seen)}")
    return problems


def paired(cases: dict, a: str, b: str, case: str) -> tuple[float, float]:
    """Median and worst of the per-round throughput ratios a/b."""
    ra = [r["concurrent"]["rps"] for r in cases[a][case]["rounds"]]
    rb = [r["concurrent"]["rps"] for r in cases[b][case]["rounds"]]
    ratios = [x / y for x, y in zip(ra, rb)]
    return statistics.median(ratios), min(ratios)


def write_report(results: dict, path: Path) -> None:
    cases = results["cases"]
    labels = {v["name"]: v["label"] for v in results["variants"]}
    out = ["# Access rules: Tandem vs PocketBase — benchmark report", ""]
    out.append(f"Generated by `bench/rules.py` on {results['started']} UTC (finished {results['finished']}); raw numbers in `bench/RULES-REPORT.results.json`.")
    out += ["", "## Verdict", ""]
    out.append("Target (issue 10): with rules on both sides (each called with a user's token), Tandem serves at least **2×** PocketBase's throughput on the filtered list and on create, judged on the median of the per-round ratios, with zero errors and the user's list holding only the user's tenant.")
    out += ["", "| | (a) filtered list, tenant-scoped | (b) create own post |", "|---|---:|---:|"]
    verdicts = []
    row = ["Tandem SQLite (user) / PocketBase (user)"]
    for case in ("a", "b"):
        med, worst = paired(cases, "tandem-user", "pocketbase-user", case)
        verdicts.append(med >= 2.0)
        row.append(f"**{med:.2f}×** (worst {worst:.2f}×)")
    out.append("| " + " | ".join(row) + " |")
    errors = {labels[n]: sum(cases[n][c]["errors"] for c in cases[n]) for n in cases}
    met = all(verdicts) and not any(errors.values()) and not results["scoping_problems"] and all(r["ok"] for r in results["row_checks"])
    out += ["", f"**The target is {'met' if met else 'NOT met'}.** Errors: " + ", ".join(f"{k} {v}" for k, v in errors.items()) + "."]
    if results["scoping_problems"]:
        out += ["", "Scoping problems:"] + [f"- {p}" for p in results["scoping_problems"]]
    out += ["", "## What the rules cost", "", "Each system with its rules (user token) against itself without them (super admin), same data, same run:", ""]
    out += ["| | (a) list | (b) create |", "|---|---:|---:|"]
    for user, admin in (("tandem-user", "tandem-admin"), ("pocketbase-user", "pocketbase-admin")):
        cells = []
        for case in ("a", "b"):
            med, _ = paired(cases, user, admin, case)
            p50u = cases[user][case]["sequential"]["p50_us"]
            p50a = cases[admin][case]["sequential"]["p50_us"]
            cells.append(f"{med:.2f}× the throughput; p50 {p50u / 1000:.2f} ms vs {p50a / 1000:.2f} ms")
        out.append(f"| {labels[user]} vs {labels[admin]} | " + " | ".join(cells) + " |")
    out += ["", "## Numbers (median round)", "", "| variant | case | req/s (median of rounds) | rounds | seq p50 | seq p99 | errors |", "|---|---|---:|---|---:|---:|---:|"]
    for name in cases:
        for case in ("a", "b"):
            s = cases[name][case]
            out.append(
                f"| {labels[name]} | {case} | {s['rps_median']:.0f} | {', '.join(f'{x:.0f}' for x in s['rps_rounds'])} | "
                f"{s['sequential']['p50_us'] / 1000:.2f} ms | {s['sequential']['p99_us'] / 1000:.2f} ms | {s['errors']} |"
            )
    m = results["machine"]
    out += ["", "## Machine and method", ""]
    out.append(f"- {json.dumps(m)}")
    out.append(f"- Versions: {json.dumps(results['versions'])}")
    out.append(f"- Data: {results['config']['users']} users in {TENANTS} tenants, {results['config']['posts']} posts (views in [0, 999], an index on views), loaded by each system's super admin; Tandem's users and tenants are created on its Platform and synced to the BaaS, with the role `member` (post: read tenant, create own); PocketBase's in an auth collection with a `tenant` field.")
    out.append(f"- The caller is user {CALLER} (tenant {CALLER % TENANTS}): Tandem with the access token `POST /v01/authorize` issues, PocketBase with the token of `auth-with-password`.")
    out.append(f"- {results['config']['rounds']} rounds per case; each: {results['config']['seq']} sequential requests on one keep-alive connection, then wrk with {results['config']['connections']} connections for {results['config']['duration']} s. Order reversed every other round.")
    out.append(f"- Command: `{results['command']}`")
    path.write_text("\n".join(out) + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--posts", type=int, default=100_000)
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seq", type=int, default=1_000)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--duration", type=int, default=8)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--settle", type=float, default=2.0)
    p.add_argument("--batch", type=int, default=1000)
    p.add_argument("--quiet-wait", type=float, default=run.QUIET_MAX_WAIT)
    p.add_argument("--report", default=str(BENCH_DIR / "RULES-REPORT.md"))
    args = p.parse_args()
    args.tandem_batch = args.pb_batch = args.batch

    args.wrk = run.ensure_wrk()
    pb_bin = run.ensure_pocketbase()
    tandem_bin = ensure_tandem()
    started = dt.datetime.now(dt.timezone.utc)
    out_dir = BENCH_DIR / "results" / f"rules-{started.strftime('%Y%m%dT%H%M%SZ')}"
    out_dir.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="tandem-rules-bench-"))
    results: dict = {
        "started": started.strftime("%Y-%m-%d %H:%M"),
        "command": " ".join(["python3", "bench/rules.py"] + sys.argv[1:]),
        "machine": machine_info(),
        "config": {k: v for k, v in vars(args).items() if k != "wrk"},
        "versions": {
            "tandem": output([tandem_bin, "--version"]),
            "tandem_git": output(["git", "-C", str(run.REPO), "rev-parse", "--short", "HEAD"]),
            "pocketbase": output([pb_bin, "--version"]),
        },
    }
    people = make_people(args.users, args.posts)
    tandem = RulesTandem(work, tandem_bin, schema=SCHEMA)
    pocketbase = RulesPocketBase(work, pb_bin)
    systems = [tandem, pocketbase]
    variants = [
        AsUser(tandem, "tandem-user", "Tandem SQLite (user, role permissions)"),
        run.Variant(tandem, "tandem-admin", "Tandem SQLite (super admin)"),
        AsUser(pocketbase, "pocketbase-user", "PocketBase (user, collection rules)"),
        run.Variant(pocketbase, "pocketbase-admin", "PocketBase (superuser)"),
    ]
    try:
        for s in systems:
            log(f"{s.label}: starting and loading")
            s.start()
            t0 = time.time()
            s.load(people, people[1], args.batch)
            log(f"{s.label}: loaded in {time.time() - t0:.1f}s")
            assert s.count_posts() == len(people[1])
            time.sleep(args.settle)
        results["scoping_problems"] = check_scoping(variants)
        for p_ in results["scoping_problems"]:
            log(f"SCOPING PROBLEM: {p_}")
        results["cases"] = run.measure(variants, args, out_dir)
        results["row_checks"] = run.check_row_counts(systems, variants, results["cases"], len(people[1]))
    finally:
        for s in systems:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    results["variants"] = [{"name": v.name, "label": v.label, "system": v.system.name} for v in variants]
    results["finished"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    Path(args.report).with_suffix(".results.json").write_text(json.dumps(run.strip_console(results), indent=1))
    write_report(results, Path(args.report))
    log(f"report: {args.report}")


if __name__ == "__main__":
    main()
