"""Rules, elections, deadlines and the working-day calendar: public, no login needed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from netral.core.api import ErrorOut, InvalidInput, Page, keyset_page
from netral.regions.models import Region
from netral.rules.calendar import OutOfRange, calendar_for
from netral.rules.classify import RaceNeeded, classify
from netral.rules.models import DeadlineRule, Election, SanctionOption, ViolationType
from netral.rules.queries import catalogue, election_by_slug_or_id

rules_router = Router(tags=["rules"])
calendar_router = Router(tags=["calendar"])
elections_router = Router(tags=["rules"])
deadlines_router = Router(tags=["rules"])

MAX_DAYS = 3650


class SanctionOut(Schema):
    code: str
    level: str
    name: str
    track: str
    condition: str
    role: str
    unverified: bool


class ProvisionOut(Schema):
    citation: str
    document: str
    document_title: str
    address: str
    annex: bool
    confidence: str


class ViolationTypeOut(Schema):
    code: str
    name_id: str
    name_en: str
    description_id: str
    description_en: str
    examples_id: str
    examples_en: str
    tracks: list[str]
    social_media: bool
    sanctions: list[SanctionOut]
    citations: list[str]
    provisions: list[ProvisionOut]
    confidence: str
    unverified: bool


def _sanction(option: SanctionOption) -> dict[str, Any]:
    return {
        "code": option.sanction.code,
        "level": option.sanction.level,
        "name": option.sanction.text("name"),
        "track": option.track,
        "condition": option.text("condition"),
        "role": option.role,
        "unverified": option.unverified or option.sanction.unverified,
    }


def _violation(item: ViolationType) -> dict[str, Any]:
    return {
        "code": item.code,
        "name_id": item.name_id,
        "name_en": item.name_en,
        "description_id": item.description_id,
        "description_en": item.description_en,
        "examples_id": item.examples_id,
        "examples_en": item.examples_en,
        "tracks": item.tracks,
        "social_media": item.social_media,
        "sanctions": [_sanction(o) for o in item.sanction_options.all()],
        "citations": item.citations,
        "provisions": [
            {
                "citation": str(p),
                "document": p.regulation.name,
                "document_title": p.regulation.title_text,
                "address": p.address,
                "annex": p.is_annex,
                "confidence": p.confidence,
            }
            for p in item.provisions.all()
        ],
        "confidence": item.confidence,
        "unverified": item.unverified,
    }


@rules_router.get("/violation-types", response=Page[ViolationTypeOut], auth=None)
def list_violation_types(
    request: HttpRequest, limit: int | None = None, cursor: str | None = None
) -> dict[str, Any]:
    """The catalogue of prohibited acts, with tracks, sanctions and citations."""
    page = keyset_page(catalogue(), key="code", limit=limit, cursor=cursor)
    page["items"] = [_violation(v) for v in page["items"]]
    return page


@rules_router.get(
    "/violation-types/{code}", response={200: ViolationTypeOut, 422: ErrorOut}, auth=None
)
def get_violation_type(request: HttpRequest, code: str) -> dict[str, Any]:
    item = catalogue().filter(code=code).first()
    if item is None:
        raise InvalidInput("code", _("No violation type has the code %(code)s.") % {"code": code})
    return _violation(item)


class ClassifyIn(Schema):
    violation_type: str
    act_date: date
    election: str
    role: str = ""
    # The race (GET /api/v1/elections lists each election's): needed when the act lies between
    # two races' candidate determinations.
    race: str = ""
    # Whether the civil servant was on unpaid leave (CLTN); unknown when left out.
    on_unpaid_leave: bool | None = None


class ClassifiedSanction(Schema):
    code: str
    level: str
    name: str


class ClassifyOut(Schema):
    # "ethics", "discipline", or "none" when the act is not a violation.
    track: str
    violation: bool
    race: str
    sanctions: list[ClassifiedSanction]
    citations: list[str]
    reasons: list[str]
    unverified: bool


@rules_router.post("/classify", response=ClassifyOut, auth=None)
def classify_act(request: HttpRequest, payload: ClassifyIn) -> dict[str, Any]:
    """Track, ordered sanction options, citations and reasons for an act."""
    violation = ViolationType.objects.filter(code=payload.violation_type).first()
    if violation is None:
        raise InvalidInput(
            "violation_type",
            _("No violation type has the code %(code)s.") % {"code": payload.violation_type},
        )
    election = election_by_slug_or_id(payload.election)
    if election is None:
        raise InvalidInput(
            "election", _("No election is named %(name)s.") % {"name": payload.election}
        )
    race = None
    if payload.race:
        race = next((r for r in election.races.all() if r.code == payload.race), None)
        if race is None:
            raise InvalidInput(
                "race",
                _("%(election)s has no race %(race)s; its races: %(races)s.")
                % {
                    "election": election,
                    "race": payload.race,
                    "races": ", ".join(r.code for r in election.races.all()) or "-",
                },
            )
    try:
        result = classify(
            violation_type=violation,
            act_date=payload.act_date,
            election=election,
            role=payload.role,
            race=race,
            on_unpaid_leave=payload.on_unpaid_leave,
        )
    except RaceNeeded as exc:
        raise InvalidInput("race", str(exc)) from exc
    seen: set[str] = set()
    sanctions = []
    for option in result.options:
        if option.sanction.code not in seen:
            seen.add(option.sanction.code)
            sanctions.append(
                {
                    "code": option.sanction.code,
                    "level": option.sanction.level,
                    "name": option.sanction.text("name"),
                }
            )
    return {
        "track": result.track,
        "violation": result.violation,
        "race": race.code if race else "",
        "sanctions": sanctions,
        "citations": result.citations,
        "reasons": result.reasons,
        "unverified": result.unverified,
    }


def _region(code: str | None) -> str | None:
    if code and not Region.objects.filter(code=code).exists():
        raise InvalidInput("region", _("No region has the code %(code)s.") % {"code": code})
    return code or None


class AddOut(Schema):
    start: date
    days: int
    result: date


class BetweenOut(Schema):
    working_days: int


@calendar_router.get("/working-days/add", response=AddOut, auth=None)
def add_working_days(
    request: HttpRequest,
    start: date,
    days: int,
    region: str | None = None,
) -> dict[str, Any]:
    """The ``days``-th working day after ``start`` (weekends, national and local days off)."""
    if abs(days) > MAX_DAYS:
        raise InvalidInput(
            "days", _("days must be between -%(max)d and %(max)d.") % {"max": MAX_DAYS}
        )
    calendar = calendar_for(_region(region))
    try:
        result = calendar.add(start, days)
    except OutOfRange as exc:
        raise InvalidInput("start", _("The date is outside the supported calendar.")) from exc
    return {"start": start, "days": days, "result": result}


@calendar_router.get("/working-days/between", response=BetweenOut, auth=None)
def count_working_days(
    request: HttpRequest, start: date, end: date, region: str | None = None
) -> dict[str, Any]:
    """Working days after ``start`` up to and including ``end``."""
    calendar = calendar_for(_region(region))
    try:
        return {"working_days": calendar.between(start, end)}
    except OutOfRange as exc:
        raise InvalidInput("end", _("The date is outside the supported calendar.")) from exc


class StageOut(Schema):
    kind: str
    start: date
    end: date
    citation: str
    confidence: str


class RaceOut(Schema):
    code: str
    name_id: str
    name_en: str
    candidate_determination: date
    citation: str
    confidence: str
    unverified: bool


class ElectionOut(Schema):
    id: int
    slug: str
    kind: str
    name_id: str
    name_en: str
    voting_day: date
    region_codes: list[str]
    stages: list[StageOut]
    races: list[RaceOut]
    citation: str
    confidence: str

    @staticmethod
    def resolve_region_codes(obj: Election) -> list[str]:
        return [r.code for r in obj.regions.all()]

    @staticmethod
    def resolve_stages(obj: Election) -> list[Any]:
        return list(obj.stages.all())

    @staticmethod
    def resolve_races(obj: Election) -> list[Any]:
        return list(obj.races.all())


@elections_router.get("", response=Page[ElectionOut], auth=None)
def list_elections(
    request: HttpRequest, limit: int | None = None, cursor: str | None = None
) -> dict[str, Any]:
    queryset = Election.objects.prefetch_related("stages", "regions", "races")
    return keyset_page(queryset, key="slug", limit=limit, cursor=cursor)


class DeadlineOut(Schema):
    id: int
    step: str
    election_kind: str
    amount: int
    unit: str
    extension_amount: int | None
    valid_from: date | None
    valid_to: date | None
    citation: str
    confidence: str
    unverified: bool
    version: int


@deadlines_router.get("", response=Page[DeadlineOut], auth=None)
def list_deadlines(
    request: HttpRequest, limit: int | None = None, cursor: str | None = None
) -> dict[str, Any]:
    return keyset_page(DeadlineRule.objects.all(), key="id", limit=limit, cursor=cursor)
