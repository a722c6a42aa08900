"""Reading cases within a jurisdiction: lists, the overdue queue, recommendation follow-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from netral.cases import workflow
from netral.cases.models import Case, Holder
from netral.core.inputs import is_id
from netral.core.scope import Scope
from netral.regions.models import Region

# Indonesia's three working zones; a case's ``zone`` is its office's.
ZONES = tuple(str(z.value) for z in Region.TimeZone)


def local_days(now: datetime | None = None) -> dict[str, date]:
    """Today in each of the three zones (for two hours a day they differ: WIT is ahead)."""
    moment = now or timezone.now()
    return {zone: moment.astimezone(ZoneInfo(zone)).date() for zone in ZONES}


def zones_agree(now: datetime | None = None) -> bool:
    """Whether it is the same day in all three zones."""
    return len(set(local_days(now).values())) == 1


def past_due(field: str, today: date | None = None, now: datetime | None = None) -> Q:
    """Cases whose date ``field`` lies before today in the zone of their office.

    With ``today`` given, that one day for every zone. Otherwise most of the day the three
    zones share a date and this is one range (``field < today``); in the two hours they differ
    the later zones add one condition each on the case's zone."""
    if today is not None:
        return Q(**{f"{field}__lt": today})
    days = local_days(now)
    earliest = min(days.values())
    condition = Q(**{f"{field}__lt": earliest})
    for zone, day in days.items():
        if day > earliest:
            condition |= Q(**{f"{field}__lt": day, "zone": zone})
    return condition


def within_region(code: str) -> Q:
    """Cases in region ``code`` (a district or village) or below it, in one index scan.

    SQLite: one range of ``region_id``, the code itself and every code that starts with
    "<code>." sorting between ``code`` and "<code>/" ('/' follows '.'; codes hold only digits
    and dots): its LIKE ignores case, so no index serves 'code.%' and every case was read.
    PostgreSQL: the prefix, which the ``varchar_pattern_ops`` index Django adds to the column
    serves under any collation (a range would not: a linguistic collation ignores the dots)."""
    if connection.vendor == "sqlite":
        return Q(region_id__gte=code, region_id__lt=code + "/")
    return Q(region_id=code) | Q(region__code__startswith=code + ".")


def jurisdiction(scope: Scope) -> Q | None:
    """The cases a scope covers as one condition (None: the whole country).

    A region is matched on the stored province or regency/city code, so each is one index range;
    an agency sees its cases once the recommendation is issued.
    """
    if scope.national:
        return None
    condition = Q(pk__in=[])
    for code in sorted(scope.region_codes):
        if len(code) == 2:
            condition |= Q(province_code=code)
        elif len(code) == 5:
            condition |= Q(regency_code=code)
        else:
            condition |= within_region(code)
    if scope.agency_ids:
        condition |= Q(
            agency_id__in=sorted(scope.agency_ids), state__in=workflow.PPK_VISIBLE_STATES
        )
    return condition


def visible_cases(scope: Scope) -> QuerySet[Case]:
    queryset = Case.objects.all()
    if scope.sees_nothing:
        return queryset.none()
    condition = jurisdiction(scope)
    return queryset if condition is None else queryset.filter(condition)


@dataclass(frozen=True)
class CaseFilter:
    state: str = ""
    election: str = ""
    region: str = ""
    overdue: bool = False
    violation: str = ""
    social_media: bool = False
    imposed_level: str = ""
    recommended_level: str = ""
    holder: str = ""
    proven: bool = False
    start: date | None = None
    end: date | None = None


def filtered(queryset: QuerySet[Case], f: CaseFilter, today: date | None = None) -> QuerySet[Case]:
    if f.state:
        queryset = queryset.filter(state=f.state)
    if f.election:
        key = "election_id" if is_id(f.election) else "election__slug"
        queryset = queryset.filter(**{key: f.election})
    if f.region:
        if len(f.region) == 2:
            queryset = queryset.filter(province_code=f.region)
        elif len(f.region) == 5:
            queryset = queryset.filter(regency_code=f.region)
        else:
            queryset = queryset.filter(within_region(f.region))
    if f.overdue:
        queryset = overdue(queryset, today)
    if f.violation:
        queryset = queryset.filter(
            Exists(
                Case.violation_types.through.objects.filter(
                    case_id=OuterRef("pk"), violationtype__code=f.violation
                )
            )
        )
    if f.social_media:
        queryset = queryset.filter(
            Exists(
                Case.violation_types.through.objects.filter(
                    case_id=OuterRef("pk"), violationtype__social_media=True
                )
            )
        )
    if f.imposed_level:
        queryset = queryset.filter(imposed_sanction__level=f.imposed_level)
    if f.recommended_level:
        queryset = queryset.filter(recommended_sanction__level=f.recommended_level)
    if f.holder:
        queryset = queryset.filter(holder=f.holder)
    if f.proven:
        queryset = queryset.filter(recommended_on__isnull=False)
    if f.start:
        queryset = queryset.filter(registered_on__gte=f.start)
    if f.end:
        queryset = queryset.filter(registered_on__lte=f.end)
    return queryset


