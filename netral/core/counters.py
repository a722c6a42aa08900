"""A cache backend for integer counters in a database table, each operation one statement.

It is where django-ratelimit (and the proof-of-work replay check) keep their counts when no
Redis is configured. Django's own database cache reads and writes a counter in a
transaction of six statements and is not atomic across processes (``incr`` is a read and
a write), which both costs most of a small request and lets concurrent clients past a
limit. Here ``add`` is one ``INSERT ... ON CONFLICT`` that also takes over an expired row,
``incr`` one ``UPDATE ... RETURNING``: atomic on SQLite and PostgreSQL alike.

Only integers are stored; expiry is Unix time in seconds. Expired rows are replaced by the
next ``add`` of their key and removed by ``purge_expired`` (a periodic task).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import connections

_FOREVER = 2**62


class CounterCache(BaseCache):
    """``CACHES`` entry: ``{"BACKEND": "netral.core.counters.CounterCache"}``; the table is
    ``core_counter`` of the ``default`` database (``LOCATION`` names another alias)."""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self._alias = location or "default"

    # --- helpers ---

    def _expiry(self, timeout: Any) -> int | None:
        """Unix time at which a value set now expires; None when it must not be stored."""
        seconds = self.get_backend_timeout(timeout)
        if seconds is None:
            return _FOREVER
        if seconds <= time.time():  # get_backend_timeout returns an absolute time
            return None
        return int(seconds)

    def _execute(self, sql: str, params: list[Any]) -> tuple[int, list[tuple[Any, ...]]]:
        connection = connections[self._alias]
        table = connection.ops.quote_name("core_counter")
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("{table}", table), params)
            rows = cursor.fetchall() if cursor.description else []
            return cursor.rowcount, rows

    @staticmethod
    def _integer(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"CounterCache stores integers only, not {type(value).__name__}")
        return value

    # --- the cache API ---

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        expires = self._expiry(timeout)
        if expires is None:
            return False
        changed, _ = self._execute(
            "INSERT INTO {table} (name, n, expires_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET n = excluded.n, expires_at = excluded.expires_at "
            "WHERE {table}.expires_at <= %s",
            [key, self._integer(value), expires, int(time.time())],
        )
        return changed == 1

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        expires = self._expiry(timeout)
        if expires is None:
            self._delete(key)
            return
        self._execute(
            "INSERT INTO {table} (name, n, expires_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET n = excluded.n, expires_at = excluded.expires_at",
            [key, self._integer(value), expires],
        )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        _, rows = self._execute(
            "SELECT n FROM {table} WHERE name = %s AND expires_at > %s",
            [key, int(time.time())],
        )
        return rows[0][0] if rows else default

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        _, rows = self._execute(
            "UPDATE {table} SET n = n + %s WHERE name = %s AND expires_at > %s RETURNING n",
            [self._integer(delta), key, int(time.time())],
        )
        if not rows:
            raise ValueError(f"Key '{key}' not found")
        return int(rows[0][0])

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        expires = self._expiry(timeout)
        if expires is None:
            return self._delete(key)
        changed, _ = self._execute(
            "UPDATE {table} SET expires_at = %s WHERE name = %s AND expires_at > %s",
            [expires, key, int(time.time())],
        )
        return changed == 1

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._delete(self.make_and_validate_key(key, version=version))

    def _delete(self, made_key: str) -> bool:
        """Delete by a key already made (prefixed and versioned)."""
        changed, _ = self._execute("DELETE FROM {table} WHERE name = %s", [made_key])
        return changed == 1

    def clear(self) -> None:
        self._execute("DELETE FROM {table}", [])

    def purge_expired(self) -> int:
        """Remove the rows whose time is up; returns how many."""
        changed, _ = self._execute("DELETE FROM {table} WHERE expires_at <= %s", [int(time.time())])
        return max(changed, 0)
