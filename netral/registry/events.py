"""What the registry announces (``netral.core.events``): apps to its right subscribe."""

from __future__ import annotations

from dataclasses import dataclass

from netral.core.events import Event, event


@event("registry.headcounts.changed")
@dataclass(frozen=True)
class HeadcountsChanged(Event):
    """The headcounts of these agencies were recounted (``AgencyHeadcount``)."""

    agency_ids: frozenset[int]
