from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from netral.core import audit
from netral.core.menu import gated
from netral.core.scope import request_scope
from netral.insights.exports import SOURCES, check_token, download_url
from netral.insights.models import ExportJob
from netral.insights.services import start_export

FILTERS = ("state", "election", "region", "overdue", "violation", "status", "agency")


@login_required
@require_http_methods(["GET", "POST"])
@gated()
def exports(request: HttpRequest) -> HttpResponse:
    """Start an export of a list (with the list's filters) or see one's own exports."""
    if request.method == "POST":
        source = request.POST.get("source", "")
        fmt = request.POST.get("format", "")
        if source not in SOURCES or fmt not in ExportJob.Format.values:
            raise Http404
        scope = request_scope(request)
        if not scope.can(SOURCES[source].capability):
            raise PermissionDenied
        params = {k: request.POST[k] for k in FILTERS if request.POST.get(k)}
        params["language"] = getattr(request, "LANGUAGE_CODE", "id")
        job = start_export(user=request.user, source=source, format=fmt, params=params)
        return redirect("exports:detail", pk=job.pk)
    rows = ExportJob.objects.filter(user_id=int(request.user.pk or 0))[:50]
    return render(request, "insights/exports.html", {"rows": rows})


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ExportJob, pk=pk, user_id=int(request.user.pk or 0))
    context = {
        "job": job,
        "link": download_url(job) if job.status == ExportJob.Status.DONE else "",
        "label": SOURCES[job.source].label if job.source in SOURCES else job.source,
    }
    return render(request, "insights/export_detail.html", context)


@login_required
@require_http_methods(["POST"])
def export_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a failed export again, with the same list, filters and format, as a new job."""
    job = get_object_or_404(ExportJob, pk=pk, user_id=int(request.user.pk or 0))
    if job.status != ExportJob.Status.FAILED:
        return redirect("exports:detail", pk=job.pk)
    if job.source not in SOURCES or not request_scope(request).can(SOURCES[job.source].capability):
        raise PermissionDenied
    again = start_export(user=request.user, source=job.source, format=job.format, params=job.params)
    return redirect("exports:detail", pk=again.pk)


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    """Only its owner, only with a valid signed link, only until it expires; audited."""
    job = get_object_or_404(ExportJob, pk=pk, user_id=int(request.user.pk or 0))
    expired = job.expires_at is not None and job.expires_at < timezone.now()
    if job.status != ExportJob.Status.DONE or expired or not job.file:
        raise Http404
    if not check_token(job, request.GET.get("t", "")):
        raise PermissionDenied
    audit.record(action="insights.export.download", actor=request.user, obj=job)
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=f"netral-{job.source}.{job.format}"
    )
