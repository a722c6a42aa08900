"""Keeping ``AgencyHeadcount`` true: one grouped count, then an upsert; ``HeadcountsChanged``
tells the apps that subscribe (on commit)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from netral.core import events
from netral.registry.events import HeadcountsChanged
from netral.registry.models import Agency, AgencyHeadcount, CivilServant


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
    events.publish(HeadcountsChanged(agency_ids=frozenset(r.agency_id for r in rows)))
    return len(rows)
