"""Moving cases: registration, and ``perform``, the one service that takes a transition.

Each transition is atomic: it locks the case, checks the caller's version, state, role and
jurisdiction, the preconditions and the inputs, applies its effects, starts its deadline, writes
the timeline event, the documents and the audit entry, and notifies the next party after commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netral.cases import workflow
from netral.cases.models import (
    Accused,
    Case,
    CaseDocument,
    CaseEvent,
    CaseNumberSequence,
    CaseReport,
    State,
)
from netral.core import audit
from netral.core.scope import Scope
from netral.intake.models import Report
from netral.intake.services import mark_registered, record_progress
from netral.regions.queries import zone_of
from netral.rules.models import DeadlineRule, Election
from netral.rules.queries import deadline_rule, due_date


@dataclass(frozen=True)
class Requirement:
    code: str
    label: Any
    formal: bool  # formal (about the report) or material (about the act)
    reports_only: bool = False  # not asked of Bawaslu's own findings


CHECKLIST = [
    Requirement(
        "reporter_identity",
        gettext_lazy("The reporter is identified (name, address, ID)"),
        True,
        True,
    ),
    Requirement("reported_person", gettext_lazy("The reported civil servant is identified"), True),
    Requirement("time_place", gettext_lazy("Time and place of the act are stated"), True),
    Requirement("account", gettext_lazy("What happened is described"), True),
    Requirement("evidence", gettext_lazy("Witnesses or evidence are given"), True),
    Requirement("neutrality", gettext_lazy("The act concerns ASN neutrality"), False),
    Requirement(
        "in_time", gettext_lazy("Reported within the deadline (or adopted as a finding)"), False
    ),
]


class TransitionError(Exception):
    """Why a transition was refused. ``status`` is the HTTP answer it maps to."""

    status = 409

    def __init__(self, message: Any, errors: dict[str, str] | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.errors = errors or {}


class Forbidden(TransitionError):
    status = 403


class Conflict(TransitionError):
    status = 409


class InvalidInputs(TransitionError):
    status = 422


def required_items(report: Report) -> list[Requirement]:
    return [r for r in CHECKLIST if not (r.reports_only and report.kind == Report.Kind.FINDING)]


def next_case_number(office: Any, year: int) -> str:
    """``<office>/<year>/<nnnnn>`` from a locked per-office counter."""
    sequence, _created = CaseNumberSequence.objects.select_for_update().get_or_create(
        office_id=office.pk, year=year
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{office.code}/{year}/{sequence.last:05d}"


def zone_of_case(case: Case) -> ZoneInfo:
    return ZoneInfo(case.zone)


def region_codes(region_id: str | None) -> tuple[str, str]:
    """The province and regency/city codes of a region code (``64.02.05`` -> 64, 64.02)."""
    if not region_id:
        return "", ""
    parts = region_id.split(".")
    return parts[0], ".".join(parts[:2]) if len(parts) > 1 else ""


def election_kind(case: Case) -> str:
    election: Election | None = case.election
    return election.kind if election is not None else "any"


def start_deadline(case: Case, step: str, start: date) -> tuple[date | None, DeadlineRule | None]:
    """The due date of ``step`` for this case counted from ``start`` with the rule in force."""
    rule = deadline_rule(step, election_kind(case), start)
    if rule is None:
        return None, None
    case.rule_versions[f"rules.deadlinerule:{rule.pk}"] = rule.version
    return due_date(rule, start, case.region_id), rule


@transaction.atomic
def match_differs(report: Report) -> bool:
    """Whether the registry entry the report's NIP found names another person or position than
    the reporter wrote (then the officer confirms the match, or it is not made)."""
    servant = report.accused
    if servant is None:
        return False

    def norm(text: Any) -> str:
        return " ".join(str(text or "").lower().split())

    position = servant.position.name if servant.position_id and servant.position else ""
    return norm(servant.name) != norm(report.accused_name) or bool(
        report.accused_position and position and norm(position) != norm(report.accused_position)
    )


@transaction.atomic
def register_report(
    *,
    report: Report,
    officer: Any,
    checklist: dict[str, bool],
    join: Case | None = None,
    match_confirmed: bool = True,
) -> Case:
    """Open a case (or join ``join``) for a report whose requirements are all met.

    When the NIP's registry entry differs from what the reporter wrote and the officer did not
    confirm it, the accused stays unmatched (shown as such) rather than silently replaced."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status in (Report.Status.REGISTERED, Report.Status.MERGED, Report.Status.REJECTED):
        raise ValidationError(_("This report has already been decided."))
    if report.kind == Report.Kind.REPORT and (report.anonymous or report.late):
        raise ValidationError(
            _("An anonymous or late report is not a formal report: adopt it as a finding first.")
        )
    missing = [str(r.label) for r in required_items(report) if not checklist.get(r.code)]
    if missing:
        raise ValidationError(
            _("Not all requirements are met: %(items)s. Ask the reporter to complete it instead.")
            % {"items": "; ".join(missing)}
        )
    if report.office is None:
        raise ValidationError(_("The report has no responsible office."))
    now = timezone.now()
    if join is None:
        # The office's own day: a WITA or WIT office's midnight comes before Jakarta's.
        today = now.astimezone(zone_of(report.office.region_id)).date()
        province, regency = region_codes(report.region_id)
        agency_id = report.accused_agency_id or (
            report.accused.agency_id if report.accused is not None else None
        )
        case = Case(
            number=next_case_number(report.office, today.year),
            state=State.REGISTERED,
            holder=workflow.STATES[State.REGISTERED].holder,
            office=report.office,
            zone=zone_of(report.office.region_id).key,
            region_id=report.region_id,
            province_code=province,
            regency_code=regency,
            election=report.election,
            agency_id=agency_id,
            accused_name=report.accused_name,
            act_date=report.act_date,
            registration={"checklist": checklist, "report": report.receipt_code},
            registered_by=officer,
            registered_at=now,
            state_event=1,
        )
        case.due_date, case.deadline_rule = start_deadline(case, "bawaslu_follow_up", today)
        case.save()
        keep_match = match_confirmed or not match_differs(report)
        Accused.objects.create(
            case=case,
            civil_servant=report.accused if keep_match else None,
            name=report.accused_name,
            nip=report.accused_nip,
            position=report.accused_position,
        )
        if report.violation_type_id:
            case.violation_types.add(report.violation_type_id)
        CaseEvent.objects.create(
            case=case,
            seq=1,
            transition="register",
            to_state=State.REGISTERED,
            actor=officer,
            at=now,
            effective_on=today,
            inputs={"report": report.receipt_code, "checklist": checklist},
            due_date=case.due_date,
        )
    else:
        case = join
    CaseReport.objects.create(case=case, report=report)
    audit.record(
        action="case.register" if join is None else "case.join",
        actor=officer,
        obj=case,
        after={"report": report.receipt_code, "checklist": checklist, "state": case.state},
        stream=f"office:{case.office_id}",
    )
    mark_registered(report=report, officer=officer, case_number=case.number)
    if join is None:
        from netral.cases.notifications import announce

        transaction.on_commit(lambda: announce(case.pk, 1))
    return case


