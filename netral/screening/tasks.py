"""Background work of screening: CSV imports, rescoring after a profile change, retraining."""

from __future__ import annotations

import logging
import tempfile

from django.utils import timezone, translation
from django_tasks import task

from netral.core import audit
from netral.rules.models import Election
from netral.screening import services
from netral.screening.importing import Counts, ImportFileError, import_posts
from netral.screening.models import ImportJob

logger = logging.getLogger(__name__)


@task()
def run_import(job_id: int) -> None:
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    if not claimed:
        return  # already taken by another worker run
    job = ImportJob.objects.select_related("election").get(pk=job_id)

    def progress(counts: Counts) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=counts.total,
            imported_rows=counts.imported,
            duplicate_rows=counts.duplicates,
            rejected_rows=counts.rejected,
            flagged_rows=counts.flagged,
        )

    try:
        # A local copy: the storage may be remote (S3), and the reader seeks back once.
        with tempfile.TemporaryFile() as local, job.source.open("rb") as stored:
            lines = 0
            for chunk in stored.chunks():
                local.write(chunk)
                lines += chunk.count(b"\n")
            # About the rows (a text may span lines): enough for the progress bar.
            ImportJob.objects.filter(pk=job.pk).update(total_rows=max(0, lines - 1))
            local.seek(0)
            counts = import_posts(
                local,
                election=job.election,
                region_id=job.region_id,
                mapping=job.mapping,
                actor=job.created_by,
                import_job_id=job.pk,
                progress=progress,
            )
    except ImportFileError as exc:
        with translation.override(job.language):
            message = str(exc.message)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message=message, finished_at=timezone.now()
        )
        return
    except Exception:
        logger.exception("screening import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, finished_at=timezone.now()
        )
        raise
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        total_rows=counts.total,
        processed_rows=counts.total,
        finished_at=timezone.now(),
    )
    audit.record(
        action="screening.import.done",
        actor=job.created_by,
        obj=job,
        after={
            "sha256": job.sha256,
            "rows": counts.total,
            "imported": counts.imported,
            "duplicates": counts.duplicates,
            "rejected": counts.rejected,
            "flagged": counts.flagged,
        },
        stream=services.stream_for(job.region_id),
    )


@task()
def rescore_election(election_id: int) -> int:
    """Score the election's posts again (after a new profile or model version)."""
    return services.rescore(Election.objects.get(pk=election_id))


@task()
def retrain_election(election_id: int) -> int | None:
    """Train a new model version from the decisions so far, then rescore the election."""
    election = Election.objects.get(pk=election_id)
    model = services.retrain(election)
    if model is None:
        return None
    services.rescore(election)
    return model.version
