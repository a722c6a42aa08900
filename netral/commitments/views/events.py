"""Socialisation events and their participants."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from netral.commitments import services
from netral.commitments.forms import EventForm
from netral.commitments.models import EventAttendance, SocialisationEvent
from netral.commitments.queries import agencies_in
from netral.commitments.views.common import (
    _agencies,
    _attendance_done,
    _attendance_form,
    _attendance_rows,
    _election,
    _offices,
    _upload,
)
from netral.core import held as held_files
from netral.core.menu import gated
from netral.core.scope import require


@login_required
@require_http_methods(["GET", "POST"])
@gated("commitments.view")
def events(request: HttpRequest) -> HttpResponse:
    scope = require(request, "commitments.view")
    agencies = _agencies(scope)
    data, files, token = (
        held_files.bind(request, ("material",)) if request.method == "POST" else (None, None, "")
    )
    form = EventForm(
        data,
        files,
        agencies=agencies,
        offices=_offices(scope),
        initial={"election": _election(request)},
    )
    status = 200
    if request.method == "POST":
        if scope.read_only or not scope.can("commitments.events"):
            raise PermissionDenied
        region = services.jurisdiction_region(scope)
        if region is None:
            form.add_error(None, _("Your jurisdiction has no region to hold events in."))
        if form.is_valid() and region is not None:
            data = form.cleaned_data
            event = services.record_event(
                election=data["election"],
                region=region,
                title=data["title"],
                held_on=data["held_on"],
                mode=data["mode"],
                place=data["place"],
                link=data["link"],
                speakers=data["speakers"],
                bawaslu_office=data.get("bawaslu_office"),
                personnel_office=data.get("personnel_office"),
                target_agencies=data["target_agencies"],
                material=_upload(data["material"]) if data.get("material") else None,
                actor=request.user,
            )
            held_files.release(token, request.user)
            return redirect("commitments:event", pk=event.pk)
        held_files.keep(request, form, files, token, ("material",))
        status = 422
    condition = agencies_in("", scope).values("region_id")
    rows = (
        SocialisationEvent.objects.filter(region_id__in=condition)
        .select_related("election", "region")
        .order_by("-held_on", "-id")[:200]
    )
    return render(request, "commitments/events.html", {"form": form, "rows": rows}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def event(request: HttpRequest, pk: int) -> HttpResponse:
    """An event and its participants, imported by NIP list or file (agency from the registry)."""
    scope = require(request, "commitments.view")
    item = get_object_or_404(SocialisationEvent.objects.select_related("region", "election"), pk=pk)
    if (
        not scope.covers(region=item.region_id)
        and not item.target_agencies.filter(pk__in=sorted(scope.agency_ids)).exists()
    ):
        raise Http404
    form, token, files = _attendance_form(request)
    problems: list[Any] = []
    added = 0
    status = 200
    if request.method == "POST":
        if scope.read_only or not scope.can("commitments.events"):
            raise PermissionDenied
        if form.is_valid():
            nips, _method = _attendance_rows(form)
            if not form.errors:
                added, problems = services.record_event_attendance(
                    event=item, nips=nips, actor=request.user
                )
        if form.errors or problems:
            status = 422
        _attendance_done(request, form, token, files, failed=status == 422)
    by_agency = (
        EventAttendance.objects.filter(event=item)
        .values("agency__code", "agency__name")
        .order_by("agency__code")
    )
    from django.db.models import Count

    context = {
        "event": item,
        "form": form,
        "problems": problems,
        "added": added,
        "by_agency": by_agency.annotate(n=Count("id")),
        "materials": item.materials.all(),
    }
    return render(request, "commitments/event.html", context, status=status)
