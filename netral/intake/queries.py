from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from netral.core.scope import Scope
from netral.intake.models import FINAL_STAGES, Progress, Report, ReportEvent
from netral.regions.queries import zone_abbreviation, zone_of


def visible_reports(scope: Scope) -> QuerySet[Report]:
    """Reports of the Bawaslu offices in the user's jurisdiction (and those below)."""
    return scope.filter(Report.objects.all())


def reports_for_review(scope: Scope) -> QuerySet[Report]:
    """Reports whose case was forwarded to the reviewing agency, within the scope: its
    analysts (``intake.review``) read the file they must judge, and nothing before that."""
    forwarded = ReportEvent.objects.filter(report=OuterRef("pk"), status=Progress.FORWARDED)
    return scope.filter(Report.objects.filter(Exists(forwarded)))


def readable_reports(scope: Scope) -> QuerySet[Report]:
    """The reports a user may open: those of their jurisdiction's Bawaslu offices
    (``intake.view``), else those forwarded for review (``intake.review``), else none."""
    if scope.can("intake.view"):
        return visible_reports(scope)
    if scope.can("intake.review"):
        return reports_for_review(scope)
    return Report.objects.none()


def public_history(report: Report) -> QuerySet[ReportEvent]:
    return report.events.filter(public=True)


def office_zone(report: Report) -> ZoneInfo:
    """The time zone of the office responsible for the report (WIB, WITA or WIT)."""
    return zone_of(report.region_id)


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """``2026-12-05 14:30 WITA``: a moment in an office's zone, the zone named."""
    return f"{timezone.localtime(moment, zone):%Y-%m-%d %H:%M} {zone_abbreviation(zone)}"


@dataclass(frozen=True)
class Stage:
    status: str
    label: str
    at: datetime
    local: str
    note: str
    level: str
    level_label: str


def public_stages(report: Report) -> list[Stage]:
    """The stages the reporter sees, each once (its first time), in order, with the time in
    the responsible office's zone; the last one is where the report stands now."""
    zone = office_zone(report)
    seen: dict[str, Stage] = {}
    notes: dict[str, str] = {}
    for event in public_history(report):
        if event.status in seen:
            if event.note:  # a later reason of the same stage (a second rejection) is kept
                notes[event.status] = event.note
            continue
        seen[event.status] = Stage(
            status=event.status,
            label=event.label,
            at=event.created_at,
            local=local_time(event.created_at, zone),
            note=event.note,
            level=event.level,
            level_label=event.level_label,
        )
    stages = list(seen.values())
    return [
        Stage(**{**s.__dict__, "note": notes.get(s.status, s.note)}) if s.status in notes else s
        for s in stages
    ]


def is_final(stages: list[Stage]) -> bool:
    """Whether the report is closed: nothing more will happen, and no reply is taken."""
    return bool(stages) and stages[-1].status in FINAL_STAGES