# --- Transitions --------------------------------------------------------------------------------


def covers(scope: Scope, case: Case) -> bool:
    """Whether the case lies in the scope's jurisdiction (region or, once recommended, agency)."""
    if scope.national or scope.covers_region(case.region_id):
        return True
    return case.agency_id in scope.agency_ids and case.state in workflow.PPK_VISIBLE_STATES


def refusal(
    transition: workflow.Transition, case: Case, scope: Scope, day: date
) -> tuple[int, str] | None:
    """Why ``scope`` may not take ``transition`` now (status, message), or None."""
    if case.state not in transition.sources:
        return 409, _("“%(action)s” is not possible while the case is “%(state)s”.") % {
            "action": transition.label,
            "state": State(case.state).label,
        }
    if scope.read_only or not scope.can(transition.capability) or not covers(scope, case):
        return 403, _("Your role may not take this step in this case.")
    for guard in transition.guards:
        message = guard(case, day)
        if message:
            return 409, str(message)
    return None


def available(case: Case, scope: Scope, day: date | None = None) -> list[workflow.Transition]:
    day = day or case.local_today()
    return [
        t for t in workflow.transitions_from(case.state) if refusal(t, case, scope, day) is None
    ]


@dataclass
class Upload:
    """A document given with a transition (from a form or the API)."""

    kind: str
    name: str
    content: bytes


