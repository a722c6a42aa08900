"""Compiled statements, kept per process: a hot read-only query built and compiled once.

Building and compiling a queryset costs the ORM 0.3 to 1 ms, whatever the database then does.
A dashboard scoped to one province runs four queries that the database answers in about
0.2 ms each, so most of its time went on compiling the same SQL again (the idea of
SQLAlchemy's compiled cache, or the "baked" queries it once had). ``rows(key, build)`` calls
``build`` only the first time it meets ``key``; it keeps the SQL, its parameters and the
converters of the selected columns, and from then on executes the statement directly and
converts the values exactly as the queryset would have.

The caller's promise: ``key`` determines the queryset completely (every filter value).
The statement never depends on the data, so there is nothing to invalidate; the current
time zone and the database alias (``using``, by default the router's read alias, checked
against the queryset's) are added to the key. At most ``MAX_STATEMENTS`` are kept, the least
recently used dropped first. Only ``values_list()`` querysets (tuples) without
``select_for_update`` may be compiled; the columns' converters are looked up on the executing
thread's connection.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ValuesListIterable
from django.utils import timezone

from netral.core import routing

MAX_STATEMENTS = 1024


@dataclass(frozen=True)
class Statement:
    alias: str
    sql: str | None  # None: the queryset can match nothing (no query is run)
    params: tuple[Any, ...]
    converted: tuple[tuple[int, Any], ...]  # (position, expression) of columns with converters
    width: int | None  # trim each row to this many columns (ordering added some), or None


_lock = threading.Lock()
_statements: OrderedDict[Hashable, Statement] = OrderedDict()


def compile_queryset(queryset: QuerySet[Any]) -> Statement:
    """The SQL, parameters and converted columns the ORM would use for ``queryset``."""
    if queryset._iterable_class is not ValuesListIterable:
        raise TypeError("only values_list() querysets (not flat, not named) can be compiled")
    if queryset.query.select_for_update:
        raise TypeError("a locking read cannot be kept: its transaction checks run at compile time")
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return Statement(queryset.db, None, (), (), None)
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    if compiler.has_composite_fields(fields):
        raise TypeError("composite fields are not supported")
    converted = tuple(
        (position, expression)
        for position, (_functions, expression) in compiler.get_converters(fields).items()
    )
    width = compiler.col_count if compiler.has_extra_select else None
    return Statement(queryset.db, sql, tuple(params), converted, width)


def statement(
    key: Hashable, build: Callable[[], QuerySet[Any]], using: str | None = None
) -> Statement:
    using = using or routing.read_alias()
    full_key = (key, using, timezone.get_current_timezone_name())
    with _lock:
        found = _statements.get(full_key)
        if found is not None:
            _statements.move_to_end(full_key)
            return found
    compiled = compile_queryset(build())
    if compiled.alias != using:
        raise ValueError(f"the queryset reads {compiled.alias!r}, not {using!r}")
    with _lock:
        _statements[full_key] = compiled
        while len(_statements) > MAX_STATEMENTS:
            _statements.popitem(last=False)
    return compiled


def rows(
    key: Hashable, build: Callable[[], QuerySet[Any]], using: str | None = None
) -> list[tuple[Any, ...]]:
    """The rows of the ``values_list()`` queryset ``build()`` returns (reading the database
    ``using``, by default the one the router picks now: the replica inside
    ``netral.core.routing.replica_reads``), compiled once per ``key``."""
    compiled = statement(key, build, using)
    if compiled.sql is None:
        return []
    connection = connections[compiled.alias]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, compiled.params)
        found = cursor.fetchall()
    if compiled.width is not None:
        found = [row[: compiled.width] for row in found]
    if not compiled.converted:
        return list(found)
    converters = [
        (
            position,
            [
                *connection.ops.get_db_converters(expression),
                *expression.get_db_converters(connection),
            ],
            expression,
        )
        for position, expression in compiled.converted
    ]
    out = []
    for row in found:
        values = list(row)
        for position, functions, expression in converters:
            value = values[position]
            for function in functions:
                value = function(value, expression, connection)
            values[position] = value
        out.append(tuple(values))
    return out


def forget() -> None:
    """Drop every kept statement (tests)."""
    with _lock:
        _statements.clear()
