"""Benchmark: the civil-servant import against a raw bulk load of the same rows.

    python bench/import_civil_servants.py --rows N [--database sqlite|postgresql|both]
        [--postgres-url URL] [--repeat R] [--profile] [--seed S] [--units U]

Generates N valid rows (bench/datagen.py, not timed) into a CSV file, then for each database,
in a subprocess of its own because Django reads its settings once per process:

1. migrates a fresh database (a file in a temporary directory for SQLite; a new database
   ``netral_bench_<pid>`` on the ``--postgres-url`` server for PostgreSQL, dropped at the end),
2. times ``netral.registry.importing.import_civil_servants`` on the CSV into the empty table,
   as ``manage.py import_civil_servants`` runs it (on PostgreSQL that is the first-load path:
   one streamed COPY, then the indexes and constraints built; its steps are logged),
3. empties the table and times the raw path on the same CSV: ``csv.reader``, the minimal
   conversion the table needs, and ``executemany`` of a plain INSERT (SQLite) or ``COPY``
   (PostgreSQL), in one transaction.

It prints one table (rows/s of both paths, their ratio) and the targets of the issue: a ratio
of at least 0.5 on both databases, and 4.3 million rows imported in under 2 minutes on
PostgreSQL. Peak RSS is the child's high-water mark during each phase (Linux); on a PostgreSQL
server on this machine it also shows the server backend's CPU and the WAL written, which tell
client-side from server-side cost. ``--repeat R`` runs both paths R times and reports medians
(the machine may be shared); ``--profile`` prints cProfile statistics of the first import.
The exit status is 1 when a run fails or the import does not store exactly the N clean rows;
missed targets are reported, not turned into a failure.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import (  # noqa: E402
    DEFAULT_POSTGRES_URL,
    log,
    machine_load,
    peak_rss_mib,
    reset_peak_rss,
)

TARGET_RATIO = 0.5
TARGET_ROWS = 4_300_000
TARGET_SECONDS = 120.0
TABLE = "registry_civilservant"
RAW_COLUMNS = (
    "nip",
    "name",
    "name_key",
    "employment_type",
    "nip_conforms",
    "birth_date",
    "sex",
    "agency_id",
    "unit_id",
    "position_id",
    "is_head_of_unit",
    "is_active",
    "created_at",
    "updated_at",
)


def _raw_load_sqlite(csv_path: Path, units: dict[str, tuple[int, int]], positions: dict[str, int]):
    import csv

    from django.db import connection, transaction
    from django.utils import timezone

    sql = (
        f"INSERT INTO {TABLE} ({', '.join(RAW_COLUMNS)}) "
        f"VALUES ({', '.join(['?'] * len(RAW_COLUMNS))})"
    )
    now = timezone.now()
    with transaction.atomic(), csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)

        def values():
            for nip, name, kind, unit_code, position, head, active in reader:
                unit_id, agency_id = units[unit_code]
                yield (
                    nip,
                    name,
                    name.lower(),
                    kind,
                    True,
                    None,
                    "",
                    agency_id,
                    unit_id,
                    positions.get(position),
                    head == "1",
                    active == "1",
                    now,
                    now,
                )

        # The sqlite3 connection itself: no Django wrapper, no placeholder rewriting.
        connection.connection.executemany(sql, values())


def _raw_load_postgresql(
    csv_path: Path, units: dict[str, tuple[int, int]], positions: dict[str, int]
):
    import csv

    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        csv_path.open(encoding="utf-8", newline="") as handle,
    ):
        reader = csv.reader(handle)
        next(reader)
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {TABLE} ({', '.join(RAW_COLUMNS)}) FROM STDIN") as copy:
            for nip, name, kind, unit_code, position, head, active in reader:
                unit_id, agency_id = units[unit_code]
                copy.write_row(
                    (
                        nip,
                        name,
                        name.lower(),
                        kind,
                        True,
                        None,
                        "",
                        agency_id,
                        unit_id,
                        positions.get(position),
                        head == "1",
                        active == "1",
                        now,
                        now,
                    )
                )


def _empty_table(vendor: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # A new, empty heap and fresh indexes; CASCADE for the (empty) tables that
            # reference civil servants (intake reports, cases).
            cursor.execute(f"TRUNCATE {TABLE} CASCADE")
        else:
            cursor.execute(f"DELETE FROM {TABLE}")
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")  # give the pages back, as in a fresh file


def run_child(
    database: str,
    csv_path: Path,
    rows: int,
    unit_count: int,
    postgres_url: str,
    profile: bool = False,
    repeat: int = 1,
) -> dict[str, Any]:
    with harness.database(database, postgres_url):
        return _measure(database, csv_path, rows, unit_count, profile, repeat)


class Phase:
    """Wall time, this process's CPU, its peak RSS and, on a local PostgreSQL, the server
    backend's CPU, the WAL written and the checkpoints taken during one phase."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.seconds = 0.0
        self.cpu = 0.0
        self.peak_mib: float | None = None
        self.server_cpu: float | None = None
        self.wal_mib: float | None = None
        self.checkpoints: int | None = None

    def _server(self) -> tuple[float | None, int, int]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_backend_pid(), pg_current_wal_lsn() - '0/0', "
                "checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter"
            )
            pid, lsn, checkpoints = cursor.fetchone()
        try:  # utime + stime of the backend, when the server runs on this machine
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            cpu = None
        return cpu, int(lsn), int(checkpoints)

    def __enter__(self) -> Phase:
        if self.vendor == "postgresql":
            self._before = self._server()
        reset_peak_rss()
        self._cpu = time.process_time()
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start
        self.cpu = time.process_time() - self._cpu
        self.peak_mib = peak_rss_mib()
        if self.vendor == "postgresql" and exc[0] is None:
            cpu, lsn, checkpoints = self._server()
            if cpu is not None and self._before[0] is not None:
                self.server_cpu = cpu - self._before[0]
            self.wal_mib = (lsn - self._before[1]) / 2**20
            self.checkpoints = checkpoints - self._before[2]

    def as_dict(self, prefix: str) -> dict[str, Any]:
        return {
            f"{prefix}_seconds": self.seconds,
            f"{prefix}_cpu_seconds": self.cpu,
            f"{prefix}_peak_mib": self.peak_mib,
            f"{prefix}_server_cpu_seconds": self.server_cpu,
            f"{prefix}_wal_mib": self.wal_mib,
            f"{prefix}_checkpoints": self.checkpoints,
        }


