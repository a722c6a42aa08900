"""Benchmark: the dashboard through the app's functions against hand-written SQL, in every
kind of scope, and the cost of one case change to the rollup.

    python bench/dashboard.py [--cases N] [--database sqlite|postgresql|both]
        [--postgres-url URL] [--repeat R] [--keep NAME]

For each database, in a subprocess of its own: migrates a fresh database, loads regions and
rules, seeds the demo world, then ``netral.insights.seeding.seed_cases(N)`` (the bulk path of
``manage.py seed_bench``, cases spread over every district; not timed). ``--keep NAME`` keeps
that database (``<BENCH_DB_PREFIX>_NAME``) and reuses it on the next run, so that a
1,000,000-case dataset is built once.

Read side. Where the rollup answers (the national and the province 64 scopes) it times each
query ``netral.insights.queries.summary`` runs (every rollup dimension of ``CaseStat`` in one
query, the rollup by region, and the live overdue counts it falls back to on a day the rollup
was not yet recounted) and the same query hand-written in SQL. Then, in every scope, the whole
dashboard both ways: ``summary`` (every figure, follow-up per PPK, report counts, labels)
against every one of its queries hand-written, over the same tables and indexes:

- national and province 64: the rollup;
- an agency-scoped role (the PPK of 64.02: the cases of its government once recommended),
  a district (kecamatan 64.02.xx) and the national scope over the last 30 days: the rollup
  cannot answer, every figure is counted live from the cases (the live path).

Samples alternate between the two (R of each) so that a VM whose speed drifts weighs on both
alike; it prints p95 of both and their ratio. Each side runs once before sampling, so the app
is measured as a running server sees it (the rollup's figures already kept in the shared cache
for this rollup revision, ``netral.insights.figures``; the database cache table, as without Redis).

Write side: one case change (its due date moved) saved in a transaction, then the rollup's
answer to it, the recount of its partition (``netral.insights.rollup.refresh``, what the
recount task a change enqueues runs), against the bare UPDATE of the same row; p50/p95 of R
changes each.

On PostgreSQL the database is vacuumed after the load, as autovacuum would have done.
Targets of the issue: every dashboard p95 under 100 ms at 1,000,000 cases on both databases,
and a ratio to the hand-written SQL of at most 1.5 where the SQL takes 5 ms or more.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import log, percentile  # noqa: E402

TARGET_MS = 100.0
TARGET_RATIO = 1.5
RATIO_FLOOR_MS = 5.0  # the ratio is a target only where the SQL takes this long


def _time_pair(orm: Any, sql: Any, repeat: int) -> tuple[float, float]:
    """p95 of both, sampled alternately (ORM, SQL, SQL, ORM, ...) so that a machine whose
    speed drifts (a shared VM) weighs on both alike."""
    orm()
    sql()
    samples: dict[Any, list[float]] = {orm: [], sql: []}
    for i in range(repeat):
        for fn in (orm, sql) if i % 2 == 0 else (sql, orm):
            start = time.perf_counter()
            fn()
            samples[fn].append((time.perf_counter() - start) * 1000)
    return percentile(samples[orm], 0.95), percentile(samples[sql], 0.95)


def _fetch(sql: str, params: list[Any]) -> list[Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _rollup_queries(scope: Any, today: date) -> dict[str, Any]:
    """The queries ``summary`` runs where the rollup answers, one by one (built once per
    scope and filter, as in the app)."""
    from netral.insights.queries import (
        SummaryFilter,
        overdue_by_holder,
        overdue_open_by_ppk,
        rolled_by_region,
        rolled_sums,
    )

    f = SummaryFilter()
    field = "regency_code" if scope.region_codes else "province_code"
    return {
        "rollup, all dims": lambda: rolled_sums(scope, f),
        "rollup by region": lambda: rolled_by_region(scope, f, field),
        "overdue (fallback)": lambda: overdue_by_holder(scope, f, today),
        "PPK overdue (fb.)": lambda: overdue_open_by_ppk(scope, f, today),
    }


def _rollup_sql(province: str, today: date) -> dict[str, tuple[str, list[Any]]]:
    from netral.insights.queries import DIMENSIONS

    and_ = "AND s.province_code = %s" if province else ""
    args = [province] if province else []
    field = "regency_code" if province else "province_code"
    marks = ", ".join(["%s"] * len(DIMENSIONS))
    case_and = "AND c.province_code = %s" if province else ""
    return {
        "rollup, all dims": (
            f"SELECT s.dimension, s.key, SUM(s.n) FROM insights_casestat s "
            f"WHERE s.dimension IN ({marks}) {and_} GROUP BY s.dimension, s.key",
            [*DIMENSIONS, *args],
        ),
        "rollup by region": (
            f"SELECT s.{field}, SUM(s.n) FROM insights_casestat s "
            f"WHERE s.dimension = 'state' {and_} GROUP BY s.{field}",
            args,
        ),
        "overdue (fallback)": (
            "SELECT c.holder, COUNT(*) FROM cases_case c WHERE c.due_date < %s "
            f"AND c.holder <> 'none' {case_and} GROUP BY c.holder",
            [today, *args],
        ),
        "PPK overdue (fb.)": (
            "SELECT c.ppk_id, COUNT(*) FROM cases_case c WHERE c.recommended_on IS NOT NULL "
            f"AND c.decided_on IS NULL AND c.ppk_due_date < %s {case_and} GROUP BY c.ppk_id",
            [today, *args],
        ),
    }


@dataclass
class Where:
    """A scope and filter in hand-written SQL: the cases' condition (alias c), the reports'
    (alias r; None: the scope sees no report, no query), the column cases are counted by."""

    cases: str
    params: list[Any]
    reports: str | None
    report_params: list[Any] = field(default_factory=list)
    region_field: str = "province_code"


def _rollup_dashboard(province: str, today: date) -> Any:
    queries = _rollup_sql(province, today)
    report_and = "AND (r.region_id = %s OR r.region_id LIKE %s)" if province else ""
    report_args = [province, province + ".%"] if province else []

    def dashboard() -> None:
        # The rollup was recounted today (the seed ends with that), so the overdue counts come
        # from it, as in ``summary``; the two live counts are its fallback on a stale day.
        sums = _fetch(*queries["rollup, all dims"])
        _fetch("SELECT d.day FROM insights_rollupday d WHERE d.id = 1", [])
        _fetch(*queries["rollup by region"])
        _fetch(
            "SELECT r.status, COUNT(*), SUM(CASE WHEN v.social_media THEN 1 ELSE 0 END) "
            "FROM intake_report r LEFT JOIN rules_violationtype v "
            f"ON v.id = r.violation_type_id WHERE 1 = 1 {report_and} GROUP BY r.status",
            report_args,
        )
        ppks = [int(key) for dimension, key, _ in sums if dimension == "fu_received" and key]
        if ppks:
            _fetch(
                "SELECT p.id, p.title, p.name FROM registry_ppkappointment p "
                f"WHERE p.id IN ({', '.join(['%s'] * len(ppks))})",
                ppks,
            )
        # The violation types' names come from the reference memo (netral.core.reference).

    return dashboard


def _live_dashboard(where: Where) -> Any:
    """Every figure of the dashboard counted from the cases, hand-written: what ``summary``
    computes when the rollup cannot answer."""
    from netral.cases.queries import local_days

    w, p = where.cases, where.params
    links = "cases_case_violation_types l JOIN rules_violationtype v ON v.id = l.violationtype_id"

    def overdue() -> tuple[str, list[Any]]:
        # Past the due date in the zone of the case's office (see cases.queries.past_due).
        days = local_days()
        earliest = min(days.values())
        sql = "c.due_date < %s"
        args: list[Any] = [earliest]
        for zone, day in days.items():
            if day > earliest:
                sql += " OR (c.due_date < %s AND c.zone = %s)"
                args += [day, zone]
        return f"({sql})", args

    def dashboard() -> None:
        _fetch(f"SELECT c.state, COUNT(*) FROM cases_case c WHERE {w} GROUP BY c.state", p)
        _fetch(
            f"SELECT c.{where.region_field}, COUNT(*) FROM cases_case c WHERE {w} "
            f"GROUP BY c.{where.region_field}",
            p,
        )
        _fetch(
            f"SELECT v.code, COUNT(*) FROM {links} WHERE l.case_id IN "
            f"(SELECT c.id FROM cases_case c WHERE {w}) GROUP BY v.code",
            p,
        )
        _fetch(
            f"SELECT COUNT(*) FROM cases_case c WHERE {w} AND EXISTS "
            f"(SELECT 1 FROM {links} WHERE l.case_id = c.id AND v.social_media)",
            p,
        )
        _fetch(
            "SELECT SUBSTR(CAST(c.registered_on AS VARCHAR), 1, 7), COUNT(*) FROM cases_case c "
            f"WHERE {w} GROUP BY 1 ORDER BY 1",
            p,
        )
        _fetch(f"SELECT COUNT(*) FROM cases_case c WHERE {w} AND c.recommended_on IS NOT NULL", p)
        for column in ("imposed_sanction_id", "recommended_sanction_id"):
            _fetch(
                "SELECT s.level, COUNT(*) FROM cases_case c JOIN rules_sanction s "
                f"ON s.id = c.{column} WHERE {w} GROUP BY s.level",
                p,
            )
        late, late_args = overdue()
        _fetch(
            f"SELECT c.holder, COUNT(*) FROM cases_case c WHERE {w} AND {late} "
            "AND c.holder <> 'none' GROUP BY c.holder",
            [*p, *late_args],
        )
        if where.reports is not None:
            _fetch(
                "SELECT r.status, COUNT(*), SUM(CASE WHEN v.social_media THEN 1 ELSE 0 END) "
                "FROM intake_report r LEFT JOIN rules_violationtype v "
                f"ON v.id = r.violation_type_id WHERE {where.reports} GROUP BY r.status",
                where.report_params,
            )
        ppk_late, ppk_args = overdue()
        ppk_late = ppk_late.replace("c.due_date", "c.ppk_due_date")
        _fetch(
            "SELECT c.ppk_id, p.name, p.title, COUNT(*), "
            "SUM(CASE WHEN c.decided_on IS NOT NULL AND c.decided_on <= c.ppk_due_date "
            "THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN c.decided_on IS NOT NULL AND c.decided_on > c.ppk_due_date "
            "THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN c.decided_on IS NULL THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN c.decided_on IS NULL AND {ppk_late} THEN 1 ELSE 0 END) "
            "FROM cases_case c LEFT JOIN registry_ppkappointment p ON p.id = c.ppk_id "
            f"WHERE {w} AND c.recommended_on IS NOT NULL "
            "GROUP BY c.ppk_id, p.name, p.title ORDER BY 8 DESC, 6 DESC, p.name",
            [*ppk_args, *p],
        )

    return dashboard


def _scopes(today: date) -> list[tuple[str, Any, Any, Any]]:
    """(label, scope, filter, hand-written dashboard) of every scope measured."""
    from datetime import datetime
    from datetime import time as clock

    from django.db import connection
    from django.utils import timezone

    from netral.cases.models import Case
    from netral.cases.workflow import PPK_VISIBLE_STATES
    from netral.core.scope import Scope
    from netral.insights.queries import SummaryFilter
    from netral.registry.models import Agency

    caps = frozenset({"cases.view", "intake.view"})
    out: list[tuple[str, Any, Any, Any]] = [
        ("national", Scope(national=True, capabilities=caps), SummaryFilter(),
         _rollup_dashboard("", today)),
        ("province 64", Scope(region_codes=frozenset({"64"}), capabilities=caps),
         SummaryFilter(), _rollup_dashboard("64", today)),
    ]  # fmt: skip
    agency = Agency.objects.filter(region_id="64.02").order_by("pk").values_list("pk", flat=True)
    agency_ids = sorted(agency)[:1]
    states = [str(s) for s in PPK_VISIBLE_STATES]
    out.append(
        (
            "agency (PPK)",
            Scope(agency_ids=frozenset(agency_ids), capabilities=frozenset({"cases.view"})),
            SummaryFilter(),
            _live_dashboard(
                Where(
                    cases=f"c.agency_id IN (%s) AND c.state IN ({', '.join(['%s'] * len(states))})",
                    params=[*agency_ids, *states],
                    reports=None,
                )
            ),
        )
    )
    district = (
        Case.objects.filter(regency_code="64.02", region__code__startswith="64.02.")
        .order_by("region_id")
        .values_list("region_id", flat=True)
        .first()
    ) or "64.02.01"
    out.append(
        (
            f"district {district}",
            Scope(region_codes=frozenset({district}), capabilities=caps),
            SummaryFilter(),
            _live_dashboard(
                Where(
                    # As CASE_JURISDICTION.in_region: one index range on SQLite, the prefix
                    # (varchar_pattern_ops index) on PostgreSQL.
                    cases="c.region_id >= %s AND c.region_id < %s"
                    if connection.vendor == "sqlite"
                    else "(c.region_id = %s OR c.region_id LIKE %s)",
                    params=[district, district + "/"]
                    if connection.vendor == "sqlite"
                    else [district, district + ".%"],
                    reports="(r.region_id = %s OR r.region_id LIKE %s)",
                    report_params=[district, district + ".%"],
                    region_field="region_id",
                )
            ),
        )
    )
    first = today - timedelta(days=29)
    start = timezone.make_aware(datetime.combine(first, clock.min))
    end = timezone.make_aware(datetime.combine(today, clock.max))
    out.append(
        (
            "national, 30 days",
            Scope(national=True, capabilities=caps),
            SummaryFilter(start=first, end=today),
            _live_dashboard(
                Where(
                    cases="c.registered_on >= %s AND c.registered_on <= %s",
                    params=[first, today],
                    reports="r.created_at >= %s AND r.created_at <= %s",
                    report_params=[start, end],
                )
            ),
        )
    )
    return out


def _case_change(repeat: int) -> dict[str, Any]:
    """One case change: the row saved through the ORM in a transaction, then the rollup's
    answer to it, the recount of the case's partition (``netral.insights.rollup.refresh``, what
    the recount task enqueued by the change runs), against the bare UPDATE of the same row;
    p50 and p95 in ms."""
    from django.db import connection, transaction

    from netral.cases.models import Case
    from netral.insights.rollup import refresh

    ids = list(
        Case.objects.filter(regency_code="64.02", due_date__isnull=False)
        .order_by("id")
        .values_list("id", flat=True)[: max(repeat, 1)]
    )
    app: list[float] = []
    bare: list[float] = []
    for i in range(repeat):
        pk = ids[i % len(ids)]
        start = time.perf_counter()
        with transaction.atomic():
            case = Case.objects.get(pk=pk)
            assert case.due_date is not None
            case.due_date = case.due_date + timedelta(days=1)
            case.save()
        refresh([(case.election_id, case.regency_code)])
        app.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_case SET due_date = due_date + 1 WHERE id = %s"
                if connection.vendor == "postgresql"
                else "UPDATE cases_case SET due_date = date(due_date, '+1 day') WHERE id = %s",
                [pk],
            )
        bare.append((time.perf_counter() - start) * 1000)
    app.sort()
    bare.sort()
    return {
        "app_p50": percentile(app, 0.5),
        "app_p95": percentile(app, 0.95),
        "bare_p50": percentile(bare, 0.5),
        "bare_p95": percentile(bare, 0.95),
        "partition": Case.objects.filter(
            regency_code="64.02", election=Case.objects.get(pk=ids[0]).election
        ).count(),
    }


def _load(vendor: str, args: argparse.Namespace) -> float:
    from django.core.management import call_command

    from netral.demo.seed import seed
    from netral.insights.seeding import seed_cases

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_regions", verbosity=0)
    call_command("load_rules", verbosity=0)
    seed()
    log(f"{vendor}: seeding {args.cases:,} cases")
    start = time.perf_counter()
    seed_cases(args.cases)
    seconds = time.perf_counter() - start
    log(f"{vendor}: seeded in {seconds:.1f} s")
    if vendor == "postgresql":
        from django.db import connection

        # What autovacuum does on a live server: the visibility map for index-only scans.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return seconds


def _measure(vendor: str, args: argparse.Namespace, reused: bool) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from netral.cases.models import Case
    from netral.insights.queries import cases, summary
    from netral.insights.rollup import refresh_all

    if reused:
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        refresh_all()  # the rollup as of today (the nightly recount)
        seconds = None
        log(f"{vendor}: reusing the kept database ({Case.objects.count():,} cases)")
    else:
        seconds = _load(vendor, args)
    today = timezone.localdate()
    rows = []
    for label, scope, f, hand_written in _scopes(today):
        if label in ("national", "province 64"):
            province = next(iter(scope.region_codes), "")
            orm = _rollup_queries(scope, today)
            sql = {k: (lambda q=q: _fetch(*q)) for k, q in _rollup_sql(province, today).items()}
            for name in orm:
                orm_ms, sql_ms = _time_pair(orm[name], sql[name], args.repeat)
                rows.append({"scope": label, "query": name, "orm": orm_ms, "sql": sql_ms})
        orm_ms, sql_ms = _time_pair(lambda s=scope, f=f: summary(s, f), hand_written, args.repeat)
        rows.append(
            {"scope": label, "query": "whole dashboard", "orm": orm_ms, "sql": sql_ms,
             "cases": cases(scope, f).count()}
        )  # fmt: skip
        log(f"{vendor}: {label}: {orm_ms:.1f} ms / {sql_ms:.1f} ms")
    change = _case_change(args.repeat)
    return {
        "database": vendor,
        "cases": Case.objects.count(),
        "seed_seconds": seconds,
        "rows": rows,
        "change": change,
    }


def print_table(results: list[dict[str, Any]]) -> bool:
    ok = True
    rows = []
    for r in results:
        if "error" in r:
            rows.append([r["database"], "", "", "", "", "", r["error"]])
            ok = False
            continue
        for row in r["rows"]:
            ratio = row["orm"] / row["sql"] if row["sql"] else float("inf")
            ratio_counts = row["sql"] >= RATIO_FLOOR_MS
            met = row["orm"] < TARGET_MS and (ratio <= TARGET_RATIO or not ratio_counts)
            in_scope = f"{row['cases']:,}" if "cases" in row else ""
            rows.append(
                [
                    r["database"],
                    row["scope"],
                    in_scope,
                    row["query"],
                    f"{row['orm']:.1f}",
                    f"{row['sql']:.1f}",
                    f"{ratio:.2f}" + ("" if ratio_counts else "*"),
                    "met" if met else "MISSED",
                ]
            )
    harness.table(
        ["database", "scope", "cases in scope", "query", "app p95 ms", "SQL p95 ms", "ratio",
         "target"],
        rows,
    )  # fmt: skip
    print()
    print(
        f"target: app p95 < {TARGET_MS:.0f} ms, ratio <= {TARGET_RATIO} where the SQL takes "
        f">= {RATIO_FLOOR_MS:.0f} ms (* below that: the ratio is not a target)"
    )
    changes = [r for r in results if "change" in r]
    if changes:
        print()
        print("One case change (rollup write side):")
        print()
        harness.table(
            ["database", "path", "p50 ms", "p95 ms"],
            [
                row
                for r in changes
                for row in (
                    [r["database"], f"save + rollup recount ({r['change']['partition']:,} cases)",
                     f"{r['change']['app_p50']:.1f}", f"{r['change']['app_p95']:.1f}"],
                    [r["database"], "bare UPDATE of the row", f"{r['change']['bare_p50']:.2f}",
                     f"{r['change']['bare_p95']:.2f}"],
                )
            ],
        )  # fmt: skip
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = harness.parser(__doc__, repeat=60)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument(
        "--keep", default="", help="keep the loaded database under this name and reuse it"
    )
    args = parser.parse_args(argv)
    if args._child:
        with harness.database(args._child, args.postgres_url, keep=args.keep) as reused:
            harness.report(_measure(args._child, args, reused))
        return 0
    load_before = harness.machine_load()
    results = [
        harness.run_child(
            __file__, vendor, harness.child_arguments(args, "cases", "repeat", "keep")
        )
        for vendor in harness.databases(args)
    ]
    cases = ", ".join(f"{r['cases']:,}" for r in results if "cases" in r) or f"{args.cases:,}"
    harness.heading(
        f"Dashboard benchmark: {cases} cases; p95 of {args.repeat} runs each", load_before
    )
    ok = print_table(results)
    for r in results:
        if r.get("seed_seconds"):
            print(f"{r['database']}: {r['cases']:,} cases loaded in {r['seed_seconds']:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
