"""Registration: a report whose requirements are met opens a case, or joins one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netral.cases import workflow
from netral.cases.events import case_changed
from netral.cases.models import Accused, Case, CaseEvent, CaseNumberSequence, CaseReport, State
from netral.cases.notifications import announce
from netral.cases.services.transitions import start_deadline
from netral.core import audit
from netral.intake.models import Report
from netral.intake.services import mark_registered
from netral.regions.queries import region_codes, zone_of


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
        stream=audit.stream_for("cases", office_id=case.office_id),
    )
    mark_registered(report=report, officer=officer, case_number=case.number)
    if join is None:
        transaction.on_commit(lambda: announce(case.pk, 1))
        case_changed(case)
    return case
