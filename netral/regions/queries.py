"""Reading regions."""

from __future__ import annotations

from netral.core import reference
from netral.regions.models import Region


def provinces() -> list[tuple[str, str]]:
    """(code, name) of every province by name (reference data: memoised per process)."""
    return reference.memo(
        "regions.provinces",
        lambda: list(
            Region.objects.filter(level=Region.Level.PROVINCE)
            .order_by("name")
            .values_list("code", "name")
        ),
    )
