"""Compiled statements, kept per process: a hot read-only query built and compiled once.

Building and compiling a queryset costs the ORM 0.3 to 1 ms, whatever the database then does.
A dashboard scoped to one province runs four queries that the database answers in about
0.2 ms each, so most of its time went on compiling the same SQL again (the idea of
SQLAlchemy's compiled cache, or the "baked" queries it once had). ``rows(key, build)`` calls
``build`` only the first time it meets ``key``; it keeps the SQL, its parameters and the
converters of the selected columns, and from then on executes the statement directly and
converts the values exactly as the queryset would have.

The caller's promise: ``key`` determines the queryset completely (every filter value,
the database it reads). The statement never depends on the data, so there is nothing to
invalidate; the current time zone is added to the key because aware datetimes in a filter
depend on it. At most ``MAX_STATEMENTS`` are kept, the least recently used dropped first.
Only ``values_list()`` querysets (tuples) may be compiled: they need no model instances.
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

MAX_STATEMENTS = 1024

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class Statement:
    alias: str
    sql: str | None  # None: the queryset can match nothing (no query is run)
    params: tuple[Any, ...]
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]
    width: int | None  # trim each row to this many columns (ordering added some), or None


_lock = threading.Lock()
_statements: OrderedDict[Hashable, Statement] = OrderedDict()


def compile_queryset(queryset: QuerySet[Any]) -> Statement:
    """The SQL, parameters and converters the ORM would use for ``queryset``."""
    if queryset._iterable_class is not ValuesListIterable:
        raise TypeError("only values_list() querysets (not flat, not named) can be compiled")
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return Statement(queryset.db, None, (), (), None)
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    if compiler.has_composite_fields(fields):
        raise TypeError("composite fields are not supported")
    converters = tuple(
        (position, tuple(functions), expression)
        for position, (functions, expression) in compiler.get_converters(fields).items()
    )
    width = compiler.col_count if compiler.has_extra_select else None
    return Statement(queryset.db, sql, tuple(params), converters, width)


def statement(key: Hashable, build: Callable[[], QuerySet[Any]]) -> Statement:
    full_key = (key, timezone.get_current_timezone_name())
    with _lock:
        found = _statements.get(full_key)
        if found is not None:
            _statements.move_to_end(full_key)
            return found
    compiled = compile_queryset(build())
    with _lock:
        _statements[full_key] = compiled
        while len(_statements) > MAX_STATEMENTS:
            _statements.popitem(last=False)
    return compiled


def rows(key: Hashable, build: Callable[[], QuerySet[Any]]) -> list[tuple[Any, ...]]:
    """The rows of the ``values_list()`` queryset ``build()`` returns, compiled once per ``key``."""
    compiled = statement(key, build)
    if compiled.sql is None:
        return []
    connection = connections[compiled.alias]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, compiled.params)
        found = cursor.fetchall()
    if compiled.width is not None:
        found = [row[: compiled.width] for row in found]
    if not compiled.converters:
        return list(found)
    out = []
    for row in found:
        values = list(row)
        for position, functions, expression in compiled.converters:
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