def overdue(
    queryset: QuerySet[Case], today: date | None = None, *, now: datetime | None = None
) -> QuerySet[Case]:
    """Open cases past their due date, the day ending in the zone of the case's office (a closed
    case has none)."""
    # "holder <> 'none'" (not an IN list): the planner then starts from the jurisdiction's index.
    return queryset.filter(past_due("due_date", today, now)).exclude(holder=Holder.NONE)


def ppk_overdue(today: date | None = None, *, now: datetime | None = None) -> Q:
    """Recommendations past the PPK's deadline without a decision (the follow-up's "open and
    overdue"), as one condition: served by the partial index of open recommendations."""
    return Q(recommended_on__isnull=False, decided_on__isnull=True) & past_due(
        "ppk_due_date", today, now
    )


def page_newest_first(
    queryset: QuerySet[Case], *, after: int | None, size: int
) -> tuple[list[Case], int | None]:
    """Keyset page by descending id: the cursor is the last id seen."""
    if after is not None:
        queryset = queryset.filter(id__lt=after)
    rows = list(queryset.order_by("-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].pk if more and rows else None)


def overdue_queue(
    scope: Scope, holder: str | None = None, *, today: date | None = None
) -> QuerySet[Case]:
    """Overdue cases in the jurisdiction, oldest deadline first; ``holder`` narrows to one party."""
    queryset = overdue(visible_cases(scope), today)
    if holder:
        queryset = queryset.filter(holder=holder)
    return queryset.order_by("due_date", "id")


def holder_of(scope: Scope) -> str | None:
    """Which party's moves this user makes: Bawaslu, the reviewing agency or the PPK's side."""
    if scope.can(workflow.STUDY) and not scope.national:
        return Holder.BAWASLU
    if scope.can(workflow.REVIEW) and scope.national and "*" not in scope.capabilities:
        return Holder.REVIEWER
    if scope.can(workflow.DISCIPLINE) and scope.agency_ids:
        return Holder.PPK
    return None


def my_moves(scope: Scope) -> QuerySet[Case]:
    """The open cases in the jurisdiction whose next move is this user's, due date first (cases
    without a deadline last)."""
    holder = holder_of(scope)
    if holder is None:
        return Case.objects.none()
    return (
        visible_cases(scope)
        .filter(holder=holder)
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )


@dataclass
class FollowUp:
    key: Any
    label: str
    received: int = 0
    in_time: int = 0
    late: int = 0
    open: int = 0
    open_overdue: int = 0


def follow_up(
    scope: Scope,
    *,
    by: str = "agency",
    election: str = "",
    today: date | None = None,
    cases: QuerySet[Case] | None = None,
) -> list[FollowUp]:
    """Recommendations per agency (or per PPK): received, followed up in time, late, still open.

    "Followed up" means the PPK decided; in time when the decision is on or before the due date
    counted from the receipt (or from the issue, while receipt is unconfirmed). ``cases``
    narrows the scope's cases further (a dashboard's filter).
    """
    base = visible_cases(scope) if cases is None else cases
    queryset = base.filter(recommended_on__isnull=False)
    if election:
        key = "election_id" if is_id(election) else "election__slug"
        queryset = queryset.filter(**{key: election})
    group = (
        ["agency_id", "agency__name"] if by == "agency" else ["ppk_id", "ppk__name", "ppk__title"]
    )
    rows = (
        queryset.values(*group)
        .annotate(
            received=Count("id"),
            in_time=Count(
                "id", filter=Q(decided_on__isnull=False, decided_on__lte=F("ppk_due_date"))
            ),
            late=Count("id", filter=Q(decided_on__isnull=False, decided_on__gt=F("ppk_due_date"))),
            open=Count("id", filter=Q(decided_on__isnull=True)),
            open_overdue=Count("id", filter=ppk_overdue(today)),
        )
        .order_by("-open_overdue", "-late", group[1])
    )
    result = []
    for row in rows:
        if by == "agency":
            label = row["agency__name"] or "-"
        else:
            label = f"{row['ppk__title'] or '-'} ({row['ppk__name'] or '-'})"
        result.append(
            FollowUp(
                key=row[group[0]],
                label=label,
                received=row["received"],
                in_time=row["in_time"],
                late=row["late"],
                open=row["open"],
                open_overdue=row["open_overdue"],
            )
        )
    return result
