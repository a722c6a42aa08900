"""Benchmark: a 1,000,000-row CSV export job against a raw cursor written with csv.writer.

    python bench/export.py [--cases N] [--database sqlite|postgresql|both]
        [--postgres-url URL] [--repeat R]

For each database, in a subprocess of its own: migrates a fresh database, loads regions and
rules, seeds the demo world and N cases through ``netral.insights.seeding.seed_cases`` (not
timed). It then runs the real export job of the case list as the national reviewing analyst
(``netral.insights.exports.run``: scoped queryset, chunked server-side reads, csv.writer,
progress saved every chunk, the file stored and hashed), and, in the same process, the raw
path: one SQL query over the same columns read with ``fetchmany`` and written with csv.writer.
The two sides alternate which runs first (R runs of each); each side's best run is kept
(the fastest export, the fastest raw), and both must have written the same number of rows
(checked on every run; a difference fails the benchmark). It prints rows/s of both, their
ratio and the peak RSS of each phase (Linux VmHWM, reset before each). Targets of the issue:
ratio at least 0.5 and peak memory under 200 MB.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import log, peak_rss_mib, reset_peak_rss  # noqa: E402

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

    def app() -> dict[str, Any]:
        job = ExportJob.objects.create(user=analyst, source="cases", format="csv", params={})
        can_reset = reset_peak_rss()
        start = time.perf_counter()
        run(job)
        seconds = time.perf_counter() - start
        peak = peak_rss_mib() if can_reset else None
        job.refresh_from_db()
        return {"rows": job.processed, "seconds": seconds, "peak": peak,
                "size_mib": job.file.size / 2**20}  # fmt: skip

    def raw() -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as tmp:
            can_reset = reset_peak_rss()
            start = time.perf_counter()
            rows = _raw(Path(tmp) / "raw.csv")
            seconds = time.perf_counter() - start
            peak = peak_rss_mib() if can_reset else None
        return {"rows": rows, "seconds": seconds, "peak": peak}

    apps: list[dict[str, Any]] = []
    raws: list[dict[str, Any]] = []
    problems: list[str] = []
    for i in range(args.repeat):
        # Alternate which side runs first: a warmer cache favours the second.
        order = [("app", app), ("raw", raw)] if i % 2 == 0 else [("raw", raw), ("app", app)]
        found = {name: fn() for name, fn in order}
        apps.append(found["app"])
        raws.append(found["raw"])
        if found["app"]["rows"] != found["raw"]["rows"]:
            problems.append(
                f"run {i + 1}: the export wrote {found['app']['rows']:,} rows, "
                f"the raw path {found['raw']['rows']:,}"
            )
        log(
            f"{vendor}: {' then '.join(n for n, _ in order)}: export "
            f"{found['app']['seconds']:.1f} s, raw {found['raw']['seconds']:.1f} s"
        )
    best_app = min(apps, key=lambda r: r["seconds"])
    best_raw = min(raws, key=lambda r: r["seconds"])
    return {
        "database": vendor,
        "cases": args.cases,
        "rows": best_app["rows"],
        "raw_rows": best_raw["rows"],
        "app_seconds": best_app["seconds"],
        "raw_seconds": best_raw["seconds"],
        "app_peak": best_app["peak"],
        "raw_peak": best_raw["peak"],
        "size_mib": best_app["size_mib"],
        "problems": problems,
    }


def print_table(results: list[dict[str, Any]]) -> bool:
    ok = True
    rows = []
    for r in results:
        if "error" in r:
            rows.append([r["database"], r["error"]])
            ok = False
            continue
        app_rate = r["rows"] / r["app_seconds"]
        raw_rate = r["raw_rows"] / r["raw_seconds"]
        ratio = app_rate / raw_rate
        peak = r["app_peak"] if r["app_peak"] is not None else float("nan")
        raw_peak = r["raw_peak"] if r["raw_peak"] is not None else float("nan")
        same = r["rows"] == r["raw_rows"] and not r["problems"]
        met = ratio >= TARGET_RATIO and peak < TARGET_MIB and same
        ok = ok and same
        rows.append(
            [
                r["database"],
                f"{r['rows']:,}",
                "yes" if same else "NO",
                f"{app_rate:,.0f}",
                f"{raw_rate:,.0f}",
                f"{ratio:.2f}",
                f"{peak:.0f}",
                f"{raw_peak:.0f}",
                "met" if met else "MISSED",
            ]
        )
    harness.table(
        ["database", "rows", "same rows", "export rows/s", "raw rows/s", "ratio", "export MiB",
         "raw MiB", "target"],
        rows,
    )  # fmt: skip
    print()
    print(f"target: ratio >= {TARGET_RATIO}, peak < {TARGET_MIB:.0f} MiB, the same row count")
    for r in results:
        for problem in r.get("problems", []):
            print(f"{r['database']}: PROBLEM {problem}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = harness.parser(__doc__, repeat=1)
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    if args._child:
        with harness.database(args._child, args.postgres_url):
            harness.report(_measure(args._child, args))
        return 0
    load_before = harness.machine_load()
    results = [
        harness.run_child(__file__, vendor, harness.child_arguments(args, "cases", "repeat"))
        for vendor in harness.databases(args)
    ]
    harness.heading(
        f"Export benchmark: CSV of {args.cases:,} cases; best of {args.repeat} runs of each side, "
        "alternating which runs first",
        load_before,
    )
    return 0 if print_table(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
