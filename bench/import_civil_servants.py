"""Benchmark: the civil-servant import against a raw bulk load of the same rows.

    python bench/import_civil_servants.py --rows N [--database sqlite|postgresql|both]
        [--postgres-url URL] [--repeat R] [--profile] [--seed S] [--units U]

Generates N valid rows (bench/datagen.py, not timed) into a CSV file, then for each database,
in a subprocess of its own because Django reads its settings once per process:

1. migrates a fresh database (a file in a temporary directory for SQLite; a new database
   ``<BENCH_DB_PREFIX>_<pid>`` on the ``--postgres-url`` server for PostgreSQL, dropped at the end),
2. times ``netral.registry.importing.import_civil_servants`` on the CSV into the empty table,
   as ``manage.py import_civil_servants`` runs it (on PostgreSQL that is the first-load path:
   one streamed COPY, then the indexes and constraints built; its steps are logged),
3. empties the table and times the raw path on the same CSV, its lookups (units, positions)
   inside the timer: ``csv.reader``, the minimal conversion to the same row (name key, birth
   date and sex from the NIP), the load in one transaction, and the headcounts the import
   leaves in one ``INSERT ... SELECT``. SQLite: ``executemany`` of a plain INSERT. PostgreSQL,
   both strategies, alternating which runs first: ``COPY`` into the table stripped of its
   secondary indexes and unique and foreign-key constraints, then the same built again (the
   import's end state, checked against the catalogue after the import), and ``COPY`` into the
   fully indexed table. The ratio is taken against the faster.

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


def _lookups() -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
    """What the raw side looks up, inside its timer: unit code -> (unit, agency), position
    name -> id (the positions exist: the import before it created them)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT code, id, agency_id FROM registry_unit")
        units = {code: (pk, agency) for code, pk, agency in cursor.fetchall()}
        cursor.execute("SELECT name, id FROM registry_position")
        positions = dict(cursor.fetchall())
    return units, positions


def _raw_rows(handle: Any, now: Any) -> Any:
    """The CSV's rows as the table's columns: the minimal conversion (the name key, the birth
    date and sex the NIP carries, the unit's agency, the position's id), no validation."""
    import csv

    units, positions = _lookups()
    reader = csv.reader(handle)
    next(reader)
    sexes = {"1": "M", "2": "F"}
    for nip, name, kind, unit_code, position, head, active in reader:
        unit_id, agency_id = units[unit_code]
        yield (
            nip,
            name,
            name.lower(),
            kind,
            True,
            f"{nip[0:4]}-{nip[4:6]}-{nip[6:8]}",
            sexes.get(nip[14], ""),
            agency_id,
            unit_id,
            positions[position] if position else None,
            head == "1",
            active == "1",
            now,
            now,
        )


def _raw_load_sqlite(csv_path: Path) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    sql = (
        f"INSERT INTO {TABLE} ({', '.join(RAW_COLUMNS)}) "
        f"VALUES ({', '.join(['?'] * len(RAW_COLUMNS))})"
    )
    now = timezone.now().isoformat(sep=" ")
    with transaction.atomic(), csv_path.open(encoding="utf-8", newline="") as handle:
        # The sqlite3 connection itself: no Django wrapper, no placeholder rewriting.
        connection.connection.executemany(sql, _raw_rows(handle, now))
        with connection.cursor() as cursor:
            cursor.execute(HEADCOUNT_SQL)


# The headcounts an import leaves (netral.registry.headcount), in one statement.
HEADCOUNT_SQL = (
    "INSERT INTO registry_agencyheadcount (agency_id, active, heads, refreshed_at) "
    "SELECT a.id, COUNT(s.id), COUNT(CASE WHEN s.is_head_of_unit THEN 1 END), CURRENT_TIMESTAMP "
    f"FROM registry_agency a LEFT JOIN {TABLE} s ON s.agency_id = a.id AND s.is_active "
    "WHERE 1 = 1 "
    "GROUP BY a.id ON CONFLICT (agency_id) DO UPDATE SET active = excluded.active, "
    "heads = excluded.heads, refreshed_at = excluded.refreshed_at"
)


def _strip(cursor: Any) -> list[str]:
    """Drop the table's secondary indexes and its unique and foreign-key constraints (read
    from the catalogue); the statements that build them again, indexes first."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
        [TABLE],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [TABLE],
    )
    indexes = cursor.fetchall()
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return [d for _n, d in indexes] + [
        f'ALTER TABLE {TABLE} ADD CONSTRAINT "{n}" {d}' for n, d in constraints
    ]


def _raw_load_postgresql(csv_path: Path, stripped: bool) -> None:
    """COPY in one transaction; ``stripped``: into the table without its secondary indexes and
    constraints, then build them (the end state of the import's first load)."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        csv_path.open(encoding="utf-8", newline="") as handle,
    ):
        restore = _strip(cursor) if stripped else []
        rows = _raw_rows(handle, now)
        first = next(rows)  # the lookups run before the COPY starts
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {TABLE} ({', '.join(RAW_COLUMNS)}) FROM STDIN") as copy:
            copy.write_row(first)
            for row in rows:
                copy.write_row(row)
        if restore:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for statement in restore:
                cursor.execute(statement)
        cursor.execute(f"ANALYZE {TABLE}")
        cursor.execute(HEADCOUNT_SQL)


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


