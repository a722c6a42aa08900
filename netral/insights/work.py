"""The signed-in officer's own work: what waits for their move, due date first.

Each section is read from the app that owns the items (intake, cases, commitments), within the
user's jurisdiction; the sections a user sees follow the capabilities of their roles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from netral.cases.models import Case
from netral.cases.queries import holder_of, my_moves, overdue
from netral.commitments.models import Pact
from netral.core.scope import Scope, request_scope
from netral.intake.models import Report
from netral.intake.queries import visible_reports
from netral.rules.models import Election

LIMIT = 50


@dataclass
class Work:
    today: date
    holder: str | None = None
    reports: list[Report] = field(default_factory=list)
    reports_total: int = 0
    cases: list[Case] = field(default_factory=list)
    cases_total: int = 0
    overdue: int = 0
    # Cases listed here that are past their due date in their own office's zone.
    overdue_ids: set[int] = field(default_factory=set)
    servant: Any = None
    election: Election | None = None
    pact: Pact | None = None
    dashboard_only: bool = False


def waiting_reports(scope: Scope) -> Any:
    """Reports not yet decided on (new or back from completion), oldest first."""
    return visible_reports(scope).filter(
        status__in=[Report.Status.RECEIVED, Report.Status.INCOMPLETE]
    )


def work_for(request: HttpRequest) -> Work:
    scope = request_scope(request)
    today = timezone.localdate()
    work = Work(today=today, holder=holder_of(scope))
    if scope.can("intake.manage") and not scope.read_only:
        reports = waiting_reports(scope).select_related("violation_type", "office")
        work.reports = list(reports.order_by("created_at", "id")[:LIMIT])
        work.reports_total = len(work.reports)
        if work.reports_total == LIMIT:
            work.reports_total = reports.count()
    if work.holder is not None and not scope.read_only:
        moves = my_moves(scope)
        work.cases = list(moves.select_related("office", "election")[:LIMIT])
        work.cases_total = len(work.cases)
        if work.cases_total == LIMIT:
            work.cases_total = moves.count()
        # A deadline ends at midnight in the zone of the case's office, not the server's.
        work.overdue_ids = {c.pk for c in work.cases if c.is_overdue()}
        work.overdue = len(work.overdue_ids)
        if work.cases_total > LIMIT:
            work.overdue = overdue(moves).count()
    servant = getattr(request.user, "civil_servant", None)
    if servant is not None:
        work.servant = servant
        work.election = Election.objects.order_by("-voting_day").first()
        if work.election is not None:
            work.pact = Pact.objects.filter(civil_servant=servant, election=work.election).first()
    work.dashboard_only = (
        scope.can("cases.view") and not work.reports and work.holder is None and servant is None
    )
    return work


def waiting_count(request: HttpRequest) -> int | None:
    """The menu's figure beside "My work": reports and cases waiting for this user's move."""
    scope = request_scope(request)
    if scope.read_only:
        return None
    total = 0
    if scope.can("intake.manage"):
        total += waiting_reports(scope).count()
    if holder_of(scope) is not None:
        total += my_moves(scope).count()
    return total or None


def unread_count(request: HttpRequest) -> int | None:
    from netral.core.models import Notification

    return (
        Notification.objects.filter(user_id=int(request.user.pk or 0), read_at__isnull=True).count()
        or None
    )
