"""State changes of the registry. Each is one call, atomic and audited."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from netral.core import audit
from netral.registry.models import Agency, ImportJob, PPKAppointment

REGISTRY_STREAM = "registry"


@transaction.atomic
def appoint_ppk(
    *,
    actor: Any,
    agency: Agency,
    name: str,
    title: str,
    valid_from: date,
    valid_to: date | None = None,
    acting_kind: str = "",
    nip: str = "",
    decree_number: str = "",
    reason: str = "",
) -> PPKAppointment:
    """Record who is the PPK of ``agency`` for a period.

    At most one head and at most one acting head may hold the office on any day.
    """
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": _("The end date is before the start date.")})
    same_kind = ~Q(acting_kind="") if acting_kind else Q(acting_kind="")
    overlapping = (
        PPKAppointment.objects.select_for_update()
        .filter(same_kind, agency=agency)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    )
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    if overlapping.exists():
        raise ValidationError(
            {"valid_from": _("Another appointment of this kind already covers these dates.")}
        )
    appointment = PPKAppointment.objects.create(
        agency=agency,
        name=name,
        title=title,
        nip=nip,
        acting_kind=acting_kind,
        valid_from=valid_from,
        valid_to=valid_to,
        decree_number=decree_number,
    )
    audit.record(
        action="ppk.appoint",
        actor=actor,
        obj=appointment,
        after={
            "agency": agency.code,
            "title": title,
            "acting_kind": acting_kind,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "decree_number": decree_number,
        },
        reason=reason,
        stream=REGISTRY_STREAM,
    )
    return appointment


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def start_import(
    *, actor: Any, upload: UploadedFile, language: str, allowed_agencies: set[int] | None
) -> ImportJob:
    """Keep the uploaded file and queue its import for the worker."""
    from netral.registry.tasks import run_import

    job = ImportJob(
        created_by=actor,
        language=language,
        original_name=(upload.name or "upload")[:255],
        sha256=sha256_of(upload),
        allowed_agencies=sorted(allowed_agencies) if allowed_agencies is not None else None,
    )
    job.source.save(f"{timezone.now():%Y%m%d%H%M%S}-{job.sha256[:12]}", upload, save=False)
    job.save()
    audit.record(
        action="registry.import.start",
        actor=actor,
        obj=job,
        after={"file": job.original_name, "sha256": job.sha256},
        evidence=[{"sha256": job.sha256, "name": job.original_name}],
        stream=REGISTRY_STREAM,
    )
    transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


@transaction.atomic
def retry_import(*, job: ImportJob, actor: Any) -> ImportJob:
    """A new job for a failed one's kept file (imports upsert, so a partial run is harmless)."""
    from netral.registry.tasks import run_import

    again = ImportJob.objects.create(
        created_by=actor,
        language=job.language,
        source=job.source.name,
        original_name=job.original_name,
        sha256=job.sha256,
        allowed_agencies=job.allowed_agencies,
    )
    audit.record(
        action="registry.import.retry",
        actor=actor,
        obj=again,
        after={"file": again.original_name, "sha256": again.sha256, "retry_of": job.pk},
        evidence=[{"sha256": again.sha256, "name": again.original_name}],
        stream=REGISTRY_STREAM,
    )
    transaction.on_commit(lambda: run_import.enqueue(again.pk))
    return again
