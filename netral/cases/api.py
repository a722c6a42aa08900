"""Registration through the API: the officer's checklist opens or joins a case."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from netral.cases.models import Case
from netral.cases.services import register_report
from netral.core.api import ErrorOut, InvalidInput
from netral.core.scope import request_scope
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
        join = (
            scope.filter(Case.objects.all(), region_field="region__code")
            .filter(number=payload.join_case)
            .first()
        )
        if join is None:
            raise InvalidInput("join_case", _("No case with this number in your jurisdiction."))
    try:
        case = register_report(
            report=report, officer=request.user, checklist=payload.checklist, join=join
        )
    except ValidationError as exc:
        raise InvalidInput("checklist", " ".join(exc.messages)) from exc
    return {"receipt_code": report.receipt_code, "case_number": case.number}