def _measure(
    database: str, csv_path: Path, rows: int, unit_count: int, profile: bool, repeat: int
) -> dict[str, Any]:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    from bench import datagen
    from netral.registry.importing import import_civil_servants
    from netral.registry.models import CivilServant, Position, Unit

    call_command("migrate", verbosity=0)
    datagen.create_reference_data(unit_count)
    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = f"PostgreSQL {cursor.fetchone()[0]}"
            for name in ("shared_buffers", "max_wal_size", "synchronous_commit", "fsync"):
                cursor.execute(f"SHOW {name}")
                server += f", {name}={cursor.fetchone()[0]}"
    else:
        import sqlite3

        server = f"SQLite {sqlite3.sqlite_version}"
    log(f"{database}: {server}; importing {rows:,} rows")

    units = {
        code: (pk, agency)
        for pk, code, agency in Unit.objects.values_list("pk", "code", "agency_id")
    }
    problems: list[str] = []
    imports: list[Phase] = []
    raws: list[Phase] = []
    for run in range(1, repeat + 1):
        if run > 1:
            _empty_table(vendor)
        profiler = cProfile.Profile() if profile and run == 1 else None
        with Phase(vendor) as imported:
            if profiler is not None:
                result = profiler.runcall(import_civil_servants, csv_path)
            else:
                result = import_civil_servants(csv_path)
        imports.append(imported)
        if profiler is not None:
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(30)
            stats.sort_stats("tottime").print_stats(25)
        stored = CivilServant.objects.count()
        if result.imported != rows or result.rejected or result.flagged or stored != rows:
            problems.append(
                f"import: {result.imported} imported, {result.rejected} rejected, "
                f"{result.flagged} flagged, {stored} stored; expected {rows} clean rows"
            )
            for issue in result.issues[:5]:
                problems.append(f"  row {issue.row} {issue.column}={issue.value!r}: {issue.reason}")
        del result
        log(f"{database}: run {run}/{repeat}: import {imported.seconds:.2f} s; raw load")

        positions = dict(Position.objects.values_list("name", "pk"))
        _empty_table(vendor)
        with Phase(vendor) as raw:
            if vendor == "postgresql":
                _raw_load_postgresql(csv_path, units, positions)
            else:
                _raw_load_sqlite(csv_path, units, positions)
        raws.append(raw)
        raw_stored = CivilServant.objects.count()
        if raw_stored != rows:
            problems.append(f"raw load: {raw_stored} stored, expected {rows}")
        log(f"{database}: run {run}/{repeat}: raw {raw.seconds:.2f} s")

    def median(phases: list[Phase]) -> Phase:
        return sorted(phases, key=lambda phase: phase.seconds)[len(phases) // 2]

    return {
        "database": database,
        "server": server,
        "rows": rows,
        **median(imports).as_dict("import"),
        **median(raws).as_dict("raw"),
        "import_runs": [phase.seconds for phase in imports],
        "raw_runs": [phase.seconds for phase in raws],
        "problems": problems,
    }


# --- Parent: generate once, run each database, print the table ----------------------------------


def _fmt_rate(value: float) -> str:
    return f"{value:,.0f}"


def _phase_details(r: dict[str, Any], phase: str) -> str:
    text = (
        f"{phase}: {r[f'{phase}_seconds']:.1f} s wall, client CPU {r[f'{phase}_cpu_seconds']:.1f} s"
    )
    if r.get(f"{phase}_server_cpu_seconds") is not None:
        text += f", server backend CPU {r[f'{phase}_server_cpu_seconds']:.1f} s"
    if r.get(f"{phase}_wal_mib") is not None:
        text += f", WAL {r[f'{phase}_wal_mib']:,.0f} MiB, {r[f'{phase}_checkpoints']} checkpoints"
    if r.get(f"{phase}_peak_mib") is not None:
        text += f", peak RSS {r[f'{phase}_peak_mib']:,.0f} MiB"
    runs = r.get(f"{phase}_runs") or []
    if len(runs) > 1:
        text += f" (median of {len(runs)} runs: " + ", ".join(f"{t:.1f}" for t in runs) + " s)"
    return text


def print_table(results: list[dict[str, Any]]) -> bool:
    header = (
        "database",
        "rows",
        "import rows/s",
        "raw rows/s",
        "ratio",
        "import seconds",
        "raw seconds",
        "import peak MiB",
    )
    lines = [header]
    for r in results:
        if "error" in r:
            lines.append((r["database"], f"{r['rows']:,}", "error", "", "", "", "", ""))
            continue
        imp = r["rows"] / r["import_seconds"]
        raw = r["rows"] / r["raw_seconds"]
        peak = r.get("import_peak_mib")
        lines.append(
            (
                r["database"],
                f"{r['rows']:,}",
                _fmt_rate(imp),
                _fmt_rate(raw),
                f"{imp / raw:.2f}",
                f"{r['import_seconds']:.2f}",
                f"{r['raw_seconds']:.2f}",
                f"{peak:,.0f}" if peak is not None else "n/a",
            )
        )
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]

    def fmt(row: tuple[str, ...]) -> str:
        cells = [
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ]
        return "| " + " | ".join(cells) + " |"

    print(fmt(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in lines[1:]:
        print(fmt(row))
    print()

    ok = True
    for r in results:
        if "error" in r:
            print(f"{r['database']}: FAILED to run: {r['error']}")
            ok = False
            continue
        print(f"{r['database']}: {r['server']}")
        for phase in ("import", "raw"):
            print("  " + _phase_details(r, phase))
        for problem in r["problems"]:
            print(f"  PROBLEM {problem}")
            ok = False
        ratio = r["raw_seconds"] / r["import_seconds"]
        verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
        print(f"  target ratio >= {TARGET_RATIO}: {ratio:.2f} {verdict}")
        if r["database"] == "postgresql":
            if r["rows"] >= TARGET_ROWS:
                verdict = "PASS" if r["import_seconds"] < TARGET_SECONDS else "FAIL"
                print(
                    f"  target {TARGET_ROWS:,} rows < {TARGET_SECONDS:.0f} s: "
                    f"{r['import_seconds']:.1f} s for {r['rows']:,} rows {verdict}"
                )
            else:
                projected = r["import_seconds"] * TARGET_ROWS / r["rows"]
                print(
                    f"  target {TARGET_ROWS:,} rows < {TARGET_SECONDS:.0f} s: not measured "
                    f"(linear projection {projected:.0f} s; run --rows {TARGET_ROWS})"
                )
    return ok


def run_parent(args: argparse.Namespace) -> int:
    from bench import datagen

    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    load_before = machine_load()
    with tempfile.TemporaryDirectory(prefix="netral-bench-csv-") as tmp:
        csv_path = Path(tmp) / "civil_servants.csv"
        log(f"generating {args.rows:,} rows (seed {args.seed}, {args.units} units)")
        start = time.perf_counter()
        datagen.write_civil_servants_csv(
            csv_path, args.rows, datagen.unit_codes(args.units), seed=args.seed
        )
        size = csv_path.stat().st_size / 2**20
        log(f"generated {csv_path} ({size:,.1f} MiB) in {time.perf_counter() - start:.1f} s")
        results = []
        for database in databases:
            arguments = [
                "--rows",
                str(args.rows),
                "--units",
                str(args.units),
                "--postgres-url",
                args.postgres_url,
                "--repeat",
                str(args.repeat),
                *(["--profile"] if args.profile else []),
                "--_csv",
                str(csv_path),
            ]
            result = harness.run_child(__file__, database, arguments)
            result.setdefault("rows", args.rows)
            results.append(result)
    print()
    runs = f", median of {args.repeat} runs" if args.repeat > 1 else ""
    print(f"Civil-servant import benchmark, {args.rows:,} rows{runs}")
    print(f"machine: {os.cpu_count()} CPUs; {load_before} before, {machine_load()} after")
    print()
    return 0 if print_table(results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000, help="rows to generate and load")
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql", "both"], default="both", help="(both)"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="server on which a throwaway database is created and dropped",
    )
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--units", type=int, default=50, help="units the rows spread over")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="import and raw-load R times each (emptying the table between); report medians",
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the import; statistics on stderr"
    )
    parser.add_argument("--_child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--_csv", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be at least 1")
    if args._child:
        result = run_child(
            args._child,
            args._csv,
            args.rows,
            args.units,
            args.postgres_url,
            args.profile,
            args.repeat,
        )
        harness.report(result)
        return 0
    return run_parent(args)


if __name__ == "__main__":
    sys.exit(main())
