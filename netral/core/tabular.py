"""Reading uploaded tables (CSV or XLSX) row by row, mapping their headers, and the row-by-row
report of what was refused: shared by every file import (civil servants, past cases,
attendance lists).

Rows come as lists of stripped strings, whatever the file type: a spreadsheet's dates as
ISO dates, its whole numbers without ``.0``; a number too long for a double (an 18-digit NIP
typed as a number) reads as ``LOST_DIGITS`` so that the importer can say why it is refused.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


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


# --- Reading ----------------------------------------------------------------------------------

# Spreadsheets keep numbers as doubles: an 18-digit NIP typed as a number has lost digits.
LOST_DIGITS = "\x00lost-digits"

Table = tuple[list[str], Iterator[list[str]], int]


def cell(value: Any) -> str:
    """A spreadsheet cell as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return LOST_DIGITS if abs(value) >= 1e15 else str(int(value))
    return str(value).strip()


def read_rows(path: Path, original_name: str = "") -> Table:
    """Header, an iterator of data rows (as strings) and an estimate of the row count. The type
    comes from the content (an XLSX workbook is a ZIP file), the name only to refuse a damaged
    workbook; anything else is read as CSV (UTF-8, comma or semicolon)."""
    name = (original_name or path.name).lower()
    with path.open("rb") as probe:
        head = probe.read(4)
    if head.startswith(b"PK"):
        return _read_xlsx(path)
    if name.endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("The file is not a valid XLSX workbook."))
    return _read_csv(path)


def _read_csv(path: Path) -> Table:
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


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("The file is not a valid XLSX workbook.")) from exc
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        header = [cell(v) for v in next(values)]
    except StopIteration:
        workbook.close()
        raise ImportFileError(_("The file is empty.")) from None

    def rows() -> Iterator[list[str]]:
        try:
            for row in values:
                yield [cell(v) for v in row]
        finally:
            workbook.close()

    return header, rows(), max(0, (sheet.max_row or 1) - 1)


@contextmanager
def uploaded_path(upload: Any) -> Iterator[Path]:
    """An uploaded file (Django's ``UploadedFile``) as a temporary file on disk, named with the
    upload's suffix, for as long as the block runs."""
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name or "").suffix) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        yield Path(tmp.name)


def column_values(path: Path, column: str, original_name: str = "") -> list[tuple[int, str]]:
    """(row number, value) of one column in every non-blank row, the header being row 1.
    Raises ``LookupError`` when no column is titled ``column`` (compared lower-cased)."""
    header, rows, _estimate = read_rows(path, original_name)
    titles = [h.strip().lower() for h in header]
    if column not in titles:
        raise LookupError(column)
    index = titles.index(column)
    return [
        (offset + 2, row[index] if index < len(row) else "")
        for offset, row in enumerate(rows)
        if any(row)
    ]


def map_header(
    header: Sequence[str], columns: Mapping[str, Sequence[str]], required: Sequence[str]
) -> dict[str, int]:
    """Canonical column name -> index; raises when a required column is missing. ``columns``
    maps each canonical name to the titles accepted for it (lower case, ``_`` for spaces)."""
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


# --- The row report ---------------------------------------------------------------------------

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
