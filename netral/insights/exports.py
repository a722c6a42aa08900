"""Exports of the lists an officer may see, written row by row: memory stays flat.

A source names its rows (``values_list`` over the caller's scoped queryset, read with a
server-side cursor in chunks) and its header; a writer turns them into CSV, XLSX (openpyxl
write-only) or a PDF summary (WeasyPrint). The job records progress every chunk.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.db.models import Count, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from netral.accounts.queries import scope_for
from netral.cases.queries import CaseFilter, filtered, visible_cases
from netral.core.routing import replica_reads
from netral.core.scope import Scope
from netral.core.sheets import XLSX_MAX_ROWS, SafeCsvWriter, xlsx_row
from netral.insights.models import ExportJob
from netral.intake.queries import visible_reports
from netral.registry.queries import visible_civil_servants

CHUNK = 5000
SIGNING_SALT = "netral.exports"


@dataclass(frozen=True)
class Source:
    label: Any
    capability: str
    header: tuple[Any, ...]
    rows: Callable[[Scope, dict[str, Any]], QuerySet[Any]]
    # Fields the PDF summary counts by.
    summary_fields: tuple[tuple[str, Any], ...]
    base: Callable[[Scope, dict[str, Any]], QuerySet[Any]]


def _case_filter(params: dict[str, Any]) -> CaseFilter:
    return CaseFilter(
        state=str(params.get("state", "")),
        election=str(params.get("election", "")),
        region=str(params.get("region", "")),
        overdue=bool(params.get("overdue")),
        violation=str(params.get("violation", "")),
    )


def _cases(scope: Scope, params: dict[str, Any]) -> QuerySet[Any]:
    return filtered(visible_cases(scope), _case_filter(params)).order_by("id")


def _reports(scope: Scope, params: dict[str, Any]) -> QuerySet[Any]:
    queryset = visible_reports(scope)
    if params.get("status"):
        queryset = queryset.filter(status=params["status"])
    if params.get("election"):
        queryset = queryset.filter(election__slug=params["election"])
    return queryset.order_by("id")


def _servants(scope: Scope, params: dict[str, Any]) -> QuerySet[Any]:
    queryset = visible_civil_servants(scope)
    if params.get("agency"):
        queryset = queryset.filter(agency__code=params["agency"])
    return queryset.order_by("id")


SOURCES: dict[str, Source] = {
    "cases": Source(
        _("Cases"),
        "cases.view",
        (
            _("Case number"), _("State"), _("Whose move"), _("Office"), _("Region"),
            _("Election"), _("Civil servant"), _("Registered"), _("Due"),
        ),
        lambda scope, params: _cases(scope, params).values_list(
            "number", "state", "holder", "office__code", "region_id", "election__slug",
            "accused_name", "registered_at", "due_date",
        ),
        (("state", _("State")), ("holder", _("Whose move")), ("province_code", _("Province"))),
        _cases,
    ),
    "reports": Source(
        _("Reports"),
        "intake.view",
        (
            _("Receipt code"), _("Received"), _("Kind"), _("Status"), _("Act"),
            _("Civil servant"), _("Office"), _("Late"),
        ),
        lambda scope, params: _reports(scope, params).values_list(
            "receipt_code", "created_at", "kind", "status", "violation_type__code",
            "accused_name", "office__code", "late",
        ),
        (("status", _("Status")), ("kind", _("Kind")), ("violation_type__code", _("Act"))),
        _reports,
    ),
    "civil_servants": Source(
        _("Civil servants"),
        "registry.view",
        (
            "NIP", _("Name"), _("Employment type"), _("Agency"), _("Unit"), _("Position"),
            _("Head of unit"), _("Active"),
        ),
        lambda scope, params: _servants(scope, params).values_list(
            "nip", "name", "employment_type", "agency__code", "unit__code", "position__name",
            "is_head_of_unit", "is_active",
        ),
        (("agency__code", _("Agency")), ("employment_type", _("Employment type"))),
        _servants,
    ),
}  # fmt: skip


def too_many_for_xlsx(total: int) -> str:
    return str(
        _(
            "An XLSX sheet holds at most %(max)s rows and this list has %(n)s: choose CSV, or "
            "narrow the filters."
        )
        % {"max": f"{XLSX_MAX_ROWS - 1:,}", "n": f"{total:,}"}
    )


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def chunks(queryset: QuerySet[Any]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in queryset.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def write_csv(
    rows: QuerySet[Any], header: list[str], out: Path, tick: Callable[[int], None]
) -> None:
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = SafeCsvWriter(handle)
        writer.writerow(header)
        for batch in chunks(rows):
            writer.writerows([_cell(v) for v in row] for row in batch)
            tick(len(batch))


def write_xlsx(
    rows: QuerySet[Any], header: list[str], out: Path, tick: Callable[[int], None]
) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Netral")
    sheet.append(xlsx_row(sheet, header))
    for batch in chunks(rows):
        for row in batch:
            sheet.append(xlsx_row(sheet, [_cell(v) for v in row]))
        tick(len(batch))
    book.save(out)


def write_pdf(job: ExportJob, source: Source, scope: Scope, out: Path) -> None:
    from weasyprint import HTML

    base = source.base(scope, job.params)
    total = base.count()
    sections = []
    for field, label in source.summary_fields:
        counts = list(base.values_list(field).annotate(n=Count("pk")).order_by("-n")[:30])
        sections.append((label, counts))
    html = render_to_string(
        "insights/export_pdf.html",
        {
            "job": job,
            "source": source,
            "total": total,
            "sections": sections,
            "now": timezone.now(),
        },
    )
    out.write_bytes(bytes(HTML(string=html).write_pdf()))
    job.total = job.processed = total


def run(job: ExportJob) -> None:
    """Write the job's file; progress is saved after every chunk."""
    source = SOURCES[job.source]
    scope = scope_for(job.user)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    with tempfile.TemporaryDirectory(prefix="netral-export-") as tmp:
        out = Path(tmp) / f"{job.source}.{job.format}"
        # The rows come from the replica when there is one; the progress is written to the primary.
        with (
            replica_reads(),
            translation.override(job.params.get("language") or settings.LANGUAGE_CODE),
        ):
            header = [str(h) for h in source.header]
            if job.format == ExportJob.Format.PDF:
                write_pdf(job, source, scope, out)
            else:
                rows = source.rows(scope, job.params)
                job.total = rows.count()
                ExportJob.objects.filter(pk=job.pk).update(total=job.total)
                if job.format == ExportJob.Format.XLSX and job.total >= XLSX_MAX_ROWS:
                    raise ValueError(too_many_for_xlsx(job.total))
                done = 0

                def tick(n: int) -> None:
                    nonlocal done
                    done += n
                    ExportJob.objects.filter(pk=job.pk).update(processed=done)

                writer = write_csv if job.format == ExportJob.Format.CSV else write_xlsx
                writer(rows, header, out, tick)
                job.processed = done
        digest = hashlib.sha256()
        with out.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        with out.open("rb") as handle:
            job.file.save(f"{job.source}-{job.pk}.{job.format}", File(handle), save=False)
    job.sha256 = digest.hexdigest()
    job.status = ExportJob.Status.DONE
    job.finished_at = timezone.now()
    job.expires_at = job.finished_at + timedelta(hours=settings.NETRAL_EXPORT_HOURS)
    job.save()


def download_token(job: ExportJob) -> str:
    return signing.TimestampSigner(salt=SIGNING_SALT).sign(f"{job.pk}:{job.user_id}")


def download_url(job: ExportJob) -> str:
    return f"{reverse('exports:download', args=[job.pk])}?t={download_token(job)}"


def check_token(job: ExportJob, token: str) -> bool:
    try:
        value = signing.TimestampSigner(salt=SIGNING_SALT).unsign(
            token, max_age=timedelta(hours=settings.NETRAL_EXPORT_HOURS)
        )
    except signing.BadSignature:
        return False
    return value == f"{job.pk}:{job.user_id}"
