"""Taking a step: ``perform``, the one service that moves a case along the transition table.

Each transition is atomic: it locks the case, checks the caller's version, state, role and
jurisdiction, the preconditions and the inputs, applies the effect its row declares, starts the
deadline its row declares, writes the timeline event, the documents and the audit entry, and
notifies the next party after commit.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netral.cases import effects, workflow
from netral.cases.events import case_changed
from netral.cases.models import Case, CaseDocument, CaseEvent, State
from netral.cases.notifications import announce
from netral.cases.services.documents import Upload, check_upload, store_document, write_letter
from netral.core import audit
from netral.core.scope import Scope
from netral.intake.models import Progress
from netral.intake.services import record_progress
from netral.rules.models import DeadlineRule, Election
from netral.rules.queries import deadline_rule, due_date


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


def zone_of_case(case: Case) -> ZoneInfo:
    return ZoneInfo(case.zone)


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


def _same_submission(
    transition: workflow.Transition,
    case: Case,
    event: CaseEvent,
    inputs: dict[str, Any],
    uploads: list[Upload],
    day: date | None,
) -> bool:
    """Whether a resent step carries the inputs and documents its recorded event holds."""
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
        problem = check_upload(upload)
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
    # A case passed to another regency/city changes both partitions of the statistics.
    from_regency = case.regency_code
    transition.effect(case, values, day, errors)
    if errors:
        raise InvalidInputs(_("Some inputs need attention."), errors)
    if transition.target is not None:
        case.state = transition.target
        case.holder = workflow.STATES[transition.target].holder
    deadline = transition.deadline_for(values)
    if deadline is workflow.NONE:
        case.due_date, case.deadline_rule = None, None
    elif isinstance(deadline, workflow.Deadline):
        start = day
        if deadline.start == workflow.REGISTERED:
            start = case.registered_at.astimezone(zone_of_case(case)).date()
        elif deadline.start != workflow.DAY:
            start = values[deadline.start]
        case.due_date, case.deadline_rule = start_deadline(case, deadline.rule, start)
        if deadline.ppk:
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
    case_changed(case, left_regency=from_regency)
    return case
