"""Leases for long background jobs (exports, imports): a job that is running says so every few
seconds; a job whose worker died (SIGKILL, a lost machine) stops saying so, and the scheduler's
sweep marks it failed so its page offers to start it again, instead of showing "running" forever.

The job's model needs a nullable ``heartbeat_at`` field. A thread beside the job refreshes it, so
a phase without progress callbacks (one long SQL statement, writing an XLSX) keeps the lease
while the process lives; when the process dies, the thread dies with it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

logger = logging.getLogger(__name__)


def lease_seconds() -> int:
    return int(settings.NETRAL_JOB_LEASE_SECONDS)


def beat(model: type[models.Model], pk: Any) -> None:
    model._default_manager.filter(pk=pk).update(heartbeat_at=timezone.now())


@contextmanager
def leased(model: type[models.Model], pk: Any, every: float | None = None) -> Iterator[None]:
    """Keep row ``pk`` of ``model`` alive (``heartbeat_at``) while the block runs."""
    interval = every if every is not None else max(1.0, lease_seconds() / 4)
    stop = threading.Event()
    beat(model, pk)

    def keep() -> None:
        try:
            while not stop.wait(interval):
                try:
                    beat(model, pk)
                except Exception:  # a busy database must not kill the job; retry next beat
                    logger.warning("heartbeat of %s %s failed", model.__name__, pk, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    # In tests the job runs inside the test's transaction: another connection could not see
    # (or would wait for) its row, so the thread is only started outside a transaction.
    thread = None
    if not connection.in_atomic_block:
        thread = threading.Thread(target=keep, name=f"lease-{model.__name__}-{pk}", daemon=True)
        thread.start()
    try:
        yield
    finally:
        stop.set()
        if thread is not None:
            thread.join(timeout=interval + 5)


def expire(
    model: type[models.Model],
    *,
    running: str,
    failed: str,
    message_field: str,
    message: str,
    now: Any = None,
) -> list[Any]:
    """Mark failed every running job of ``model`` whose lease ran out; return their keys."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=lease_seconds())
    stale = model._default_manager.filter(status=running).filter(
        models.Q(heartbeat_at__lt=cutoff) | models.Q(heartbeat_at__isnull=True)
    )
    keys = list(stale.values_list("pk", flat=True))
    if keys:
        model._default_manager.filter(pk__in=keys, status=running).update(
            status=failed, finished_at=now, **{message_field: message}
        )
    return keys
