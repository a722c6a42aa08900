"""Benchmark: an office's case list (first page and page 1,000, keyset) and its overdue queue.

    python bench/case_list.py [--cases N[,N...]] [--database sqlite|postgresql|both]
        [--postgres-url URL] [--repeat R]

For each database and each size N, in a subprocess of its own (Django reads its settings once
per process): migrates a fresh database, loads regions and rules, seeds the demo world, creates a
Bawaslu office for every province and regency/city, then bulk-loads N cases spread over all
514 regencies and cities (``executemany`` on SQLite, ``COPY`` on PostgreSQL; not timed in the
results): states drawn from the workflow, one in six closed, due dates around today so that
about a third of the open ones are overdue. It then times the real code path
(``netral.cases.queries``) R times per query with the scopes officers have:

- a regency/city Bawaslu office (64.02) and a province office (64) and the national reviewing
  agency: the first page of 25, newest first, and page 1,000 by keyset (the cursor of row 25,000
  is found once, outside the timing);
- the same lists filtered by state;
- each one's overdue queue (the office's own move, oldest deadline first, 25 rows).

It prints p50 and p95 in milliseconds against the target of the issue: p95 under 30 ms,
independent of the total number of cases (run two sizes: ``--cases 100000,1000000``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    DEFAULT_POSTGRES_URL,
    database,
    log,
    machine_load,
    percentile,
    report,
    run_child,
)

TARGET_MS = 30.0
PAGE = 25
COLUMNS = [
    "number", "state", "holder", "office_id", "region_id", "province_code", "regency_code",
    "election_id", "agency_id", "accused_name", "act_date", "registration", "registered_by_id",
    "registered_at", "track", "rule_versions", "due_date", "warnings_sent", "state_event",
    "imported", "version",
]  # fmt: skip


def _insert(vendor: str, table: str, columns: list[str], rows: Any) -> None:
    from django.db import connection

    if vendor == "sqlite":
        marks = ", ".join(["?"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        connection.connection.executemany(sql, rows)
        return
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _seed(vendor: str, cases: int, seed: int) -> float:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from netral.accounts.models import User
    from netral.cases.workflow import STATES
    from netral.demo.seed import seed as seed_demo
    from netral.regions.models import Region
    from netral.registry.models import Office
    from netral.rules.models import Election

    call_command("migrate", verbosity=0)
    call_command("load_regions", verbosity=0)
    call_command("load_rules", verbosity=0)
    seed_demo()
    start = time.perf_counter()
    regions = list(Region.objects.filter(level__lte=2).order_by("code"))
    existing = set(Office.objects.values_list("region_id", flat=True))
    Office.objects.bulk_create(
        [
            Office(
                code=f"BAWASLU-{r.code}",
                name=f"Bawaslu {r.name}",
                kind="bawaslu",
                level="province" if r.level == 1 else "regency_city",
                region=r,
            )
            for r in regions
            if r.code not in existing
        ]
    )
    office_of = dict(Office.objects.filter(kind="bawaslu").values_list("region_id", "pk"))
    regencies = [r.code for r in regions if r.level == 2]
    election = Election.objects.get(slug="pilkada-2024")
    officer = User.objects.get(username="bawaslu.kukar").pk
    rng = random.Random(seed)
    states = list(STATES)
    open_states = [s for s in states if not STATES[s].terminal]
    closed_states = [s for s in states if STATES[s].terminal]
    now = timezone.now()
    today = timezone.localdate()
    json_empty = "{}"

    def rows() -> Any:
        for i in range(cases):
            regency = regencies[i % len(regencies)]
            closed = rng.random() < 1 / 6
            state = rng.choice(closed_states if closed else open_states)
            holder = STATES[state].holder
            due = None if closed else today + timedelta(days=rng.randint(-20, 40))
            yield (
                f"B/{i:08d}", state, holder, office_of[regency], regency, regency[:2], regency,
                election.pk, None, f"ASN {i}", today - timedelta(days=30), json_empty, officer,
                now, "", json_empty, due, 0, 1, False, 1,
            )  # fmt: skip

    with transaction.atomic():
        _insert(vendor, "cases_case", COLUMNS, rows())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - start


def _time(fn: Any, repeat: int) -> tuple[float, float, int]:
    fn()  # warm-up
    samples = []
    size = 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), percentile(samples, 0.95), size


def _measure(vendor: str, cases: int, args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from netral.cases.queries import (
        CaseFilter,
        filtered,
        overdue_queue,
        page_newest_first,
        visible_cases,
    )
    from netral.core.scope import Scope

    log(f"{vendor}: seeding {cases:,} cases")
    seconds = _seed(vendor, cases, args.seed)
    log(f"{vendor}: seeded in {seconds:.1f} s")
    scopes = {
        "regency 64.02": (
            Scope(region_codes=frozenset({"64.02"}), capabilities=frozenset({"cases.view"})),
            "bawaslu",
        ),
        "province 64": (
            Scope(region_codes=frozenset({"64"}), capabilities=frozenset({"cases.view"})),
            "bawaslu",
        ),
        "national": (Scope(national=True, capabilities=frozenset({"cases.view"})), "reviewer"),
    }
    rows: list[dict[str, Any]] = []
    for label, (scope, holder) in scopes.items():
        queryset = visible_cases(scope).select_related("office", "election")
        total = queryset.count()
        deep = queryset.order_by("-id").values_list("id", flat=True)[PAGE * 999 : PAGE * 999 + 1]
        cursor = deep[0] + 1 if deep else None
        by_state = filtered(queryset, CaseFilter(state="under_study"))
        checks = {
            "first page": lambda q=queryset: len(page_newest_first(q, after=None, size=PAGE)[0]),
            "page 1,000": lambda q=queryset, c=cursor: len(
                page_newest_first(q, after=c, size=PAGE)[0]
            ),
            "state filter": lambda q=by_state: len(page_newest_first(q, after=None, size=PAGE)[0]),
            "overdue queue": lambda s=scope, h=holder: len(
                list(overdue_queue(s, h).select_related("office")[:PAGE])
            ),
        }
        for name, fn in checks.items():
            if name == "page 1,000" and cursor is None:
                continue
            p50, p95, size = _time(fn, args.repeat)
            rows.append(
                {"scope": label, "cases": total, "query": name, "p50": p50, "p95": p95,
                 "rows": size}
            )  # fmt: skip
    return {"database": vendor, "total": cases, "seed_seconds": seconds, "rows": rows}


def print_table(results: list[dict[str, Any]]) -> bool:
    ok = True
    header = (
        f"{'database':<11} {'total':>10} {'scope':<14} {'in scope':>9} {'query':<14} "
        f"{'p50 ms':>7} {'p95 ms':>7}  target"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        if "error" in r:
            print(f"{r['database']:<11} {r['total']:>10,} {r['error']}")
            ok = False
            continue
        for row in r["rows"]:
            met = "met" if row["p95"] < TARGET_MS else "MISSED"
            print(
                f"{r['database']:<11} {r['total']:>10,} {row['scope']:<14} {row['cases']:>9,} "
                f"{row['query']:<14} {row['p50']:>7.2f} {row['p95']:>7.2f}  "
                f"< {TARGET_MS:.0f} ms {met}"
            )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", default="1000000", help="one size or several, comma-separated")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    )
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--_child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = [int(n) for n in str(args.cases).split(",") if n.strip()]
    if args._child:
        with database(args._child, args.postgres_url):
            report(_measure(args._child, sizes[0], args))
        return 0
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    load_before = machine_load()
    results: list[dict[str, Any]] = []
    for vendor in databases:
        for size in sizes:
            arguments = [
                f"--cases={size}",
                f"--postgres-url={args.postgres_url}",
                f"--repeat={args.repeat}",
                f"--seed={args.seed}",
            ]
            result = run_child(__file__, vendor, arguments)
            result.setdefault("total", size)
            results.append(result)
    print()
    print(f"Case list benchmark: {', '.join(f'{n:,}' for n in sizes)} cases; {args.repeat} runs")
    print(f"machine: {os.cpu_count()} CPUs; {load_before} before, {machine_load()} after")
    print()
    ok = print_table(results)
    print()
    for r in results:
        if "seed_seconds" in r:
            print(f"{r['database']} {r['total']:,}: loaded in {r['seed_seconds']:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
