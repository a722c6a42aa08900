"""The figures of the dashboards, scoped: grouped counts over indexed columns, each with the
filter of the list behind it (the drill-down)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from netral.cases.models import Case, State
from netral.cases.queries import follow_up, local_days, overdue, ppk_overdue, visible_cases
from netral.core import statements
from netral.core.inputs import is_id
from netral.core.scope import Scope
from netral.insights.figures import kept
from netral.insights.models import CaseStat
from netral.insights.rollup import recounted_today
from netral.intake.models import Report
from netral.intake.queries import visible_reports
from netral.rules.models import Election
from netral.rules.queries import violation_types


@dataclass(frozen=True)
class SummaryFilter:
    election: Election | None = None
    region: str = ""
    start: date | None = None
    end: date | None = None

    def query(self) -> dict[str, str]:
        """The filter as list parameters, for drill-down links."""
        out = {}
        if self.election is not None:
            out["election"] = self.election.slug
        if self.region:
            out["region"] = self.region
        if self.start:
            out["from"] = self.start.isoformat()
        if self.end:
            out["to"] = self.end.isoformat()
        return out


def _bounds(f: SummaryFilter) -> tuple[datetime | None, datetime | None]:
    start = timezone.make_aware(datetime.combine(f.start, time.min)) if f.start else None
    end = timezone.make_aware(datetime.combine(f.end, time.max)) if f.end else None
    return start, end


def region_filter(queryset: QuerySet[Case], region: str) -> QuerySet[Case]:
    if not region:
        return queryset
    if len(region) == 2:
        return queryset.filter(province_code=region)
    if len(region) == 5:
        return queryset.filter(regency_code=region)
    return queryset.filter(region_id=region)


def cases(scope: Scope, f: SummaryFilter) -> QuerySet[Case]:
    queryset = region_filter(visible_cases(scope), f.region)
    if f.election is not None:
        queryset = queryset.filter(election=f.election)
    if f.start:
        queryset = queryset.filter(registered_on__gte=f.start)
    if f.end:
        queryset = queryset.filter(registered_on__lte=f.end)
    return queryset


def month_of(field: str) -> Substr:
    """ "YYYY-MM" of a date column, in plain SQL on both databases (no per-row function)."""
    return Substr(Cast(field, CharField()), 1, 7)


def reports(scope: Scope, f: SummaryFilter) -> QuerySet[Report]:
    queryset = visible_reports(scope)
    if f.region:
        queryset = queryset.filter(region__code__startswith=f.region)
    if f.election is not None:
        queryset = queryset.filter(election=f.election)
    start, end = _bounds(f)
    if start:
        queryset = queryset.filter(created_at__gte=start)
    if end:
        queryset = queryset.filter(created_at__lte=end)
    return queryset


def _counts(queryset: Any, field: str) -> dict[Any, int]:
    # COUNT(*), not COUNT(id): an index-only scan can answer it without reading the rows.
    return dict(queryset.values_list(field).annotate(n=Count("*")).order_by())


def filter_key(scope: Scope, f: SummaryFilter) -> tuple[Any, ...]:
    """Everything the dashboard's queries depend on, with a stable ``repr`` (sorted tuples, not
    sets): the key of the figures kept per rollup revision (``netral.insights.figures``) and of
    the statements kept per process (``netral.core.statements``)."""
    election = f.election.pk if f.election is not None else None
    return (
        scope.national,
        tuple(sorted(scope.region_codes)),
        tuple(sorted(scope.agency_ids)),
        election,
        f.region,
        f.start,
        f.end,
    )


def rollup_answers(scope: Scope, f: SummaryFilter) -> bool:
    """Whether the rollup rows can answer for this scope and filter: not for a date range, an
    agency-scoped role or a district (the rollup holds provinces and regencies/cities)."""
    if f.start or f.end or scope.agency_ids or scope.sees_nothing:
        return False
    codes = [f.region] if f.region else []
    if not scope.national:
        codes += scope.region_codes
    return all(len(code) in (2, 5) for code in codes)


def stats(scope: Scope, f: SummaryFilter) -> QuerySet[CaseStat]:
    """The rollup rows for this scope and filter (only where ``rollup_answers``)."""
    if not rollup_answers(scope, f):
        raise ValueError("the rollup cannot answer for this scope and filter")
    queryset = CaseStat.objects.all()
    if f.election is not None:
        queryset = queryset.filter(election_id=f.election.pk)
    condition = Q()
    if f.region:
        condition &= _stat_region(f.region)
    if not scope.national:
        within = Q(pk__in=[])
        for code in scope.region_codes:
            within |= _stat_region(code)
        condition &= within
    return queryset.filter(condition)


def _stat_region(code: str) -> Q:
    return Q(province_code=code) if len(code) == 2 else Q(regency_code=code)


# The rollup dimensions one dashboard reads, all in one query (see ``rolled_sums``).
DIMENSIONS = (
    "state",
    "violation",
    "month",
    "flag",
    "imposed",
    "recommended",
    "fu_received",
    "fu_in_time",
    "fu_late",
    "fu_open",
    "overdue",
    "fu_overdue",
)


def rolled_sums(scope: Scope, f: SummaryFilter) -> dict[str, dict[str, int]]:
    """Every dimension's counts by key in one round trip: dimension -> key -> count. Kept per
    scope, filter and rollup revision."""

    def compute() -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {d: {} for d in DIMENSIONS}
        rows = (
            stats(scope, f)
            .filter(dimension__in=DIMENSIONS)
            .values_list("dimension", "key")
            .annotate(total=Sum("n"))
            .order_by()
        )
        for dimension, name, total in rows:
            out[dimension][name] = total
        return out

    return kept("rolled_sums", filter_key(scope, f), compute)


def rolled_by_region(scope: Scope, f: SummaryFilter, field: str) -> dict[str, int]:
    """Cases per province or regency (the state dimension counts every case once). Kept per
    scope, filter and rollup revision."""
    return kept(
        "rolled_by_region",
        (filter_key(scope, f), field),
        lambda: dict(
            stats(scope, f)
            .filter(dimension="state")
            .values_list(field)
            .annotate(total=Sum("n"))
            .order_by()
        ),
    )


def _moment(today: date | None) -> Any:
    """The key of "now" for overdue counts: the day in each zone (they change at each zone's
    midnight), or the one day given."""
    return today or tuple(sorted(local_days().items()))


def overdue_by_holder(scope: Scope, f: SummaryFilter, today: date | None = None) -> dict[str, int]:
    """Open cases past their due date per holder, counted live (the rollup's fallback on a day
    it was not yet recounted); each case's day ends in its office's zone."""
    return dict(
        statements.rows(
            ("insights.overdue_by_holder", filter_key(scope, f), _moment(today)),
            lambda: (
                overdue(cases(scope, f), today)
                .values_list("holder")
                .annotate(n=Count("*"))
                .order_by()
            ),
        )
    )


def overdue_open_by_ppk(
    scope: Scope, f: SummaryFilter, today: date | None = None
) -> dict[str, int]:
    """Recommendations past the PPK's deadline without a decision, per PPK, counted live
    over the partial index of open recommendations."""
    rows = statements.rows(
        ("insights.overdue_open_by_ppk", filter_key(scope, f), _moment(today)),
        lambda: (
            cases(scope, f)
            .filter(ppk_overdue(today))
            .values_list("ppk_id")
            .annotate(n=Count("*"))
            .order_by()
        ),
    )
    return {str(k or ""): n for k, n in rows}


def ppk_labels(ids: list[int]) -> dict[str, str]:
    """ "Title (name)" of each PPK appointment, by id as a string."""
    from netral.registry.models import PPKAppointment

    wanted = tuple(sorted(ids))
    rows = statements.rows(
        ("insights.ppk_labels", wanted),
        lambda: PPKAppointment.objects.filter(pk__in=wanted).values_list("pk", "title", "name"),
    )
    return {str(pk): f"{title or '-'} ({name or '-'})" for pk, title, name in rows}


def rolled_follow_up(
    sums: dict[str, dict[str, int]], scope: Scope, f: SummaryFilter, today_rolled: bool
) -> list[dict[str, Any]]:
    """Follow-up per PPK from the rollup; "open and overdue" from it too when it was recounted
    today, else counted live (partial index)."""
    parts = {name: sums[f"fu_{name}"] for name in ("received", "in_time", "late", "open")}
    overdue_open = sums["fu_overdue"] if today_rolled else overdue_open_by_ppk(scope, f)
    keys = set(parts["received"])
    labels = ppk_labels([int(k) for k in keys if is_id(k)])
    rows = [
        {
            "ppk": labels.get(key, "- (-)"),
            "received": parts["received"].get(key, 0),
            "in_time": parts["in_time"].get(key, 0),
            "late": parts["late"].get(key, 0),
            "open": parts["open"].get(key, 0),
            "open_overdue": overdue_open.get(key, 0),
        }
        for key in keys
    ]
    return sorted(rows, key=lambda r: (-r["open_overdue"], -r["late"], r["ppk"]))


def report_counts(scope: Scope, f: SummaryFilter) -> tuple[dict[str, int], int]:
    """Reports per status, and how many concern social media: one query."""
    by_status, social = {}, 0
    rows = statements.rows(
        ("insights.report_counts", filter_key(scope, f)),
        lambda: (
            reports(scope, f)
            .values_list("status")
            .annotate(n=Count("*"), social=Count("pk", filter=Q(violation_type__social_media=True)))
            .order_by()
        ),
    )
    for status, n, of_social in rows:
        by_status[status] = n
        social += of_social
    return by_status, social


def summary(scope: Scope, f: SummaryFilter) -> dict[str, Any]:
    """Everything a dashboard shows, as plain data (also the API's answer). Counts come from
    the rollup (``CaseStat``) where it can answer, else from the cases themselves; the overdue
    counts from the rollup only when it was recounted today, else live.

    The rollup's figures are kept in the shared cache per scope, filter and rollup revision
    (``netral.insights.figures``): a dashboard opened again reads them in two round trips
    (the sums and the counts by region); a figure computed on the read replica is not kept. The
    live queries (report counts, PPK names, overdue fallbacks) are built by the ORM once per
    scope and filter (``netral.core.statements``): in a province the database answers each in
    a fraction of a millisecond, less than the ORM takes to build it."""
    region_field = "regency_code" if len(f.region) == 2 else "province_code"
    if not f.region and not scope.national and scope.region_codes:
        codes = sorted(scope.region_codes)
        region_field = "regency_code" if all(len(c) == 2 for c in codes) else "region_id"
    rolled = region_field != "region_id" and rollup_answers(scope, f)
    today_rolled = False
    if rolled:
        sums = rolled_sums(scope, f)
        today_rolled = recounted_today()
        by_state = sums["state"]
        by_region = rolled_by_region(scope, f, region_field)
        by_violation = sums["violation"]
        by_month = dict(sorted(sums["month"].items()))
        social, proven = sums["flag"].get("social", 0), sums["flag"].get("proven", 0)
        imposed = sums["imposed"]
        recommended = sums["recommended"]
    else:
        qs = cases(scope, f)
        by_state = _counts(qs, "state")
        by_region = _counts(qs, region_field)
        through = Case.violation_types.through
        links = through.objects.all()
        if qs.query.has_filters():
            links = links.filter(case_id__in=qs.values("pk"))
        by_violation = dict(
            links.values_list("violationtype__code").annotate(n=Count("id")).order_by()
        )
        social = qs.filter(
            Exists(through.objects.filter(case_id=OuterRef("pk"), violationtype__social_media=True))
        ).count()
        by_month = dict(
            qs.annotate(month=month_of("registered_on"))
            .values_list("month")
            .annotate(n=Count("id"))
            .order_by("month")
        )
        proven = qs.filter(recommended_on__isnull=False).count()
        imposed = _counts(qs.filter(imposed_sanction__isnull=False), "imposed_sanction__level")
        recommended = _counts(
            qs.filter(recommended_sanction__isnull=False), "recommended_sanction__level"
        )
    total = sum(by_state.values())
    concluded = proven + by_state.get(State.NOT_VIOLATION, 0)
    late = sums["overdue"] if rolled and today_rolled else overdue_by_holder(scope, f)
    reports_by_status, report_social = report_counts(scope, f)
    report_total = sum(reports_by_status.values())
    if rolled:
        follow_rows = rolled_follow_up(sums, scope, f, today_rolled)
    else:
        follow = follow_up(scope, by="ppk", cases=qs)  # the same filter as every figure
        follow_rows = [
            {
                "ppk": r.label,
                "received": r.received,
                "in_time": r.in_time,
                "late": r.late,
                "open": r.open,
                "open_overdue": r.open_overdue,
            }
            for r in follow
        ]
    names = {v.code: v.name_id for v in violation_types()}  # reference memo: no query
    return {
        "cases": {
            "total": total,
            "by_state": by_state,
            "by_region": by_region,
            "region_field": region_field,
            "by_violation": by_violation,
            "by_month": by_month,
            "social_media": social,
            "social_media_share": round(social / total, 4) if total else 0.0,
            "proven": proven,
            "concluded": concluded,
            "proven_rate": round(proven / concluded, 4) if concluded else 0.0,
            "sanctions_imposed": imposed,
            "sanctions_recommended": recommended,
            "overdue": late,
        },
        "reports": {
            "total": report_total,
            "by_status": reports_by_status,
            "social_media": report_social,
            "social_media_share": round(report_social / report_total, 4) if report_total else 0.0,
        },
        "follow_up": follow_rows,
        "violation_names": names,
    }
