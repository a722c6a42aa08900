"""Periodic work: enqueue each configured task once per period, however many schedulers run."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from netral.core.models import ScheduledRun


def period_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue every periodic task whose current period has no run yet; return their paths."""
    now = now or timezone.now()
    enqueued = []
    for task_path, seconds in settings.NETRAL_PERIODIC_TASKS:
        start = period_start(now, seconds)
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(task_path=task_path, period_start=start)
                import_string(task_path).enqueue()
        except IntegrityError:
            continue  # this period is already taken, by this or another scheduler
        enqueued.append(task_path)
    return enqueued
