"""/api/v1/commitments: coverage, public pact verification, and lists and records, scoped."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from netral.commitments import services
from netral.commitments.forms import circular_problem
from netral.commitments.models import Circular, Pact, PledgeCeremony, SocialisationEvent
from netral.commitments.queries import agencies_in, coverage
from netral.core.api import (
    ApiError,
    ErrorOut,
    InvalidInput,
    Page,
    WebLink,
    column,
    keyset_page,
)
from netral.core.scope import Scope, request_scope
from netral.regions.models import Region
from netral.registry.models import Agency
from netral.rules.models import Election

router = Router(tags=["commitments"])


def _scope(request: HttpRequest, capability: str = "commitments.view") -> Scope:
    scope = request_scope(request)
    if not scope.can(capability) or (capability != "commitments.view" and scope.read_only):
        raise HttpError(403, _("Your role may not do this."))
    return scope


def _managed_agency(request: HttpRequest, code: str) -> Agency:
    """The agency with this code, if the user may manage commitments in it (else 403/422)."""
    agency = agencies_in("", _scope(request, "commitments.manage")).filter(code=code).first()
    if agency is None:
        raise InvalidInput("agency", _("No agency with this code in your jurisdiction."))
    return agency


def _election(slug: str) -> Election:
    election = Election.objects.filter(slug=slug).first()
    if election is None:
        raise InvalidInput("election", _("No election with this slug."))
    return election


class CoverageOut(Schema):
    election: str
    region: str | None
    heads_of_unit: int
    heads_with_pact: int
    pact_share: float
    civil_servants: int
    pledged: int
    pledge_share: float
    agencies: int
    agencies_reached: int
    agencies_share: float
    by_agency: list[dict[str, Any]]


@router.get("/coverage", response={200: CoverageOut, 403: ErrorOut, 422: ErrorOut})
def get_coverage(request: HttpRequest, election: str, region: str = "") -> Any:
    """Shares of heads of unit with a pact, civil servants who pledged and agencies reached."""
    scope = _scope(request)
    result = coverage(_election(election), region, scope)
    out = result.as_dict()
    out["by_agency"] = [
        {
            "agency": a.code,
            "heads_of_unit": a.heads,
            "heads_with_pact": a.heads_signed,
            "civil_servants": a.servants,
            "pledged": a.pledged,
            "reached": a.reached,
        }
        for a in result.agencies
    ]
    return out


class VerifiedOut(Schema):
    code: str
    valid: bool
    revoked_at: str | None
    official: str
    position: str
    agency: str
    election: str
    signed_on: date
    document_sha256: str


@router.get("/pacts/verify/{code}", auth=None, response={200: VerifiedOut, 404: ErrorOut})
def verify_pact(request: HttpRequest, code: str) -> Any:
    """Public: what a pact's code certifies, nothing more about the person."""
    pact = (
        Pact.objects.select_related("agency", "election").filter(code=code.strip().upper()).first()
    )
    if pact is None:
        raise HttpError(404, _("No integrity pact has this code."))
    return {
        "code": pact.code,
        "valid": pact.revoked_at is None,
        "revoked_at": pact.revoked_at.isoformat() if pact.revoked_at else None,
        "official": pact.name,
        "position": pact.position,
        "agency": pact.agency.name,
        "election": pact.election.slug,
        "signed_on": pact.signed_on,
        "document_sha256": pact.document_sha256,
    }


class PactOut(Schema):
    id: int
    code: str
    election: str
    agency: str
    nip: str
    name: str
    position: str
    signed_on: date
    mode: str
    revoked: bool


def _pact_out(pact: Pact) -> dict[str, Any]:
    return {
        "id": pact.pk,
        "code": pact.code,
        "election": pact.election.slug,
        "agency": pact.agency.code,
        "nip": pact.nip,
        "name": pact.name,
        "position": pact.position,
        "signed_on": pact.signed_on,
        "mode": pact.mode,
        "revoked": pact.revoked_at is not None,
    }


@router.get("/pacts", response={200: Page[PactOut], 403: ErrorOut, 422: ErrorOut})
def list_pacts(
    request: HttpRequest,
    election: str = "",
    agency: str = "",
    limit: int | None = None,
    cursor: str | None = None,
) -> Any:
    scope = _scope(request)
    queryset = Pact.objects.filter(agency__in=agencies_in("", scope)).select_related(
        "election", "agency"
    )
    if election:
        queryset = queryset.filter(election__slug=election)
    if agency:
        queryset = queryset.filter(agency__code=agency)
    return keyset_page(queryset, key="id", limit=limit, cursor=cursor, serialize=_pact_out)


