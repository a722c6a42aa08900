"""Keeping ``AgencyHeadcount`` true: one grouped count, then an upsert; listeners are told."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q
from django.dispatch import Signal
from django.utils import timezone

from netral.registry.models import Agency, AgencyHeadcount, CivilServant

# Sent with ``agency_ids`` (a set) after their counts were refreshed.
headcounts_changed = Signal()


def refresh_headcounts(agency_ids: Iterable[int] | None = None) -> int:
    """Recount the given agencies (all when None); returns how many rows were written."""
    ids = None if agency_ids is None else set(agency_ids)
    servants = CivilServant.objects.filter(is_active=True)
    agencies = Agency.objects.all()
    if ids is not None:
        servants = servants.filter(agency_id__in=ids)
        agencies = agencies.filter(pk__in=ids)
    counts = {
        agency_id: (active, heads)
        for agency_id, active, heads in servants.values_list("agency_id")
        .annotate(active=Count("id"), heads=Count("id", filter=Q(is_head_of_unit=True)))
        .order_by()
    }
    now = timezone.now()
    rows = [
        AgencyHeadcount(
            agency_id=pk,
            active=counts.get(pk, (0, 0))[0],
            heads=counts.get(pk, (0, 0))[1],
            refreshed_at=now,
        )
        for pk in agencies.values_list("pk", flat=True)
    ]
    with transaction.atomic():
        AgencyHeadcount.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["agency"],
            update_fields=["active", "heads", "refreshed_at"],
            batch_size=1000,
        )
    changed = {r.agency_id for r in rows}
    transaction.on_commit(
        lambda: headcounts_changed.send(sender=AgencyHeadcount, agency_ids=changed)
    )
    return len(rows)
