from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from netral.core.api import InvalidInput, decode_cursor, encode_cursor
from netral.core.menu import gated
from netral.core.routing import may_read_replica
from netral.core.scope import request_scope, require
from netral.registry.forms import ImportForm
from netral.registry.models import ImportJob
from netral.registry.queries import (
    ppk_on,
    search_civil_servants,
    visible_agencies,
    visible_civil_servants,
)
from netral.registry.services import start_import

PAGE_SIZE = 50


@login_required
@gated("registry.view")
@may_read_replica
def civil_servant_list(request: HttpRequest) -> HttpResponse:
    require(request, "registry.view")
    query = request.GET.get("q", "").strip()[:100]
    queryset, key = search_civil_servants(request_scope(request), query)
    cursor = request.GET.get("after", "")
    order = ("nip",) if key == "nip" else ("name_key", "nip")
    queryset = queryset.order_by(*order)
    if cursor:
        try:
            last = decode_cursor(cursor)
        except InvalidInput:
            last = None
        if key == "nip" and isinstance(last, str):
            queryset = queryset.filter(nip__gt=last)
        elif isinstance(last, list) and len(last) == 2:
            name_key, nip = str(last[0]), str(last[1])
            queryset = queryset.filter(name_key__gt=name_key) | queryset.filter(
                name_key=name_key, nip__gt=nip
            )
    rows = list(queryset[: PAGE_SIZE + 1])
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        tail = rows[-1]
        next_cursor = encode_cursor(tail.nip if key == "nip" else [tail.name_key, tail.nip])
    return render(
        request,
        "registry/civil_servant_list.html",
        {"rows": rows, "q": query, "next_cursor": next_cursor, "paged": bool(cursor)},
    )


@login_required
def civil_servant_detail(request: HttpRequest, nip: str) -> HttpResponse:
    require(request, "registry.view")
    servant = get_object_or_404(
        visible_civil_servants(request_scope(request)).select_related(
            "agency", "agency__region", "unit", "position"
        ),
        nip=nip,
    )
    return render(request, "registry/civil_servant_detail.html", {"servant": servant})


@login_required
@gated("registry.view")
@may_read_replica
def agency_list(request: HttpRequest) -> HttpResponse:
    require(request, "registry.view")
    agencies = visible_agencies(request_scope(request)).select_related("region")[:500]
    return render(request, "registry/agency_list.html", {"agencies": agencies})


@login_required
def agency_detail(request: HttpRequest, code: str) -> HttpResponse:
    require(request, "registry.view")
    agency = get_object_or_404(
        visible_agencies(request_scope(request)).select_related("region"), code=code
    )
    units = agency.units.select_related("parent").order_by("code")[:500]
    context: dict[str, Any] = {
        "agency": agency,
        "units": units,
        "ppk": ppk_on(agency.pk, timezone.localdate()),
        "appointments": agency.ppk_appointments.order_by("-valid_from")[:20],
    }
    return render(request, "registry/agency_detail.html", context)


@login_required
@gated("registry.import")
def import_start(request: HttpRequest) -> HttpResponse:
    require(request, "registry.import")
    scope = request_scope(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        allowed = (
            None if scope.national else set(visible_agencies(scope).values_list("pk", flat=True))
        )
        job = start_import(
            actor=request.user,
            upload=form.cleaned_data["file"],
            language=get_language() or "id",
            allowed_agencies=allowed,
        )
        return redirect("registry:import_detail", pk=job.pk)
    jobs = ImportJob.objects.filter(created_by_id=request.user.pk)[:20]
    return render(request, "registry/import_start.html", {"form": form, "jobs": jobs})


def _own_job(request: HttpRequest, pk: int) -> ImportJob:
    require(request, "registry.import")
    return get_object_or_404(ImportJob, pk=pk, created_by_id=request.user.pk)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    template = "registry/_import_progress.html" if request.GET.get("partial") else None
    return render(request, template or "registry/import_detail.html", {"job": job})


@login_required
@require_http_methods(["POST"])
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a failed job's kept file again, as a new job."""
    from netral.registry.services import retry_import

    job = _own_job(request, pk)
    if job.status != ImportJob.Status.FAILED:
        return redirect("registry:import_detail", pk=job.pk)
    again = retry_import(job=job, actor=request.user)
    return redirect("registry:import_detail", pk=again.pk)


@login_required
def import_report(request: HttpRequest, pk: int) -> FileResponse:
    job = _own_job(request, pk)
    if not job.report:
        raise Http404
    return FileResponse(
        job.report.open("rb"),
        as_attachment=True,
        filename=f"import-{job.pk}-report.csv",
        content_type="text/csv; charset=utf-8",
    )
