"""Dashboard figures kept in Django's shared cache, valid for one revision of the rollup.

A figure computed from the rollup (``CaseStat``) is stored under its name and key with the
revision it was computed at; it is served while the revision is unchanged. Every rewrite of
the rollup (``netral.insights.rollup.refresh`` and ``refresh_all``) gives the revision a new,
never repeated value, so a stale figure is never served: the revision changes in the same
transaction as the rows (the database cache) and again once they are committed (a cache
outside the database, such as Redis, where the first change could be seen before the rows).
A figure computed from rows that were about to change is stored under the old revision,
which nobody asks for any more. A figure computed on the read replica is served but never
stored: the replica may still lag behind a revision already renewed.

The cache is the one every process shares (``CACHES["default"]``: Redis, else a database
table), so all app servers agree; a lost or evicted revision is simply started anew. Only
public APIs are used: the cache framework and ordinary querysets.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction

from netral.core import routing

REVISION_KEY = "netral:insights:rollup-revision"
# A kept figure whose scope and filter nobody asks for again leaves the cache after a day.
KEEP_SECONDS = 24 * 3600

T = TypeVar("T")


def revision() -> str:
    """The rollup's current revision (a new one when the cache has lost it)."""
    found = cache.get(REVISION_KEY)
    if found is None:
        cache.add(REVISION_KEY, uuid.uuid4().hex, None)
        found = cache.get(REVISION_KEY)
    return str(found)


def _renew() -> None:
    cache.set(REVISION_KEY, uuid.uuid4().hex, None)


def rollup_changed() -> None:
    """Called by every writer of the rollup, inside its transaction: no figure kept so far is
    served again."""
    _renew()
    transaction.on_commit(_renew)


def _cache_key(name: str, key: Hashable) -> str:
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    return f"netral:insights:{name}:{digest}"


def kept(name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, from the cache while the rollup's revision is the one it was kept at.
    ``key`` (with ``name``) must determine the figure completely, and have a stable ``repr``
    (no sets: their order differs between processes)."""
    where = _cache_key(name, key)
    found = cache.get_many([REVISION_KEY, where])
    current = found.get(REVISION_KEY)
    if current is None:
        current = revision()
    entry: Any = found.get(where)
    if entry is not None and entry[0] == current and entry[1] == (name, key):
        value: T = entry[2]
        return value
    value = compute()
    if routing.read_alias() == DEFAULT_DB_ALIAS:
        cache.set(where, (current, (name, key), value), KEEP_SECONDS)
    return value
