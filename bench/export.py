"""Benchmark: a 1,000,000-row CSV export job against a raw cursor written with csv.writer.

    python bench/export.py [--cases N] [--database sqlite|postgresql|both]
        [--postgres-url URL] [--repeat R]

For each database, in a subprocess of its own: migrates a fresh database, loads regions and
rules, seeds the demo world and N cases through ``netral.insights.seeding.seed_cases`` (not
timed). It then runs the real export job of the case list as the national reviewing analyst
(``netral.insights.exports.run``: scoped queryset, chunked server-side reads, csv.writer,
progress saved every chunk, the file stored and hashed), and, in the same process, the raw
path: one SQL query over the same columns read with ``fetchmany`` and written with csv.writer.
It prints rows/s of both, their ratio and the peak RSS of each phase (Linux VmHWM, reset before
each). Targets of the issue: ratio at least 0.5 and peak memory under 200 MB.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
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
    peak_rss_mib,
    report,
    reset_peak_rss,
    run_child,
)

TARGET_RATIO = 0.5
TARGET_MIB = 200.0
RAW_SQL = (
    "SELECT c.number, c.state, c.holder, o.code, c.region_id, e.slug, c.accused_name, "
    "c.registered_at, c.due_date FROM cases_case c "
    "JOIN registry_office o ON o.id = c.office_id "
    "LEFT JOIN rules_election e ON e.id = c.election_id ORDER BY c.id"
)


def _raw(out: Path) -> int:
    from django.db import connection, transaction

    rows = 0
    with (
        transaction.atomic(),
        connection.chunked_cursor() as cursor,
        out.open("w", encoding="utf-8-sig", newline="") as handle,
    ):
        writer = csv.writer(handle)
        writer.writerow(["number", "state", "holder", "office", "region", "election", "name",
                         "registered", "due"])  # fmt: skip
        cursor.execute(RAW_SQL)
        while batch := cursor.fetchmany(5000):
            writer.writerows(
                [v.isoformat() if hasattr(v, "isoformat") else v for v in row] for row in batch
            )
            rows += len(batch)
    return rows


def _measure(vendor: str, args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command

    from netral.accounts.models import User
    from netral.demo.seed import seed
    from netral.insights.exports import run
    from netral.insights.models import ExportJob
    from netral.insights.seeding import seed_cases

    call_command("migrate", verbosity=0)
    call_command("load_regions", verbosity=0)
    call_command("load_rules", verbosity=0)
    seed()
    log(f"{vendor}: seeding {args.cases:,} cases")
    seed_cases(args.cases)
    analyst = User.objects.get(username="analis.bkn")
    runs = []
    for _ in range(args.repeat):
        job = ExportJob.objects.create(user=analyst, source="cases", format="csv", params={})
        can_reset = reset_peak_rss()
        start = time.perf_counter()
        run(job)
        app_seconds = time.perf_counter() - start
        app_peak = peak_rss_mib() if can_reset else None
        job.refresh_from_db()
        with tempfile.TemporaryDirectory() as tmp:
            can_reset = reset_peak_rss()
            start = time.perf_counter()
            raw_rows = _raw(Path(tmp) / "raw.csv")
            raw_seconds = time.perf_counter() - start
            raw_peak = peak_rss_mib() if can_reset else None
        runs.append(
            {
                "rows": job.processed,
                "raw_rows": raw_rows,
                "app_seconds": app_seconds,
                "raw_seconds": raw_seconds,
                "app_peak": app_peak,
                "raw_peak": raw_peak,
                "size_mib": job.file.size / 2**20,
            }
        )
        log(f"{vendor}: export {app_seconds:.1f} s, raw {raw_seconds:.1f} s")
    best = min(runs, key=lambda r: r["app_seconds"])
    return {"database": vendor, "cases": args.cases, **best}


def print_table(results: list[dict[str, Any]]) -> bool:
    ok = True
    header = (
        f"{'database':<11} {'rows':>10} {'export rows/s':>14} {'raw rows/s':>11} {'ratio':>6} "
        f"{'export MiB':>10} {'raw MiB':>8}  targets"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        if "error" in r:
            print(f"{r['database']:<11} {r['error']}")
            ok = False
            continue
        app_rate = r["rows"] / r["app_seconds"]
        raw_rate = r["raw_rows"] / r["raw_seconds"]
        ratio = app_rate / raw_rate
        peak = r["app_peak"] if r["app_peak"] is not None else float("nan")
        raw_peak = r["raw_peak"] if r["raw_peak"] is not None else float("nan")
        met = "met" if ratio >= TARGET_RATIO and peak < TARGET_MIB else "MISSED"
        print(
            f"{r['database']:<11} {r['rows']:>10,} {app_rate:>14,.0f} {raw_rate:>11,.0f} "
            f"{ratio:>6.2f} {peak:>10.0f} {raw_peak:>8.0f}  ratio >= {TARGET_RATIO}, "
            f"< {TARGET_MIB:.0f} MiB {met}"
        )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--_child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        with database(args._child, args.postgres_url):
            report(_measure(args._child, args))
        return 0
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    load_before = machine_load()
    results: list[dict[str, Any]] = []
    for vendor in databases:
        arguments = [
            f"--cases={args.cases}",
            f"--postgres-url={args.postgres_url}",
            f"--repeat={args.repeat}",
        ]
        results.append(run_child(__file__, vendor, arguments))
    print()
    print(f"Export benchmark: CSV of {args.cases:,} cases; best of {args.repeat} runs")
    print(f"machine: {os.cpu_count()} CPUs; {load_before} before, {machine_load()} after")
    print()
    return 0 if print_table(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
