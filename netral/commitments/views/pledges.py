"""Neutrality pledge ceremonies: attendance by list or file, and the on-site check-in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from netral.commitments import services
from netral.commitments.forms import AttendanceForm, CheckInForm, PledgeCeremonyForm
from netral.commitments.models import PledgeCeremony
from netral.commitments.views.common import _agencies, _election, _nips_from_file
from netral.core.menu import gated
from netral.core.ratelimit import rate_limited
from netral.core.scope import require


@login_required
@require_http_methods(["GET", "POST"])
@gated("commitments.view")
def ceremonies(request: HttpRequest) -> HttpResponse:
    scope = require(request, "commitments.view")
    agencies = _agencies(scope)
    form = PledgeCeremonyForm(
        request.POST or None, agencies=agencies, initial={"election": _election(request)}
    )
    status = 200
    if request.method == "POST":
        if scope.read_only or not scope.can("commitments.manage"):
            raise PermissionDenied
        if form.is_valid():
            ceremony = services.open_ceremony(actor=request.user, **form.cleaned_data)
            return redirect("commitments:ceremony", pk=ceremony.pk)
        status = 422
    rows = (
        PledgeCeremony.objects.filter(agency__in=agencies)
        .select_related("agency", "election")
        .order_by("-held_on", "-id")[:200]
    )
    context = {"form": form, "rows": rows, "may_manage": scope.can("commitments.manage")}
    return render(request, "commitments/ceremonies.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def ceremony(request: HttpRequest, pk: int) -> HttpResponse:
    """One ceremony: attendance by NIP list or file, and the check-in code to show on site."""
    from netral.registry.importing import ImportFileError

    scope = require(request, "commitments.view")
    item = get_object_or_404(
        PledgeCeremony.objects.select_related("agency", "election", "text"),
        pk=pk,
        agency__in=_agencies(scope),
    )
    form = AttendanceForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if scope.read_only or not scope.can("commitments.manage"):
            raise PermissionDenied
        if form.is_valid():
            nips: list[tuple[int, str]] = [
                (i, n) for i, n in enumerate(str(form.cleaned_data["nips"]).splitlines(), start=1)
            ]
            method = "list"
            if form.cleaned_data.get("file"):
                try:
                    nips = _nips_from_file(form.cleaned_data["file"])
                    method = "upload"
                except ImportFileError as exc:
                    form.add_error("file", str(exc.message))
            if not form.errors:
                result = services.record_attendance(
                    ceremony=item, nips=nips, method=method, actor=request.user
                )
                if result.problems:
                    status = 422
        else:
            status = 422
    context = {
        "ceremony": item,
        "form": form,
        "result": result,
        "count": item.attendance.count(),
        "attendees": item.attendance.select_related("civil_servant").order_by(
            "civil_servant__name"
        )[:500],
        "checkin_open": bool(item.checkin_until and item.checkin_until > timezone.now()),
    }
    return render(request, "commitments/ceremony.html", context, status=status)


@rate_limited("NETRAL_RATE_RECEIPTS", "checkin")
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Public page opened at the ceremony: a civil servant enters their NIP and the code shown."""
    item = get_object_or_404(PledgeCeremony.objects.select_related("agency", "text"), pk=pk)
    form = CheckInForm(request.POST or None)
    done = False
    status = 200
    if request.method == "POST":
        if form.is_valid():
            problem = services.check_in(
                ceremony=item, nip=form.cleaned_data["nip"], code=form.cleaned_data["code"]
            )
            if problem:
                form.add_error(None, problem)
            else:
                done = True
        if not done:
            status = 422
    return render(
        request,
        "commitments/check_in.html",
        {"ceremony": item, "form": form, "done": done},
        status=status,
    )
