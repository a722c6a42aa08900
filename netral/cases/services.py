"""Registration: an officer turns a report or finding into a case, or joins it to one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netral.cases.models import Case, CaseReport
from netral.core import audit
from netral.intake.models import Report
from netral.intake.services import mark_registered


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


def next_case_number(office_code: str) -> str:
    year = timezone.localdate().year
    prefix = f"{office_code}/{year}/"
    count = Case.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{count + 1:05d}"


@transaction.atomic
def register_report(
    *, report: Report, officer: Any, checklist: dict[str, bool], join: Case | None = None
) -> Case:
    """Open a case (or join ``join``) for a report whose requirements are all met."""
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
    if join is None:
        case = Case.objects.create(
            number=next_case_number(report.office.code),
            state=Case.State.REGISTERED,
            office=report.office,
            region_id=report.region_id,
            election=report.election,
            accused=report.accused,
            accused_name=report.accused_name,
            registration={"checklist": checklist, "report": report.receipt_code},
            registered_by=officer,
        )
        if report.violation_type_id:
            case.violation_types.add(report.violation_type_id)
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
    return case