ACCEPTED_DOCUMENTS = {"application/pdf", "image/jpeg", "image/png"}
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def _check_upload(upload: Upload) -> str | None:
    import filetype

    guess = filetype.guess(upload.content[:8192])
    if guess is None or guess.mime not in ACCEPTED_DOCUMENTS:
        return _("Upload a PDF, JPEG or PNG file.")
    if len(upload.content) > MAX_DOCUMENT_BYTES:
        return _("The file is larger than %(mb)d MB.") % {"mb": MAX_DOCUMENT_BYTES // 2**20}
    return None


def store_document(
    *,
    case: Case,
    event: CaseEvent | None,
    kind: str,
    name: str,
    content: bytes,
    actor: Any,
    number: str = "",
    generated: bool = False,
) -> CaseDocument:
    import filetype

    guess = filetype.guess(content[:8192])
    document = CaseDocument(
        case=case,
        event=event,
        kind=kind,
        number=number,
        original_name=name[:255],
        content_type=guess.mime if guess else "application/octet-stream",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        generated=generated,
        created_by=actor,
    )
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    return document


def _same_submission(
    transition: workflow.Transition,
    case: Case,
    event: CaseEvent,
    inputs: dict[str, Any],
    uploads: list[Upload],
    day: date | None,
) -> bool:
    """Whether a resent step carries the inputs and documents its recorded event holds."""
    from netral.cases import effects

    values, errors = effects.clean_inputs(
        transition, case, inputs, day or timezone.localdate(event.at)
    )
    if errors:
        return False
    given = effects.plain(values)
    recorded = event.inputs or {}
    for spec in transition.inputs:
        if given.get(spec.name) != recorded.get(spec.name):
            return False
    sent = sorted((u.kind, hashlib.sha256(u.content).hexdigest()) for u in uploads if u.content)
    kept = sorted(
        CaseDocument.objects.filter(event=event, generated=False).values_list("kind", "sha256")
    )
    return sent == kept


def public_stage(transition: workflow.Transition, case: Case) -> tuple[str, str]:
    """The stage the reporter sees after this step, and the level of the sanction imposed
    when the case closes with one (its level, never its name)."""
    from netral.intake.models import Progress

    if transition.public_stage:
        return transition.public_stage, ""
    stage = workflow.STATES[case.state].public
    if stage == Progress.CLOSED and case.imposed_sanction is not None:
        return Progress.SANCTIONED, case.imposed_sanction.level
    return stage, ""


@transaction.atomic
def perform(
    *,
    case_id: int,
    name: str,
    actor: Any,
    scope: Scope,
    version: int | None,
    inputs: dict[str, Any] | None = None,
    uploads: list[Upload] | None = None,
    day: date | None = None,
) -> Case:
    """Take transition ``name`` on the case; raise a ``TransitionError`` when it may not."""
    from netral.cases import effects
    from netral.cases.notifications import announce

    transition = workflow.TRANSITIONS.get(name)
    if transition is None:
        raise Conflict(_("There is no step called “%(name)s”.") % {"name": name})
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("election", "office", "agency", "region")
        .get(pk=case_id)
    )
    if version is not None and version != case.version:
        last = case.events.order_by("-seq").first()
        if (
            last is not None
            and case.version == version + 1
            and last.transition == name
            and actor is not None
            and last.actor_id == getattr(actor, "pk", None)
        ):
            # The same step by the same person, sent twice: done already when the inputs are
            # the same; with other inputs the second one would be silently dropped.
            if _same_submission(transition, case, last, inputs or {}, uploads or [], day):
                return case
            raise Conflict(
                _(
                    "You already took the step “%(step)s” on this case with other inputs. "
                    "Nothing of this second submission was saved; reload the case to see what "
                    "was recorded."
                )
                % {"step": transition.label}
            )
        raise Conflict(
            _(
                "Someone else changed this case in the meantime (it is now “%(state)s”). "
                "Reload it and check before you try again; nothing was saved."
            )
            % {"state": State(case.state).label}
        )
    day = day or case.local_today()
    refused = refusal(transition, case, scope, day)
    if refused is not None:
        status, message = refused
        raise (Forbidden if status == 403 else Conflict)(message)
    values, errors = effects.clean_inputs(transition, case, inputs or {}, day)
    given = {u.kind: u for u in uploads or []}
    for spec in transition.documents:
        upload = given.get(spec.kind)
        if upload is None or not upload.content:
            if spec.required:
                errors[f"document_{spec.kind}"] = _("Attach the %(kind)s.") % {
                    "kind": CaseDocument.Kind(spec.kind).label.lower()
                }
            continue
        problem = _check_upload(upload)
        if problem:
            errors[f"document_{spec.kind}"] = problem
    if errors:
        raise InvalidInputs(_("Some inputs need attention."), errors)

    before = {
        "state": case.state,
        "due_date": case.due_date,
        "version": case.version,
        "office": case.office_id,
    }
    from_state = case.state
    effects.apply(transition, case, values, day, errors)
    if errors:
        raise InvalidInputs(_("Some inputs need attention."), errors)
    if transition.target is not None:
        case.state = transition.target
        case.holder = workflow.STATES[transition.target].holder
    deadline = transition.deadline
    if transition.deadline_by is not None:
        choice, steps = transition.deadline_by
        deadline = steps.get(str(values.get(choice)), deadline)
    if deadline is None:
        case.due_date, case.deadline_rule = None, None
    elif deadline != workflow.KEEP:
        start = day
        if transition.deadline_from == "registered":
            start = case.registered_at.astimezone(zone_of_case(case)).date()
        elif transition.deadline_from:
            start = values[transition.deadline_from]
        case.due_date, case.deadline_rule = start_deadline(case, deadline, start)
        if deadline == "ppk_follow_up":
            case.ppk_due_date = case.due_date
    if case.due_date is None or case.due_date >= day:
        case.overdue_since = None
    seq = (case.events.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    if transition.target is not None:
        case.state_event = seq
    case.version += 1
    if actor is not None and getattr(actor, "pk", None):
        case.assignees.add(actor)
    case.save()
    public_note = str(values.get(transition.public_reason, "")) if transition.public_reason else ""
    event = CaseEvent.objects.create(
        case=case,
        seq=seq,
        transition=name,
        from_state=from_state,
        to_state=case.state,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_roles=",".join(scope.roles),
        at=timezone.now(),
        effective_on=day,
        reason=str(values.get("reason") or values.get("override_reason") or ""),
        inputs=effects.plain(values),
        due_date=case.due_date,
        public_note=public_note,
    )
    stage, level = public_stage(transition, case)
    if transition.target is not None and stage != workflow.STATES[from_state].public:
        for link in case.sources.select_related("report"):
            record_progress(report=link.report, progress=stage, note=public_note, level=level)
    documents = [
        store_document(
            case=case,
            event=event,
            kind=u.kind,
            name=u.name,
            content=u.content,
            actor=actor,
        )
        for u in given.values()
        if u.content and any(spec.kind == u.kind for spec in transition.documents)
    ]
    if transition.letter:
        from netral.cases.letters import write_letter

        documents.append(write_letter(case=case, event=event, kind=transition.letter, actor=actor))
    audit.record(
        action=f"case.{name}",
        actor=actor,
        actor_role=",".join(scope.roles),
        obj=case,
        before=before,
        after={
            "state": case.state,
            "due_date": case.due_date,
            "version": case.version,
            "office": case.office_id,
        },
        reason=event.reason,
        # A letter's hash is recorded by its own entry once rendered (``case.letter_rendered``).
        evidence=[
            {"kind": d.kind, "sha256": d.sha256, "number": d.number}
            if d.sha256
            else {"kind": d.kind, "number": d.number}
            for d in documents
        ],
        stream=f"office:{case.office_id}",
    )
    transaction.on_commit(lambda: announce(case.pk, seq))
    return case
