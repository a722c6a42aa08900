"""Keeping ``CoverageTally`` true for the (election, agency) pairs a write touched."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from netral.commitments.models import CoverageTally, EventAttendance, Pact, PledgeAttendance
from netral.registry.events import HeadcountsChanged


def refresh_tallies(election_id: int, agency_ids: Iterable[int] | None = None) -> int:
    """Recount the election's tallies for these agencies (all with any record when None)."""
    ids = None if agency_ids is None else set(agency_ids)

    def scoped(queryset: Any) -> Any:
        queryset = queryset.filter(election_id=election_id)
        return queryset if ids is None else queryset.filter(agency_id__in=ids)

    signed = dict(
        scoped(Pact.objects.filter(revoked_at__isnull=True))
        .filter(civil_servant__is_head_of_unit=True, civil_servant__is_active=True)
        .values_list("agency_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    pledged = dict(
        scoped(PledgeAttendance.objects.all())
        .values_list("agency_id")
        .annotate(n=Count("civil_servant", distinct=True))
        .order_by()
    )
    reached = set(scoped(EventAttendance.objects.all()).values_list("agency_id", flat=True))
    if ids is not None:
        agencies = ids
    else:
        known = CoverageTally.objects.filter(election_id=election_id).values_list(
            "agency_id", flat=True
        )
        agencies = set(signed) | set(pledged) | reached | set(known)
    now = timezone.now()
    rows = [
        CoverageTally(
            election_id=election_id,
            agency_id=agency_id,
            heads_signed=signed.get(agency_id, 0),
            pledged=pledged.get(agency_id, 0),
            reached=agency_id in reached,
            refreshed_at=now,
        )
        for agency_id in agencies
    ]
    with transaction.atomic():
        CoverageTally.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["election", "agency"],
            update_fields=["heads_signed", "pledged", "reached", "refreshed_at"],
            batch_size=1000,
        )
    return len(rows)


def refresh_after_commit(election_id: int, agency_ids: Iterable[int]) -> None:
    ids = set(agency_ids)
    transaction.on_commit(lambda: refresh_tallies(election_id, ids))


def heads_may_have_changed(changed: HeadcountsChanged) -> None:
    """Subscriber of ``HeadcountsChanged``: who is a head of unit decides which pacts count, so
    the elections on record are recounted for those agencies."""
    agency_ids = set(changed.agency_ids)
    elections = (
        CoverageTally.objects.filter(agency_id__in=agency_ids)
        .values_list("election_id", flat=True)
        .distinct()
    )
    for election_id in list(elections):
        refresh_tallies(election_id, agency_ids)
