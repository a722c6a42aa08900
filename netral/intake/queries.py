from __future__ import annotations

from django.db.models import QuerySet

from netral.core.scope import Scope
from netral.intake.models import Report, ReportEvent


def visible_reports(scope: Scope) -> QuerySet[Report]:
    """Reports of the Bawaslu offices in the user's jurisdiction (and those below)."""
    return scope.filter(Report.objects.all(), region_field="region__code")


def public_history(report: Report) -> QuerySet[ReportEvent]:
    return report.events.filter(public=True)
