from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from netral.core.api import ErrorOut, Page, keyset_page
from netral.core.scope import request_scope
from netral.registry.models import Agency, CivilServant, PPKAppointment
from netral.registry.queries import (
    ppk_on,
    search_civil_servants,
    visible_agencies,
    visible_civil_servants,
)

router = Router(tags=["registry"])


class AgencyOut(Schema):
    code: str
    name: str
    kind: str
    region_code: str | None

    @staticmethod
    def resolve_region_code(obj: Agency) -> str | None:
        return obj.region_id


class CivilServantOut(Schema):
    nip: str
    name: str
    employment_type: str
    nip_conforms: bool
    agency_code: str
    unit_code: str
    position: str | None
    is_head_of_unit: bool
    is_active: bool

    @staticmethod
    def resolve_agency_code(obj: CivilServant) -> str:
        return obj.agency.code

    @staticmethod
    def resolve_unit_code(obj: CivilServant) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_position(obj: CivilServant) -> str | None:
        return obj.position.name if obj.position else None


class PPKOut(Schema):
    name: str
    title: str
    acting_kind: str
    valid_from: date
    valid_to: date | None
    decree_number: str


def _require_view(request: HttpRequest) -> None:
    if not request_scope(request).can("registry.view"):
        raise HttpError(403, _("Your role may not view the registry."))


@router.get("/civil-servants", response=Page[CivilServantOut], summary="Search civil servants")
def list_civil_servants(
    request: HttpRequest, q: str = "", limit: int | None = None, cursor: str | None = None
) -> dict[str, Any]:
    """Civil servants in your jurisdiction; ``q`` is a NIP prefix or a name prefix."""
    _require_view(request)
    queryset, _key = search_civil_servants(request_scope(request), q[:100])
    return keyset_page(queryset, key="nip", limit=limit, cursor=cursor)


@router.get(
    "/civil-servants/{nip}",
    response={200: CivilServantOut, 404: ErrorOut},
    summary="One civil servant",
)
def get_civil_servant(request: HttpRequest, nip: str) -> CivilServant:
    _require_view(request)
    servant = (
        visible_civil_servants(request_scope(request))
        .select_related("agency", "unit", "position")
        .filter(nip=nip)
        .first()
    )
    if servant is None:
        raise HttpError(404, _("No civil servant with this NIP in your jurisdiction."))
    return servant


@router.get("/agencies", response=Page[AgencyOut], summary="Agencies in your jurisdiction")
def list_agencies(
    request: HttpRequest, limit: int | None = None, cursor: str | None = None
) -> dict[str, Any]:
    _require_view(request)
    return keyset_page(
        visible_agencies(request_scope(request)), key="code", limit=limit, cursor=cursor
    )


@router.get(
    "/agencies/{code}/ppk",
    response={200: PPKOut, 404: ErrorOut},
    summary="The PPK of an agency on a date",
)
def get_agency_ppk(request: HttpRequest, code: str, on: date | None = None) -> PPKAppointment:
    _require_view(request)
    agency = visible_agencies(request_scope(request)).filter(code=code).first()
    if agency is None:
        raise HttpError(404, _("No agency with this code in your jurisdiction."))
    ppk = ppk_on(agency.pk, on or timezone.localdate())
    if ppk is None:
        raise HttpError(404, _("No PPK is recorded for this agency on that date."))
    return ppk


class AgencySuggestion(Schema):
    code: str
    name: str
    unit: str = ""
    region: str = ""


@router.get("/agencies-suggest", response=list[AgencySuggestion], auth=None)
def suggest_agencies(request: HttpRequest, q: str = "") -> Any:
    """Public: up to 10 agencies, or units (OPD) with their agency, whose names hold every word
    of ``q``, each with its region (institutions only, never persons)."""
    from netral.registry.queries import agency_suggestions

    return agency_suggestions(q)