class CeremonyIn(Schema):
    election: str
    agency: str
    signed_on: date
    nips: list[str]


@router.post("/pacts", response={201: list[PactOut], 403: ErrorOut, 422: ErrorOut})
def create_pacts(request: HttpRequest, payload: CeremonyIn) -> Any:
    """A ceremony: many officials of one agency at once. All or nothing, problems per row."""
    agency = _managed_agency(request, payload.agency)
    result = services.record_ceremony(
        election=_election(payload.election),
        agency=agency,
        nips=payload.nips,
        signed_on=payload.signed_on,
        actor=request.user,
    )
    if result.problems:
        errors = [
            {"field": f"nips.{p.row - 1}" if p.row else None, "message": str(p.reason)}
            for p in result.problems
        ]
        raise ApiError(422, _("Nothing was saved; see the rows."), errors)
    pacts = Pact.objects.filter(pk__in=[p.pk for p in result.pacts]).select_related(
        "election", "agency"
    )
    return Status(201, [_pact_out(p) for p in pacts])


class CeremonyOut(Schema):
    id: int
    election: str
    agency: str
    held_on: date
    place: str
    led_by: str
    attendance: int


class PledgeCeremonyIn(Schema):
    election: str
    agency: str
    held_on: date
    place: str = column(PledgeCeremony, "place")
    led_by: str = column(PledgeCeremony, "led_by")


@router.get("/pledges", response={200: Page[CeremonyOut], 403: ErrorOut, 422: ErrorOut})
def list_ceremonies(
    request: HttpRequest, election: str = "", limit: int | None = None, cursor: str | None = None
) -> Any:
    scope = _scope(request)
    from django.db.models import Count

    queryset = (
        PledgeCeremony.objects.filter(agency__in=agencies_in("", scope))
        .select_related("election", "agency")
        .annotate(n=Count("attendance"))
    )
    if election:
        queryset = queryset.filter(election__slug=election)

    def out(c: Any) -> dict[str, Any]:
        return {
            "id": c.pk,
            "election": c.election.slug,
            "agency": c.agency.code,
            "held_on": c.held_on,
            "place": c.place,
            "led_by": c.led_by,
            "attendance": c.n,
        }

    return keyset_page(queryset, key="id", limit=limit, cursor=cursor, serialize=out)


@router.post("/pledges", response={201: CeremonyOut, 403: ErrorOut, 422: ErrorOut})
def create_ceremony(request: HttpRequest, payload: PledgeCeremonyIn) -> Any:
    agency = _managed_agency(request, payload.agency)
    ceremony = services.open_ceremony(
        election=_election(payload.election),
        agency=agency,
        held_on=payload.held_on,
        place=payload.place,
        led_by=payload.led_by,
        actor=request.user,
    )
    return Status(
        201,
        {
            "id": ceremony.pk,
            "election": payload.election,
            "agency": agency.code,
            "held_on": ceremony.held_on,
            "place": ceremony.place,
            "led_by": ceremony.led_by,
            "attendance": 0,
        },
    )


class AttendanceIn(Schema):
    nips: list[str]


class AttendanceOut(Schema):
    added: int
    already: int
    errors: list[dict[str, Any]]


@router.post(
    "/pledges/{ceremony_id}/attendance",
    response={200: AttendanceOut, 403: ErrorOut, 404: ErrorOut},
)
def add_attendance(request: HttpRequest, ceremony_id: int, payload: AttendanceIn) -> Any:
    """Records the valid NIPs; answers every other with its row (index) and reason."""
    scope = _scope(request, "commitments.manage")
    ceremony = PledgeCeremony.objects.filter(
        pk=ceremony_id, agency__in=agencies_in("", scope)
    ).first()
    if ceremony is None:
        raise HttpError(404, _("No ceremony with this id in your jurisdiction."))
    result = services.record_attendance(
        ceremony=ceremony,
        nips=list(enumerate(payload.nips)),
        method="list",
        actor=request.user,
    )
    return {
        "added": result.added,
        "already": result.already,
        "errors": [{"field": f"nips.{p.row}", "message": str(p.reason)} for p in result.problems],
    }


class SocialisationEventOut(Schema):
    id: int
    election: str
    region: str
    title: str
    held_on: date
    mode: str
    place: str
    link: str


