from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from netral.commitments import services
from netral.commitments.forms import (
    AttendanceForm,
    CeremonyPactForm,
    CheckInForm,
    CircularForm,
    EventForm,
    PersonalPactForm,
    PledgeCeremonyForm,
)
from netral.commitments.models import (
    Circular,
    EventAttendance,
    EventMaterial,
    Pact,
    PledgeCeremony,
    SocialisationEvent,
)
from netral.commitments.queries import (
    agencies_in,
    coverage,
    heads_without_pact,
    per_unit,
    public_counts,
)
from netral.core import audit
from netral.core import held as held_files
from netral.core.confirm import confirmation_page, confirmed
from netral.core.files import safe_download
from netral.core.inputs import is_id
from netral.core.menu import gated
from netral.core.ratelimit import rate_limited
from netral.core.scope import Scope, request_scope, require
from netral.core.sheets import SafeCsvWriter
from netral.regions.models import Region
from netral.registry.models import Agency, CivilServant
from netral.rules.models import Election


def _election(request: HttpRequest) -> Election | None:
    slug = request.GET.get("election", "")
    queryset = Election.objects.order_by("-voting_day")
    return (queryset.filter(slug=slug).first() if slug else None) or queryset.first()


def _agencies(scope: Scope) -> Any:
    return agencies_in("", scope).order_by("code")


@login_required
@gated("commitments.view")
def overview(request: HttpRequest) -> HttpResponse:
    """Coverage per agency for an election and region within the officer's jurisdiction."""
    scope = require(request, "commitments.view")
    election = _election(request)
    region = request.GET.get("region", "")[:13]
    result = coverage(election, region, scope) if election else None
    context = {
        "election": election,
        "elections": Election.objects.order_by("-voting_day"),
        "region": region,
        "coverage": result,
        "totals": result.as_dict() if result else {},
        "may_manage": scope.can("commitments.manage") and not scope.read_only,
        "may_events": scope.can("commitments.events") and not scope.read_only,
    }
    return render(request, "commitments/overview.html", context)


