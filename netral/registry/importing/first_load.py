"""The first load of an empty registry on PostgreSQL (``FirstLoad``)."""

from __future__ import annotations

import logging
import time
from contextlib import suppress
from datetime import datetime
from typing import Any

from django.db import connection

from netral.registry.importing.validation import ValidRow
from netral.registry.importing.writing import TABLE, WRITTEN, position_ids
from netral.registry.models import Agency, CivilServant, Unit

logger = logging.getLogger(__name__)

COPY_NULL = "\\N"  # NULL in COPY's text format


class FirstLoad:
    """The first load of an empty registry on PostgreSQL, as a national import of millions of
    rows needs it: one transaction that locks the table, drops its secondary indexes and its
    unique and foreign-key constraints, streams every valid row through one ``COPY`` (PostgreSQL
    ingests while Python validates the next rows), then builds the indexes (sorted, in
    parallel) and adds the constraints back, each checked by one join instead of a trigger per
    row. The definitions come from the catalogue, so indexes added by later migrations are kept.
    Anything that fails rolls the whole load back, the dropped definitions included.

    The lock (ACCESS EXCLUSIVE on the civil servants, SHARE on units and agencies so no parent
    row disappears meanwhile) blocks readers for the load's duration; that is why only the
    command uses it, and only on an empty table, never a web import of one agency.
    """

    def __init__(self) -> None:
        self._dropped: list[tuple[str, str]] = []  # (kind, SQL that restores it)
        self._manager: Any = None  # the psycopg copy context, open while rows stream
        self._copy: Any = None
        self._cursor: Any = None

    @staticmethod
    def possible(estimate: int, minimum: int) -> bool:
        return (
            connection.vendor == "postgresql"
            and estimate >= minimum
            and not CivilServant.objects.exists()
        )

    def start(self) -> bool:
        """Lock and strip the table; False (nothing changed) when it is no longer empty."""
        table = connection.ops.quote_name(TABLE)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(Unit._meta.db_table)}, "
                f"{connection.ops.quote_name(Agency._meta.db_table)} IN SHARE MODE"
            )
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608
            if cursor.fetchone()[0]:
                return False
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC",
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
            for name, definition in constraints:
                quoted = connection.ops.quote_name(name)
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quoted}")
                self._dropped.append(
                    ("constraint", f"ALTER TABLE {table} ADD CONSTRAINT {quoted} {definition}")
                )
            for name, definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
                self._dropped.append(("index", definition))
        return True

    def write(self, rows: list[ValidRow], positions: dict[str, int], now: datetime) -> None:
        missing = {r.position for r in rows if r.position and r.position not in positions}
        if missing:
            self._end_copy()  # the connection cannot run a query in the middle of a COPY
            position_ids(missing, positions)
        if self._copy is None:
            from psycopg.copy import QueuedLibpqWriter

            self._cursor = connection.cursor()
            raw = self._cursor.cursor  # the psycopg cursor under Django's wrapper
            columns = ", ".join(WRITTEN)
            self._manager = raw.copy(
                f"COPY {TABLE} ({columns}) FROM STDIN", writer=QueuedLibpqWriter(raw)
            )
            self._copy = self._manager.__enter__()
        stamp = now.isoformat()
        lines = []
        for r in rows:
            name = r.name if "\\" not in r.name else r.name.replace("\\", "\\\\")
            position = positions.get(r.position) if r.position else None
            lines.append(
                f"{r.nip}\t{name}\t{name.lower()}\t{r.employment_type}\t"
                f"{'t' if r.conforms else 'f'}\t"
                f"{r.birth_date.isoformat() if r.birth_date else COPY_NULL}\t{r.sex}\t"
                f"{r.agency_id}\t{r.unit_id}\t{COPY_NULL if position is None else position}\t"
                f"{'t' if r.is_head else 'f'}\t{'t' if r.is_active else 'f'}\t"
                f"{stamp}\t{stamp}\n"
            )
        self._copy.write("".join(lines))

    def _end_copy(self) -> None:
        if self._copy is not None:
            self._copy = None
            with connection.wrap_database_errors:
                self._manager.__exit__(None, None, None)
            self._cursor.close()

    def finish(self) -> None:
        """End the stream, build the indexes and add the constraints back (same transaction)."""
        self._end_copy()
        with connection.cursor() as cursor:
            # Sorting millions of keys in memory: a third faster than 512MB (measured).
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            ordered = [d for d in reversed(self._dropped) if d[0] == "index"]
            ordered += [d for d in reversed(self._dropped) if d[0] == "constraint"]
            for _kind, statement in ordered:
                start = time.perf_counter()
                cursor.execute(statement)
                logger.info("first load: %.1f s for %s", time.perf_counter() - start, statement)
            cursor.execute(f"ANALYZE {connection.ops.quote_name(TABLE)}")

    def abort(self) -> None:
        """After an error: end the stream; the transaction's rollback restores the table."""
        if self._copy is not None:
            self._copy = None
            error = RuntimeError("import aborted")
            # The rollback that follows is what matters; the end of the stream may fail too.
            with suppress(Exception):
                self._manager.__exit__(RuntimeError, error, None)


# First loads below this many rows go through the ordinary path: dropping and building the
# indexes costs more than it saves on a small table.
FIRST_LOAD_MIN_ROWS = 50_000