def _schema() -> set[tuple[str, str]]:
    """The table's indexes and constraints (name, definition)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = %s::regclass UNION ALL SELECT conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid = %s::regclass",
            [TABLE, TABLE],
        )
        return set(cursor.fetchall())


def _end_state_differs(expected: set[tuple[str, str]], strategy: str) -> list[str]:
    found = _schema()
    if found == expected:
        return []
    return [f"raw load ({strategy}): indexes/constraints differ: {sorted(found ^ expected)}"]


def _measure(
    database: str, csv_path: Path, rows: int, unit_count: int, profile: bool, repeat: int
) -> dict[str, Any]:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    from bench import datagen
    from netral.registry.importing import import_civil_servants
    from netral.registry.models import CivilServant

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

    problems: list[str] = []
    imports: list[Phase] = []
    raws: list[Phase] = []  # the best raw strategy (PostgreSQL: into the stripped table)
    indexed: list[Phase] = []  # PostgreSQL: COPY into the fully indexed table
    after_import: set[tuple[str, str]] = set()
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
        if vendor == "postgresql" and run == 1:
            after_import = _schema()

        # Alternate which raw strategy runs first (a growing server cache favours the second).
        strategies = ["raw", "indexed"] if vendor == "postgresql" else ["raw"]
        for strategy in strategies if run % 2 else strategies[::-1]:
            _empty_table(vendor)
            with Phase(vendor) as raw:
                if vendor == "postgresql":
                    _raw_load_postgresql(csv_path, stripped=strategy == "raw")
                else:
                    _raw_load_sqlite(csv_path)
            (raws if strategy == "raw" else indexed).append(raw)
            raw_stored = CivilServant.objects.count()
            if raw_stored != rows:
                problems.append(f"raw load ({strategy}): {raw_stored} stored, expected {rows}")
            if vendor == "postgresql":
                problems += _end_state_differs(after_import, strategy)
            log(f"{database}: run {run}/{repeat}: {strategy} {raw.seconds:.2f} s")

    def median(phases: list[Phase]) -> Phase:
        return sorted(phases, key=lambda phase: phase.seconds)[len(phases) // 2]

    return {
        "database": database,
        "server": server,
        "rows": rows,
        **median(imports).as_dict("import"),
        **median(raws).as_dict("raw"),
        **(median(indexed).as_dict("indexed") if indexed else {}),
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
    rows = []
    for r in results:
        if "error" in r:
            rows.append([r["database"], f"{r['rows']:,}", "error"])
            continue
        imp = r["rows"] / r["import_seconds"]
        raw = r["rows"] / r["raw_seconds"]
        indexed = r["rows"] / r["indexed_seconds"] if r.get("indexed_seconds") else None
        peak = r.get("import_peak_mib")
        rows.append(
            [
                r["database"],
                f"{r['rows']:,}",
                _fmt_rate(imp),
                _fmt_rate(raw),
                _fmt_rate(indexed) if indexed else "n/a",
                f"{imp / max(raw, indexed or 0):.2f}",
                f"{r['import_seconds']:.2f}",
                f"{r['raw_seconds']:.2f}",
                f"{peak:,.0f}" if peak is not None else "n/a",
            ]
        )
    harness.table(
        [
            "database",
            "rows",
            "import rows/s",
            "raw rows/s",
            "raw into indexes rows/s",
            "ratio",
            "import s",
            "raw s",
            "import peak MiB",
        ],
        rows,
    )
    print()
    print(
        "raw: the best raw strategy for the import's end state, lookups included (SQLite: "
        "executemany into the table; PostgreSQL: COPY into the table stripped of its secondary "
        "indexes and constraints, then the same built again). raw into indexes: COPY into the "
        "fully indexed table. ratio: import rows/s over the faster raw."
    )
    print()

    ok = True
    for r in results:
        if "error" in r:
            print(f"{r['database']}: FAILED to run: {r['error']}")
            ok = False
            continue
        print(f"{r['database']}: {r['server']}")
        for phase in ("import", "raw", "indexed"):
            if r.get(f"{phase}_seconds") is None:
                continue
            print("  " + _phase_details(r, phase))
        for problem in r["problems"]:
            print(f"  PROBLEM {problem}")
            ok = False
        best = min(r["raw_seconds"], r.get("indexed_seconds") or r["raw_seconds"])
        ratio = best / r["import_seconds"]
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

    databases = harness.databases(args)
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
    runs = f", median of {args.repeat} runs" if args.repeat > 1 else ""
    harness.heading(f"Civil-servant import benchmark, {args.rows:,} rows{runs}", load_before)
    return 0 if print_table(results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = harness.parser(__doc__, repeat=1)
    parser.add_argument("--rows", type=int, default=100_000, help="rows to generate and load")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--units", type=int, default=50, help="units the rows spread over")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the import; statistics on stderr"
    )
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
