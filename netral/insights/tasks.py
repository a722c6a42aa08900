"""Background work of insights: exports, their expiry, and the weekly summary per office."""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone
from django_tasks import task

from netral.cases.events import CaseChanged
from netral.insights.exports import run
from netral.insights.models import ExportJob
from netral.insights.rollup import partitions_of, recounted_today, refresh, refresh_all

logger = logging.getLogger(__name__)


@task()
def run_export(job_id: int) -> None:
    from netral.core.leases import leased

    # Claim it: a second run of the same task (two workers, a retry) finds nothing to claim.
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, heartbeat_at=timezone.now()
    )
    if not claimed:
        return
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        with leased(ExportJob, job_id):
            run(job)
    except Exception as exc:  # the job must say it failed, whatever happened
        logger.exception("export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:1000], finished_at=timezone.now()
        )


@task()
def expire_exports() -> int:
    """Delete the files of exports whose link has expired (the audit entry stays)."""
    expired = 0
    for job in ExportJob.objects.filter(
        status=ExportJob.Status.DONE, expires_at__lt=timezone.now()
    ).iterator():
        if job.file:
            job.file.delete(save=False)
        job.status = ExportJob.Status.EXPIRED
        job.save(update_fields=["file", "status"])
        expired += 1
    return expired


@task()
def weekly_summaries() -> int:
    from netral.insights.summaries import send_weekly

    return send_weekly()


@task()
def refresh_rollup() -> int:
    """Once a day, in the first hour after midnight (the task runs hourly): recount every
    partition of the dashboard rollup, the safety net for writes that bypass the ORM and the
    moment the overdue counts move to the new day."""
    from netral.cases.queries import zones_agree

    # Between WIT's and WIB's midnight the overdue counts are live anyway: recount after.
    if recounted_today() or not zones_agree():
        return 0
    return refresh_all()


@task()
def recount_partitions(partitions: list[list[Any]]) -> int:
    """Recount the rollup partitions ``[[election_id, regency_code], ...]`` a case change
    touched (see ``on_case_changed``)."""
    return refresh((election_id, str(regency)) for election_id, regency in partitions)


def on_case_changed(changed: CaseChanged) -> None:
    """Subscriber of ``CaseChanged``: the worker recounts the partitions the change touched."""
    partitions = partitions_of(changed)
    if partitions:
        recount_partitions.enqueue(partitions=[[e, r] for e, r in partitions])


@task()
def sweep_stale_exports() -> int:
    """Mark failed the exports whose worker died mid-way (its lease ran out); their page then
    offers to start them again."""
    from netral.core.leases import expire

    return len(
        expire(
            ExportJob,
            running=ExportJob.Status.RUNNING,
            failed=ExportJob.Status.FAILED,
            message_field="error",
            message="The worker stopped while writing this export (its lease ran out).",
        )
    )
