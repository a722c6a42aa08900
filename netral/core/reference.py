"""Reference data memoised per process: read on almost every request, changed a few times a year.

The violation types and elections of the law's catalogue, the deadline rules, the provinces,
the Bawaslu offices and the agencies a reporter may name are read by every report
submission; loading them each time cost more than the report's own insert. A process keeps
what it loaded (``memo``) together with the revision of ``core.Revision("reference")`` it
saw. Every change gives that revision a new random value in the changing transaction: ORM
saves and deletes of the models each app declares with ``track()`` in its own ``ready()``
(``core`` knows none of them), bulk paths (loaders, seeding) by calling ``changed()``. Other
processes compare their revision with the row at most every
``NETRAL_REFERENCE_RECHECK_SECONDS`` (2), so they follow a change within that time; the
changing process drops its memo at once.

Values are shared between threads, so ``memo`` hands out immutable ones only: tuples, frozen
sets, read-only mappings (``types.MappingProxyType``), strings, numbers and rows; a loader that
returns a list, dict or set is refused. A per-process cache that fills as it is read keys its
entries with ``generation()`` instead.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from types import MappingProxyType
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

REVISION = "reference"
T = TypeVar("T")

_lock = threading.Lock()
_memo: dict[str, Any] = {}
_state = {"revision": -1, "checked_at": float("-inf"), "forgotten": 0}
_tracked: list[type[Model]] = []


def read_revision(name: str) -> int:
    """The current value of a named revision (0 before its first change)."""
    from netral.core.models import Revision

    value = Revision.objects.filter(name=name).values_list("value", flat=True).first()
    return value or 0


def bump_revision(name: str) -> None:
    """Give a named revision a new value, in the current transaction.

    The value is random, not a count: a bump rolled back and another process's later bump can
    never land on the same number, so whatever was cached inside the rolled-back transaction is
    never taken for current. One statement, so concurrent first changes cannot lose one.
    """
    from django.db import connection

    table = connection.ops.quote_name("core_revision")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, value) VALUES (%s, %s) "  # noqa: S608 (quoted name)
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [name, secrets.randbits(62)],
        )


def _recheck() -> None:
    now = time.monotonic()
    if now - _state["checked_at"] < settings.NETRAL_REFERENCE_RECHECK_SECONDS:
        return
    revision = read_revision(REVISION)
    with _lock:
        if revision != _state["revision"]:
            _memo.clear()
            _state["revision"] = revision
        _state["checked_at"] = now


def _immutable(value: Any) -> bool:
    if isinstance(value, list | dict | set | bytearray):
        return False
    if isinstance(value, tuple | frozenset):
        return all(_immutable(v) for v in value)
    if isinstance(value, MappingProxyType):
        return all(_immutable(k) and _immutable(v) for k, v in value.items())
    return True


def memo(name: str, load: Callable[[], T]) -> T:
    """``load()``'s result, kept until the reference data changes (immutable: see above)."""
    _recheck()
    try:
        return _memo[name]
    except KeyError:
        pass
    value = load()
    if not _immutable(value):
        raise TypeError(
            f"reference memo {name!r}: return tuples, frozensets or MappingProxyType, not a "
            "list, dict or set (the value is shared by every thread of the process)"
        )
    with _lock:
        _memo[name] = value
    return value


def generation() -> tuple[int, int]:
    """What the memo of this process currently stands for: a key for caches that fill as they
    are read (an entry made under another generation is never read again)."""
    _recheck()
    return int(_state["revision"]), int(_state["forgotten"])


def forget() -> None:
    """Drop this process's memo; the next read checks the revision again."""
    with _lock:
        _memo.clear()
        _state["checked_at"] = float("-inf")
        _state["forgotten"] += 1


def changed() -> None:
    """Reference data changed in the current transaction: drop this process's memo and give
    the shared revision a new value (see ``bump_revision``)."""
    forget()
    bump_revision(REVISION)


def track(*models: type[Model]) -> None:
    """Declare models whose rows are reference data: their ORM saves and deletes give the
    revision a new value. Each app calls it in its own ``ready()`` for what it memoises."""
    for model in models:
        if model in _tracked:
            continue
        _tracked.append(model)
        uid = f"reference:{model._meta.label}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}:delete")


def models() -> list[type[Model]]:
    """The models declared as reference data (``track``)."""
    return list(_tracked)


def _on_change(sender: Any, **kwargs: Any) -> None:
    changed()
