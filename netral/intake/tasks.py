"""Background tasks of intake."""

from __future__ import annotations

from django_tasks import task

from netral.intake import services


@task()
def purge_idempotency() -> int:
    """Forget idempotency keys older than their window (the reports stay)."""
    return services.purge_idempotency()
