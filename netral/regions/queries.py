"""Reading regions."""

from __future__ import annotations

from zoneinfo import ZoneInfo

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


JAKARTA = ZoneInfo("Asia/Jakarta")
_ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def _province_zones() -> dict[str, str]:
    return reference.memo(
        "regions.province_zones",
        lambda: dict(
            Region.objects.filter(level=Region.Level.PROVINCE).values_list("code", "timezone")
        ),
    )


def zone_of(region_code: str | None) -> ZoneInfo:
    """The working time zone of a region (its province's: WIB, WITA or WIT).

    National offices and unknown codes work in WIB (Jakarta)."""
    if not region_code:
        return JAKARTA
    name = _province_zones().get(region_code[:2])
    return ZoneInfo(name) if name else JAKARTA


def zone_abbreviation(zone: ZoneInfo) -> str:
    """WIB, WITA or WIT, as Indonesians name their zones (the key itself for any other zone)."""
    return _ZONE_ABBREVIATIONS.get(zone.key, zone.key)
