"""Coverage: per agency, who signed a pact, who pledged, which agencies socialisation reached."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from netral.commitments.models import (
    Circular,
    CoverageTally,
    Pact,
    PledgeAttendance,
    SocialisationEvent,
)
from netral.core.scope import Scope, jurisdiction_of
from netral.registry.models import Agency, AgencyHeadcount, CivilServant
from netral.rules.models import Election


def agencies_in(region: str | None, scope: Scope | None = None) -> QuerySet[Agency]:
    """Agencies of a region (and below); the whole country when ``region`` is empty."""
    queryset = Agency.objects.all()
    if region:
        queryset = queryset.filter(Agency.jurisdiction.in_region(region))
    return scope.filter(queryset) if scope is not None else queryset


@dataclass
class AgencyCoverage:
    agency_id: int
    code: str
    name: str
    heads: int = 0
    heads_signed: int = 0
    servants: int = 0
    pledged: int = 0
    reached: bool = False

    @property
    def pact_share(self) -> float:
        return self.heads_signed / self.heads if self.heads else 0.0

    @property
    def pledge_share(self) -> float:
        return self.pledged / self.servants if self.servants else 0.0


@dataclass
class Coverage:
    election: Election
    region: str
    agencies: list[AgencyCoverage]

    def total(self, name: str) -> int:
        return sum(int(getattr(a, name)) for a in self.agencies)

    @property
    def reached(self) -> int:
        return sum(1 for a in self.agencies if a.reached)

    def as_dict(self) -> dict[str, Any]:
        heads, signed = self.total("heads"), self.total("heads_signed")
        servants, pledged = self.total("servants"), self.total("pledged")
        return {
            "election": self.election.slug,
            "region": self.region or None,
            "heads_of_unit": heads,
            "heads_with_pact": signed,
            "pact_share": round(signed / heads, 4) if heads else 0.0,
            "civil_servants": servants,
            "pledged": pledged,
            "pledge_share": round(pledged / servants, 4) if servants else 0.0,
            "agencies": len(self.agencies),
            "agencies_reached": self.reached,
            "agencies_share": round(self.reached / len(self.agencies), 4) if self.agencies else 0.0,
        }


def coverage(election: Election, region: str = "", scope: Scope | None = None) -> Coverage:
    """Two reads of a few hundred rows (headcounts and tallies), whatever the registry's size;
    both are kept true by every write (``registry.headcount``, ``commitments.tallies``)."""
    agencies = agencies_in(region, scope)
    rows = {
        a.pk: AgencyCoverage(a.pk, a.code, a.name)
        for a in agencies.only("pk", "code", "name").order_by("code")
    }
    ids = agencies.values("pk")
    for agency_id, active, heads in AgencyHeadcount.objects.filter(agency_id__in=ids).values_list(
        "agency_id", "active", "heads"
    ):
        rows[agency_id].servants, rows[agency_id].heads = active, heads
    for agency_id, signed, pledged, reached in CoverageTally.objects.filter(
        election=election, agency_id__in=ids
    ).values_list("agency_id", "heads_signed", "pledged", "reached"):
        row = rows[agency_id]
        row.heads_signed, row.pledged, row.reached = signed, pledged, reached
    return Coverage(election, region, list(rows.values()))


def heads_without_pact(election: Election, agency_ids: list[int]) -> QuerySet[CivilServant]:
    """The missing list: active heads of unit of these agencies with no valid pact."""
    return (
        CivilServant.objects.filter(agency_id__in=agency_ids, is_active=True, is_head_of_unit=True)
        .exclude(pacts__election=election, pacts__revoked_at__isnull=True)
        .select_related("agency", "unit", "position")
        .order_by("agency__code", "unit__code", "name")
    )


def public_counts(election: Election | None, region: str) -> dict[str, int]:
    """What the public page of a region shows: counts only, no person."""

    def there(model: Any) -> Q:
        return jurisdiction_of(model).in_region(region) if region else Q()

    pacts = Pact.objects.filter(there(Pact), revoked_at__isnull=True)
    pledges = PledgeAttendance.objects.filter(there(PledgeAttendance))
    events = SocialisationEvent.objects.filter(there(SocialisationEvent))
    circulars = Circular.objects.filter(there(Circular))
    if election is not None:
        pacts, pledges = pacts.filter(election=election), pledges.filter(election=election)
        events, circulars = events.filter(election=election), circulars.filter(election=election)
    return {
        "pacts": pacts.count(),
        "pledges": pledges.count(),
        "events": events.count(),
        "circulars": circulars.count(),
    }


@dataclass
class UnitCoverage:
    unit: str
    heads: int
    signed: int


def per_unit(election: Election, agency_id: int) -> list[UnitCoverage]:
    """Coverage per OPD (unit) of one agency: its heads and how many of them signed."""
    heads = (
        CivilServant.objects.filter(agency_id=agency_id, is_active=True, is_head_of_unit=True)
        .values_list("unit__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    signed = dict(
        Pact.objects.filter(
            election=election,
            agency_id=agency_id,
            revoked_at__isnull=True,
            civil_servant__is_head_of_unit=True,
            civil_servant__is_active=True,
        )
        .values_list("civil_servant__unit__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    return sorted(
        (UnitCoverage(unit or "-", n, signed.get(unit, 0)) for unit, n in heads),
        key=lambda u: (u.signed >= u.heads, u.unit),
    )
