"""Benchmark: an office's case list (first page and page 1,000, keyset) and its overdue queue.

    python bench/case_list.py [--cases N[,N...]] [--database sqlite|postgresql|both]
        [--postgres-url URL] [--repeat R]

For each database and each size N, in a subprocess of its own (Django reads its settings once
per process): migrates a fresh database, loads regions and rules, seeds the demo world, then
N cases through the shared generator ``netral.insights.seeding.seed_cases`` (the bulk path of
``manage.py seed_bench`` and the other benchmarks; not timed in the results): a Bawaslu
office for every province and regency/city, cases spread over all 514 regencies and cities
and their districts, in every state of the workflow, due dates around today so that about a
third of the open ones are overdue. It then times the real code path
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
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import log, percentile  # noqa: E402

TARGET_MS = 30.0
PAGE = 25
COLUMNS = [
    "number", "state", "holder", "office_id", "region_id", "province_code", "regency_code",
    "election_id", "agency_id", "accused_name", "act_date", "registration", "registered_by_id",
    "registered_at", "track", "rule_versions", "due_date", "warnings_sent", "state_event",
    "imported", "version",
]  # fmt: skip


def _seed(cases: int, seed: int) -> float:
    from django.core.management import call_command

    from netral.demo.seed import seed as seed_demo
    from netral.insights.seeding import seed_cases

    call_command("migrate", verbosity=0)
    call_command("load_regions", verbosity=0)
    call_command("load_rules", verbosity=0)
    seed_demo()
    start = time.perf_counter()
    seed_cases(cases, seed)
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
    seconds = _seed(cases, args.seed)
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
    rows = []
    for r in results:
        if "error" in r:
            rows.append([r["database"], f"{r['total']:,}", r["error"]])
            ok = False
            continue
        for row in r["rows"]:
            rows.append(
                [
                    r["database"],
                    f"{r['total']:,}",
                    row["scope"],
                    f"{row['cases']:,}",
                    row["query"],
                    f"{row['p50']:.2f}",
                    f"{row['p95']:.2f}",
                    "met" if row["p95"] < TARGET_MS else "MISSED",
                ]
            )
    harness.table(
        ["database", "total", "scope", "in scope", "query", "p50 ms", "p95 ms", "target"], rows
    )
    print()
    print(f"target: p95 < {TARGET_MS:.0f} ms, whatever the total")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = harness.parser(__doc__, repeat=50)
    parser.add_argument("--cases", default="1000000", help="one size or several, comma-separated")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    sizes = [int(n) for n in str(args.cases).split(",") if n.strip()]
    if args._child:
        with harness.database(args._child, args.postgres_url):
            harness.report(_measure(args._child, sizes[0], args))
        return 0
    load_before = harness.machine_load()
    results: list[dict[str, Any]] = []
    for vendor in harness.databases(args):
        for size in sizes:
            arguments = [f"--cases={size}", *harness.child_arguments(args, "repeat", "seed")]
            result = harness.run_child(__file__, vendor, arguments)
            result.setdefault("total", size)
            results.append(result)
    harness.heading(
        f"Case list benchmark: {', '.join(f'{n:,}' for n in sizes)} cases; {args.repeat} runs",
        load_before,
    )
    ok = print_table(results)
    print()
    for r in results:
        if "seed_seconds" in r:
            print(f"{r['database']} {r['total']:,}: loaded in {r['seed_seconds']:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
