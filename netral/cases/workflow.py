"""The one declared transition table of a case.

Every state names whose move it is (the holder, which owns its deadline and overdue queue) and
whom to escalate to when it is late. Every transition names the states it leaves from, the
state it enters, the capability that may take it, its preconditions, its inputs and documents,
the letter it produces, the effect it writes on the case and the deadline it starts, so one row
tells everything a step does. ``netral.cases.services.transitions.perform`` is the only code
that moves a case, and it reads nothing but this table. Nothing can jump states.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from netral.cases import effects
from netral.cases.choices import (
    ADMINISTRATIVE_APPEAL,
    APPEAL_FILING,
    APPEAL_OUTCOMES,
    APPEAL_ROUTES,
    OBJECTION,
    TRACKS,
)
from netral.cases.models import CaseDocument, Holder, State
from netral.intake.models import Progress, Report

if TYPE_CHECKING:
    from netral.cases.models import Case

# Capabilities (role data in ``accounts``): Bawaslu studies, the reviewing agency reviews,
# the personnel office and the PPK discipline.
STUDY = "cases.study"
REVIEW = "cases.review"
DISCIPLINE = "cases.discipline"

# Deadline instructions besides a ``Deadline``.
KEEP = "keep"  # the due date of the previous state stays
NONE = None  # the new state has no deadline

# Where a ``Deadline`` counts from, besides a date input of the step.
DAY = "day"  # the day the step is taken (in the office's zone)
REGISTERED = "registered"  # the day the case was registered (in the office's zone)


@dataclass(frozen=True)
class Deadline:
    """The step starts the deadline of DeadlineRule step ``rule``, counted from ``start``: DAY,
    REGISTERED or the name of a date input. ``ppk``: it is the PPK's own due date too, which
    the follow-up statistics keep after the case's due date moves on."""

    rule: str
    start: str = DAY
    ppk: bool = False


@dataclass(frozen=True)
class ByChoice:
    """The deadline depends on the value of a choice input: {value: ``Deadline`` or NONE}."""

    input: str
    choices: dict[str, Deadline | None]


DeadlineSpec = Deadline | ByChoice | str | None
# Writes the step's effect onto the locked case, or adds per-field errors.
Effect = Callable[["Case", dict[str, Any], date, dict[str, str]], None]


@dataclass(frozen=True)
class StateInfo:
    holder: str
    # The stage the reporter may see through the receipt: never more than this.
    public: str
    # Capabilities whose holders are told when a case in this state is overdue.
    escalate_to: tuple[str, ...] = ()
    terminal: bool = False


STATES: dict[str, StateInfo] = {
    # Registration itself is the report's "registered" status; the study is the next stage.
    State.REGISTERED: StateInfo(Holder.BAWASLU, Report.Status.REGISTERED, (STUDY,)),
    State.UNDER_STUDY: StateInfo(Holder.BAWASLU, Progress.STUDY, (STUDY,)),
    State.STUDY_INFO_REQUESTED: StateInfo(Holder.BAWASLU, Progress.STUDY, (STUDY,)),
    State.NOT_VIOLATION: StateInfo(Holder.NONE, Progress.NO_VIOLATION, terminal=True),
    State.FORWARDED: StateInfo(Holder.REVIEWER, Progress.FORWARDED, (REVIEW, STUDY)),
    State.UNDER_VERIFICATION: StateInfo(Holder.REVIEWER, Progress.FORWARDED, (REVIEW, STUDY)),
    State.VERIFICATION_INFO_REQUESTED: StateInfo(
        Holder.BAWASLU, Progress.FORWARDED, (STUDY, REVIEW)
    ),
    State.RECOMMENDATION_ISSUED: StateInfo(Holder.PPK, Progress.WITH_PPK, (REVIEW, STUDY)),
    State.RECEIVED_BY_PPK: StateInfo(Holder.PPK, Progress.WITH_PPK, (REVIEW, STUDY)),
    State.EXAMINATION: StateInfo(Holder.PPK, Progress.WITH_PPK, (REVIEW, STUDY)),
    State.DECIDED: StateInfo(Holder.PPK, Progress.DECIDED, (REVIEW, STUDY)),
    State.APPEALED: StateInfo(Holder.PPK, Progress.DECIDED, (REVIEW,)),
    State.FOLLOW_UP_REPORTED: StateInfo(Holder.REVIEWER, Progress.FOLLOW_UP, (REVIEW,)),
    State.CLOSED: StateInfo(Holder.NONE, Progress.CLOSED, terminal=True),
}

