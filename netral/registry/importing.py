"""Bulk import of civil servants from CSV or XLSX: validate in Python, upsert by NIP in SQL.

Rows are validated one by one; valid rows are written in batches through ``executemany`` of an
upsert on SQLite, or ``COPY`` into a temporary staging table and one ``INSERT ... ON CONFLICT``
on PostgreSQL. Every rejected or flagged row is reported with its row number, column and reason;
nothing is silently dropped.
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from netral.registry.models import Agency, CivilServant, Position, Unit
from netral.registry.nip import PNS, PPPK, NotANip, layout_problem, parse_nip, real_date, sex_of

logger = logging.getLogger(__name__)

# Larger batches mean fewer commits and WAL checkpoints (SQLite: 0.27 -> 0.63 of the raw path).
BATCH_SIZE = 25000

# Canonical column -> accepted header spellings (English and Indonesian), compared lower-cased.
COLUMNS: dict[str, tuple[str, ...]] = {
    "nip": ("nip",),
    "name": ("name", "nama"),
    "employment_type": ("employment_type", "jenis_kepegawaian", "jenis"),
    "unit_code": ("unit_code", "kode_unit"),
    "position": ("position", "jabatan"),
    "is_head_of_unit": ("is_head_of_unit", "kepala_unit"),
    "is_active": ("is_active", "aktif"),
    "birth_date": ("birth_date", "tanggal_lahir"),
    "sex": ("sex", "jenis_kelamin"),
}
REQUIRED = ("nip", "name", "employment_type", "unit_code")

_TRUE = {"1", "true", "yes", "y", "ya", "benar"}
_FALSE = {"0", "false", "no", "n", "tidak", "salah"}
_SEX = {"m": "M", "l": "M", "male": "M", "laki-laki": "M", "1": "M"}
_SEX.update({"f": "F", "p": "F", "female": "F", "perempuan": "F", "2": "F"})


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, wrong type, missing columns)."""

    def __init__(self, message: Promise | str) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True, slots=True)
class RowIssue:
    row: int  # 1-based, as a spreadsheet shows it (the header is row 1)
    column: str
    value: str
    reason: Promise | str
    severity: str  # "error" (row not imported) or "flagged" (imported, marked for review)


@dataclass
class ImportResult:
    total_rows: int = 0
    imported: int = 0
    created: int = 0
    flagged: int = 0
    rejected: int = 0
    issues: list[RowIssue] = field(default_factory=list)


# --- Reading ----------------------------------------------------------------------------------


# Spreadsheets keep numbers as doubles: an 18-digit NIP typed as a number has lost digits.
LOST_DIGITS = "\x00lost-digits"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return LOST_DIGITS if abs(value) >= 1e15 else str(int(value))
    return str(value).strip()


def read_rows(path: Path, original_name: str = "") -> tuple[list[str], Iterator[list[str]], int]:
    """Header, an iterator of data rows (as strings) and an estimate of the row count."""
    name = (original_name or path.name).lower()
    with path.open("rb") as probe:
        head = probe.read(4)
    if head.startswith(b"PK"):
        return _read_xlsx(path)
    if name.endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("The file is not a valid XLSX workbook."))
    return _read_csv(path)


def _read_csv(path: Path) -> tuple[list[str], Iterator[list[str]], int]:
    with path.open("rb") as raw:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(1 << 20), b""))
    handle: IO[str] = path.open("r", encoding="utf-8-sig", newline="")
    try:
        sample = handle.read(4096)
    except UnicodeDecodeError as exc:
        handle.close()
        raise ImportFileError(_("The file is not UTF-8 text; save it as CSV UTF-8.")) from exc
    handle.seek(0)
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise ImportFileError(_("The file is empty.")) from None

    def rows() -> Iterator[list[str]]:
        try:
            for row in reader:
                yield [c.strip() for c in row]
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("The file is not UTF-8 text; save it as CSV UTF-8.")) from exc
        finally:
            handle.close()

    return [h.strip() for h in header], rows(), max(0, lines - 1)


def _read_xlsx(path: Path) -> tuple[list[str], Iterator[list[str]], int]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("The file is not a valid XLSX workbook.")) from exc
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        header = [_cell(v) for v in next(values)]
    except StopIteration:
        workbook.close()
        raise ImportFileError(_("The file is empty.")) from None

    def rows() -> Iterator[list[str]]:
        try:
            for row in values:
                yield [_cell(v) for v in row]
        finally:
            workbook.close()

    return header, rows(), max(0, (sheet.max_row or 1) - 1)


