"""Public reporting API (no login) and officer endpoints (scoped by jurisdiction)."""

from __future__ import annotations

import json
import secrets
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status

from netral.core.api import ErrorOut, InvalidInput, Page, keyset_page
from netral.core.pow import new_challenge
from netral.core.ratelimit import over_limit, report_limit
from netral.core.scope import request_scope
from netral.intake.evidence import MAX_FILES, EvidenceRejected, store_upload
from netral.intake.forms import NOT_SURE, ReportForm
from netral.intake.models import Evidence
from netral.intake.queries import visible_reports
from netral.intake.services import (
    TransferRefused,
    ask_reporter,
    merge_report,
    reject_report,
    report_for_receipt,
    request_completion,
    submit_report,
    transfer_report,
)

router = Router(tags=["reports"])


class FieldErrors(HttpError):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(422, _("Some fields are not valid."))
        self.errors = errors


class UploadOut(Schema):
    id: str
    sha256: str
    content_type: str
    size: int


@router.post(
    "/uploads", response={201: UploadOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}, auth=None
)
def upload_evidence(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Store one evidence file; reference its ``id`` in the report's ``evidence`` list."""
    limited = over_limit(request, "NETRAL_RATE_UPLOADS", "intake.upload")
    if limited is not None:
        return limited
    token = secrets.token_urlsafe(18)
    try:
        evidence = store_upload(file, upload_token=token)
    except EvidenceRejected as exc:
        status = 413 if exc.too_large else 422
        body = {
            "detail": str(exc.message),
            "errors": [{"field": "file", "message": str(exc.message)}],
        }
        return Status(status, body)
    return Status(
        201,
        {
            "id": token,
            "sha256": evidence.sha256,
            "content_type": evidence.content_type,
            "size": evidence.size,
        },
    )


class AccusedIn(Schema):
    name: str
    nip: str = ""
    # The agency as the reporter knows it (recognised when it names a registry agency) ...
    agency: str = ""
    # ... or its registry code (``GET /api/v1/registry/agencies-suggest?q=``).
    agency_code: str = ""
    position: str = ""


class ReporterIn(Schema):
    name: str = ""
    nik: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


class ReportIn(Schema):
    violation_type: str = NOT_SURE
    election: str = ""
    accused: AccusedIn
    act_date: date
    act_place: str = ""
    act_region: str  # a province, regency/city or district code (Kemendagri)
    learned_date: date
    description: str
    links: list[str] = []
    evidence: list[str] = []
    reporter: ReporterIn | None = None
    statement_true: bool
    altcha: str = Field(
        "",
        max_length=2000,
        description="An ALTCHA solution (base64 JSON) to a challenge from "
        "`GET /api/v1/reports/challenge`. With it the normal rate limit applies; without it "
        "the strict one, as on the form.",
    )


class ChallengeOut(Schema):
    algorithm: str
    challenge: str
    maxnumber: int
    salt: str
    signature: str


@router.get("/challenge", response=ChallengeOut, auth=None)
def challenge(request: HttpRequest) -> Any:
    """A proof-of-work challenge (ALTCHA, SHA-256) to solve before ``POST /api/v1/reports``."""
    return json.loads(new_challenge())


class ReceiptOut(Schema):
    receipt_code: str
    secret: str
    status: str


_FIELD_NAMES = {
    "accused_name": "accused.name",
    "accused_nip": "accused.nip",
    "accused_agency_text": "accused.agency",
    "accused_agency": "accused.agency_code",
    "accused_position": "accused.position",
    "reporter_name": "reporter.name",
    "reporter_nik": "reporter.nik",
    "reporter_address": "reporter.address",
    "reporter_phone": "reporter.phone",
    "reporter_email": "reporter.email",
}


def _check_evidence_ids(ids: list[str]) -> None:
    """Every ``evidence`` id must be one that ``POST /uploads`` answered: never dropped silently."""
    if len(ids) > MAX_FILES:
        message = _("At most %(n)d files per report.") % {"n": MAX_FILES}
        raise FieldErrors([{"field": "evidence", "message": message}])
    known = set(
        Evidence.objects.filter(upload_token__in=ids).values_list("upload_token", flat=True)
    )
    unknown = [(i, token) for i, token in enumerate(ids) if token not in known]
    if unknown:
        raise FieldErrors(
            [
                {
                    "field": f"evidence.{i}",
                    "message": _("No upload has the id “%(id)s”; upload the file again.")
                    % {"id": token[:60]},
                }
                for i, token in unknown
            ]
        )


@router.post("", response={201: ReceiptOut, 422: ErrorOut, 429: ErrorOut}, auth=None)
def create_report(request: HttpRequest, payload: ReportIn) -> Any:
    """Submit a report. Send an ``Idempotency-Key`` header: a retry returns the same receipt."""
    limited = report_limit(request, payload.altcha)
    if limited is not None:
        return limited
    reporter = payload.reporter
    form = ReportForm(
        {
            "violation_type": payload.violation_type,
            "election": payload.election,
            "accused_name": payload.accused.name,
            "accused_nip": payload.accused.nip,
            "accused_agency_text": payload.accused.agency,
            "accused_agency": payload.accused.agency_code,
            "accused_position": payload.accused.position,
            "act_region": payload.act_region,
            "act_place": payload.act_place,
            "act_date": payload.act_date.isoformat(),
            "learned_date": payload.learned_date.isoformat(),
            "description": payload.description,
            "links": "\n".join(payload.links),
            "identified": "1" if reporter else "0",
            "reporter_name": reporter.name if reporter else "",
            "reporter_nik": reporter.nik if reporter else "",
            "reporter_address": reporter.address if reporter else "",
            "reporter_phone": reporter.phone if reporter else "",
            "reporter_email": reporter.email if reporter else "",
            "statement_true": "on" if payload.statement_true else "",
            "submission_token": "api",
            "upload_token": "api",
        }
    )
    if not form.is_valid():
        raise FieldErrors(
            [
                {"field": _FIELD_NAMES.get(name, name), "message": str(message)}
                for name, messages in form.errors.items()
                for message in messages
            ]
        )
    _check_evidence_ids(payload.evidence)
    data = form.cleaned_data
    key = request.headers.get("Idempotency-Key", "").strip()[:80]
    result = submit_report(
        fields=form.report_fields(),
        identity=form.identity(),
        links=data["links"],
        upload_tokens=payload.evidence,
        idempotency_key=f"api:{key}" if key else f"api:{secrets.token_urlsafe(18)}",
    )
    receipt = {
        "receipt_code": result.report.receipt_code,
        "secret": result.secret,
        "status": result.report.status,
    }
    return Status(201, receipt)


class StatusIn(Schema):
    receipt_code: str
    secret: str


class HistoryEventOut(Schema):
    at: str
    status: str
    label: str
    note: str
    level: str = ""
    level_label: str = ""


class MessageOut(Schema):
    at: str
    sender: str
    body: str


class StatusOut(Schema):
    status: str
    # The latest public stage (what the page's header says) and whether replies are closed.
    stage: str
    stage_label: str
    closed: bool
    time_zone: str
    history: list[HistoryEventOut]
    messages: list[MessageOut]


@router.post("/status", response={200: StatusOut, 404: ErrorOut, 429: ErrorOut}, auth=None)
def report_status(request: HttpRequest, payload: StatusIn) -> Any:
    """Where the report stands, as the status page says it: each public stage once, in order,
    times in the responsible office's zone (ISO 8601 with its offset); a wrong secret
    answers like an unknown code. The code may be given in lower case and without dashes."""
    from django.utils import timezone as tz

    from netral.intake.queries import is_final, office_zone, public_stages
    from netral.regions.queries import zone_abbreviation

    limited = over_limit(request, "NETRAL_RATE_RECEIPTS", "intake.receipt")
    if limited is not None:
        return limited
    report = report_for_receipt(payload.receipt_code, payload.secret)
    if report is None:
        raise HttpError(404, _("No report matches this code and secret."))
    zone = office_zone(report)
    stages = public_stages(report)
    current = stages[-1] if stages else None
    return Status(
        200,
        {
            "status": report.status,
            "stage": current.status if current else "",
            "stage_label": current.label if current else "",
            "closed": is_final(stages),
            "time_zone": zone_abbreviation(zone),
            "history": [
                {
                    "at": tz.localtime(s.at, zone).isoformat(),
                    "status": s.status,
                    "label": s.label,
                    "note": s.note,
                    "level": s.level,
                    "level_label": s.level_label,
                }
                for s in stages
            ],
            "messages": [
                {
                    "at": tz.localtime(m.created_at, zone).isoformat(),
                    "sender": m.sender,
                    "body": m.body,
                }
                for m in report.messages.all()
            ],
        },
    )


class OfficerReportOut(Schema):
    receipt_code: str
    kind: str
    status: str
    created_at: str
    violation_type: str | None
    accused_name: str
    accused_nip: str
    office: str | None
    late: bool
    anonymous: bool


@router.get("", response=Page[OfficerReportOut])
def list_reports(
    request: HttpRequest, limit: int | None = None, cursor: str | None = None
) -> dict[str, Any]:
    """Reports of the Bawaslu offices in your jurisdiction, newest first by id."""
    scope = request_scope(request)
    if not scope.can("intake.view"):
        raise HttpError(403, _("Your role may not view reports."))
    queryset = visible_reports(scope).select_related("violation_type", "office")
    page = keyset_page(queryset, key="id", limit=limit, cursor=cursor)
    page["items"] = [
        {
            "receipt_code": r.receipt_code,
            "kind": r.kind,
            "status": r.status,
            "created_at": r.created_at.isoformat(),
            "violation_type": r.violation_type.code if r.violation_type else None,
            "accused_name": r.accused_name,
            "accused_nip": r.accused_nip,
            "office": r.office.code if r.office else None,
            "late": r.late,
            "anonymous": r.anonymous,
        }
        for r in page["items"]
    ]
    return page


def _officer_report(request: HttpRequest, code: str, capability: str = "intake.manage") -> Any:
    scope = request_scope(request)
    if not scope.can(capability):
        raise HttpError(403, _("Your role may not handle reports."))
    report = visible_reports(scope).filter(receipt_code=code).first()
    if report is None:
        raise HttpError(404, _("No report with this code in your jurisdiction."))
    return report


class TextIn(Schema):
    text: str = Field(..., min_length=1, max_length=3000)


class MergeIn(Schema):
    into: str


class DoneOut(Schema):
    receipt_code: str
    status: str


@router.post("/{code}/ask", response={200: DoneOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def ask(request: HttpRequest, code: str, payload: TextIn) -> Any:
    """Ask the reporter a question; they read and answer it through their receipt."""
    report = _officer_report(request, code)
    ask_reporter(report=report, officer=request.user, question=payload.text)
    return {"receipt_code": report.receipt_code, "status": report.status}


@router.post(
    "/{code}/complete", response={200: DoneOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def complete(request: HttpRequest, code: str, payload: TextIn) -> Any:
    """Return the report for completion, with the deadline of the rules."""
    report = _officer_report(request, code)
    request_completion(report=report, officer=request.user, missing=payload.text)
    return {"receipt_code": report.receipt_code, "status": report.status}


@router.post("/{code}/reject", response={200: DoneOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def reject(request: HttpRequest, code: str, payload: TextIn) -> Any:
    """Do not register; the reason is shown to the reporter."""
    report = _officer_report(request, code)
    reject_report(report=report, officer=request.user, reason=payload.text)
    return {"receipt_code": report.receipt_code, "status": report.status}


@router.post("/{code}/merge", response={200: DoneOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def merge(request: HttpRequest, code: str, payload: MergeIn) -> Any:
    """Merge into another report about the same act; each reporter keeps their receipt."""
    report = _officer_report(request, code)
    into = visible_reports(request_scope(request)).filter(receipt_code=payload.into).first()
    if into is None or into.pk == report.pk:
        raise InvalidInput("into", _("No other report with this code in your jurisdiction."))
    merge_report(report=report, into=into, officer=request.user)
    return {"receipt_code": report.receipt_code, "status": report.status}


class TransferIn(Schema):
    office: str = Field(..., min_length=1, max_length=40)
    reason: str = Field(..., min_length=1, max_length=3000)


@router.post(
    "/{code}/transfer", response={200: DoneOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def transfer(request: HttpRequest, code: str, payload: TransferIn) -> Any:
    """Pass a report not yet registered to another Bawaslu office, with a reason (audited; the
    receiving office is notified; the receipt stays as it is). A registered report moves with
    its case (``POST /api/v1/cases/{id}/transitions/transfer``)."""
    from netral.registry.models import Office

    report = _officer_report(request, code)
    office = Office.objects.filter(code=payload.office).first()
    if office is None:
        raise InvalidInput("office", _("Choose a Bawaslu office from the list."))
    try:
        transfer_report(report=report, office=office, officer=request.user, reason=payload.reason)
    except TransferRefused as exc:
        raise InvalidInput(exc.field, str(exc)) from None
    return {"receipt_code": report.receipt_code, "status": report.status}
