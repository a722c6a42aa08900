"""Background tasks of the core: the worker's heartbeat."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from netral.core.models import WorkerHeartbeat


@task()
def heartbeat() -> None:
    """Prove that a worker is alive: ``/health`` reads the time this last ran."""
    WorkerHeartbeat.objects.update_or_create(name="default", defaults={"last_seen": timezone.now()})