OPEN_STATES = [s for s, info in STATES.items() if not info.terminal]
# Once recommended, a case is the PPK's business too; before that, only Bawaslu's and the
# reviewing agency's (the accused is presumed innocent).
PPK_VISIBLE_STATES = [
    State.RECOMMENDATION_ISSUED,
    State.RECEIVED_BY_PPK,
    State.EXAMINATION,
    State.DECIDED,
    State.APPEALED,
    State.FOLLOW_UP_REPORTED,
    State.CLOSED,
]


@dataclass(frozen=True)
class Input:
    """One input of a transition. ``kind``: text, date, dates, choice, sanction, provisions,
    violation_types, office (another Bawaslu office, by code). Dates may not lie in the
    future."""

    name: str
    label: Any
    kind: str = "text"
    required: bool = True
    choices: tuple[tuple[str, Any], ...] = ()
    help: Any = ""


@dataclass(frozen=True)
class Document:
    kind: str
    required: bool = True


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: tuple[str, ...]
    # None: the case stays where it is (a warning, a blocking request).
    target: str | None
    capability: str
    inputs: tuple[Input, ...] = ()
    documents: tuple[Document, ...] = ()
    # A letter Netral writes and numbers (a CaseDocument kind).
    letter: str | None = None
    # Preconditions beyond the source state: each returns an error message, or None.
    guards: tuple[Callable[[Case, date], Any], ...] = ()
    # Shown to the reporter on the receipt: the input that holds the public reason, if any.
    public_reason: str | None = None
    # The public stage this step reaches when it differs from its target state's.
    public_stage: str | None = None
    danger: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    # What the step writes on the case besides its state (``netral.cases.effects``).
    effect: Effect = field(kw_only=True)
    # The deadline the step starts: a ``Deadline``, a ``ByChoice``, KEEP or NONE.
    deadline: DeadlineSpec = field(kw_only=True)

    def deadline_for(self, values: dict[str, Any]) -> Deadline | str | None:
        """The deadline this step starts with these inputs: a ``Deadline``, KEEP or NONE."""
        if isinstance(self.deadline, ByChoice):
            return self.deadline.choices.get(str(values.get(self.deadline.input)), NONE)
        return self.deadline


def _needs_agency(case: Case, day: date) -> Any:
    if case.agency_id is None:
        return _(
            "The accused civil servant is not matched with an agency in the registry yet; "
            "their PPK cannot be known."
        )
    return None


def _needs_election(case: Case, day: date) -> Any:
    if case.election_id is None:
        return _("Set the election of this case first: its deadlines depend on it.")
    return None


def _overdue(case: Case, day: date) -> Any:
    if case.due_date is None or case.due_date >= day:
        return _("The PPK is not late: the deadline has not passed.")
    return None


def _warned(case: Case, day: date) -> Any:
    if case.warnings_sent < 1:
        return _("Send the PPK a warning first.")
    if case.blocking_requested_on is not None:
        return _("Blocking of personnel data services has already been requested.")
    return None


def _not_appealed_before(case: Case, day: date) -> Any:
    if case.events.filter(transition="file_appeal").exists():
        return _("An appeal has already been filed in this case.")
    return None


