"""Keeping ``CaseStat`` true: a partition (election, regency/city) is recounted from its cases
(a few thousand at most) after any change to them, and everything nightly."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import CharField, Count, Exists, F, OuterRef, Q
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from netral.cases.models import Case
from netral.core import statements
from netral.insights.figures import rollup_changed
from netral.insights.models import CaseStat, RollupDay
from netral.regions.queries import JAKARTA

Partition = tuple[int | None, str]


def _election(election_id: int | None, prefix: str = "") -> Q:
    if election_id is None:
        return Q(**{f"{prefix}election_id__isnull": True})
    return Q(**{f"{prefix}election_id": election_id})


def _follow_up(recommended: Any) -> dict[str, Any]:
    """Recommendations per PPK: received, decided in time, decided late, still open."""
    decided = recommended.filter(decided_on__isnull=False)
    return {
        "fu_received": recommended,
        "fu_in_time": decided.filter(decided_on__lte=F("ppk_due_date")),
        "fu_late": decided.filter(decided_on__gt=F("ppk_due_date")),
        "fu_open": recommended.filter(decided_on__isnull=True),
    }


def _stat_rows(where: Callable[[str], Q], now: datetime) -> list[CaseStat]:
    """Every rollup row of the cases ``where(prefix)`` selects, one grouped query per dimension
    (``prefix`` is "" on cases and "case__" on their violation-type links); the overdue counts
    as of ``now``, each case's day ending in its office's zone."""
    from netral.cases.queries import overdue, ppk_overdue

    month = Substr(Cast("registered_on", CharField()), 1, 7)
    cases = Case.objects.filter(where(""))
    through = Case.violation_types.through.objects.filter(where("case__"))
    social = Exists(
        Case.violation_types.through.objects.filter(
            case_id=OuterRef("pk"), violationtype__social_media=True
        )
    )
    queries: list[tuple[str, Any, Any]] = [
        ("state", cases, "state"),
        ("month", cases.annotate(m=month), "m"),
        ("violation", through, "violationtype__code"),
        ("imposed", cases.filter(imposed_sanction__isnull=False), "imposed_sanction__level"),
        (
            "recommended",
            cases.filter(recommended_sanction__isnull=False),
            "recommended_sanction__level",
        ),
    ]
    queries += [
        (dimension, queryset, "ppk_id")
        for dimension, queryset in _follow_up(cases.filter(recommended_on__isnull=False)).items()
    ]
    queries += [
        ("overdue", overdue(cases, now=now), "holder"),
        ("fu_overdue", cases.filter(ppk_overdue(now=now)), "ppk_id"),
    ]
    found: list[tuple[str, Any, str, Any, int]] = []
    for dimension, queryset, field in queries:
        prefix = "case__" if dimension == "violation" else ""
        grouped = (
            queryset.values_list(f"{prefix}election_id", f"{prefix}regency_code", field)
            .annotate(c=Count("pk"))
            .order_by()
        )
        found += [(dimension, e, r, key, n) for e, r, key, n in grouped]
    flags = (
        cases.values_list("election_id", "regency_code")
        .annotate(
            social=Count("id", filter=Q(social)),
            proven=Count("id", filter=Q(recommended_on__isnull=False)),
        )
        .order_by()
    )
    for election_id, regency, social_n, proven_n in flags:
        found += [
            ("flag", election_id, regency, "social", social_n),
            ("flag", election_id, regency, "proven", proven_n),
        ]
    return [
        CaseStat(
            election_id=election_id,
            province_code=regency[:2],
            regency_code=regency,
            dimension=dimension,
            key=str(key or ""),
            n=n,
        )
        for dimension, election_id, regency, key, n in found
        if n
    ]


def refresh(partitions: Iterable[Partition]) -> int:
    """Recount the given partitions (a few thousand cases each at most)."""
    written = 0
    for election_id, regency in set(partitions):
        if not regency:
            continue

        def where(prefix: str, e: int | None = election_id, r: str = regency) -> Q:
            return _election(e, prefix) & Q(**{f"{prefix}regency_code": r})

        rows = _stat_rows(where, timezone.now())
        with transaction.atomic():
            CaseStat.objects.filter(_election(election_id), regency_code=regency).delete()
            CaseStat.objects.bulk_create(rows, batch_size=1000)
            rollup_changed()
        written += len(rows)
    return written


def _jakarta_day(now: datetime) -> date:
    return now.astimezone(JAKARTA).date()


def refresh_all() -> int:
    """Recount every partition at once, and mark the rollup as today's (Jakarta's day: WIB's
    midnight is the last of the three zones', so the day the overdue counts are exact for)."""
    now = timezone.now()
    today = _jakarta_day(now)
    rows = _stat_rows(lambda prefix: ~Q(**{f"{prefix}regency_code": ""}), now)
    with transaction.atomic():
        CaseStat.objects.all().delete()
        CaseStat.objects.bulk_create(rows, batch_size=2000)
        RollupDay.objects.update_or_create(pk=1, defaults={"day": today})
        rollup_changed()
    return len(rows)


def recounted_today(now: datetime | None = None) -> bool:
    """Whether the overdue counts of the rollup hold now (see ``RollupDay``).

    A case becomes overdue at its office's midnight: WIT's first, then WITA's, then WIB's. In
    the two hours between, the zones disagree on the date and the counts are taken live; a
    rollup recounted then holds the earlier Jakarta day, so it never passes for the next one."""
    from netral.cases.queries import zones_agree

    moment = now or timezone.now()
    if not zones_agree(moment):
        return False
    day = _jakarta_day(moment)
    return bool(
        statements.rows(
            ("insights.recounted_on", day),
            lambda: RollupDay.objects.filter(pk=1, day=day).values_list("pk"),
        )
    )


def case_changed(sender: Any, instance: Case, **kwargs: Any) -> None:
    """``post_save``/``post_delete`` of a case: recount its partition once the change commits
    (and the one it left, when it was passed to an office of another regency/city)."""
    partitions = [(instance.election_id, instance.regency_code)]
    moved_from = getattr(instance, "moved_from_regency", None)
    if moved_from is not None and moved_from != instance.regency_code:
        partitions.append((instance.election_id, moved_from))
    transaction.on_commit(lambda: refresh(partitions))
