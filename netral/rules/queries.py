"""Reading the law as data."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from netral.core import reference
from netral.core.inputs import is_id
from netral.rules.calendar import CALENDAR_DAYS, DayCounter, calendar_for
from netral.rules.models import (
    DeadlineRule,
    Election,
    ReviewingAgency,
    SanctionOption,
    ViolationType,
    in_force,
)


def catalogue(query: str = "") -> QuerySet[ViolationType]:
    """Violation types with their legal basis and sanction options, for pages and the API."""
    queryset = ViolationType.objects.prefetch_related(
        "provisions__regulation",
        Prefetch(
            "sanction_options",
            queryset=SanctionOption.objects.filter(withdrawn=False)
            .select_related("sanction")
            .order_by("track", "position"),
        ),
    ).order_by("position")
    text = query.strip()
    if text:
        queryset = queryset.filter(
            Q(name_id__icontains=text)
            | Q(name_en__icontains=text)
            | Q(description_id__icontains=text)
            | Q(description_en__icontains=text)
            | Q(examples_id__icontains=text)
            | Q(examples_en__icontains=text)
            | Q(code__icontains=text)
        )
    return queryset


def election_by_slug_or_id(value: str) -> Election | None:
    queryset = Election.objects.prefetch_related("stages", "races")
    if is_id(value):
        return queryset.filter(pk=int(value)).first()
    return queryset.filter(slug=value).first()


def reviewing_agency_on(day: date) -> ReviewingAgency | None:
    """The agency that receives files forwarded on ``day``."""
    return (
        ReviewingAgency.objects.filter(in_force(day))
        .exclude(files=ReviewingAgency.Files.PROCESSED)
        .order_by("-valid_from")
        .first()
    )


def reviewing_agency_for(
    forwarded_on: date, processed_on: date | None = None, on: date | None = None
) -> ReviewingAgency | None:
    """The agency responsible on ``on`` for a file forwarded on ``forwarded_on``.

    When the agency of the forwarding date is no longer in force on ``on`` (the KASN to BKN
    switch of 4 Sep 2024, SE MenPANRB 4/2024), the file goes to the successor for files already
    processed when the old agency had acted on it (``processed_on``) before the switch, and to
    the successor for unprocessed files otherwise."""
    first = reviewing_agency_on(forwarded_on)
    day = max(on or forwarded_on, forwarded_on)
    if first is None or first.in_force_on(day):
        return first
    successors = list(ReviewingAgency.objects.filter(in_force(day)).order_by("-valid_from"))
    switch = min((s.valid_from for s in successors if s.valid_from), default=None)
    processed = processed_on is not None and (switch is None or processed_on < switch)
    wanted = ReviewingAgency.Files.PROCESSED if processed else ReviewingAgency.Files.UNPROCESSED
    chosen = next((s for s in successors if s.files == wanted), None)
    return chosen or next(
        (s for s in successors if s.files != ReviewingAgency.Files.PROCESSED), None
    )


def violation_types() -> tuple[ViolationType, ...]:
    """Every violation type in catalogue order (reference data: memoised per process)."""
    return reference.memo(
        "rules.violation_types", lambda: tuple(ViolationType.objects.order_by("position"))
    )


def violation_type_by_code(code: str) -> ViolationType | None:
    return next((v for v in violation_types() if v.code == code), None)


def elections() -> tuple[Election, ...]:
    """Every election, the latest first (reference data: memoised per process)."""
    return reference.memo("rules.elections", lambda: tuple(Election.objects.all()))


def election_by_slug(slug: str) -> Election | None:
    return next((e for e in elections() if e.slug == slug), None) if slug else None


def deadline_rule(step: str, election_kind: str, on: date) -> DeadlineRule | None:
    """The rule in force for a step: one for the election's kind beats one for any election;
    among several in force, the one valid from the latest date."""
    rules = reference.memo("rules.deadline_rules", lambda: tuple(DeadlineRule.objects.all()))
    candidates = sorted(
        (
            r
            for r in rules
            if r.step == step and r.election_kind in (election_kind, "any") and r.in_force_on(on)
        ),
        key=lambda r: r.valid_from or date.min,
        reverse=True,
    )
    specific = [r for r in candidates if r.election_kind == election_kind]
    return (specific or candidates)[0] if candidates else None


def counter_for(rule: DeadlineRule, region_code: str | None = None) -> DayCounter:
    if rule.unit == DeadlineRule.Unit.CALENDAR_DAYS:
        return CALENDAR_DAYS
    return calendar_for(region_code)


def due_date(rule: DeadlineRule, start: date, region_code: str | None = None) -> date:
    return counter_for(rule, region_code).add(start, rule.amount)
