"""Integrity pacts: coverage, heads without a pact, ceremony and personal signing, revocation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from netral.commitments import services
from netral.commitments.forms import CeremonyPactForm, PersonalPactForm
from netral.commitments.models import Pact
from netral.commitments.queries import agencies_in, coverage, heads_without_pact, per_unit
from netral.commitments.views.common import _agencies, _election
from netral.core import audit
from netral.core import held as held_files
from netral.core.confirm import confirmation_page, confirmed
from netral.core.inputs import is_id
from netral.core.menu import gated
from netral.core.scope import request_scope, require
from netral.core.sheets import SafeCsvWriter
from netral.registry.models import CivilServant
from netral.rules.models import Election


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
