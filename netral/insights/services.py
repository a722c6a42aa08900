"""The state changes of insights: starting an export (the job row, its audit entry and, once
they commit, the worker's run)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from netral.core import audit
from netral.insights.models import ExportJob
from netral.insights.tasks import run_export


def start_export(*, user: Any, source: str, format: str, params: dict[str, Any]) -> ExportJob:
    """Queue an export of ``source`` (``netral.insights.exports.SOURCES``) for ``user``."""
    job = ExportJob.objects.create(user=user, source=source, format=format, params=params)
    audit.record(
        action="insights.export",
        actor=user,
        obj=job,
        after={"list": source, "format": format, "filters": params},
    )
    transaction.on_commit(lambda: run_export.enqueue(job_id=job.pk))
    return job
