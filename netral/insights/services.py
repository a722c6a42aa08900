"""The state changes of insights: starting an export (the job row, its audit entry and, once
they commit, the worker's run) and auditing its download."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from netral.accounts.queries import scope_for
from netral.core import audit
from netral.insights.models import ExportJob
from netral.insights.tasks import run_export


def stream_for(user: Any) -> str:
    """The audit chain of a user's exports (``netral.core.audit.stream_for``)."""
    return audit.stream_for("exports", scope=scope_for(user))


def start_export(*, user: Any, source: str, format: str, params: dict[str, Any]) -> ExportJob:
    """Queue an export of ``source`` (``netral.insights.exports.SOURCES``) for ``user``: the job
    row and its audit entry in one transaction; the worker is asked to run it only once they are
    committed, so a failure leaves neither and runs nothing."""
    with transaction.atomic():
        job = ExportJob.objects.create(user=user, source=source, format=format, params=params)
        audit.record(
            action="insights.export",
            actor=user,
            obj=job,
            after={"list": source, "format": format, "filters": params},
            stream=stream_for(user),
        )
        job_id = job.pk
        transaction.on_commit(lambda: run_export.enqueue(job_id=job_id))
    return job


def record_download(*, job: ExportJob, user: Any) -> None:
    """A download of an export's file is audited (its rows may name people)."""
    with transaction.atomic():
        audit.record(
            action="insights.export.download", actor=user, obj=job, stream=stream_for(user)
        )