def map_header(
    header: Sequence[str],
    columns: Mapping[str, Sequence[str]] | None = None,
    required: Sequence[str] | None = None,
) -> dict[str, int]:
    """Canonical column name -> index; raises when a required column is missing. The columns
    (canonical name -> accepted titles) default to the civil-servant import's."""
    columns = COLUMNS if columns is None else columns
    required = REQUIRED if required is None else required
    wanted = {alias: canonical for canonical, aliases in columns.items() for alias in aliases}
    mapping: dict[str, int] = {}
    for index, title in enumerate(header):
        canonical = wanted.get(title.strip().lower().replace(" ", "_"))
        if canonical and canonical not in mapping:
            mapping[canonical] = index
    missing = [c for c in required if c not in mapping]
    if missing:
        raise ImportFileError(
            _("Required columns are missing: %(columns)s. See the README for the columns.")
            % {"columns": ", ".join(missing)}
        )
    return mapping


# --- Validation -------------------------------------------------------------------------------


@dataclass(slots=True)
class ValidRow:
    nip: str
    name: str
    employment_type: str
    conforms: bool
    birth_date: date | None
    sex: str
    agency_id: int
    unit_id: int
    position: str
    is_head: bool
    is_active: bool


_HEAD_FAST = {"1": True, "0": False, "": False}  # is_head_of_unit, default no
_ACTIVE_FAST = {"1": True, "0": False, "": True}  # is_active, default yes
_KINDS = frozenset((PNS, PPPK))


def _flag(value: str, default: bool) -> bool | None:
    v = value.strip().lower()
    if not v:
        return default
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    return None


class RowValidator:
    def __init__(self, *, units: dict[str, tuple[int, int]], allowed_agencies: set[int] | None):
        self.units = units
        self.allowed_agencies = allowed_agencies
        self.seen: dict[str, int] = {}
        self._cols: dict[str, int] | None = None
        self._at: dict[str, int] = {}
        self._width = 0

    def _layout(self, cols: dict[str, int]) -> tuple[dict[str, int], int]:
        """Column -> index into a row padded to the width; a missing column reads ""."""
        if cols is not self._cols:
            self._cols = cols
            blank = max(cols.values(), default=-1) + 1
            self._at = {c: cols.get(c, blank) for c in COLUMNS}
            self._width = blank + 1
        return self._at, self._width

    def validate(
        self, number: int, row: list[str], cols: dict[str, int]
    ) -> tuple[ValidRow | None, list[RowIssue]]:
        at, width = self._layout(cols)
        if len(row) < width:
            row = row + [""] * (width - len(row))
        usual = self._usual(row, at)
        if usual is not None:
            self.seen[usual.nip] = number
            return usual, []
        return self._checked(number, row, at)

    def _usual(self, row: list[str], at: dict[str, int]) -> ValidRow | None:
        """The usual row (a conforming NIP, every value plain) in the fewest operations, or
        None: then ``_checked`` runs every check and says what is wrong. It accepts only rows
        ``_checked`` accepts without a remark, with the same result; a property test holds
        the two together. Half the time of an import of millions of rows is spent here."""
        nip = row[at["nip"]]
        kind = row[at["employment_type"]]
        if (
            len(nip) != 18
            or not nip.isdigit()
            or not nip.isascii()
            or kind not in _KINDS
            or nip in self.seen
            or row[at["birth_date"]]
            or row[at["sex"]]
        ):
            return None
        unit = self.units.get(row[at["unit_code"]])
        if unit is None or (
            self.allowed_agencies is not None and unit[1] not in self.allowed_agencies
        ):
            return None
        name = " ".join(row[at["name"]].split())
        position = " ".join(row[at["position"]].split())
        is_head = _HEAD_FAST.get(row[at["is_head_of_unit"]])
        is_active = _ACTIVE_FAST.get(row[at["is_active"]])
        if not name or len(name) > 200 or len(position) > 200 or is_head is None:
            return None
        birth = real_date(nip[:8])
        if is_active is None or birth is None or layout_problem(nip, kind, birth) is not None:
            return None
        return ValidRow(
            nip,
            name,
            kind,
            True,
            birth,
            sex_of(nip[14]),
            unit[1],
            unit[0],
            position,
            is_head,
            is_active,
        )

    def _checked(
        self, number: int, row: list[str], at: dict[str, int]
    ) -> tuple[ValidRow | None, list[RowIssue]]:

        issues: list[RowIssue] = []

        def error(column: str, value: str, reason: Promise | str) -> None:
            issues.append(RowIssue(number, column, value, reason, "error"))

        nip = row[at["nip"]].replace(" ", "")
        name = " ".join(row[at["name"]].split())
        kind = row[at["employment_type"]].upper()
        unit_code = row[at["unit_code"]]
        info = None
        if not nip:
            error("nip", nip, _("the NIP is missing"))
        elif nip == LOST_DIGITS:
            nip = ""
            error(
                "nip",
                "",
                _(
                    "the NIP is stored as a number, which keeps only 15 digits; "
                    "format the column as text and type it again"
                ),
            )
        else:
            try:
                info = parse_nip(nip, kind if kind in (PNS, PPPK) else PNS)
            except NotANip as exc:
                error("nip", nip, exc.message)
            else:
                first = self.seen.get(nip)
                if first is not None:
                    error(
                        "nip", nip, _("the NIP repeats row %(row)d of this file") % {"row": first}
                    )
                    info = None
        if not name:
            error("name", name, _("the name is missing"))
        elif len(name) > 200:
            error("name", name[:40], _("the name is longer than 200 characters"))
        if kind not in (PNS, PPPK):
            error("employment_type", kind, _("the employment type must be PNS or PPPK"))
        unit = self.units.get(unit_code)
        if not unit_code:
            error("unit_code", unit_code, _("the unit code is missing"))
        elif unit is None:
            error("unit_code", unit_code, _("no unit has this code"))
        elif self.allowed_agencies is not None and unit[1] not in self.allowed_agencies:
            error("unit_code", unit_code, _("this unit belongs to an agency outside your scope"))
        position = " ".join(row[at["position"]].split())
        if len(position) > 200:
            error("position", position[:40], _("the position is longer than 200 characters"))
        is_head = _flag(row[at["is_head_of_unit"]], False)
        if is_head is None:
            error("is_head_of_unit", row[at["is_head_of_unit"]], _("use 1 or 0 (ya or tidak)"))
        is_active = _flag(row[at["is_active"]], True)
        if is_active is None:
            error("is_active", row[at["is_active"]], _("use 1 or 0 (ya or tidak)"))
        birth_text = row[at["birth_date"]]
        if (
            info is not None
            and birth_text
            and info.birth_date is not None
            and birth_text != info.birth_date.isoformat()
        ):
            error(
                "birth_date",
                birth_text,
                _("the birth date differs from the one in the NIP (%(date)s)")
                % {"date": info.birth_date.isoformat()},
            )
        sex_text = row[at["sex"]]
        if info is not None and sex_text and _SEX.get(sex_text.strip().lower()) != info.sex:
            error("sex", sex_text, _("the sex differs from the one in the NIP"))
        if issues or info is None or unit is None:
            return None, issues
        self.seen[nip] = number
        if not info.conforms:
            issues.append(RowIssue(number, "nip", nip, info.problem or "", "flagged"))
        return (
            ValidRow(
                nip=nip,
                name=name,
                employment_type=kind,
                conforms=info.conforms,
                birth_date=info.birth_date,
                sex=info.sex,
                agency_id=unit[1],
                unit_id=unit[0],
                position=position,
                is_head=bool(is_head),
                is_active=bool(is_active),
            ),
            issues,
        )