RACE_HELP = _(
    "The race the act concerns: needed when the act lies between two races' candidate "
    "determinations (for example between the DPR and the presidential ones)."
)
PPK_LATE_STATES = (
    State.RECOMMENDATION_ISSUED,
    State.RECEIVED_BY_PPK,
    State.EXAMINATION,
    State.DECIDED,
)

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "start_study",
            _("Start the study (kajian)"),
            (State.REGISTERED,),
            State.UNDER_STUDY,
            STUDY,
            effect=effects.nothing,
            deadline=KEEP,
        ),
        Transition(
            "identify_accused",
            _("Match a civil servant with the registry"),
            (State.REGISTERED, State.UNDER_STUDY, State.STUDY_INFO_REQUESTED),
            None,
            STUDY,
            inputs=(
                Input(
                    "nip",
                    _("NIP"),
                    help=_(
                        "Matches the reported person, or adds another civil servant of the "
                        "same agency to the case."
                    ),
                ),
            ),
            effect=effects.match_accused,
            deadline=KEEP,
        ),
        Transition(
            "transfer",
            _("Pass to another Bawaslu office"),
            (State.REGISTERED, State.UNDER_STUDY, State.STUDY_INFO_REQUESTED),
            None,
            STUDY,
            inputs=(
                Input("office", _("Receiving Bawaslu office"), kind="office"),
                Input(
                    "reason",
                    _("Reason"),
                    help=_(
                        "The receiving office is told; the reporter's receipt and the deadline "
                        "stay as they are."
                    ),
                ),
            ),
            effect=effects.pass_to_office,
            deadline=KEEP,
        ),
        Transition(
            "request_study_info",
            _("Request more information"),
            (State.UNDER_STUDY,),
            State.STUDY_INFO_REQUESTED,
            STUDY,
            inputs=(Input("request", _("What is needed, and from whom")),),
            effect=effects.nothing,
            deadline=Deadline("bawaslu_follow_up_extended", start=REGISTERED),
        ),
        Transition(
            "supply_study_info",
            _("Record the information received"),
            (State.STUDY_INFO_REQUESTED,),
            State.UNDER_STUDY,
            STUDY,
            inputs=(Input("summary", _("What was received")),),
            effect=effects.nothing,
            deadline=KEEP,
        ),
        Transition(
            "dismiss",
            _("Close: not a violation"),
            (State.UNDER_STUDY, State.STUDY_INFO_REQUESTED),
            State.NOT_VIOLATION,
            STUDY,
            inputs=(
                Input(
                    "reason",
                    _("Reason (shown to the reporter)"),
                    help=_("Write it for the public: no names, no personal data."),
                ),
            ),
            documents=(Document(CaseDocument.Kind.STUDY, required=False),),
            public_reason="reason",
            danger=True,
            effect=effects.close,
            deadline=NONE,
        ),
        Transition(
            "forward",
            _("Forward to the reviewing agency"),
            (State.UNDER_STUDY,),
            State.FORWARDED,
            STUDY,
            inputs=(
                Input("violation_types", _("Violation types"), kind="violation_types"),
                Input("race", _("Race"), kind="race", required=False, help=RACE_HELP),
                Input("summary", _("Findings of the study (kajian)")),
            ),
            documents=(Document(CaseDocument.Kind.STUDY, required=False),),
            letter=CaseDocument.Kind.FORWARDING_LETTER,
            guards=(_needs_election, _needs_agency),
            effect=effects.forward,
            deadline=Deadline("review"),
        ),
        Transition(
            "start_verification",
            _("Start the verification"),
            (State.FORWARDED,),
            State.UNDER_VERIFICATION,
            REVIEW,
            effect=effects.nothing,
            deadline=KEEP,
        ),
        Transition(
            "request_verification_info",
            _("Ask Bawaslu for more information"),
            (State.UNDER_VERIFICATION,),
            State.VERIFICATION_INFO_REQUESTED,
            REVIEW,
            inputs=(Input("request", _("What is needed")),),
            effect=effects.nothing,
            deadline=KEEP,
        ),
        Transition(
            "supply_verification_info",
            _("Send the information to the reviewing agency"),
            (State.VERIFICATION_INFO_REQUESTED,),
            State.UNDER_VERIFICATION,
            STUDY,
            inputs=(Input("summary", _("The information")),),
            documents=(Document(CaseDocument.Kind.OTHER, required=False),),
            effect=effects.nothing,
            deadline=KEEP,
        ),
        Transition(
            "not_proven",
            _("Close: violation not proven"),
            (State.UNDER_VERIFICATION,),
            State.NOT_VIOLATION,
            REVIEW,
            inputs=(Input("reason", _("Reason (shown to the reporter)")),),
            public_reason="reason",
            public_stage=Progress.NOT_PROVEN,
            danger=True,
            effect=effects.close,
            deadline=NONE,
        ),
        Transition(
            "recommend",
            _("Issue the recommendation"),
            (State.UNDER_VERIFICATION,),
            State.RECOMMENDATION_ISSUED,
            REVIEW,
            inputs=(
                Input("race", _("Race"), kind="race", required=False, help=RACE_HELP),
                Input("track", _("Track"), kind="choice", choices=TRACKS),
                Input("sanction", _("Recommended sanction"), kind="sanction"),
                Input("citations", _("Legal basis"), kind="provisions"),
                Input(
                    "override_reason",
                    _("Reason for departing from the classifier"),
                    required=False,
                    help=_("Required when the track or sanction differs from the suggestion."),
                ),
            ),
            letter=CaseDocument.Kind.RECOMMENDATION_LETTER,
            guards=(_needs_agency,),
            effect=effects.recommend,
            deadline=Deadline("ppk_follow_up", ppk=True),
        ),
        Transition(
            "receive",
            _("Confirm receipt of the recommendation"),
            (State.RECOMMENDATION_ISSUED,),
            State.RECEIVED_BY_PPK,
            DISCIPLINE,
            inputs=(Input("received_on", _("Received on"), kind="date"),),
            effect=effects.receive,
            deadline=Deadline("ppk_follow_up", start="received_on", ppk=True),
        ),
        Transition(
            "start_examination",
            _("Start the examination"),
            (State.RECEIVED_BY_PPK,),
            State.EXAMINATION,
            DISCIPLINE,
            inputs=(
                Input(
                    "summons_dates",
                    _("Summons dates"),
                    kind="dates",
                    help=_("One date per line, oldest first (YYYY-MM-DD)."),
                ),
            ),
            effect=effects.nothing,
            deadline=KEEP,
        ),
        Transition(
            "decide",
            _("Record the decision"),
            (State.EXAMINATION,),
            State.DECIDED,
            DISCIPLINE,
            inputs=(
                Input("hearing_on", _("Hearing held on"), kind="date"),
                Input("decision_number", _("Decision letter (SK) number")),
                Input("decision_date", _("Decision date"), kind="date"),
                Input("sanction", _("Sanction imposed"), kind="sanction"),
            ),
            documents=(
                Document(CaseDocument.Kind.EXAMINATION_REPORT),
                Document(CaseDocument.Kind.DECISION),
            ),
            effect=effects.decide,
            deadline=KEEP,
        ),
        Transition(
            "report_follow_up",
            _("Report the follow-up to the reviewing agency"),
            (State.DECIDED,),
            State.FOLLOW_UP_REPORTED,
            DISCIPLINE,
            inputs=(
                Input("report_number", _("Follow-up letter number")),
                Input("report_date", _("Follow-up letter date"), kind="date"),
            ),
            documents=(Document(CaseDocument.Kind.FOLLOW_UP, required=False),),
            effect=effects.follow_up_reported,
            deadline=NONE,
        ),
        Transition(
            "close",
            _("Close the case"),
            (State.FOLLOW_UP_REPORTED,),
            State.CLOSED,
            REVIEW,
            inputs=(Input("note", _("Closing note"), required=False),),
            danger=True,
            effect=effects.close,
            deadline=NONE,
        ),
        Transition(
            "file_appeal",
            _("Record an appeal by the civil servant"),
            (State.DECIDED, State.FOLLOW_UP_REPORTED),
            State.APPEALED,
            DISCIPLINE,
            inputs=(
                Input("route", _("Route of the appeal"), kind="choice", choices=APPEAL_ROUTES),
                Input("filed_on", _("Appeal filed on"), kind="date"),
            ),
            documents=(Document(CaseDocument.Kind.APPEAL, required=False),),
            guards=(_not_appealed_before,),
            effect=effects.file_appeal,
            deadline=ByChoice(
                "route",
                {
                    OBJECTION: NONE,
                    ADMINISTRATIVE_APPEAL: Deadline(
                        "appeal_administrative_answer", start="filed_on"
                    ),
                },
            ),
        ),
        Transition(
            "decide_appeal",
            _("Record the appeal decision"),
            (State.APPEALED,),
            State.DECIDED,
            DISCIPLINE,
            inputs=(
                Input("outcome", _("Outcome"), kind="choice", choices=APPEAL_OUTCOMES),
                Input("decision_number", _("Appeal decision number")),
                Input("decision_date", _("Appeal decision date"), kind="date"),
                Input(
                    "sanction",
                    _("Sanction after the appeal"),
                    kind="sanction",
                    required=False,
                    help=_("Only when the sanction was changed."),
                ),
            ),
            documents=(Document(CaseDocument.Kind.APPEAL_DECISION),),
            effect=effects.decide_appeal,
            deadline=NONE,
        ),
        Transition(
            "warn_ppk",
            _("Send the late PPK a warning"),
            PPK_LATE_STATES,
            None,
            REVIEW,
            inputs=(Input("letter_number", _("Warning letter number"), required=False),),
            guards=(_overdue,),
            effect=effects.count_warning,
            deadline=KEEP,
        ),
        Transition(
            "request_blocking",
            _("Request blocking of personnel data services"),
            PPK_LATE_STATES,
            None,
            REVIEW,
            inputs=(Input("reason", _("Reason")),),
            guards=(_overdue, _warned),
            danger=True,
            effect=effects.blocking_requested,
            deadline=KEEP,
        ),
    ]
}


def transitions_from(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if state in t.sources]


def state_info(state: str) -> StateInfo:
    return STATES[state]


__all__ = [
    "ADMINISTRATIVE_APPEAL",
    "APPEAL_FILING",
    "APPEAL_OUTCOMES",
    "APPEAL_ROUTES",
    "OBJECTION",
    "TRACKS",
]
