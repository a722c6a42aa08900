"""Registration through the API: the officer's checklist opens or joins a case."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from netral.cases import workflow
from netral.cases.models import Case, CaseDocument, State
from netral.cases.queries import CaseFilter, filtered, page_newest_first, visible_cases
from netral.cases.services import TransitionError, Upload, available, perform, register_report
from netral.core.api import (
    ApiError,
    ErrorOut,
    InvalidInput,
    Page,
    clamp_limit,
    column,
    encode_cursor,
    typed_cursor,
)
from netral.core.scope import Scope, request_scope
from netral.intake.queries import visible_reports

router = Router(tags=["reports"])


class RegisterIn(Schema):
    checklist: dict[str, bool]
    join_case: str | None = None


class RegisteredOut(Schema):
    receipt_code: str
    case_number: str


@router.post(
    "/{code}/register",
    response={200: RegisteredOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def register(request: HttpRequest, code: str, payload: RegisterIn) -> Any:
    """Register a report; ``checklist`` maps each requirement code to true or false."""
    scope = request_scope(request)
    if not scope.can("intake.manage"):
        raise HttpError(403, _("Your role may not handle reports."))
    report = visible_reports(scope).filter(receipt_code=code).first()
    if report is None:
        raise HttpError(404, _("No report with this code in your jurisdiction."))
    join = None
    if payload.join_case:
        join = visible_cases(scope).filter(number=payload.join_case).first()
        if join is None:
            raise InvalidInput("join_case", _("No case with this number in your jurisdiction."))
    try:
        case = register_report(
            report=report, officer=request.user, checklist=payload.checklist, join=join
        )
    except ValidationError as exc:
        raise InvalidInput("checklist", " ".join(exc.messages)) from exc
    return {"receipt_code": report.receipt_code, "case_number": case.number}


# --- Cases --------------------------------------------------------------------------------------

cases_router = Router(tags=["cases"])


class AccusedOut(Schema):
    name: str
    nip: str
    position: str
    civil_servant_id: int | None


class CaseOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    holder: str
    office: str
    region: str | None
    election: str | None
    # The race the act concerns (its candidate determination decides the track), if recorded.
    race: str | None
    agency_id: int | None
    accused_name: str
    due_date: date | None
    # The office's zone (WIB, WITA, WIT): the due date ends at 23:59 there.
    zone: str
    overdue: bool
    version: int


class DocumentOut(Schema):
    id: int
    kind: str
    number: str
    name: str
    sha256: str
    size: int
    generated: bool
    # False while a letter's PDF is being prepared (its number is already reserved).
    ready: bool
    created_at: datetime


class CaseDetailOut(CaseOut):
    accused: list[AccusedOut]
    violation_types: list[str]
    reviewing_agency: str | None
    ppk: str | None
    track: str
    recommended_sanction: str | None
    imposed_sanction: str | None
    forwarded_on: date | None
    recommended_on: date | None
    ppk_received_on: date | None
    ppk_due_date: date | None
    decided_on: date | None
    closed_on: date | None
    rule_versions: dict[str, int]
    documents: list[DocumentOut]


class CaseEventOut(Schema):
    seq: int
    transition: str
    from_state: str
    to_state: str
    actor: str | None
    actor_roles: str
    at: datetime
    effective_on: date
    reason: str
    inputs: dict[str, Any]
    due_date: date | None


class InputOut(Schema):
    name: str
    label: str
    kind: str
    required: bool
    choices: list[list[str]]


class TransitionOut(Schema):
    name: str
    label: str
    target: str | None
    inputs: list[InputOut]
    documents: list[dict[str, Any]]
    letter: str | None


class DocumentIn(Schema):
    kind: str = column(CaseDocument, "kind")
    name: str = column(CaseDocument, "original_name")
    content_base64: str


class TransitionIn(Schema):
    version: int
    inputs: dict[str, Any] = {}
    documents: list[DocumentIn] = []


def _case_out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "state": case.state,
        "state_label": str(State(case.state).label),
        "holder": case.holder,
        "office": case.office.code,
        "region": case.region_id,
        "election": case.election.slug if case.election else None,
        "race": case.race.code if case.race_id and case.race else None,
        "agency_id": case.agency_id,
        "accused_name": case.accused_name,
        "due_date": case.due_date,
        "zone": case.zone_label,
        # The deadline ends with the day in the zone of the office holding the case.
        "overdue": case.overdue,
        "version": case.version,
    }


def _visible_case(request: HttpRequest, case_id: int) -> tuple[Case, Scope]:
    scope = request_scope(request)
    if not scope.can("cases.view"):
        raise HttpError(403, _("Your role may not see cases."))
    case = (
        visible_cases(scope)
        .select_related(
            "office",
            "election",
            "race",
            "reviewing_agency",
            "ppk",
            "recommended_sanction",
            "imposed_sanction",
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise HttpError(404, _("No case with this id in your jurisdiction."))
    return case, scope


@cases_router.get("", response={200: Page[CaseOut], 403: ErrorOut, 422: ErrorOut})
def list_cases(
    request: HttpRequest,
    state: str = "",
    election: str = "",
    region: str = "",
    overdue: bool = False,
    limit: int | None = None,
    cursor: str | None = None,
) -> Any:
    """Cases in the caller's jurisdiction, newest first; filter by state, election, region and
    overdue (past the due date of the current state)."""
    scope = request_scope(request)
    if not scope.can("cases.view"):
        raise HttpError(403, _("Your role may not see cases."))
    if state and state not in State.values:
        raise InvalidInput("state", _("Unknown state."))
    size = clamp_limit(limit)
    after = typed_cursor(Case, "id", cursor) if cursor else None
    queryset = filtered(
        visible_cases(scope).select_related("office", "election", "race"),
        CaseFilter(state=state, election=election, region=region, overdue=overdue),
    )
    rows, next_id = page_newest_first(queryset, after=after, size=size)
    return {
        "items": [_case_out(c) for c in rows],
        "next_cursor": encode_cursor(next_id) if next_id is not None else None,
    }


@cases_router.get("/{case_id}", response={200: CaseDetailOut, 403: ErrorOut, 404: ErrorOut})
def case_detail(request: HttpRequest, case_id: int) -> Any:
    case, _scope = _visible_case(request, case_id)
    out = _case_out(case)
    out.update(
        accused=[
            {
                "name": a.name,
                "nip": a.nip,
                "position": a.position,
                "civil_servant_id": a.civil_servant_id,
            }
            for a in case.accused.all()
        ],
        violation_types=[v.code for v in case.violation_types.all()],
        reviewing_agency=case.reviewing_agency.name if case.reviewing_agency else None,
        ppk=f"{case.ppk.title} ({case.ppk.name})" if case.ppk else None,
        track=case.track,
        recommended_sanction=case.recommended_sanction.code if case.recommended_sanction else None,
        imposed_sanction=case.imposed_sanction.code if case.imposed_sanction else None,
        forwarded_on=case.forwarded_on,
        recommended_on=case.recommended_on,
        ppk_received_on=case.ppk_received_on,
        ppk_due_date=case.ppk_due_date,
        decided_on=case.decided_on,
        closed_on=case.closed_on,
        rule_versions=case.rule_versions,
        documents=[
            {
                "id": d.pk,
                "kind": d.kind,
                "number": d.number,
                "name": d.original_name,
                "sha256": d.sha256,
                "size": d.size,
                "generated": d.generated,
                "ready": bool(d.sha256),
                "created_at": d.created_at,
            }
            for d in case.documents.all()
        ],
    )
    return out


@cases_router.get(
    "/{case_id}/timeline", response={200: list[CaseEventOut], 403: ErrorOut, 404: ErrorOut}
)
def case_timeline(request: HttpRequest, case_id: int) -> Any:
    case, _scope = _visible_case(request, case_id)
    return [
        {
            "seq": e.seq,
            "transition": e.transition,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "actor": str(e.actor) if e.actor else None,
            "actor_roles": e.actor_roles,
            "at": e.at,
            "effective_on": e.effective_on,
            "reason": e.reason,
            "inputs": e.inputs,
            "due_date": e.due_date,
        }
        for e in case.events.select_related("actor").order_by("seq")
    ]


def _transition_out(t: workflow.Transition) -> dict[str, Any]:
    return {
        "name": t.name,
        "label": str(t.label),
        "target": t.target,
        "inputs": [
            {
                "name": i.name,
                "label": str(i.label),
                "kind": i.kind,
                "required": i.required,
                "choices": [[code, str(label)] for code, label in i.choices],
            }
            for i in t.inputs
        ],
        "documents": [{"kind": d.kind, "required": d.required} for d in t.documents],
        "letter": t.letter,
    }


@cases_router.get(
    "/{case_id}/transitions", response={200: list[TransitionOut], 403: ErrorOut, 404: ErrorOut}
)
def case_transitions(request: HttpRequest, case_id: int) -> Any:
    """The steps the caller may take on this case now."""
    case, scope = _visible_case(request, case_id)
    return [_transition_out(t) for t in available(case, scope)]


@cases_router.post(
    "/{case_id}/transitions/{name}",
    response={200: CaseOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def take_transition(request: HttpRequest, case_id: int, name: str, payload: TransitionIn) -> Any:
    """Take a step. Send the case's current ``version``: a stale one answers 409."""
    case, scope = _visible_case(request, case_id)
    uploads = []
    for i, document in enumerate(payload.documents):
        try:
            content = base64.b64decode(document.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidInput(
                f"documents.{i}.content_base64", _("This is not valid base64.")
            ) from exc
        uploads.append(Upload(kind=document.kind, name=document.name, content=content))
    try:
        case = perform(
            case_id=case.pk,
            name=name,
            actor=request.user,
            scope=scope,
            version=payload.version,
            inputs=payload.inputs,
            uploads=uploads,
        )
    except TransitionError as exc:
        errors = [{"field": f, "message": m} for f, m in exc.errors.items()]
        raise ApiError(exc.status, exc.message, errors) from exc
    case = Case.objects.select_related("office", "election", "race").get(pk=case.pk)
    return _case_out(case)
