"""Background work of the registry: imports started from the web."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from netral.core import audit
from netral.registry.importing import ImportFileError, import_civil_servants, report_text
from netral.registry.models import ImportJob

logger = logging.getLogger(__name__)


@task()
def run_import(job_id: int) -> None:
    from netral.core.leases import leased

    # Claim it: a second run of the same task (two workers, a retry) finds nothing to claim.
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, heartbeat_at=timezone.now()
    )
    if not claimed:
        return
    with leased(ImportJob, job_id):
        _run_import(ImportJob.objects.get(pk=job_id))


def _run_import(job: ImportJob) -> None:

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total)

    allowed = set(job.allowed_agencies) if job.allowed_agencies is not None else None
    try:
        # A local copy: the storage may be remote (S3), and readers need a seekable file.
        with tempfile.NamedTemporaryFile(suffix=Path(job.original_name).suffix) as local:
            with job.source.open("rb") as stored:
                for chunk in stored.chunks():
                    local.write(chunk)
            local.flush()
            result = import_civil_servants(
                Path(local.name),
                original_name=job.original_name,
                allowed_agencies=allowed,
                progress=progress,
                first_load=False,  # one agency's upload never locks the national registry
            )
    except ImportFileError as exc:
        with translation.override(job.language):
            message = str(exc.message)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message=message, finished_at=timezone.now()
        )
        return
    except Exception:
        logger.exception("import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, finished_at=timezone.now()
        )
        raise
    job.refresh_from_db()
    with transaction.atomic():
        job.report.save(
            f"import-{job.pk}-report.csv",
            ContentFile(report_text(result.issues, job.language).encode("utf-8-sig")),
            save=False,
        )
        job.status = ImportJob.Status.DONE
        job.finished_at = timezone.now()
        job.total_rows = job.processed_rows = result.total_rows
        job.imported_rows = result.imported
        job.created_rows = result.created
        job.flagged_rows = result.flagged
        job.rejected_rows = result.rejected
        job.save()
        audit.record(
            action="registry.import.finish",
            actor=job.created_by,
            obj=job,
            after={
                "rows": result.total_rows,
                "imported": result.imported,
                "created": result.created,
                "flagged": result.flagged,
                "rejected": result.rejected,
            },
            evidence=[{"sha256": job.sha256, "name": job.original_name}],
            stream="registry",
        )


@task()
def refresh_all_headcounts() -> int:
    """Nightly safety net: writes that bypass the ORM (a DBA's fix) are counted by morning."""
    from netral.registry.headcount import refresh_headcounts

    return refresh_headcounts()


@task()
def sweep_stale_imports() -> int:
    """Mark failed the imports whose worker died mid-way (its lease ran out); their page then
    offers to start them again."""
    from netral.core.leases import expire

    return len(
        expire(
            ImportJob,
            running=ImportJob.Status.RUNNING,
            failed=ImportJob.Status.FAILED,
            message_field="message",
            message="",  # the page names the stop in the reader's language
        )
    )
