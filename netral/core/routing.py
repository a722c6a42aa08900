"""Reads that may go to the streaming replica (``NETRAL_DATABASE_REPLICA_URL``).

Every query reads and writes the primary, except inside ``replica_reads()``: the views marked
``@may_read_replica`` (dashboards, the transparency page, officer lists) and the export task
that builds the file. Even there the primary answers when

- no replica is configured (``make run``, SQLite, most tests),
- the block runs inside a transaction on the primary (``atomic``, ``select_for_update``),
- the browser's last successful write (POST, PUT, PATCH, DELETE) is younger than
  ``NETRAL_REPLICA_STICKY_SECONDS``: the page shown right after a write reads what it wrote.

Writes, migrations and every step's form always use the primary.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

REPLICA = "replica"
# The browser's last write, as whole seconds since the epoch.
WROTE_COOKIE = "netral_wrote"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_allowed: ContextVar[bool] = ContextVar("netral_replica_reads", default=False)

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def replica_reads(allowed: bool = True) -> Iterator[None]:
    """Let the reads of this block go to the replica (``allowed=False``: keep them on the
    primary, e.g. for a nested part that must see its own writes)."""
    token = _allowed.set(allowed)
    try:
        yield
    finally:
        _allowed.reset(token)


def read_alias() -> str:
    """The database a read made now goes to."""
    if (
        _allowed.get()
        and replica_configured()
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    ):
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """``DATABASE_ROUTERS``: reads as ``read_alias()`` says, everything else on the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None


def sticky_seconds() -> int:
    return int(settings.NETRAL_REPLICA_STICKY_SECONDS)


def wrote_recently(request: HttpRequest, now: float | None = None) -> bool:
    """Whether this browser made a successful write less than the sticky window ago."""
    raw = request.COOKIES.get(WROTE_COOKIE, "")
    if not raw.isascii() or not raw.isdigit():
        return False
    moment = time.time() if now is None else now
    return moment - int(raw) < sticky_seconds()


def may_read_replica(view: View) -> View:
    """Mark a read-only page whose reads may come from the replica (a GET or HEAD of a browser
    that did not write in the last ``NETRAL_REPLICA_STICKY_SECONDS``). Put it next to ``def``,
    below the access decorators, so that access is always decided on the primary."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        allowed = request.method in ("GET", "HEAD") and not wrote_recently(request)
        with replica_reads(allowed):
            return view(request, *args, **kwargs)

    wrapped.reads_replica = True  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


class ReadYourWritesMiddleware:
    """After a successful unsafe request, the browser reads the primary for the sticky window."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        seconds = sticky_seconds()
        if (
            request.method in UNSAFE_METHODS
            and response.status_code < 400
            and seconds > 0
            and replica_configured()
        ):
            response.set_cookie(
                WROTE_COOKIE,
                str(int(time.time())),
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
