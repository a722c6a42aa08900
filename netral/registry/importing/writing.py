"""Writing valid civil-servant rows: batches upserted by NIP through the fastest path of the
database in use (``executemany`` on SQLite, ``COPY`` on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, connection, transaction

from netral.registry.importing.validation import ValidRow
from netral.registry.models import CivilServant, Position

TABLE = CivilServant._meta.db_table
WRITTEN = (
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
_UPDATED = [c for c in WRITTEN if c not in ("nip", "created_at")]
_INSERT = (
    f"INSERT INTO {TABLE} ({', '.join(WRITTEN)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(WRITTEN))})"
)
_SET = ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)


def position_ids(names: Iterable[str], cache: dict[str, int]) -> None:
    missing = {n for n in names if n and n not in cache}
    if not missing:
        return
    Position.objects.bulk_create([Position(name=n) for n in missing], ignore_conflicts=True)
    for pk, name in Position.objects.filter(name__in=missing).values_list("pk", "name"):
        cache[name] = pk


def tuples(rows: list[ValidRow], positions: dict[str, int], now: Any) -> list[tuple[Any, ...]]:
    return [
        (
            r.nip,
            r.name,
            r.name.lower(),
            r.employment_type,
            r.conforms,
            r.birth_date,
            r.sex,
            r.agency_id,
            r.unit_id,
            positions.get(r.position),
            r.is_head,
            r.is_active,
            now,
            now,
        )
        for r in rows
    ]


class Writer:
    """Upserts batches by NIP through the fastest path of the database in use.

    New NIPs are plainly inserted (``executemany`` of an INSERT on SQLite, ``COPY`` straight
    into the table on PostgreSQL), which costs what a raw bulk load costs; only NIPs already in
    the table go through the upsert. A batch is first tried as all new, in a savepoint; once a
    batch meets an existing NIP, later batches look their NIPs up first.
    """

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self._staged = False
        self._all_new = True  # until a NIP of this import turns out to be in the table

    def write(self, values: list[tuple[Any, ...]]) -> None:
        if not values:
            return
        if self._all_new:
            if self._try_insert(values):
                return
            self._all_new = False
        existing = self._existing(values)
        new = [v for v in values if v[0] not in existing] if existing else values
        if new and not self._try_insert(new):  # another import added one of them meanwhile
            existing.update(v[0] for v in new)
        if existing:
            self._upsert([v for v in values if v[0] in existing])

    def _try_insert(self, values: list[tuple[Any, ...]]) -> bool:
        """Insert ``values`` as new rows; False, with nothing written, when a NIP exists."""
        try:
            with transaction.atomic(), connection.cursor() as cursor:  # a savepoint
                if self.vendor == "postgresql":
                    columns = ", ".join(WRITTEN)
                    copy_sql = f"COPY {TABLE} ({columns}) FROM STDIN"
                    # The raw psycopg cursor: wrap its errors into Django's IntegrityError.
                    with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
                        for row in values:
                            copy.write_row(row)
                else:
                    cursor.executemany(_INSERT, values)
        except IntegrityError:
            return False
        return True

    def _existing(self, values: list[tuple[Any, ...]]) -> set[str]:
        """The NIPs of ``values`` already in the table."""
        nips = [v[0] for v in values]
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(f"SELECT nip FROM {TABLE} WHERE nip = ANY(%s)", [nips])  # noqa: S608
                return {nip for (nip,) in cursor.fetchall()}
            found: set[str] = set()
            for start in range(0, len(nips), 500):  # under SQLite's oldest limit, 999
                chunk = nips[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT nip FROM {TABLE} WHERE nip IN ({marks})", chunk)  # noqa: S608
                found.update(nip for (nip,) in cursor.fetchall())
            return found

    def _upsert(self, values: list[tuple[Any, ...]]) -> None:
        if self.vendor == "postgresql":
            self._upsert_postgresql(values)
        else:
            with connection.cursor() as cursor:
                cursor.executemany(f"{_INSERT} ON CONFLICT (nip) DO UPDATE SET {_SET}", values)

    def _upsert_postgresql(self, values: list[tuple[Any, ...]]) -> None:
        stage = "netral_import_stage"
        columns = ", ".join(WRITTEN)
        with connection.cursor() as cursor:
            if not self._staged:
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {stage} "
                    f"(LIKE {TABLE} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
                )
                cursor.execute(f"ALTER TABLE {stage} DROP COLUMN IF EXISTS id")
                self._staged = True
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM {stage} "  # noqa: S608
                f"ON CONFLICT (nip) DO UPDATE SET {_SET}"
            )
            cursor.execute(f"TRUNCATE {stage}")
