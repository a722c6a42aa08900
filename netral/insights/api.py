"""/api/v1/insights (scoped figures) and /api/v1/public (suppressed statistics, no login)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from netral.core.api import ErrorOut, InvalidInput
from netral.core.inputs import is_id
from netral.core.scope import request_scope
from netral.insights.queries import summary
from netral.insights.views import summary_filter

router = Router(tags=["insights"])


@router.get("/summary", response={200: dict[str, Any], 403: ErrorOut, 422: ErrorOut})
def get_summary(
    request: HttpRequest, election: str = "", region: str = "", start: str = "", end: str = ""
) -> Any:
    """The counts the caller's dashboard shows, within their jurisdiction. ``from``/``to`` are
    accepted as ``from`` and ``to`` (or ``start``/``end``)."""
    scope = request_scope(request)
    if not scope.can("cases.view"):
        raise HttpError(403, _("Your role may not see cases."))
    params = {
        "election": election,
        "region": region,
        "from": request.GET.get("from", start),
        "to": request.GET.get("to", end),
    }
    f = summary_filter(params)
    if election and f.election is None:
        raise InvalidInput("election", _("No election with this slug."))
    data = summary(scope, f)
    data.pop("violation_names", None)
    return data


public_router = Router(tags=["public"])


@public_router.get("/statistics", auth=None, response={200: dict[str, Any], 422: ErrorOut})
def public_statistics(request: HttpRequest, election: str = "", region: str = "") -> Any:
    """Public counts, no login: a regency's (or a province's per violation type) count of 1-4
    is "<5", and every figure that sums one in is hidden (see the README, "Transparency")."""
    from netral.insights.public import statistics
    from netral.rules.models import Election

    chosen = (
        Election.objects.filter(slug=election).first()
        if election
        else Election.objects.order_by("-voting_day").first()
    )
    if chosen is None:
        raise InvalidInput("election", _("No election with this slug."))
    if region and not (len(region) == 2 and is_id(region)):
        raise InvalidInput("region", _("A province code has two digits, e.g. 64."))
    return {
        "election": chosen.slug,
        "region": region[:2] or None,
        "tables": [
            {"title": str(t.title), "rows": t.as_records()} for t in statistics(chosen, region[:2])
        ],
    }


exports_router = Router(tags=["exports"])


class ExportIn(Schema):
    source: str
    format: str
    filters: dict[str, str] = {}


class ExportOut(Schema):
    id: int
    source: str
    format: str
    status: str
    processed: int
    total: int
    percent: int
    download_url: str | None
    expires_at: str | None


def _export_out(job: Any) -> dict[str, Any]:
    from netral.insights.exports import download_url

    done = job.status == "done"
    return {
        "id": job.pk,
        "source": job.source,
        "format": job.format,
        "status": job.status,
        "processed": job.processed,
        "total": job.total,
        "percent": job.percent,
        "download_url": download_url(job) if done else None,
        "expires_at": job.expires_at.isoformat() if job.expires_at else None,
    }


@exports_router.post("", response={202: ExportOut, 403: ErrorOut, 422: ErrorOut})
def create_export(request: HttpRequest, payload: ExportIn) -> Any:
    """Start an export of a list the caller may see (``cases``, ``reports``, ``civil_servants``)
    as ``csv``, ``xlsx`` or ``pdf``; poll ``GET /api/v1/exports/{id}``."""
    from netral.insights.exports import SOURCES
    from netral.insights.models import ExportJob
    from netral.insights.services import start_export

    if payload.source not in SOURCES:
        raise InvalidInput("source", _("Unknown list."))
    if payload.format not in ExportJob.Format.values:
        raise InvalidInput("format", _("Choose csv, xlsx or pdf."))
    if not request_scope(request).can(SOURCES[payload.source].capability):
        raise HttpError(403, _("Your role may not see this list."))
    if payload.format == ExportJob.Format.XLSX:
        from netral.core.sheets import XLSX_MAX_ROWS
        from netral.insights.exports import too_many_for_xlsx

        total = SOURCES[payload.source].rows(request_scope(request), payload.filters).count()
        if total >= XLSX_MAX_ROWS:
            raise InvalidInput("format", too_many_for_xlsx(total))
    job = start_export(
        user=request.user, source=payload.source, format=payload.format, params=payload.filters
    )
    job.refresh_from_db()
    return Status(202, _export_out(job))


@exports_router.get("/{export_id}", response={200: ExportOut, 404: ErrorOut})
def get_export(request: HttpRequest, export_id: int) -> Any:
    from netral.insights.models import ExportJob

    job = ExportJob.objects.filter(pk=export_id, user_id=int(request.user.pk or 0)).first()
    if job is None:
        raise HttpError(404, _("No export with this id."))
    return _export_out(job)
