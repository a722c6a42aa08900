"""Spreadsheets safe to open: no cell a reporter typed becomes a live formula.

A spreadsheet program runs a CSV cell that starts with ``=``, ``+``, ``-`` or ``@`` (also after a
tab or carriage return) as a formula, e.g. ``=HYPERLINK(...)``. CSV cells that start so get a
leading apostrophe (OWASP's advice; shown as text, the value otherwise kept), and XLSX text
cells are written as strings, never as formulas.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_576  # rows in one sheet, the header included


def neutral(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose text cells cannot turn into formulas."""

    def __init__(self, handle: Any) -> None:
        self._writer = csv.writer(handle)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutral(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """Cells for a write-only openpyxl sheet; text is always a string cell, never a formula."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        cells.append(cell)
    return cells
