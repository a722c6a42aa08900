"""Reference data memoised per process: read on almost every request, changed a few times a year.

The violation types and elections of the law's catalogue, the deadline rules, the provinces,
the Bawaslu offices and the agencies a reporter may name are read by every report
submission; loading them each time cost more than the report's own insert. A process keeps
what it loaded (``memo``) together with the revision of ``core.Revision("reference")`` it
saw. Every change gives that revision a new random value in the changing transaction: ORM
saves and deletes of the models in ``models()`` through signals, bulk paths (loaders,
seeding) by calling ``changed()``. Other processes compare their revision with the row at
most every ``NETRAL_REFERENCE_RECHECK_SECONDS`` (2), so they follow a change within that
time; the changing process drops its memo at once.

Values are shared between threads: treat them as read-only.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

REVISION = "reference"
T = TypeVar("T")

_lock = threading.Lock()
_memo: dict[str, Any] = {}
_state = {"revision": -1, "checked_at": float("-inf")}


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


def memo(name: str, load: Callable[[], T]) -> T:
    """``load()``'s result, kept until the reference data changes."""
    _recheck()
    try:
        return _memo[name]
    except KeyError:
        pass
    value = load()
    with _lock:
        _memo[name] = value
    return value


def forget() -> None:
    """Drop this process's memo; the next read checks the revision again."""
    with _lock:
        _memo.clear()
        _state["checked_at"] = float("-inf")


def changed() -> None:
    """Reference data changed in the current transaction: drop this process's memo and give
    the shared revision a new value (see ``bump_revision``)."""
    forget()
    bump_revision(REVISION)


def models() -> list[type]:
    """The models whose rows are reference data (their saves and deletes bump the revision)."""
    from netral.regions.models import Region
    from netral.registry.models import Agency, Office
    from netral.rules.models import DeadlineRule, Election, ViolationType

    return [Agency, DeadlineRule, Election, Office, Region, ViolationType]


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    for model in models():
        uid = f"reference:{model.__name__}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}:delete")


def _on_change(sender: Any, **kwargs: Any) -> None:
    changed()