class EventIn(Schema):
    election: str
    region: str
    title: str = column(SocialisationEvent, "title")
    held_on: date
    mode: str
    place: str = column(SocialisationEvent, "place", "")
    link: WebLink = ""
    speakers: str = Field("", max_length=5000)


def _event_out(e: SocialisationEvent) -> dict[str, Any]:
    return {
        "id": e.pk,
        "election": e.election.slug,
        "region": e.region_id,
        "title": e.title,
        "held_on": e.held_on,
        "mode": e.mode,
        "place": e.place,
        "link": e.link,
    }


def _region(scope: Scope, code: str) -> Region:
    region = services.jurisdiction_region(scope, code) if code else None
    if region is None:
        raise InvalidInput("region", _("No region with this code in your jurisdiction."))
    return region


@router.get("/events", response={200: Page[SocialisationEventOut], 403: ErrorOut, 422: ErrorOut})
def list_events(
    request: HttpRequest, election: str = "", limit: int | None = None, cursor: str | None = None
) -> Any:
    scope = _scope(request)
    regions = agencies_in("", scope).values("region_id")
    queryset = SocialisationEvent.objects.select_related("election")
    if not scope.national:
        queryset = queryset.filter(region_id__in=regions)
    if election:
        queryset = queryset.filter(election__slug=election)
    return keyset_page(queryset, key="id", limit=limit, cursor=cursor, serialize=_event_out)


@router.post("/events", response={201: SocialisationEventOut, 403: ErrorOut, 422: ErrorOut})
def create_event(request: HttpRequest, payload: EventIn) -> Any:
    scope = _scope(request, "commitments.events")
    if payload.mode not in SocialisationEvent.Mode.values:
        raise InvalidInput("mode", _("Choose one of the options."))
    if payload.mode == "virtual" and not payload.link:
        raise InvalidInput("link", _("A virtual event needs its link."))
    region = _region(scope, payload.region)
    event = services.record_event(
        election=_election(payload.election),
        region=region,
        title=payload.title,
        held_on=payload.held_on,
        mode=payload.mode,
        place=payload.place,
        link=payload.link,
        speakers=payload.speakers,
        actor=request.user,
    )
    return Status(201, _event_out(event))


class CircularOut(Schema):
    id: int
    election: str
    region: str
    number: str
    issued_on: date
    issuer: str
    title: str
    sha256: str


class CircularIn(Schema):
    election: str
    region: str
    number: str = column(Circular, "number")
    issued_on: date
    issuer: str = column(Circular, "issuer")
    title: str = column(Circular, "title")
    addressees: str = Field("", max_length=5000)
    document_base64: str


def _circular_out(c: Circular) -> dict[str, Any]:
    return {
        "id": c.pk,
        "election": c.election.slug,
        "region": c.region_id,
        "number": c.number,
        "issued_on": c.issued_on,
        "issuer": c.issuer,
        "title": c.title,
        "sha256": c.sha256,
    }


@router.get("/circulars", auth=None, response={200: Page[CircularOut], 422: ErrorOut})
def list_circulars(
    request: HttpRequest,
    region: str = "",
    election: str = "",
    limit: int | None = None,
    cursor: str | None = None,
) -> Any:
    """Public: circulars are public documents."""
    queryset = Circular.objects.select_related("election")
    if region:
        queryset = queryset.filter(region_id=region)
    if election:
        queryset = queryset.filter(election__slug=election)
    return keyset_page(queryset, key="id", limit=limit, cursor=cursor, serialize=_circular_out)


@router.post("/circulars", response={201: CircularOut, 403: ErrorOut, 422: ErrorOut})
def create_circular(request: HttpRequest, payload: CircularIn) -> Any:
    scope = _scope(request, "commitments.manage")
    region = _region(scope, payload.region)
    try:
        content = base64.b64decode(payload.document_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("document_base64", _("This is not valid base64.")) from exc
    problem = circular_problem(content)
    if problem:
        raise InvalidInput("document_base64", problem)
    election = _election(payload.election)
    try:
        circular = services.record_circular(
            election=election,
            region=region,
            number=payload.number,
            issued_on=payload.issued_on,
            issuer=payload.issuer,
            title=payload.title,
            addressees=payload.addressees,
            document=services.Upload(f"{payload.number}.pdf", content),
            actor=request.user,
        )
    except services.CommitmentRefused as exc:
        raise InvalidInput(exc.field, str(exc.message)) from exc
    return Status(201, _circular_out(circular))
