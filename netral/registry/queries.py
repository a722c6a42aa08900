"""Reading the registry. Every list a user sees is filtered by their ``Scope``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet

from netral.core.scope import Scope
from netral.registry.models import Agency, CivilServant, PPKAppointment, Unit
from netral.registry.nip import digits_of


def visible_civil_servants(scope: Scope) -> QuerySet[CivilServant]:
    return scope.filter(CivilServant.objects.all())


def visible_agencies(scope: Scope) -> QuerySet[Agency]:
    return scope.filter(Agency.objects.all())


def search_civil_servants(scope: Scope, query: str) -> tuple[QuerySet[CivilServant], str]:
    """Civil servants matching a NIP prefix (digits) or a name prefix; returns the sort key."""
    queryset = visible_civil_servants(scope).select_related("agency", "unit", "position")
    text = " ".join(query.split())
    if text.isascii() and text.isdigit():
        return queryset.filter(nip__startswith=text), "nip"
    if text:
        return queryset.filter(name_key__startswith=text.lower()), "name"
    return queryset, "name"


def resolve_nips(
    entries: Iterable[tuple[int, str]], queryset: QuerySet[CivilServant] | None = None
) -> list[tuple[int, str, CivilServant | None]]:
    """A list of NIPs as people type them, each with its row: (row, NIP as digits, the civil
    servant of ``queryset`` (default: the whole registry) with that NIP, or None). Entries
    without a digit are left out; one query for the whole list."""
    wanted = [(row, digits) for row, text in entries if (digits := digits_of(text))]
    source = CivilServant.objects.all() if queryset is None else queryset
    found = {s.nip: s for s in source.filter(nip__in={nip for _row, nip in wanted})}
    return [(row, nip, found.get(nip)) for row, nip in wanted]


def ppk_on(agency_id: int, day: date) -> PPKAppointment | None:
    """The PPK of an agency on a day: the acting head when one is appointed, else the head.

    One query over the (agency, valid_from, valid_to) index.
    """
    return (
        PPKAppointment.objects.filter(agency_id=agency_id)
        .valid_on(day)
        .order_by("-acting_kind", "-valid_from")
        .first()
    )


def agency_suggestions(query: str, limit: int = 10) -> list[dict[str, str]]:
    """Agencies, then units (OPD) with their agency, whose names hold every word of ``query``
    (a unit matches on its own name and its agency's together), each with its region's name."""
    from netral.registry.matching import words

    typed = [w for w in words(" ".join(query.split())[:60]) if len(w) >= 2]
    if not typed:
        return []
    agency_match = Q()
    unit_match = Q()
    for word in typed:
        agency_match &= Q(name__icontains=word)
        unit_match &= Q(name__icontains=word) | Q(agency__name__icontains=word)
    agencies = list(
        Agency.objects.filter(agency_match).select_related("region").order_by("name")[:limit]
    )
    items = [
        {"code": a.code, "name": a.name, "unit": "", "region": a.region.name if a.region else ""}
        for a in agencies
    ]
    if len(items) < limit:
        units = (
            Unit.objects.filter(unit_match, is_active=True)
            .select_related("agency__region")
            .order_by("name", "agency__name")[: limit - len(items)]
        )
        items += [
            {
                "code": u.agency.code,
                "name": u.agency.name,
                "unit": u.name,
                "region": u.agency.region.name if u.agency.region else "",
            }
            for u in units
        ]
    return items
