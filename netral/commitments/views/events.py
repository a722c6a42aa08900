"""Socialisation events and their participants."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from netral.commitments import services
from netral.commitments.forms import AttendanceForm, EventForm
from netral.commitments.models import EventAttendance, EventMaterial, SocialisationEvent
from netral.commitments.queries import agencies_in
from netral.commitments.tallies import refresh_after_commit
from netral.commitments.views.common import (
    _agencies,
    _election,
    _nips_from_file,
    _offices,
    _scope_region,
    _store,
)
from netral.core import audit
from netral.core import held as held_files
from netral.core.menu import gated
from netral.core.scope import require
from netral.registry.models import CivilServant
from netral.registry.nip import digits_of


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
        region = _scope_region(scope)
        if region is None:
            form.add_error(None, _("Your jurisdiction has no region to hold events in."))
        if form.is_valid() and region is not None:
            data = form.cleaned_data
            with transaction.atomic():
                event = SocialisationEvent.objects.create(
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
                    created_by_id=request.user.pk,
                )
                event.target_agencies.set(data["target_agencies"])
                if data.get("material"):
                    stored, digest = _store(data["material"])
                    EventMaterial.objects.create(
                        event=event, file=stored, original_name=stored.name or "", sha256=digest
                    )
                audit.record(action="commitments.event", actor=request.user, obj=event)
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
    from netral.registry.importing import ImportFileError

    scope = require(request, "commitments.view")
    item = get_object_or_404(SocialisationEvent.objects.select_related("region", "election"), pk=pk)
    if (
        not scope.national
        and not scope.covers_region(item.region_id)
        and not item.target_agencies.filter(pk__in=sorted(scope.agency_ids)).exists()
    ):
        raise Http404
    form = AttendanceForm(request.POST or None, request.FILES or None)
    problems: list[Any] = []
    added = 0
    status = 200
    if request.method == "POST":
        if scope.read_only or not scope.can("commitments.events"):
            raise PermissionDenied
        if form.is_valid():
            nips = [
                (i, n) for i, n in enumerate(str(form.cleaned_data["nips"]).splitlines(), start=1)
            ]
            if form.cleaned_data.get("file"):
                try:
                    nips = _nips_from_file(form.cleaned_data["file"])
                except ImportFileError as exc:
                    form.add_error("file", str(exc.message))
            if not form.errors:
                added, problems = _event_attendance(item, nips, request.user)
        if form.errors or problems:
            status = 422
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


def _event_attendance(
    item: SocialisationEvent, nips: list[tuple[int, str]], actor: Any
) -> tuple[int, list[services.RowProblem]]:
    wanted = [(row, digits) for row, n in nips if (digits := digits_of(n))]
    servants = {
        s.nip: s
        for s in CivilServant.objects.filter(nip__in=[n for _r, n in wanted]).only(
            "pk", "nip", "agency_id"
        )
    }
    problems = []
    rows = []
    for row, nip in wanted:
        servant = servants.get(nip)
        if servant is None:
            problems.append(
                services.RowProblem(
                    row, nip, _("No civil servant with this NIP is in the registry.")
                )
            )
            continue
        rows.append(
            EventAttendance(
                event=item,
                election_id=item.election_id,
                civil_servant=servant,
                agency_id=servant.agency_id,
            )
        )
    with transaction.atomic():
        created = EventAttendance.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
        if rows:
            audit.record(
                action="commitments.event_attendance",
                actor=actor,
                obj=item,
                after={"rows": len(rows)},
            )
            refresh_after_commit(item.election_id, {r.agency_id for r in rows})
    return len(created), problems
