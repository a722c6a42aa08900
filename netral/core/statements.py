"""Statements kept per process: a hot read-only query built by the ORM once, then run as SQL.

Building and compiling a queryset costs the ORM 0.3 to 1 ms, whatever the database then does;
a province's dashboard runs a few queries that the database answers in a fraction of that.
``rows(key, build)`` runs the ``values_list()`` queryset ``build()`` returns through the ORM
the first time it meets ``key``, capturing its one SQL statement with Django's documented
instrumentation hook (``connection.execute_wrapper``); it then runs the same SQL and
parameters itself and keeps them only if the database's own rows equal the ORM's, value for
value and type for type (so a column the ORM converts, such as a date or a boolean on SQLite
or a decimal, is never run directly: that key keeps going through the ORM). Until every column
has been seen with a value (the first result may have no row), only an empty result is served
directly; the first rows go through the ORM once more and are compared. From then on the
statement runs directly. Only public APIs are used; no ORM internals. Not for locking reads
(``select_for_update``).

The caller's promise: ``key`` determines the queryset completely (every filter value). The
statement never depends on the data, so there is nothing to invalidate; the database alias
(by default the router's read alias, checked against the queryset's) and the current time
zone are added to the key. At most ``MAX_STATEMENTS`` are kept, the least
recently used dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

from netral.core import routing

MAX_STATEMENTS = 1024


@dataclass(frozen=True)
class Statement:
    sql: str | None  # None: the ORM ran no query (the queryset matches nothing)
    params: tuple[Any, ...]
    # Whether every column was seen with a value equal to the ORM's; until then only an empty
    # result is served directly (no row, nothing to convert).
    verified: bool = True


_UNFIT = Statement("", ())  # marks a key whose rows the ORM converts: always the ORM
_lock = threading.Lock()
_statements: OrderedDict[Hashable, Statement] = OrderedDict()


def _fetch(alias: str, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _typed(rows: list[tuple[Any, ...]]) -> list[tuple[tuple[type, Any], ...]]:
    return [tuple((type(value), value) for value in row) for row in rows]


def _capture(build: Callable[[], QuerySet[Any]], using: str) -> tuple[list[Any], Statement]:
    """The ORM's rows, and the statement to keep: ``_UNFIT`` when it cannot be kept, not yet
    verified when the rows do not show what the ORM does (no row, a column only ever NULL)."""
    queryset = build()
    if queryset.db != using:
        raise ValueError(f"the queryset reads {queryset.db!r}, not {using!r}")
    seen: list[tuple[str, tuple[Any, ...]]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(("", ()) if many else (sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connections[using].execute_wrapper(record):
        found = list(queryset)
    if any(type(row) is not tuple for row in found):
        raise TypeError("only values_list() querysets (plain tuples) can be kept")
    if not seen:
        return found, Statement(None, ())
    if len(seen) != 1 or not seen[0][0]:
        return found, _UNFIT
    sql, params = seen[0]
    raw = _fetch(using, sql, params)
    if _typed(raw) != _typed(found):
        return found, _UNFIT
    widths = {len(row) for row in found}
    seen_all = len(widths) == 1 and all(
        any(row[i] is not None for row in found) for i in range(widths.pop())
    )
    return found, Statement(sql, params, verified=seen_all)


def rows(
    key: Hashable, build: Callable[[], QuerySet[Any]], using: str | None = None
) -> list[tuple[Any, ...]]:
    """The rows of the ``values_list()`` queryset ``build()`` returns (reading the database
    ``using``, by default the one the router picks now: the replica inside
    ``netral.core.routing.replica_reads``), its SQL built by the ORM once per ``key``."""
    using = using or routing.read_alias()
    full_key = (key, using, timezone.get_current_timezone_name())
    with _lock:
        kept = _statements.get(full_key)
        if kept is not None:
            _statements.move_to_end(full_key)
    if kept is not None and kept is not _UNFIT:
        if kept.sql is None:
            return []
        found = _fetch(using, kept.sql, kept.params)
        if kept.verified or not found:
            return found
        kept = None  # rows to verify at last: through the ORM once more
    if kept is _UNFIT:
        return [tuple(row) for row in build()]
    found, kept = _capture(build, using)
    with _lock:
        _statements[full_key] = kept
        _statements.move_to_end(full_key)
        while len(_statements) > MAX_STATEMENTS:
            _statements.popitem(last=False)
    return found


def forget() -> None:
    """Drop every kept statement (tests)."""
    with _lock:
        _statements.clear()