@login_required
@gated("commitments.view")
def missing(request: HttpRequest) -> HttpResponseBase:
    """Heads of unit without a pact, as a page or (``?format=csv``) a streamed CSV."""
    scope = require(request, "commitments.view")
    election = _election(request)
    if election is None:
        raise Http404
    agency_ids = list(
        agencies_in(request.GET.get("region", "")[:13], scope).values_list("pk", flat=True)
    )
    agency = request.GET.get("agency", "")
    if is_id(agency):
        agency_ids = [a for a in agency_ids if a == int(agency)]
    rows = heads_without_pact(election, agency_ids)
    if request.GET.get("format") == "csv":
        audit.record(
            action="commitments.export_missing",
            actor=request.user,
            object_type="rules.election",
            object_id=str(election.pk),
            after={"agencies": len(agency_ids)},
        )

        class Echo:
            def write(self, value: str) -> str:
                return value

        writer = SafeCsvWriter(Echo())

        def lines() -> Any:
            yield writer.writerow([_("agency"), _("unit"), "NIP", _("name"), _("position")])
            for servant in rows.iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        servant.agency.code,
                        servant.unit.name if servant.unit else "",
                        servant.nip,
                        servant.name,
                        servant.position.name if servant.position else "",
                    ]
                )

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="tanpa-pakta-{election.slug}.csv"'
        return response
    units = per_unit(election, agency_ids[0]) if is_id(agency) and agency_ids else []
    context = {
        "election": election,
        "rows": list(rows[:500]),
        "more": rows[500:501].exists(),
        "units": units,
    }
    return render(request, "commitments/missing.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@gated("commitments.manage")
def ceremony_pacts(request: HttpRequest) -> HttpResponse:
    """Record many pacts at once: the heads of unit of one agency signing before its PPK."""
    scope = require(request, "commitments.manage")
    if scope.read_only:
        raise PermissionDenied
    agencies = _agencies(scope)
    agency_id = request.POST.get("agency") or request.GET.get("agency") or ""
    agency = agencies.filter(pk=int(agency_id)).first() if is_id(agency_id) else None
    agency = agency or agencies.first()
    election = _election(request) if request.method == "GET" else None
    heads: list[tuple[str, str]] = []
    signed: set[str] = set()
    if agency is not None:
        servants = CivilServant.objects.filter(
            agency=agency, is_active=True, is_head_of_unit=True
        ).select_related("unit", "position")
        for servant in servants.order_by("unit__code", "name"):
            unit = servant.unit.name if servant.unit else ""
            heads.append((servant.nip, f"{servant.name} · {servant.nip} · {unit}"))
    initial: dict[str, Any] = {"agency": agency, "signed_on": timezone.localdate()}
    if election is not None:
        initial["election"] = election
        signed = set(
            Pact.objects.filter(election=election, agency=agency).values_list("nip", flat=True)
        )
        initial["heads"] = [nip for nip, _label in heads if nip not in signed]
    data = None
    token = ""
    if request.method == "POST":
        data = request.POST.copy()
        token = data["held_token"] = held_files.valid_token(data.get("held_token"))
    form = CeremonyPactForm(
        data,
        request.FILES or None,
        agencies=agencies,
        heads=heads,
        initial=initial,
    )
    problems: list[Any] = []
    status = 200
    if request.method == "POST":
        # The scan sent now, or the one kept from the last attempt.
        kept = held_files.held(token, request.user)
        upload = request.FILES.get("scan")
        scan = (
            held_files.Kept("scan", upload.name or "", upload.read())
            if upload is not None
            else held_files.Kept("scan", kept["scan"].name, held_files.content_of(kept["scan"]))
            if "scan" in kept
            else None
        )
        if form.is_valid():
            content = scan.content if scan else b""
            nips = form.nips()
            result = services.record_ceremony(
                election=form.cleaned_data["election"],
                agency=form.cleaned_data["agency"],
                nips=nips,
                signed_on=form.cleaned_data["signed_on"],
                actor=request.user,
                scans=dict.fromkeys(nips, content) if content else None,
            )
            if not result.problems:
                held_files.release(token, request.user)
                messages.success(
                    request, _("%(n)d integrity pacts recorded.") % {"n": len(result.pacts)}
                )
                return redirect(
                    f"{request.path}?election={form.cleaned_data['election'].slug}"
                    f"&agency={form.cleaned_data['agency'].pk}#recorded"
                )
            problems = result.problems
        else:
            # The rows are checked too, so one submission shows every error at once.
            chosen = form.cleaned_data.get("agency") or agency
            if chosen is not None:
                _wanted, _servants, problems = services.ceremony_problems(
                    election=form.cleaned_data.get("election"),
                    agency=chosen,
                    nips=form.nips(),
                    signed_on=form.cleaned_data.get("signed_on"),
                )
                # The form's own errors already say what the row check would repeat.
                problems = [p for p in problems if p.row]
        if scan is not None:
            held_files.hold(token, request.user, [scan])
            form.fields["scan"].held = held_files.held(token, request.user).get("scan")  # type: ignore[attr-defined]
        status = 422
    recorded = (
        Pact.objects.filter(election=election, agency=agency).order_by("-signed_on", "name")[:500]
        if election is not None and agency is not None
        else []
    )
    context = {
        "form": form,
        "problems": problems,
        "agency": agency,
        "signed": signed,
        "recorded": recorded,
        "election": election,
    }
    return render(request, "commitments/ceremony_pacts.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@gated(civil_servant=True)
def sign_pact(request: HttpRequest) -> HttpResponse:
    """Personal mode: the official reads the text and signs with their TOTP factor."""
    servant = getattr(request.user, "civil_servant", None)
    election = _election(request)
    form = PersonalPactForm(request.POST or None, initial={"election": election})
    status = 200
    if request.method == "POST" and form.is_valid():
        election = form.cleaned_data["election"]
        try:
            pact = services.sign_personally(
                user=request.user, election=election, token=form.cleaned_data["token"]
            )
        except services.SignatureRefused as exc:
            form.add_error("token", str(exc.message))
        else:
            messages.success(
                request, _("Your integrity pact is signed: %(code)s.") % {"code": pact.code}
            )
            return redirect("commitments:my_pact", code=pact.code)
    if request.method == "POST":
        status = 422
    text = services.pact_text(election, servant.agency) if servant and election else None
    existing = (
        Pact.objects.filter(civil_servant=servant, election=election).first()
        if servant and election
        else None
    )
    context = {"form": form, "servant": servant, "text": text, "existing": existing}
    return render(request, "commitments/sign_pact.html", context, status=status)


def _pact_for(request: HttpRequest, code: str) -> Pact:
    pact = get_object_or_404(Pact.objects.select_related("agency", "election"), code=code)
    user = request.user
    if getattr(user, "civil_servant_id", None) == pact.civil_servant_id:
        return pact
    scope = require(request, "commitments.view")
    if not (
        scope.national
        or pact.agency_id in scope.agency_ids
        or scope.covers_region(pact.agency.region_id)
    ):
        raise Http404
    return pact


@login_required
@require_http_methods(["GET", "POST"])
def my_pact(request: HttpRequest, code: str) -> HttpResponse:
    """A pact; the personnel office may revoke it with a reason (it stays on record)."""
    pact = _pact_for(request, code)
    scope = require(request, "commitments.view") if request.method == "POST" else None
    error = ""
    if request.method == "POST":
        assert scope is not None
        if scope.read_only or not scope.can("commitments.manage"):
            raise PermissionDenied
        reason = str(request.POST.get("reason", "")).strip()[:1000]
        if not reason:
            error = _("Write the reason for the revocation.")
        elif not confirmed(request):
            return confirmation_page(
                request,
                action=_("Revoke"),
                consequence=_("The pact stays on record as revoked; its verification says so."),
                back=request.path,
                details=[(_("Reason"), reason)],
            )
        else:
            services.revoke_pact(pact=pact, reason=reason, actor=request.user)
            return redirect("commitments:my_pact", code=pact.code)
    current = request_scope(request)
    may_revoke = (
        pact.revoked_at is None and current.can("commitments.manage") and not current.read_only
    )
    context = {"pact": pact, "may_revoke": may_revoke, "error": error}
    return render(request, "commitments/pact.html", context, status=422 if error else 200)


@login_required
def pact_pdf(request: HttpRequest, code: str) -> HttpResponseBase:
    pact = _pact_for(request, code)
    if not pact.document_sha256:
        messages.info(request, _("The PDF is being prepared: reload the page in a moment."))
        return redirect("commitments:my_pact", code=pact.code)
    return FileResponse(
        pact.document.open("rb"), as_attachment=True, filename=f"pakta-{pact.code}.pdf"
    )


def verify(request: HttpRequest, code: str = "") -> HttpResponse:
    """Public: anyone holding a pact's code or QR sees what it certifies, nothing else."""
    code = (code or request.GET.get("code", "")).strip().upper()
    pact = (
        Pact.objects.select_related("agency", "election").filter(code=code).first()
        if code
        else None
    )
    status = 404 if code and pact is None else 200
    return render(request, "commitments/verify.html", {"pact": pact, "code": code}, status=status)


# --- Pledges --------------------------------------------------------------------------------------


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


def _nip_list(form: AttendanceForm) -> list[tuple[int, str]]:
    """The NIPs of an attendance form, each with its row: the file's (its header is row 1)
    when one was sent, else the typed lines'. Raises ``ImportFileError``."""
    from netral.core.tabular import ImportFileError, column_values, uploaded_path

    upload = form.cleaned_data.get("file")
    if not upload:
        return list(enumerate(str(form.cleaned_data["nips"]).splitlines(), start=1))
    with uploaded_path(upload) as path:
        try:
            return column_values(path, "nip", upload.name or "")
        except LookupError:
            raise ImportFileError(_("The file needs a column named nip.")) from None


@login_required
@require_http_methods(["GET", "POST"])
def ceremony(request: HttpRequest, pk: int) -> HttpResponse:
    """One ceremony: attendance by NIP list or file, and the check-in code to show on site."""
    from netral.core.tabular import ImportFileError

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
            method = "upload" if form.cleaned_data.get("file") else "list"
            nips: list[tuple[int, str]] = []
            try:
                nips = _nip_list(form)
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


# --- Events and circulars -------------------------------------------------------------------------


def _store(upload: Any) -> tuple[ContentFile[bytes], str]:
    content = upload.read()
    return ContentFile(content, name=upload.name), hashlib.sha256(content).hexdigest()


def _scope_region(scope: Scope) -> Region | None:
    codes = sorted(scope.region_codes)
    if codes:
        return Region.objects.filter(code=codes[0]).first()
    agency = Agency.objects.filter(pk__in=sorted(scope.agency_ids)).exclude(region=None).first()
    return agency.region if agency else None


def _offices(scope: Scope) -> Any:
    """Offices of the jurisdiction's regions and agencies (and the national ones)."""
    from django.db.models import Q

    from netral.registry.models import Office

    if scope.national:
        return Office.objects.order_by("code")
    condition = Q(region__isnull=True) | Q(agency_id__in=sorted(scope.agency_ids))
    regions = set(agencies_in("", scope).exclude(region=None).values_list("region_id", flat=True))
    for code in regions | set(scope.region_codes):
        condition |= Q(region_id=code) | Q(region_id=code.split(".")[0])
    return Office.objects.filter(condition).order_by("code")


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
    from netral.core.tabular import ImportFileError

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
            nips: list[tuple[int, str]] = []
            try:
                nips = _nip_list(form)
            except ImportFileError as exc:
                form.add_error("file", str(exc.message))
            if not form.errors:
                added, problems = services.record_event_attendance(
                    event=item, nips=nips, actor=request.user
                )
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


@login_required
@require_http_methods(["GET", "POST"])
@gated("commitments.view")
def circulars(request: HttpRequest) -> HttpResponse:
    scope = require(request, "commitments.view")
    data, files, token = (
        held_files.bind(request, ("document",)) if request.method == "POST" else (None, None, "")
    )
    form = CircularForm(data, files, initial={"election": _election(request)})
    status = 200
    if request.method == "POST":
        if scope.read_only or not scope.can("commitments.manage"):
            raise PermissionDenied
        region = _scope_region(scope)
        if region is None:
            form.add_error(None, _("Your jurisdiction has no region to issue circulars for."))
        if form.is_valid() and region is not None:
            data = form.cleaned_data
            if Circular.objects.filter(region=region, number=data["number"]).exists():
                form.add_error("number", _("A circular with this number is already recorded."))
            else:
                stored, digest = _store(data["document"])
                circular = Circular.objects.create(
                    election=data["election"],
                    region=region,
                    number=data["number"],
                    issued_on=data["issued_on"],
                    issuer=data["issuer"],
                    title=data["title"],
                    addressees=data["addressees"],
                    document=stored,
                    sha256=digest,
                    created_by_id=request.user.pk,
                )
                audit.record(action="commitments.circular", actor=request.user, obj=circular)
                held_files.release(token, request.user)
                messages.success(request, _("The circular is recorded."))
                return redirect("commitments:circulars")
        held_files.keep(request, form, files, token, ("document",))
        status = 422
    condition = agencies_in("", scope).values("region_id")
    rows = Circular.objects.filter(region_id__in=condition).order_by("-issued_on")[:200]
    return render(
        request, "commitments/circulars.html", {"form": form, "rows": rows}, status=status
    )


def circular_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """Public: circulars are public documents."""
    item = get_object_or_404(Circular, pk=pk)
    name = f"{item.number}.pdf".replace("/", "-")
    return safe_download(item.document.open("rb"), filename=name, content_type="application/pdf")


def public_region(request: HttpRequest, code: str) -> HttpResponse:
    """Public page of a region: counts, its circulars and the verification form; no names."""
    region = get_object_or_404(Region, code=code)
    election = _election(request)
    counts = public_counts(election, region.code)
    rows = (
        Circular.objects.filter(region_id=region.code)
        .select_related("election")
        .order_by("-issued_on")[:100]
    )
    context = {
        "region": region,
        "election": election,
        "elections": Election.objects.order_by("-voting_day"),
        "counts": counts,
        "circulars": rows,
    }
    return render(request, "commitments/public_region.html", context)


@login_required
@gated("commitments.view")
def agency_pacts(request: HttpRequest, code: str) -> HttpResponse:
    """One agency's integrity pacts for an election, with their PDFs (within the jurisdiction)."""
    scope = request_scope(request)
    agency = get_object_or_404(_agencies(scope), code=code)
    election = _election(request)
    pacts = (
        Pact.objects.filter(agency=agency, election=election).order_by("-id")
        if election is not None
        else Pact.objects.none()
    )
    before = request.GET.get("before", "")
    rows = list((pacts.filter(pk__lt=int(before)) if is_id(before) else pacts)[:201])
    context = {
        "agency": agency,
        "election": election,
        "elections": Election.objects.order_by("-voting_day"),
        "pacts": rows[:200],
        "more": len(rows) > 200,
        "may_manage": scope.can("commitments.manage") and not scope.read_only,
    }
    return render(request, "commitments/agency_pacts.html", context)
