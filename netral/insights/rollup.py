"""Keeping ``CaseStat`` true: a partition (election, regency/city) is recounted from its cases
(a few thousand at most) after any change to them, and everything nightly.

``cases`` announces each change (``CaseChanged``, on commit); insights answers by enqueueing a
recount of the partitions it touched (``netral.insights.tasks.recount_partitions``). A recount
counts and replaces its partition inside one transaction that holds the partition's lock, so
two recounts of one partition run one after the other and the later one counts every change
committed before it: the last writer never leaves an older snapshot behind. On PostgreSQL the
lock is a transaction-scoped advisory lock (a partition's recounts take the whole rollup's lock
shared, ``refresh_all`` takes it exclusively); on SQLite the transaction's write lock, taken at
its start (``transaction_mode`` IMMEDIATE), serialises them all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, Count, Exists, F, OuterRef, Q
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from netral.cases.events import CaseChanged
from netral.cases.models import Case
from netral.core import compiled
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


# Advisory lock keys (PostgreSQL): one class for the rollup, the partition within it.
_LOCK_CLASS = 0x4E52  # "NR"
_WHOLE = -1


def _partition_key(election_id: int | None, regency: str) -> int:
    """A stable 32-bit key of a partition (collisions only make two recounts wait in turn)."""
    digest = hashlib.blake2b(f"{election_id}:{regency}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock(key: int, *, shared: bool = False) -> None:
    """Hold the rollup lock ``key`` until the current transaction ends (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [_LOCK_CLASS, key])


def refresh(partitions: Iterable[Partition]) -> int:
    """Recount the given partitions (a few thousand cases each at most), each one counted and
    replaced in one transaction holding its lock."""
    written = 0
    for election_id, regency in sorted(set(partitions), key=lambda p: (p[0] or 0, p[1])):
        if not regency:
            continue

        def where(prefix: str, e: int | None = election_id, r: str = regency) -> Q:
            return _election(e, prefix) & Q(**{f"{prefix}regency_code": r})

        with transaction.atomic():
            _lock(_WHOLE, shared=True)
            _lock(_partition_key(election_id, regency))
            rows = _stat_rows(where, timezone.now())
            CaseStat.objects.filter(_election(election_id), regency_code=regency).delete()
            CaseStat.objects.bulk_create(rows, batch_size=1000)
        written += len(rows)
    return written


def _jakarta_day(now: datetime) -> date:
    return now.astimezone(JAKARTA).date()


def refresh_all() -> int:
    """Recount every partition at once, and mark the rollup as today's (Jakarta's day: WIB's
    midnight is the last of the three zones', so the day the overdue counts are exact for)."""
    with transaction.atomic():
        _lock(_WHOLE)
        now = timezone.now()
        today = _jakarta_day(now)
        rows = _stat_rows(lambda prefix: ~Q(**{f"{prefix}regency_code": ""}), now)
        CaseStat.objects.all().delete()
        CaseStat.objects.bulk_create(rows, batch_size=2000)
        RollupDay.objects.update_or_create(pk=1, defaults={"day": today})
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
    found = compiled.rows(
        "insights.rollup_day", lambda: RollupDay.objects.filter(pk=1).values_list("day")
    )
    return bool(found) and found[0][0] == _jakarta_day(moment)


def partitions_of(changed: CaseChanged) -> list[Partition]:
    """The partitions a case change touches: where the case lies, and where it came from."""
    return [(changed.election_id, regency) for regency in changed.regency_codes if regency]