# --- Writing ----------------------------------------------------------------------------------

_TABLE = CivilServant._meta.db_table
_COLUMNS = (
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
_UPDATED = [c for c in _COLUMNS if c not in ("nip", "created_at")]
_INSERT = (
    f"INSERT INTO {_TABLE} ({', '.join(_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
)
_SET = ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)


def _position_ids(names: Iterable[str], cache: dict[str, int]) -> None:
    missing = {n for n in names if n and n not in cache}
    if not missing:
        return
    Position.objects.bulk_create([Position(name=n) for n in missing], ignore_conflicts=True)
    for pk, name in Position.objects.filter(name__in=missing).values_list("pk", "name"):
        cache[name] = pk


def _tuples(rows: list[ValidRow], positions: dict[str, int], now: Any) -> list[tuple[Any, ...]]:
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
                    columns = ", ".join(_COLUMNS)
                    copy_sql = f"COPY {_TABLE} ({columns}) FROM STDIN"
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
                cursor.execute(f"SELECT nip FROM {_TABLE} WHERE nip = ANY(%s)", [nips])  # noqa: S608
                return {nip for (nip,) in cursor.fetchall()}
            found: set[str] = set()
            for start in range(0, len(nips), 500):  # under SQLite's oldest limit, 999
                chunk = nips[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT nip FROM {_TABLE} WHERE nip IN ({marks})", chunk)  # noqa: S608
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
        columns = ", ".join(_COLUMNS)
        with connection.cursor() as cursor:
            if not self._staged:
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {stage} "
                    f"(LIKE {_TABLE} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
                )
                cursor.execute(f"ALTER TABLE {stage} DROP COLUMN IF EXISTS id")
                self._staged = True
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {_TABLE} ({columns}) SELECT {columns} FROM {stage} "  # noqa: S608
                f"ON CONFLICT (nip) DO UPDATE SET {_SET}"
            )
            cursor.execute(f"TRUNCATE {stage}")


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
        table = connection.ops.quote_name(_TABLE)
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
                [_TABLE],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [_TABLE],
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
            _position_ids(missing, positions)
        if self._copy is None:
            from psycopg.copy import QueuedLibpqWriter

            self._cursor = connection.cursor()
            raw = self._cursor.cursor  # the psycopg cursor under Django's wrapper
            columns = ", ".join(_COLUMNS)
            self._manager = raw.copy(
                f"COPY {_TABLE} ({columns}) FROM STDIN", writer=QueuedLibpqWriter(raw)
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
                f"{r.birth_date.isoformat() if r.birth_date else _NULL}\t{r.sex}\t"
                f"{r.agency_id}\t{r.unit_id}\t{_NULL if position is None else position}\t"
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
            cursor.execute(f"ANALYZE {connection.ops.quote_name(_TABLE)}")

    def abort(self) -> None:
        """After an error: end the stream; the transaction's rollback restores the table."""
        if self._copy is not None:
            self._copy = None
            error = RuntimeError("import aborted")
            # The rollback that follows is what matters; the end of the stream may fail too.
            with suppress(Exception):
                self._manager.__exit__(RuntimeError, error, None)


_NULL = "\\N"

# First loads below this many rows go through the ordinary path: dropping and building the
# indexes costs more than it saves on a small table.
FIRST_LOAD_MIN_ROWS = 50_000

# --- The whole import -------------------------------------------------------------------------

Progress = Callable[[int, int], None]


def import_civil_servants(
    path: Path,
    *,
    original_name: str = "",
    allowed_agencies: set[int] | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    first_load: bool | None = None,
    first_load_min_rows: int = FIRST_LOAD_MIN_ROWS,
) -> ImportResult:
    """Import a CSV or XLSX file; raises ``ImportFileError`` when the file cannot be read at all.

    ``first_load``: False never locks the table (web imports of one agency); None decides by
    itself: the ``FirstLoad`` path on PostgreSQL when the table is empty and the file has at
    least ``first_load_min_rows`` rows (the command); True forces it where it is possible.
    ``progress`` must not use the database: during a first load the connection is streaming.
    """
    header, rows, estimate = read_rows(path, original_name)
    cols = map_header(header)
    units = {
        code: (pk, agency)
        for pk, code, agency in Unit.objects.values_list("pk", "code", "agency_id")
    }
    validator = RowValidator(units=units, allowed_agencies=allowed_agencies)
    positions: dict[str, int] = {}
    result = ImportResult()
    before = CivilServant.objects.count()
    now = timezone.now()
    # The time as the database stores it, converted once rather than twice per row.
    stamp = connection.ops.adapt_datetimefield_value(now)
    batch: list[ValidRow] = []
    with ExitStack() as stack:
        loader: FirstLoad | None = None
        minimum = 0 if first_load else first_load_min_rows
        if first_load is not False and FirstLoad.possible(estimate, minimum):
            stack.enter_context(transaction.atomic())
            loader = FirstLoad()
            if not loader.start():
                loader = None
        writer = Writer()

        def flush() -> None:
            if not batch:
                return
            if loader is not None:
                loader.write(batch, positions, now)
            else:
                with transaction.atomic():
                    _position_ids((r.position for r in batch), positions)
                    writer.write(_tuples(batch, positions, stamp))
            result.imported += len(batch)
            batch.clear()

        try:
            number = 1
            for number, row in enumerate(rows, start=2):
                if not any(row):
                    continue  # blank line
                result.total_rows += 1
                valid, issues = validator.validate(number, row, cols)
                if issues:
                    result.issues.extend(issues)
                if valid is None:
                    result.rejected += 1
                    continue
                if not valid.conforms:
                    result.flagged += 1
                batch.append(valid)
                if len(batch) >= batch_size:
                    flush()
                    if progress:
                        progress(result.total_rows, max(estimate, result.total_rows))
            flush()
            if loader is not None:
                loader.finish()
        except BaseException:
            if loader is not None:
                loader.abort()
            raise
    if progress:
        progress(result.total_rows, result.total_rows)
    result.created = CivilServant.objects.count() - before
    if result.imported:
        from netral.registry.headcount import refresh_headcounts

        refresh_headcounts()  # rows may have moved between agencies: recount them all
    return result


REPORT_HEADER = (_("row"), _("column"), _("value"), _("problem"), _("outcome"))


def write_report(issues: Iterable[RowIssue], out: IO[str], language: str) -> None:
    """The row-by-row report as CSV, in the user's language."""
    with translation.override(language):
        outcome = {"error": str(_("not imported")), "flagged": str(_("imported, flagged"))}
        writer = csv.writer(out)
        writer.writerow([str(h) for h in REPORT_HEADER])
        for issue in issues:
            writer.writerow(
                [issue.row, issue.column, issue.value, str(issue.reason), outcome[issue.severity]]
            )


def report_text(issues: Iterable[RowIssue], language: str) -> str:
    buffer = io.StringIO()
    write_report(issues, buffer, language)
    return buffer.getvalue()
