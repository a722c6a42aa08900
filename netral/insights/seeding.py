"""Filling a database fast for benchmarks: civil servants and cases through bulk paths.

``executemany`` on SQLite and ``COPY`` on PostgreSQL, in one transaction per table, skipping
the services on purpose (the numbers are about reading); the per-agency headcounts are then
recounted as an import's end does. Used by ``manage.py seed_bench`` and the benchmarks.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from netral.core import reference
from netral.regions.queries import zone_of

CASE_COLUMNS = [
    "id", "number", "state", "holder", "office_id", "region_id", "province_code", "regency_code",
    "election_id", "agency_id", "accused_name", "act_date", "registration", "registered_by_id",
    "registered_at", "track", "rule_versions", "due_date", "warnings_sent", "state_event",
    "imported", "version", "recommended_on", "recommended_sanction_id", "imposed_sanction_id",
    "decided_on", "ppk_due_date", "closed_on", "registered_on", "ppk_id", "zone",
]  # fmt: skip
SERVANT_COLUMNS = [
    "nip", "name", "name_key", "employment_type", "nip_conforms", "birth_date", "sex",
    "agency_id", "unit_id", "position_id", "is_head_of_unit", "is_active", "created_at",
    "updated_at",
]  # fmt: skip


def insert(table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    if connection.vendor == "sqlite":
        marks = ", ".join(["?"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 (our names)
        connection.ensure_connection()
        connection.connection.executemany(sql, rows)
        return
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def regional_agencies() -> list[Any]:
    """One government per province and regency/city (created when missing), with one unit."""
    from netral.regions.models import Region
    from netral.registry.models import Agency, Unit

    existing = {a.region_id: a for a in Agency.objects.exclude(region=None)}
    missing = [
        Agency(
            code=f"GOV-{r.code}",
            name=f"Pemerintah {r.name}",
            kind="provincial" if r.level == 1 else "regency",
            region=r,
        )
        for r in Region.objects.filter(level__lte=2).order_by("code")
        if r.code not in existing
    ]
    Agency.objects.bulk_create(missing, batch_size=1000)
    reference.changed()
    agencies = list(Agency.objects.exclude(region=None).order_by("pk"))
    with_unit = set(Unit.objects.values_list("agency_id", flat=True))
    Unit.objects.bulk_create(
        [
            Unit(agency=a, code=f"U-{a.code}", name="Sekretariat Daerah")
            for a in agencies
            if a.pk not in with_unit
        ],
        batch_size=1000,
    )
    return agencies


def seed_civil_servants(count: int, seed: int = 2024) -> int:
    from netral.registry.headcount import refresh_headcounts
    from netral.registry.models import CivilServant, Unit

    agencies = regional_agencies()
    unit_of = dict(Unit.objects.values_list("agency_id", "pk"))
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    start = CivilServant.objects.count()
    weights = [8 if "." not in str(a.region_id) else 1 for a in agencies]
    owners = rng.choices(agencies, weights=weights, k=count)
    now = timezone.now()

    def rows() -> Iterator[tuple[Any, ...]]:
        for i, agency in enumerate(owners):
            n = start + i
            yield (
                f"9{n:017d}", f"ASN {n}", f"asn {n}", "PNS", False, None, "", agency.pk,
                unit_of[agency.pk], None, n % 10 == 0, n % 50 != 0, now, now,
            )  # fmt: skip

    with transaction.atomic():
        insert("registry_civilservant", SERVANT_COLUMNS, rows())
        refresh_headcounts()
    return count


def _links(first: int, count: int, types: list[int]) -> Iterator[tuple[int, int]]:
    """One violation type per case, a second one for every fourth case."""
    for i in range(count):
        a = types[i % len(types)]
        yield first + i, a
        b = types[(i * 7 + 3) % len(types)]
        if i % 4 == 0 and b != a:
            yield first + i, b


def regional_ppks(agencies: list[Any]) -> dict[int, int]:
    """The PPK appointment of each government (its regional head; created when missing):
    agency id -> appointment id. Of existing appointments, a definitive one still running
    is preferred, then the latest."""
    from netral.registry.models import PPKAppointment

    def chosen() -> dict[int, int]:
        best: dict[int, tuple[tuple[bool, date], int]] = {}
        for agency_id, pk, valid_from, valid_to, acting in PPKAppointment.objects.filter(
            agency__in=agencies
        ).values_list("agency_id", "pk", "valid_from", "valid_to", "acting_kind"):
            rank = (valid_to is None and not acting, valid_from)
            if agency_id not in best or rank > best[agency_id][0]:
                best[agency_id] = (rank, pk)
        return {agency_id: pk for agency_id, (_rank, pk) in best.items()}

    current = chosen()
    PPKAppointment.objects.bulk_create(
        [
            PPKAppointment(
                agency=a,
                name=f"Kepala Daerah {a.region_id}",
                title="Gubernur" if a.kind == "provincial" else "Bupati/Wali Kota",
                valid_from=date(2021, 2, 26),
            )
            for a in agencies
            if a.pk not in current
        ],
        batch_size=1000,
    )
    return chosen()


def seed_cases(count: int, seed: int = 2024) -> int:
    """``count`` cases over all regencies and cities in every state, with violation types,
    recommendations and sanctions as the workflow would leave them. The accused work for the
    regency's or city's government (one case in five: the province's), whose PPK receives the
    recommendation."""
    from netral.accounts.models import User
    from netral.cases.models import Case, Holder, State
    from netral.cases.workflow import STATES
    from netral.regions.models import Region
    from netral.registry.models import Office
    from netral.rules.models import Election, Sanction, ViolationType

    regions = list(Region.objects.filter(level__lte=2).order_by("code"))
    have = set(Office.objects.filter(kind="bawaslu").values_list("region_id", flat=True))
    Office.objects.bulk_create(
        [
            Office(
                code=f"BAWASLU-{r.code}",
                name=f"Bawaslu {r.name}",
                kind="bawaslu",
                level="province" if r.level == 1 else "regency_city",
                region=r,
            )
            for r in regions
            if r.code not in have
        ]
    )
    reference.changed()
    office_of = dict(Office.objects.filter(kind="bawaslu").values_list("region_id", "pk"))
    regencies = [r.code for r in regions if r.level == 2]
    # Each case happened in one district (kecamatan) of its regency/city, where regions down
    # to districts are loaded (district-scoped dashboards and lists read them).
    districts: dict[str, list[str]] = {}
    for code, parent in (
        Region.objects.filter(level=3).order_by("code").values_list("code", "parent_id")
    ):
        districts.setdefault(parent, []).append(code)
    # Each office's zone, looked up before the COPY starts (no query may run during it).
    zones = {code: zone_of(code).key for code in regencies}
    agencies = regional_agencies()
    government = {a.region_id: a.pk for a in agencies}
    ppk_of = regional_ppks(agencies)
    elections = list(Election.objects.order_by("voting_day"))
    officer = User.objects.order_by("pk").values_list("pk", flat=True).first()
    sanctions = list(Sanction.objects.filter(track="discipline").values_list("pk", flat=True))
    types = list(ViolationType.objects.values_list("pk", flat=True))
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    states = list(STATES)
    late_states = {
        State.RECOMMENDATION_ISSUED,
        State.RECEIVED_BY_PPK,
        State.EXAMINATION,
        State.DECIDED,
        State.APPEALED,
        State.FOLLOW_UP_REPORTED,
        State.CLOSED,
    }
    today = timezone.localdate()
    first = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

    def rows() -> Iterator[tuple[Any, ...]]:
        for i in range(count):
            regency = regencies[i % len(regencies)]
            state = rng.choice(states)
            info = STATES[state]
            open_ = info.holder != Holder.NONE
            registered = today - timedelta(days=rng.randint(0, 700))
            recommended = registered + timedelta(days=10) if state in late_states else None
            decided = (
                recommended + timedelta(days=rng.randint(5, 30))
                if recommended and state in (State.DECIDED, State.FOLLOW_UP_REPORTED, State.CLOSED)
                else None
            )
            sanction = rng.choice(sanctions) if recommended else None
            agency = government[regency[:2] if i % 5 == 0 else regency]
            within = districts.get(regency)
            region = within[(i // len(regencies)) % len(within)] if within else regency
            yield (
                first + i, f"SB/{first + i:09d}", state, info.holder, office_of[regency], region,
                regency[:2], regency, rng.choice(elections).pk, agency, f"ASN {i}",
                registered - timedelta(days=3), "{}", officer,
                timezone.make_aware(datetime.combine(registered, time(9))),
                "discipline" if recommended else "", "{}",
                today + timedelta(days=rng.randint(-20, 40)) if open_ else None, 0, 1, False, 1,
                recommended, sanction, sanction if decided else None, decided,
                recommended + timedelta(days=20) if recommended else None,
                registered + timedelta(days=60) if not open_ else None, registered,
                ppk_of[agency] if recommended else None, zones[regency],
            )  # fmt: skip

    with transaction.atomic():
        insert("cases_case", CASE_COLUMNS, rows())
        # The ids are given (the violation-type links name them): the sequence follows.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [Case]):
                cursor.execute(statement)
        insert(
            "cases_case_violation_types",
            ["case_id", "violationtype_id"],
            _links(first, count, types),
        )
    from netral.insights.rollup import refresh_all

    refresh_all()  # the raw load bypassed the signals that keep the rollup true
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return count
